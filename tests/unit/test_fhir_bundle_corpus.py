"""Real TCGA reports through extraction and into mCODE: every Bundle is valid R4B, conforms to the mCODE profiles
and reads back to its findings."""

from __future__ import annotations

import hashlib
import json
from typing import Any

import pytest

from extract.fhir.bundle import to_bundle
from extract.fhir.read import findings_from_observations
from extract.pipeline import extract
from ingest.document import Document, Page
from tests.support.corpus import TCGA_DEV
from tests.unit.fhir_conformance import assert_conforms

DEV = TCGA_DEV
NOT_OBSERVATIONS = {"histology", "laterality", "ajcc_edition", "collection_date", "report_date", "her2_ish_group"}
NOT_OBSERVATIONS |= {f"{r}_{p}" for r in ("er", "pr") for p in ("intensity", "allred", "hscore")}


def _reports() -> list[Any]:
    if not DEV.exists():
        return [pytest.param(None, marks=pytest.mark.skip(reason="shared TCGA corpus absent"))]
    rows = [json.loads(line) for line in DEV.read_text(encoding="utf-8").splitlines() if line.strip()]
    # ids are positions (some reports have no report_id)
    return [pytest.param(row["text"], id=f"dev-{index}") for index, row in enumerate(rows)]


@pytest.mark.corpus
@pytest.mark.parametrize("text", _reports())
def test_report_bundle_is_valid_r4b_conforms_and_reads_back(text: str) -> None:
    document = Document(
        text=text,
        pages=(Page(1, 0, len(text), "plain"),),
        media_type="text/plain",
        sha256=hashlib.sha256(text.encode()).hexdigest(),
        size=len(text.encode()),
    )
    extraction = extract(document)
    bundle = to_bundle(document, extraction)
    assert_conforms(bundle)
    written = {
        (f.field, f.value) for f in extraction.findings if f.is_patient_result and f.field not in NOT_OBSERVATIONS
    }
    assert written <= {(f.field, f.value) for f in findings_from_observations([bundle])}
