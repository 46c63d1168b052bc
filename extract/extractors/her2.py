"""HER2: IHC score (with ultralow/null when stated), ISH result, ratio, copies, group, and explicit status.

Phrasings live in ``rules/her2.yaml``. Each HER2 label opens a value window up to the next biomarker label, or to
the start of a clause about another subject (``clause_end``: "; FISH to follow", "; controls stained ..."). The
overall status is not decided here: the engine derives it from ISH and IHC together (``extract.derive``); this
module reports what each statement says, including a status word when one is written.

``find`` also takes values that a flattened table printed before their label (``extract.shifted_tables``, which uses
``read``, the reading as written, to judge a layout), and an IHC result whose HER2 label is missing, in the one
narrow phrasing of ``unlabelled_ihc``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, replace
from functools import cache

from pydantic import BaseModel, ConfigDict

from extract.candidate import Candidate
from extract.mentions import Hit, Mention, ValueRule, before, earliest, mentions, technique_of
from extract.rulefiles import Regex, load_rule_file
from extract.shifted_tables import read_with_layout

#: This extractor's name among the readers of ``extract.shifted_tables``.
READER = "her2"


class _Rule(BaseModel):
    model_config = ConfigDict(extra="forbid")
    id: str
    pattern: Regex
    value: str
    subclass: str | None = None
    repaired: bool = False
    requires_after: Regex | None = None


class _Scale(BaseModel):
    model_config = ConfigDict(extra="forbid")
    min_scores: int
    lead: Regex
    item: Regex
    separator: Regex


class _ZeroSubclass(BaseModel):
    model_config = ConfigDict(extra="forbid")
    ultralow: Regex
    null: Regex


class _Rules(BaseModel):
    model_config = ConfigDict(extra="forbid")
    window_chars: int
    label: Regex
    reject_window: list[Regex]
    scale: _Scale
    clause_end: list[Regex]
    pending: list[_Rule]
    ihc: list[_Rule]
    status: list[_Rule]
    unlabelled_ihc: list[_Rule]
    before_label: list[_Rule]
    ish: list[_Rule]
    ish_from_status: dict[str, str]
    zero_subclass: _ZeroSubclass
    ratio: list[Regex]
    copies: Regex
    group: Regex
    method: Regex


@dataclass(frozen=True)
class _CompiledScale:
    min_scores: int
    lead: re.Pattern[str]
    item: re.Pattern[str]  # an item as the last of its run
    item_then_separator: re.Pattern[str]  # an item that another follows


@dataclass(frozen=True)
class _Compiled:
    window_chars: int
    label: re.Pattern[str]
    reject: tuple[re.Pattern[str], ...]
    scale: _CompiledScale
    clause_end: tuple[re.Pattern[str], ...]
    pending: tuple[ValueRule, ...]
    ihc: tuple[ValueRule, ...]
    status: tuple[ValueRule, ...]
    unlabelled: tuple[ValueRule, ...]
    before: tuple[ValueRule, ...]
    ish: tuple[ValueRule, ...]
    ish_from_status: dict[str, str]
    zero_subclass: dict[str, re.Pattern[str]]  # sub-class -> the words that state it
    ratio: tuple[re.Pattern[str], ...]
    copies: re.Pattern[str]
    group: re.Pattern[str]
    method: re.Pattern[str]
    extras: dict[str, _Rule]  # rule id -> its subclass / repaired flags


_ISH_WORD = re.compile(r"(?i)\b(?:FISH|ISH|SISH|CISH|DISH|in\s+situ|amplification)\b")
_ISH_METHODS = frozenset({"FISH", "SISH", "CISH", "DISH", "ISH"})
_BARE_RATIO = re.compile(r"^[\s):]*(?P<ratio>\d{1,2}\.\d{1,2})(?![\d%])")
_SENTENCE_END = re.compile(r"\.(?:\s|$)")
_BY_ISH = re.compile(r"(?i)^[.\s]*by\s+(?:FISH|ISH|SISH|CISH|DISH|in\s+situ)\b")


def _value_rules(rules: list[_Rule]) -> tuple[ValueRule, ...]:
    return tuple(ValueRule(id=r.id, pattern=re.compile(r.pattern), value=r.value) for r in rules)


@cache
def _rules() -> _Compiled:
    rules = load_rule_file("her2.yaml", _Rules)
    every = [*rules.pending, *rules.ihc, *rules.status, *rules.unlabelled_ihc, *rules.before_label, *rules.ish]
    return _Compiled(
        window_chars=rules.window_chars,
        label=re.compile(rules.label),
        reject=tuple(re.compile(p) for p in rules.reject_window),
        scale=_CompiledScale(
            min_scores=rules.scale.min_scores,
            lead=re.compile(rules.scale.lead, re.IGNORECASE),
            item=re.compile(rules.scale.item, re.IGNORECASE),
            item_then_separator=re.compile(f"(?:{rules.scale.item})(?:{rules.scale.separator})", re.IGNORECASE),
        ),
        clause_end=tuple(re.compile(p) for p in rules.clause_end),
        pending=_value_rules(rules.pending),
        ihc=_value_rules(rules.ihc),
        status=_value_rules(rules.status),
        unlabelled=_value_rules(rules.unlabelled_ihc),
        before=_value_rules(rules.before_label),
        ish=_value_rules(rules.ish),
        ish_from_status=rules.ish_from_status,
        zero_subclass={
            "ultralow": re.compile(rules.zero_subclass.ultralow),
            "null": re.compile(rules.zero_subclass.null),
        },
        ratio=tuple(re.compile(p) for p in rules.ratio),
        copies=re.compile(rules.copies),
        group=re.compile(rules.group),
        method=re.compile(rules.method),
        extras={r.id: r for r in every},
    )


def find(text: str) -> Iterator[Candidate]:
    """HER2 candidates in ``text``, with values that a flattened table put before their label."""
    return read_with_layout(text, mentions(text, _rules().window_chars), _read, READER)


def read(text: str) -> Iterator[Candidate]:
    """HER2 candidates in ``text`` as written: each value after its label."""
    yield from _read(text, mentions(text, _rules().window_chars))


def _read(text: str, found: list[Mention]) -> Iterator[Candidate]:
    compiled = _rules()
    for mention in found:
        if any(compiled.label.fullmatch(text[start:end]) for start, end in mention.labels):
            yield from _read_mention(text, mention, compiled)
    yield from _unlabelled(text, compiled)


def _unlabelled(text: str, compiled: _Compiled) -> Iterator[Candidate]:
    """IHC scores whose HER2 label is missing, told apart by the HER2 scale and the ISH line after them."""
    for rule in compiled.unlabelled:
        for match in rule.pattern.finditer(text):
            score = match.group("score")
            yield Candidate(
                field="her2_ihc",
                value="0" if score == "0" else f"{score}+",
                start=match.start("result"),
                end=match.end("result"),
                rule_id=rule.id,
                repaired=compiled.extras[rule.id].repaired,
                method="IHC",
            )


def _read_mention(text: str, mention: Mention, compiled: _Compiled) -> Iterator[Candidate]:
    mention = _to_clause_end(text, mention, compiled.clause_end)
    window = text[mention.end : mention.window_end]
    if any(p.search(window) for p in compiled.reject) or _prints_a_scale(window, compiled.scale):
        return
    method_match = compiled.method.search(window)
    method = technique_of(text, mention) or (method_match.group("method") if method_match else None)
    pending = earliest(compiled.pending, text, mention.end, mention.window_end)
    if pending:
        is_ish = method in _ISH_METHODS
        yield _candidate(mention, pending, "her2_ish" if is_ish else "her2_status", "pending", compiled, method)
        return
    prior = before(compiled.before, text, mention.start)
    after = compiled.extras[prior.rule.id].requires_after if prior else None
    if prior and after and not re.match(after, text[mention.end : mention.window_end]):
        prior = None
    ihc = earliest(compiled.ihc, text, mention.end, mention.window_end)
    yield from _ihc(mention, ihc, compiled, method, _sentence(window))
    ish = _ish(text, mention, prior, compiled, method=method)
    if ish:
        yield _candidate(mention, ish[0], "her2_ish", ish[1], compiled, method)
    if ihc and ihc.rule.value == "no-exact":
        # "0-1+" states the category: HER2 negative, whatever status word a shifted table puts near it
        yield _candidate(mention, ihc, "her2_status", "negative", compiled, method)
    else:
        yield from _status(text, mention, prior, compiled, method)
    yield from _numbers(text, mention, window, compiled, method)


def _prints_a_scale(window: str, scale: _CompiledScale) -> bool:
    """Whether ``window`` opens with a printed scale ("0; 1+; 2+; 3+"): a run of items scoring several different
    scores, which is a legend and no result, where its first score read alone would be taken as the patient's."""
    lead = scale.lead.match(window)
    at = lead.end() if lead else 0
    scores: set[str] = set()
    while item := scale.item_then_separator.match(window, at):
        scores.add(item.group("score"))
        at = item.end()
    if last := scale.item.match(window, at):
        scores.add(last.group("score"))
    return len(scores) >= scale.min_scores


