"""The typed document every text source returns: the contract between ``ingest`` and ``extract``.

A document's ``text`` is the concatenation of its pages' text, pages separated by a form feed (``\\f``).
Offsets are character offsets into ``text``. OCR'd pages also carry their words, each with its box and
Tesseract confidence, so any evidence span maps back to page, boxes and the confidence of the words it read.
"""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass, field
from typing import Literal

PageSource = Literal["text-layer", "ocr", "plain", "attachment"]

PAGE_BREAK = "\f"


@dataclass(frozen=True, slots=True)
class Box:
    """A rectangle on a page, in pixels (OCR) or PDF points (text layer), origin top-left."""

    left: float
    top: float
    right: float
    bottom: float


@dataclass(frozen=True, slots=True)
class Word:
    """One OCR'd word: where it sits in ``Document.text`` and on its page, and how sure Tesseract was (0-100)."""

    start: int
    end: int
    page: int
    box: Box
    confidence: float


@dataclass(frozen=True, slots=True)
class Table:
    """A table read from a PDF's ruling lines: rows of cell strings, and where its text sits in the document."""

    page: int
    rows: tuple[tuple[str, ...], ...]
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class Page:
    """One page: its span of ``Document.text``, how its text was obtained, and its size."""

    number: int  # 1-based
    start: int
    end: int
    source: PageSource
    width: float = 0.0
    height: float = 0.0
    mean_confidence: float | None = None  # OCR pages only


@dataclass(frozen=True, slots=True)
class Location:
    """Where a span of text came from."""

    page: int
    boxes: tuple[Box, ...]
    confidence: float | None  # lowest OCR word confidence (0-100) in the span; None for text layers


@dataclass(frozen=True)
class Document:
    """Text of one source document with its page/word map and identity."""

    text: str
    pages: tuple[Page, ...]
    media_type: str
    sha256: str
    size: int
    name: str = ""
    words: tuple[Word, ...] = ()
    tables: tuple[Table, ...] = ()
    warnings: tuple[str, ...] = ()
    _word_starts: tuple[int, ...] = field(default=(), init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_word_starts", tuple(w.start for w in self.words))

    @property
    def ocr_used(self) -> bool:
        return any(p.source == "ocr" for p in self.pages)

    def page_at(self, offset: int) -> int:
        """The 1-based page number holding ``offset`` (the last page for an offset past the end)."""
        for page in self.pages:
            if offset < page.end or page is self.pages[-1]:
                return page.number
        return 1

    def words_in(self, start: int, end: int) -> tuple[Word, ...]:
        """OCR words overlapping ``[start, end)``."""
        first = max(bisect_right(self._word_starts, start) - 1, 0)
        found: list[Word] = []
        for word in self.words[first:]:
            if word.start >= end:
                break
            if word.end > start:
                found.append(word)
        return tuple(found)

    def locate(self, start: int, end: int) -> Location:
        """Page, word boxes and weakest OCR confidence of the span ``[start, end)``."""
        words = self.words_in(start, end)
        confidence = min((w.confidence for w in words), default=None)
        return Location(page=self.page_at(start), boxes=tuple(w.box for w in words), confidence=confidence)
