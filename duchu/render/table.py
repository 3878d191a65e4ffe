"""duchu's big tables, laid out in one pass: cells measured by display width (CJK counts
two), folded to fit and padded, the whole table printed as segments -- rich's ``Table``
measures every cell through its general renderer, twenty seconds for a province."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from functools import lru_cache
from typing import Any, Literal

from rich.cells import cell_len
from rich.console import Console
from rich.segment import Segment, Segments
from rich.style import Style
from rich.text import Text

# --- big tables ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    header: str
    justify: Literal["left", "right"] = "left"
    wrap: bool = True  # folded to fit the width; otherwise kept whole
    prose: bool = False  # free text: narrowed before the columns of short items
    # (> 0) a column that may be left out when the table cannot fit with its wrapped
    # columns readable (``READABLE_CELLS``): the highest first, then the rightmost
    drop: int = 0


Cell = Text | str
# One unbreakable piece: a CJK character, a word with its trailing spaces, or spaces; closing
# punctuation stays with what it closes (a line never starts with "）" or "，": 避头).
_WIDE = "\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef"
_CLOSING = "）」』】》〉，。、；：！？”’)"
_PIECE = re.compile(rf"[{_WIDE}][{_CLOSING}]*|[^\s{_WIDE}]+[{_CLOSING}]*\s*|\s+")


def print_table(
    console: Console, columns: list[Column], rows: list[list[Cell]], title: str | None = None
) -> None:
    """An aligned table in the look of rich's ``SIMPLE_HEAD`` box, laid out in one pass.

    rich's ``Table`` measures and wraps every cell through its general renderer, about a
    millisecond a row: twenty seconds for the 20,000 units of a province. The cells of
    duchu's big tables are simple -- text of one style, maybe several lines -- so they are
    measured by display width (CJK counts two), folded to fit and padded here, and the
    whole table goes to the console as a list of segments."""
    cells = [[_lines_of(cell) for cell in row] for row in rows]
    headers = [column.header.split("\n") for column in columns]  # a header may have lines
    widths = [
        max([*map(_width, headers[i]), *(_width(line) for row in cells for line in row[i][0])])
        for i, column in enumerate(columns)
    ]
    kept = _kept_columns(widths, columns, console.width, cells)
    if len(kept) < len(columns):
        columns = [columns[i] for i in kept]
        headers = [headers[i] for i in kept]
        widths = [widths[i] for i in kept]
        cells = [[row[i] for i in kept] for row in cells]
    _fit(widths, columns, console.width, cells)
    out: list[Segment] = []
    if title:
        out += [Segment(title, Style.parse("bold")), Segment("\n")]
    whole = [replace(column, wrap=False) for column in columns]
    bold = Style.parse("bold")
    _row_segments(out, [(lines, bold) for lines in headers], widths, whole)
    out.append(Segment(" " + "─" * (sum(widths) + 3 * len(widths) - 1) + " \n"))
    for row in cells:
        _row_segments(out, row, widths, columns)
    # Segments go to the console as they are: no wrapping, cropping or markup to undo.
    console.print(Segments(out), soft_wrap=True, crop=False, end="")


def _lines_of(cell: Cell) -> tuple[list[str], Style | None]:
    if isinstance(cell, Text):
        style = cell.style
        return cell.plain.split("\n"), Style.parse(style) if isinstance(style, str) else style
    return cell.split("\n"), None


READABLE_CELLS = 12  # six Chinese characters a line


def _longest_words(columns: list[Column], cells: list[list[Any]]) -> list[int]:
    """Each column's longest unbreakable piece; headers are never folded, so a header line
    is one piece."""
    return [
        max(
            [*(cell_len(line) for line in column.header.split("\n"))]
            + [_longest_piece(line) for row in cells for line in row[i][0]]
        )
        for i, column in enumerate(columns)
    ]


def _kept_columns(
    widths: list[int], columns: list[Column], total: int, cells: list[list[Any]]
) -> list[int]:
    """The columns shown: all when the table fits ``total`` with each wrapped column at a
    readable width (or whole, when narrower); else without the droppable columns
    (``Column.drop``), the highest first, until it does or none is left -- on a narrow
    terminal an English table's long headers would otherwise squeeze a group's name to a
    character a line."""
    kept = list(range(len(columns)))
    if 2 + sum(widths) + 3 * len(widths) - 1 <= total or not any(c.drop for c in columns):
        return kept
    longest = _longest_words(columns, cells)
    floor = [
        max(longest[i], min(widths[i], READABLE_CELLS)) if c.wrap else widths[i]
        for i, c in enumerate(columns)
    ]

    def narrowest() -> int:
        return 2 + sum(floor[i] for i in kept) + 3 * len(kept) - 1

    while narrowest() > total:
        droppable = [i for i in kept if columns[i].drop]
        if not droppable:
            break
        kept.remove(max(droppable, key=lambda i: (columns[i].drop, i)))
    return kept


def _fit(widths: list[int], columns: list[Column], total: int, cells: list[list[Any]]) -> None:
    """Narrow columns a cell at a time until the table fits: prose first, then the widest
    wrappable column (the rightmost of equals), each no narrower than its longest word;
    only then below that, down to a few cells."""
    excess = 2 + sum(widths) + 3 * len(widths) - 1 - total
    if excess <= 0:
        return  # it fits: no need to look at every word
    longest_word = _longest_words(columns, cells)
    # First no column below a readable width (a CJK word is one character, so "its longest
    # word" alone let a long group name squeeze the overdue column to 3 cells a line)
    readable = [max(longest_word[i], min(widths[i], READABLE_CELLS)) for i in range(len(columns))]
    steps = (
        ([c.prose for c in columns], readable),
        ([c.wrap for c in columns], readable),
        ([c.prose for c in columns], longest_word),
        ([c.wrap for c in columns], longest_word),
        ([c.wrap for c in columns], [6] * len(columns)),
    )
    for allowed, floor in steps:
        while excess > 0:
            candidates = [i for i in range(len(columns)) if allowed[i] and widths[i] > floor[i]]
            if not candidates:
                break
            widest = max(candidates, key=lambda i: (widths[i], i))
            widths[widest] -= 1
            excess -= 1
    # still too wide: the terminal wraps the lines


def _width(text: str) -> int:
    """Display width: rich's ``cell_len``, skipped for printable ASCII (a cell a character)."""
    return len(text) if text.isascii() and text.isprintable() else cell_len(text)


