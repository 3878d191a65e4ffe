"""Ballots from a workbook (``.xlsx``), as WPS and Excel save a sheet by default.

The first sheet is laid out like the ballot CSV (RECORDS.md): a header row, then a row per
form. A problem is placed at its cell, ``file.xlsx:ROW:COLUMN`` with the column as the sheet
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
bomb) is one problem that says what it is and what to do.
"""

from __future__ import annotations

import re
import threading
import warnings
import zipfile
from collections.abc import Generator, Iterator
from dataclasses import dataclass
from io import BytesIO
from pathlib import Path
from queue import Queue
from typing import IO, Any

from duchu.appraisal import (
    OLE_MAGIC,
    ZIP_MAGIC,
    BallotCounter,
    BallotFileError,
    Counts,
    Typed,
)
from duchu.problems import Problem, problem

MAIN_NS = b"http://schemas.openxmlformats.org/spreadsheetml/2006/main"
EXCEL_ROWS = 1_048_576
EXCEL_COLUMNS = 16_384
# A zip bomb: parts that claim to unpack to far more than any workbook does. A sheet of
# ballots packs 10 to 20 to one; deflate cannot pack better than about 1,000 to one.
BOMB_RATIO = 200
BOMB_FLOOR = 64 << 20  # what any workbook may unpack to, whatever its ratio
_CHUNK = 1 << 20

_ENCRYPTED = "EncryptedPackage".encode("utf-16-le")


_COLUMN_INDEX: dict[bytes, int] = {}


def _column_index(letters: bytes) -> int:
    """0-based index of a column written in letters (b"A" -> 0)."""
    index = 0
    for byte in letters:
        index = index * 26 + byte - 64
    return index - 1


# --- opening ------------------------------------------------------------------------------------


def _head(source: Path | bytes, size: int) -> bytes:
    if isinstance(source, bytes):
        return source[:size]
    with open(source, "rb") as handle:
        return handle.read(size)


def _refusal(rel_path: str, code: str, **args: Any) -> BallotFileError:
    return BallotFileError(problem(rel_path, code, line=1, column=1, **args))


def _not_a_workbook(source: Path | bytes, rel_path: str) -> BallotFileError:
    """What a file named .xlsx that is not a zip package is: say so in its own terms."""
    head = _head(source, 1 << 16)
    if head.startswith(OLE_MAGIC):
        # an Office "compound file": an encrypted workbook wraps its package in one, and an
        # old .xls (or WPS .et) is one
        whole = head if len(head) < 1 << 16 else _head(source, 64 << 20)
        if _ENCRYPTED in whole:
            return _refusal(rel_path, "xlsx-encrypted")
        return _refusal(rel_path, "xlsx-old-format")
    if not head:
        return _refusal(rel_path, "ballot-empty")
    text = head.lstrip(b"\xef\xbb\xbf")
    try:
        text.decode("utf-8")
        is_text = True
    except UnicodeDecodeError as err:
        is_text = err.start >= len(text) - 3  # a character cut at the end of the sample
    if not is_text:
        try:
            text.decode("gbk")
            is_text = True
        except UnicodeDecodeError:
            is_text = False
    if is_text and b"\x00" not in text:
        return _refusal(rel_path, "xlsx-is-text")
    return _refusal(rel_path, "xlsx-not-workbook", detail="zip")


def _open_zip(source: Path | bytes, rel_path: str) -> zipfile.ZipFile:
    if not _head(source, 4).startswith(ZIP_MAGIC):
        raise _not_a_workbook(source, rel_path)
    try:
        archive = zipfile.ZipFile(BytesIO(source) if isinstance(source, bytes) else source)
    except (zipfile.BadZipFile, OSError, ValueError, EOFError) as err:
        raise _refusal(rel_path, "xlsx-not-workbook", detail=str(err)) from None
    packed = sum(info.compress_size for info in archive.infolist())
    unpacked = sum(info.file_size for info in archive.infolist())
    if unpacked > max(BOMB_FLOOR, BOMB_RATIO * packed):
        archive.close()
        raise _refusal(rel_path, "xlsx-bomb", size=unpacked, packed=packed)
    return archive


