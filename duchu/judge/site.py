"""The one judgement every page of the site renders (``duchu site``).

The units' status as of the day, the tallies and their before/after comparisons, the
office's rollup of the groups, each unit's meetings held by then and its findings as they
stand that day -- judged here once; ``duchu.render.site`` picks and words them.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from fractions import Fraction

from duchu.judge.asof import Provenance
from duchu.judge.office import FileDates, OfficeReport, office_rollup
from duchu.judge.rates import Direction, Shift
from duchu.judge.status import (
    ActionStatus,
    PlannedAction,
    StatusReport,
    UnitStatus,
    plan,
    unit_status,
)
from duchu.judge.summary import FindingState, judge_finding
from duchu.judge.tally import MeetingTally, UnitComparison, compare_units, tally_meetings
from duchu.judge.trend import Trend, judge_trend
from duchu.records.ballots import exact_fraction
from duchu.records.dates import parse_date
from duchu.records.tree import Tree


@dataclass(frozen=True)
class TeamShifts:
    """How each compared unit's leadership team's positive rate moved, as shown (rose,
    same or fell by ``duchu.judge.rates``), units in the comparisons' order."""

    items: list[tuple[UnitComparison, Shift]]

    def count(self, direction: Direction) -> int:
        return sum(1 for _, s in self.items if s.direction == direction)

    def fell_most(self, limit: int) -> list[tuple[UnitComparison, Shift]]:
        """The units whose team's rate fell, the most first (as shown; ties in order)."""
        fell = [item for item in self.items if item[1].direction == "fell"]
        return sorted(fell, key=lambda item: item[1].tenths)[:limit]


def team_shifts(comparisons: list[UnitComparison], team: str) -> TeamShifts:
    items = []
    for item in comparisons:
        for change in item.subjects:
            shift = change.positive_shift
            if change.subject == team and shift is not None:
                items.append((item, shift))
    return TeamShifts(items)


@dataclass
class SiteInput:
    """Everything the site shows, judged once."""

    tree: Tree
    status: StatusReport
    office: OfficeReport
    tallies: list[MeetingTally]
    comparisons: list[UnitComparison]
    provenance: Provenance
    lang: str
    known: bool = False
    group: str | None = None  # the one group the site is limited to (``--group``)
    # each shown unit's meetings held by the as-of date, in date order: work dated later
    # does not count yet, and is not shown either
    meetings_of: dict[str, list[tuple[date, str]]] = field(default_factory=dict)
    # each shown unit's findings known by the as-of date, as they stand that day
    findings_of: dict[str, list[FindingState]] = field(default_factory=dict)
    unit_actions: list[PlannedAction] = field(default_factory=list)  # the grid's columns
    flag_at: Fraction = Fraction(1, 5)
    team: TeamShifts = field(default_factory=lambda: TeamShifts([]))
    # each group's completion week by week, as the office knew it (``duchu.judge.trend``)
    trend: Trend = field(default_factory=Trend)
    # the shown units' findings still open on the as-of date, the most overdue first
    open_findings: list[FindingState] = field(default_factory=list)
    # (1.2) the unit actions under a notice and not done yet: red first, then the oldest
    under_notice: list[tuple[UnitStatus, ActionStatus]] = field(default_factory=list)


_GRADE_RANK = {"red": 0, "yellow": 1, "blue": 2}


def under_notice(status: StatusReport) -> list[tuple[UnitStatus, ActionStatus]]:
    """The unit actions whose latest notice (督办) was given and that are still not done on
    the as-of date (../shared/spec/CLI.md 1.2: the dashboard shows the grades): the highest
    grade first, then the oldest notice, then the units' order."""
    found = [
        (unit, action)
        for unit in status.units
        for action in unit.actions
        if action.notice is not None and action.state in ("overdue", "due_soon", "open")
    ]
    found.sort(
        key=lambda pair: (
            _GRADE_RANK.get(pair[1].notice.level, 3) if pair[1].notice else 3,
            pair[1].notice.date if pair[1].notice else date.max,
        )
    )
    return found


