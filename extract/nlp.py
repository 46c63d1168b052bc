"""The spaCy pipeline: blank English tokenizer, OCR-line sentences, a pathology sectionizer, the registered field
extractors as a span group, and medspacy ConText with our rules. Built once per process, on first use.

Why not ``medspacy.load()``: its PyRuSH sentence splitter costs ~110 ms a report and logs every token; its default
ConText rules negate pathology values and its default sections match nothing in a pathology report (see
shared/docs/performance-notes.md). spaCy and medspacy are imported inside :func:`get_nlp` so that importing
``extract`` stays cheap for commands that never extract.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, model_validator

from extract.candidate import Candidate
from extract.extractors import EXTRACTORS
from extract.lines import LINE_BREAK
from extract.rulefiles import Regex, load_rule_file

CANDIDATES = "navis_candidates"
MAX_TEXT_CHARS = 20_000_000  # span group holding one span per candidate, in candidate order


class _SectionRule(BaseModel):
    model_config = ConfigDict(extra="forbid")
    category: str
    phrases: list[str] = []
    patterns: list[Regex] = []


class _Sections(BaseModel):
    model_config = ConfigDict(extra="allow")  # `specimens` is read and validated by extract.specimens
    sections: list[_SectionRule]


#: Directions of rules that only end other modifiers' scopes.
_ENDERS = ("TERMINATE", "PSEUDO")
#: The scope medspaCy is given for such a rule: its own token and one either side. medspaCy 1.3.1 lets a modifier end
#: another's scope only when their scopes overlap, and its overlap test (``medspacy.util.tuple_overlaps``) misses a
#: scope lying wholly inside the other: with the sentence as its scope, "but" never ended a scope that starts and
#: stops inside the sentence ("Recommend repeat ER testing on the excision but PR positive (40%) in the core" kept PR
#: an order). With one token either side every ending is found (checked by brute force over sentence lengths,
#: positions, directions and scope sizes).
_ENDER_SCOPE = 1

_Category = Literal["pending", "hypothetical", "family", "control", "legend", "historical", "terminate", "clause_break"]


class _ContextRule(BaseModel):
    model_config = ConfigDict(extra="forbid")
    category: _Category
    phrases: list[str] = []
    pattern: Regex | None = None
    direction: Literal["FORWARD", "BACKWARD", "BIDIRECTIONAL", "TERMINATE", "PSEUDO"]
    max_scope: int | None = None
    ends: list[_Category] = []  # PSEUDO rules only: the categories whose scope this phrase ends, on either side
    heading: bool = False  # FORWARD rules only: a heading whose list runs on across what `ends` a category

    @model_validator(mode="after")
    def _kind_fits_direction(self) -> _ContextRule:
        if (self.direction == "PSEUDO") != bool(self.ends):
            raise ValueError("`ends` is required on a PSEUDO rule and allowed on no other")
        if self.heading and self.direction != "FORWARD":
            raise ValueError("a `heading` rule must be FORWARD")
        if self.direction in _ENDERS and self.max_scope is not None:
            raise ValueError("a TERMINATE or PSEUDO rule takes no `max_scope`: it ends scopes, it has none to reach")
        return self

    @property
    def context_category(self) -> str:
        """The category ConText gives the modifier. A heading's is its own (``FAMILY:HEADING``, read as ``family`` by
        extract.assertion): medspaCy ends a modifier's scope at the next one of the same category, and a relative
        named inside "Family history: ovarian cancer in mother; BRCA1 mutation" must not end the heading's."""
        return f"{self.category.upper()}:HEADING" if self.heading else self.category.upper()


class _Context(BaseModel):
    model_config = ConfigDict(extra="forbid")
    version: str
    rules: list[_ContextRule]


@lru_cache(maxsize=1)
def rules_version() -> str:
    """The version of the rule set, stored in ``rules/context.yaml``."""
    return load_rule_file("context.yaml", _Context).version


TOKENIZER = "navis.english_without_special_cases.v1"


