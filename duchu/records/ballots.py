"""Democratic appraisal (民主评议): the counts of a meeting, from ``counts`` or a ballot CSV.

A ballot CSV has one header row and one row per returned form: a column per subject, and
optionally ``invalid`` (any non-empty cell voids the form) and ``ballot`` (a form number).
It is streamed row by row, so a province's million forms never sit in memory at once.
A cell that is not a rating is an error at its line and column: a mistyped ballot must be
fixed, not guessed. Rates are exact fractions; rounding is for display only.

The counting itself, shared with workbooks (``duchu.records.ballot_xlsx``), is
``duchu.records.ballot_counts``.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass
from fractions import Fraction
from functools import lru_cache
from pathlib import Path
from typing import IO

from duchu.problems import Problem, problem
from duchu.records.ballot_counts import (
    MAX_COLUMNS,
    MAX_LINE,
    OLE_MAGIC,
    ZIP_MAGIC,
    BallotCounter,
    Counts,
    Typed,
)
from duchu.records.ballot_sheet import header_name


@dataclass(frozen=True, slots=True)
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
    """Rates of one subject, exactly: ``negative/rated`` compared with ``flag_at``.

    The counts are the record's own dictionary when it already holds every rating in order
    (neither is ever changed), and equal rates one ``Fraction``: a province's tally made
    250,000 of each, nearly all alike (some 40 MB)."""
    ordered = counts if list(counts) == ratings else {r: counts.get(r, 0) for r in ratings}
    rated = sum(ordered.values())
    positive_count = sum([ordered.get(rating, 0) for rating in positive])
    negative_count = sum([ordered.get(rating, 0) for rating in negative])
    positive_rate = _rate(positive_count, rated) if rated else None
    negative_rate = _rate(negative_count, rated) if rated else None
    return SubjectTally(
        subject=subject,
        counts=ordered,
        rated=rated,
        unrated=valid - rated,
        positive_rate=positive_rate,
        negative_rate=negative_rate,
        # negative/rated >= flag_at, in integers (Fraction's comparison is Python code,
        # asked for each subject of each appraisal of a province)
        flagged=bool(rated) and negative_count * flag_at.denominator >= flag_at.numerator * rated,
    )


@lru_cache(maxsize=65536)
def _rate(count: int, rated: int) -> Fraction:
    """``count/rated``: the same few pairs again and again (a province's appraisals rate
    their subjects out of a few dozen forms), made once each -- a Fraction is immutable."""
    return Fraction(count, rated)


def exact_fraction(value: float) -> Fraction:
    """A threshold as users meant it: ``0.2`` is one fifth, not the binary float near it."""
    return Fraction(repr(value)).limit_denominator(10**6)


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
            # a name duchu wrote as '=x (never a formula) is the subject =x
            counter.header([header_name(name.strip()) for name in header], header_columns)
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
