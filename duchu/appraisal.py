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
from typing import IO

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


def percent(rate: Fraction | None) -> str:
    """A rate as people read it: one decimal place ("20.0%"), "—" when nothing was rated."""
    if rate is None:
        return "—"
    tenths = round(rate * 1000)
    return f"{tenths / 10:.1f}%"


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


def read_ballots(
    path: Path | bytes,
    rel_path: str,
    *,
    subjects: list[str],
    team: str,
    ratings: list[str],
) -> tuple[Counts | None, list[Problem]]:
    """Stream a ballot CSV into ``Counts``; every bad cell is a problem at its line.

    The loop does only what a good row needs; the raw text of a line is read again only
    for rows that have a bad cell, to give each its column."""
    problems: list[Problem] = []
    known_subjects = set(subjects)
    try:
        handle = _open_text(path)
    except OSError as err:
        return None, [problem(rel_path, "ballots-missing", line=1, column=1, file=err.filename)]
    bad_cells: list[tuple[int, int, int, str, str]] = []  # line, index, form, subject, value
    with handle:
        reader = csv.reader(handle)
        try:
            header = next(reader, None)
            if header is None:
                return None, [problem(rel_path, "ballot-empty", line=1, column=1)]
            header_line = ",".join(header)  # the header has no quotes in practice
            header_columns = _cell_columns(header_line, header)
            header = [name.strip() for name in header]
            counters: list[tuple[int, str, dict[str, int]]] = []
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
                elif name in (BALLOT_COLUMN, ""):
                    continue
                elif name in known_subjects:
                    counters.append((index, name, dict.fromkeys(ratings, 0)))
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
            width = len(header)
            returned = invalid = 0
            start = reader.line_num + 1
            for row in reader:
                line, start = start, reader.line_num + 1
                if not "".join(row).strip():
                    continue  # a blank line (Excel leaves them at the end) is no ballot
                returned += 1
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
                    if len(row) < width:
                        row = row + [""] * (width - len(row))
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
                            bad_cells.append((line, index, returned, subject, value))
        except UnicodeDecodeError:
            hint = "hint-gbk" if _looks_gbk(path) else None
            return None, [
                problem(rel_path, "encoding", line=reader.line_num + 1, column=1, hint=hint)
            ]
        except csv.Error as err:
            return None, [
                problem(rel_path, "csv-syntax", line=reader.line_num, column=1, detail=str(err))
            ]
    problems.extend(_cell_problems(path, rel_path, bad_cells, "、".join(ratings)))
    counts = Counts(returned=returned, invalid=invalid)
    counts.by_subject = {subject: counter for _, subject, counter in counters}
    return counts, problems


def _cell_problems(
    path: Path | bytes, rel_path: str, bad_cells: list[tuple[int, int, int, str, str]], ratings: str
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
        found.append(
            problem(
                rel_path,
                "ballot-cell",
                line=line,
                column=column,
                row=form,
                subject=subject,
                value=value,
                ratings=ratings,
            )
        )
    return found


def _open_text(source: Path | bytes) -> IO[str]:
    """A ballot file as text: a file on disk, or the bytes of a committed one (``--known``),
    read alike."""
    if isinstance(source, bytes):
        return io.TextIOWrapper(io.BytesIO(source), encoding="utf-8-sig", newline="")
    return open(source, encoding="utf-8-sig", newline="")


def _looks_gbk(path: Path | bytes) -> bool:
    try:
        raw = path if isinstance(path, bytes) else path.read_bytes()
        raw[: 1 << 16].decode("gbk")
    except (UnicodeDecodeError, OSError):
        return False
    return True
