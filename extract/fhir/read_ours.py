"""Reading back what Navis itself wrote into its Observations: evidence spans and extraction details.

See :mod:`extract.fhir.datatypes` for the extensions. Observations from other senders have none of these.
"""

from __future__ import annotations

from typing import Any

from extract.fhir.urls import EVIDENCE_URL, EXTRACTION_URL
from extract.finding import Evidence

JSON = dict[str, Any]


def _parts(extension: JSON) -> dict[str, Any]:
    """Sub-extension url -> its value[x]."""
    return {
        str(part.get("url")): next((v for k, v in part.items() if k.startswith("value")), None)
        for part in extension.get("extension") or []
        if isinstance(part, dict)
    }


def our_evidence(observation: JSON) -> tuple[Evidence, ...]:
    """The evidence spans of an Observation Navis wrote (its evidence extensions), so they survive a round trip."""
    spans = []
    for extension in observation.get("extension") or []:
        if extension.get("url") != EVIDENCE_URL:
            continue
        parts = _parts(extension)
        if isinstance(parts.get("quote"), str):
            spans.append(
                Evidence(
                    quote=str(parts["quote"]),
                    start=int(parts.get("start") or 0),
                    end=int(parts.get("end") or 0),
                    page=int(parts.get("page") or 1),
                    section=str(parts["section"]) if parts.get("section") else None,
                    ocr_confidence=_float(parts.get("ocrConfidence")),
                )
            )
    return tuple(spans)


def our_extraction(observation: JSON) -> dict[str, Any]:
    """Field, rule id, confidence, assertion and specimen label as Navis recorded them (empty for others)."""
    for extension in observation.get("extension") or []:
        if extension.get("url") == EXTRACTION_URL:
            return _parts(extension)
    return {}


def _float(value: Any) -> float | None:
    return float(value) if isinstance(value, int | float | str) else None
