"""Which units are lagging, as of a date: the six states of ../shared/spec/CLI.md, computed from the
records.

An action is done on the earliest of: the unit's ``done`` date, its first meeting of the
action's ``meeting`` kind, a meeting that ``completes`` it. Work dated after the as-of date
does not count yet, so a status as of a past day is the state of that day. The as-of date
is always passed in: this module never reads the clock.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from functools import cached_property
from typing import Literal

from duchu.judge.given import GivenNotice, NoticeIndex, given_notices
from duchu.records.dates import Deadline, Year, parse_date, parse_deadline
from duchu.records.models import Action, Campaign, Dated, Unit
from duchu.records.tree import Tree

State = Literal["done", "late", "overdue", "due_soon", "open", "waived"]
STATES: tuple[State, ...] = ("done", "late", "overdue", "due_soon", "open", "waived")
# A unit's traffic light, the same in every output: lagging when an action is overdue, due
# soon when one is, stale when its records have not changed for too long (``--stale``),
# else on track.
Light = Literal["lagging", "due_soon", "stale", "on_track"]
LIGHTS: tuple[Light, ...] = ("lagging", "due_soon", "stale", "on_track")


class UnknownIdError(LookupError):
    """A filter names a group, unit or phase the records do not have."""

    def __init__(self, kind: str, ident: str) -> None:
        super().__init__(f"{kind} {ident}")
        self.kind = kind
        self.ident = ident


@dataclass(frozen=True)
class PlannedAction:
    """An action of the campaign with its phase and parsed deadline."""

    action: Action
    phase_id: str
    due: Deadline

    @property
    def id(self) -> str:
        return self.action.id


@dataclass(slots=True)  # not frozen: a province has hundreds of thousands, made in a loop
class ActionStatus:
    planned: PlannedAction
    state: State
    done: date | None
    problems: tuple[str, ...] = ()
    days_overdue: int = 0
    days_left: int | None = None  # for open and due-soon actions
    notice: GivenNotice | None = None  # (1.2) the latest notice given about it (a unit action)

    @property
    def days_late(self) -> int:
        """How many days after its due date the action was done (0 unless late)."""
        if self.state != "late" or self.done is None:
            return 0
        return (self.done - self.planned.due.day).days


@dataclass
class UnitStatus:
    id: str
    unit: Unit
    actions: list[ActionStatus]
    # with ``--stale``: the last day its records changed (None: never committed), and
    # whether that is more than the allowed number of days before the as-of date
    last_change: date | None = None
    stale: bool | None = None
    stale_days: int | None = None  # days from the last change to the as-of date, when stale
    # where the unit stands in official order: its group's order, then its own
    # (../shared/spec/RECORDS.md)
    position: int = 0
    # of its actions due by the as-of date (not waived): how many, and how many done, on
    # time or late -- the one count the office view sums too (``office.GroupRow.due``)
    due: int = 0
    done_of_due: int = 0
    due_on_time: int = 0
    due_late: int = 0
    due_overdue: int = 0
    # due that very day and not done yet: not overdue (the day is not over), but due
    # (../shared/spec/CLI.md 1.2: a completion rate never rises because a deadline came)
    due_today: int = 0

    # Asked again and again while sorting and drawing a province's table; the actions of a
    # unit are settled when its status is made.
    @cached_property
    def lagging(self) -> bool:
        return any(a.state == "overdue" for a in self.actions)

    @cached_property
    def days_overdue(self) -> int:
        return max((a.days_overdue for a in self.actions), default=0)

    @cached_property
    def due_soon(self) -> bool:
        return any(a.state == "due_soon" for a in self.actions)

    @property
    def light(self) -> Light:
        """The unit's traffic light (``Light``): every output colours and words a unit by
        this, never by its own reading of the states."""
        if self.lagging:
            return "lagging"
        if self.due_soon:
            return "due_soon"
        if self.stale:
            return "stale"
        return "on_track"

    def in_state(self, state: State) -> list[ActionStatus]:
        return [a for a in self.actions if a.state == state]


@dataclass
class GroupStatus:
    id: str
    name: str
    actions: list[ActionStatus]


@dataclass
class StatusReport:
    as_of: date
    units: list[UnitStatus]  # in table order: lagging, then due soon, then the rest
    groups: list[GroupStatus] = field(default_factory=list)

    @property
    def lagging(self) -> int:
        return sum(1 for u in self.units if u.lagging)

    def any_unit_in(self, state: State) -> bool:
        """Whether a unit of the report has an action in ``state`` (for ``--fail-on``)."""
        return any(a.state == state for u in self.units for a in u.actions)


def plan(campaign: Campaign, phase: str | None = None) -> list[PlannedAction]:
    """The campaign's actions in order, each with its parsed deadline."""
    if phase is not None and phase not in {p.id for p in campaign.phases}:
        raise UnknownIdError("phase", phase)
    return [
        PlannedAction(action, p.id, parse_deadline(action.due, campaign.calendar))
        for p in campaign.phases
        if phase is None or p.id == phase
        for action in p.actions
    ]


