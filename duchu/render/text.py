"""Rendering for people: problem lines and rich tables. The only module that imports rich.

Tables align Chinese double-width text (rich measures cells by display width), colour
states like traffic lights (overdue red, due soon yellow, done green), and drop colour
under ``NO_COLOR`` or when output is piped -- rich decides that from the stream itself.
"""

from __future__ import annotations

import re
import sys
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from datetime import date
from fractions import Fraction
from typing import TYPE_CHECKING, Any, TextIO

from rich import box
from rich.console import Console
from rich.segment import Segment
from rich.table import Table
from rich.text import Text

from duchu.answers import drawing
from duchu.judge.office import GroupRow, OfficeReport
from duchu.judge.rates import Shift
from duchu.judge.status import ActionStatus, StatusReport, UnitStatus
from duchu.judge.tally import MeetingTally, SubjectTally, UnitComparison
from duchu.messages import message
from duchu.problems import Problem, Severity
from duchu.records.dates import format_date, format_deadline
from duchu.render.table import Cell, Column, print_table
from duchu.render.words import percent, signed_percent

if TYPE_CHECKING:  # git's module is imported by the commands that read history
    from duchu.git.history import Commit

__all__ = ["Cell", "Column", "percent", "print_table", "signed_percent"]

STATE_STYLE = {
    "done": "green",
    "late": "dark_orange",
    "overdue": "bold red",
    "due_soon": "yellow",
    "open": "default",
    "waived": "dim",
}
# a unit's light (``UnitStatus.light``): its word and colour
UNIT_LIGHT = {
    "lagging": ("unit-lagging", "bold red"),
    "due_soon": ("unit-due-soon", "yellow"),
    "stale": ("unit-stale", "red"),
    "on_track": ("unit-on-track", "green"),
}
PIPE_WIDTH = 160  # piped output is read in files and e-mails, not an 80-column terminal


# What text from records, file names or git may not put on a terminal as it is: control
# characters (an ESC starts a sequence that recolours, retitles or hides; a newline is kept),
# DEL, C1, and bidirectional overrides and isolates, which reorder what is shown.
_UNSHOWABLE = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def _escaped(match: re.Match[str]) -> str:
    code = ord(match[0])
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def shown(text: str) -> str:
    """``text`` made harmless to print: every control or bidirectional character written as
    its escape (``\\x1b``, ``\\u202e``), so it is seen rather than obeyed."""
    return _UNSHOWABLE.sub(_escaped, text) if _UNSHOWABLE.search(text) else text


# What a line that must stay one line (a problem, a refusal) may not hold either: a line
# end in a file name or an argument would print a second line that looks like duchu's own.
_UNSHOWABLE_IN_A_LINE = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


def one_line(text: str) -> str:
    """``text`` as ``shown`` makes it, with line ends (``\\n``, ``\\r``, U+2028) escaped
    too: what is printed is one line whatever the text held."""
    return _UNSHOWABLE_IN_A_LINE.sub(_escaped, text) if _UNSHOWABLE_IN_A_LINE.search(text) else text


class SafeConsole(Console):
    """A console that never prints a control sequence it did not make itself, and never
    reads text as markup: whatever a record, a file name or a git author holds is shown as
    written -- ``:smile:`` too, which rich would make an emoji (and import its 4,000 codes
    to do so). Its own styles and cursor moves (segments marked as control) pass."""

    def __init__(self, **options: Any) -> None:
        super().__init__(markup=False, highlight=False, emoji=False, **options)

    def on_broken_pipe(self) -> None:
        # rich would exit with status 1, the status of "found what it was asked to fail
        # on"; the command line ends a closed pipe quietly with 0
        raise BrokenPipeError

    def _render_buffer(self, buffer: Iterable[Segment]) -> str:
        return super()._render_buffer(
            segment if segment.control else Segment(shown(segment.text), segment.style)
            for segment in buffer
        )


def console_for(stream: TextIO | None = None) -> Console:
    stream = stream or sys.stdout
    console = SafeConsole(file=stream, soft_wrap=False)
    if not console.is_terminal:
        console = SafeConsole(file=stream, width=PIPE_WIDTH)
    return console


# --- progress -------------------------------------------------------------------------------------

# Loading shorter than this shows nothing: a bar that flashes by is noise.
PROGRESS_AFTER_SECONDS = 1.0


