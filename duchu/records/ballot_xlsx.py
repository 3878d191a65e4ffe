"""Ballots from a workbook (``.xlsx``), as WPS and Excel save a sheet by default.

The first sheet is laid out like the ballot CSV (../shared/spec/RECORDS.md): a header row, then a
row per form. A problem is placed at its cell, ``file.xlsx:ROW:COLUMN`` with the column as the sheet
shows it (``C``). Nothing is guessed: a formula, a number (or date, truth value, error)
where a rating belongs, a merged range, a second sheet with something in it, are errors.

What a workbook is, is openpyxl's to say: it opens the package (its parts, the workbook, the
shared strings) and is the reference reader of cells, streamed (read-only mode). Through
openpyxl's cell objects a million forms take over a minute, so the rows of a sheet are read
by a scanner of the sheet's XML in the shapes that Excel, WPS, LibreOffice, openpyxl and
XlsxWriter write -- ``<c r="B2" s="1" t="s"><v>3</v></c>`` and its few kin -- one regular
expression over a megabyte at a time. Every cell element of the sheet is matched by it; one
it cannot read to the letter (rich text, a comment between cells, an entity it does not
know) hands the whole sheet to openpyxl, read from its start, so either way a sheet is read
the one way openpyxl reads it (the tests hold the two readers to the same cells).

A file that is not a workbook (a CSV renamed, an old ``.xls``, an encrypted workbook, a zip
bomb) is one problem that says what it is and what to do. So is a workbook damaged within, a
sheet no spreadsheet and no XML parser reads as it stands -- a character XML 1.0 forbids, a
character reference past Unicode, a number cell holding ``NaN`` or five thousand digits, a
shared string that is not there, a cell or merged range outside Excel's grid, a DTD (no part
of a package has one: its entities are never expanded, nothing outside the workbook is read),
XML cut short or not well-formed: ``xlsx-not-workbook`` at the cell when the scanner met it
there, else at ``A1`` with what the parser said. A form number holding a control or
bidirectional character is ``control-in-text`` at its cell, as it would be in a record.
"""

from __future__ import annotations

import math
import re
import threading
import zipfile
import zlib
from collections.abc import Callable, Generator, Iterator
from pathlib import Path
from queue import Queue
from typing import IO, Any

from duchu.problems import Problem, column_letters, problem
from duchu.records.ballot_counts import (
    CONTROL_IN_TEXT,
    BallotCounter,
    BallotFileError,
    Counts,
    Typed,
)
from duchu.records.workbook import _Book, _error_detail, _Sheet, _snippet

MAIN_NS = b"http://schemas.openxmlformats.org/spreadsheetml/2006/main"
EXCEL_ROWS = 1_048_576
EXCEL_COLUMNS = 16_384
_CHUNK = 1 << 20


_COLUMN_INDEX: dict[bytes, int] = {}


def _column_index(letters: bytes) -> int:
    """0-based index of a column written in letters (b"A" -> 0)."""
    index = 0
    for byte in letters:
        index = index * 26 + byte - 64
    return index - 1


# --- the fast reader of a sheet's rows -----------------------------------------------------------


class _Unsure(Exception):
    """The sheet holds something the scanner does not read to the letter: openpyxl reads it."""


class _Damaged(Exception):
    """The workbook holds what no spreadsheet and no XML parser reads (``detail``: what, as
    the part spells it): one ``xlsx-not-workbook`` problem, at its cell when that is known."""

    def __init__(self, detail: str, row: int = 0, column: int = 0) -> None:
        super().__init__(detail)
        self.detail = detail
        self.row = row
        self.column = column

    def place(self, row: int, column: int) -> None:
        """Put the damage at the cell where it was met, unless it has its own place."""
        if not self.row:
            self.row, self.column = row, column

    def problem(self, rel_path: str) -> Problem:
        return problem(
            rel_path,
            "xlsx-not-workbook",
            line=self.row or 1,
            column=self.column or 1,
            detail=self.detail,
        )


