"""Flattened tables whose values stand BEFORE their labels: which value belongs to which biomarker label.

OCR reads a table line by line. When a table's value column sits a little higher than its label column, each value
lands before its label, and the usual reading (``extract.mentions``: a label, then its value) pairs every label with
its neighbour's value. Two phrasing classes are recognised here, each only when the layout leaves no doubt; any doubt
and the usual reading stands. Whether a piece of text "reads as" a marker's result is decided by that marker's own
extractor (its rule file), reading the piece as if it were written after the label.

**Shifted list**: ``Key: value`` lines where every value sits one line early::

    HORMONE RECEPTORS: 90% positive cells. Estrogen receptor: 10% positive. Progesterone receptor: IHC 2+.
    Her2/neu: 30% positive cells. Ki-67 index: <page footer>

Taken when the line before the first label is no biomarker line and ends with a value (it follows a heading), the
last label reads nothing from its own line, every value reads as a result of the label AFTER it, and at least one
value cannot be read as a result of the label it follows (here: an IHC score after PR, a bare percent after HER2).

**Row label after its cells**: a column-flattened table (``label. cell. cell. cell.`` per row) where one row's cells
were printed before its label::

    Estrogen Receptor. 90. 3. POSITIVE. Progesterone Receptor. 40. 2. POSITIVE. Ki-67. 30. 2. HIGH.
    SCORE. 2+. EQUIVOCAL. Her2/neu. REFERENCE RANGES: ...

Taken when the rows before have one width k, the row before the label has more than k and at most 2k cells, the label
has no cell and reads nothing after it, its overflow cells read as its result but not as the previous row's, and the
previous row's first k cells still read as that row's result.

A value recovered this way is marked ``repaired`` (the engine lowers its confidence, as for other OCR damage) and its
evidence runs from the value to the label, so ConText and the reader see both.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from functools import cache

from extract.candidate import Candidate
from extract.lines import LINE_BREAK, LINE_HEAD
from extract.mentions import Mention

#: A reader: one marker extractor's plain reading of a text (no layout repair), e.g. ``her2.read``.
Reader = Callable[[str], Iterable[Candidate]]

#: Where OCR ended a line (``extract.lines``); a list mark ("- ") after it goes with it.
_LINE_END = re.compile(LINE_BREAK.pattern + r"(?:-[ \t]+)?")
#: The text before a line start: a line end (as in ``_LINE_END``), then perhaps a list mark ("- ").
_LINE_START = re.compile(r"(?:(?P<stop>\.[ \t]+)|[\n\f][\n\f\s]*)(?:-[ \t]+)?\Z")
_LINE_HEAD = re.compile(LINE_HEAD)
#: A list line's key: what follows its label up to the colon (qualifier words, a clone in parentheses).
_KEY_REST = re.compile(r"(?:\([^():]{0,20}\)|[^:.\d%()]){0,40}:\s*")
#: A value that is a line of its own, or after the heading's colon, is short: a longer line is prose, not a cell.
_MAX_VALUE = 60
#: A table cell: a short line with no colon.
_MAX_CELL = 30
#: Value columns a table needs before a row can be said to overflow: with one value a row, a second line after a
#: label is as likely the same row's second value as the next row's first.
_MIN_COLUMNS = 2
#: How far back the start of the line before a list is looked for (a longer line is prose).
_LINE_REACH = 400
#: How much text after a label its usual reading can take (the longest value window of the rule files, and more).
_AFTER_REACH = 200
#: Detail that says how the value was found (kept in the Finding's details).
LAYOUT_DETAIL = {"layout": "value-before-label"}


@dataclass(frozen=True, slots=True)
class _Line:
    start: int
    end: int
    next: int  # where the next line starts


def _line_from(text: str, start: int) -> _Line:
    """The line that starts at ``start``."""
    end = _LINE_END.search(text, start)
    return _Line(start, end.start(), end.end()) if end else _Line(start, len(text), len(text))


def _starts_line(text: str, offset: int) -> bool:
    if offset == 0:
        return True
    found = _LINE_START.search(text, max(0, offset - 12), offset)
    return found is not None and (not found.group("stop") or _LINE_HEAD.match(text, offset) is not None)


def _line_before(text: str, line: _Line) -> _Line | None:
    """The line that ends where ``line`` starts; None when there is none or it is too long to be a table line."""
    if line.start == 0:
        return None
    low = max(0, line.start - _LINE_REACH)
    breaks = [m for m in _LINE_END.finditer(text, low, line.start + 1) if m.end() <= line.start]
    if len(breaks) < 2 and low > 0:
        return None
    return _Line(breaks[-2].end() if len(breaks) > 1 else 0, breaks[-1].start(), line.start) if breaks else None


@dataclass(frozen=True, slots=True)
class Moved:
    """A value that belongs to the label after it: the reader's candidates for it, in document offsets."""

    reader: str  # which extractor read it ("her2", "ki67", "receptors")
    candidates: tuple[Candidate, ...]


