"""TNM tokens: each T, N or M category written in a text, read through OCR damage and normalized.

A token knows only what its own characters say: its kind, its category (``1c``, ``0``, ``X``), the prefix written
before the letter (``p``, ``yp``, ``c`` ... or nothing), its suffixes, and whether it was read through an OCR
confusable (``pNO`` -> N0). Whether a bare ``T2`` is pathologic is decided by :mod:`extract.extractors.tnm` from
the tokens around it and the label before them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache

from pydantic import BaseModel, ConfigDict

from extract.extractors._rules import Regex, RuleFile, load_rules


class _Labels(BaseModel):
    """Label patterns looked for before a classification."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    clinical: Regex
    staging: Regex
    assumption: Regex


class TnmRules(RuleFile):
    """Shape of ``extract/rules/tnm.yaml``."""

    confusables: dict[str, str]
    categories: dict[str, list[str]]
    t_token: Regex
    n_token: Regex
    m_token: Regex
    m_unreadable: Regex
    spaced_alone: Regex
    node_count_after: Regex
    separator: Regex
    after_ocr_zero: Regex
    labels: _Labels
    digit_label: Regex
    m_label_garbled: Regex
    m_label_garbled_skip: Regex


@cache
def rules() -> TnmRules:
    """The TNM rule file, loaded and validated on first use."""
    return load_rules("tnm", TnmRules)


@dataclass(frozen=True, slots=True)
class Token:
    """One category as written: ``kind`` T/N/M, normalized ``cat``, ``prefix`` as written (lower case)."""

    kind: str
    cat: str
    prefix: str
    start: int
    end: int
    repaired: bool
    loose: bool  # a space inside the token ('pT 1c', 'p T2') or a bare OCR zero: needs company to be believed
    details: dict[str, str] = field(default_factory=dict)

    @property
    def explicit(self) -> str:
        """``p`` or ``c`` when the token itself says pathologic or clinical, else empty."""
        if "c" in self.prefix:
            return "c"
        if "p" in self.prefix:
            return "p"
        return ""


def _category(kind: str, raw: str, table: TnmRules) -> tuple[str, bool, str] | None:
    """Normalized category, whether OCR repair was needed, and what was dropped (``2a`` -> ``2``), or None."""
    text = raw.replace(" ", "")
    repaired = False
    if text.lower() == "is" and kind == "T":
        return "is", False, ""
    head, tail = text[:1], text[1:]
    if head in table.confusables:
        head, repaired = table.confusables[head], True
    if head in "xX":
        head = "X"
    cat = head + tail.lower()
    valid = table.categories[kind]
    if cat in valid:
        return cat, repaired, ""
    if kind == "T" and cat[:1] in valid and cat[1:].isalpha():
        return cat[:1], repaired, cat  # 'pT2a' is not a category: keep T2, say what was written
    return None


def _node_details(suffix: str) -> tuple[str, dict[str, str]]:
    """The isolated-tumor-cell / molecular qualifier kept in an N0 value, and the suffixes kept as details."""
    low = suffix.lower()
    details: dict[str, str] = {}
    if re.search(r"\bsn\b", low):
        details["sentinel"] = "sn"
    if re.search(r"\(f\)", low):
        details["fine_needle"] = "f"
    qualifier = ""
    if re.search(r"mol\s?\+", low):
        qualifier = "(mol+)"
    elif re.search(r"mol\s?-", low):
        qualifier = "(mol-)"
    elif re.search(r"(?:\bi|\b1|\bl)\s?\+", low):
        qualifier = "(i+)"
    elif re.search(r"(?:\bi|\b1|\bl)\s?-", low):
        qualifier = "(i-)"
    elif re.search(r"\(mi\)", low):
        qualifier = "mi"  # 'pN1(mi)': the micrometastasis category written as a suffix
    counts = re.search(r"(\d+)\s?/\s?(\d+)", low)
    if counts:
        details["nodes_positive"], details["nodes_examined"] = counts.group(1), counts.group(2)
    return qualifier, details


def _make(kind: str, match: re.Match[str], text: str, table: TnmRules) -> Token | None:
    parsed = _category(kind, match.group("cat"), table)
    if parsed is None:
        return None
    cat, repaired, stated = parsed
    prefix = (match.group("pre") or "").lower()
    details: dict[str, str] = {}
    if stated:
        details["stated"] = stated
    if prefix.startswith("m") and kind == "T":
        prefix, details["multiple"] = prefix[1:], "m"
    groups = match.groupdict()
    loose = bool(groups.get("gap") or groups.get("sp"))
    if kind == "T":
        letter = match.group("letter")
        if match.group("gap") and prefix != "p":
            return None  # only 'p T2' is written with a space after the prefix
        if letter != "T":
            repaired = True
            loose = letter == "1" or loose  # 'p 12': T read as 1; believed only next to an N category
        suffix = match.group("suf") or ""
        if suffix:
            details["multiple"] = "m"
    qualifier = ""
    if kind == "N":
        qualifier, extra = _node_details(match.group("suf") or "")
        details.update(extra)
        qualifier = qualifier if cat == "0" or (cat == "1" and qualifier == "mi") else ""
    if kind == "M" and match.group("suf"):
        qualifier = "(i+)"
    if repaired and cat in ("0", "1") and not prefix:
        after = text[match.end("cat") : match.end("cat") + 12]
        if not table.after_ocr_zero.search(after):
            return None  # 'NO LYMPHOVASCULAR INVASION': the English word, not N0
        loose = True
    return Token(kind, cat + qualifier, prefix, match.start(), match.end(), repaired, loose, details)


def tokens(text: str) -> list[Token]:
    """Every readable T, N and M token in ``text``, in order of position."""
    table = rules()
    found: list[Token] = []
    for kind, pattern in (("T", table.t_token), ("N", table.n_token), ("M", table.m_token)):
        for match in pattern.finditer(text):
            token = _make(kind, match, text, table)
            if token is not None:
                found.append(token)
    found.sort(key=lambda t: t.start)
    return found
