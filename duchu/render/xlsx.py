"""Workbooks (``.xlsx``) of duchu's tables, for offices that live in WPS and Excel.

A workbook is one more rendering of what ``status``, ``status --by group`` and ``tally``
already judged: the text table's columns and rows, in the user's language, one sheet per
table. Numbers are written as numbers, dates as dates shown as officials write them
(2014年3月25日; a deadline written as a phrase keeps its words, 9月下旬, over its day),
rates as percentages (the four places of the JSON); a state is a word and, like a traffic
light, the cell's fill. The header row is frozen and filtered, columns are as wide as their
Chinese text, and the workbook's properties and its last row say what it was drawn from.

A text from the records is always written as text, never as a formula, however it begins
(``=``, ``+``, ``-``, ``@``): a cell someone edits stays what it was (quote prefix).
XlsxWriter writes the file (it needs no template and is quick at a province's 20,000 rows);
the file is written whole or not at all, as reports are.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from fractions import Fraction
from pathlib import Path
from typing import Any

from duchu.judge.asof import Provenance as Source
from duchu.judge.office import OfficeReport
from duchu.judge.rates import Rounding, Shift
from duchu.judge.status import ActionStatus, StatusReport, UnitStatus
from duchu.judge.tally import MeetingTally, UnitComparison
from duchu.messages import message
from duchu.records.dates import Deadline, format_date
from duchu.render.text import UNIT_DETAIL_COLUMNS, problem_texts, unit_detail_rows
from duchu.render.words import percent

FONT = "宋体"  # in every Chinese Windows, WPS and (by substitution) LibreOffice
FONT_SIZE = 11
MAX_WIDTH = 50  # characters (a CJK character counts two); longer text wraps
MIN_WIDTH = 6
LINE_HEIGHT = 16.5  # points a line of 11-point CJK text takes (its fonts stand tall)

# Traffic lights as Excel's own "good / neutral / bad" styles fill them: a colour and a text
# colour that reads on it (so a printout in black and white still has the word).
TONES = {
    "red": ("#FFC7CE", "#9C0006"),
    "orange": ("#FCE4D6", "#C65911"),
    "yellow": ("#FFEB9C", "#9C5700"),
    "green": ("#C6EFCE", "#006100"),
    "grey": ("#EDEDED", "#595959"),
}
STATE_TONE = {
    "done": "green",
    "late": "orange",
    "overdue": "red",
    "due_soon": "yellow",
    "open": None,
    "waived": "grey",
}
SHEET_NAME_LIMIT = 31
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True, slots=True)
class Cell:
    """A cell of a sheet: its value, how the value is shown, and its traffic light."""

    value: str | int | float | date | None
    kind: str = "text"  # "text", "number", "percent", "change", "date"
    tone: str | None = None  # a key of TONES: filled
    ink: str | None = None  # a key of TONES: only the text coloured
    shown: str | None = None  # a date shown as these words (a deadline phrase)


Value = Cell | str | int | None


@dataclass(frozen=True)
class Sheet:
    """One table: its sheet's name, column headers, rows and the lines below it."""

    name: str
    headers: list[str]
    rows: list[list[Value]]
    notes: list[str]
    # a band above the headers: (label, columns it spans), from the first column on (the
    # ledger's phases over their actions); it prints on every page with the headers
    bands: list[tuple[str, int]] | None = None
    frozen_columns: int = 0  # columns kept in view beside the rows (the ledger's units)


def _phrase_format(phrase: str) -> str:
    """The number format that shows a deadline's day as its phrase: 9月下旬 is the day
    2014-09-30 shown as ``m"月下旬"`` -- a date still, for sorting and filtering."""
    match = re.fullmatch(r"\s*(\d{1,2})\s*月(.*?)\s*", phrase)
    if match is None:
        return 'yyyy"年"m"月"d"日"'
    return 'm"月' + match.group(2).replace('"', "").replace("\\", "") + '"'