@dataclass(frozen=True)
class Layout:
    """What the flattened tables of one text change in its usual reading."""

    moved: tuple[Moved, ...] = ()
    cut: tuple[tuple[int, int], ...] = ()  # (mention start, where its value window now ends)

    def windows(self, found: Iterable[Mention]) -> Iterator[Mention]:
        """``found`` with the windows this layout cuts short; a mention left with no window is dropped."""
        ends = dict(self.cut)
        for mention in found:
            end = ends.get(mention.start)
            if end is None:
                yield mention
            elif end > mention.end:
                yield dataclasses.replace(mention, window_end=min(end, mention.window_end))

    def readings(self, reader: str) -> Iterator[Candidate]:
        """The candidates ``reader`` read from values that stand before their labels."""
        for moved in self.moved:
            if moved.reader == reader:
                yield from moved.candidates


NO_LAYOUT = Layout()


def read_with_layout(
    text: str, found: list[Mention], read: Callable[[str, list[Mention]], Iterable[Candidate]], reader: str
) -> Iterator[Candidate]:
    """An extractor's reading of ``text`` (``read`` over the mentions ``found``) with this module's repairs: windows
    cut where a value belongs to another label, and the values that stand before their labels (read by ``reader``)."""
    table = layout(text, found)
    yield from read(text, list(table.windows(found)))
    yield from table.readings(reader)


@cache
def _readers() -> dict[str, Reader]:
    # imported here: the extractors import this module to apply its layout
    from extract.extractors import her2, ki67, receptors

    return {module.READER: module.read for module in (receptors, her2, ki67)}


def _read(text: str) -> dict[str, tuple[Candidate, ...]]:
    """What each reader reads from ``text``, readers that read nothing left out."""
    found = {name: tuple(read(text)) for name, read in _readers().items()}
    return {name: candidates for name, candidates in found.items() if candidates}


def layout(text: str, found: list[Mention]) -> Layout:
    """The flattened tables of ``text`` whose values stand before their labels; ``found``: its mentions.

    Kept for the last two texts: the three biomarker extractors ask in turn. Any window length will do for
    ``found``: only where the labels are matters.
    """
    known = _recent.get(text)
    if known is None:
        known = _layout(text, found)
        while len(_recent) >= _RECENT:
            _recent.pop(next(iter(_recent)), None)
        _recent[text] = known
    return known


_RECENT = 2
_recent: dict[str, Layout] = {}


def _layout(text: str, found: list[Mention]) -> Layout:
    at_line_start = [m for m in found if _starts_line(text, m.start)]
    changes = [*_shifted_lists(text, at_line_start, found), *_trailing_labels(text, at_line_start)]
    if not changes:
        return NO_LAYOUT
    return Layout(
        moved=tuple(moved for change in changes for moved in change.moved),
        cut=tuple(cut for change in changes for cut in change.cut),
    )


def _moved(text: str, head: str, value: tuple[int, int], label_end: int) -> list[Moved]:
    """The readings of ``value`` written after ``head`` (its label), with evidence from the value to the label."""
    virtual = head + text[value[0] : value[1]]
    return [
        Moved(
            reader=name,
            candidates=tuple(
                dataclasses.replace(
                    c, start=value[0], end=label_end, repaired=True, details={**c.details, **LAYOUT_DETAIL}
                )
                for c in candidates
            ),
        )
        for name, candidates in _read(virtual).items()
    ]


# --- shifted list -------------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Item:
    """A ``Key: value`` line that starts with a biomarker label."""

    mention: Mention
    head_end: int  # where the key (label, qualifiers, colon) ends and the value begins
    line: _Line

    def head(self, text: str) -> str:
        return text[self.mention.start : self.head_end]

    def key_end(self, text: str) -> int:
        """Where the key ends, before its colon ("Estrogen receptors")."""
        return text.rindex(":", self.mention.end, self.head_end)

    def reads(self, text: str, value: tuple[int, int]) -> bool:
        return bool(_read(self.head(text) + text[value[0] : value[1]]))