def _to_clause_end(text: str, mention: Mention, clause_end: tuple[re.Pattern[str], ...]) -> Mention:
    """``mention`` with its window ended where a clause about another subject begins ("; FISH ...", "; controls ...").

    A FISH/ISH clause is read by its own mention, so the HER2 window gives up nothing that is HER2's.
    """
    ends = [found.start() for p in clause_end if (found := p.search(text, mention.end, mention.window_end))]
    return replace(mention, window_end=min(ends)) if ends else mention


def _ihc(
    mention: Mention, hit: Hit | None, compiled: _Compiled, method: str | None, sentence: str
) -> Iterator[Candidate]:
    if hit is None or hit.rule.value == "no-exact":
        return
    if hit.rule.value == "unreadable":
        yield _candidate(mention, hit, "her2_ihc", "", compiled, method, unreadable="IHC score not legible")
        return
    value = hit.rule.value
    if value == "from-score":
        value = "0" if hit.match.group("score") == "0" else f"{hit.match.group('score')}+"
    candidate = _candidate(mention, hit, "her2_ihc", value, compiled, method)
    if value == "0" and "subclass" not in candidate.details:
        stated = [name for name, words in compiled.zero_subclass.items() if words.search(sentence)]
        if len(stated) == 1:  # both, or neither: the report does not tell ultralow from null
            candidate = replace(candidate, details={**candidate.details, "subclass": stated[0]})
    yield candidate