class _DoneIndex:
    """Per unit: the earliest meeting of each kind and the earliest ``completes`` of each
    action, and its place in official order; built once for the whole tree."""

    def __init__(self, tree: Tree, year: Year) -> None:
        self.positions = official_positions(tree)
        self.by_kind: dict[str, dict[str, date]] = defaultdict(dict)
        self.by_completes: dict[str, dict[str, date]] = defaultdict(dict)
        for meeting_id, meeting in tree.meetings.items():
            day = parse_date(meeting.date, year)
            # a meeting of several units counts for each of them as if it were theirs
            for unit_id in tree.meeting_units.get(meeting_id, ()):
                kinds = self.by_kind[unit_id]
                if meeting.kind not in kinds or day < kinds[meeting.kind]:
                    kinds[meeting.kind] = day
                completes = self.by_completes[unit_id]
                for action_id in meeting.completes:
                    if action_id not in completes or day < completes[action_id]:
                        completes[action_id] = day


DoneIndex = _DoneIndex


def done_index(tree: Tree) -> DoneIndex:
    """The tree's meetings indexed for ``unit_status``: build once, judge many times."""
    campaign = tree.campaign
    if campaign is None:
        raise ValueError("the tree has no valid campaign")
    return _DoneIndex(tree, campaign.calendar)


def _earliest(*days: date | None) -> date | None:
    earliest = None
    for day in days:
        if day is not None and (earliest is None or day < earliest):
            earliest = day
    return earliest


def _done_date(done: dict[str, Dated], action_id: str, year: Year) -> date | None:
    entry = done.get(action_id)
    return parse_date(entry.date, year) if entry is not None else None


def _judge(
    planned: PlannedAction,
    done: date | None,
    waived: bool,
    as_of: date,
    warn_days: int,
    problems: tuple[str, ...] = (),
) -> ActionStatus:
    if waived:
        return ActionStatus(planned, "waived", None, problems)
    due = planned.due.day
    if done is not None and done <= as_of:
        return ActionStatus(planned, "done" if done <= due else "late", done, problems)
    days_left = (due - as_of).days
    if days_left < 0:
        return ActionStatus(planned, "overdue", None, problems, days_overdue=-days_left)
    state: State = "due_soon" if days_left <= warn_days else "open"
    return ActionStatus(planned, state, None, problems, days_left=days_left)


def _applies(action: Action, unit: Unit) -> bool:
    return action.applies_to is None or (unit.category or "") in action.applies_to


def _unit_actions(
    tree: Tree,
    unit_id: str,
    unit: Unit,
    planned: list[PlannedAction],
    by_id: dict[str, PlannedAction],
    index: _DoneIndex,
    as_of: date,
) -> list[ActionStatus]:
    campaign = tree.campaign
    assert campaign is not None
    year = campaign.calendar
    group = tree.groups.get(unit.group)
    kinds = index.by_kind.get(unit_id, {})
    completes = index.by_completes.get(unit_id, {})

    known: dict[str, date | None] = {}  # an action is asked about again for each `after`

    def done_on(action: Action) -> date | None:
        if action.id in known:
            return known[action.id]
        if action.by == "group":
            day = _done_date(group.done, action.id, year) if group else None
        else:
            day = _earliest(
                _done_date(unit.done, action.id, year),
                kinds.get(action.meeting) if action.meeting else None,
                completes.get(action.id),
            )
        known[action.id] = day = day if day is not None and day <= as_of else None
        return day

    statuses = []
    for item in planned:
        action = item.action
        if action.by != "unit" or not _applies(action, unit):
            continue
        done = done_on(action)
        problems: list[str] = []
        if done is not None:
            for before_id in action.after:
                before = by_id.get(before_id)
                if before is None or before_id in unit.waived:
                    continue
                if before.action.by == "unit" and not _applies(before.action, unit):
                    continue
                before_done = done_on(before.action)
                if before_done is None or before_done > done:
                    problems.append(f"before:{before_id}")
        statuses.append(
            _judge(item, done, action.id in unit.waived, as_of, campaign.warn_days, tuple(problems))
        )
    return statuses


