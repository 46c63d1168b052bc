"""BRCA1/2 results (gene, germline or somatic, significance) and tumor alterations (ESR1, PIK3CA, AKT1, PTEN).

PARP-inhibitor labels need a *germline* pathogenic or likely pathogenic BRCA1/2 variant (G5); a tumor-only (somatic)
finding or a VUS does not meet them [S39][S41][S54]. A "not detected" tumor or ctDNA result does not overrule a
"detected" one from another sample (ctDNA-negative needs tissue before calling wild-type [S36]).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

_GENE = re.compile(r"BRCA\s*([12])", re.IGNORECASE)
_SIGNIFICANCE = (
    ("likely-pathogenic", re.compile(r"likely[\s-]*pathogenic", re.IGNORECASE)),
    ("pathogenic", re.compile(r"pathogenic|deleterious|positive|carrier|mutat", re.IGNORECASE)),
    ("vus", re.compile(r"\bvus\b|uncertain", re.IGNORECASE)),
    ("benign", re.compile(r"benign", re.IGNORECASE)),
    ("negative", re.compile(r"negative|not[\s-]*detected|no (?:pathogenic|clinically significant)", re.IGNORECASE)),
    ("unclassified", re.compile(r"detected|present|variant", re.IGNORECASE)),
)

BRCA_DISPLAY = {
    "germline-pathogenic": "a germline (inherited) harmful BRCA variant",
    "somatic-pathogenic": "a harmful BRCA variant found in the tumor only (somatic)",
    "pathogenic-origin-unknown": "a harmful BRCA variant; the report does not say whether it is inherited (germline)",
    "vus": "a BRCA variant of uncertain significance (VUS), which is not a positive result",
    "variant-unclassified": "a BRCA variant whose significance (harmful or not) the record does not state",
    "negative": "no harmful BRCA1/2 variant found",
}


@dataclass(frozen=True, slots=True)
class BrcaReading:
    """One BRCA result: gene (None for a panel that covered both), significance, and origin."""

    gene: str | None
    significance: str
    origin: str | None


def parse_brca(value: str, origin: str | None) -> BrcaReading | None:
    """``"BRCA2 likely-pathogenic"`` with origin ``germline`` -> BrcaReading('BRCA2', 'likely-pathogenic', ...)."""
    significance = next((name for name, pattern in _SIGNIFICANCE if pattern.search(value)), None)
    if significance is None:
        return None
    gene = _GENE.search(value)
    normalized_origin = (origin or "").strip().lower() or None
    if normalized_origin not in (None, "germline", "somatic"):
        normalized_origin = None
    return BrcaReading(f"BRCA{gene.group(1)}" if gene else None, significance, normalized_origin)


def brca_result(readings: Sequence[BrcaReading]) -> str | None:
    """The profile's BRCA result: a harmful variant wins over VUS and negative; origin decides the PARP gate."""
    harmful = [reading for reading in readings if reading.significance in ("pathogenic", "likely-pathogenic")]
    if harmful:
        if any(reading.origin == "germline" for reading in harmful):
            return "germline-pathogenic"
        if all(reading.origin == "somatic" for reading in harmful):
            return "somatic-pathogenic"
        return "pathogenic-origin-unknown"
    if any(reading.significance == "unclassified" for reading in readings):
        return "variant-unclassified"
    if any(reading.significance == "vus" for reading in readings):
        return "vus"
    if any(reading.significance in ("negative", "benign") for reading in readings):
        return "negative"
    return None


def germline_gate(result: str | None, readings: Sequence[BrcaReading]) -> bool | None:
    """Whether a germline harmful BRCA1/2 variant is shown (True), ruled out by germline testing (False), or unknown."""
    if result == "germline-pathogenic":
        return True
    germline_negative = any(r.origin == "germline" and r.significance in ("negative", "benign") for r in readings)
    if result in ("negative", "vus") and (germline_negative or all(r.origin != "somatic" for r in readings)):
        return False
    return None


def alteration(values: Sequence[str]) -> str | None:
    """``detected`` if any sample shows it, ``not-detected`` if all tested samples are negative, else None."""
    normalized = {value.strip().lower().replace(" ", "-") for value in values}
    if any(value in ("detected", "positive", "mutated", "altered", "present") for value in normalized):
        return "detected"
    if normalized & {"not-detected", "negative", "wild-type", "absent"}:
        return "not-detected"
    return None
