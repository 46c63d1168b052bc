"""Turn Tesseract's words into page text whose lines follow the page's visual rows.

Tesseract (psm 3) splits a ruled or two-column table into column blocks and emits them one after another, so a
label ("Estrogen receptor") ends up lines away from its value ("Positive"). We regroup Tesseract's lines into visual
rows by vertical overlap and join the pieces of a row left to right, with `` | `` across a column gap: the same
rendering the PDF table reader uses, so label and value stay on one line whichever way the page was read.
"""

from __future__ import annotations

import statistics
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from ingest.document import Box, Word

CELL_SEPARATOR = " | "
# Two pieces of one row further apart than this many text heights are separate columns.
_COLUMN_GAP_HEIGHTS = 1.5
# Rows further apart than this many text heights get a blank line between them, as a paragraph break.
_PARAGRAPH_GAP_HEIGHTS = 0.9
# Pieces overlapping vertically by at least this share of the shorter one sit on the same row.
_SAME_ROW_OVERLAP = 0.5


@dataclass
class _Piece:
    """One Tesseract line: its words in reading order and their bounding box."""

    tokens: list[tuple[str, Box, float]] = field(default_factory=list)

    @property
    def box(self) -> Box:
        boxes = [box for _, box, _ in self.tokens]
        return Box(
            min(b.left for b in boxes), min(b.top for b in boxes),
            max(b.right for b in boxes), max(b.bottom for b in boxes),
        )  # fmt: skip


def words_from_tsv(data: Mapping[str, Sequence[object]]) -> tuple[str, tuple[Word, ...]]:
    """Page text and its words (offsets relative to the text) from pytesseract's ``image_to_data`` dict."""
    pieces = _pieces(data)
    rows = _rows(pieces)
    heights = [p.box.bottom - p.box.top for p in pieces]
    text_height = statistics.median(heights) if heights else 0.0
    parts: list[str] = []
    words: list[Word] = []
    offset = 0
    previous_bottom: float | None = None
    for row in rows:
        top = min(p.box.top for p in row)
        if previous_bottom is not None:
            parts.append("\n\n" if top - previous_bottom > _PARAGRAPH_GAP_HEIGHTS * text_height else "\n")
            offset += len(parts[-1])
        previous_bottom = max(p.box.bottom for p in row)
        previous_right: float | None = None
        for token, box, confidence in (token for piece in row for token in piece.tokens):
            if previous_right is not None:
                # A wide gap is a column gap, whether Tesseract kept both sides in one line or split them.
                gap = box.left - previous_right
                parts.append(CELL_SEPARATOR if gap > _COLUMN_GAP_HEIGHTS * text_height else " ")
                offset += len(parts[-1])
            words.append(Word(start=offset, end=offset + len(token), page=0, box=box, confidence=confidence))
            parts.append(token)
            offset += len(token)
            previous_right = box.right
    return "".join(parts), tuple(words)


def _pieces(data: Mapping[str, Sequence[object]]) -> list[_Piece]:
    by_line: dict[tuple[int, int, int], _Piece] = {}
    for i, raw in enumerate(data["text"]):
        token = str(raw).strip()
        confidence = float(str(data["conf"][i]))
        if not token or confidence < 0:
            continue
        key = (int(str(data["block_num"][i])), int(str(data["par_num"][i])), int(str(data["line_num"][i])))
        left, top = float(str(data["left"][i])), float(str(data["top"][i]))
        box = Box(left, top, left + float(str(data["width"][i])), top + float(str(data["height"][i])))
        by_line.setdefault(key, _Piece()).tokens.append((token, box, confidence))
    return list(by_line.values())


def _rows(pieces: list[_Piece]) -> list[list[_Piece]]:
    """Group pieces into visual rows, top to bottom, each row left to right."""
    ordered = sorted(pieces, key=lambda p: (p.box.top + p.box.bottom) / 2)
    rows: list[list[_Piece]] = []
    for piece in ordered:
        if rows and _same_row(rows[-1][0].box, piece.box):
            rows[-1].append(piece)
        else:
            rows.append([piece])
    return [sorted(row, key=lambda p: p.box.left) for row in rows]


def _same_row(a: Box, b: Box) -> bool:
    overlap = min(a.bottom, b.bottom) - max(a.top, b.top)
    shorter = min(a.bottom - a.top, b.bottom - b.top)
    return shorter > 0 and overlap >= _SAME_ROW_OVERLAP * shorter
