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

from duchu.judge.given import NoticeIndex, given_notices
from duchu.judge.phase import phase_window
from duchu.judge.status import ActionStatus, StatusReport, UnitStatus
from duchu.judge.visits import count_visits, group_people, in_phase, supervision_kinds
from duchu.records.dates import parse_date
from duchu.records.models import Campaign, Phase
from duchu.records.tree import Tree, group_path, meeting_path, unit_path


class FileDates(Protocol):
    """When each file (relative to the records root) was first added and last changed, by
    the commits on or before the as-of date (``duchu.git.history.file_dates``)."""

    @property
    def added(self) -> Mapping[str, date]: ...

    @property
    def changed(self) -> Mapping[str, date]: ...

    @property
    def reported(self) -> Mapping[str, date]:
        """When each file last changed as a report (``duchu.records.reports``)."""
        ...


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
    """One group as the office sees it (../shared/spec/CLI.md, ``status --by group``)."""

    id: str
    name: str
    order: int | None
    units: list[UnitStatus]
    actions: list[ActionStatus]  # the group's own actions
    due: int = 0
    on_time: int = 0
    late: int = 0
    overdue: int = 0
    due_today: int = 0  # due on the as-of date and not done yet (not overdue: 1.2)
    attended: int = 0
    attended_by_kind: dict[str, int] = field(default_factory=dict)
    supervised: int = 0  # 督查次数: attended meetings of supervision kinds (``judge.visits``)
    unit_visits: int = 0  # a supervision visit once for each of the group's units it covers
    last_change: date | None = None
    report_delay: Delay | None = None
    late_reporting: bool = False  # the median delay is over the campaign's report_within
    # (1.2) reporting: the last commit of the group's work, the days since (or since the
    # campaign's first start), its meetings recorded later than report_within; None outside git
    last_report: date | None = None
    silent_days: int | None = None
    late_reports: int | None = None
    silent: bool = False  # silent_days over the campaign's report_within
    notices_given: int = 0  # (1.2) the notices (督办, 谈话提醒) it gave by the as-of date

    @property
    def stay_red(self) -> list[tuple[UnitStatus, ActionStatus]]:
        """(1.2) Its units' actions under a red notice (挂牌督办) and still not done."""
        return [
            (unit, action)
            for unit in self.units
            for action in unit.actions
            if action.notice is not None
            and action.notice.level == "red"
            and action.state in ("overdue", "due_soon", "open")
        ]

    @property
    def done(self) -> int:
        return self.on_time + self.late

    @property
    def per_unit(self) -> Fraction:
        """Visits per unit: the units' visits over the units (``duchu.judge.visits``)."""
        return Fraction(self.unit_visits, len(self.units)) if self.units else Fraction(0)

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
    kinds: list[str] = field(default_factory=list)  # the campaign's meeting kinds, in order
    report_within: int = 7  # the campaign's days to record a meeting (``silent``, late reports)
    supervision_marked: bool = False  # whether 督查 counts only some kinds (``judge.visits``)

    @property
    def units(self) -> int:
        return sum(len(g.units) for g in self.groups)

    @property
    def lagging(self) -> int:
        return sum(g.lagging for g in self.groups)

    # --- the totals and comparisons a circular states, judged here ------------------------

    @property
    def due(self) -> int:
        return sum(g.due for g in self.groups)

    @property
    def done(self) -> int:
        return sum(g.done for g in self.groups)

    @property
    def late(self) -> int:
        return sum(g.late for g in self.groups)

    @property
    def overdue(self) -> int:
        return sum(g.overdue for g in self.groups)

    @property
    def due_today(self) -> int:
        return sum(g.due_today for g in self.groups)

    @property
    def supervised(self) -> int:
        return sum(g.supervised for g in self.groups)

    @property
    def silent_groups(self) -> list[GroupRow]:
        """The groups silent longer than the campaign's ``report_within``, longest first."""
        silent = [g for g in self.groups if g.silent]
        return sorted(silent, key=lambda g: -(g.silent_days or 0))

    @property
    def done_share(self) -> Fraction | None:
        return Fraction(self.done, self.due) if self.due else None

    @property
    def notices_given(self) -> int:
        """(1.2) The notices (督办, 谈话提醒) the groups gave by the as-of date."""
        return sum(g.notices_given for g in self.groups)

    @property
    def attended(self) -> int:
        return sum(g.attended for g in self.groups)

    @property
    def per_unit(self) -> Fraction:
        """Visits per unit over every group: all units' visits over all units."""
        units = self.units
        return Fraction(sum(g.unit_visits for g in self.groups), units) if units else Fraction(0)

    @property
    def attended_by_kind(self) -> dict[str, int]:
        """Every group's visits by kind, in the campaign's order of kinds."""
        total: Counter[str] = Counter()
        for row in self.groups:
            total.update(row.attended_by_kind)
        place = {kid: i for i, kid in enumerate(self.kinds)}
        return dict(sorted(total.items(), key=lambda kv: (place.get(kv[0], len(place)), kv[0])))

    def _extremes(self) -> tuple[list[GroupRow], list[GroupRow]]:
        rated = [r for r in self.groups if r.done_share is not None]
        if len(rated) < 2:
            return [], []
        shares = [r.done_share for r in rated]
        best = max(s for s in shares if s is not None)
        worst = min(s for s in shares if s is not None)
        if best == worst:
            return [], []
        return [r for r in rated if r.done_share == best], [
            r for r in rated if r.done_share == worst
        ]

    @property
    def fastest(self) -> list[GroupRow]:
        """The groups with the highest completion rate, when rates differ (two or more
        groups with something due)."""
        return self._extremes()[0]

    @property
    def slowest(self) -> list[GroupRow]:
        """The groups with the lowest completion rate, when rates differ -- those of them
        with an action overdue: a rate lowered only by actions due on the as-of date itself
        is no lag to name (``due_today`` is not overdue, ../shared/spec/CLI.md 1.2)."""
        return [row for row in self._extremes()[1] if row.overdue]

    @property
    def few_visits(self) -> list[GroupRow]:
        """The groups (with units) whose visits per unit are below the average of all, when
        there are groups to compare."""
        if len(self.groups) < 2:
            return []
        average = self.per_unit
        return [r for r in self.groups if r.units and r.per_unit < average]


