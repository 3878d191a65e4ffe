"""The office's 台账 (ledger) sheet of ``status --format xlsx`` (../shared/spec/CLI.md 1.2,
Spreadsheets): every unit against every action, each cell the action's state and its date,
coloured as the traffic lights of the other sheets (``duchu.render.xlsx.STATE_TONE``).

Units stand in official order (their group's ``order``, then their own), grouped by group;
the actions stand in the campaign's order under a band naming their phases, each header the
action's name and its deadline. Nothing is judged here: the states, days and dates are the
ones ``duchu.judge.status`` gave every other output.
"""

from __future__ import annotations

from datetime import date

from duchu.judge.office import OfficeReport
from duchu.judge.status import ActionStatus, PlannedAction, StatusReport
from duchu.messages import message
from duchu.records.dates import format_date, format_deadline
from duchu.render.xlsx import STATE_TONE, Cell, Sheet, Value, office_sheets, status_sheets


def _day(day: date, lang: str) -> str:
    return f"{day.month}月{day.day}日" if lang == "zh" else f"{day.month:02d}-{day.day:02d}"


HEADER_CHARACTERS = 7  # an action's name folds into lines this long: narrow columns, A4 wide


def _folded(name: str) -> str:
    """A long action name in lines (a header is read, not filtered on)."""
    if len(name) <= HEADER_CHARACTERS + 2 or name.isascii():
        return name
    return "\n".join(
        name[i : i + HEADER_CHARACTERS] for i in range(0, len(name), HEADER_CHARACTERS)
    )


def ledger_cell(status: ActionStatus | None, lang: str) -> Cell:
    """One cell: the state in a word or two and its date (按时 3月20日, 逾期12天)."""
    if status is None:  # the action does not apply to the unit (``applies_to``)
        return Cell(message("ledger-not-applicable", lang), tone="grey")
    state = status.state
    tone = STATE_TONE[state]
    if state in ("done", "late") and status.done is not None:
        text = message(f"ledger-{state}", lang, date=_day(status.done, lang))
    elif state == "overdue":
        text = message("ledger-overdue", lang, days=status.days_overdue)
    elif state in ("due_soon", "open") and status.days_left == 0:
        text, tone = message("ledger-due-today", lang), "yellow"
    elif state == "due_soon":
        text = message("ledger-due-soon", lang, days=status.days_left)
    elif state == "open":
        text = message("ledger-open", lang)
    else:
        text = message("ledger-waived", lang)
    return Cell(text, tone=tone)


def ledger_sheet(
    report: StatusReport, *, names: dict[str, str], group_names: dict[str, str], lang: str
) -> Sheet | None:
    """The 台账 of ``report``'s units (None when it has none). ``names`` holds the phases'
    and actions' names by id in the campaign's order (``duchu.judge.commands.stage_names``),
    which is the order of the columns."""
    if not report.units:
        return None
    place = {ident: i for i, ident in enumerate(names)}
    planned: dict[str, PlannedAction] = {}
    for unit in report.units:
        for action in unit.actions:
            planned.setdefault(action.planned.id, action.planned)
    actions = sorted(planned.values(), key=lambda p: (place.get(p.id, len(place)), p.id))
    bands: list[tuple[str, int]] = [("", 2)]
    for item in actions:
        phase = names.get(item.phase_id, item.phase_id)
        if bands[-1][0] == phase and len(bands) > 1:
            bands[-1] = (phase, bands[-1][1] + 1)
        else:
            bands.append((phase, 1))
    headers = [message("col-group", lang), message("col-unit", lang)]
    headers += [
        f"{_folded(names.get(a.id, a.action.name))}\n{format_deadline(a.due, lang)}"
        for a in actions
    ]
    rows: list[list[Value]] = []
    for unit in sorted(report.units, key=lambda u: u.position):
        states = {a.planned.id: a for a in unit.actions}
        row: list[Value] = [group_names.get(unit.unit.group, unit.unit.group), unit.unit.label]
        row += [ledger_cell(states.get(a.id), lang) for a in actions]
        rows.append(row)
    title = message(
        "ledger-title", lang, as_of=format_date(report.as_of, lang), units=len(report.units)
    )
    notes = [title, message("ledger-legend", lang)]
    return Sheet(message("sheet-ledger", lang), headers, rows, notes, bands, frozen_columns=2)


def status_workbook(
    report: StatusReport,
    *,
    lang: str,
    show_all: bool,
    names: dict[str, str],
    group_names: dict[str, str],
    detail: bool,
) -> list[Sheet]:
    """The sheets of ``status --format xlsx``: ``duchu.render.xlsx.status_sheets`` and the
    台账 after them."""
    sheets = status_sheets(
        report,
        lang=lang,
        show_all=show_all,
        names=names,
        group_names=group_names,
        detail=detail,
    )
    ledger = ledger_sheet(report, names=names, group_names=group_names, lang=lang)
    return [*sheets, ledger] if ledger is not None else sheets


def office_workbook(
    office: OfficeReport,
    report: StatusReport,
    names: dict[str, str],
    group_names: dict[str, str],
    lang: str,
) -> list[Sheet]:
    """The sheets of ``status --by group --format xlsx``: ``duchu.render.xlsx.office_sheets``
    and the office's 台账 of the same units after them."""
    ledger = ledger_sheet(report, names=names, group_names=group_names, lang=lang)
    sheets = office_sheets(office, lang=lang)
    return [*sheets, ledger] if ledger is not None else sheets
