"""ER and PR: status (incl. low positive), percent, intensity, Allred and H-score, from ``rules/receptors.yaml``.

Each receptor label (alone or coordinated: ``ER/PR``, ``estrogen and progesterone receptors``) opens a value window
up to the next biomarker label, or to the start of a clause about another subject (``clause_end``: "; FISH pending",
"; controls stained ..."). A status written in the window wins; when only a percent is written, the status is
inferred from it (ASCO/CAP 2020: <1% negative, 1-10% low positive, >10% positive) and the candidate says so.
``find`` also takes values that a flattened table printed before their label (``extract.shifted_tables``).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, replace
from functools import cache

from pydantic import BaseModel, ConfigDict

from extract.candidate import Candidate
from extract.mentions import Mention, Percent, first_percent, mentions
from extract.rulefiles import Regex, load_rule_file
from extract.shifted_tables import read_with_layout

#: This extractor's name among the readers of ``extract.shifted_tables``.
READER = "receptors"


class _Status(BaseModel):
    model_config = ConfigDict(extra="forbid")
    id: str
    pattern: Regex
    value: str
    requires_after: Regex | None = None


class _Labels(BaseModel):
    er: Regex
    pr: Regex


class _Rules(BaseModel):
    model_config = ConfigDict(extra="forbid")
    window_chars: int
    labels: _Labels
    reject_window: list[Regex]
    clause_end: list[Regex]
    pending: Regex
    status: list[_Status]
    before_label: list[_Status]
    intensity: dict[str, Regex]
    table_row: Regex
    both_anaphora: Regex
    anaphora_reach: int
    percent_before_label: Regex
    percent_before_reach: int
    allred: Regex
    hscore: Regex


@dataclass(frozen=True)
class _Compiled:
    rules: _Rules
    labels: dict[str, re.Pattern[str]]
    reject: tuple[re.Pattern[str], ...]
    clause_end: tuple[re.Pattern[str], ...]
    pending: re.Pattern[str]
    status: tuple[tuple[_Status, re.Pattern[str]], ...]
    before: tuple[tuple[_Status, re.Pattern[str]], ...]
    intensity: tuple[tuple[str, re.Pattern[str]], ...]
    table_row: re.Pattern[str]
    both_anaphora: re.Pattern[str]
    percent_before: re.Pattern[str]
    allred: re.Pattern[str]
    hscore: re.Pattern[str]


@cache
def _rules() -> _Compiled:
    rules = load_rule_file("receptors.yaml", _Rules)
    return _Compiled(
        rules=rules,
        labels={"er": re.compile(rules.labels.er), "pr": re.compile(rules.labels.pr)},
        reject=tuple(re.compile(p) for p in rules.reject_window),
        clause_end=tuple(re.compile(p) for p in rules.clause_end),
        pending=re.compile(rules.pending),
        status=tuple((s, re.compile(s.pattern)) for s in rules.status),
        before=tuple((s, re.compile(s.pattern)) for s in rules.before_label),
        intensity=tuple((name, re.compile(p)) for name, p in rules.intensity.items()),
        table_row=re.compile(rules.table_row),
        both_anaphora=re.compile(rules.both_anaphora),
        percent_before=re.compile(rules.percent_before_label),
        allred=re.compile(rules.allred),
        hscore=re.compile(rules.hscore),
    )


def find(text: str) -> Iterator[Candidate]:
    """ER/PR candidates in ``text``, with values that a flattened table put before their label."""
    return read_with_layout(text, mentions(text, _rules().rules.window_chars), _read, READER)


def read(text: str) -> Iterator[Candidate]:
    """ER/PR candidates in ``text`` as written: each value after its label."""
    yield from _read(text, mentions(text, _rules().rules.window_chars))


def _read(text: str, found: list[Mention]) -> Iterator[Candidate]:
    compiled = _rules()
    for mention in found:
        receptors = _receptors_named(text, mention, compiled)
        if receptors:
            yield from _read_mention(text, mention, receptors, compiled)
    yield from _both(text, found, compiled)


def _both(text: str, found: list[Mention], compiled: _Compiled) -> Iterator[Candidate]:
    """ "Therefore, both are interpreted as negative": the status of the last ER+PR mention before it."""
    for match in compiled.both_anaphora.finditer(text):
        reach = match.start() - compiled.rules.anaphora_reach
        pairs = [m for m in found if reach <= m.start < match.start() and len(_receptors_named(text, m, compiled)) > 1]
        if not pairs:
            continue
        for receptor in _receptors_named(text, pairs[-1], compiled):
            yield Candidate(
                field=f"{receptor}_status",
                value=match.group("value").lower(),
                start=pairs[-1].start,
                end=match.end(),
                rule_id="er-pr-both-interpreted-as",
                confidence=0.85,
            )


def _receptors_named(text: str, mention: Mention, compiled: _Compiled) -> list[str]:
    names: list[str] = []
    for start, end in mention.labels:
        label = text[start:end]
        names.extend(name for name, pattern in compiled.labels.items() if pattern.fullmatch(label))
    return names


def _read_mention(text: str, mention: Mention, receptors: list[str], compiled: _Compiled) -> Iterator[Candidate]:
    ends = [found.start() for p in compiled.clause_end if (found := p.search(text, mention.end, mention.window_end))]
    if ends:  # a clause about another subject ("; FISH pending", "; controls stained ...") ends the window
        mention = replace(mention, window_end=min(ends))
    window = text[mention.end : mention.window_end]
    if any(p.search(window) for p in compiled.reject):
        return
    if pending := compiled.pending.search(window):
        for receptor in receptors:
            yield Candidate(
                f"{receptor}_status", "pending", mention.start, mention.end + pending.end(), "er-pr-pending"
            )
        return
    status, status_start, status_end, rule_id = _status_before(text, mention, compiled) or _status_in(
        window, mention.end, compiled
    )
    # "N% of cells show staining for <label>" ties the percent to this label more tightly than any window value
    percent = _percent_before(text, mention, compiled) or first_percent(
        text, mention.end, mention.window_end, allow_ocr_8=True
    )
    if percent and percent.end <= mention.start and not status:
        status, status_start, rule_id = "from-percent", percent.start, "er-pr-percent-before-label"
    row = compiled.table_row.match(window)
    if row and int(row.group("pct")) <= 100:
        status, status_end, rule_id = row.group("status").lower(), mention.end + row.end(), "er-pr-table-row"
        number = float(row.group("pct"))
        percent = Percent(str(int(number)), number, number, mention.end + row.start("pct"), status_end, False)
    # a percent far past the status belongs to the next line of a flattened table, not to this receptor
    if percent and status and status not in ("from-percent", "pair") and percent.start > status_end + 40:
        percent = None
    start = min(mention.start, status_start)
    end = max(mention.end, status_end, percent.end if percent else 0)
    for index, receptor in enumerate(receptors):
        value = _final_status(status, percent, window, index)
        if value:
            details = _details(window, compiled, percent)
            yield Candidate(
                field=f"{receptor}_status",
                value=value[0],
                start=start,
                end=end,
                rule_id=value[1] or rule_id,
                confidence=0.85 if value[1] else 0.92,
                repaired=bool(percent and percent.repaired and value[1]),
                details=details,
            )
        if percent and len(receptors) == 1:
            yield Candidate(
                field=f"{receptor}_percent",
                value=percent.value,
                start=min(mention.start, percent.start),
                end=max(mention.end, percent.end),
                rule_id="er-pr-percent",
                repaired=percent.repaired,
            )
        yield from _scores(mention, receptor, window, compiled, len(receptors))


def _percent_before(text: str, mention: Mention, compiled: _Compiled) -> Percent | None:
    """A percent written before the label ("80% of tumor cells show staining for progesterone receptors")."""
    head_start = max(0, mention.start - compiled.rules.percent_before_reach)
    match = compiled.percent_before.search(text[head_start : mention.start])
    if not match or int(match.group("pct")) > 100:
        return None
    number = float(match.group("pct"))
    start = head_start + match.start("pct")
    return Percent(str(int(number)), number, number, start, head_start + match.end("pct") + 1, False)


def _status_before(text: str, mention: Mention, compiled: _Compiled) -> tuple[str, int, int, str] | None:
    head = text[max(0, mention.start - 30) : mention.start]
    for rule, pattern in compiled.before:
        match = pattern.search(head)
        if not match:
            continue
        if rule.requires_after and not re.match(rule.requires_after, text[mention.end : mention.window_end]):
            continue
        value = match.group("value").lower() if rule.value == "from-group" else rule.value
        return value, mention.start - (len(head) - match.start()), mention.end, rule.id
    return None


def _status_in(window: str, offset: int, compiled: _Compiled) -> tuple[str, int, int, str]:
    """The earliest status word in the window: (value, start, end, rule id), offsets in the document."""
    best: tuple[str, int, int, str] | None = None
    for rule, pattern in compiled.status:
        match = pattern.search(window)
        if match and (best is None or offset + match.start() < best[1]):
            best = (rule.value, offset + match.start(), offset + match.end(), rule.id)
    return best or ("", offset, offset, "")


def _final_status(status: str, percent: Percent | None, window: str, index: int) -> tuple[str, str] | None:
    """The status value and, when inferred, the rule that inferred it."""
    if status == "pair":  # "ER/PR: +/-"
        signs = re.findall(r"[+-]", window)
        return ("positive" if signs[index] == "+" else "negative", "") if index < len(signs) else None
    if status in ("positive", "low-positive", "negative"):
        if status == "positive" and percent and percent.low >= 1 and percent.high <= 10:
            return "low-positive", ""
        return status, ""
    if percent is None:
        return None
    if percent.high < 1:
        return "negative", "er-pr-status-from-percent"
    if percent.low >= 1 or (status == "from-percent" and percent.high >= 1):
        low = percent.high <= 10
        return ("low-positive" if low else "positive"), "er-pr-status-from-percent"
    return None


def _details(window: str, compiled: _Compiled, percent: Percent | None) -> dict[str, str]:
    details: dict[str, str] = {}
    if percent:
        details["percent"] = percent.value
    for name, pattern in compiled.intensity:
        if pattern.search(window):
            details["intensity"] = name
            break
    return details


def _scores(mention: Mention, receptor: str, window: str, compiled: _Compiled, shared: int) -> Iterator[Candidate]:
    for field, pattern in (("allred", compiled.allred), ("hscore", compiled.hscore)):
        match = pattern.search(window)
        if not match:
            continue
        score = match.group("score") or (match.groupdict().get("points") or "")
        if not score or (field == "hscore" and int(score) > 300):
            continue
        yield Candidate(
            field=f"{receptor}_{field}",
            value=score,
            start=mention.start,
            end=mention.end + match.end(),
            rule_id=f"er-pr-{field}",
            repaired=bool(match.groupdict().get("ocr")),  # "Allred 718": the slash read as a 1
            details={"shared_label": "yes"} if shared > 1 else {},
        )
        if field == "allred" and not _has_status_word(window, compiled):
            yield Candidate(
                field=f"{receptor}_status",
                value="positive" if int(score) > 2 else "negative",
                start=mention.start,
                end=mention.end + match.end(),
                rule_id="er-pr-status-from-allred",
                confidence=0.85,
            )


def _has_status_word(window: str, compiled: _Compiled) -> bool:
    return any(p.search(window) for rule, p in compiled.status if rule.value in ("positive", "negative"))
