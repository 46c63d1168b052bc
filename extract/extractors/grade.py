"""Extractor stub for grade: replaced by the real rules."""

from __future__ import annotations

from collections.abc import Iterator

from extract.candidate import Candidate


def find(text: str) -> Iterator[Candidate]:
    """Candidates for this extractor's fields in ``text``."""
    yield from ()