# Characters XML 1.0 forbids (all but tab, newline and carriage return of C0; the surrogates;
# U+FFFE and U+FFFF): no parser reads a part that holds one, written or referenced.
_FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
# Text that can disguise itself (../shared/spec/RECORDS.md, "Numbers and text"): not in a form
# number.
_CONTROL = CONTROL_IN_TEXT


def _allowed(code: int) -> bool:
    """Whether XML 1.0 allows the character (``Char``, XML 1.0 section 2.2)."""
    if code < 0x20:
        return code in (0x9, 0xA, 0xD)
    return code <= 0xD7FF or 0xE000 <= code <= 0xFFFD or 0x10000 <= code <= 0x10FFFF


def _cell_pattern(prefix: bytes) -> re.Pattern[bytes]:
    p = re.escape(prefix)
    # groups: column letters, row number, attributes after r, <v> text, inline text,
    # formula, and -- for a cell element in any other shape -- what follows "<c"
    return re.compile(
        rb"<" + p + rb"c(?:"
        rb' r="([A-Z]{1,3})([0-9]{1,7})"([^>/]*)'
        rb"(?:/>|>(?:<" + p + rb"v>([^<]*)</" + p + rb"v>"
        rb"|<"
        + p
        + rb"is><"
        + p
        + rb't(?: xml:space="preserve")?>([^<]*)</'
        + p
        + rb"t></"
        + p
        + rb"is>"
        rb"|(<" + p + rb"f[\s>/].*?)"
        rb"|)</" + p + rb"c>)"
        rb"|([\s>/]))",
        re.DOTALL,
    )


_ROOT = re.compile(rb"<(?:([A-Za-z_][\w.-]*):)?worksheet[\s>]")
_TYPE = re.compile(rb'\st="([^"]*)"')
_ENTITY = re.compile(r"&(#x[0-9A-Fa-f]+|#[0-9]+|amp|lt|gt|quot|apos);")
_NAMED = {"amp": "&", "lt": "<", "gt": ">", "quot": '"', "apos": "'"}
_KINDS = {b"b": "bool", b"e": "error", b"d": "date"}


def _entity(match: re.Match[str]) -> str:
    name = match.group(1)
    if name[0] != "#":
        return _NAMED[name]
    hexadecimal = name[1] == "x"
    digits = (name[2:] if hexadecimal else name[1:]).lstrip("0") or "0"
    if len(digits) > 7:  # past U+10FFFF, however many digits it is written with
        raise _Damaged(_snippet(match.group(0)))
    code = int(digits, 16 if hexadecimal else 10)
    if not _allowed(code):  # NUL, ESC, a surrogate, U+110000 ...: no parser reads it
        raise _Damaged(_snippet(match.group(0)))
    return chr(code)


def _text(raw: bytes) -> str:
    """Cell text as an XML parser gives it: character and the five entities resolved; text
    no parser reads (not UTF-8, a character XML forbids) is damage."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as err:
        raise _Damaged(_snippet(raw[max(err.start - 8, 0) : err.end + 8])) from None
    if "&" in text:
        resolved = _ENTITY.sub(_entity, text)
        left = _ENTITY.sub("", text).find("&")
        if left >= 0:  # an "&" that starts no reference XML knows (a sheet has no DTD)
            raise _Damaged(_snippet(_ENTITY.sub("", text)[left : left + 12]))
        text = resolved
    forbidden = _FORBIDDEN.search(text)
    if forbidden is not None:
        raise _Damaged(f"U+{ord(forbidden[0]):04X}")
    if "\r" in text:
        raise _Unsure  # line ends are the parser's to normalise
    return text


def _shared(strings: list[str], value: bytes) -> str:
    """The shared string a cell's ``<v>`` names: one that is not there is damage."""
    try:
        index = int(value)
    except ValueError:
        if b"&" in value or b"\r" in value:
            raise _Unsure from None  # a character reference, a line end: the parser's
        index = -1
    if not 0 <= index < len(strings):
        raise _Damaged(_snippet(b't="s" <v>' + value + b"</v>"))
    return strings[index]


