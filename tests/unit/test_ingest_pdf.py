"""Text-layer PDFs: page text, ruled tables kept as rows, page sizes and offsets that map back to pages."""

from __future__ import annotations

import pytest

from ingest.document import PAGE_BREAK
from ingest.load import load
from ingest.pdf import is_garbled
from navis.settings import Settings
from tests.support.pdf import PdfPage, write_pdf

SETTINGS = Settings()
ROWS = [
    ("Marker", "Result", "Details"),
    ("Estrogen receptor (ER)", "Positive", "95%, strong"),
    ("Progesterone receptor (PR)", "Negative", "0%"),
    ("HER2 (IHC, 4B5)", "Equivocal (2+)", "reflexed to FISH"),
    ("HER2 (FISH)", "Not amplified", "HER2/CEP17 ratio 1.3"),
]


def _table_page(rows: list[tuple[str, str, str]], top: float = 140.0) -> PdfPage:
    page = PdfPage(
        texts=[
            (72, 72, 14, "SURGICAL PATHOLOGY REPORT"),
            (72, 100, 10, "Diagnosis: invasive ductal carcinoma, grade 2."),
            (72, top + len(rows) * 20 + 30, 10, "Comment: the tumor is HER2-low."),
        ]
    )
    for r, row in enumerate(rows):
        page.texts.extend((78 + c * 170, top + r * 20 + 14, 10, cell) for c, cell in enumerate(row))
    page.lines.extend((72, top + r * 20, 582, top + r * 20) for r in range(len(rows) + 1))
    page.lines.extend((x, top, x, top + len(rows) * 20) for x in (72, 242, 412, 582))
    return page


def test_text_layer_page_is_read_without_ocr() -> None:
    page = PdfPage(texts=[(72, 72, 11, "Estrogen receptor: positive (95%), strong."), (72, 90, 11, "PR: negative.")])
    document = load(write_pdf([page]), "report.pdf", SETTINGS)
    assert document.media_type == "application/pdf"
    assert "Estrogen receptor: positive (95%), strong." in document.text
    assert document.text.splitlines()[1] == "PR: negative."
    assert [(p.source, p.width, p.height) for p in document.pages] == [("text-layer", 612.0, 792.0)]
    assert not document.ocr_used


def test_ruled_table_keeps_each_row_on_one_line() -> None:
    document = load(write_pdf([_table_page(ROWS)]), "table.pdf", SETTINGS)
    lines = document.text.splitlines()
    for row in ROWS:
        assert " | ".join(row) in lines
    assert [tuple(r) for r in document.tables[0].rows] == ROWS


def test_table_sits_between_the_lines_around_it() -> None:
    text = load(write_pdf([_table_page(ROWS)]), "table.pdf", SETTINGS).text
    assert text.index("Diagnosis:") < text.index("Marker | Result") < text.index("Comment:")


def test_table_offsets_point_at_its_rows() -> None:
    document = load(write_pdf([PdfPage(texts=[(72, 72, 11, "Page one: history.")]), _table_page(ROWS)]), "", SETTINGS)
    (table,) = document.tables
    assert table.page == 2
    assert document.text[table.start : table.end].splitlines() == [" | ".join(row) for row in ROWS]
    assert document.page_at(table.start) == 2


def test_a_lone_box_is_not_a_table() -> None:
    page = PdfPage(
        texts=[(80, 90, 11, "Final diagnosis: invasive lobular carcinoma."), (80, 200, 11, "ER: positive.")],
        lines=[(72, 72, 540, 72), (72, 110, 540, 110), (72, 72, 72, 110), (540, 72, 540, 110)],
    )
    document = load(write_pdf([page]), "boxed.pdf", SETTINGS)
    assert document.tables == ()
    assert "Final diagnosis: invasive lobular carcinoma." in document.text


@pytest.mark.parametrize("phrase_page", [1, 2, 3])
def test_offsets_map_to_the_page_they_came_from(phrase_page: int) -> None:
    pages = [PdfPage(texts=[(72, 72, 11, f"This is page number {n} of the pathology report.")]) for n in (1, 2, 3)]
    document = load(write_pdf(pages), "three.pdf", SETTINGS)
    assert document.text.count(PAGE_BREAK) == 2
    start = document.text.index(f"page number {phrase_page}")
    assert document.page_at(start) == phrase_page
    assert document.locate(start, start + 10).page == phrase_page
    page = document.pages[phrase_page - 1]
    assert page.start <= start < page.end


def test_blank_page_stays_blank_without_ocr() -> None:
    pages = [PdfPage(texts=[(72, 72, 11, "Addendum: HER2 FISH not amplified, ratio 1.2.")]), PdfPage()]
    document = load(write_pdf(pages), "with-blank.pdf", SETTINGS)
    assert [p.source for p in document.pages] == ["text-layer", "text-layer"]
    assert document.text.endswith(PAGE_BREAK)


def test_same_bytes_same_identity() -> None:
    data = write_pdf([_table_page(ROWS)])
    first, second = load(data, "a.pdf", SETTINGS), load(data, "b.pdf", SETTINGS)
    assert first.sha256 == second.sha256
    assert first.size == len(data)
    assert first.text == second.text


def test_table_drawn_as_one_complex_path_is_read_by_pdfplumber() -> None:
    page = _table_page(ROWS)
    page.one_path = True
    document = load(write_pdf([page]), "one-path.pdf", SETTINGS)
    assert [tuple(r) for r in document.tables[0].rows] == ROWS
    assert "Estrogen receptor (ER) | Positive | 95%, strong" in document.text.splitlines()


def test_text_beside_a_table_is_kept() -> None:
    page = PdfPage(texts=[(72, 72, 11, "BIOMARKERS")])
    rows = [("ER", "Positive"), ("PR", "Negative")]
    for r, row in enumerate(rows):
        page.texts.extend((78 + c * 100, 120 + r * 20 + 14, 10, cell) for c, cell in enumerate(row))
    page.lines.extend((72, 120 + r * 20, 272, 120 + r * 20) for r in range(3))
    page.lines.extend((x, 120, x, 160) for x in (72, 172, 272))
    page.texts.append((320, 134, 10, "Note: controls reviewed."))
    document = load(write_pdf([page]), "beside.pdf", SETTINGS)
    lines = document.text.splitlines()
    assert lines[:3] == ["BIOMARKERS", "ER | Positive", "PR | Negative"]
    assert "Note: controls reviewed." in lines


@pytest.mark.parametrize(
    ("text", "garbled"),
    [
        ("Estrogen receptor: positive (95%)", False),
        ("HER2 2+ \u2265 10% \u00b5m \u2014 r\u00e9sultat", False),  # symbols and accents are text
        ("\ue001\ue002\ue003\ue004 \ue005\ue006 HER2", True),  # private-use glyphs from a font without a map
        ("\ufffd\ufffd\ufffd\ufffd\ufffd ER", True),
        ("\x01\x02\x03\x04\x05\x06 PR", True),
        ("", False),
        ("   \n ", False),
    ],
)
def test_garbled_text_layers_are_recognised(text: str, garbled: bool) -> None:
    assert is_garbled(text) is garbled
