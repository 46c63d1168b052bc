"""Reading the value of a coded FHIR Observation (JSON dict) into a normalized finding value.

Each reader takes the Observation's value part and returns the normalized value (in the conventions of
``extract/finding.py`` and the gold annotations) or None when the value says nothing we can use. Coded answers are
tried first; text (``valueCodeableConcept.text``, coding displays, ``valueString``) is the fallback, since senders
code the same fact in many ways.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from typing import Any

from extract.fhir.codes import AnswerSet, CodeMap

JSON = dict[str, Any]

_ROMAN = {"0": "0", "1": "I", "2": "II", "3": "III", "4": "IV"}
_STAGE_TEXT = re.compile(r"^(?:[cpy]{0,2})(0|IV|I{1,3}|[0-4])([ABC]?)$", re.IGNORECASE)
_STAGE_WORD = re.compile(r"\bstage\s+([0-4IV]+[ABC]?)\b", re.IGNORECASE)
_TNM = re.compile(
    r"(?<![A-Za-z])(?P<prefix>y?[cpra]?)(?P<cat>[TNM])(?P<val>is|X|x|[0-4](?:mi|[a-d])?)"
    r"(?P<suffix>(?:\s?\((?:i[+-]|mol[+-]|sn|f|m)\))*)(?![A-Za-z0-9])"
)
_IHC = re.compile(r"(?<![\d.])([0-3])\s*\+|^\s*(0)\s*(?:\(|$)|\bscore\s*([0-3])\b", re.IGNORECASE)
_GRADE = re.compile(r"\b(?:grade|G)\s*([1-3]|I{1,3})\b", re.IGNORECASE)


def texts(value: JSON | None) -> list[str]:
    """Every human-readable string of a CodeableConcept: its text, then each coding's display and code."""
    if not value:
        return []
    found = [value["text"]] if isinstance(value.get("text"), str) else []
    for coding in value.get("coding") or []:
        found += [coding[key] for key in ("display", "code") if isinstance(coding.get(key), str)]
    return found


def coded(codes: CodeMap, answer_set: AnswerSet, concept: JSON | None) -> str | None:
    """The normalized answer of the first coding the map knows, or None."""
    for coding in (concept or {}).get("coding") or []:
        answer = codes.answer(answer_set, codes.key(coding.get("system"), coding.get("code")))
        if answer:
            return answer
    return None


def is_absent(codes: CodeMap, concept: JSON | None) -> bool:
    """True when the value is a data-absent-reason code (no result)."""
    return any(codes.alias_of(c.get("system")) == "dar" for c in (concept or {}).get("coding") or [])


def number(value: Any) -> str:
    """A JSON or Decimal number as written, without a float's noise (``90.0`` stays ``90.0``, ``90`` ``90``)."""
    try:
        return str(Decimal(str(value)))
    except InvalidOperation:
        return str(value)


def status_from_text(strings: list[str]) -> str | None:
    """positive / low-positive / negative / equivocal / indeterminate from free text."""
    for text in strings:
        lowered = text.lower()
        if "low" in lowered and "positive" in lowered:
            return "low-positive"
        for word in ("negative", "positive", "equivocal", "indeterminate"):
            if word in lowered:
                return word
    return None


def ish_from_text(strings: list[str]) -> str | None:
    """amplified / not-amplified / equivocal from free text."""
    for text in strings:
        lowered = text.lower()
        if re.search(r"\b(not|non|no)[\s-]*(evidence of\s+)?amplifi", lowered):
            return "not-amplified"
        if "amplified" in lowered or "amplification" in lowered:
            return "amplified"
        if "equivocal" in lowered:
            return "equivocal"
    return None


def ish_from_status(status: str | None) -> str | None:
    """An ISH call coded as Positive/Negative/Equivocal, as amplified/not-amplified/equivocal."""
    return {"positive": "amplified", "negative": "not-amplified", "equivocal": "equivocal"}.get(status or "")


def ihc_score(strings: list[str]) -> tuple[str, str | None] | None:
    """The HER2 IHC score (``0``..``3+``) and, for 0, the ultralow/null sub-class when the text states it."""
    for text in strings:
        match = _IHC.search(text)
        if not match:
            continue
        digit = next(group for group in match.groups() if group is not None)
        if digit != "0":
            return f"{digit}+", None
        lowered = text.lower()
        zero_class = "ultralow" if "ultralow" in lowered else "null" if "null" in lowered else None
        return "0", zero_class
    return None