@lru_cache(maxsize=65536)
def _piece_width(piece: str) -> int:
    """``_width`` of a piece of a line -- a CJK character, a word: few, and seen again and
    again in a big table (a province's status folds a hundred thousand of them)."""
    return _width(piece)


@lru_cache(maxsize=65536)  # a big table repeats its lines: "召开动员大会（逾期 3 天）"
def _longest_piece(line: str) -> int:
    return max((_piece_width(p.rstrip()) for p in _PIECE.findall(line)), default=0)


@lru_cache(maxsize=65536)
def _fold(line: str, width: int) -> tuple[str, ...]:
    """A line broken to ``width`` display cells: between words, or anywhere within CJK
    text or a word too long for the column -- folded, never cut."""
    if len(line) * 2 <= width or _width(line) <= width:  # no character is wider than two
        return (line,)
    out: list[str] = []
    current, used = "", 0
    for piece in _PIECE.findall(line):
        size = _piece_width(piece)
        bare = _piece_width(piece.rstrip()) if piece[-1].isspace() else size
        if used + bare > width and current:
            out.append(current.rstrip())
            current, used = "", 0
            piece = piece.lstrip()
            size = _piece_width(piece)
        while size > width:  # a word wider than the column: fold it by characters
            head, head_size = "", 0
            for char in piece:
                if head and head_size + cell_len(char) > width:
                    break  # at least one character a line, however narrow the column
                head, head_size = head + char, head_size + cell_len(char)
            out.append(head)
            piece, size = piece[len(head) :], size - head_size
        current, used = current + piece, used + size
    if current.strip() or not out:
        out.append(current.rstrip())
    return tuple(out)


def _row_segments(
    out: list[Segment],
    row: list[tuple[list[str], Style | None]],
    widths: list[int],
    columns: list[Column],
) -> None:
    """A row's lines as segments: plain runs joined into one, styled text on its own."""
    folded = [
        [part for line in lines for part in (_fold(line, widths[i]) if columns[i].wrap else [line])]
        for i, (lines, _) in enumerate(row)
    ]
    last = len(folded) - 1
    for number in range(max(len(lines) for lines in folded)):
        plain = " "
        for i, lines in enumerate(folded):
            text = lines[number] if number < len(lines) else ""
            pad = " " * max(widths[i] - _width(text), 0)
            left, right = (pad, "") if columns[i].justify == "right" else ("", pad)
            gap = "  " if i < last else " "
            style = row[i][1]
            if style and text:
                out.append(Segment(plain + " " + left))
                out.append(Segment(text, style))
                plain = right + gap
            else:
                plain += " " + left + text + right + gap
        out.append(Segment(plain + " \n"))
