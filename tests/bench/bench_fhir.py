"""FHIR output and intake speed: build an mCODE Bundle of ~20 Observations, profile-check it, read it back; build
the Bundle of each development-corpus report (target: median <= 1.5 ms a report).

Figures are medians over repeated runs in one process (models and code maps already loaded, as in a worker).
"""

from __future__ import annotations

import hashlib
import json
import statistics
import sys
import time
from collections.abc import Callable
from typing import Any

from extract.fhir.bundle import to_bundle
from extract.fhir.profiles.check import check_bundle
from extract.fhir.read import findings_from_observations
from extract.finding import Evidence, Extraction, Finding
from extract.pipeline import extract
from ingest.document import Document, Page
from ingest.fhir import read_bundle
from tests.support.corpus import TCGA_DEV

RUNS = 30
VALUES = {
    "er_status": "positive", "er_percent": "95", "pr_status": "positive", "pr_percent": ">90", "her2_ihc": "1+",
    "her2_status": "negative", "her2_ish": "not-amplified", "her2_ish_ratio": "1.2", "her2_copies": "2.1",
    "ki67_percent": "15", "grade": "2", "pT": "pT1c", "pN": "pN0", "M": "pMX", "stage_group": "IA",
    "brca": "BRCA2 pathogenic", "pik3ca": "detected", "oncotype_rs": "18", "esr1": "not-detected", "pdl1": "10",
    "histology": "ductal", "laterality": "left", "ajcc_edition": "8", "collection_date": "2024-02-01",
}  # fmt: skip


def _extraction() -> tuple[Document, Extraction]:
    text = "x" * 3000
    document = Document(text=text, pages=(Page(1, 0, 3000, "text-layer"),), media_type="application/pdf",
                        sha256="ab" * 32, size=40_000, name="bench.pdf")  # fmt: skip
    findings = [
        Finding(field=f, value=v, evidence=(Evidence(quote=f"{f}: {v}", start=i * 40, end=i * 40 + 20),), rule_id=f)
        for i, (f, v) in enumerate(VALUES.items())
    ]
    return document, Extraction(findings=tuple(findings))


def _median_ms(work: Callable[[], Any]) -> float:
    work()  # warm: first use loads models and code maps
    times = []
    for _ in range(RUNS):
        started = time.perf_counter()
        work()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def _per_report() -> str:
    """to_bundle on each dev-corpus report's extraction (best of 3 a report): median and slowest over reports."""
    if not TCGA_DEV.exists():
        return "to_bundle per dev-corpus report: skipped (shared TCGA corpus absent)\n"
    texts = [json.loads(line)["text"] for line in TCGA_DEV.read_text(encoding="utf-8").splitlines() if line.strip()]
    documents = [
        Document(text=text, pages=(Page(1, 0, len(text), "plain"),), media_type="text/plain",
                 sha256=hashlib.sha256(text.encode()).hexdigest(), size=len(text.encode()))
        for text in texts
    ]  # fmt: skip
    work = [(document, extract(document)) for document in documents]
    times = []
    for document, extraction in work:
        best = float("inf")
        for _ in range(3):
            started = time.perf_counter()
            to_bundle(document, extraction)
            best = min(best, time.perf_counter() - started)
        times.append(best * 1000)
    return (
        f"to_bundle per dev-corpus report ({len(times)} reports): {statistics.median(times):.2f} ms median, "
        f"{max(times):.2f} ms slowest\n"
    )


def main() -> None:
    """Print the median milliseconds of each step."""
    document, extraction = _extraction()
    bundle = to_bundle(document, extraction)
    count = sum(1 for entry in bundle["entry"] if entry["resource"]["resourceType"] == "Observation")
    data = json.dumps(bundle).encode()
    figures = {
        f"to_bundle ({count} Observations, {len(bundle['entry'])} entries)": _median_ms(
            lambda: to_bundle(document, extraction)
        ),
        "check_bundle (mCODE profile check + bundle rules)": _median_ms(lambda: check_bundle(bundle)),
        f"read_bundle (intake parse of {len(data) // 1024} KiB)": _median_ms(lambda: read_bundle(data)),
        "findings_from_observations (Bundle back to findings)": _median_ms(
            lambda: findings_from_observations([bundle])
        ),
    }
    for name, value in figures.items():
        sys.stdout.write(f"{name}: {value:.1f} ms median of {RUNS}\n")
    sys.stdout.write(_per_report())


if __name__ == "__main__":
    main()