def tnm_category(strings: list[str], category: str, prefix: str) -> str | None:
    """The TNM category as written, normalized (``pT1c``, ``pN0(i+)``, ``cM0``); default prefix for bare T/N."""
    for text in strings:
        for match in _TNM.finditer(text):
            if match["cat"] != category:
                continue
            value = match["val"].upper() if match["val"] in ("x", "X") else match["val"]
            written = match["prefix"]
            if not written and category != "M":
                written = prefix  # a bare T2 on a pathologic-T observation is pT2; M is kept as written (MX)
            return f"{written}{category}{value}{match['suffix'].replace(' ', '')}"
    return None


def stage_group(strings: list[str]) -> str | None:
    """The AJCC stage group in roman numerals (``IIB``, ``IIIC``, ``IV``) from text or an AJCC code (``3C``)."""
    for text in strings:
        words = _STAGE_WORD.findall(text)
        candidates = [words[-1]] if words else [text.strip()]
        for candidate in candidates:
            match = _STAGE_TEXT.match(candidate)
            if match:
                group = _ROMAN.get(match[1], match[1].upper())
                return f"{group}{match[2].upper()}"
    return None


def grade(strings: list[str]) -> str | None:
    """Nottingham grade 1-3 from text (``Nottingham grade 2``, ``G3``, ``Grade II``, or a bare digit)."""
    roman = {"I": "1", "II": "2", "III": "3"}
    for text in strings:
        match = _GRADE.search(text)
        if match:
            return roman.get(match[1].upper(), match[1])
        if text.strip() in ("1", "2", "3"):
            return text.strip()
    return None


def quantity(resource: JSON) -> tuple[str, dict[str, str]] | None:
    """A numeric value (valueQuantity, valueInteger, valueRange, valueString) with comparator/unit details."""
    if isinstance(resource.get("valueQuantity"), dict) and "value" in resource["valueQuantity"]:
        found = resource["valueQuantity"]
        details = {"unit": str(found["unit"])} if found.get("unit") else {}
        return f"{found.get('comparator', '')}{number(found['value'])}", details
    if isinstance(resource.get("valueInteger"), int):
        return str(resource["valueInteger"]), {}
    value_range = resource.get("valueRange")
    if isinstance(value_range, dict):
        low = (value_range.get("low") or {}).get("value")
        high = (value_range.get("high") or {}).get("value")
        if low is not None and high is not None:
            return f"{number(low)}-{number(high)}", {}
        if low is not None:
            return f">{number(low)}", {}
        if high is not None:
            return f"<{number(high)}", {}
    if isinstance(resource.get("valueString"), str):
        match = re.search(r"([<>]=?)?\s*(\d+(?:\.\d+)?)(?:\s*-\s*(\d+(?:\.\d+)?))?", resource["valueString"])
        if match:
            comparator, first, last = match.groups()
            return (f"{first}-{last}" if last else f"{comparator or ''}{first}"), {}
    return None


def longest_dimension_cm(observation: JSON) -> str | None:
    """The tumor's longest dimension in cm from a TumorSize component ``33728-7`` (mm converted)."""
    for component in observation.get("component") or []:
        codes = [c.get("code") for c in (component.get("code") or {}).get("coding") or []]
        quantity = component.get("valueQuantity") or {}
        if "33728-7" in codes and isinstance(quantity.get("value"), int | float):
            unit = str(quantity.get("code") or quantity.get("unit") or "cm").lower()
            size = Decimal(str(quantity["value"])) / (10 if unit in ("mm", "millimeter", "millimeters") else 1)
            return number(size.normalize()) if size != size.to_integral() else str(size.to_integral())
    return None


def pdl1(observation: JSON, score_type: str) -> str | None:
    """``CPS 15``, ``IC 1%``, ``TPS <1%`` (the extraction's form) from a number or a written score."""
    found = quantity(observation)
    if found is None:
        return None
    score = found[0].removesuffix("%")
    return f"{score_type} {score}{'' if score_type == 'CPS' else '%'}"
