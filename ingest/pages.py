"""Per-page reading results and their assembly into one :class:`~ingest.document.Document`.

Each reader (text layer, OCR, plain text) returns :class:`PageContent` with offsets relative to its own page text;
:func:`assemble` joins pages with the page-break character and shifts every word and table to document offsets.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, replace

from ingest.document import PAGE_BREAK, Document, Page, PageSource, Table, Word
from navis.errors import EmptyInputError

# Below this mean Tesseract confidence (0-100) a page's values deserve a second look; on clean 300 dpi scans pages
# score 90-96 here, on skewed, noisy phone photos 75-90.
LOW_OCR_CONFIDENCE = 60.0


@dataclass(frozen=True, slots=True)
class PageContent:
    """What one reader got from one page; word and table offsets are relative to ``text``."""

    text: str
    source: PageSource
    width: float = 0.0
    height: float = 0.0
    words: tuple[Word, ...] = ()
    tables: tuple[Table, ...] = ()
    mean_confidence: float | None = None


def assemble(
    contents: Sequence[PageContent], *, data: bytes, media_type: str, name: str = "", warnings: Sequence[str] = ()
) -> Document:
    """Join page contents into a Document whose offsets, page numbers and boxes all agree.

    Raises :class:`EmptyInputError` when no page holds any readable text: an empty result is never a silent success.
    """
    if not any(content.text.strip() for content in contents):
        raise EmptyInputError(f"no readable text found in {_label(name)}")
    parts: list[str] = []
    pages: list[Page] = []
    words: list[Word] = []
    tables: list[Table] = []
    offset = 0
    for number, content in enumerate(contents, start=1):
        if number > 1:
            parts.append(PAGE_BREAK)
            offset += len(PAGE_BREAK)
        parts.append(content.text)
        end = offset + len(content.text)
        pages.append(
            Page(
                number=number,
                start=offset,
                end=end,
                source=content.source,
                width=content.width,
                height=content.height,
                mean_confidence=content.mean_confidence,
            )
        )
        words.extend(replace(w, start=w.start + offset, end=w.end + offset, page=number) for w in content.words)
        tables.extend(replace(t, start=t.start + offset, end=t.end + offset, page=number) for t in content.tables)
        offset = end
    warnings = [*warnings, *_low_confidence_warnings(pages)]
    return Document(
        text="".join(parts),
        pages=tuple(pages),
        media_type=media_type,
        sha256=hashlib.sha256(data).hexdigest(),
        size=len(data),
        name=name,
        words=tuple(words),
        tables=tuple(tables),
        warnings=tuple(warnings),
    )


def _low_confidence_warnings(pages: Sequence[Page]) -> list[str]:
    return [
        f"page {page.number} was hard to read (OCR confidence {page.mean_confidence:.0f}/100): check values "
        "against the original"
        for page in pages
        if page.mean_confidence is not None and page.mean_confidence < LOW_OCR_CONFIDENCE
    ]


def _label(name: str) -> str:
    return repr(name) if name else "the document"
