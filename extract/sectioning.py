"""Pathology sections with medspacy's Sectionizer, minus its per-token bookkeeping.

medspacy's Sectionizer writes ``token._.section`` on every token of every document; on a 600-token report that
cost about as much as the rest of the pipeline together. The subclass built here keeps medspacy's matching and its
``doc._.sections`` (``Section`` objects, in order) and leaves tokens alone; :func:`section_at` looks a section up.
medspacy is imported only when the class is first asked for, so importing this module stays cheap.
"""

from __future__ import annotations

from bisect import bisect_right
from functools import cache
from typing import Any


@cache
def lean_sectionizer_class() -> Any:
    """A medspacy ``Sectionizer`` subclass that sets ``doc._.sections`` only (no parents, no token attributes)."""
    from medspacy.section_detection import Section, Sectionizer

    class LeanSectionizer(Sectionizer):  # type: ignore[misc]
        def __call__(self, doc: Any) -> Any:
            matcher = self._Sectionizer__matcher
            matches = sorted(matcher(doc), key=lambda m: m[1])
            sections: list[Any] = []
            if not matches or matches[0][1] != 0:
                sections.append(Section(None, 0, 0, 0, matches[0][1] if matches else len(doc)))
            for index, (match_id, start, end) in enumerate(matches):
                rule = matcher.rule_map[self.nlp.vocab.strings[match_id]]
                body_end = matches[index + 1][1] if index + 1 < len(matches) else len(doc)
                sections.append(Section(rule.category, start, end, end, body_end, None, rule))
            doc._.sections = sections
            return doc

    return LeanSectionizer


def section_at(doc: Any, token_index: int) -> str | None:
    """The category of the section holding token ``token_index`` (None before the first header)."""
    sections = doc._.sections
    starts = [section.title_start for section in sections]
    position = bisect_right(starts, token_index) - 1
    category: str | None = sections[position].category if position >= 0 else None
    return category
