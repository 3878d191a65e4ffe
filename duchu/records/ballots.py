"""Democratic appraisal (民主评议): the counts of a meeting, from ``counts`` or a ballot CSV.

A ballot CSV has one header row and one row per returned form: a column per subject, and
optionally ``invalid`` (any non-empty cell voids the form) and ``ballot`` (a form number).
It is streamed row by row, so a province's million forms never sit in memory at once.
A cell that is not a rating is an error at its line and column: a mistyped ballot must be
fixed, not guessed. Rates are exact fractions; rounding is for display only.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path
from typing import IO, Any

from duchu.problems import Problem, Ref, Severity, problem

INVALID_COLUMN = "invalid"
BALLOT_COLUMN = "ballot"


@dataclass
class Counts:
    """The forms of one appraisal and, per subject, the number of each rating."""

    returned: int
    invalid: int
    distributed: int | None = None
    by_subject: dict[str, dict[str, int]] = field(default_factory=dict)

    @property
    def valid(self) -> int:
        return self.returned - self.invalid


@dataclass(frozen=True)
class SubjectTally:
    subject: str
    counts: dict[str, int]
    rated: int
    unrated: int
    positive_rate: Fraction | None
    negative_rate: Fraction | None
    flagged: bool


def tally_subject(
    subject: str,
    counts: dict[str, int],
    valid: int,
    *,
    ratings: list[str],
    positive: list[str],
    negative: list[str],
    flag_at: Fraction,
) -> SubjectTally:
    """Rates of one subject, exactly: ``negative/rated`` compared with ``flag_at``."""
    ordered = {rating: counts.get(rating, 0) for rating in ratings}
    rated = sum(ordered.values())
    positive_count = sum(ordered.get(rating, 0) for rating in positive)
    negative_count = sum(ordered.get(rating, 0) for rating in negative)
    positive_rate = Fraction(positive_count, rated) if rated else None
    negative_rate = Fraction(negative_count, rated) if rated else None
    return SubjectTally(
        subject=subject,
        counts=ordered,
        rated=rated,
        unrated=valid - rated,
        positive_rate=positive_rate,
        negative_rate=negative_rate,
        flagged=negative_rate is not None and negative_rate >= flag_at,
    )


def percent(rate: Fraction | None) -> str:
    """A rate as people read it: one decimal place ("20.0%"), "—" when nothing was rated."""
    if rate is None:
        return "—"
    return f"{tenths_of_percent(rate) / 10:.1f}%"


def tenths_of_percent(rate: Fraction) -> int:
    """``round(rate * 1000)`` -- half to even, as Fraction rounds -- in integers: a
    province's tallies and pages ask for hundreds of thousands of rates, and Fraction's
    arithmetic made a tenth of a unit page's making."""
    whole, rest = divmod(rate.numerator * 1000, rate.denominator)
    twice = 2 * rest
    if twice > rate.denominator or (twice == rate.denominator and whole % 2):
        whole += 1
    return whole


def exact_fraction(value: float) -> Fraction:
    """A threshold as users meant it: ``0.2`` is one fifth, not the binary float near it."""
    return Fraction(repr(value)).limit_denominator(10**6)


# --- ballot files -------------------------------------------------------------------------------

# What one ballot file may cost, whatever is in it (a hostile or broken file): a line longer
# than any ballot row is refused before the csv module splits it; a header wider than a
# worksheet (Excel's 16,384 columns, XFD) is refused; and a file reports its first problems
# and then one line counting the rest -- a million bad cells are one mistake made often.
MAX_LINE = 1 << 20  # bytes in one CSV line (a ballot row has a few hundred)
MAX_COLUMNS = 16_384
MAX_PROBLEMS = 100
# A form number written as digits is remembered as a bit (1,000,000 forms: 125 KB), other
# form numbers as text, to find a number written twice without holding a million strings.
_BITMAP_DIGITS = 8


@dataclass(frozen=True, slots=True)
class Typed:
    """A workbook cell that holds something other than text (a number, date, truth value,
    error or formula): never a rating, and never turned into one by guessing."""

    kind: str  # "number", "bool", "error", "date"
    text: str

    def strip(self) -> Typed:
        return self


class BallotFileError(Exception):
    """A ballot file that cannot be read at all: one problem says why."""

    def __init__(self, found: Problem) -> None:
        super().__init__(found.code)
        self.problem = found