@dataclass
class _Sheet:
    title: str
    path: str | None  # its part in the package (None: not a worksheet, or unknown)
    worksheet: Any  # openpyxl's read-only worksheet, or its chartsheet


class _Book:
    """An opened ballot workbook: the package, openpyxl's view of it, its sheets."""

    def __init__(self, source: Path | bytes, rel_path: str) -> None:
        self.rel_path = rel_path
        self.archive = _open_zip(source, rel_path)
        try:
            self._open_workbook(source)
        except BaseException:
            self.archive.close()
            raise

    def _open_workbook(self, source: Path | bytes) -> None:
        import openpyxl
        from openpyxl.worksheet._read_only import ReadOnlyWorksheet

        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # "extension not supported" and its kin
                self.book = openpyxl.load_workbook(
                    BytesIO(source) if isinstance(source, bytes) else str(source),
                    read_only=True,
                    data_only=False,
                    keep_links=False,
                )
        except Exception as err:  # a damaged or foreign package: openpyxl says what
            detail = str(err).splitlines()[0] if str(err) else type(err).__name__
            raise _refusal(self.rel_path, "xlsx-not-workbook", detail=detail[:200]) from None
        self.strings: list[str] = []
        self.sheets: list[_Sheet] = []
        for title in self.book.sheetnames:
            sheet = self.book[title]
            path = None
            if isinstance(sheet, ReadOnlyWorksheet):
                path = getattr(sheet, "_worksheet_path", None)
                self.strings = getattr(sheet, "_shared_strings", self.strings)
            self.sheets.append(_Sheet(title, path, sheet))
        if not self.sheets:
            raise _refusal(self.rel_path, "xlsx-not-workbook", detail="no sheet")

    def close(self) -> None:
        self.book.close()
        self.archive.close()

    def __enter__(self) -> _Book:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()


# --- the fast reader of a sheet's rows -----------------------------------------------------------


class _Unsure(Exception):
    """The sheet holds something the scanner does not read to the letter: openpyxl reads it."""


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


def _entity(match: re.Match[str]) -> str:
    name = match.group(1)
    if name[0] != "#":
        return _NAMED[name]
    code = int(name[2:], 16) if name[1] == "x" else int(name[1:])
    return chr(code)


def _text(raw: bytes) -> str:
    """Cell text as an XML parser gives it: character and the five entities resolved."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise _Unsure from None
    if "&" in text:
        resolved = _ENTITY.sub(_entity, text)
        if "&" in _ENTITY.sub("", text):
            raise _Unsure  # an entity of a DTD: the parser's to resolve
        text = resolved
    if "\r" in text:
        raise _Unsure  # line ends are the parser's to normalise
    return text


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


class _Scan:
    """The rows of one sheet part, read by the scanner: ``rows`` yields (row number, {column
    index: value}) for every row with something in it; merged ranges are collected from
    what follows the sheet's data, and formulas are reported as they are met."""

    def __init__(self, book: _Book, path: str, report: Any) -> None:
        self.book = book
        self.path = path
        self.report = report  # called with (row, column, kind, text) for a formula
        self.merged: list[str] = []

    def rows(self) -> Iterator[tuple[int, dict[int, Any]]]:
        with self.book.archive.open(self.path) as stream:
            chunks = _chunks(stream)
            try:
                yield from self._rows(chunks)
            finally:
                chunks.close()

    def _rows(self, chunks: Iterator[bytes]) -> Iterator[tuple[int, dict[int, Any]]]:
        buffer, prefix = self._prolog(chunks)
        if buffer is None:
            return
        pattern = _cell_pattern(prefix)
        end_tag = b"</" + prefix + b"sheetData>"
        row_end = b"</" + prefix + b"row>"
        strings = self.book.strings
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
            for letters, number, attrs, value, inline, formula, odd in pattern.findall(head):
                if odd:
                    raise _Unsure
                if number != current:
                    if cells:
                        yield int(current), cells
                        cells = {}
                    current = number
                kind = types.get(attrs)
                if kind is None:
                    found = _TYPE.search(attrs)
                    kind = types[attrs] = found.group(1) if found else b"n"
                column = columns.get(letters)
                if column is None:
                    column = columns[letters] = _column_index(letters)
                if formula:
                    self.report(int(number), column + 1, formula)
                    continue
                if kind == b"s":
                    if not value:
                        continue
                    text = shared.get(value)
                    if text is None:
                        try:
                            text = strings[int(value)]
                        except (IndexError, ValueError):
                            raise _Unsure from None
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
                        if len(inlined) < 4096:
                            inlined[inline] = text
                elif kind == b"str":
                    text = _text(value)
                elif kind in (b"b", b"e", b"d"):
                    if not value:
                        continue
                    shown = _text(value)
                    if kind == b"b":
                        shown = "TRUE" if shown.strip() == "1" else "FALSE"
                    cells[column] = Typed({b"b": "bool", b"e": "error", b"d": "date"}[kind], shown)
                    continue
                else:
                    raise _Unsure
                if text:
                    cells[column] = text
            if not done:
                more = next(chunks, None)
                if more is None:
                    raise _Unsure  # the sheet's data never ends
                buffer = tail + more
        if cells:
            yield int(current), cells
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
    with book.archive.open(path) as stream:
        chunks = _chunks(stream)
        try:
            first = next(chunks, b"")
            root = _ROOT.search(first)
            prefix = (root.group(1) or b"") if root else b""
            return _merged_in(first, chunks, prefix)
        finally:
            chunks.close()


