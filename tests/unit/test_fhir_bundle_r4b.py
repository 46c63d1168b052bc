"""Our Bundles are plain JSON built without ``fhir.resources``; these hold them to R4B and the mCODE profiles.

Samples, trap and edge-case reports through the whole analysis, builder edge cases, a builder made to emit what R4B
rejects (the check must catch it), the code map refusing codes R4B would refuse, and the analysis of a document
never importing ``fhir.resources`` (it costs the command line a quarter of a second at start).
"""

from __future__ import annotations

import datetime
import re
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

from extract.fhir import datatypes, observations
from extract.fhir.bundle import to_bundle
from extract.fhir.datafile import load_model
from extract.fhir.emit import EMIT_PATH, EmitMap
from extract.finding import Evidence, Extraction, Finding
from ingest.document import Document, Page
from navis.errors import ConfigError
from navis.pipeline import analyze_bytes
from tests.support.corpus import REPO_ROOT
from tests.unit.fhir_conformance import assert_conforms

SAMPLES = REPO_ROOT / "samples"
TODAY = datetime.datetime.now(datetime.UTC).date().isoformat()


def _sample_params() -> list[Any]:
    params = []
    for path in sorted(SAMPLES.iterdir()):
        if path.suffix == ".png":  # an OCR'd scan: real Tesseract
            marks = [pytest.mark.integration]
            if shutil.which("tesseract") is None:
                marks.append(pytest.mark.skip(reason="tesseract not installed"))
            params.append(pytest.param(path, id=path.name, marks=marks))
        else:
            params.append(pytest.param(path, id=path.name))
    return params


@pytest.mark.parametrize("path", _sample_params())
@pytest.mark.parametrize("patient_id", [None, "pat-1"])
def test_sample_bundle_is_valid_r4b_and_conforms(path: Path, patient_id: str | None) -> None:
    analysis = analyze_bytes(path.read_bytes(), path.name, patient_id)
    assert any(e["resource"]["resourceType"] == "Observation" for e in analysis.bundle["entry"])
    assert_conforms(analysis.bundle)


REPORTS = [
    "Final diagnosis: benign breast tissue, no carcinoma identified.",
    "Interpretation: 0-1+ = negative; 2+ = equivocal; 3+ = positive. Control tissue: HER2 3+ cell line stained.",
    "Her sister had HER2 positive breast cancer. Recommend HER2 FISH for cases scored 2+.",
    "HER2 (4B5): 2+, equivocal. HER2 (FISH): pending.",
    "HER2: l+? see comment. Estrogen receptor: NEGATIVE (0%). Progesterone receptor: low positive (5%).",
    "A. BREAST, RIGHT, MASTECTOMY: invasive ductal carcinoma. HER2: NEGATIVE (1+). "
    "B. BREAST, LEFT, MASTECTOMY: invasive ductal carcinoma. HER2: POSITIVE (3+).",
    "HER-2/NEU IS INTERPRETED AS POSITIVE (2+). FISH: HER2 gene is not amplified.",
    "Prior biopsy (2019): ER positive. Current: ER positive, 95%, PR positive >90%, Ki-67 10-20%.",
    "Invasive ductal carcinoma, Nottingham grade 2. pT2 pN1a cM0. AJCC prognostic stage group IB.",
    "Invasive lobular carcinoma, left breast. pT1c pN0(i+). Stage IA (AJCC 8th edition). Tumor size 1.8 cm.",
    "Stage IIB. pT2 N1.",
    "Germline BRCA2 pathogenic variant c.5946delT (p.Ser1982fs). BRCA1 negative.",
    "PIK3CA H1047R detected. ESR1 mutation not detected. PD-L1 (22C3) CPS 15.",
    "FISH: not amplified, HER2/CEP17 ratio 1.3, mean HER2 copies 2.1 per nucleus, group 5. Oncotype DX score 18.",
    "Collection date: 2019-11-02. pTlc pNO (OCR). ER: POSITIVE (>90Z).",
]


@pytest.mark.parametrize("text", REPORTS)
def test_trap_and_edge_case_reports_give_valid_bundles(text: str) -> None:
    assert_conforms(analyze_bytes(text.encode(), "report.txt").bundle)


def _document(text: str = "ER positive. BRCA1 c.68_69delAG detected.") -> Document:
    return Document(
        text=text, pages=(Page(1, 0, len(text), "ocr"),), media_type="text/plain", sha256="e" * 64, size=len(text)
    )


def _finding(field: str, value: str, **extra: Any) -> Finding:
    evidence = Evidence(quote="ER positive", start=0, end=11, ocr_confidence=87.25)
    return Finding(field=field, value=value, evidence=(evidence,), rule_id=f"rule.{field}", **extra)


