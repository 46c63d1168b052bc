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

from pydantic import BaseModel, ConfigDict

from extract.candidate import Candidate
from extract.extractors import EXTRACTORS
from extract.rulefiles import Regex, load_rule_file

CANDIDATES = "navis_candidates"  # span group holding one span per candidate, in candidate order

# OCR turned line breaks into ". ": a period is a line end only when a capital, digit or list mark follows.
_LINE_START = re.compile(r"[A-Z0-9(\-#\[]")


class _SectionRule(BaseModel):
    model_config = ConfigDict(extra="forbid")
    category: str
    patterns: list[Regex]


class _Sections(BaseModel):
    model_config = ConfigDict(extra="allow")  # `specimens` is read and validated by extract.specimens
    sections: list[_SectionRule]


class _ContextRule(BaseModel):
    model_config = ConfigDict(extra="forbid")
    category: Literal["pending", "hypothetical", "family", "control", "legend", "historical", "terminate"]
    pattern: Regex
    direction: Literal["FORWARD", "BACKWARD", "BIDIRECTIONAL", "TERMINATE"]
    max_scope: int | None = None


class _Context(BaseModel):
    model_config = ConfigDict(extra="forbid")
    version: str
    rules: list[_ContextRule]


def rules_version() -> str:
    """The version of the rule set, stored in ``rules/context.yaml``."""
    return load_rule_file("context.yaml", _Context).version


@lru_cache(maxsize=1)
def get_nlp() -> Any:
    """The extraction pipeline (a ``spacy.Language``), built on first call."""
    import spacy  # noqa: PLC0415  (heavy: only when extraction runs)
    from medspacy.context import ConText, ConTextRule  # noqa: PLC0415
    from medspacy.section_detection import Sectionizer, SectionRule  # noqa: PLC0415

    _quiet_medspacy_logging()
    _register_components()
    nlp = spacy.blank("en")
    nlp.add_pipe("navis_lines")
    sectionizer: Sectionizer = nlp.add_pipe("medspacy_sectionizer", config={"rules": None, "span_attrs": None})
    sections = load_rule_file("sections.yaml", _Sections)
    sectionizer.add(
        [
            SectionRule(literal=f"{rule.category}:{index}", category=rule.category, pattern=pattern)
            for rule in sections.sections
            for index, pattern in enumerate(rule.patterns)
        ]
    )
    nlp.add_pipe("navis_candidates")
    context: ConText = nlp.add_pipe(
        "medspacy_context",
        config={"rules": None, "span_attrs": None, "input_span_type": "group", "span_group_name": CANDIDATES},
    )
    context_rules = load_rule_file("context.yaml", _Context)
    context.add(
        [
            ConTextRule(
                literal=f"{rule.category}:{index}",
                category=rule.category.upper(),
                pattern=rule.pattern,
                direction=rule.direction,
                max_scope=rule.max_scope,
            )
            for index, rule in enumerate(context_rules.rules)
        ]
    )
    return nlp


def _quiet_medspacy_logging() -> None:
    """PyRuSH (imported by medspacy) logs every token at DEBUG through loguru: drop that sink, keep warnings."""
    try:
        from loguru import logger  # noqa: PLC0415
    except ImportError:  # pragma: no cover - loguru comes with PyRuSH
        return
    logger.remove()


@lru_cache(maxsize=1)
def _register_components() -> None:
    from spacy.language import Language  # noqa: PLC0415
    from spacy.tokens import Doc  # noqa: PLC0415

    if not Doc.has_extension("navis_candidates"):
        Doc.set_extension("navis_candidates", default=None)

    @Language.component("navis_lines")
    def navis_lines(doc: Any) -> Any:
        """Sentence starts after a period or newline that ends an OCR line."""
        for token in doc[1:]:
            prev = doc[token.i - 1]
            token.is_sent_start = ("\n" in prev.text or "\f" in prev.text) or (
                prev.text == "." and bool(_LINE_START.match(token.text))
            )
        doc[0].is_sent_start = True
        return doc

    @Language.component("navis_candidates")
    def navis_candidates(doc: Any) -> Any:
        """Run every registered extractor over the text and keep its candidates as spans (ConText's targets)."""
        candidates: list[Candidate] = []
        spans = []
        for _name, find in EXTRACTORS:
            for candidate in find(doc.text):
                span = doc.char_span(candidate.start, candidate.end, label=candidate.field, alignment_mode="expand")
                if span is None or len(span) == 0:
                    continue
                candidates.append(candidate)
                spans.append(span)
        doc.spans[CANDIDATES] = spans
        doc._.navis_candidates = candidates
        return doc