class _Capped:
    """The problems of one ballot file: the first ``MAX_PROBLEMS``, then only counted."""

    def __init__(self, rel_path: str) -> None:
        self.rel_path = rel_path
        self.items: list[Problem] = []
        self.bad_cells: list[tuple[int, int, int, str, str | Typed]] = []
        self.dropped = 0
        self.dropped_errors = 0

    @property
    def room(self) -> bool:
        return len(self.items) + len(self.bad_cells) < MAX_PROBLEMS

    def add(self, item: Problem) -> None:
        if self.room:
            self.items.append(item)
        else:
            self.dropped += 1
            self.dropped_errors += item.severity is Severity.ERROR

    def bad_cell(self, line: int, index: int, form: int, subject: str, value: str | Typed) -> None:
        if self.room:
            self.bad_cells.append((line, index, form, subject, value))
        else:
            self.dropped += 1
            self.dropped_errors += 1

    def rest(self, line: int) -> list[Problem]:
        """The count line of the problems not listed, placed after the last one read."""
        if not self.dropped:
            return []
        return [
            problem(
                self.rel_path,
                "ballot-more-problems",
                line=line,
                column=1,
                severity=Severity.ERROR if self.dropped_errors else Severity.WARNING,
                count=self.dropped,
                shown=MAX_PROBLEMS,
            )
        ]