def _rank(row: GroupRow, place: int) -> tuple[bool, Fraction, Fraction, int, bool, int, int, str]:
    # (1.2) completion rate, lowest first (nothing due: last); then the share of lagging
    # units, highest first; then days overdue; then `order`, id
    share = row.done_share
    return (
        share is None,
        share if share is not None else Fraction(0),
        -row.lagging_share,
        -row.days_overdue,
        row.order is None,
        row.order or 0,
        place,
        row.id,
    )


def campaign_start(campaign: Campaign) -> date | None:
    """The campaign's first start: its earliest phase start (else its earliest deadline)."""
    starts = [phase_window(p, campaign.calendar)[0] for p in campaign.phases]
    known = [d for d in starts if d is not None]
    if known:
        return min(known)
    dues = [phase_window(p, campaign.calendar)[1] for p in campaign.phases]
    return min(dues, default=None)


def office_rollup(
    tree: Tree,
    status: StatusReport,
    file_dates: FileDates | None,
    *,
    known: bool = False,
    commit: str | None = None,
    phase: Phase | None = None,
    given: NoticeIndex | None = None,
) -> OfficeReport:
    """Every group of ``status`` (a ``unit_status`` of the tree, maybe of one group or
    phase) with its units' actions counted, its supervision visits and its reporting.

    With ``phase``, the meetings counted are the phase's (``duchu.judge.visits.in_phase``:
    a phase's circular counts the visits its groups' summaries count); ``status --by
    group`` counts every meeting up to the as-of date. ``given``: the tree's
    ``given_notices`` as of the same day, when the caller has it already (a circular)."""
    campaign = tree.campaign
    assert campaign is not None
    as_of = status.as_of
    calendar = campaign.calendar  # worked out anew each time it is asked for
    window = phase_window(phase, calendar) if phase is not None else (None, as_of)
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

    if tree.notices and given is None:
        given = given_notices(tree, as_of)
    given_by = given.given_by if tree.notices and given is not None else {}
    first_start = campaign_start(campaign)
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
            notices_given=given_by.get(gid, 0),
        )
        for unit in row.units:  # as each unit's status counted them (``UnitStatus.due``)
            row.due += unit.due
            row.on_time += unit.due_on_time
            row.late += unit.due_late
            row.overdue += unit.due_overdue
            row.due_today += unit.due_today
        people = group_people(record)
        counted = []
        delays = []
        for meeting_id in meetings_of.get(gid, []):
            meeting = tree.meetings[meeting_id]
            day = parse_date(meeting.date, calendar)
            if day > as_of or (
                phase is not None and not in_phase(phase, window, meeting, day, as_of)
            ):
                continue
            counted.append(meeting_id)
            if file_dates is not None:
                added = file_dates.added.get(meeting_path(meeting_id))
                if added is not None:
                    # a record committed before its meeting's day (written up in advance)
                    # was not late: no negative delays
                    delays.append(max((added - day).days, 0))
        # a visit of this group's: one of its own people there (a meeting of units of
        # several groups counts for the groups whose members attended it)
        visits = count_visits(tree, [u.id for u in row.units], people, counted)
        row.attended = visits.meetings
        row.attended_by_kind = visits.by_kind
        row.supervised = visits.supervised
        row.unit_visits = visits.unit_visits
        if file_dates is not None:
            changed = [file_dates.changed[f] for f in files_of[gid] if f in file_dates.changed]
            row.last_change = max(changed) if changed else None
            if delays:
                row.report_delay = Delay(float(statistics.median(delays)), max(delays), len(delays))
                row.late_reporting = row.report_delay.median > campaign.report_within
            row.late_reports = sum(1 for d in delays if d > campaign.report_within)
            reported = [file_dates.reported[f] for f in files_of[gid] if f in file_dates.reported]
            row.last_report = max(reported) if reported else None
            since = row.last_report or first_start
            if since is not None:
                row.silent_days = max((as_of - since).days, 0)
                row.silent = row.silent_days > campaign.report_within
        rows.append(row)
    place = {gid: i for i, gid in enumerate(tree.groups)}
    rows.sort(key=lambda row: _rank(row, place[row.id]))
    return OfficeReport(
        as_of=as_of,
        known=known,
        groups=rows,
        commit=commit,
        kinds=list(campaign.meeting_kinds),
        report_within=campaign.report_within,
        supervision_marked=supervision_kinds(campaign) is not None,
    )


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
    """The ``status --by group --format json`` document of ../shared/spec/CLI.md, groups in rank
    order."""
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
                "due_today": g.due_today,
                "attended": g.attended,
                "attended_by_kind": g.attended_by_kind,
                "supervised": g.supervised,
                "last_change": g.last_change.isoformat() if g.last_change else None,
                "last_report": g.last_report.isoformat() if g.last_report else None,
                "silent_days": g.silent_days,
                "late_reports": g.late_reports,
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
