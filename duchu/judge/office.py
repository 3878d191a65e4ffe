"""The activity office's view across groups (``status --by group``, the circular, the
dashboard): one row per group, computed once from the units' status.

Every number here is an aggregate of what ``duchu.judge.status`` judged for each unit, plus what
git says of when the group's files were committed -- so a table, a JSON document, a
circular and a web page that show a group's row can never disagree. The git facts are
passed in (``FileDates``); outside git they are None and so are the fields built on them.
"""

from __future__ import annotations

import statistics
from collections import Counter, defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from fractions import Fraction
from typing import Protocol

from duchu.judge.status import ActionStatus, StatusReport, UnitStatus
from duchu.records.dates import parse_date
from duchu.records.load import Tree, group_path, meeting_path, unit_path


class FileDates(Protocol):
    """When each file (relative to the records root) was first added and last changed, by
    the commits on or before the as-of date (``duchu.git.repo.file_dates``)."""

    @property
    def added(self) -> Mapping[str, date]: ...

    @property
    def changed(self) -> Mapping[str, date]: ...


@dataclass(frozen=True)
class Delay:
    """Days from meetings to the commits that reported them: median and longest."""

    median: float
    max: int
    count: int

    @property
    def median_number(self) -> int | float:
        """The median as written: 7 rather than 7.0, 7.5 as it is."""
        return int(self.median) if self.median == int(self.median) else self.median


@dataclass
class GroupRow:
    """One group as the office sees it (CLI.md, ``status --by group``)."""

    id: str
    name: str
    order: int | None
    units: list[UnitStatus]
    actions: list[ActionStatus]  # the group's own actions
    due: int = 0
    on_time: int = 0
    late: int = 0
    overdue: int = 0
    attended: int = 0
    attended_by_kind: dict[str, int] = field(default_factory=dict)
    last_change: date | None = None
    report_delay: Delay | None = None

    @property
    def lagging(self) -> int:
        return sum(1 for u in self.units if u.lagging)

    @property
    def days_overdue(self) -> int:
        return max((u.days_overdue for u in self.units), default=0)

    @property
    def light(self) -> str:
        """The group's traffic light: ``lagging`` when a unit lags, ``due_soon`` when one
        has an action due soon, else ``on_track`` (every rendering colours by this)."""
        if self.lagging:
            return "lagging"
        if any(u.due_soon for u in self.units):
            return "due_soon"
        return "on_track"

    @property
    def lagging_share(self) -> Fraction:
        return Fraction(self.lagging, len(self.units)) if self.units else Fraction(0)

    @property
    def done_share(self) -> Fraction | None:
        """The share of due actions done (on time or late); None when nothing is due."""
        return Fraction(self.on_time + self.late, self.due) if self.due else None


@dataclass
class OfficeReport:
    as_of: date
    known: bool
    groups: list[GroupRow]  # the groups that lag most first
    commit: str | None = None  # with ``--known``: the commit the records were read from

    @property
    def units(self) -> int:
        return sum(len(g.units) for g in self.groups)

    @property
    def lagging(self) -> int:
        return sum(g.lagging for g in self.groups)


_COUNTED = ("done", "late", "overdue")


def _rank(row: GroupRow, place: int) -> tuple[Fraction, int, bool, int, int, str]:
    # share of lagging units, highest first; then days overdue; then `order`, id
    return (-row.lagging_share, -row.days_overdue, row.order is None, row.order or 0, place, row.id)