# What a form number, as any text of a record, may not hold: a control or bidirectional
# character, which disguises what is shown (CSV and workbook alike).
CONTROL_IN_TEXT = re.compile("[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


class _FormNumbers:
    """The form numbers of the ``ballot`` column seen so far, to warn of one written twice."""

    def __init__(self) -> None:
        self.bits = bytearray()
        self.other: set[str] = set()

    def seen_before(self, number: str) -> bool:
        # isascii as well, here and in the counting loops: ² and ① are digits to isdigit,
        # never to int
        if (
            number.isascii()
            and number.isdigit()
            and number[0] != "0"
            and len(number) <= _BITMAP_DIGITS
        ):
            value = int(number)
            byte = value >> 3
            bits = self.bits
            if byte >= len(bits):
                bits.extend(bytes(max(byte + 1 - len(bits), len(bits))))
            mask = 1 << (value & 7)
            if bits[byte] & mask:
                return True
            bits[byte] |= mask
            return False
        if number in self.other:
            return True
        self.other.add(number)
        return False


class BallotCounter:
    """What a ballot file says, row by row, whatever it is stored in (CSV or a workbook).

    ``header`` takes the header row; ``count`` the rows of a CSV (every row the header's
    width), ``count_cells`` those of a workbook (only the filled cells: text, or ``Typed``
    for a cell that is not text); ``result`` the counts. Problems gather in ``problems``."""

    def __init__(
        self,
        rel_path: str,
        *,
        subjects: list[str],
        team: str,
        ratings: list[str],
    ) -> None:
        self.rel_path = rel_path
        self.subjects = subjects
        self.team = team
        self.ratings = ratings
        self.problems = _Capped(rel_path)
        self.counters: list[tuple[int, str, dict[str, int]]] = []
        self.invalid_index: int | None = None
        self.ballot_index: int | None = None
        self.width = 0
        self.columns: list[int] = []
        self.returned = 0
        self.invalid = 0
        self.last_line = 1
        self.row_start = 1

    def header(self, names: list[str], columns: list[int]) -> None:
        """The header row: ``columns`` are where its cells stand (for problems)."""
        known_subjects = set(self.subjects)
        seen: set[str] = set()
        for index, name in enumerate(names):
            column = columns[index]
            if name in seen and name:
                self.problems.add(
                    problem(self.rel_path, "ballot-header", line=1, column=column, name=name)
                )
            seen.add(name)
            if name == INVALID_COLUMN:
                self.invalid_index = index
            elif name == BALLOT_COLUMN:
                self.ballot_index = index
            elif name == "":
                continue
            elif name in known_subjects:
                if name not in {subject for _, subject, _ in self.counters}:
                    self.counters.append((index, name, dict.fromkeys(self.ratings, 0)))
            else:
                self.problems.add(
                    problem(
                        self.rel_path,
                        "unknown-subject",
                        line=1,
                        column=column,
                        subject=name,
                        team=self.team,
                    )
                )
        for subject in self.subjects:
            if subject not in seen:  # a leader left out would be missing from every tally
                self.problems.add(
                    problem(
                        self.rel_path,
                        "subject-missing",
                        line=1,
                        column=1,
                        severity=Severity.WARNING,
                        subject=subject,
                    )
                )
        self.width = len(names)
        self.columns = columns

    def count(self, reader: Any) -> None:
        """Count the forms of a CSV (``reader``: the csv module's, past the header); the
        loop does only what a good row needs. ``row_start`` is the line the row being read
        began on, for a syntax error in it."""
        width = self.width
        invalid_index, ballot_index = self.invalid_index, self.ballot_index
        counters, capped = self.counters, self.problems
        numbers = _FormNumbers() if ballot_index is not None else None
        bits = numbers.bits if numbers is not None else bytearray()
        returned = invalid = 0
        line = start = reader.line_num + 1
        try:
            for row in reader:
                line, start = start, reader.line_num + 1
                if not "".join(row).strip():
                    continue  # a blank line (Excel leaves them at the end) is no ballot
                returned += 1
                if len(row) != width:
                    capped.add(
                        problem(
                            self.rel_path,
                            "ballot-row-length",
                            line=line,
                            column=1,
                            found=len(row),
                            expected=width,
                        )
                    )
                    if len(row) < width:
                        row = row + [""] * (width - len(row))
                if numbers is not None:
                    number = row[ballot_index]
                    # the usual form number, inline: digits, marked in a bitmap
                    if (
                        number.isascii()
                        and number.isdigit()
                        and number[0] != "0"
                        and len(number) <= _BITMAP_DIGITS
                    ):
                        value = int(number)
                        byte, mask = value >> 3, 1 << (value & 7)
                        if byte < len(bits) and not bits[byte] & mask:
                            bits[byte] |= mask
                            number = ""
                    if (number := number.strip()) and (found := CONTROL_IN_TEXT.search(number)):
                        capped.add(
                            problem(
                                self.rel_path,
                                "control-in-text",
                                line=line,
                                column=self.columns[ballot_index],  # type: ignore[index]
                                code_point=f"U+{ord(found[0]):04X}",
                            )
                        )
                    if number and numbers.seen_before(number):
                        capped.add(
                            problem(
                                self.rel_path,
                                "ballot-duplicate",
                                line=line,
                                column=self.columns[ballot_index],  # type: ignore[index]
                                severity=Severity.WARNING,
                                ballot=_shown(number),
                            )
                        )
                if invalid_index is not None and row[invalid_index].strip():
                    invalid += 1
                    continue
                for index, subject, counter in counters:
                    value = row[index]
                    if value in counter:
                        counter[value] += 1
                    elif value := value.strip():
                        if value in counter:
                            counter[value] += 1
                        else:
                            capped.bad_cell(line, index, returned, subject, value)
        except csv.Error:
            self.row_start = start
            raise
        finally:
            self.returned += returned
            self.invalid += invalid
            self.last_line = line

    def count_cells(self, rows: Iterable[tuple[int, dict[int, Any]]]) -> None:
        """``count`` for a workbook's rows: each a mapping of column index to the cell, only
        the filled cells, and no row without one."""
        width = self.width
        invalid_index, ballot_index = self.invalid_index, self.ballot_index
        counters, capped = self.counters, self.problems
        numbers = _FormNumbers() if ballot_index is not None else None
        bits = numbers.bits if numbers is not None else bytearray()
        returned = invalid = 0
        line = self.last_line
        for line, row in rows:
            returned += 1
            if max(row) >= width:
                extra = min(index for index in row if index >= width)
                capped.add(
                    problem(
                        self.rel_path,
                        "ballot-no-column",
                        line=line,
                        column=extra + 1,
                        value=_shown(_cell_text(row[extra])),
                    )
                )
            if numbers is not None and ballot_index in row:
                number = _cell_text(row[ballot_index])
                # the usual form number, inline: digits, marked in a bitmap
                if (
                    number.isascii()
                    and number.isdigit()
                    and number[0] != "0"
                    and len(number) <= _BITMAP_DIGITS
                ):
                    form = int(number)
                    byte, mask = form >> 3, 1 << (form & 7)
                    if byte < len(bits) and not bits[byte] & mask:
                        bits[byte] |= mask
                        number = ""
                if (number := number.strip()) and numbers.seen_before(number):
                    capped.add(
                        problem(
                            self.rel_path,
                            "ballot-duplicate",
                            line=line,
                            column=ballot_index + 1,
                            severity=Severity.WARNING,
                            ballot=_shown(number),
                        )
                    )
            if invalid_index in row and row[invalid_index].strip():
                invalid += 1
                continue
            for index, subject, counter in counters:
                value = row.get(index)
                if value is None:
                    continue
                if value in counter:
                    counter[value] += 1
                elif value := value.strip():
                    if value in counter:
                        counter[value] += 1
                    else:
                        capped.bad_cell(line, index, returned, subject, value)
        self.returned += returned
        self.invalid += invalid
        self.last_line = line

    def result(self) -> Counts:
        counts = Counts(returned=self.returned, invalid=self.invalid)
        counts.by_subject = {subject: counter for _, subject, counter in self.counters}
        return counts

    def cell_problem(
        self, line: int, column: int, form: int, subject: str, value: str | Typed
    ) -> Problem:
        """The problem of one cell that is not a rating."""
        ratings = "、".join(self.ratings)
        if isinstance(value, Typed):
            return problem(
                self.rel_path,
                "ballot-not-text",
                line=line,
                column=column,
                row=form,
                subject=subject,
                value=value.text,
                kind=Ref(f"cell-kind-{value.kind}"),
                ratings=ratings,
            )
        return problem(
            self.rel_path,
            "ballot-cell",
            line=line,
            column=column,
            row=form,
            subject=subject,
            value=_shown(value),
            ratings=ratings,
        )


def _cell_text(value: str | Typed) -> str:
    return value.text if isinstance(value, Typed) else value


def _shown(value: str) -> str:
    """A cell as a problem line shows it: one line, and not a page of it."""
    value = value.replace("\r", "").replace("\n", " ")
    return value if len(value) <= 40 else value[:40] + "…"


def _cell_columns(raw_line: str, cells: list[str]) -> list[int]:
    """1-based character column where each cell of a CSV line starts."""
    columns, position = [], 0
    for cell in cells:
        columns.append(position + 1)
        if position < len(raw_line) and raw_line[position] == '"':
            # quoted cell: skip to the closing quote (doubled quotes are part of the cell)
            position += 1
            while position < len(raw_line):
                if raw_line[position] == '"':
                    if position + 1 < len(raw_line) and raw_line[position + 1] == '"':
                        position += 2
                        continue
                    break
                position += 1
            position += 1
        else:
            position += len(cell)
        position += 1  # the comma
    return columns


def read_ballots(
    path: Path | bytes,
    rel_path: str,
    *,
    subjects: list[str],
    team: str,
    ratings: list[str],
) -> tuple[Counts | None, list[Problem]]:
    """The counts of a ballot file -- a CSV, or a workbook (``.xlsx``) -- and its problems.

    Either is streamed, so a province's million forms never sit in memory at once."""
    if is_workbook(rel_path):
        from duchu.records.ballot_xlsx import read_workbook_ballots

        return read_workbook_ballots(path, rel_path, subjects=subjects, team=team, ratings=ratings)
    return read_csv_ballots(path, rel_path, subjects=subjects, team=team, ratings=ratings)


WORKBOOK_SUFFIXES = (".xlsx", ".xlsm")
OLD_WORKBOOK_SUFFIXES = (".xls", ".et", ".ods", ".numbers")


def is_workbook(rel_path: str) -> bool:
    return rel_path.lower().endswith(WORKBOOK_SUFFIXES)


def read_csv_ballots(
    path: Path | bytes,
    rel_path: str,
    *,
    subjects: list[str],
    team: str,
    ratings: list[str],
) -> tuple[Counts | None, list[Problem]]:
    """Stream a ballot CSV into ``Counts``; every bad cell is a problem at its line.

    The raw text of a line is read again only for rows that have a bad cell, to give each
    its column."""
    try:
        handle = _open_text(path)
    except OSError as err:
        return None, [problem(rel_path, "ballots-missing", line=1, column=1, file=err.filename)]
    counter = BallotCounter(rel_path, subjects=subjects, team=team, ratings=ratings)
    header_columns: list[int] = []
    with handle:
        kind = _sniff(path)
        if kind is not None:
            return None, [problem(rel_path, kind, line=1, column=1)]
        too_long = _long_line(path)
        if too_long is not None:
            return None, [
                problem(rel_path, "line-too-long", line=too_long, column=1, limit=MAX_LINE)
            ]
        reader = csv.reader(handle, strict=True)
        try:
            header = next(reader, None)
            if header is None:
                return None, [problem(rel_path, "ballot-empty", line=1, column=1)]
            if len(header) > MAX_COLUMNS:
                return None, [
                    problem(
                        rel_path,
                        "ballot-too-wide",
                        line=1,
                        column=1,
                        found=len(header),
                        limit=MAX_COLUMNS,
                    )
                ]
            header_line = ",".join(header)  # the header has no quotes in practice
            header_columns = _cell_columns(header_line, header)
            counter.header([name.strip() for name in header], header_columns)
            counter.count(reader)
        except UnicodeDecodeError:
            hint = "hint-gbk" if _looks_gbk(path) else None
            return None, [
                problem(rel_path, "encoding", line=reader.line_num + 1, column=1, hint=hint)
            ]
        except csv.Error as err:
            detail = str(err)
            unclosed = "end of data" in detail or "field limit" in detail
            return None, [
                problem(
                    rel_path,
                    "csv-syntax",
                    line=counter.row_start if unclosed else reader.line_num,
                    column=1,
                    detail=detail,
                    hint="hint-unclosed-quote" if unclosed else None,
                )
            ]
    capped = counter.problems
    found = list(capped.items)
    found.extend(_cell_problems(path, counter, capped.bad_cells))
    found.extend(capped.rest(counter.last_line))
    return counter.result(), found


def _long_line(source: Path | bytes) -> int | None:
    """The number of the first line longer than ``MAX_LINE`` bytes, if any: found by
    looking for line ends a megabyte at a time, before the csv module holds a line."""
    number = 1
    run = 0  # bytes since the last line end
    for block in _blocks(source):
        first = block.find(b"\n")
        if first < 0:
            run += len(block)
            if run > MAX_LINE:
                return number
            continue
        if run + first > MAX_LINE:
            return number
        number += block.count(b"\n")
        run = len(block) - block.rfind(b"\n") - 1
    return number if run > MAX_LINE else None


def _blocks(source: Path | bytes) -> Iterator[bytes]:
    if isinstance(source, bytes):
        for start in range(0, len(source), MAX_LINE):
            yield source[start : start + MAX_LINE]
        return
    with open(source, "rb") as handle:
        while block := handle.read(MAX_LINE):
            yield block


def _sniff(source: Path | bytes) -> str | None:
    """The code of the problem when a ".csv" file is a workbook in disguise."""
    head = source[:8] if isinstance(source, bytes) else _head(source)
    if head.startswith(ZIP_MAGIC):
        return "csv-is-workbook"
    if head.startswith(OLE_MAGIC):
        return "csv-is-old-workbook"
    return None


def _head(path: Path) -> bytes:
    try:
        with open(path, "rb") as handle:
            return handle.read(8)
    except OSError:
        return b""


ZIP_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def _cell_problems(
    path: Path | bytes,
    counter: BallotCounter,
    bad_cells: list[tuple[int, int, int, str, str | Typed]],
) -> list[Problem]:
    """``ballot-cell`` problems, each at the column where its cell starts on its line."""
    if not bad_cells:
        return []
    wanted = {line for line, *_ in bad_cells}
    raw_lines: dict[int, str] = {}
    with _open_text(path) as handle:
        for number, text in enumerate(handle, start=1):
            if number in wanted:
                raw_lines[number] = text.rstrip("\r\n")
                if len(raw_lines) == len(wanted):
                    break
    found = []
    for line, index, form, subject, value in bad_cells:
        raw = raw_lines.get(line, "")
        cells = next(csv.reader([raw]), [])
        columns = _cell_columns(raw, cells) if index < len(cells) else []
        column = columns[index] if columns else 1
        found.append(counter.cell_problem(line, column, form, subject, value))
    return found


def _open_text(source: Path | bytes) -> IO[str]:
    """A ballot file as text: a file on disk, or the bytes of a committed one (``--known``),
    read alike."""
    if isinstance(source, bytes):
        return io.TextIOWrapper(
            io.BufferedReader(io.BytesIO(source)), encoding="utf-8-sig", newline=""
        )
    return open(source, encoding="utf-8-sig", newline="")


def _looks_gbk(path: Path | bytes) -> bool:
    """Whether the start of a file that is not UTF-8 reads as GBK (WPS's other default)."""
    size = 1 << 16
    try:
        if isinstance(path, bytes):
            raw = path[:size]
        else:
            with open(path, "rb") as handle:
                raw = handle.read(size)
        raw.decode("gbk")
    except UnicodeDecodeError as err:
        # a two-byte character cut at the end of the sample is no evidence against
        return len(raw) == size and err.start >= size - 1
    except OSError:
        return False
    return True
