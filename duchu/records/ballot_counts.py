"""Counting ballots, whatever file they come in: ``BallotCounter`` takes a header and rows
(of a CSV or of a workbook) and gives the ``Counts`` of an appraisal and the problems of its
cells, capped at ``MAX_PROBLEMS``; ``Typed`` is a workbook cell that is not text, and
``BallotFileError`` a ballot file that cannot be read at all. ``duchu.records.ballots``
(CSV) and ``duchu.records.ballot_xlsx`` (workbooks) both count with it."""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

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


ZIP_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