_ENCODING = re.compile(rb"""<\?xml[^>]*?\sencoding\s*=\s*["']([^"']*)["']""")


def _prolog_checked(prolog: bytes) -> None:
    """What comes before a sheet's root element: a DTD is damage (no part of a package has
    one, ../shared/spec/RECORDS.md's workbook is read from itself alone), an encoding other than
    UTF-8 is the parser's to read."""
    if b"<!DOCTYPE" in prolog or b"<!ENTITY" in prolog:
        raise _Damaged("<!DOCTYPE", 1, 1)
    declared = _ENCODING.search(prolog)
    if declared is not None and declared.group(1).lower() not in (b"utf-8", b"utf8"):
        raise _Unsure


def _chunks(stream: IO[bytes]) -> Generator[bytes, None, None]:
    """The stream's bytes a megabyte at a time, unpacked in a thread (zlib lets go of the
    interpreter while it inflates, so unpacking and scanning overlap)."""
    queue: Queue[bytes | BaseException | None] = Queue(maxsize=4)
    stop = threading.Event()

    def pump() -> None:
        try:
            while not stop.is_set():
                data = stream.read(_CHUNK)
                if not data:
                    break
                queue.put(data)
        except BaseException as err:  # handed to the reader, raised there
            queue.put(err)
            return
        queue.put(None)

    thread = threading.Thread(target=pump, daemon=True)
    thread.start()
    try:
        while True:
            item = queue.get()
            if item is None:
                return
            if isinstance(item, BaseException):
                raise item
            yield item
    finally:
        stop.set()
        while thread.is_alive():  # let a blocked put finish
            try:
                queue.get_nowait()
            except Exception:
                thread.join(0.01)


# How the zip module says a part cannot be read out of its package.
_PACKAGE_ERRORS = (zipfile.BadZipFile, zlib.error, EOFError, OSError, KeyError, RuntimeError)
_Watch = Callable[[int, dict[int, Any]], None]


