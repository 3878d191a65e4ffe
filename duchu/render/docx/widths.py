"""How wide a table's columns are and how text wraps in them: each column's natural width
from its cells, shared out over the text block (``column_widths``), and the lines a text takes
at a width, breaking where Chinese typesetting allows."""

from __future__ import annotations

import math
import re
from itertools import pairwise

# A header folded to fit: two Chinese characters a line, as hand-made tables do.
HEADER_FOLD_CELLS = 4

# A column whose every cell fits in this many half-em cells (a short name, a person, a
# figure) is kept on one line whenever the table allows; any other may wrap, though never
# inside a date or a number, where that saves lines.
SHORT_CELLS = 12

# Word's default cell margins are 0.19 cm on each side; a little more keeps text off the lines.
CELL_PADDING_MM = 4.5


def column_widths(header: list[list[str]], body: list[list[str]], available: float) -> list[float]:
    """Widths in half-em cells for the columns of a table ``available`` cells wide.

    If every column fits on one line, each gets its natural width and the spare width is
    spread in proportion. Otherwise each column starts at the least it can take (short
    columns their whole width, any other its widest date, number or word) and width goes,
    a cell at a time, where it saves the most lines in the whole table. So a date column
    is as wide as its dates, a 完成情况 column wraps where the row is tall anyway, and a
    问题 column gets the rest rather than nine characters beside wide date columns."""
    rows = header + body
    columns = max(len(row) for row in rows)
    tokens = [[_tokens(row[c]) if c < len(row) else [] for c in range(columns)] for row in rows]
    natural = [max((sum(cell[c]) for cell in tokens), default=0.0) for c in range(columns)]
    natural = [max(width, 1.0) for width in natural]
    if sum(natural) <= available:
        return _allocate(natural, available)
    minimum = []
    for c in range(columns):
        body_cells = [row[c] for row in tokens[len(header) :]]
        body_natural = max((sum(cell) for cell in body_cells), default=0.0)
        widest = max((max(cell, default=0.0) for cell in body_cells), default=0.0)
        least = body_natural if body_natural <= SHORT_CELLS else widest
        for head in tokens[: len(header)]:  # a header folds, two characters a line
            least = max(least, max(head[c], default=0.0), min(sum(head[c]), HEADER_FOLD_CELLS))
        minimum.append(min(least, natural[c]))
    if sum(minimum) > available:
        return _allocate(minimum, available)
    widths = list(minimum)
    left = available - sum(widths)
    line_counts = [[_lines(cell, widths[c]) for c, cell in enumerate(row)] for row in tokens]
    while left >= 1:
        best: tuple[float, int, float, list[int]] | None = None
        for c in range(columns):
            room = min(left, natural[c] - widths[c])
            step = 1.0
            while step <= room:
                column = [_lines(row[c], widths[c] + step) for row in tokens]
                saved = sum(
                    max(counts) - max([*counts[:c], column[r], *counts[c + 1 :]])
                    for r, counts in enumerate(line_counts)
                )
                if saved > 0:
                    if best is None or saved / step > best[0]:
                        best = (saved / step, c, step, column)
                    break
                step += 1.0
        if best is None:
            break
        _, c, step, column = best
        widths[c] += step
        left -= step
        for counts, count in zip(line_counts, column, strict=True):
            counts[c] = count
    # what no column needs to save a line: to those short of their natural width first
    short = [natural[c] - widths[c] for c in range(columns)]
    share = sum(short)
    spread = short if share > 0 else widths
    total = sum(spread)
    return [width + left * part / total for width, part in zip(widths, spread, strict=True)]


def _allocate(natural: list[float], available: float) -> list[float]:
    """Max-min fair widths: columns needing less than an equal share of what is left get
    what they need; the rest share the remainder equally. If everything fits, the spare
    width is spread in proportion to need."""
    total = sum(natural)
    if total <= available:
        return [width * available / total for width in natural]
    widths = [0.0] * len(natural)
    pending = sorted(range(len(natural)), key=lambda index: natural[index])
    left = available
    while pending:
        share = left / len(pending)
        index = pending[0]
        if natural[index] > share:
            for rest in pending:
                widths[rest] = share
            break
        widths[index] = natural[index]
        left -= natural[index]
        pending.pop(0)
    return widths


def _display_width(text: str) -> float:
    """Width in half-em cells: a Chinese character takes two, a Latin one one, and each
    change between Chinese and Latin script half a cell more -- Word and LibreOffice set a
    little space there ("2014年2月19日" has five such changes)."""
    wide = [ord(char) > 0x2E7F for char in text]
    changes = sum(1 for before, after in pairwise(wide) if before != after)
    return float(sum(2 if flag else 1 for flag in wide)) + changes / 2


# What a line never breaks inside: a year (2014年), a month and day (2月28日), a number or
# Latin word; any other character stands alone (Chinese breaks between any two).
_TOKEN = re.compile(r"\d{1,2}月\d{1,2}日|\d{4}年|\d{1,2}月|[0-9A-Za-z.,:/%+\-]+|.", re.DOTALL)
# 禁则: what may not begin a line (closing punctuation) and what may not end one (opening).
_CLOSING = frozenset("，。、；：？！）》」』”’%…")
_OPENING = frozenset("（《「『“‘")


def _pieces(text: str) -> list[str]:
    """The pieces a line may break between."""
    pieces: list[str] = []
    glue = False
    for piece in _TOKEN.findall(text):
        if pieces and (glue or piece[0] in _CLOSING):
            pieces[-1] += piece
        else:
            pieces.append(piece)
        glue = piece[-1] in _OPENING
    return pieces


def _tokens(text: str) -> list[float]:
    """The widths (half-em cells) of the pieces a line may break between."""
    return [_display_width(piece) for piece in _pieces(text)]


def _wrap_points(pieces: list[str], width: float) -> list[int]:
    """The offsets in the text at which the lines after the first begin, filling each line
    with whole pieces (a piece wider than the column is left to the renderer)."""
    offsets: list[int] = []
    used, offset = 0.0, 0
    for piece in pieces:
        size = _display_width(piece)
        if used > 0 and used + size > width + 1e-9:
            offsets.append(offset)
            used = 0.0
        used += size
        offset += len(piece)
    return offsets


def _lines(tokens: list[float], width: float) -> int:
    """How many lines pieces of these widths take in a column ``width`` cells wide."""
    lines, used = 1, 0.0
    for token in tokens:
        if used > 0 and used + token > width + 1e-9:
            lines += 1
            used = 0.0
        used += token
        if used > width + 1e-9:  # wider than the column: broken inside
            extra = math.ceil(used / width - 1e-9) - 1
            lines += extra
            used -= extra * width
    return lines