def _display_width(text: str) -> int:
    """Width in characters of the default font, a CJK character counting two: counted from
    the UTF-8 length (CJK takes three bytes, ASCII one), at C speed for 200,000 cells."""
    if text.isascii():
        return len(text)
    return (len(text.encode("utf-8")) + len(text)) // 2


class _Writer:
    """Sheets into one workbook with XlsxWriter, its formats made once each."""

    def __init__(self, path: Path, lang: str, source: Source, title: str) -> None:
        import xlsxwriter

        self.lang = lang
        self.book = xlsxwriter.Workbook(
            str(path),
            {
                # a text is text: never a number, a formula or a link by its looks
                "strings_to_numbers": False,
                "strings_to_formulas": False,
                "strings_to_urls": False,
                "default_date_format": self._date_format(),
            },
        )
        self.book.formats[0].set_font_name(FONT)
        self.book.formats[0].set_font_size(FONT_SIZE)
        self._formats: dict[tuple[Any, ...], Any] = {}
        comments = _provenance(source, lang)
        self.book.set_properties(
            {
                "title": title,
                "subject": title,
                "author": "duchu",
                "comments": comments,
                "keywords": "duchu",
                "created": None,
            }
        )
        self.book.set_custom_property("as_of", source.as_of.isoformat(), "text")
        self.book.set_custom_property("commit", source.commit or "", "text")
        self.book.set_custom_property("dirty", source.dirty, "bool")
        self.book.set_custom_property("known", source.known, "bool")
        self.provenance = comments
        self.names: set[str] = set()

    def _date_format(self) -> str:
        return 'yyyy"年"m"月"d"日"' if self.lang == "zh" else "yyyy-mm-dd"

    def format(
        self,
        kind: str = "text",
        tone: str | None = None,
        ink: str | None = None,
        *,
        shown: str | None = None,
        wrap: bool = False,
        header: bool = False,
        quote: bool = False,
        note: bool = False,
    ) -> Any:
        key = (kind, tone, ink, shown, wrap, header, quote, note)
        found = self._formats.get(key)
        if found is not None:
            return found
        spec: dict[str, Any] = {"font_name": FONT, "font_size": FONT_SIZE, "valign": "top"}
        if header:
            spec.update(bold=True, bg_color="#D9E1F2", bottom=1, text_wrap=True, valign="vcenter")
        if note:
            spec.update(italic=True, font_color="#595959")
        if wrap:
            spec["text_wrap"] = True
        if quote:
            spec["quote_prefix"] = True
        if kind == "number":
            spec["num_format"] = "0"
        elif kind == "decimal":  # a number shows the digits it has: 7.5 stays 7.5 (1.2)
            spec["num_format"] = "General"
        elif kind == "percent":
            spec["num_format"] = "0.0%"
        elif kind == "change":
            spec["num_format"] = "+0.0%;-0.0%;0.0%"
        elif kind == "date":
            spec["num_format"] = _phrase_format(shown) if shown else self._date_format()
            spec["align"] = "left"
        if tone is not None:
            fill, text = TONES[tone]
            spec.update(bg_color=fill, font_color=text)
        elif ink is not None:
            spec["font_color"] = TONES[ink][1]
        found = self._formats[key] = self.book.add_format(spec)
        return found

    def sheet_name(self, name: str) -> str:
        """A valid, unique sheet name: no []:*?/\\, at most 31 characters."""
        for char in "[]:*?/\\":
            name = name.replace(char, "_")
        name = name.strip("'") or "Sheet"
        base, number = name[:SHEET_NAME_LIMIT], 2
        name = base
        while name.lower() in self.names:
            suffix = f"({number})"
            name = base[: SHEET_NAME_LIMIT - len(suffix)] + suffix
            number += 1
        self.names.add(name.lower())
        return name

    def _bands(self, worksheet: Any, bands: list[tuple[str, int]]) -> None:
        column = 0
        for label, span in bands:
            fmt = self.format(header=True, quote=label.startswith(_FORMULA_START))
            if span > 1:
                worksheet.merge_range(0, column, 0, column + span - 1, label, fmt)
            elif span == 1:
                worksheet.write_string(0, column, label, fmt)
            column += span

    def add(self, sheet: Sheet) -> None:
        worksheet = self.book.add_worksheet(self.sheet_name(sheet.name))
        top = 0  # the header row (under the band, when there is one)
        if sheet.bands:
            self._bands(worksheet, sheet.bands)
            top = 1
        widths = [0] * len(sheet.headers)
        for column, header in enumerate(sheet.headers):
            quote = header.startswith(_FORMULA_START)
            worksheet.write_string(top, column, header, self.format(header=True, quote=quote))
            widths[column] = max(_display_width(line) for line in header.split("\n"))
        header_lines = max((h.count("\n") + 1 for h in sheet.headers), default=1)
        if header_lines > 1:
            worksheet.set_row(top, LINE_HEIGHT * header_lines + 2)
        # a row of several lines gets its height here: a spreadsheet fits rows to wrapped
        # text as someone types, not always when it opens a file
        for number, row in enumerate(sheet.rows, start=top + 1):
            lines = 1
            for column, value in enumerate(row):
                cell = value if isinstance(value, Cell) else Cell(value)
                width, height = self._write(worksheet, number, column, cell)
                if width > widths[column]:
                    widths[column] = width
                if height > lines:
                    lines = height
            if lines > 1:
                worksheet.set_row(number, LINE_HEIGHT * lines + 2)
        last = top + len(sheet.rows)
        for column, width in enumerate(widths):
            worksheet.set_column(column, column, min(max(width + 2, MIN_WIDTH), MAX_WIDTH + 2))
        worksheet.freeze_panes(top + 1, sheet.frozen_columns)
        if sheet.rows:
            worksheet.autofilter(top, 0, last, len(sheet.headers) - 1)
        # the lines below wrap within the table's width: a printout fitted to the page's
        # width would otherwise shrink to the longest line
        span = len(sheet.headers)
        room = sum(min(max(w + 2, MIN_WIDTH), MAX_WIDTH + 2) for w in widths) - 2
        for offset, text in enumerate([*sheet.notes, self.provenance]):
            fmt = self.format(note=True, wrap=True, quote=text.startswith(_FORMULA_START))
            below = last + 2 + offset
            if span > 1:
                worksheet.merge_range(below, 0, below, span - 1, text, fmt)
            else:
                worksheet.write_string(below, 0, text, fmt)
            lines = -(-_display_width(text) // max(room, 1))
            if lines > 1:
                worksheet.set_row(below, LINE_HEIGHT * lines + 2)
        # every sheet prints on A4 landscape, as wide as the page, its headers on every page
        worksheet.set_landscape()
        worksheet.set_paper(9)  # A4
        worksheet.fit_to_pages(1, 0)
        worksheet.repeat_rows(0, top)
        if sheet.frozen_columns:
            worksheet.repeat_columns(0, sheet.frozen_columns - 1)

    def _write(self, worksheet: Any, row: int, column: int, cell: Cell) -> tuple[int, int]:
        """Write one cell; its width in characters (its longest line) and its lines."""
        value = cell.value
        if value is None or value == "":
            if cell.tone is not None:
                worksheet.write_blank(row, column, None, self.format("text", cell.tone))
            return 0, 1
        if isinstance(value, date):
            fmt = self.format("date", cell.tone, cell.ink, shown=cell.shown)
            worksheet.write_datetime(row, column, value, fmt)
            text = cell.shown or format_date(value, self.lang)
            return _display_width(text) + 1, 1
        if isinstance(value, int | float) and not isinstance(value, bool):
            kind = cell.kind if cell.kind != "text" else "number"
            if kind == "number" and isinstance(value, float) and not value.is_integer():
                kind = "decimal"
            worksheet.write_number(row, column, value, self.format(kind, cell.tone, cell.ink))
            return (7 if kind in ("percent", "change") else len(str(value))), 1
        text = str(value)
        lines = text.split("\n")
        wrap = len(lines) > 1 or _display_width(text) > MAX_WIDTH
        quote = text.startswith(_FORMULA_START)
        fmt = self.format("text", cell.tone, cell.ink, wrap=wrap, quote=quote)
        worksheet.write_string(row, column, text, fmt)
        widths = [_display_width(line) for line in lines]
        return max(widths), sum(max(1, -(-width // MAX_WIDTH)) for width in widths)

    def close(self) -> None:
        self.book.close()


def _provenance(source: Source, lang: str) -> str:
    """The last row: the as-of date and, in git, the commit the records came from."""
    as_of = format_date(source.as_of, lang)
    if not source.in_git:
        return message("xlsx-provenance", lang, as_of=as_of)
    key = "xlsx-provenance-known" if source.known else "xlsx-provenance-git"
    commit = source.commit[:8] if source.commit else message("xlsx-no-commit", lang)
    dirty = message("xlsx-dirty", lang) if source.dirty else ""
    return message(key, lang, as_of=as_of, commit=commit, dirty=dirty)


def write_workbook(
    path: Path, sheets: Iterable[Sheet], *, lang: str, source: Source, title: str
) -> None:
    """Write the sheets into a new workbook at ``path`` (``duchu.render.output`` gives the path of a
    temporary file, renamed over the target once it is whole)."""
    writer = _Writer(path, lang, source, title)
    for sheet in sheets:
        writer.add(sheet)
    close_workbook(writer.book)


def close_workbook(book: Any) -> None:
    """Close (write) an XlsxWriter workbook; a fault of the disk is the ``OSError`` it was,
    for the caller to name the file with (XlsxWriter wraps it in ``FileCreateError``, and
    says ``FileSizeError`` for a package past 4 GB)."""
    import errno

    from xlsxwriter.exceptions import FileCreateError, FileSizeError

    try:
        book.close()
    except FileCreateError as err:
        cause = err.args[0] if err.args else None
        if isinstance(cause, OSError):
            raise cause from None
        raise OSError(errno.EIO, str(err)) from None
    except FileSizeError:
        raise OSError(errno.EFBIG, "file too large") from None


# --- the tables -------------------------------------------------------------------------------


def _deadline(deadline: Deadline, lang: str, tone: str | None = None) -> Cell:
    shown = deadline.text.strip() if deadline.is_phrase and lang == "zh" else None
    return Cell(deadline.day, "date", tone=tone, shown=shown)


def _state(status: ActionStatus, lang: str) -> Cell:
    return Cell(message(f"state-{status.state}", lang), tone=STATE_TONE[status.state])


def _listed(lines: Iterable[str], ink: str | None) -> Cell:
    text = "\n".join(lines)
    return Cell(text, ink=ink if text else None)


# a unit's light (``UnitStatus.light``): its word and fill
UNIT_LIGHT = {
    "lagging": ("unit-lagging", "red"),
    "due_soon": ("unit-due-soon", "yellow"),
    "stale": ("unit-stale", "orange"),
    "on_track": ("unit-on-track", "green"),
}


def _unit_state(unit: UnitStatus, lang: str) -> Cell:
    word, tone = UNIT_LIGHT[unit.light]
    return Cell(message(word, lang), tone=tone)


def shown_units(report: StatusReport, show_all: bool) -> list[UnitStatus]:
    """The units the status table lists (``duchu.render.text``): every one with ``--all``, else
    the lagging, those with an action due soon and the stale."""
    if show_all:
        return report.units
    return [u for u in report.units if u.lagging or u.due_soon or u.stale]


def status_sheets(
    report: StatusReport,
    *,
    lang: str,
    show_all: bool,
    names: dict[str, str],
    group_names: dict[str, str],
    detail: bool,
) -> list[Sheet]:
    """The sheets of ``status --format xlsx``: the units (or one unit's actions) and the
    groups' own actions."""
    if detail and len(report.units) == 1:
        sheets = [_unit_detail(report.units[0], names, lang)]
    else:
        sheets = [_unit_table(report, names, group_names, lang, show_all)]
    actions = _group_actions([(g.name, g.actions) for g in report.groups], lang)
    if actions is not None:
        sheets.append(actions)
    return sheets


def _unit_table(
    report: StatusReport,
    names: dict[str, str],
    group_names: dict[str, str],
    lang: str,
    show_all: bool,
) -> Sheet:
    shown = shown_units(report, show_all)
    several_groups = len({u.unit.group for u in shown}) > 1
    with_staleness = any(u.stale is not None for u in report.units)
    headers = [message("col-unit", lang)]
    if several_groups:
        headers.append(message("col-group", lang))
    headers += [
        message("col-state", lang),
        message("col-days-overdue", lang),
        message("col-overdue", lang),
        message("col-due-soon", lang),
        message("col-late", lang),
        message("col-finished", lang),
        message("col-owed-count", lang),
    ]
    if with_staleness:
        headers.append(message("col-last-change", lang))
    headers.append(message("col-problems", lang))
    rows: list[list[Value]] = []
    for unit in shown:
        finished, due = unit.done_of_due, unit.due  # as the text table counts them
        overdue = sorted(unit.in_state("overdue"), key=lambda a: -a.days_overdue)
        row: list[Value] = [unit.unit.label]
        if several_groups:
            row.append(group_names.get(unit.unit.group, unit.unit.group))
        row += [
            _unit_state(unit, lang),
            unit.days_overdue or None,
            _listed(
                (
                    message("overdue-item", lang, action=a.planned.action.name, days=a.days_overdue)
                    for a in overdue
                ),
                "red",
            ),
            _listed(
                (
                    message(
                        "due-soon-item",
                        lang,
                        action=a.planned.action.name,
                        due=_deadline_text(a.planned.due, lang),
                    )
                    for a in unit.in_state("due_soon")
                ),
                "yellow",
            ),
            _listed(
                (
                    message("late-item", lang, action=a.planned.action.name, days=a.days_late)
                    for a in unit.in_state("late")
                ),
                "orange",
            ),
            Cell(finished, "number", ink="green" if finished == due else None),
            due,
        ]
        if with_staleness:
            row.append(_last_change(unit, report))
        row.append("\n".join(t for a in unit.actions for t in problem_texts(a, names, lang)))
        rows.append(row)
    notes = []
    rest = len(report.units) - len(shown)
    if not report.units:
        notes.append(message("status-none", lang))
    elif rest:
        key = "status-rest-stale" if with_staleness else "status-rest"
        notes.append(message(key, lang, count=rest))
    title = message(
        "status-title",
        lang,
        as_of=format_date(report.as_of, lang),
        units=len(report.units),
        lagging=report.lagging,
    )
    return Sheet(message("sheet-units", lang), headers, rows, [title, *notes])


def _deadline_text(deadline: Deadline, lang: str) -> str:
    from duchu.records.dates import format_deadline

    return format_deadline(deadline, lang)


def _last_change(unit: UnitStatus, report: StatusReport) -> Cell:
    if unit.last_change is None:
        return Cell(None, tone="red" if unit.stale else None)
    return Cell(unit.last_change, "date", tone="red" if unit.stale else None)


def _unit_detail(unit: UnitStatus, names: dict[str, str], lang: str) -> Sheet:
    headers = [message(key, lang) for key in UNIT_DETAIL_COLUMNS]
    rows: list[list[Value]] = [
        [
            phase,
            action.planned.action.name,
            _deadline(action.planned.due, lang),
            _state(action, lang),
            Cell(action.done, "date") if action.done else None,
            notes,
        ]
        for phase, action, notes in unit_detail_rows(unit, names, lang)
    ]
    return Sheet(unit.unit.name, headers, rows, [])


def _group_actions(groups: Sequence[tuple[str, list[ActionStatus]]], lang: str) -> Sheet | None:
    if not any(actions for _, actions in groups):
        return None
    keys = ("col-group", "col-action", "col-due", "col-state", "col-done-on")
    rows: list[list[Value]] = [
        [
            name,
            action.planned.action.name,
            _deadline(action.planned.due, lang),
            _state(action, lang),
            Cell(action.done, "date") if action.done else None,
        ]
        for name, actions in groups
        for action in actions
    ]
    return Sheet(message("group-actions", lang), [message(k, lang) for k in keys], rows, [])


def office_sheets(office: OfficeReport, *, lang: str) -> list[Sheet]:
    """The sheets of ``status --by group --format xlsx``: one row a group, the lagging
    units, the groups' own actions."""
    headers = [
        message("col-group", lang),
        message("col-lagging-count", lang),
        message("col-units-count", lang),
        message("col-days-overdue", lang),
        message("col-owed", lang).replace("\n", ""),
        message("col-on-time", lang),
        message("col-late-short", lang).replace("\n", ""),
        message("col-overdue-short", lang).replace("\n", ""),
        message("col-due-today", lang).replace("\n", ""),
        message("col-done-share", lang).replace("\n", ""),
        message("col-supervised", lang).replace("\n", "").replace("-", ""),
        message("col-last-report-date", lang),
        message("col-silent-days", lang),
        message("col-delay-median", lang),
        message("col-delay-max", lang),
        message("col-late-reports", lang).replace("\n", "" if lang == "zh" else " "),
    ]
    rows: list[list[Value]] = []
    for row in office.groups:
        tone = {"lagging": "red", "due_soon": "yellow"}.get(row.light, "green")
        delay = row.report_delay
        share = row.done_share
        rows.append(
            [
                Cell(row.name, tone=tone),
                Cell(row.lagging, "number", ink="red" if row.lagging else None),
                len(row.units),
                row.days_overdue or None,
                row.due,
                row.on_time,
                row.late,
                Cell(row.overdue, "number", ink="red" if row.overdue else None),
                Cell(row.due_today, "number", ink="yellow" if row.due_today else None),
                Cell(_rate(share), "percent") if share is not None else None,
                row.supervised,
                Cell(row.last_report, "date") if row.last_report else None,
                Cell(row.silent_days, "number", ink="red" if row.silent else None)
                if row.silent_days is not None
                else None,
                Cell(delay.median_number, "number") if delay else None,
                delay.max if delay else None,
                row.late_reports,
            ]
        )
    commit = ""
    if office.known and office.commit:
        commit = message("office-known", lang, commit=office.commit[:8])
    title = message(
        "office-title",
        lang,
        as_of=format_date(office.as_of, lang),
        groups=len(office.groups),
        units=office.units,
        lagging=office.lagging,
        known=commit,
    )
    legend = message("office-legend", lang)
    notes = [title, legend + message("office-legend-late", lang, within=office.report_within)]
    if not office.groups:
        notes.append(message("office-none", lang))
    sheets = [Sheet(message("sheet-groups", lang), headers, rows, notes)]
    lagging = [(row, u) for row in office.groups for u in row.units if u.lagging]
    if lagging:
        unit_rows: list[list[Value]] = [
            [
                row.name,
                u.unit.label,
                u.days_overdue,
                _listed(
                    (
                        message(
                            "overdue-item", lang, action=a.planned.action.name, days=a.days_overdue
                        )
                        for a in sorted(u.in_state("overdue"), key=lambda a: -a.days_overdue)
                    ),
                    "red",
                ),
            ]
            for row, u in lagging
        ]
        unit_headers = [
            message(key, lang)
            for key in ("col-group", "col-unit", "col-days-overdue", "col-overdue")
        ]
        sheets.append(Sheet(message("office-lagging-units", lang), unit_headers, unit_rows, []))
    actions = _group_actions([(g.name, g.actions) for g in office.groups], lang)
    if actions is not None:
        sheets.append(actions)
    return sheets


def _rate(rate: Fraction | None) -> float | None:
    """A rate as the JSON has it (four places), for a cell shown as a percentage."""
    return Rounding.four_places(rate)


def tally_sheets(
    tallies: list[MeetingTally],
    *,
    lang: str,
    ratings: list[str],
    flag_at: Fraction,
    unit_names: dict[str, str],
    kind_names: dict[str, str],
) -> list[Sheet]:
    """The sheet of ``tally --format xlsx``: a row per meeting and subject, the meeting's
    forms beside each (the text shows them above each meeting's table)."""
    headers = [
        message("col-date", lang),
        message("col-unit", lang),
        message("col-kind", lang),
        message("col-meeting", lang),
        message("col-distributed", lang),
        message("col-returned", lang),
        message("col-valid", lang),
        message("col-invalid", lang),
        message("col-subject", lang),
        *ratings,
        message("col-unrated", lang),
        message("col-positive-rate", lang),
        message("col-negative-rate", lang),
        message("col-flag", lang),
    ]
    rows: list[list[Value]] = []
    for tally in tallies:
        counts = tally.counts
        for subject in tally.subjects:
            flagged = subject.flagged
            rows.append(
                [
                    Cell(tally.date, "date"),
                    unit_names.get(tally.unit, tally.unit),
                    kind_names.get(tally.kind, tally.kind),
                    tally.id,
                    counts.distributed,
                    counts.returned,
                    counts.valid,
                    counts.invalid,
                    subject.subject,
                    *(subject.counts[rating] for rating in ratings),
                    subject.unrated,
                    _percent_cell(subject.positive_rate),
                    _percent_cell(subject.negative_rate, "red" if flagged else None),
                    Cell(message("flag-mark", lang), tone="red") if flagged else None,
                ]
            )
    notes = [] if tallies else [message("tally-none", lang)]
    notes.append(message("xlsx-tally-legend", lang, flag_at=percent(flag_at)))
    return [Sheet(message("sheet-tally", lang), headers, rows, notes)]


def _percent_cell(rate: Fraction | None, ink: str | None = None) -> Cell:
    if rate is None:
        return Cell("—")
    return Cell(_rate(rate), "percent", ink=ink)


def _change_cell(change: Shift | None, *, good_when_up: bool) -> Cell:
    """The change as shown (``Shift``: the rounded rates compared), in percentage points;
    green for the better, red for the worse, no colour when the shown rates are equal."""
    if change is None:
        return Cell("—")
    ink = (
        None
        if change.direction == "same"
        else "green"
        if (change.direction == "rose") == good_when_up
        else "red"
    )
    return Cell(change.tenths / 1000, "change", ink=ink)


def compare_sheets(
    comparisons: list[UnitComparison],
    single: list[str],
    *,
    lang: str,
    unit_names: dict[str, str],
    kind_names: dict[str, str],
) -> list[Sheet]:
    """The sheet of ``tally --compare --format xlsx``: a row per unit and subject."""
    rates = [
        f"{message(rate, lang)}·{message(side, lang)}"
        for rate in ("col-positive-rate", "col-negative-rate")
        for side in ("col-before", "col-after", "col-change")
    ]
    headers = [
        message("col-unit", lang),
        message("col-before-meeting", lang),
        message("col-before-date", lang),
        message("col-after-meeting", lang),
        message("col-after-date", lang),
        message("col-subject", lang),
        *rates,
    ]
    rows: list[list[Value]] = []
    for item in comparisons:
        for change in item.subjects:
            before, after = change.before, change.after
            rows.append(
                [
                    unit_names.get(item.unit, item.unit),
                    kind_names.get(item.before.kind, item.before.kind),
                    Cell(item.before.date, "date"),
                    kind_names.get(item.after.kind, item.after.kind),
                    Cell(item.after.date, "date"),
                    change.subject,
                    _percent_cell(before.positive_rate if before else None),
                    _percent_cell(after.positive_rate if after else None),
                    _change_cell(change.positive_shift, good_when_up=True),
                    _percent_cell(
                        before.negative_rate if before else None,
                        "red" if before and before.flagged else None,
                    ),
                    _percent_cell(
                        after.negative_rate if after else None,
                        "red" if after and after.flagged else None,
                    ),
                    _change_cell(change.negative_shift, good_when_up=False),
                ]
            )
    notes = []
    if not comparisons and not single:
        notes.append(message("tally-none", lang))
    if single:
        notes.append(
            message("compare-single", lang, units="、".join(unit_names.get(u, u) for u in single))
        )
    return [Sheet(message("sheet-compare", lang), headers, rows, notes)]
