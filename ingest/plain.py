"""Plain-text reports: decode, normalise line breaks, and keep form feeds as page breaks."""

from __future__ import annotations

from ingest.document import PAGE_BREAK
from ingest.pages import PageContent
from ingest.sniff import decode_text
from navis.errors import TooLargeError


def read_plain(data: bytes, *, max_pages: int) -> tuple[list[PageContent], list[str]]:
    """Pages of a text file and any warnings (a non-UTF-8 encoding is a warning: accents may be wrong)."""
    text, encoding = decode_text(data)
    warnings = [] if encoding == "utf-8" else [f"text was not UTF-8; decoded as {encoding}"]
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    # Reports printed to text keep a form feed between pages; the document contract uses the same character.
    chunks = text.split(PAGE_BREAK)
    if len(chunks) > max_pages:
        raise TooLargeError(f"text has {len(chunks)} pages, over the limit of {max_pages}")
    return [PageContent(text=chunk, source="plain") for chunk in chunks], warnings
