"""Ruled tables in text-layer PDF pages, read with pdfplumber and written back into the page text as rows.

A biomarker table flattened to text puts every cell on its own line, so "ER" and "95%" drift apart. Here each row
becomes one line, cells separated by `` | ``, in its place among the page's other lines, and the table itself is
kept in ``Document.tables``.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import Any

from ingest.document import Table
from ingest.pages import PageContent

CELL_SEPARATOR = " | "


def read_table_pages(data: bytes, indices: Sequence[int]) -> tuple[dict[int, PageContent], list[str]]:
    """Page contents (with tables) for those of ``indices`` that hold a real table, and warnings for failures.

    Pages where pdfplumber finds no table of at least two rows and two columns are left out: their pypdfium2 text
    stands. A page pdfplumber cannot parse keeps its pypdfium2 text too, with a warning.
    """
    import pdfplumber  # noqa: PLC0415  (only documents with ruled pages pay for pdfminer's import)

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
    tables = [t for t in page.find_tables() if _is_real_table(t.extract())]
    if not tables:
        return None
    boxes = [t.bbox for t in tables]
    outside = page.filter(lambda obj: not any(_inside(obj, box) for box in boxes))
    # Lines and tables ordered by their top edge, so each table sits where it is printed.
    items: list[tuple[float, str | list[list[str]]]] = [
        (float(line["top"]), str(line["text"])) for line in outside.extract_text_lines(return_chars=False)
    ]
    items.extend((float(t.bbox[1]), _clean_rows(t.extract())) for t in tables)
    items.sort(key=lambda item: item[0])
    parts: list[str] = []
    found: list[Table] = []
    offset = 0
    for _, item in items:
        if parts:
            parts.append("\n")
            offset += 1
        if isinstance(item, str):
            parts.append(item)
            offset += len(item)
            continue
        rendered = "\n".join(_render_row(row) for row in item)
        found.append(Table(page=0, rows=tuple(tuple(row) for row in item), start=offset, end=offset + len(rendered)))
        parts.append(rendered)
        offset += len(rendered)
    return PageContent(
        text="".join(parts),
        source="text-layer",
        width=float(page.width),
        height=float(page.height),
        tables=tuple(found),
    )


def _render_row(cells: list[str]) -> str:
    """Cells joined by the separator; trailing empty cells dropped so a line never ends in a dangling bar."""
    while cells and not cells[-1]:
        cells = cells[:-1]
    return CELL_SEPARATOR.join(cells)


def _is_real_table(rows: list[list[str | None]]) -> bool:
    """At least two non-empty rows and two columns: a lone box around a header is not a table."""
    filled = [row for row in rows if any(cell and cell.strip() for cell in row)]
    return len(filled) >= 2 and max((len(row) for row in filled), default=0) >= 2


def _clean_rows(rows: list[list[str | None]]) -> list[list[str]]:
    cleaned = [[" ".join((cell or "").split()) for cell in row] for row in rows]
    return [row for row in cleaned if any(row)]


def _inside(obj: dict[str, Any], box: tuple[float, float, float, float]) -> bool:
    x0, top, x1, bottom = box
    middle_x = (float(obj["x0"]) + float(obj["x1"])) / 2
    middle_y = (float(obj["top"]) + float(obj["bottom"])) / 2
    return x0 <= middle_x <= x1 and top <= middle_y <= bottom
