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
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path

from duchu.problems import Problem, problem

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


def exact_fraction(value: float) -> Fraction:
    """A threshold as users meant it: ``0.2`` is one fifth, not the binary float near it."""
    return Fraction(repr(value)).limit_denominator(10**6)


# --- ballot files -------------------------------------------------------------------------------


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


class _LineCounter:
    """Feeds ``csv.reader`` line by line while remembering the raw text of each line."""

    def __init__(self, handle: io.TextIOWrapper) -> None:
        self.handle = handle
        self.last_lines: list[str] = []
        self.first_line = 0
        self.lines_read = 0

    def __iter__(self) -> _LineCounter:
        return self

    def __next__(self) -> str:
        line = self.handle.readline()
        if not line:
            raise StopIteration
        self.lines_read += 1
        self.last_lines.append(line)
        return line

    def start_row(self) -> None:
        self.last_lines = []
        self.first_line = self.lines_read + 1


def read_ballots(
    path: Path,
    rel_path: str,
    *,
    subjects: list[str],
    team: str,
    ratings: list[str],
) -> tuple[Counts | None, list[Problem]]:
    """Stream a ballot CSV into ``Counts``; every bad cell is a problem at its line."""
    problems: list[Problem] = []
    allowed = set(ratings)
    known_subjects = set(subjects)
    try:
        handle = open(path, encoding="utf-8-sig", newline="")  # noqa: SIM115 -- closed below
    except OSError as err:
        return None, [problem(rel_path, "ballots-missing", line=1, column=1, file=err.filename)]
    with handle:
        lines = _LineCounter(handle)
        reader = csv.reader(lines)
        try:
            lines.start_row()
            header = next(reader, None)
            if header is None:
                return None, [problem(rel_path, "ballot-empty", line=1, column=1)]
            header = [name.strip() for name in header]
            header_columns = _cell_columns(lines.last_lines[0].rstrip("\r\n"), header)
            subject_index: dict[int, str] = {}
            invalid_index: int | None = None
            seen: set[str] = set()
            for index, name in enumerate(header):
                if name in seen and name:
                    problems.append(
                        problem(
                            rel_path,
                            "ballot-header",
                            line=1,
                            column=header_columns[index],
                            name=name,
                        )
                    )
                seen.add(name)
                if name == INVALID_COLUMN:
                    invalid_index = index
                elif name == BALLOT_COLUMN or name == "":
                    continue
                elif name in known_subjects:
                    subject_index[index] = name
                else:
                    problems.append(
                        problem(
                            rel_path,
                            "unknown-subject",
                            line=1,
                            column=header_columns[index],
                            subject=name,
                            team=team,
                        )
                    )
            counts = Counts(returned=0, invalid=0)
            for subject in subject_index.values():
                counts.by_subject[subject] = dict.fromkeys(ratings, 0)
            width = len(header)
            ratings_text = "、".join(ratings)
            lines.start_row()
            for row in reader:
                line = lines.first_line
                if not any(cell.strip() for cell in row):
                    lines.start_row()
                    continue  # a blank line (Excel leaves them at the end) is no ballot
                counts.returned += 1
                if len(row) != width:
                    problems.append(
                        problem(
                            rel_path,
                            "ballot-row-length",
                            line=line,
                            column=1,
                            found=len(row),
                            expected=width,
                        )
                    )
                if (
                    invalid_index is not None
                    and invalid_index < len(row)
                    and row[invalid_index].strip()
                ):
                    counts.invalid += 1
                    lines.start_row()
                    continue
                bad: list[tuple[int, str]] = []
                for index, subject in subject_index.items():
                    if index >= len(row):
                        continue
                    value = row[index].strip()
                    if not value:
                        continue
                    if value in allowed:
                        counts.by_subject[subject][value] += 1
                    else:
                        bad.append((index, value))
                if bad:
                    raw = "".join(lines.last_lines).rstrip("\r\n")
                    columns = _cell_columns(raw, row)
                    for index, value in bad:
                        problems.append(
                            problem(
                                rel_path,
                                "ballot-cell",
                                line=line,
                                column=columns[index],
                                row=counts.returned,
                                subject=subject_index[index],
                                value=value,
                                ratings=ratings_text,
                            )
                        )
                lines.start_row()
        except UnicodeDecodeError:
            hint = "hint-gbk" if _looks_gbk(path) else None
            return None, [
                problem(rel_path, "encoding", line=lines.lines_read + 1, column=1, hint=hint)
            ]
        except csv.Error as err:
            return None, [
                problem(rel_path, "csv-syntax", line=lines.lines_read, column=1, detail=str(err))
            ]
    return counts, problems


def _looks_gbk(path: Path) -> bool:
    try:
        path.read_bytes()[: 1 << 16].decode("gbk")
    except (UnicodeDecodeError, OSError):
        return False
    return True