@contextmanager
def loading_progress(
    stream: TextIO,
    lang: str,
    *,
    enabled: bool = True,
    after: float = PROGRESS_AFTER_SECONDS,
    force_terminal: bool | None = None,
) -> Iterator[Callable[[int, int], None] | None]:
    """A progress callback for ``load_tree`` that draws a bar on ``stream`` once loading has
    taken ``after`` seconds, and removes it when done. ``None`` -- no callback, nothing
    drawn -- unless ``enabled`` and the stream is a terminal: never in pipes or files."""
    console = Console(file=stream, force_terminal=force_terminal)
    if not enabled or not console.is_terminal:
        yield None
        return
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    started = time.monotonic()
    bar: Progress | None = None

    def update(done: int, total: int) -> None:
        nonlocal bar
        if bar is None:
            if time.monotonic() - started < after:
                return
            bar = Progress(
                TextColumn(message("loading", lang)),
                BarColumn(),
                MofNCompleteColumn(),
                console=console,
                transient=True,
            )
            bar.add_task("load", total=total)
            drawing(True)  # what the bar draws is not part of the answer kept
            bar.start()
        bar.update(bar.task_ids[0], completed=done, total=total)

    try:
        yield update
    finally:
        if bar is not None:
            bar.stop()  # transient: it wipes itself
            drawing(False)


# --- problems -------------------------------------------------------------------------------------


def problem_line(item: Problem, lang: str) -> str:
    severity = message(f"severity-{item.severity}", lang)
    return one_line(f"{item.path}:{item.place}: {severity}: {item.message(lang)} [{item.code}]")


# A person reads the first problems of a file and fixes their cause; the fifty-thousandth
# "unknown key" of a file pasted into the wrong place adds nothing but minutes of scrolling.
# So each file lists its first ``MAX_SHOWN_PER_FILE`` problems in text, then one line
# counting the rest; the summary still counts them all, and ``--format json`` lists them all.
MAX_SHOWN_PER_FILE = 100


def shown_problems(problems: Iterable[Problem], lang: str) -> Iterator[tuple[str, Problem | None]]:
    """The lines of a problem list as a person reads it, each with its problem (None for a
    file's count of problems not listed): problems come sorted, so a file's are together."""

    def rest(path: str | None, count: int) -> tuple[str, None]:
        return message(
            "more-problems", lang, path=path, count=count, shown=MAX_SHOWN_PER_FILE
        ), None

    path: str | None = None
    listed = hidden = 0
    for item in problems:
        if item.path != path:
            if hidden:
                yield rest(path, hidden)
            path, listed, hidden = item.path, 0, 0
        if listed < MAX_SHOWN_PER_FILE:
            listed += 1
            yield problem_line(item, lang), item
        else:
            hidden += 1
    if hidden:
        yield rest(path, hidden)


def print_problems(console: Console, problems: list[Problem], files: int, lang: str) -> None:
    for text, item in shown_problems(problems, lang):
        line = Text(text)
        if item is not None:
            style = "red" if item.severity is Severity.ERROR else "yellow"
            line.highlight_words([f": {message(f'severity-{item.severity}', lang)}:"], style=style)
        console.print(line, soft_wrap=True)
    console.print(summary_line(problems, files, lang), soft_wrap=True)


def summary_line(problems: list[Problem], files: int, lang: str) -> str:
    errors = sum(1 for p in problems if p.severity is Severity.ERROR)
    return message(
        "check-summary",
        lang,
        problems=message("n-problems", lang, count=len(problems)),
        errors=message("n-errors", lang, count=errors),
        warnings=message("n-warnings", lang, count=len(problems) - errors),
        files=message("n-files", lang, count=files),
    )


# --- status --------------------------------------------------------------------------------


def _state_text(status: ActionStatus, lang: str) -> Text:
    return Text("● " + message(f"state-{status.state}", lang), style=STATE_STYLE[status.state])


def action_notes(
    action: ActionStatus, unit: UnitStatus, names: dict[str, str], lang: str
) -> list[str]:
    """What one unit's action notes in its detail (the terminal's and the workbook's): how
    late, how long left or overdue, the waiver's reason, then its procedure problems."""
    notes = problem_texts(action, names, lang)
    if action.state == "late":
        notes.insert(0, message("days-late", lang, days=action.days_late))
    if action.state in ("open", "due_soon") and action.days_left is not None:
        notes.insert(0, message("days-left", lang, days=action.days_left))
    if action.state == "overdue":
        notes.insert(0, message("overdue-item", lang, action="", days=action.days_overdue))
    if action.state == "waived":
        notes.insert(0, unit.unit.waived.get(action.planned.id, ""))
    if action.notice is not None:
        notes.append(notice_mark(action, lang))
    return notes