def _register_tokenizer() -> None:
    """English affix and infix splitting without English special cases.

    Contractions, "a.m." and emoticons do not occur in pathology reports; they cost half of the tokenizer's time,
    and loading their 1,300 entries is a quarter of the pipeline's cold start.
    """
    from spacy.tokenizer import Tokenizer
    from spacy.util import compile_infix_regex, compile_prefix_regex, compile_suffix_regex, registry

    def make(nlp: Any) -> Any:
        defaults = nlp.Defaults
        return Tokenizer(
            nlp.vocab,
            rules={},
            prefix_search=compile_prefix_regex(defaults.prefixes).search,
            suffix_search=compile_suffix_regex(defaults.suffixes).search,
            infix_finditer=compile_infix_regex(defaults.infixes).finditer,
            token_match=defaults.token_match,
            url_match=defaults.url_match,
        )

    registry.tokenizers.register(TOKENIZER, func=lambda: make)


@lru_cache(maxsize=1)
def get_nlp() -> Any:
    """The extraction pipeline (a ``spacy.Language``), built on first call."""
    import spacy

    from extract.lazy_imports import defer

    defer()
    from medspacy.context import ConText, ConTextRule
    from medspacy.section_detection import Sectionizer, SectionRule

    from extract.sectioning import lean_sectionizer_class

    _quiet_medspacy_logging()
    _register_components(lean_sectionizer_class())
    _register_tokenizer()
    nlp = spacy.blank("en", config={"nlp": {"tokenizer": {"@tokenizers": TOKENIZER}}})
    # spaCy refuses texts over 1M characters (a guard for parsers); a 200-page report can pass it, and a blank
    # tokenizer with our components needs no such guard. Ingest limits the pages, so this bounds nothing new.
    nlp.max_length = MAX_TEXT_CHARS
    nlp.add_pipe("navis_lines")
    sectionizer: Sectionizer = nlp.add_pipe("navis_sectionizer")
    sections = load_rule_file("sections.yaml", _Sections)
    sectionizer.add(
        [SectionRule(literal=phrase, category=rule.category) for rule in sections.sections for phrase in rule.phrases]
        + [
            SectionRule(literal=f"{rule.category}:{index}", category=rule.category, pattern=pattern)
            for rule in sections.sections
            for index, pattern in enumerate(rule.patterns)
        ]
    )
    _use_single_pass_regex(sectionizer, "_Sectionizer__matcher")
    nlp.add_pipe("navis_candidates")
    context: ConText = nlp.add_pipe(
        "medspacy_context",
        config={"rules": None, "span_attrs": None, "input_span_type": "group", "span_group_name": CANDIDATES},
    )
    context_rules = load_rule_file("context.yaml", _Context)
    ended_by = _ended_by(context_rules.rules)
    context.add(
        [
            ConTextRule(
                literal=literal,
                category=rule.context_category,
                pattern=pattern,
                direction=rule.direction,
                max_scope=_ENDER_SCOPE if rule.direction in _ENDERS else rule.max_scope,
                terminated_by=set() if rule.heading else ended_by.get(rule.category, set()),
            )
            for index, rule in enumerate(context_rules.rules)
            for literal, pattern in _context_matchers(rule, index)
        ]
    )
    _use_single_pass_regex(context, "_ConText__matcher")
    return nlp


TEXT_KEY = "navis_text"


def doc_text(doc: Any) -> str:
    """``doc.text``, kept once per document: spaCy rebuilds it from every token on each access."""
    text: str = doc.user_data.get(TEXT_KEY) or doc.text
    return text


def _context_matchers(rule: _ContextRule, index: int) -> list[tuple[str, str | None]]:
    """(literal, regex) pairs for ConTextRule: phrases match as themselves, a regex under a made-up literal."""
    pairs: list[tuple[str, str | None]] = [(phrase, None) for phrase in rule.phrases]
    if rule.pattern:
        pairs.append((f"{rule.category}:{index}", rule.pattern))
    return pairs


def _ended_by(rules: list[_ContextRule]) -> dict[str, set[str]]:
    """For each category, the (ConText, upper-case) categories of the PSEUDO rules that end its scope."""
    ended_by: dict[str, set[str]] = {}
    for rule in rules:
        for category in rule.ends:
            ended_by.setdefault(category, set()).add(rule.context_category)
    return ended_by