class _Scan:
    """The rows of one sheet part, read by the scanner: ``rows`` yields (row number, {column
    index: value}) for every row with something in it; merged ranges are collected from
    what follows the sheet's data, and formulas are reported as they are met."""

    def __init__(self, book: _Book, path: str, report: Any, watch: _Watch | None = None) -> None:
        self.book = book
        self.path = path
        self.report = report  # called with (row, column, kind, text) for a formula
        # called with (row, cells) before a row is yielded, for the rows that may hold text
        # with a control character in it (none, in a sheet as people write them)
        self.watch = watch
        self.merged: list[str] = []

    def rows(self) -> Iterator[tuple[int, dict[int, Any]]]:
        try:
            with self.book.archive.open(self.path) as stream:
                chunks = _chunks(stream)
                try:
                    yield from self._rows(chunks)
                finally:
                    chunks.close()
        except (_Unsure, _Damaged):
            raise
        except _PACKAGE_ERRORS as err:  # the part itself: a bad CRC, a cut or foreign stream
            raise _Damaged(_error_detail(err)) from None
        except Exception:  # anything else the scanner did not foresee: openpyxl's to read
            raise _Unsure from None

    def _rows(self, chunks: Iterator[bytes]) -> Iterator[tuple[int, dict[int, Any]]]:
        buffer, prefix = self._prolog(chunks)
        if buffer is None:
            return
        pattern = _cell_pattern(prefix)
        end_tag = b"</" + prefix + b"sheetData>"
        row_end = b"</" + prefix + b"row>"
        strings = self.book.strings
        watch = self.watch
        suspect = watch is not None and self.book.strings_suspect()
        shared: dict[bytes, str] = {}
        inlined: dict[bytes, str] = {}
        types: dict[bytes, bytes] = {}
        columns = _COLUMN_INDEX
        current = b""
        cells: dict[int, Any] = {}
        done = False
        while not done:
            end = buffer.find(end_tag)
            if end >= 0:
                head, tail, done = buffer[:end], buffer[end:], True
            else:
                cut = buffer.rfind(row_end)
                if cut < 0:
                    more = next(chunks, None)
                    if more is None:
                        raise _Unsure  # the sheet's data never ends
                    if len(buffer) > 64 << 20:
                        raise _Unsure  # one row of more than 64 MB: not a ballot
                    buffer += more
                    continue
                cut += len(row_end)
                head, tail = buffer[:cut], buffer[cut:]
            if b"<!" in head or b"<?" in head or b"xmlns" in head:
                raise _Unsure
            try:
                for letters, number, attrs, value, inline, formula, odd in pattern.findall(head):
                    if odd:
                        raise _Unsure
                    if number != current:  # a new row (its number: no 0, no leading 0)
                        if cells:
                            row = int(current)
                            if suspect and watch is not None:
                                watch(row, cells)
                            yield row, cells
                            cells = {}
                        if number[0] == 48 or (len(number) == 7 and int(number) > EXCEL_ROWS):
                            raise _Damaged(_snippet(b'r="' + letters + number + b'"'), 1, 1)
                        current = number
                    kind = types.get(attrs)
                    if kind is None:
                        found = _TYPE.search(attrs)
                        kind = found.group(1) if found else b"n"
                        if len(types) < 4096:
                            types[attrs] = kind
                    column = columns.get(letters)
                    if column is None:
                        column = _column_index(letters)
                        if column >= EXCEL_COLUMNS:  # past XFD
                            raise _Damaged(_snippet(b'r="' + letters + number + b'"'), 1, 1)
                        columns[letters] = column
                    if formula:
                        self.report(int(number), column + 1, formula)
                        continue
                    if kind == b"s":
                        if not value:
                            continue
                        text = shared.get(value)
                        if text is None:
                            text = _shared(strings, value)
                            if len(shared) < 4096:
                                shared[value] = text
                    elif kind == b"n":
                        if not value:
                            continue
                        cells[column] = Typed("number", _number(value))
                        continue
                    elif kind == b"inlineStr":
                        text = inlined.get(inline)
                        if text is None:
                            text = _text(inline)  # character references and all, once each
                            if not suspect and _CONTROL.search(text):
                                suspect = True
                            if len(inlined) < 4096:
                                inlined[inline] = text
                    elif kind == b"str":
                        text = _text(value)
                        if not suspect and _CONTROL.search(text):
                            suspect = True
                    elif kind in (b"b", b"e", b"d"):
                        if not value:
                            continue
                        shown = _text(value)
                        if not suspect and _CONTROL.search(shown):
                            suspect = True
                        if kind == b"b":
                            if shown.strip() not in ("0", "1"):
                                raise _Damaged(_snippet(b"<v>" + value + b"</v>"))
                            shown = "TRUE" if shown.strip() == "1" else "FALSE"
                        cells[column] = Typed(_KINDS[kind], shown)
                        continue
                    else:
                        raise _Unsure
                    if text:
                        cells[column] = text
            except _Damaged as err:
                err.place(int(number), _column_index(letters) + 1)
                raise
            if not done:
                more = next(chunks, None)
                if more is None:
                    raise _Unsure  # the sheet's data never ends
                buffer = tail + more
        if cells:
            row = int(current)
            if suspect and watch is not None:
                watch(row, cells)
            yield row, cells
        self.merged = _merged_in(tail, chunks, prefix)

    def _prolog(self, chunks: Iterator[bytes]) -> tuple[bytes | None, bytes]:
        """The bytes from the start of the sheet's data, and the prefix of the main
        namespace; None when the sheet has no data."""
        buffer = b""
        for chunk in chunks:
            buffer += chunk
            root = _ROOT.search(buffer)
            if root is None:
                if len(buffer) > 16 << 20:
                    raise _Unsure
                continue
            prefix = root.group(1) or b""
            close = buffer.find(b">", root.end() - 1)
            if close < 0:
                continue
            _prolog_checked(buffer[: root.start()])
            tag = buffer[root.start() : close]
            declared = b"xmlns:" + prefix + b'="' if prefix else b'xmlns="'
            if (declared + MAIN_NS + b'"') not in tag or tag.count(MAIN_NS) != 1:
                raise _Unsure  # another namespace, or the main one under two names
            start = re.search(rb"<" + re.escape(prefix) + rb"sheetData(\s*/?)>", buffer)
            if start is None:
                if len(buffer) > 16 << 20:
                    raise _Unsure
                continue
            if start.group(1).strip() == b"/":
                rest = buffer[start.end() :]
                self.merged = _merged_in(rest, chunks, prefix)
                return None, prefix
            return buffer[start.end() :], prefix
        raise _Unsure