def notice_mark(action: ActionStatus, lang: str) -> str:
    """(1.2) The mark of an action's latest notice, e.g. "（已督办）"; empty without one."""
    if action.notice is None:
        return ""
    return message("notice-mark", lang, word=action.notice.word)


def problem_texts(status: ActionStatus, names: dict[str, str], lang: str) -> list[str]:
    """An action's procedure problems in words, for the terminal's table and the workbook."""
    texts = []
    for item in status.problems:
        if item.startswith("before:"):
            before = item.split(":", 1)[1]
            texts.append(
                message(
                    "problem-before",
                    lang,
                    action=status.planned.action.name,
                    before=names.get(before, before),
                )
            )
        else:
            texts.append(item)
    return texts


def _listed(
    actions: list[ActionStatus],
    key: str,
    style: str,
    lang: str,
    details: Callable[[ActionStatus], dict[str, object]],
) -> Text:
    """One line per action, e.g. "召开动员大会（逾期 3 天）", in the state's colour."""
    lines = (
        message(key, lang, action=a.planned.action.name, **details(a)) + notice_mark(a, lang)
        for a in actions
    )
    return Text("\n".join(lines), style=style)


def _unit_row(unit: UnitStatus, names: dict[str, str], lang: str) -> list[Text | str]:
    word, style = UNIT_LIGHT[unit.light]
    state = Text("● " + message(word, lang), style=style)
    overdue = _listed(
        sorted(unit.in_state("overdue"), key=lambda a: -a.days_overdue),
        "overdue-item",
        "red",
        lang,
        lambda a: {"days": a.days_overdue},
    )
    soon = _listed(
        unit.in_state("due_soon"),
        "due-soon-item",
        "yellow",
        lang,
        lambda a: {"due": format_deadline(a.planned.due, lang)},
    )
    late = _listed(
        unit.in_state("late"), "late-item", "dark_orange", lang, lambda a: {"days": a.days_late}
    )
    # of the actions due by the as-of date: not counting those still to come (3/11 read as
    # behind when 4 were due and 3 done)
    finished, due = unit.done_of_due, unit.due
    progress = Text(f"{finished}/{due}", style="green" if finished == due else "")
    problems = "\n".join(t for a in unit.actions for t in problem_texts(a, names, lang))
    days = str(unit.days_overdue) if unit.days_overdue else ""
    return [
        unit.unit.label,
        state,
        days,
        overdue,
        soon,
        late,
        progress,
        Text(problems, style="magenta"),
    ]


def print_status(
    console: Console,
    report: StatusReport,
    *,
    lang: str,
    show_all: bool,
    names: dict[str, str],
    group_names: dict[str, str],
    detail: bool,
) -> None:
    """The status table; ``detail`` lists every action of a single unit."""
    console.print(
        message(
            "status-title",
            lang,
            as_of=format_date(report.as_of, lang),
            units=len(report.units),
            lagging=report.lagging,
        ),
        style="bold",
    )
    if detail and len(report.units) == 1:
        _print_unit_detail(console, report.units[0], names, lang)
    else:
        _print_unit_table(console, report, names, group_names, lang, show_all)
    _print_group_actions(console, [(g.name, g.actions) for g in report.groups], lang)


def _print_group_actions(
    console: Console, groups: list[tuple[str, list[ActionStatus]]], lang: str
) -> None:
    """The groups' own actions (a plan, the phase reports), one row each."""
    if not any(actions for _, actions in groups):
        return
    keys = ("col-group", "col-action", "col-due", "col-state", "col-done-on")
    rows: list[list[Cell]] = [
        [
            name,
            action.planned.action.name,
            format_deadline(action.planned.due, lang),
            _state_text(action, lang),
            _done_text(action, lang),
        ]
        for name, actions in groups
        for action in actions
    ]
    console.print()
    print_table(
        console, [Column(message(k, lang)) for k in keys], rows, message("group-actions", lang)
    )


def _short_date(day: date | None, as_of: date, lang: str) -> str:
    """A date in a narrow column: without its year when it is the as-of date's (6月20日)."""
    if day is None:
        return "—"
    if lang == "zh" and day.year == as_of.year:
        return f"{day.month}月{day.day}日"
    return format_date(day, lang)