def _count_due(status: UnitStatus, as_of: date) -> None:
    """The unit's actions due by the as-of date (not waived) and how they stand: done (on
    time or late), overdue, or due today and not done yet -- which keeps its state
    (``due_soon``: a deadline includes its day) but is counted due, so on time + late +
    overdue + due today = due (../shared/spec/CLI.md 1.2)."""
    for action in status.actions:
        if action.planned.due.day > as_of:
            continue
        if action.state == "done":
            status.due_on_time += 1
        elif action.state == "late":
            status.due_late += 1
        elif action.state == "overdue":
            status.due_overdue += 1
        elif action.state in ("due_soon", "open"):  # due on the as-of date itself
            status.due_today += 1
    status.due = status.due_on_time + status.due_late + status.due_overdue + status.due_today
    status.done_of_due = status.due_on_time + status.due_late


def _table_order(status: UnitStatus) -> tuple[int, int, int, int]:
    """Lagging units first, most days overdue first; then those with an action due soon,
    soonest first; then stale ones; then the rest; ties in official order."""
    if status.lagging:
        return (0, -status.days_overdue, 0, status.position)
    if status.due_soon:
        soonest = min(a.days_left or 0 for a in status.in_state("due_soon"))
        return (1, 0, soonest, status.position)
    if status.stale:
        return (2, 0, 0, status.position)
    return (3, 0, 0, status.position)


def official_positions(tree: Tree) -> dict[str, int]:
    """Each unit's place in official order: by its group's place, then its own."""
    group_place = {gid: i for i, gid in enumerate(tree.groups)}
    ordered = sorted(
        enumerate(tree.units.items()),
        key=lambda item: (group_place.get(item[1][1].group, len(group_place)), item[0]),
    )
    return {uid: place for place, (_, (uid, _)) in enumerate(ordered)}


def mark_stale(
    report: StatusReport, files_of: dict[str, list[str]], changed: dict[str, date], days: int
) -> None:
    """Set each unit's last change (the latest date any of its files changed, from
    ``changed``) and mark it stale when that is more than ``days`` before the as-of date
    or never. Re-sorts the units: stale ones come right after those due soon."""
    for status in report.units:
        dates = [changed[f] for f in files_of.get(status.id, []) if f in changed]
        status.last_change = max(dates) if dates else None
        status.stale = status.last_change is None or (
            (report.as_of - status.last_change).days > days
        )
        status.stale_days = (
            (report.as_of - status.last_change).days
            if status.stale and status.last_change is not None
            else None
        )
    report.units.sort(key=_table_order)


def unit_status(
    tree: Tree,
    as_of: date,
    *,
    group: str | None = None,
    phase: str | None = None,
    unit: str | None = None,
    index: DoneIndex | None = None,
    given: NoticeIndex | None = None,
) -> StatusReport:
    """The state of every action of every selected unit (and group) as of ``as_of``;
    ``index`` and ``given``: the tree's ``done_index`` and ``given_notices`` as of the same
    day, when a caller judges it many times (a circular: each group's summary)."""
    campaign = tree.campaign
    if campaign is None:
        raise ValueError("the tree has no valid campaign")
    if group is not None and group not in tree.groups:
        raise UnknownIdError("group", group)
    if unit is not None and unit not in tree.units:
        raise UnknownIdError("unit", unit)
    by_id = {p.id: p for p in plan(campaign)}  # every action, for `after`: built once
    planned = plan(campaign, phase)
    if index is None:
        index = _DoneIndex(tree, campaign.calendar)
    positions = index.positions
    units = [
        UnitStatus(
            unit_id,
            record,
            _unit_actions(tree, unit_id, record, planned, by_id, index, as_of),
            position=positions[unit_id],
        )
        for unit_id, record in tree.units.items()
        if (group is None or record.group == group) and (unit is None or unit_id == unit)
    ]
    for status in units:
        _count_due(status, as_of)
    if tree.notices:  # (1.2) each action's latest notice, given by the as-of day
        if given is None:
            given = given_notices(tree, as_of)
        for status in units:
            for action in status.actions:
                action.notice = given.latest(status.id, action.planned.id)
    units.sort(key=_table_order)
    shown_groups = (
        [group]
        if group is not None
        else [tree.units[unit].group]
        if unit is not None
        else list(tree.groups)  # in official order
    )
    groups = []
    for group_id in shown_groups:
        record = tree.groups.get(group_id)
        if record is None:
            continue
        actions = [
            _judge(
                item,
                _earliest(_done_date(record.done, item.id, campaign.calendar)),
                False,
                as_of,
                campaign.warn_days,
            )
            for item in planned
            if item.action.by == "group"
        ]
        groups.append(GroupStatus(group_id, record.name, actions))
    return StatusReport(as_of=as_of, units=units, groups=groups)