def _merged_in(buffer: bytes, chunks: Iterator[bytes], prefix: bytes) -> list[str]:
    """The merged ranges named in what is left of a sheet part."""
    pattern = re.compile(
        rb"<" + re.escape(prefix) + rb'mergeCell\s+ref\s*=\s*["\']([A-Za-z0-9:$]+)["\']'
    )
    found: list[str] = []
    keep = b""
    for chunk in (buffer, *chunks):
        data = keep + chunk
        found.extend(m.decode("ascii") for m in pattern.findall(data))
        keep = data[-256:]  # an element cut by the chunk's end (found twice: kept once)
    return list(dict.fromkeys(found))


def _merged_by_scan(book: _Book, path: str) -> list[str]:
    """The merged ranges of a sheet part, for the sheets openpyxl read (read-only mode
    does not keep them)."""
    try:
        with book.archive.open(path) as stream:
            chunks = _chunks(stream)
            try:
                first = next(chunks, b"")
                root = _ROOT.search(first)
                prefix = (root.group(1) or b"") if root else b""
                return _merged_in(first, chunks, prefix)
            finally:
                chunks.close()
    except _PACKAGE_ERRORS as err:
        raise _Damaged(_error_detail(err)) from None


_REFERENCE = re.compile(r"\$?([A-Za-z]{1,3})\$?([0-9]{1,7})")


def _top_left(ref: str) -> tuple[int, int]:
    """The row and column of a merged range's first cell; a range that names no cell of
    Excel's grid (``A0``, ``XFE1``, five thousand digits) is damage."""
    found = _REFERENCE.fullmatch(ref.split(":")[0])
    if found is not None:
        row = int(found.group(2))
        column = _column_index(found.group(1).upper().encode()) + 1
        if 1 <= row <= EXCEL_ROWS and 1 <= column <= EXCEL_COLUMNS:
            return row, column
    raise _Damaged(_snippet(f'mergeCell ref="{ref}"'), 1, 1)


# --- openpyxl's reading, for any sheet ----------------------------------------------------------


def _openpyxl_rows(
    sheet: Any, report: Any, watch: _Watch | None = None
) -> Iterator[tuple[int, dict[int, Any]]]:
    """The rows of a sheet as openpyxl reads them, in the scanner's terms (a cell outside
    Excel's grid, a number past a double's range: damage, as the scanner finds them)."""
    sheet.reset_dimensions()  # a sheet's own idea of its size can be wrong: read it all
    for number, row in enumerate(sheet.iter_rows(), start=1):
        if number > EXCEL_ROWS:
            raise _Damaged(f"> {EXCEL_ROWS}", 1, 1)
        cells: dict[int, Any] = {}
        for cell in row:
            value = cell.value
            if value is None:
                continue
            index = cell.column - 1
            if index >= EXCEL_COLUMNS:
                raise _Damaged(f"> {column_letters(EXCEL_COLUMNS)}", 1, 1)
            kind = cell.data_type
            if kind == "f":
                formula = value if isinstance(value, str) else getattr(value, "text", "")
                report(number, index + 1, str(formula))
            elif kind == "s":
                text = str(value)
                if text:
                    cells[index] = text
            elif kind == "b":
                cells[index] = Typed("bool", "TRUE" if value else "FALSE")
            elif kind == "e":
                cells[index] = Typed("error", str(value))
            elif kind == "d":
                cells[index] = Typed("date", str(value))
            else:
                if isinstance(value, float) and not math.isfinite(value):
                    raise _Damaged(_snippet(f"<v>{value}</v>"), number, index + 1)
                cells[index] = Typed("number", _number_text(value))
        if cells:
            if watch is not None:
                watch(number, cells)
            yield number, cells


