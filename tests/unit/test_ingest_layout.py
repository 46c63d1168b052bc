"""Rebuilding OCR text from Tesseract's words: rows, column gaps, paragraphs and exact word offsets."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from ingest.ocr import page_from_tsv
from ingest.ocr_layout import words_from_tsv

# (block, par, line, left, top, width, height, text, confidence)
Token = tuple[int, int, int, int, int, int, int, str, float]


def _tsv(tokens: list[Token]) -> dict[str, list[object]]:
    columns: dict[str, list[object]] = {
        k: [] for k in ("block_num", "par_num", "line_num", "left", "top", "width", "height", "text", "conf")
    }
    for token in tokens:
        for key, value in zip(columns, token, strict=True):
            columns[key].append(value)
    return columns


def test_column_blocks_are_joined_into_rows() -> None:
    # Tesseract read a two-column table as two blocks: labels first, then values.
    tokens: list[Token] = [
        (1, 1, 1, 100, 100, 200, 40, "Estrogen", 95.0),
        (1, 1, 1, 320, 100, 200, 40, "receptor", 95.0),
        (1, 1, 2, 100, 160, 100, 40, "HER2", 96.0),
        (2, 1, 1, 1200, 102, 200, 40, "Positive", 93.0),
        (2, 1, 2, 1200, 158, 60, 40, "2+", 90.0),
    ]
    text, _ = words_from_tsv(_tsv(tokens))
    assert text.splitlines() == ["Estrogen receptor | Positive", "HER2 | 2+"]


def test_nearby_pieces_of_one_line_join_with_a_space() -> None:
    tokens: list[Token] = [(1, 1, 1, 100, 100, 150, 40, "Ki-67:", 95.0), (2, 1, 1, 270, 100, 80, 40, "20%", 95.0)]
    assert words_from_tsv(_tsv(tokens))[0] == "Ki-67: 20%"


def test_a_visible_gap_between_rows_is_a_paragraph_break() -> None:
    tokens: list[Token] = [
        (1, 1, 1, 100, 100, 300, 40, "DIAGNOSIS", 95.0),
        (1, 1, 2, 100, 150, 300, 40, "carcinoma", 95.0),
        (2, 1, 1, 100, 400, 300, 40, "COMMENT", 95.0),
    ]
    assert words_from_tsv(_tsv(tokens))[0] == "DIAGNOSIS\ncarcinoma\n\nCOMMENT"


def test_non_words_and_blanks_are_skipped() -> None:
    tokens: list[Token] = [(1, 0, 0, 0, 0, 2550, 3300, "", -1.0), (1, 1, 1, 100, 100, 90, 40, "pT2", 88.0)]
    page = page_from_tsv(_tsv(tokens), width=2550, height=3300)
    assert page.text == "pT2"
    assert page.mean_confidence == 88.0
    assert (page.width, page.height, page.source) == (2550.0, 3300.0, "ocr")


def test_empty_page() -> None:
    page = page_from_tsv(_tsv([]), width=10, height=10)
    assert page.text == ""
    assert page.mean_confidence is None


_token = st.tuples(
    st.integers(1, 3),
    st.integers(1, 2),
    st.integers(1, 4),
    st.integers(0, 2000),
    st.integers(0, 3000),
    st.integers(5, 400),
    st.integers(10, 60),
    st.text(alphabet="ABCxyz0123+%:|", min_size=1, max_size=8),
    st.floats(0, 100),
)


@given(st.lists(_token, max_size=40))
def test_every_word_offset_points_at_its_own_text(tokens: list[Token]) -> None:
    text, words = words_from_tsv(_tsv(tokens))
    assert sorted(text[w.start : w.end] for w in words) == sorted(t[7] for t in tokens)
    starts = [w.start for w in words]
    assert starts == sorted(starts)  # words come in text order, as Document.words_in relies on


def test_a_column_gap_inside_one_tesseract_line_is_a_cell_break() -> None:
    tokens: list[Token] = [(1, 1, 1, 100, 100, 60, 40, "ER", 95.0), (1, 1, 1, 900, 100, 200, 40, "Positive", 95.0)]
    assert words_from_tsv(_tsv(tokens))[0] == "ER | Positive"
