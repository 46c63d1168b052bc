"""Ruled tables read straight from PDFium: rules from the page's path objects, cell text from the text layer.

pdfplumber finds the same tables but parses the whole page layout with pdfminer first (55-150 ms a page here);
reading the grid from PDFium's objects and asking PDFium for the text inside each cell takes a few milliseconds.
Only simple rules are read here (a stroked line or a rectangle per path object); a page drawn with complex paths
returns None and is left to pdfplumber.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c

from ingest.pdf_tables import Block

# Path objects thinner than this (points) are rules; shorter ones are marks, not rules.
RULE_THICKNESS_PT = 3.0
RULE_MIN_LENGTH_PT = 10.0
# Rules closer than this are the same line; a rule ending this close to another still meets it.
_SNAP_PT = 2.0
# A line or a rectangle with its close: more segments than this is a drawing we do not interpret.
_MAX_SIMPLE_SEGMENTS = 6


@dataclass(frozen=True, slots=True)
class Rule:
    """A horizontal (``pos`` is y) or vertical (``pos`` is x) rule from ``start`` to ``end``, PDF coordinates."""

    horizontal: bool
    pos: float
    start: float
    end: float


@dataclass(frozen=True, slots=True)
class GridTable:
    """A ruled table: its box (left, bottom, right, top; PDF coordinates, y up) and its rows of cell text."""

    box: tuple[float, float, float, float]
    rows: tuple[tuple[str, ...], ...]


def page_rules(page: pdfium.PdfPage) -> list[Rule] | None:
    """Every rule drawn on the page, or None when some path is too complex to read as rules."""
    rules: list[Rule] = []
    for obj in page.get_objects(filter=(pdfium_c.FPDF_PAGEOBJ_PATH,), max_depth=3):
        left, bottom, right, top = obj.get_bounds()
        wide, tall = right - left, top - bottom
        if max(wide, tall) < RULE_MIN_LENGTH_PT:
            continue
        if pdfium_c.FPDFPath_CountSegments(obj.raw) > _MAX_SIMPLE_SEGMENTS:
            return None
        if tall <= RULE_THICKNESS_PT:
            rules.append(Rule(True, (bottom + top) / 2, left, right))
        elif wide <= RULE_THICKNESS_PT:
            rules.append(Rule(False, (left + right) / 2, bottom, top))
        else:  # a rectangle: its four edges
            rules += [Rule(True, bottom, left, right), Rule(True, top, left, right)]
            rules += [Rule(False, left, bottom, top), Rule(False, right, bottom, top)]
    return rules


def read_grids(rules: list[Rule], textpage: pdfium.PdfTextPage) -> list[GridTable]:
    """Tables formed by groups of crossing rules, with at least two filled rows and two columns."""
    tables = []
    for group in _crossing_groups(rules):
        rows = _rows(group, textpage)
        filled = [row for row in rows if any(row)]
        if len(filled) >= 2 and max(len(row) for row in filled) >= 2:
            tables.append(GridTable(box=_box(group), rows=tuple(filled)))
    return tables


def _crossing_groups(rules: list[Rule]) -> list[list[Rule]]:
    """Connected groups of rules, two rules being connected when a horizontal one meets a vertical one."""
    parent = list(range(len(rules)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for i, a in enumerate(rules):
        for j in range(i + 1, len(rules)):
            b = rules[j]
            if a.horizontal != b.horizontal and _meet(a, b):
                parent[root(i)] = root(j)
    groups: dict[int, list[Rule]] = {}
    for i, rule in enumerate(rules):
        groups.setdefault(root(i), []).append(rule)
    return [g for g in groups.values() if any(r.horizontal for r in g) and any(not r.horizontal for r in g)]


def _meet(a: Rule, b: Rule) -> bool:
    h, v = (a, b) if a.horizontal else (b, a)
    return h.start - _SNAP_PT <= v.pos <= h.end + _SNAP_PT and v.start - _SNAP_PT <= h.pos <= v.end + _SNAP_PT


def _rows(group: list[Rule], textpage: pdfium.PdfTextPage) -> list[tuple[str, ...]]:
    """Cell texts row by row, top to bottom; each row's columns are the vertical rules crossing its middle."""
    ys = _distinct(sorted((r.pos for r in group if r.horizontal), reverse=True))
    verticals = [r for r in group if not r.horizontal]
    rows = []
    for top, bottom in itertools.pairwise(ys):
        middle = (top + bottom) / 2
        xs = _distinct(sorted(r.pos for r in verticals if r.start - _SNAP_PT <= middle <= r.end + _SNAP_PT))
        if len(xs) < 2:
            continue
        cells = [_cell_text(textpage, left, bottom, right, top) for left, right in itertools.pairwise(xs)]
        rows.append(tuple(cells))
    return rows


def _cell_text(textpage: pdfium.PdfTextPage, left: float, bottom: float, right: float, top: float) -> str:
    return " ".join(textpage.get_text_bounded(left=left, bottom=bottom, right=right, top=top).split())


def _distinct(values: list[float]) -> list[float]:
    kept: list[float] = []
    for value in values:
        if not kept or abs(value - kept[-1]) > _SNAP_PT:
            kept.append(value)
    return kept


def _box(group: list[Rule]) -> tuple[float, float, float, float]:
    xs = [x for r in group for x in ((r.start, r.end) if r.horizontal else (r.pos, r.pos))]
    ys = [y for r in group for y in ((r.pos, r.pos) if r.horizontal else (r.start, r.end))]
    return min(xs), min(ys), max(xs), max(ys)


# Far beyond any page edge: bands of text run the full width and to the very top or bottom.
_FAR = 1e6


def page_blocks(textpage: pdfium.PdfTextPage, tables: list[GridTable], height: float) -> list[Block]:
    """The page as blocks ordered from the top: text bands between the tables, the tables, text beside a table."""
    blocks: list[Block] = []
    above = _FAR
    for table in sorted(tables, key=lambda t: -t.box[3]):
        left, bottom, right, top = table.box
        blocks.append((height - above, _bounded(textpage, -_FAR, top, _FAR, above)))
        blocks.append((height - top, table.rows))
        # Text printed beside a table would otherwise be lost: keep it, right after the table.
        blocks.append((height - top + 0.1, _bounded(textpage, -_FAR, bottom, left, top)))
        blocks.append((height - top + 0.2, _bounded(textpage, right, bottom, _FAR, top)))
        above = bottom
    blocks.append((height - above, _bounded(textpage, -_FAR, -_FAR, _FAR, above)))
    return [block for block in blocks if block[1]]


def _bounded(textpage: pdfium.PdfTextPage, left: float, bottom: float, right: float, top: float) -> str:
    text = textpage.get_text_bounded(left=left, bottom=bottom, right=right, top=top)
    return "\n".join(line.strip() for line in normalise_text_layer(text).split("\n") if line.strip())


def normalise_text_layer(text: str) -> str:
    """PDFium text with ``\\n`` line ends, no form feeds (they separate pages in a Document) and no NULs."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text.replace("\f", "\n").replace("\x00", "").replace("\x02", "-")
