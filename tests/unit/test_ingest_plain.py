"""Plain-text reports: encodings, line breaks, form-feed pages."""

from __future__ import annotations

import pytest

from ingest.load import load
from navis.errors import TooLargeError
from navis.settings import Settings

SETTINGS = Settings()


@pytest.mark.parametrize(
    ("data", "text", "warned"),
    [
        (b"ER: positive\r\nPR: negative\r\n", "ER: positive\nPR: negative\n", False),
        (b"ER: positive\rPR: negative", "ER: positive\nPR: negative", False),
        ("\ufeffKi-67: 20%\n".encode(), "Ki-67: 20%\n", False),
        ("Récepteur: positif\n".encode(), "Récepteur: positif\n", False),
        ("Récepteur: positif\n".encode("cp1252"), "Récepteur: positif\n", True),
        ("\u201cHER2\u201d score 2+\n".encode("cp1252"), "\u201cHER2\u201d score 2+\n", True),
    ],
)
def test_decodes_and_normalises(data: bytes, text: str, warned: bool) -> None:
    document = load(data, "report.txt", SETTINGS)
    assert document.text == text
    assert document.media_type == "text/plain"
    assert [p.source for p in document.pages] == ["plain"]
    assert bool(document.warnings) is warned


def test_form_feeds_are_pages() -> None:
    document = load(b"Page one: diagnosis\n\x0cPage two: ER positive\n", "printed.txt", SETTINGS)
    assert [p.number for p in document.pages] == [1, 2]
    assert document.page_at(document.text.index("ER positive")) == 2
    assert document.page_at(document.text.index("diagnosis")) == 1


def test_page_limit_applies_to_text() -> None:
    with pytest.raises(TooLargeError):
        load(b"a\x0cb\x0cc", "long.txt", Settings(max_pages=2))
