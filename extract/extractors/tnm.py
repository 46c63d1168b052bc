"""TNM categories from a report's text: ``pT``, ``pN``, ``M`` and the clinical ``cT``, ``cN``.

How a category is judged pathologic or clinical, in order:
1. the token says so itself (``pT2``, ``ypN0``, ``cT1``);
2. tokens written one after another form one classification (``T3 pNla``, ``pT2 NO MX``): an unprefixed member
   takes the prefix its neighbours state;
3. the label on the same line says so (``PATHOLOGIC STAGE:``, ``pTNM:``, ``Clinical stage``);
4. a T or N next to another category, under no label, is pathologic: a pathology report stages its specimen.
A lone bare token (``T2``) needs a staging label in front of it, and so does one with a space inside (``PT 2``) unless
its lower-case prefix says p or c (``pT 1c``, ``pN 0``); an N digit before a slash and a number is a node count
(``pN 2/12``), not a category, unless the count is 0 (``pN 0/3`` is pN0). The ``a`` prefix (at autopsy, ``aT2
aN1``) is kept in the value and filed with the pathologic categories; a tissue-bank ``T Stage: 2`` does not say p or c
and gives no pT, while its ``M Stage: 0`` is M0 as written. M keeps the prefix it is written with (``MX``,
``pMX``, ``cM0``). An M slot that cannot be read (``M#``, ``pma``) is proposed with value ``?`` and
``details["unreadable"]``: the engine reports it as unreadable, never as a value.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from extract.candidate import Candidate
from extract.extractors._tnm_tokens import TnmRules, Token, rules, tokens

_ORDER = {"T": 0, "N": 1, "M": 2}
_LOOKBACK = 80  # characters searched for a label before a classification
UNREADABLE = "?"


def find(text: str) -> Iterator[Candidate]:
    """Candidates for pT, pN, M, cT and cN in ``text``."""
    table = rules()
    found = [token for token in tokens(text) if not _node_count(token, text, table)]
    for group in _groups(found, text, table):
        yield from _classification(group, text, table)
    yield from _digit_labels(text, table)
    yield from _unreadable(found, text, table)


def _node_count(token: Token, text: str, table: TnmRules) -> bool:
    """True for an N 'category' that is the positive count of a node fraction ('pN 2/12'); a count of 0 is N0."""
    return token.kind == "N" and not token.cat.startswith("0") and bool(table.node_count_after.match(text[token.end :]))


def _groups(found: list[Token], text: str, table: TnmRules) -> list[list[Token]]:
    """Tokens that follow each other in T, N, M order with only separators between them."""
    groups: list[list[Token]] = []
    for token in found:
        if groups:
            last = groups[-1][-1]
            if token.start < last.end:
                continue  # overlaps a token already read
            if _ORDER[token.kind] > _ORDER[last.kind] and table.separator.match(text[last.end : token.start]):
                groups[-1].append(token)
                continue
        groups.append([token])
    return groups


def _label(text: str, start: int) -> tuple[str, int]:
    """The text on the same line before ``start`` (bounded), and where it begins."""
    begin = max(0, start - _LOOKBACK)
    window = text[begin:start]
    cut = max(window.rfind(". "), window.rfind("; "))
    if cut >= 0:
        begin, window = begin + cut + 2, window[cut + 2 :]
    return window, begin


def _group_class(group: list[Token], label: str, table: TnmRules) -> tuple[str, str] | None:
    """``p`` or ``c`` for the unprefixed members, and the rule that decided; None when nothing says."""
    stated = next((token.explicit for token in group if token.explicit), "")
    if stated:
        return stated, "tnm.prefix"
    if table.labels.clinical.search(label):
        return "c", "tnm.label"
    if table.labels.staging.search(label):
        return "p", "tnm.label"
    if len({token.kind for token in group}) >= 2:
        return "p", "tnm.grouped"
    return None


def _classification(group: list[Token], text: str, table: TnmRules) -> Iterator[Candidate]:
    label, label_start = _label(text, group[0].start)
    decided = _group_class(group, label, table)
    if decided is None:
        return
    kinds = {token.kind for token in group}
    match = table.labels.staging.search(label) or table.labels.clinical.search(label)
    labelled = match is not None
    start = label_start + match.start() if match else group[0].start
    for token in group:
        spaced_but_sure = not token.repaired and table.spaced_alone.match(text[token.start : token.end]) is not None
        if len(group) == 1 and (
            (token.loose and not labelled and not spaced_but_sure) or (token.repaired and not token.prefix)
        ):
            continue  # 'PT 2' unlabelled, or a bare 'No' on its own: too weak to believe ('pT 1c' is not)
        if token.repaired and token.loose and "N" not in kinds and token.kind == "T":
            continue  # 'p 12' is pT2 only inside a classification that also has N
        candidate = _candidate(token, decided, text, table, (start, labelled))
        if candidate is not None:
            yield candidate


def _candidate(
    token: Token, decided: tuple[str, str], text: str, table: TnmRules, label: tuple[int, bool]
) -> Candidate | None:
    """The candidate for one token; ``label`` is where the evidence starts and whether a staging label was seen."""
    stage_class, rule_id = decided
    start, labelled = label
    details = dict(token.details)
    if token.kind == "M":
        if table.labels.assumption.search(text[max(0, token.start - 15) : token.start]):
            return None  # 'Stage IIIC (assuming "cM0" status)': an assumption, not a finding
        value = token.prefix.replace("y", "") + "M" + token.cat
        field = "M"
    else:
        prefix = token.prefix or stage_class
        if not token.prefix:
            details["prefix"] = "inferred"
        value = prefix + token.kind + token.cat
        field = ("c" if "c" in prefix else "p") + token.kind
    details["stage_type"] = "clinical" if (token.explicit or stage_class) == "c" else "pathologic"
    return Candidate(
        field=field,
        value=value,
        start=min(start, token.start),
        end=token.end,
        rule_id=rule_id if not token.explicit else "tnm.prefix",
        confidence=0.9 if token.explicit or labelled else 0.8,  # an inferred prefix under no label is weaker
        repaired=token.repaired,
        details=details,
    )


def _digit_labels(text: str, table: TnmRules) -> Iterator[Candidate]:
    """Synoptic items with a bare category: 'M Stage: 0' (M0); 'T STAGE, PATHOLOGIC: 2' (pT2)."""
    for match in table.digit_label.finditer(text):
        kind, cat = match.group("kind").upper(), match.group("cat")
        cat = "X" if cat in ("x", "X") else cat
        if kind == "M":
            yield Candidate(
                "M", "M" + cat, match.start(), match.end(), "tnm.digit_label", details={"stage_type": "unstated"}
            )
        elif match.group("patho"):
            value = "p" + kind + cat
            yield Candidate("p" + kind, value, match.start(), match.end(), "tnm.digit_label")


def _unreadable(found: list[Token], text: str, table: TnmRules) -> Iterator[Candidate]:
    """M slots written but not readable: after a T/N category ('pT3 N2a M#') or an M label ('M STAGE: pma')."""
    ends = [token.end for token in found if token.kind in "TN"]
    for match in table.m_unreadable.finditer(text):
        if any(end <= match.start() and table.separator.match(text[end : match.start()]) for end in ends):
            yield _unreadable_candidate(match, match.group(0))
    for match in table.m_label_garbled.finditer(text):
        raw = match.group("raw")
        if not table.m_label_garbled_skip.match(raw) and not re.fullmatch(r"[A-Z]{4}", raw):
            yield _unreadable_candidate(match, raw)


def _unreadable_candidate(match: re.Match[str], raw: str) -> Candidate:
    return Candidate(
        "M", UNREADABLE, match.start(), match.end(), "tnm.unreadable", confidence=0.0, details={"unreadable": raw}
    )