def _shifted_lists(text: str, at_line_start: list[Mention], found: list[Mention]) -> Iterator[Layout]:
    items: dict[int, _Item] = {}  # line start -> the list line
    for mention in at_line_start:
        line = _line_from(text, mention.start)
        key = _KEY_REST.match(text, mention.end, line.end)
        if key:
            items.setdefault(mention.start, _Item(mention, key.end(), line))
    next_starts = {item.line.next for item in items.values()}
    for start, first in items.items():
        if start in next_starts:
            continue  # not the first line of a list
        run = [first]
        while run[-1].line.next in items:
            run.append(items[run[-1].line.next])
        shifted = _shift(text, run, found)
        if shifted:
            yield shifted


def _shift(text: str, run: list[_Item], found: list[Mention]) -> Layout | None:
    if len(run) < 2:
        return None
    before = _line_before(text, run[0].line)
    heading_value = _heading_value(text, before) if before else None
    if before is None or heading_value is None:
        return None
    values = [heading_value, *((item.head_end, item.line.end) for item in run)]
    if run[-1].reads(text, values[-1]):
        return None  # the last label has a value of its own: nothing moved
    if all(item.reads(text, value) for item, value in zip(run[:-1], values[1:-1], strict=True)):
        return None  # every value fits the label before it: the usual reading is consistent
    if not all(item.reads(text, value) for item, value in zip(run, values[:-1], strict=True)):
        return None  # the shifted reading does not fit either: no way to tell
    moved = [
        m
        for item, value in zip(run, values[:-1], strict=True)
        for m in _moved(text, item.head(text), value, item.key_end(text))
    ]
    region = range(before.start, run[-1].line.end)
    return Layout(moved=tuple(moved), cut=tuple((m.start, m.end) for m in found if m.start in region))


def _heading_value(text: str, line: _Line) -> tuple[int, int] | None:
    """The value at the end of the line before a list: after the heading's colon, or the whole (short) line."""
    colon = text.rfind(":", line.start, line.end)
    start = colon + 1 if colon >= 0 else line.start
    while start < line.end and text[start].isspace():
        start += 1
    if start >= line.end or line.end - start > _MAX_VALUE:
        return None
    return start, line.end


# --- row label after its cells ------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Row:
    mention: Mention
    cells: list[_Line]
    next: int  # where the line after its cells starts: the next row of the same table, if any


def _trailing_labels(text: str, at_line_start: list[Mention]) -> Iterator[Layout]:
    for table in _tables(text, at_line_start):
        for index in range(2, len(table)):
            row, previous, earlier = table[index], table[index - 1], table[: index - 1]
            if not row.cells and (moved := _overflow(text, row, previous, earlier)):
                yield moved


def _tables(text: str, at_line_start: list[Mention]) -> Iterator[list[_Row]]:
    """Runs of rows: a label cell (a short line that is a label) followed by its short cells."""
    heads = {m.start: m for m in at_line_start}
    table: list[_Row] = []
    for start, mention in heads.items():
        label = _line_from(text, start)
        if not _is_cell(text, label):
            continue
        if table and start != table[-1].next:
            yield table
            table = []
        cells: list[_Line] = []
        following = label.next
        while following < len(text) and following not in heads:
            line = _line_from(text, following)
            if not _is_cell(text, line):
                break
            cells.append(line)
            following = line.next
        table.append(_Row(mention, cells, following))
    yield table


def _is_cell(text: str, line: _Line) -> bool:
    content = text[line.start : line.end]
    return ":" not in content and 0 < len(content.strip()) <= _MAX_CELL


def _overflow(text: str, row: _Row, previous: _Row, earlier: list[_Row]) -> Layout | None:
    widths = {len(r.cells) for r in earlier}
    if len(widths) != 1:
        return None
    width = widths.pop()
    if width < _MIN_COLUMNS or not width < len(previous.cells) <= 2 * width:
        return None
    own_end, extra = previous.cells[width - 1].end, (previous.cells[width].start, previous.cells[-1].end)
    if _reads_after(text, row.mention):
        return None  # the label has a value after it after all
    row_head = text[row.mention.start : row.mention.end] + ". "
    previous_head = text[previous.mention.start : previous.mention.end] + ". "
    if not _read(row_head + text[extra[0] : extra[1]]) or _read(previous_head + text[extra[0] : extra[1]]):
        return None  # the overflow is not this label's result, or could be the previous row's
    if not _read(text[previous.mention.start : own_end]):
        return None  # the previous row no longer reads as its own result without the overflow
    moved = _moved(text, row_head, extra, row.mention.end)
    return Layout(moved=tuple(moved), cut=((previous.mention.start, extra[0]),))


def _reads_after(text: str, mention: Mention) -> bool:
    """Whether the usual reading finds a value after the label (evidence that starts at the label)."""
    following = text[mention.start : mention.start + _AFTER_REACH]
    return any(c.start == 0 for candidates in _read(following).values() for c in candidates)
