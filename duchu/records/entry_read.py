"""Reading an entry workbook back (../shared/spec/CLI.md 1.2, ``duchu import``).

The package is opened as a ballot workbook is (``duchu.records.workbook``: a zip package and
nothing else, no zip bomb) and its sheets read by openpyxl's streaming reader, which knows a
date cell by its format. What a workbook is not -- not a zip package, not exported by duchu,
for another tree or group, more rows than any group keeps -- is an ``EntryRefusal``: one
line, nothing read further. What a cell holds that it may not -- a formula, a control
character, a merged range, a number where a date belongs, a day that does not exist, a word
where a number belongs -- is a problem at ``FILE.xlsx:会议!C12``, every one of them at once.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from duchu.problems import Problem, Ref, problem
from duchu.records.ballot_counts import CONTROL_IN_TEXT, BallotFileError, Typed
from duchu.records.ballot_xlsx import (
    _Damaged,
    _guarded,
    _merged_by_scan,
    _openpyxl_rows,
    _top_left,
)
from duchu.records.dates import Calendar, DateError, parse_date, parse_deadline
from duchu.records.entry_layout import (
    DIGEST_HEADER,
    HIDDEN_COLUMNS,
    KEY_HEADER,
    MARKER,
    META_SHEET,
    Column,
    Value,
)
from duchu.records.workbook import _Book

# More rows than any group's records fill (a 2,000-unit tree's largest group has 40 units and
# 2,000 rows): a sheet past this is refused before it is read to its end.
MAX_ROWS = 20_000
_NEWLINES = re.compile(r"\r\n?")


class EntryRefusal(Exception):
    """The workbook is not one this tree can import: one line (``key`` and its arguments)."""

    def __init__(self, key: str, found: Problem | None = None, **args: object) -> None:
        super().__init__(key)
        self.key = key
        self.found = found  # the ballot reader's problem with the package, if that is why
        self.args_ = args


@dataclass
class RowIn:
    """One row of a data sheet as read: its row number, key and digest (``""`` for a new
    row), and a value per visible column an import reads (every one but a ``shown_only``
    column, which is the last of its sheet and read as nothing at all)."""

    number: int
    key: str
    digest: str
    values: list[Value]


@dataclass
class EntryIn:
    """What an entry workbook holds."""

    name: str  # the file's name as problems show it
    tree_key: str
    group_id: str
    fingerprints: dict[str, str]
    exported: dict[str, list[str]]  # sheet -> the keys of its rows at export
    sheets: dict[str, list[RowIn]] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    bad: set[tuple[str, int, int]] = field(default_factory=set)  # (sheet, row, column) with one

    def at(self, sheet: str, row: int, column: int, code: str, **args: Any) -> None:
        """A problem at a cell (``column``: the visible column's index in its sheet)."""
        self.bad.add((sheet, row, column))
        self.problems.append(
            problem(
                self.name,
                code,
                line=row,
                column=HIDDEN_COLUMNS + column + 1,
                cell_sheet=sheet,
                **args,
            )
        )


def read_entry(
    path: Path, name: str, layout: dict[str, list[Column]], calendar: Calendar
) -> EntryIn:
    """The workbook at ``path`` read against the layout (sheet -> columns)."""
    try:
        book = _Book(path, name)
    except BallotFileError as err:
        raise EntryRefusal("entry-not-workbook", err.problem, file=name) from None
    with book:
        try:
            return _read(book, name, layout, calendar)
        except _Damaged as err:
            raise EntryRefusal("entry-damaged", file=name, detail=err.detail) from None


def _sheet(book: _Book, title: str) -> Any:
    return next((s for s in book.sheets if s.title == title), None)


def _read(book: _Book, name: str, layout: dict[str, list[Column]], calendar: Calendar) -> EntryIn:
    meta = _sheet(book, META_SHEET)
    if meta is None:
        raise EntryRefusal("entry-foreign", file=name)
    rows = [cells for _, cells in _guarded(_openpyxl_rows(meta.worksheet, lambda *_: None))]
    texts = [
        [str(c.text if isinstance(c, Typed) else c) for _, c in sorted(r.items())] for r in rows
    ]
    if not texts or texts[0][:1] != [MARKER] or len(texts) < 4:
        raise EntryRefusal("entry-foreign", file=name)
    fields = {row[0]: row[1] for row in texts[1:4] if len(row) >= 2}
    entry = EntryIn(
        name=name,
        tree_key=fields.get("tree", ""),
        group_id=fields.get("group", ""),
        fingerprints={r[1]: r[2] for r in texts[4:] if len(r) == 3 and r[0] == "file"},
        exported={},
    )
    for row in texts[4:]:
        if len(row) == 3 and row[0] == "row":
            entry.exported.setdefault(row[1], []).append(row[2])
    for title, columns in layout.items():
        sheet = _sheet(book, title)
        if sheet is None:
            raise EntryRefusal("entry-sheet-missing", file=name, sheet=title)
        entry.sheets[title] = _read_sheet(book, sheet, entry, columns, calendar)
    return entry


def _read_sheet(
    book: _Book, sheet: Any, entry: EntryIn, columns: list[Column], calendar: Calendar
) -> list[RowIn]:
    title = sheet.title
    shown_only = {HIDDEN_COLUMNS + i + 1 for i, c in enumerate(columns) if c.shown_only}

    def formula(row: int, column: int, _text: object) -> None:
        if column not in shown_only:  # what is typed there is never read
            entry.at(title, row, column - HIDDEN_COLUMNS - 1, "entry-formula")

    found: list[RowIn] = []
    for number, cells in _guarded(_openpyxl_rows(sheet.worksheet, formula)):
        if number > MAX_ROWS:
            raise EntryRefusal("entry-too-many-rows", file=entry.name, sheet=title, limit=MAX_ROWS)
        if number == 1:
            _check_header(entry, title, cells, columns)
            continue
        key = _plain(cells.get(0))
        digest = _plain(cells.get(1))
        values: list[Value] = []
        for index, column in enumerate(columns):
            if column.shown_only:
                continue
            raw = cells.get(HIDDEN_COLUMNS + index)
            values.append(_value(entry, title, number, index, column, raw, calendar))
        if key or any(value is not None for value in values):
            found.append(RowIn(number, key, digest, values))
    if sheet.path is not None:
        for ref in _merged_by_scan(book, sheet.path):
            top, left = _top_left(ref)
            entry.at(title, top, left - HIDDEN_COLUMNS - 1, "entry-merged", range=ref)
    return found


def _plain(raw: object) -> str:
    if raw is None:
        return ""
    return (raw.text if isinstance(raw, Typed) else str(raw)).strip()


def _check_header(entry: EntryIn, title: str, cells: dict[int, Any], columns: list[Column]) -> None:
    wanted = [KEY_HEADER, DIGEST_HEADER, *(c.header for c in columns)]
    for index, header in enumerate(wanted):
        if _plain(cells.get(index)) != header:
            entry.at(title, 1, index - HIDDEN_COLUMNS, "entry-header", header=header)
            return


def _value(
    entry: EntryIn,
    title: str,
    row: int,
    index: int,
    column: Column,
    raw: object,
    calendar: Calendar,
) -> Value:
    """One cell's value for its column, or None with a problem at the cell."""
    if raw is None:
        return None
    if isinstance(raw, Typed) and raw.kind in ("bool", "error"):
        entry.at(title, row, index, "entry-cell-kind", value=raw.text)
        return None
    kind = column.kind
    if kind in ("date", "due"):
        if isinstance(raw, Typed) and raw.kind == "date":
            return date.fromisoformat(raw.text[:10])
        if isinstance(raw, Typed):  # a number where a date belongs: never read as a serial
            entry.at(title, row, index, "entry-number-for-date", value=raw.text)
            return None
    if kind == "int":
        return _whole(entry, title, row, index, raw)
    text = raw.text if isinstance(raw, Typed) else str(raw)
    if isinstance(raw, Typed) and raw.kind == "date":
        text = raw.text[:10]
    text = _NEWLINES.sub("\n", text).strip()
    # a line break is left to the records' own rule (``check`` on the records as imported)
    found = CONTROL_IN_TEXT.search(text.replace("\n", ""))
    if found is not None:
        entry.at(title, row, index, "control-in-text", code_point=f"U+{ord(found[0]):04X}")
        return None
    if not text:
        return None
    if kind in ("date", "due"):
        return _day(entry, title, row, index, text, calendar, phrase=kind == "due")
    return text


def _whole(entry: EntryIn, title: str, row: int, index: int, raw: object) -> Value:
    text = raw.text if isinstance(raw, Typed) else str(raw).strip()
    if isinstance(raw, Typed) and raw.kind == "number":
        try:
            number = float(text)
        except ValueError:
            number = -1.0
        if number >= 0 and number.is_integer():
            return int(number)
    elif text.isascii() and text.isdigit():
        return int(text)
    elif not text:
        return None
    entry.at(title, row, index, "entry-not-whole", value=text)
    return None


def _day(
    entry: EntryIn,
    title: str,
    row: int,
    index: int,
    text: str,
    calendar: Calendar,
    *,
    phrase: bool,
) -> Value:
    try:
        if phrase:
            deadline = parse_deadline(text, calendar)
            return text if deadline.is_phrase else deadline.day
        return parse_date(text, calendar)
    except DateError as err:
        entry.at(title, row, index, "entry-bad-date", value=text, reason=Ref(err.reason))
        return None