def group_slices(whole: StatusReport, tree: Tree) -> dict[str, StatusReport]:
    """Each group's status cut out of the whole tree's (``unit_status`` without ``group``
    or ``unit``, same day and phase): what ``unit_status(..., group=gid)`` judges, for a
    caller that needs every group's (a circular), in one pass. Each unit's state is judged
    from its own records alone, so it is the same judged whole or by group; the table
    order is total (ties in official order), so the whole's order restricted to a group is
    the group's."""
    slices = {
        status.id: StatusReport(as_of=whole.as_of, units=[], groups=[status])
        for status in whole.groups
    }
    units = tree.units
    for status in whole.units:
        group = slices.get(units[status.id].group)
        if group is not None:
            group.units.append(status)
    return slices


def _action_json(status: ActionStatus, *, unit: bool) -> dict[str, object]:
    data: dict[str, object] = {"id": status.planned.id}
    if unit:
        data["phase"] = status.planned.phase_id
    data["due"] = status.planned.due.day.isoformat()
    data["state"] = status.state
    data["done"] = status.done.isoformat() if status.done else None
    if unit:
        data["problems"] = list(status.problems)
        data["notice"] = status.notice.json() if status.notice is not None else None
    return data


def status_json(report: StatusReport) -> dict[str, object]:
    """The ``status --format json`` document of ../shared/spec/CLI.md, units in table order."""
    return {
        "as_of": report.as_of.isoformat(),
        "units": [
            {
                "id": u.id,
                "name": u.unit.name,
                "group": u.unit.group,
                "lagging": u.lagging,
                "days_overdue": u.days_overdue,
                "actions": [_action_json(a, unit=True) for a in u.actions],
                **(
                    {}
                    if u.stale is None
                    else {
                        "last_change": u.last_change.isoformat() if u.last_change else None,
                        "stale": u.stale,
                    }
                ),
            }
            for u in report.units
        ],
        "groups": [
            {"id": g.id, "actions": [_action_json(a, unit=False) for a in g.actions]}
            for g in report.groups
        ],
        "summary": {"units": len(report.units), "lagging": report.lagging},
    }


# An as-of date this far past the campaign's last deadline (or before its first day) is
# most likely today's date on an old tree: every number then counts from it.
FAR_OUTSIDE_DAYS = 180


def campaign_span(campaign: Campaign) -> tuple[date, date]:
    """The campaign's first day (its earliest phase start, else its earliest deadline) and
    its last deadline, phases and actions alike."""
    deadlines = [p.due.day for p in plan(campaign)]
    deadlines += [parse_deadline(phase.due, campaign.calendar).day for phase in campaign.phases]
    starts = [
        parse_deadline(phase.start, campaign.calendar, "start").day
        for phase in campaign.phases
        if phase.start is not None
    ]
    return min(starts or deadlines), max(deadlines)


def far_outside(campaign: Campaign, as_of: date) -> tuple[date, date] | None:
    """The campaign's span when ``as_of`` lies far outside it (before its first day, or
    more than ``FAR_OUTSIDE_DAYS`` after its last deadline), else None."""
    first, last = campaign_span(campaign)
    if as_of < first or (as_of - last).days > FAR_OUTSIDE_DAYS:
        return first, last
    return None