def _use_single_pass_regex(component: Any, matcher_attr: str) -> None:
    """Swap medspacy's RegexMatcher for one that scans the text once with all of its rules joined.

    medspacy's matcher rebuilds ``doc.text`` (a join over every token) and runs a separate scan for each regex rule;
    with our ~40 rules that was most of the pipeline's time. The replacement joins the same patterns into one
    alternation (named groups say which rule matched) and returns the same (rule, start, end) tuples.
    """
    from medspacy.common.regex_matcher import RegexMatcher

    matcher = getattr(component, matcher_attr)
    original = matcher._MedspacyMatcher__regex_matcher
    names: dict[str, int] = {}
    parts: list[str] = []
    for match_id, patterns in original._patterns.items():
        for pattern in patterns:
            group = f"r{len(names)}"
            names[group] = match_id
            parts.append(f"(?P<{group}>{_scoped(pattern.pattern)})")
    joined = re.compile("|".join(parts)) if parts else None

    class SinglePassRegexMatcher(RegexMatcher):  # type: ignore[misc]
        def __call__(self, doc: Any) -> list[tuple[int, int, int]]:
            if joined is None:
                return []
            matches: list[tuple[int, int, int]] = []
            for found in joined.finditer(doc_text(doc)):
                span = doc.char_span(found.start(), found.end(), alignment_mode="expand")
                if span is not None and len(span) and found.lastgroup:
                    matches.append((names[found.lastgroup], span.start, span.end))
            return matches

    matcher._MedspacyMatcher__regex_matcher = SinglePassRegexMatcher(original.vocab)


def _scoped(pattern: str) -> str:
    """A pattern's leading global ``(?i)`` as a scoped group, so that patterns can be joined in one alternation."""
    if pattern.startswith("(?i)"):
        return f"(?i:{pattern[4:]})"
    return f"(?:{pattern})"


def _quiet_medspacy_logging() -> None:
    """PyRuSH (imported by medspacy) logs every token at DEBUG through loguru: drop that sink, keep warnings."""
    try:
        from loguru import logger
    except ImportError:  # pragma: no cover - loguru comes with PyRuSH
        return
    logger.remove()


@lru_cache(maxsize=1)
def _register_components(sectionizer_class: Any) -> None:
    import numpy
    from spacy.attrs import IDX, SENT_START
    from spacy.language import Language
    from spacy.tokens import Doc

    if not Doc.has_extension("navis_candidates"):
        Doc.set_extension("navis_candidates", default=None)

    @Language.factory("navis_sectionizer")
    def navis_sectionizer(nlp: Any, name: str) -> Any:
        """medspacy's Sectionizer without default rules (ours come from rules/sections.yaml)."""
        return sectionizer_class(nlp, name=name, rules=None, span_attrs=None)

    @Language.component("navis_lines")
    def navis_lines(doc: Any) -> Any:
        """Sentence starts where an OCR line ends (". " before a capital, digit or list mark, or a line break)."""
        if len(doc) == 0:
            return doc
        text = doc_text(doc)
        doc.user_data[TEXT_KEY] = text
        # one array write instead of a property write per token (each of those rescans the doc)
        offsets = doc.to_array(IDX).astype(numpy.int64)
        breaks = numpy.array([m.end() for m in LINE_BREAK.finditer(text)], dtype=numpy.int64)
        starts = numpy.full(len(doc), -1, dtype=numpy.int64)
        starts[0] = 1
        if breaks.size:
            tokens = numpy.searchsorted(offsets, breaks)
            inside = tokens < len(doc)
            tokens, breaks = tokens[inside], breaks[inside]
            starts[tokens[offsets[tokens] == breaks]] = 1
        doc.from_array([SENT_START], starts.astype(numpy.uint64))
        return doc

    @Language.component("navis_candidates")
    def navis_candidates(doc: Any) -> Any:
        """Run every registered extractor over the text and keep its candidates as spans (ConText's targets)."""
        candidates: list[Candidate] = []
        spans = []
        text = doc_text(doc)
        for _name, find in EXTRACTORS:
            for candidate in find(text):
                span = doc.char_span(candidate.start, candidate.end, label=candidate.field, alignment_mode="expand")
                if span is None or len(span) == 0:
                    continue
                candidates.append(candidate)
                spans.append(span)
        doc.spans[CANDIDATES] = spans
        doc._.navis_candidates = candidates
        return doc
