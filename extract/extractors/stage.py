"""AJCC stage group (``stage_group``) and the AJCC edition a report cites (``ajcc_edition``).

A stage group is the word stage with a Roman numeral (``Pathologic stage: IIA``, ``STAGE GROUPING IIIB``,
``(AJCC Stage IIIA)``), or an arabic one under a label that can mean nothing else (``AJCC stage 2B``). Not proposed:
a T/N/M item (``M Stage: 0``), a population in an assay legend (``stage II, node-positive patients``), a clinical
or pre-operative stage (``Clinical Stage IIB`` in the history, ``PRE-OP DIAGNOSIS: STAGE IV``): pathology reports
give the pathologic stage, and a clinical one in the history is not the patient's current stage group.
``details["stage_type"]`` says pathologic, prognostic or unstated.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import cache

from pydantic import BaseModel, ConfigDict

from extract.candidate import Candidate
from extract.extractors._rules import Regex, RuleFile, load_rules

_LINE_LOOKBACK = 60
_ARABIC = {"1": "I", "2": "II", "3": "III", "4": "IV"}
_GROUPS = frozenset({"0", "I", "IA", "IB", "II", "IIA", "IIB", "III", "IIIA", "IIIB", "IIIC", "IV"})


class _KindWords(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    pathologic: Regex
    prognostic: Regex
    clinical: Regex


class StageRules(RuleFile):
    """Shape of ``extract/rules/stage.yaml``."""

    stage_group: Regex
    stage_group_arabic: Regex
    tnm_item_before: Regex
    population_after: Regex
    clinical_before: Regex
    kind_words: _KindWords
    edition: Regex


@cache
def rules() -> StageRules:
    """The stage rule file, loaded and validated on first use."""
    return load_rules("stage", StageRules)


def find(text: str) -> Iterator[Candidate]:
    """Candidates for stage_group and ajcc_edition in ``text``."""
    table = rules()
    for pattern in (table.stage_group, table.stage_group_arabic):
        for match in pattern.finditer(text):
            candidate = _stage_group(match, text, table)
            if candidate is not None:
                yield candidate
    for match in table.edition.finditer(text):
        number = match.group("edition") or match.group("edition2")
        yield Candidate("ajcc_edition", f"{number}th", match.start(), match.end(), "stage.edition")


def _line_before(text: str, start: int) -> str:
    window = text[max(0, start - _LINE_LOOKBACK) : start]
    cut = window.rfind(". ")
    return window[cut + 2 :] if cut >= 0 else window


def _stage_group(match: re.Match[str], text: str, table: StageRules) -> Candidate | None:
    label_start = match.start("label")
    if table.tnm_item_before.search(text[max(0, label_start - 4) : label_start]):
        return None
    if table.population_after.match(text[match.end() : match.end() + 60]):
        return None
    context = _line_before(text, label_start) + match.group("label")
    if table.clinical_before.search(context):
        return None
    groups = match.groupdict()
    roman, arabic = groups.get("roman"), groups.get("arabic") or ""
    if roman:
        rest = roman.lstrip("Il|1")
        value = "I" * (len(roman) - len(rest)) + rest.upper()
        repaired = any(ch in "l|1" for ch in roman)
    else:
        value, repaired = _ARABIC[arabic[:1]] + arabic[1:].upper(), False
    if value not in _GROUPS:
        return None
    kind = "unstated"
    if table.kind_words.prognostic.search(context):
        kind = "prognostic"
    elif table.kind_words.pathologic.search(context):
        kind = "pathologic"
    return Candidate(
        field="stage_group",
        value=value,
        start=match.start(),
        end=match.end(),
        rule_id="stage.group" if roman else "stage.group_arabic",
        repaired=repaired,
        details={"stage_type": kind},
    )
