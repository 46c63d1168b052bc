"""Histologic grade of the invasive tumour (``grade``: ``1``, ``2`` or ``3``).

Read from, in order of strength: a grade with its system or label (``Nottingham grade II (of III)``, ``SBR 2``,
``NHG3``, ``Overall grade: 3``), the letter form (``G II``, ``G3``), the differentiation words (``moderately
differentiated`` = 2) and the three-tier words (``high grade`` = 3). A Nottingham total score (``8/9``) gives the
grade only when the report states no grade itself. Not proposed: nuclear grade (incl. modified Black's), DCIS grade,
ranges (``grade 1-2``, ``well to moderately differentiated``) and values with a wrong denominator (``II//II``).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import cache

from extract.candidate import Candidate
from extract.extractors._rules import Regex, RuleFile, load_rules

_LOOKBACK = 40


class GradeRules(RuleFile):
    """Shape of ``extract/rules/grade.yaml``."""

    gates: dict[str, list[str]]
    numerals: dict[str, str]
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
    denominator_after: Regex
    valid_denominator: Regex
    not_histologic_before: Regex


@cache
def rules() -> GradeRules:
    """The grade rule file, loaded and validated on first use."""
    return load_rules("grade", GradeRules)


def find(text: str) -> Iterator[Candidate]:
    """Candidates for grade in ``text``; the score-derived grade only when no grade is stated."""
    table = rules()
    lower = text.lower()
    gated = {rule for rule, words in table.gates.items() if any(word in lower for word in words)}
    stated = [*_numbered(text, table, gated), *_worded(text, table, gated)]
    yield from stated
    if not stated and "score" in gated:
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
            if not _histologic(text, match.start(), table) or not _single_value(text, match, table):
                continue
            numeral = match.group("roman") or match.group("digit")
            repaired = "l" in numeral
            value = table.numerals[numeral.replace("l", "I")]
            yield Candidate("grade", value, match.start(), match.end(), rule_id, repaired=repaired)


def _single_value(text: str, match: re.Match[str], table: GradeRules) -> bool:
    """True unless the value is one end of a range or has a denominator other than 3."""
    after = text[match.end() : match.end() + 12]
    if table.range_after.match(after):
        return False
    return not table.denominator_after.match(after) or bool(table.valid_denominator.match(after))


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