def _observations(bundle: dict[str, Any]) -> list[dict[str, Any]]:
    return [e["resource"] for e in bundle["entry"] if e["resource"]["resourceType"] == "Observation"]


def test_empty_strings_are_left_out_rather_than_written() -> None:
    evidence = Evidence(quote="", start=0, end=0, section="")
    findings = (
        Finding(field="er_status", value="positive", evidence=(evidence,), rule_id="", method=""),
        Finding(field="pr_status", value=" ", evidence=(evidence,), rule_id="r"),  # blank value: nothing to write
    )
    bundle = to_bundle(_document(), Extraction(findings=findings))
    (observation,) = _observations(bundle)
    assert "method" not in observation
    assert_conforms(bundle)


def test_impossible_dates_are_not_written() -> None:
    findings = (
        _finding("collection_date", "2024-02-30"),
        _finding("report_date", "2024-13-01"),
        _finding("er_status", "positive", date="2021-02-29"),
        _finding("pr_status", "negative", date="2020-02-29"),
    )
    bundle = to_bundle(_document(), Extraction(findings=findings))
    dates = {o["code"]["coding"][0]["code"]: o["effectiveDateTime"] for o in _observations(bundle)}
    assert dates == {"85337-4": TODAY, "85339-0": "2020-02-29"}
    assert_conforms(bundle)


def test_a_spaced_out_hgvs_change_is_still_a_valid_code() -> None:
    finding = _finding("brca", "BRCA1 pathogenic", details={"hgvs": " c.68_69del  AG "})
    bundle = to_bundle(_document(), Extraction(findings=(finding,)))
    (variant,) = _observations(bundle)
    codes = [c["valueCodeableConcept"]["coding"][0]["code"] for c in variant["component"]]
    assert "c.68_69del AG" in codes
    assert_conforms(bundle)


def test_ocr_confidence_and_confidence_are_decimals() -> None:
    bundle = to_bundle(_document(), Extraction(findings=(_finding("er_status", "positive", confidence=1),)))
    (observation,) = _observations(bundle)
    values = {sub["url"]: sub for ext in observation["extension"] for sub in ext.get("extension", [])}
    assert values["ocrConfidence"]["valueDecimal"] == 87.2
    assert values["confidence"] == {"url": "confidence", "valueDecimal": 1.0}
    assert_conforms(bundle)


def _bad_date(_: Finding) -> str:
    return "2024-02-30"


def _misspelt_note(text: str) -> dict[str, str]:
    return {"txt": text}


def _number_as_text(written: str) -> Any:
    return written


@pytest.mark.parametrize(
    ("module", "name", "broken", "error"),
    [
        pytest.param(observations, "_stated_date", _bad_date, ValidationError, id="date-that-does-not-exist"),
        pytest.param(datatypes, "annotation", _misspelt_note, ValidationError, id="element-r4b-does-not-know"),
        pytest.param(datatypes, "decimal", _number_as_text, AssertionError, id="decimal-written-as-a-string"),
    ],
)
def test_the_check_fails_when_a_builder_emits_what_r4b_rejects(
    monkeypatch: pytest.MonkeyPatch, module: Any, name: str, broken: Callable[..., Any], error: type[Exception]
) -> None:
    findings = (_finding("er_status", "positive", date="2021-03-04", assertion="historical"),)
    assert_conforms(to_bundle(_document(), Extraction(findings=findings)))
    monkeypatch.setattr(module, name, broken)
    with pytest.raises(error):
        assert_conforms(to_bundle(_document(), Extraction(findings=findings)))


def test_the_code_map_refuses_codes_that_r4b_would_refuse(tmp_path: Path) -> None:
    bad = tmp_path / "emit.yaml"
    bad.write_text(EMIT_PATH.read_text(encoding="utf-8").replace('code: "85337-4"', 'code: "85337-4 "'))
    with pytest.raises(ConfigError, match=re.escape("emit.yaml: fields.er_status.code.code: ")):
        load_model(bad, EmitMap)


def test_analyzing_a_text_report_never_imports_fhir_resources() -> None:
    # A fresh interpreter: other tests in this process import fhir.resources to check our output.
    probe = (
        "import sys; from navis.pipeline import analyze_bytes; "
        "bundle = analyze_bytes(b'Estrogen receptor: POSITIVE (95%). HER2 (IHC): 1+. pT1c pN0.', 'r.txt').bundle; "
        "assert any(e['resource']['resourceType'] == 'Observation' for e in bundle['entry']); "
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('fhir', 'fhir_core')))"
    )
    answer = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True, cwd=REPO_ROOT)
    assert answer.stdout.strip() == "[]"