def office_rollup(
    tree: Tree,
    status: StatusReport,
    file_dates: FileDates | None,
    *,
    known: bool = False,
    commit: str | None = None,
    since: date | None = None,
    until: date | None = None,
) -> OfficeReport:
    """Every group of ``status`` (a ``unit_status`` of the tree, maybe of one group or
    phase) with its units' actions counted, its supervision visits and its reporting.

    ``since`` and ``until`` limit the meetings counted to those between them (a phase's
    circular counts the visits of the phase); ``status --by group`` counts every meeting
    up to the as-of date."""
    campaign = tree.campaign
    assert campaign is not None
    as_of = status.as_of
    kind_place = {kid: i for i, kid in enumerate(campaign.meeting_kinds)}
    units_of: dict[str, list[UnitStatus]] = defaultdict(list)
    for unit in sorted(status.units, key=lambda u: u.position):
        units_of[unit.unit.group].append(unit)
    shown = {g.id: g for g in status.groups}
    group_ids = [gid for gid in tree.groups if gid in shown or gid in units_of]

    group_of_unit = {uid: u.group for uid, u in tree.units.items()}
    files_of: dict[str, list[str]] = {gid: [group_path(gid)] for gid in group_ids}
    meetings_of: dict[str, list[str]] = defaultdict(list)
    for unit in status.units:
        files_of.setdefault(unit.unit.group, []).append(unit_path(unit.id))
    for meeting_id, unit_ids in tree.meeting_units.items():
        for gid in dict.fromkeys(group_of_unit[uid] for uid in unit_ids):
            if gid in files_of:
                meetings_of[gid].append(meeting_id)
                files_of[gid].append(meeting_path(meeting_id))
                ballots = _ballot_path(tree, meeting_id)
                if ballots:
                    files_of[gid].append(ballots)

    rows = []
    for gid in group_ids:
        record = tree.groups[gid]
        group_status = shown.get(gid)
        row = GroupRow(
            gid,
            record.name,
            record.order,
            units_of.get(gid, []),
            group_status.actions if group_status else [],
        )
        for unit in row.units:
            for action in unit.actions:
                # due by the as-of date, and so done (on time or late) or overdue: on its
                # due day an action not yet done is still `due_soon` (a deadline includes its
                # day), and CLI.md's on_time + late + overdue = due holds
                if action.state not in _COUNTED or action.planned.due.day > as_of:
                    continue
                row.due += 1
                if action.state == "done":
                    row.on_time += 1
                elif action.state == "late":
                    row.late += 1
                else:
                    row.overdue += 1
        kinds: Counter[str] = Counter()
        delays = []
        members = {*record.members, *([record.leader] if record.leader else [])}
        for meeting_id in meetings_of.get(gid, []):
            meeting = tree.meetings[meeting_id]
            day = parse_date(meeting.date, campaign.year)
            if day > as_of or (since is not None and day < since) or (until and day > until):
                continue
            # a visit of this group's: one of its own people there (a meeting of units of
            # several groups counts for the groups whose members attended it)
            if any(name in members for name in meeting.attended_by):
                kinds[meeting.kind] += 1
            if file_dates is not None:
                added = file_dates.added.get(meeting_path(meeting_id))
                if added is not None:
                    # a record committed before its meeting's day (written up in advance)
                    # was not late: no negative delays
                    delays.append(max((added - day).days, 0))
        row.attended = sum(kinds.values())
        row.attended_by_kind = dict(
            sorted(kinds.items(), key=lambda kv: (kind_place.get(kv[0], len(kind_place)), kv[0]))
        )
        if file_dates is not None:
            changed = [file_dates.changed[f] for f in files_of[gid] if f in file_dates.changed]
            row.last_change = max(changed) if changed else None
            if delays:
                row.report_delay = Delay(float(statistics.median(delays)), max(delays), len(delays))
        rows.append(row)
    place = {gid: i for i, gid in enumerate(tree.groups)}
    rows.sort(key=lambda row: _rank(row, place[row.id]))
    return OfficeReport(as_of=as_of, known=known, groups=rows, commit=commit)


def _ballot_path(tree: Tree, meeting_id: str) -> str | None:
    meeting = tree.meetings[meeting_id]
    if meeting.appraisal is None or meeting.appraisal.ballots is None:
        return None
    import posixpath

    folder = posixpath.dirname(meeting_path(meeting_id))
    return posixpath.normpath(posixpath.join(folder, meeting.appraisal.ballots))


def _action_json(status: ActionStatus) -> dict[str, object]:
    return {
        "id": status.planned.id,
        "due": status.planned.due.day.isoformat(),
        "state": status.state,
        "done": status.done.isoformat() if status.done else None,
    }


def office_json(report: OfficeReport) -> dict[str, object]:
    """The ``status --by group --format json`` document of CLI.md, groups in rank order."""
    return {
        "as_of": report.as_of.isoformat(),
        "known": report.known,
        "groups": [
            {
                "id": g.id,
                "name": g.name,
                "units": len(g.units),
                "lagging": g.lagging,
                "days_overdue": g.days_overdue,
                "due": g.due,
                "on_time": g.on_time,
                "late": g.late,
                "overdue": g.overdue,
                "attended": g.attended,
                "attended_by_kind": g.attended_by_kind,
                "last_change": g.last_change.isoformat() if g.last_change else None,
                "report_delay_days": None
                if g.report_delay is None
                else {"median": g.report_delay.median_number, "max": g.report_delay.max},
                "actions": [_action_json(a) for a in g.actions],
            }
            for g in report.groups
        ],
        "summary": {
            "groups": len(report.groups),
            "units": report.units,
            "lagging": report.lagging,
        },
    }
