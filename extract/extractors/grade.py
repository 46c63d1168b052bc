"""Histologic grade of the invasive tumour (``grade``: ``1``, ``2`` or ``3``).

Read from, in order of strength: a grade with its system or label (``Nottingham grade II (of III)``, ``SBR 2``,
``NHG3``, ``Overall grade: 3``), the letter form (``G II``, ``G3``), the differentiation words (``moderately
differentiated`` = 2) and the three-tier words (``high grade`` = 3). A Nottingham total score (``8/9``) gives the
grade only when the report states no grade itself. Not proposed: nuclear grade (incl. modified Black's), DCIS grade,
ranges (``grade 1-2``, ``well to moderately differentiated``) and values with a wrong denominator (``II//II``).

OCR damage to Roman numerals is read stroke by stroke from ``ocr_strokes`` (``Il``, ``|``, ``III/Ill``) and the
value marked repaired. A numeral with a broken stroke (``I]``) or with a Roman denominator other than III (``II of
II``) cannot be counted: it is proposed as unreadable (``details["unreadable"]``), never as a value.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import cache
from typing import Literal

from extract.candidate import Candidate
from extract.extractors._rules import Regex, RuleFile, load_rules
from extract.finding import Assertion

_LOOKBACK = 40

#: What the words after a value make of it: no say or a denominator of 3 (``clean``), a denominator of 3 read
#: through OCR strokes (``repaired``), a range or a denominator other than 3 (``drop``), a Roman denominator other
#: than III, a sign of lost or added strokes (``unreadable``).
After = Literal["clean", "repaired", "drop", "unreadable"]


class GradeRules(RuleFile):
    """Shape of ``extract/rules/grade.yaml``."""

    gates: dict[str, list[str]]
    numerals: dict[str, str]
    ocr_strokes: dict[str, str]
    broken_strokes: str
    line_start_before: Regex
    differentiation: dict[str, str]
    tiers: dict[str, str]
    score_to_grade: dict[str, str]
    labelled: Regex
    letter: Regex
    differentiated: Regex
    tier: Regex
    histologic_word: Regex
    score: Regex
    range_after: Regex
    denominator: Regex
    scale_after: Regex
    not_histologic_before: Regex


@cache
def rules() -> GradeRules:
    """The grade rule file, loaded and validated on first use."""
    return load_rules("grade", GradeRules)


def find(text: str) -> Iterator[Candidate]:
    """Candidates for grade in ``text``; the score-derived grade only when no grade is stated legibly."""
    table = rules()
    lower = text.lower()
    gated = {rule for rule, words in table.gates.items() if any(word in lower for word in words)}
    stated = [*_numbered(text, table, gated), *_worded(text, table, gated)]
    yield from stated
    if "score" in gated and all("unreadable" in candidate.details for candidate in stated):
        yield from _from_score(text, table)


def _histologic(text: str, start: int, table: GradeRules) -> bool:
    """False when the words just before ``start`` make this a nuclear or in-situ grade."""
    return not table.not_histologic_before.search(text[max(0, start - _LOOKBACK) : start])


def _numbered(text: str, table: GradeRules, gated: set[str]) -> Iterator[Candidate]:
    for rule, pattern in (("labelled", table.labelled), ("letter", table.letter)):
        if rule not in gated:
            continue
        rule_id = f"grade.{rule}"
        for match in pattern.finditer(text):
            if not _histologic(text, match.start(), table):
                continue
            end = match.end()
            numeral = match.group("roman") or match.group("digit")
            if numeral.endswith("]") and _bracket_open(text, match.start("roman")):
                numeral, end = numeral[:-1], end - 1
            following = text[end : end + 12]
            after = _after(following, table)
            if after == "drop":
                continue
            legend: Assertion | None = "legend" if table.scale_after.match(following) else None
            reading = _read_numeral(numeral, table)
            if reading is not None and reading[1] and reading[0] != "3" and _line_start(text, match, table):
                reading = None  # its first stroke may be lost ('grade\nIl' for III)
            if reading is None or after == "unreadable":
                if legend is None:  # an illegible entry of a printed scale is no loss
                    reason = "grade numeral not legible" if reading is None else "grade denominator not legible"
                    yield Candidate("grade", "", match.start(), end, rule_id, details={"unreadable": reason})
                continue
            value, repaired = reading
            repaired = repaired or after == "repaired"
            yield Candidate("grade", value, match.start(), end, rule_id, repaired=repaired, assertion=legend)


def _read_numeral(numeral: str, table: GradeRules) -> tuple[str, bool] | None:
    """(value, read through OCR strokes) of a Roman or Arabic numeral; None when its strokes cannot be counted."""
    if numeral.isdigit():
        return table.numerals[numeral], False
    if any(ch in table.broken_strokes for ch in numeral):
        return None
    strokes = numeral.translate({ord(glyph): stroke for glyph, stroke in table.ocr_strokes.items()})
    value = table.numerals.get(strokes)
    return None if value is None else (value, strokes != numeral)


def _line_start(text: str, match: re.Match[str], table: GradeRules) -> bool:
    """True when the numeral of ``match`` is the first thing on its line."""
    start = match.start("roman")
    return start >= 0 and bool(table.line_start_before.match(text[text.rfind("\n", 0, start) + 1 : start]))


def _bracket_open(text: str, start: int) -> bool:
    """True when a ``[`` opened earlier on the line of ``start`` is still open there (a ``]`` after it closes it)."""
    line = text[text.rfind("\n", 0, start) + 1 : start]
    return line.rfind("[") > line.rfind("]")


def _after(after: str, table: GradeRules) -> After:
    """What a range or denominator right after the value makes of it (see :data:`After`)."""
    if table.range_after.match(after):
        return "drop"
    denominator = table.denominator.match(after)
    if denominator is None:
        return "clean"
    if denominator.group("digit"):
        return "clean" if denominator.group("digit") == "3" else "drop"
    roman = denominator.group("roman")
    if roman is None:
        return "drop"
    reading = _read_numeral(roman, table)
    if reading is None or reading[0] != "3":
        return "unreadable"
    return "repaired" if reading[1] else "clean"


def _worded(text: str, table: GradeRules, gated: set[str]) -> Iterator[Candidate]:
    differentiated = table.differentiated.finditer(text) if "differentiated" in gated else iter(())
    for match in differentiated:
        if match.group("range") or not _histologic(text, match.start(), table):
            continue
        value = table.differentiation[match.group("word").lower()]
        yield Candidate("grade", value, match.start(), match.end(), "grade.differentiation", confidence=0.85)
    for rule, pattern in (("tier", table.tier), ("histologic_word", table.histologic_word)):
        if rule not in gated:
            continue
        rule_id = f"grade.{rule}"
        for match in pattern.finditer(text):
            if not _histologic(text, match.start(), table):
                continue
            value = table.tiers[(match.group("tier") or match.group("tier2")).lower()]
            yield Candidate("grade", value, match.start(), match.end(), rule_id, confidence=0.7)


def _from_score(text: str, table: GradeRules) -> Iterator[Candidate]:
    for match in table.score.finditer(text):
        score = match.group("score")
        value = table.score_to_grade[score]
        details = {"nottingham_score": score, "derived": "from total score"}
        yield Candidate("grade", value, match.start(), match.end(), "grade.score", confidence=0.75, details=details)