def _sentence(window: str) -> str:
    """The window up to the end of its first sentence: where a zero's staining is described."""
    end = _SENTENCE_END.search(window)
    return window[: end.start()] if end else window


def _ish(
    text: str, mention: Mention, prior: Hit | None, compiled: _Compiled, *, method: str | None
) -> tuple[Hit, str] | None:
    """The ISH result of a mention: a window phrase, "no amplification of HER2", or "negative for HER2 by FISH"."""
    window = text[mention.end : mention.window_end]
    if method == "IHC" and not _ISH_WORD.search(window):
        return None  # "HER-2 (IHC): 0, not amplified" speaks of the protein test
    if prior and prior.rule.value == "not-amplified":
        return prior, "not-amplified"
    by_ish = _BY_ISH.match(window) or method in _ISH_METHODS
    if prior and prior.rule.value == "from-group" and by_ish:
        value = {"negative": "not-amplified", "positive": "amplified"}.get(prior.match.group("value").lower())
        if value:
            return prior, value
    hit = earliest(compiled.ish, text, mention.end, mention.window_end)
    if hit is None and technique_of(text, mention) in _ISH_METHODS:
        # the label names the in situ test: its status word is the ISH result ("Her2 SISH: negative (group 5)")
        status = earliest(compiled.status, text, mention.end, mention.window_end)
        if status and status.rule.value in compiled.ish_from_status:
            return status, compiled.ish_from_status[status.rule.value]
    return (hit, hit.rule.value) if hit else None


def _status(
    text: str, mention: Mention, prior: Hit | None, compiled: _Compiled, method: str | None
) -> Iterator[Candidate]:
    hit = prior if prior and prior.rule.value == "from-group" else None
    hit = hit or earliest(compiled.status, text, mention.end, mention.window_end)
    if hit is None:
        return
    value = hit.match.group("value").lower() if hit.rule.value == "from-group" else hit.rule.value
    if value != "weakly-positive":  # a 2+ described in words: the score decides, not this word
        yield _candidate(mention, hit, "her2_status", value, compiled, method)


def _numbers(text: str, mention: Mention, window: str, compiled: _Compiled, method: str | None) -> Iterator[Candidate]:
    ratios: dict[str, int] = {}  # every ratio of the window: one per lesion when the report lists several
    for pattern in compiled.ratio:
        for match in pattern.finditer(window):
            ratios.setdefault(match.group("ratio").replace(",", "."), mention.end + match.end())
    if not ratios and method in _ISH_METHODS and (bare := _BARE_RATIO.match(window)):
        ratios[bare.group("ratio")] = mention.end + bare.end()  # "HER2 (by FISH): 1.4, not amplified"
    for ratio, end in ratios.items():
        yield Candidate("her2_ish_ratio", ratio, mention.start, end, "her2-ratio", method=method)
    for field, pattern, group in (
        ("her2_copies", compiled.copies, "copies"),
        ("her2_ish_group", compiled.group, "group"),
    ):
        found = pattern.search(window)
        if found:
            end = mention.end + found.end()
            yield Candidate(field, found.group(group), mention.start, end, f"her2-{group}", method=method)


def _candidate(  # noqa: PLR0917  (one call shape used everywhere in this module)
    mention: Mention,
    hit: Hit,
    field: str,
    value: str,
    compiled: _Compiled,
    method: str | None,
    unreadable: str | None = None,
) -> Candidate:
    extra = compiled.extras[hit.rule.id]
    details: dict[str, str] = {}
    if extra.subclass:
        details["subclass"] = extra.subclass
    if unreadable:
        details["unreadable"] = unreadable
    return Candidate(
        field=field,
        value=value,
        start=min(mention.start, hit.start),
        end=max(mention.end, hit.end),
        rule_id=hit.rule.id,
        repaired=extra.repaired,
        method=method,
        details=details,
    )