def _guarded(
    rows: Iterator[tuple[int, dict[int, Any]]],
) -> Generator[tuple[int, dict[int, Any]], None, None]:
    """openpyxl's rows, whatever stops its reading of them (its XML parser on XML not well
    formed, a DTD's entities, a value it cannot convert) made damage: one problem."""
    try:
        yield from rows
    except _Damaged:
        raise
    except Exception as err:
        raise _Damaged(_error_detail(err)) from None


_NUMBER = re.compile(rb"[ \t\n]*[-+]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][-+]?[0-9]+)?[ \t\n]*")


def _number(raw: bytes) -> str:
    """A number cell's text as openpyxl's value shows it (``1E+3`` -> ``1000``); what no
    spreadsheet writes as a number (``NaN``, 5,000 digits, past a double's range) is damage."""
    if raw.isdigit() and raw[0] != 48 and len(raw) < 16:  # b"0"
        return raw.decode()
    if len(raw) > 400 or not _NUMBER.fullmatch(raw):
        if b"&" in raw or b"\r" in raw:
            raise _Unsure  # a character reference, a line end: the parser's to read
        raise _Damaged(_snippet(b"<v>" + raw + b"</v>"))
    text = raw.decode()
    if not math.isfinite(float(text)):
        raise _Damaged(_snippet(b"<v>" + raw + b"</v>"))
    value: float | int = float(text) if any(c in text for c in ".Ee") else int(text)
    return _number_text(value)


def _number_text(value: object) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _has_data(book: _Book, sheet: _Sheet) -> bool:
    """Whether a sheet other than the first holds anything (a chart sheet always does); its
    damage is the workbook's, named by the sheet's title and cell (problems stand on the
    first sheet's grid)."""
    try:
        return _holds_anything(book, sheet)
    except _Damaged as err:
        cell = f"!{column_letters(err.column)}{err.row}" if err.row else ""
        raise _Damaged(f"{_snippet(sheet.title)}{cell}: {err.detail}", 1, 1) from None


def _holds_anything(book: _Book, sheet: _Sheet) -> bool:
    from openpyxl.worksheet._read_only import ReadOnlyWorksheet

    if not isinstance(sheet.worksheet, ReadOnlyWorksheet):
        return True
    formulas: list[int] = []
    if sheet.path is not None:
        try:
            scan = _Scan(book, sheet.path, lambda *_: formulas.append(1))
            for _ in scan.rows():
                return True
            return bool(formulas or scan.merged)
        except _Unsure:
            formulas.clear()
    rows = _guarded(_openpyxl_rows(sheet.worksheet, lambda *_: formulas.append(1)))
    try:
        for _ in rows:
            return True
    finally:
        rows.close()
    return bool(formulas)


def _list_sheet(sheet: _Sheet) -> bool:
    """Whether a sheet is the hidden list the ballot template's drop-downs offer (written by
    ``duchu.records.ballot_sheet`` when a rating holds a comma or a quote): hidden, and
    nothing in it but text in column A -- no sheet a form could have been typed into."""
    from openpyxl.worksheet._read_only import ReadOnlyWorksheet

    if not isinstance(sheet.worksheet, ReadOnlyWorksheet):
        return False
    worksheet: Any = sheet.worksheet  # openpyxl's stubs type iter_rows for Worksheet only
    if worksheet.sheet_state == "visible":
        return False
    try:
        for row in worksheet.iter_rows():
            for cell in row:
                value = getattr(cell, "value", None)
                if value is None:
                    continue
                if cell.column != 1 or not isinstance(value, str) or cell.data_type != "s":
                    return False
    except Exception:  # damage: the sheet is then reported as any other
        return False
    return True


# --- ballots ------------------------------------------------------------------------------------


