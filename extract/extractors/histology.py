"""Histologic type of the invasive carcinoma (``histology``: ductal, lobular, mixed, mucinous, metaplastic, other).

Each tumour phrase is read around its head noun (``carcinoma`` and its OCR spellings): the type words before it in
the same phrase, Latin type words after it (``carcinoma ductale invasivum``), and a ``mixed ... type`` descriptor
after it. Two types joined (``ductal and lobular``, ``ductal-lobular``) make ``mixed``; a type named only as a
feature (``with mucinous features``) does not change the class, and counts only when the phrase names no other type.
In-situ lesions (``ductal carcinoma in situ``, ``intraductal carcinoma``) are not the invasive type and are not
proposed. ``details["stated"]`` keeps the type words as written (``papillary``, ``apocrine``, ``tubulolobular``).
A phrase read through OCR damage (a type word's OCR spelling such as ``lobuiar``, or a grade numeral printed ``|``
inside the phrase: ``lobular and grade | ductal``) is marked repaired.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import cache

from extract.candidate import Candidate
from extract.extractors._rules import Regex, RuleFile, load_rules

_LOOKBACK = 70
_LOOKAHEAD = 60
_WORD = re.compile(r"[^\W_]+(?:'s)?|\|")  # '|' is OCR's I ('grade | ductal')


class HistologyRules(RuleFile):
    """Shape of ``extract/rules/histology.yaml``."""

    noun: Regex
    classes: dict[str, Regex]
    ocr_classes: dict[str, Regex]
    modifiers: frozenset[str]
    ocr_modifiers: frozenset[str]
    ocr_modifier_after: Regex
    word_gap: Regex
    not_type_before: Regex
    coordinator: Regex
    in_situ_after: Regex
    latin_after: Regex
    features_after: Regex
    mixed_after: Regex
    type_after: Regex
    paren_after: Regex
    restated_after: Regex
    nos_word: Regex
    label_only: Regex


@cache
def rules() -> HistologyRules:
    """The histology rule file, loaded and validated on first use."""
    return load_rules("histology", HistologyRules)


def find(text: str) -> Iterator[Candidate]:
    """Candidates for histology in ``text``: one per tumour phrase that names a type."""
    table = rules()
    previous_end = 0
    for match in table.noun.finditer(text):
        candidate = _phrase(text, match, max(previous_end, match.start() - _LOOKBACK), table)
        previous_end = match.end()
        if candidate is not None:
            yield candidate
    for match in table.label_only.finditer(text):
        words = match.group("words")
        value = _fold(_classes(words, table), words, table)
        if value:
            yield Candidate(
                "histology", value, match.start(), match.end(), "histology.label", details={"stated": words}
            )


def _phrase(text: str, noun: re.Match[str], begin: int, table: HistologyRules) -> Candidate | None:
    after = text[noun.end() : noun.end() + _LOOKAHEAD]
    if table.in_situ_after.match(after):
        return None
    mixed = table.mixed_after.match(after)
    if not mixed and table.restated_after.match(after):
        return None
    begin = _phrase_begin(text, begin, noun.start(), table)
    if table.not_type_before.search(text[max(0, begin - 30) : begin]):
        return None
    before = text[begin : noun.start()]
    stated = before
    for extra in (table.latin_after.match(after), mixed):
        if extra:
            stated = f"{before} {extra.group('words')} and"
    found = _classes(stated, table)
    for fallback in (table.features_after, table.type_after, table.paren_after):
        if not found:
            extra = fallback.match(after)
            stated = extra.group("words") if extra else ""
            found = _classes(stated, table)
    value = _fold(found, stated, table)
    if value is None:
        return None
    words = " ".join(w for w, _ in found)
    repaired = _ocr_damaged(before, found, table)
    details = {"stated": words}
    return Candidate("histology", value, begin, noun.end(), "histology.phrase", repaired=repaired, details=details)


def _phrase_begin(text: str, begin: int, end: int, table: HistologyRules) -> int:
    """Where the words before the noun stop being type words or modifiers."""
    start = end
    for word in reversed(list(_WORD.finditer(text, begin, end))):
        if not table.word_gap.match(text[word.end() : start]):
            break
        token = word.group(0).lower()
        if token in table.ocr_modifiers:
            if not table.ocr_modifier_after.search(text[max(begin, word.start() - 12) : word.start()]):
                break
        elif token not in table.modifiers and not _type_word(word.group(0), table):
            break
        start = word.start()
    return start


def _type_word(word: str, table: HistologyRules) -> bool:
    return any(p.fullmatch(word) for p in (*table.classes.values(), *table.ocr_classes.values()))


def _ocr_damaged(before: str, found: list[tuple[str, str]], table: HistologyRules) -> bool:
    """True when the phrase was read through OCR damage: an OCR modifier in it, or a type word's OCR spelling."""
    if any(word.group(0).lower() in table.ocr_modifiers for word in _WORD.finditer(before)):
        return True
    return any(p.fullmatch(word) for word, _ in found for p in table.ocr_classes.values())


def _classes(text: str, table: HistologyRules) -> list[tuple[str, str]]:
    """(word, class) for each type word in ``text`` (OCR spellings included), in order of position."""
    found: list[tuple[int, str, str]] = []
    for patterns in (table.classes, table.ocr_classes):
        for name, pattern in patterns.items():
            found.extend((m.start(), m.group(0), name) for m in pattern.finditer(text))
    if table.nos_word.search(text) and any(name != "ductal" for _, _, name in found):
        found.extend((m.start(), m.group(0), "ductal") for m in table.nos_word.finditer(text))
    found.sort()
    return [(word, name) for _, word, name in found]


def _fold(found: list[tuple[str, str]], stated: str, table: HistologyRules) -> str | None:
    """The gold class for the type words of one phrase."""
    names = list(dict.fromkeys(name for _, name in found))
    if not names:
        return None
    if len(names) >= 2 and table.coordinator.search(stated):
        return "mixed"
    return names[-1]  # the type word nearest the noun names the tumour ('apocrine ductal carcinoma')