def _last_report(row: GroupRow, as_of: date, lang: str) -> str:
    """最近上报 with the days silent beside it (``—`` outside git)."""
    if row.silent_days is None:
        return "—"
    day = _short_date(row.last_report, as_of, lang)
    return message("last-report-silent", lang, date=day, days=row.silent_days)


def print_office(console: Console, office: OfficeReport, *, lang: str) -> None:
    """The activity office's table (``status --by group``): one row a group, the groups
    that lag most first, then the lagging units named, then the groups' own actions."""
    commit = ""
    if office.known and office.commit:
        commit = message("office-known", lang, commit=office.commit[:8])
    console.print(
        message(
            "office-title",
            lang,
            as_of=format_date(office.as_of, lang),
            groups=len(office.groups),
            units=office.units,
            lagging=office.lagging,
            known=commit,
        ),
        style="bold",
    )
    if not office.groups:
        console.print(message("office-none", lang))
        return
    columns = [
        Column(message("col-group", lang), prose=True),
        Column(message("col-units-lagging", lang), justify="right"),
        Column(message("col-days-overdue-2", lang), justify="right"),
        Column(message("col-owed", lang), justify="right"),
        # on a narrow terminal (English headers are long) these go first: done = on time +
        # late, and the rate and what is overdue or due today stay
        Column(message("col-on-time", lang), justify="right", drop=2),
        Column(message("col-late-short", lang), justify="right", drop=2),
        Column(message("col-overdue-short", lang), justify="right"),
        Column(message("col-due-today", lang), justify="right"),
        Column(message("col-done-share", lang), justify="right"),
        Column(message("col-supervised", lang), justify="right"),
        Column(message("col-last-report", lang)),
        Column(message("col-report-delay", lang), justify="right", drop=1),
    ]
    rows: list[list[Cell]] = []
    for row in office.groups:
        style = {"lagging": "bold red", "due_soon": "yellow"}.get(row.light, "green")
        delay = row.report_delay
        rows.append(
            [
                Text("● " + row.name, style=style),
                Text(f"{row.lagging}/{len(row.units)}", style="red" if row.lagging else ""),
                str(row.days_overdue) if row.days_overdue else "",
                str(row.due),
                str(row.on_time),
                str(row.late),
                Text(str(row.overdue), style="red" if row.overdue else ""),
                Text(str(row.due_today), style="yellow" if row.due_today else ""),
                percent(row.done_share),
                str(row.supervised),
                Text(_last_report(row, office.as_of, lang), style="red" if row.silent else ""),
                "—"
                if delay is None
                else message("report-delay-days", lang, median=delay.median_number, max=delay.max),
            ]
        )
    console.print()
    print_table(console, columns, rows)
    console.print(message("office-legend", lang), style="dim")
    lagging = [(row, u) for row in office.groups for u in row.units if u.lagging]
    if lagging:
        unit_rows: list[list[Cell]] = [
            [
                row.name,
                u.unit.label,
                str(u.days_overdue),
                _listed(
                    sorted(u.in_state("overdue"), key=lambda a: -a.days_overdue),
                    "overdue-item",
                    "red",
                    lang,
                    lambda a: {"days": a.days_overdue},
                ),
            ]
            for row, u in lagging
        ]
        unit_columns = [
            Column(message("col-group", lang), prose=True),
            Column(message("col-unit", lang), wrap=False),
            Column(message("col-days-overdue", lang), justify="right"),
            Column(message("col-overdue", lang)),
        ]
        console.print()
        print_table(console, unit_columns, unit_rows, message("office-lagging-units", lang))
    _print_group_actions(console, [(g.name, g.actions) for g in office.groups], lang)


def _print_unit_table(
    console: Console,
    report: StatusReport,
    names: dict[str, str],
    group_names: dict[str, str],
    lang: str,
    show_all: bool,
) -> None:
    shown = (
        report.units
        if show_all
        else [u for u in report.units if u.lagging or u.due_soon or u.stale]
    )
    rest = len(report.units) - len(shown)
    with_staleness = any(u.stale is not None for u in report.units)
    if not report.units:
        console.print(message("status-none", lang))
        return
    if shown:
        several_groups = len({u.unit.group for u in shown}) > 1
        columns = [Column(message("col-unit", lang), wrap=False)]
        if several_groups:  # a long group name folds before the overdue column does
            columns.append(Column(message("col-group", lang), prose=True))
        columns += [
            Column(message("col-state", lang), wrap=False),
            Column(message("col-days-overdue", lang), justify="right"),
            Column(message("col-overdue", lang)),
            Column(message("col-due-soon", lang)),
            Column(message("col-late", lang)),
            Column(message("col-progress", lang), justify="right"),
        ]
        if with_staleness:
            columns.append(Column(message("col-last-change", lang)))
        columns.append(Column(message("col-problems", lang), prose=True))
        rows = []
        for unit in shown:
            row = _unit_row(unit, names, lang)
            if several_groups:
                row.insert(1, group_names.get(unit.unit.group, unit.unit.group))
            if with_staleness:
                row.insert(-1, _last_change_text(unit, report, lang))
            rows.append(row)
        console.print()
        print_table(console, columns, rows)
        console.print()
    if rest:
        key = "status-rest-stale" if with_staleness else "status-rest"
        console.print(message(key, lang, count=rest))