def read_workbook_ballots(
    source: Path | bytes,
    rel_path: str,
    *,
    subjects: list[str],
    team: str,
    ratings: list[str],
) -> tuple[Counts | None, list[Problem]]:
    """The counts of a ballot workbook's first sheet, and its problems, each at its cell."""
    try:
        book = _Book(source, rel_path)
    except BallotFileError as err:
        return None, [err.problem]
    except OSError as err:
        return None, [problem(rel_path, "ballots-missing", line=1, column=1, file=err.filename)]
    with book:
        try:
            return _read_book(book, rel_path, subjects, team, ratings)
        except _Damaged as err:  # the workbook is damaged within: one problem, where it is
            return None, [err.problem(rel_path)]


def _read_book(
    book: _Book, rel_path: str, subjects: list[str], team: str, ratings: list[str]
) -> tuple[Counts | None, list[Problem]]:
    first = book.sheets[0]
    from openpyxl.worksheet._read_only import ReadOnlyWorksheet

    if not isinstance(first.worksheet, ReadOnlyWorksheet):
        return None, [problem(rel_path, "xlsx-not-a-sheet", line=1, column=1, sheet=first.title)]
    extra = [
        problem(rel_path, "xlsx-second-sheet", line=1, column=1, sheet=sheet.title)
        for sheet in book.sheets[1:]
        if _has_data(book, sheet) and not _list_sheet(sheet)
    ]
    result = None
    if first.path is not None:
        try:
            result = _count(book, first, rel_path, subjects, team, ratings, fast=True)
        except _Unsure:
            result = None
    if result is None:
        result = _count(book, first, rel_path, subjects, team, ratings, fast=False)
    counts, found = result
    return counts, extra + found


def _count(
    book: _Book,
    sheet: _Sheet,
    rel_path: str,
    subjects: list[str],
    team: str,
    ratings: list[str],
    *,
    fast: bool,
) -> tuple[Counts | None, list[Problem]]:
    counter = BallotCounter(rel_path, subjects=subjects, team=team, ratings=ratings)

    def formula(row: int, column: int, text: object) -> None:
        counter.problems.add(problem(rel_path, "ballot-formula-cell", line=row, column=column))

    def form_number(row: int, cells: dict[int, Any]) -> None:
        """A form number is text as a record's is: no control or bidirectional character."""
        index = counter.ballot_index
        value = cells.get(index) if index is not None else None
        if index is None or value is None:
            return
        found = _CONTROL.search((value.text if isinstance(value, Typed) else value).strip())
        if found is not None:
            counter.problems.add(
                problem(
                    rel_path,
                    "control-in-text",
                    line=row,
                    column=index + 1,
                    code_point=f"U+{ord(found[0]):04X}",
                )
            )

    scan = _Scan(book, sheet.path or "", formula, form_number) if fast else None
    rows = (
        scan.rows()
        if scan is not None
        else _guarded(_openpyxl_rows(sheet.worksheet, formula, form_number))
    )
    try:
        first = next(rows, None)
        if first is None or first[0] != 1:
            return None, [problem(rel_path, "ballot-empty", line=1, column=1)]
        _, header_cells = first
        width = max(header_cells) + 1
        if width > EXCEL_COLUMNS:
            return None, [problem(rel_path, "xlsx-not-workbook", line=1, column=1, detail="XFD")]
        names = [""] * width
        for index, value in header_cells.items():
            names[index] = (value.text if isinstance(value, Typed) else value).strip()
        counter.header(names, list(range(1, width + 1)))
        counter.count_cells(rows)
    finally:
        close = getattr(rows, "close", None)
        if close is not None:
            close()
    merged = (
        scan.merged
        if scan is not None
        else (_merged_by_scan(book, sheet.path) if sheet.path is not None else [])
    )
    for ref in merged:
        row, column = _top_left(ref)
        counter.problems.add(problem(rel_path, "xlsx-merged", line=row, column=column, range=ref))
    capped = counter.problems
    found = list(capped.items)
    found.extend(
        counter.cell_problem(line, index + 1, form, subject, value)
        for line, index, form, subject, value in capped.bad_cells
    )
    found.extend(capped.rest(counter.last_line))
    return counter.result(), found
