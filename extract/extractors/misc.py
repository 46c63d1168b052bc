"""Tumour size (``tumor_size_cm``), ``laterality``, ``collection_date``, ``report_date``; and the report's status.

Tumour size is the greatest stated dimension of a size given for the tumour (``Tumor size: 2.3 cm``, ``Greatest
dimension (pT): 23 mm``, ``carcinoma ... measuring 2.8 x 3.5 x 3.0 cm`` -> 3.5), in cm. Laterality comes from the
breast side a specimen is labelled with; a report with specimens from both sides yields both, one candidate per
mention, and the engine keeps them with their specimens. Dates need their label directly before them and are
returned as ISO dates; an impossible date is not proposed.

The report status (``amended``, ``corrected``) is not a field but a fact about the whole report, read only from a
heading (``AMENDED REPORT``, ``** AMENDED **``); the engine marks every finding of such a report with it.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from functools import cache
from typing import Literal

from pydantic import BaseModel, ConfigDict

from extract.candidate import Candidate
from extract.extractors._rules import Regex, RuleFile, load_rules

_MONTHS = {name: number for number, name in enumerate(("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep",
                                                        "oct", "nov", "dec"), start=1)}  # fmt: skip


class _Status(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    value: Literal["amended", "corrected"]  # the FHIR DiagnosticReport/Observation statuses the writer knows
    pattern: Regex


class MiscRules(RuleFile):
    """Shape of ``extract/rules/misc.yaml``."""

    gates: dict[str, list[str]]
    tumor_size: Regex
    tumor_measuring: Regex
    laterality: list[Regex]
    sides: dict[str, str]
    collection_label: Regex
    report_label: Regex
    dates: list[Regex]
    report_status: list[_Status]


@cache
def rules() -> MiscRules:
    """The misc rule file, loaded and validated on first use."""
    return load_rules("misc", MiscRules)


def find(text: str) -> Iterator[Candidate]:
    """Candidates for tumor_size_cm, laterality, collection_date and report_date in ``text``."""
    table = rules()
    lower = text.lower()
    gated = {rule for rule, words in table.gates.items() if any(word in lower for word in words)}
    yield from _sizes(text, table, gated)
    for pattern in table.laterality:
        for match in pattern.finditer(text):
            side = table.sides[match.group("side").lower()]
            yield Candidate("laterality", side, match.start(), match.end(), "misc.laterality")
    if "dates" in gated:
        yield from _dates(text, "collection_date", table.collection_label, table)
        yield from _dates(text, "report_date", table.report_label, table)


def report_status(text: str) -> str | None:
    """``amended`` or ``corrected`` when a heading of the report says so, else None (a final report)."""
    table = rules()
    lower = text.lower()
    if not any(word in lower for word in table.gates["report_status"]):
        return None
    return next((rule.value for rule in table.report_status if rule.pattern.search(text)), None)


def _sizes(text: str, table: MiscRules, gated: set[str]) -> Iterator[Candidate]:
    rules_used = [("misc.tumor_measuring", table.tumor_measuring)]
    if "tumor_size" in gated:
        rules_used.insert(0, ("misc.tumor_size", table.tumor_size))
    for rule_id, pattern in rules_used:
        for match in pattern.finditer(text):
            numbers = [float(n.replace(",", ".")) for n in re.findall(r"\d+(?:[.,]\d+)?", match.group("dims"))]
            greatest = max(numbers) / (10 if match.group("unit").lower() == "mm" else 1)
            if not 0 < greatest < 50:
                continue  # a misread number ('105 cm'), not a breast tumour
            value = f"{greatest:g}"
            details = {"stated": match.group("dims") + " " + match.group("unit")}
            yield Candidate("tumor_size_cm", value, match.start(), match.end(), rule_id, details=details)


def _dates(text: str, field: str, label: re.Pattern[str], table: MiscRules) -> Iterator[Candidate]:
    for found in label.finditer(text):
        for pattern in table.dates:
            match = pattern.match(text, found.end())
            if match is None:
                continue
            iso = _iso(match)
            if iso is not None:
                yield Candidate(field, iso, found.start(), match.end(), f"misc.{field}")
            break


def _iso(match: re.Match[str]) -> str | None:
    """The matched date as YYYY-MM-DD, or None when it is not a real date."""
    parts = match.groupdict()
    month_name = (parts.get("month") or "")[:3].lower()
    month = _MONTHS.get(month_name) if month_name else int(parts["m"])
    if month is None:
        return None
    try:
        return dt.date(int(parts["y"]), month, int(parts["d"])).isoformat()
    except ValueError:
        return None
