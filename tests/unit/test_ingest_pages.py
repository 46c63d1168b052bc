"""Assembling page results into one Document: offsets, page numbers, word boxes and confidence agree."""

from __future__ import annotations

import pytest

from ingest.document import PAGE_BREAK, Box, Word
from ingest.pages import PageContent, assemble
from navis.errors import EmptyInputError


def _ocr_page(text: str, confidence: float) -> PageContent:
    words, offset = [], 0
    for token in text.split(" "):
        box = Box(offset * 10.0, 5.0, (offset + len(token)) * 10.0, 25.0)
        words.append(Word(start=offset, end=offset + len(token), page=0, box=box, confidence=confidence))
        offset += len(token) + 1
    return PageContent(text=text, source="ocr", width=2550, height=3300, words=tuple(words), mean_confidence=confidence)


def test_pages_are_joined_by_page_breaks_and_words_shifted() -> None:
    first = PageContent(text="Diagnosis: carcinoma", source="text-layer", width=612, height=792)
    second = _ocr_page("ER positive 95%", 91.0)
    document = assemble([first, second], data=b"x", media_type="application/pdf", name="r.pdf")
    assert document.text == "Diagnosis: carcinoma" + PAGE_BREAK + "ER positive 95%"
    assert [(p.start, p.end) for p in document.pages] == [(0, 20), (21, 36)]
    assert [document.text[w.start : w.end] for w in document.words] == ["ER", "positive", "95%"]
    assert {w.page for w in document.words} == {2}


@pytest.mark.parametrize(
    ("phrase", "page", "boxes", "confidence"),
    [("carcinoma", 1, 0, None), ("positive 95%", 2, 2, 60.0), ("ER", 2, 1, 60.0)],
)
def test_locate_maps_a_span_back_to_page_boxes_and_confidence(
    phrase: str, page: int, boxes: int, confidence: float | None
) -> None:
    document = assemble(
        [PageContent(text="Diagnosis: carcinoma", source="text-layer"), _ocr_page("ER positive 95%", 60.0)],
        data=b"x",
        media_type="application/pdf",
    )
    start = document.text.index(phrase)
    location = document.locate(start, start + len(phrase))
    assert (location.page, len(location.boxes), location.confidence) == (page, boxes, confidence)


def test_no_text_on_any_page_is_an_empty_document() -> None:
    with pytest.raises(EmptyInputError):
        assemble([PageContent(text=" \n", source="ocr")], data=b"x", media_type="image/png", name="blank.png")


def test_identity_comes_from_the_bytes() -> None:
    document = assemble([PageContent(text="a", source="plain")], data=b"abc", media_type="text/plain")
    assert document.sha256 == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
    assert document.size == 3


@pytest.mark.parametrize(("confidence", "warned"), [(35.0, True), (59.0, True), (60.0, False), (93.0, False)])
def test_a_hard_to_read_page_is_flagged(confidence: float, warned: bool) -> None:
    document = assemble([_ocr_page("HER2 2+", confidence)], data=b"x", media_type="image/png")
    assert any("page 1 was hard to read" in w for w in document.warnings) is warned
