"""Pages with ruled tables written as text: each table row on one line, cells separated by `` | ``.

A biomarker table flattened to text puts every cell on its own line, so "ER" and "95%" drift apart. Here each row
becomes one line, in its place among the page's other lines, and the table itself is kept in ``Document.tables``.
Tables come from PDFium's drawing (:mod:`ingest.pdf_grid`, fast) or, for pages drawn with complex paths, from
pdfplumber (:func:`read_table_pages`, ~55 ms a page or more).
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import Any

from ingest.document import Table
from ingest.pages import PageContent

CELL_SEPARATOR = " | "

# One piece of a page: (distance from the top of the page, a text line or block, or a table's rows).
Block = tuple[float, str | Sequence[Sequence[str]]]


def compose(blocks: Sequence[Block], *, width: float, height: float) -> PageContent:
    """A text-layer page from blocks: in order from the top, tables rendered as rows and recorded as Tables."""
    parts: list[str] = []
    found: list[Table] = []
    offset = 0
    for _, item in sorted(blocks, key=lambda block: block[0]):
        if parts:
            parts.append("\n")
            offset += 1
        if isinstance(item, str):
            parts.append(item)
            offset += len(item)
            continue
        rows = tuple(tuple(row) for row in item)
        rendered = "\n".join(_render_row(row) for row in rows)
        found.append(Table(page=0, rows=rows, start=offset, end=offset + len(rendered)))
        parts.append(rendered)
        offset += len(rendered)
    return PageContent(text="".join(parts), source="text-layer", width=width, height=height, tables=tuple(found))


def read_table_pages(data: bytes, indices: Sequence[int]) -> tuple[dict[int, PageContent], list[str]]:
    """Page contents (with tables) read by pdfplumber for those of ``indices`` that hold a real table.

    Pages where pdfplumber finds no table of at least two rows and two columns are left out: their PDFium text
    stands. A page pdfplumber cannot parse keeps its PDFium text too, with a warning.
    """
    import pdfplumber  # only documents with complex drawings pay for pdfminer's import

    found: dict[int, PageContent] = {}
    warnings: list[str] = []
    try:
        with pdfplumber.open(io.BytesIO(data)) as pdf:
            for index in indices:
                try:
                    content = _read_page(pdf.pages[index])
                except Exception:  # pdfminer raises many types; the text layer is the fallback
                    warnings.append(f"page {index + 1}: table layout could not be read; cells may be out of order")
                    continue
                if content is not None:
                    found[index] = content
    except Exception:  # the same fallback when pdfminer cannot open what PDFium could
        warnings.append("table layout could not be read; cells may be out of order")
    return found, warnings


def _read_page(page: Any) -> PageContent | None:
    tables = [(t.bbox, _clean_rows(t.extract())) for t in page.find_tables()]
    tables = [(box, rows) for box, rows in tables if _is_real_table(rows)]
    if not tables:
        return None
    outside = page.filter(lambda obj: not any(_inside(obj, box) for box, _ in tables))
    blocks: list[Block] = [
        (float(line["top"]), str(line["text"])) for line in outside.extract_text_lines(return_chars=False)
    ]
    blocks.extend((float(box[1]), rows) for box, rows in tables)
    return compose(blocks, width=float(page.width), height=float(page.height))


def _render_row(cells: Sequence[str]) -> str:
    """Cells joined by the separator; trailing empty cells dropped so a line never ends in a dangling bar."""
    end = len(cells)
    while end and not cells[end - 1]:
        end -= 1
    return CELL_SEPARATOR.join(cells[:end])


def _is_real_table(rows: Sequence[Sequence[str]]) -> bool:
    """At least two rows and two columns: a lone box around a header is not a table."""
    return len(rows) >= 2 and max((len(row) for row in rows), default=0) >= 2


def _clean_rows(rows: list[list[str | None]]) -> list[list[str]]:
    cleaned = [[" ".join((cell or "").split()) for cell in row] for row in rows]
    return [row for row in cleaned if any(row)]


def _inside(obj: dict[str, Any], box: tuple[float, float, float, float]) -> bool:
    x0, top, x1, bottom = box
    middle_x = (float(obj["x0"]) + float(obj["x1"])) / 2
    middle_y = (float(obj["top"]) + float(obj["bottom"])) / 2
    return x0 <= middle_x <= x1 and top <= middle_y <= bottom
