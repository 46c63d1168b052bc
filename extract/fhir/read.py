"""Coded FHIR Observations from any source (a clinic's bundle, our own output) to :class:`~extract.finding.Finding`.

Liberal in what it reads (shared/docs/fhir-mapping.md, "What the service accepts"): every code variant in
``codes.yaml`` (LOINC and SNOMED staging codes, ER/PR/HER2 tissue codes, STU1/STU2/STU4 profiles alike, since the
code decides, not the profile), SNOMED or LOINC answer codes, and the value's text when the coding says nothing.
Each finding's evidence is a short summary of the coded value; its rule id names the Observation it came from.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from extract.fhir import values
from extract.fhir.codes import CodeMap, ObservationCode, load_codes
from extract.fhir.read_derive import derived_ish
from extract.fhir.read_genomic import CODED_CONFIDENCE, TEXT_CONFIDENCE, Read, significance_by_variant, variant_reads
from extract.fhir.read_ours import our_evidence, our_extraction
from extract.finding import FIELDS, Evidence, Finding

JSON = dict[str, Any]

_SKIPPED_STATUSES = frozenset({"entered-in-error", "cancelled", "registered"})
_AJCC_EDITIONS = {"897275008": "8", "443830009": "7"}  # SNOMED AJCC 8th / 7th edition staging systems


def findings_from_observations(resources: Iterable[Any]) -> list[Finding]:
    """Findings from coded Observations (JSON dicts or ``fhir.resources`` models; Bundles are opened).

    Observations whose code we do not know, whose value is absent, or that were entered in error give no finding.
    """
    codes = load_codes()
    observations = [r for r in _flatten(resources) if r.get("resourceType") == "Observation"]
    implications = significance_by_variant(codes, observations)
    findings: list[Finding] = []
    for index, observation in enumerate(observations):
        if observation.get("status") in _SKIPPED_STATUSES:
            continue
        findings.extend(_read(codes, observation, index, implications))
    return findings + derived_ish(codes, findings)


def _flatten(resources: Iterable[Any]) -> Iterator[JSON]:
    for resource in resources:
        data = resource if isinstance(resource, dict) else resource.model_dump(mode="json", exclude_none=True)
        if data.get("resourceType") == "Bundle":
            yield from _flatten(entry["resource"] for entry in data.get("entry") or [] if entry.get("resource"))
        else:
            yield data


def _read(codes: CodeMap, observation: JSON, index: int, implications: dict[str, str]) -> list[Finding]:
    """The findings of one Observation: the first meaning of its code whose value reads."""
    for coding in (observation.get("code") or {}).get("coding") or []:
        key = codes.key(coding.get("system"), coding.get("code"))
        for meaning in codes.observation_meanings(key) if key else []:
            if meaning.kind == "variant":
                found = [_finding(observation, index, read) for read in variant_reads(codes, observation, implications)]
            else:
                value = _value(codes, meaning, observation)
                found = [_finding(observation, index, value)] if value else []
            if found:
                return found
    return []


def _value(codes: CodeMap, meaning: ObservationCode, observation: JSON) -> Read | None:
    """Field, normalized value, confidence and details for a non-genomic Observation."""
    concept = observation.get("valueCodeableConcept")
    if values.is_absent(codes, concept):
        return None
    strings = values.texts(concept) + ([observation["valueString"]] if "valueString" in observation else [])
    details = _context(meaning, observation)
    kind, field = meaning.kind, meaning.field
    if kind in ("status", "ish"):
        status = values.coded(codes, "status", concept)
        text_status = values.status_from_text(values.texts(concept))
        if status == "positive" and text_status == "low-positive":
            status = "low-positive"  # "Positive" coded, "low positive" written: the text is more precise
        if kind == "ish":
            call = values.ish_from_status(status) or values.ish_from_text(strings)
            return (field, call, _confidence(status), details) if call else None
        if status or text_status:
            return field, status or text_status or "", _confidence(status), details
        percent_field = field.replace("_status", "_percent")
        quantity = values.quantity(observation) if percent_field in FIELDS else None
        return (percent_field, _percent(quantity[0]), CODED_CONFIDENCE, details | quantity[1]) if quantity else None
    if kind in ("percent", "number"):
        quantity = values.quantity(observation)
        status = values.coded(codes, "status", concept) or values.status_from_text(strings)
        if not quantity and meaning.fallback == "status" and status:
            return field, status, _confidence(values.coded(codes, "status", concept)), details
        if not quantity:
            return None
        value = _percent(quantity[0]) if kind == "percent" else quantity[0]
        return field, value, CODED_CONFIDENCE, details | quantity[1]
    if kind == "ihc_score":
        number = observation.get("valueInteger", (observation.get("valueQuantity") or {}).get("value"))
        if isinstance(number, int | float) and number in (0, 1, 2, 3) and not strings:
            strings = ["0" if number == 0 else f"{int(number)}+"]
        score = values.ihc_score(strings)
        status = values.coded(codes, "status", concept) or values.status_from_text(strings)
        if not score and status:
            # "HER2 by IHC: Negative" tells the status, not the score: never invent a score
            return "her2_status", status, _confidence(values.coded(codes, "status", concept)), details | {"by": "IHC"}
        if not score:
            return None
        return field, score[0], TEXT_CONFIDENCE, details | ({"subclass": score[1]} if score[1] else {})
    if kind == "grade":
        found = values.grade(strings + ([str(observation["valueInteger"])] if "valueInteger" in observation else []))
        return (field, found, TEXT_CONFIDENCE, details) if found else None
    if kind == "pdl1":
        written = values.pdl1(observation, meaning.score_type or "CPS")
        return (field, written, CODED_CONFIDENCE, details) if written else None
    if kind == "tumor_size":
        size = values.longest_dimension_cm(observation)
        return (field, size, CODED_CONFIDENCE, details) if size else None
    if kind == "tnm":
        category = values.tnm_category(strings, meaning.category or "", meaning.prefix or "")
        return (field, category, TEXT_CONFIDENCE, details) if category else None
    group = values.stage_group(strings)
    return (field, group, TEXT_CONFIDENCE, details) if group else None


def _confidence(coded_answer: str | None) -> float:
    return CODED_CONFIDENCE if coded_answer else TEXT_CONFIDENCE


def _percent(value: str) -> str:
    """Percents as the gold writes them: ``90`` not ``90.0``; comparators and ranges kept."""
    return value.replace(".0-", "-").removesuffix(".0")


def _context(meaning: ObservationCode, observation: JSON) -> dict[str, str]:
    """Details every finding of this Observation carries: staging type, AJCC edition, status when not final."""
    details: dict[str, str] = {}
    if meaning.kind in ("tnm", "stage_group"):
        if meaning.prefix:  # the generic "TNM stage grouping" code says neither
            details["stage_type"] = "pathologic" if meaning.prefix == "p" else "clinical"
        for coding in (observation.get("method") or {}).get("coding") or []:
            if coding.get("code") in _AJCC_EDITIONS:
                details["ajcc_edition"] = _AJCC_EDITIONS[coding["code"]]
    if observation.get("status") not in (None, "final"):
        details["status"] = str(observation["status"])
    return details


def _finding(observation: JSON, index: int, read: Read) -> Finding:
    """A Finding whose evidence is a readable summary of the coded value and whose rule names the Observation."""
    field, value, confidence, details = read
    name = observation.get("id") or f"#{index}"
    label = _label(observation.get("code") or {})
    quote = f"{label}: {_shown_value(observation, value)}"[:160]
    evidence = our_evidence(observation) or (Evidence(quote=quote, start=0, end=0, section="fhir"),)
    ours = our_extraction(observation)  # our own output: keep its assertion, specimen label and confidence
    method = next(iter(values.texts(observation.get("method"))), None)
    return Finding(
        field=field,
        value=value,
        evidence=evidence,
        assertion="historical" if ours.get("assertion") == "historical" else "present",
        confidence=float(ours["confidence"]) if isinstance(ours.get("confidence"), int | float) else confidence,
        rule_id=f"fhir:Observation/{name}",
        specimen=_specimen(ours, observation.get("specimen") or {}),
        method=method,
        date=_date(observation),
        details=details,
    )


def _specimen(ours: dict[str, Any], reference: JSON) -> str | None:
    """The specimen label: as Navis recorded it for its own output, else the sender's display or reference."""
    if ours:
        return str(ours["specimen"]) if ours.get("specimen") else None
    return reference.get("display") or (str(reference["reference"]) if reference.get("reference") else None)


def _label(code: JSON) -> str:
    """The code's text or display; a bare code with its system's name (``LOINC 21908-9``)."""
    if isinstance(code.get("text"), str):
        return str(code["text"])
    codings = code.get("coding") or [{}]
    display = next((c["display"] for c in codings if isinstance(c.get("display"), str)), None)
    if display:
        return str(display)
    system = str(codings[0].get("system", "")).rstrip("/").rsplit("/", 1)[-1]
    return f"{system} {codings[0].get('code', '')}".strip() or "Observation"


def _shown_value(observation: JSON, value: str) -> str:
    written = values.texts(observation.get("valueCodeableConcept"))
    return written[0] if written else value


def _date(observation: JSON) -> str | None:
    """The ISO date (day precision) the result applies to: effective[x], else issued."""
    period = observation.get("effectivePeriod") or {}
    for candidate in (observation.get("effectiveDateTime"), observation.get("effectiveInstant"), period.get("start")):
        if isinstance(candidate, str) and candidate:
            return candidate[:10]
    issued = observation.get("issued")
    return issued[:10] if isinstance(issued, str) else None