def open_findings(
    findings_of: dict[str, list[FindingState]], order: list[str]
) -> list[FindingState]:
    """The findings not rectified by the as-of date: the most days overdue first, then the
    nearest deadline (none last), then the units' order and each unit's own order."""
    place = {uid: i for i, uid in enumerate(order)}
    found = [
        (place.get(uid, len(place)), i, f)
        for uid, items in findings_of.items()
        for i, f in enumerate(items)
        if f.state != "resolved"
    ]
    found.sort(
        key=lambda item: (
            -item[2].overdue_days,
            item[2].deadline is None,
            item[2].deadline.day if item[2].deadline is not None else date.min,
            item[0],
            item[1],
        )
    )
    return [f for _, _, f in found]


def _meetings_of_units(tree: Tree, status: StatusReport) -> dict[str, list[tuple[date, str]]]:
    campaign = tree.campaign
    assert campaign is not None
    shown = {u.id for u in status.units}
    found: dict[str, list[tuple[date, str]]] = defaultdict(list)
    for meeting_id, unit_ids in tree.meeting_units.items():
        day = parse_date(tree.meetings[meeting_id].date, campaign.calendar)
        if day > status.as_of:
            continue
        for uid in unit_ids:
            if uid in shown:
                found[uid].append((day, meeting_id))
    for items in found.values():
        items.sort()
    return dict(found)


def judge_for_site(
    tree: Tree,
    day: date,
    *,
    lang: str,
    group: str | None = None,
    known: bool = False,
    commit: str | None = None,
    git_facts: Callable[[], tuple[Provenance, FileDates | None]],
    use_cache: bool = True,
) -> SiteInput:
    """The one judgement every page renders: the units' status as of ``day``, the tallies
    and their before/after comparison, and the office's rollup of the groups. ``git_facts``
    (the checkout and each file's dates: git's work, not Python's) is asked in a thread
    beside the judging, which is Python's."""
    from concurrent.futures import ThreadPoolExecutor

    campaign = tree.campaign
    assert campaign is not None
    with ThreadPoolExecutor(max_workers=1) as pool:
        asked = pool.submit(git_facts)
        status = unit_status(tree, day, group=group)
        tallies = tally_meetings(tree, group=group, until=day)
        comparisons, _ = compare_units(tallies)
        provenance, file_dates = asked.result()
    office = office_rollup(tree, status, file_dates, known=known, commit=commit)
    findings_of: dict[str, list[FindingState]] = {}
    for unit in status.units:
        judged = [judge_finding(unit.id, f, campaign.calendar, day) for f in unit.unit.findings]
        findings_of[unit.id] = [f for f in judged if f is not None]
    shown_groups = {row.id for row in office.groups}
    # the tree already loaded stands for its commit: the known one; or, on a checkout with
    # no change to the records, HEAD's (what a nightly job's site reads)
    loaded = None
    if known and commit is not None:
        loaded = (commit, tree)
    elif provenance.in_git and provenance.commit and not provenance.dirty:
        loaded = (provenance.commit, tree)
    trend = judge_trend(
        tree,
        day,
        [(gid, tree.groups[gid].name) for gid in tree.groups if gid in shown_groups],
        group=group,
        known=loaded,
        use_cache=use_cache,
    )
    return SiteInput(
        tree=tree,
        status=status,
        office=office,
        tallies=tallies,
        comparisons=comparisons,
        provenance=provenance,
        lang=lang,
        known=known,
        group=group,
        meetings_of=_meetings_of_units(tree, status),
        findings_of=findings_of,
        unit_actions=[p for p in plan(campaign) if p.action.by == "unit"],
        flag_at=exact_fraction(campaign.appraisal.flag_at),
        team=team_shifts(
            [c for c in comparisons if c.unit in {u.id for u in status.units}],
            campaign.appraisal.team,
        ),
        trend=trend,
        open_findings=open_findings(findings_of, [u for u in tree.units if u in findings_of]),
        under_notice=under_notice(status),
    )