# --- openpyxl's reading, for any sheet ----------------------------------------------------------


def _openpyxl_rows(sheet: Any, report: Any) -> Iterator[tuple[int, dict[int, Any]]]:
    """The rows of a sheet as openpyxl reads them, in the scanner's terms."""
    sheet.reset_dimensions()  # a sheet's own idea of its size can be wrong: read it all
    for number, row in enumerate(sheet.iter_rows(), start=1):
        cells: dict[int, Any] = {}
        for cell in row:
            value = cell.value
            if value is None:
                continue
            index = cell.column - 1
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
                cells[index] = Typed("number", _number_text(value))
        if cells:
            yield number, cells


def _number(raw: bytes) -> str:
    """A number cell's text as openpyxl's value shows it (``1E+3`` -> ``1000``)."""
    if raw.isdigit() and raw[0] != 48:  # b"0"
        return raw.decode()
    text = raw.decode()
    try:
        value: float | int = float(text) if any(c in text for c in ".Ee") else int(text)
    except ValueError:
        raise _Unsure from None
    return _number_text(value)


def _number_text(value: object) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _has_data(book: _Book, sheet: _Sheet) -> bool:
    """Whether a sheet other than the first holds anything (a chart sheet always does)."""
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
    for _ in _openpyxl_rows(sheet.worksheet, lambda *_: formulas.append(1)):
        return True
    return bool(formulas)


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
        first = book.sheets[0]
        from openpyxl.worksheet._read_only import ReadOnlyWorksheet

        if not isinstance(first.worksheet, ReadOnlyWorksheet):
            return None, [
                problem(rel_path, "xlsx-not-a-sheet", line=1, column=1, sheet=first.title)
            ]
        extra = [
            problem(rel_path, "xlsx-second-sheet", line=1, column=1, sheet=sheet.title)
            for sheet in book.sheets[1:]
            if _has_data(book, sheet)
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

    scan = _Scan(book, sheet.path or "", formula) if fast else None
    rows = scan.rows() if scan is not None else _openpyxl_rows(sheet.worksheet, formula)
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
        top_left = ref.split(":")[0].replace("$", "")
        letters = top_left.rstrip("0123456789")
        digits = top_left[len(letters) :]
        counter.problems.add(
            problem(
                rel_path,
                "xlsx-merged",
                line=int(digits) if digits.isdigit() else 1,
                column=_column_index(letters.upper().encode()) + 1 if letters.isalpha() else 1,
                range=ref,
            )
        )
    capped = counter.problems
    found = list(capped.items)
    found.extend(
        counter.cell_problem(line, index + 1, form, subject, value)
        for line, index, form, subject, value in capped.bad_cells
    )
    found.extend(capped.rest(counter.last_line))
    return counter.result(), found
