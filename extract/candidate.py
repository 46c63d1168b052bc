"""Candidates: what a field extractor proposes before the engine judges assertion, specimen and duplicates.

An extractor is a pure function ``(text) -> Iterable[Candidate]`` over the whole document text. It knows the
phrasings of its fields (patterns live in ``extract/rules/*.yaml``); it does not decide whether the statement is
the patient's present result: the engine (sections + ConText) does that from the text around ``start``/``end``.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

from extract.finding import Assertion


@dataclass(frozen=True, slots=True)
class Candidate:
    """A value proposed for a field, with the span that states it."""

    field: str
    value: str
    start: int  # evidence span in the document text (label through value, as quoted to the user)
    end: int
    rule_id: str
    confidence: float = 0.9
    repaired: bool = False  # read through OCR damage (pNO -> pN0): the engine lowers confidence
    method: str | None = None
    details: Mapping[str, str] = dataclasses.field(default_factory=dict)
    assertion: Assertion | None = None  # set only when the extractor itself knows (e.g. a printed legend)


Extractor = Callable[[str], Iterable[Candidate]]