def _last_change_text(unit: UnitStatus, report: StatusReport, lang: str) -> Text:
    if unit.last_change is None:
        return Text(message("never-committed", lang), style="red" if unit.stale else "")
    text = format_date(unit.last_change, lang)
    if unit.stale:
        days = unit.stale_days
        return Text(f"{text}\n{message('stale-days', lang, days=days)}", style="red")
    return Text(text)


def _done_text(action: ActionStatus, lang: str) -> str:
    return format_date(action.done, lang) if action.done else ""


# The columns of a unit's detail, in the terminal and in the workbook alike.
UNIT_DETAIL_COLUMNS = ("col-phase", "col-action", "col-due", "col-state", "col-done-on", "col-note")


def unit_detail_rows(
    unit: UnitStatus, names: dict[str, str], lang: str
) -> list[tuple[str, ActionStatus, str]]:
    """A unit's actions as its detail shows them: the phase's name, the action, and the
    notes on it in one text -- each renderer then writes the deadline, state and day its
    own way."""
    return [
        (
            names.get(action.planned.phase_id, action.planned.phase_id),
            action,
            "\n".join(action_notes(action, unit, names, lang)),
        )
        for action in unit.actions
    ]


def _print_unit_detail(
    console: Console, unit: UnitStatus, names: dict[str, str], lang: str
) -> None:
    table = Table(title=unit.unit.name, title_justify="left", box=box.SIMPLE_HEAD)
    for key in UNIT_DETAIL_COLUMNS:
        table.add_column(message(key, lang), overflow="fold")
    for phase, action, notes in unit_detail_rows(unit, names, lang):
        table.add_row(
            phase,
            action.planned.action.name,
            format_deadline(action.planned.due, lang),
            _state_text(action, lang),
            _done_text(action, lang),
            notes,
        )
    console.print(table)


# --- tally ---------------------------------------------------------------------------------

BAR_WIDTH = 20
BAR_GLYPHS = "█▓▒░"  # distinct per rating, so a bar reads without colour too


def rating_style(rating: str, positive: list[str], negative: list[str]) -> str:
    return "green" if rating in positive else "red" if rating in negative else "yellow"


def distribution_bar(
    subject: SubjectTally, valid: int, positive: list[str], negative: list[str]
) -> Text:
    """A stacked bar of ``BAR_WIDTH`` cells over the valid forms; unrated forms stay blank.
    Cell boundaries are rounded cumulatively, so the parts always add up to the whole."""
    bar = Text()
    if valid <= 0:
        return bar
    cumulative, drawn = 0, 0
    for index, (rating, count) in enumerate(subject.counts.items()):
        cumulative += count
        edge = round(Fraction(cumulative * BAR_WIDTH, valid))
        glyph = BAR_GLYPHS[min(index, len(BAR_GLYPHS) - 1)]
        bar.append(glyph * (edge - drawn), style=rating_style(rating, positive, negative))
        drawn = edge
    bar.append(" " * (BAR_WIDTH - drawn))
    return bar


def print_tallies(
    console: Console,
    tallies: list[MeetingTally],
    *,
    lang: str,
    ratings: list[str],
    positive: list[str],
    negative: list[str],
    flag_at: Fraction,
    unit_names: dict[str, str],
    kind_names: dict[str, str],
) -> None:
    if not tallies:
        console.print(message("tally-none", lang))
        return
    for tally in tallies:
        counts = tally.counts
        console.print(
            message(
                "tally-meeting",
                lang,
                date=format_date(tally.date, lang),
                unit=unit_names.get(tally.unit, tally.unit),
                kind=kind_names.get(tally.kind, tally.kind),
                id=tally.id,
            ),
            style="bold",
        )
        console.print(
            message(
                "tally-forms",
                lang,
                distributed="—" if counts.distributed is None else counts.distributed,
                returned=counts.returned,
                valid=counts.valid,
                invalid=counts.invalid,
            )
        )
        table = Table(box=box.SIMPLE_HEAD)
        table.add_column(message("col-subject", lang), no_wrap=True)
        for rating in ratings:
            table.add_column(rating, justify="right")
        table.add_column(message("col-unrated", lang), justify="right")
        table.add_column(message("col-distribution", lang), no_wrap=True)
        table.add_column(message("col-positive-rate", lang), justify="right")
        table.add_column(message("col-negative-rate", lang), justify="right")
        table.add_column(message("col-flag", lang), no_wrap=True)
        for subject in tally.subjects:
            table.add_row(
                subject.subject,
                *(str(subject.counts[rating]) for rating in ratings),
                str(subject.unrated),
                distribution_bar(subject, counts.valid, positive, negative),
                percent(subject.positive_rate),
                Text(percent(subject.negative_rate), style="red" if subject.flagged else ""),
                Text(message("flag-mark", lang) if subject.flagged else "", style="bold red"),
            )
        console.print(table)
    legend = " ".join(
        f"{BAR_GLYPHS[min(i, len(BAR_GLYPHS) - 1)]} {rating}" for i, rating in enumerate(ratings)
    )
    console.print(
        message("tally-legend", lang, legend=legend, flag_at=percent(flag_at)), style="dim"
    )


def print_comparisons(
    console: Console,
    comparisons: list[UnitComparison],
    single: list[str],
    *,
    lang: str,
    unit_names: dict[str, str],
    kind_names: dict[str, str],
) -> None:
    if not comparisons and not single:
        console.print(message("tally-none", lang))
    for item in comparisons:
        console.print(
            message(
                "compare-title",
                lang,
                unit=unit_names.get(item.unit, item.unit),
                before=kind_names.get(item.before.kind, item.before.kind),
                before_date=format_date(item.before.date, lang),
                after=kind_names.get(item.after.kind, item.after.kind),
                after_date=format_date(item.after.date, lang),
            ),
            style="bold",
        )
        table = Table(box=box.SIMPLE_HEAD)
        table.add_column(message("col-subject", lang), no_wrap=True)
        for rate in ("col-positive-rate", "col-negative-rate"):
            for side in ("col-before", "col-after", "col-change"):
                table.add_column(f"{message(rate, lang)}·{message(side, lang)}", justify="right")
        for change in item.subjects:
            before, after = change.before, change.after
            negative_change = change.negative_shift
            table.add_row(
                change.subject,
                percent(before.positive_rate if before else None),
                percent(after.positive_rate if after else None),
                Text(
                    signed_percent(change.positive_shift),
                    style=_change_style(change.positive_shift, good_when_up=True),
                ),
                Text(
                    percent(before.negative_rate if before else None),
                    style="red" if before and before.flagged else "",
                ),
                Text(
                    percent(after.negative_rate if after else None),
                    style="red" if after and after.flagged else "",
                ),
                Text(
                    signed_percent(negative_change),
                    style=_change_style(negative_change, good_when_up=False),
                ),
            )
        console.print(table)
    if single:
        console.print(
            message("compare-single", lang, units="、".join(unit_names.get(u, u) for u in single))
        )


def _change_style(change: Shift | None, *, good_when_up: bool) -> str:
    """Green for a change for the better, red for the worse, as shown: none when the shown
    rates are equal (``Shift.direction``)."""
    if change is None or change.direction == "same":
        return ""
    return "green" if (change.direction == "rose") == good_when_up else "red"


# --- log ---------------------------------------------------------------------------------------


def print_log(console: Console, commits: list[Commit], lang: str) -> None:
    if not commits:
        console.print(message("log-none", lang))
        return
    columns = [
        Column(message("col-date", lang), wrap=False),
        Column(message("col-author", lang)),
        Column(message("col-commit", lang), wrap=False),
        Column(message("col-message", lang), prose=True),
        Column(message("col-files", lang)),
    ]
    rows: list[list[Cell]] = [
        [
            commit.when.strftime("%Y-%m-%d %H:%M"),
            commit.author,
            Text(commit.short, style="cyan"),
            commit.message,
            "\n".join(commit.files),
        ]
        for commit in commits
    ]
    print_table(console, columns, rows)
