"""The facts a group's phase summary (督导工作总结) states, judged once.

``group_summary`` decides every number and state the summary words: the meetings of the
phase and the group's visits among them (``duchu.judge.visits``, the rule the office's
circular counts by), where the units stand on the phase's actions, the findings and their
state on the as-of date, the appraisals and the before/after comparison (rose, same or
fell as ``duchu.judge.rates`` shows a change), and what is still overdue from earlier
phases. ``duchu.render.report`` picks these and words them; it counts nothing.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from fractions import Fraction
from typing import Literal

from duchu.judge.given import NoticeIndex, given_notices
from duchu.judge.phase import (
    EarlierOverdue,
    PhaseStanding,
    earlier_overdue,
    next_phase,
    phase_of,
    standing,
)
from duchu.judge.status import (
    ActionStatus,
    DoneIndex,
    StatusReport,
    UnitStatus,
    UnknownIdError,
    unit_status,
)
from duchu.judge.tally import MeetingTally, UnitComparison, compare_units, tally_meetings
from duchu.judge.visits import (
    Visits,
    count_visits,
    group_people,
    in_phase,
    is_visit,
    kind_order,
    supervision_kinds,
)
from duchu.records.ballots import exact_fraction
from duchu.records.dates import Deadline, Year, parse_date, parse_deadline
from duchu.records.models import Action, Campaign, Finding, Group, Meeting
from duchu.records.tree import Tree

HeldMeeting = tuple[date, str, Meeting]  # its day, its id, the record

# The words that name a group's report of a phase (报送阶段督导报告, 报送督导工作总结).
REPORT_WORDS = ("总结", "报告")


def is_own_report(action: Action) -> bool:
    """Whether a phase's action is the group's summary of that phase -- the document a
    group summary is -- so that the summary never lists it as a task still to do: a
    ``by: group`` action without a meeting whose name is of a report (总结, 报告)."""
    return (
        action.by == "group"
        and action.meeting is None
        and any(word in action.name for word in REPORT_WORDS)
    )


@dataclass(frozen=True)
class FindingState:
    """A finding as the summary reports it: its dates and its state on the as-of date."""

    unit: str
    finding: Finding
    found: date | None
    resolved: date | None  # None while still open on the as-of date
    deadline: Deadline | None
    on_time: bool  # rectified by its deadline (or it had none)
    overdue_days: int  # still open past its deadline: by how many days

    @property
    def state(self) -> Literal["resolved", "overdue", "open"]:
        """Where it stands on the as-of date."""
        if self.resolved is not None:
            return "resolved"
        return "overdue" if self.overdue_days else "open"


def judge_finding(unit_id: str, finding: Finding, year: Year, as_of: date) -> FindingState | None:
    """A finding's dates and state on ``as_of``; None when it was found after that day. A
    finding rectified after the as-of date was still open on it."""
    found = parse_date(finding.found, year) if finding.found else None
    if found is not None and found > as_of:
        return None
    resolved = parse_date(finding.resolved, year) if finding.resolved else None
    if resolved is not None and resolved > as_of:
        resolved = None  # rectified after the as-of date: still open then
    deadline = parse_deadline(finding.due, year) if finding.due else None
    overdue_days = (
        (as_of - deadline.day).days
        if resolved is None and deadline is not None and deadline.day < as_of
        else 0
    )
    return FindingState(
        unit=unit_id,
        finding=finding,
        found=found,
        resolved=resolved,
        deadline=deadline,
        on_time=resolved is not None and (deadline is None or resolved <= deadline.day),
        overdue_days=overdue_days,
    )


@dataclass(frozen=True)
class Flagged:
    """A flagged subject of an appraisal, and the reminder talk on record, if any."""

    tally: MeetingTally
    subject: str
    negative_rate: Fraction | None
    reminded: date | None


@dataclass(frozen=True)
class Progress:
    """Where the group's units stand on the phase's actions (counts for 基本情况)."""

    units: list[UnitStatus]  # in official order
    due: int
    done: int
    late: list[tuple[UnitStatus, ActionStatus]]
    overdue: int
    pending: int  # open or due soon
    units_with_due: int
    on_time_units: list[UnitStatus]  # something due, all of it done on time
    all_finished: bool  # every action done, late or waived
    due_today: int = 0  # due on the as-of date, not done yet (in ``due``: CLI.md 1.2)

    @property
    def done_share(self) -> Fraction | None:
        return Fraction(self.done, self.due) if self.due else None


@dataclass(frozen=True)
class KindPractice:
    """The phase's meetings of one kind, as the summary's 主要做法 tells them."""

    kind: str
    meetings: list[HeldMeeting]  # every meeting of the kind, by date
    visits: list[HeldMeeting]  # those that were the group's visits
    units: list[str]  # the group's units those visits covered, in official order
    everyone: bool  # every member of the group at every visit
    present: list[str]  # the group's people at any visit, in the group's order
    people: int | None  # 人次 of the visits, when recorded

    @property
    def not_visits(self) -> list[HeldMeeting]:
        return [m for m in self.meetings if m not in self.visits]


def _practices(
    tree: Tree,
    campaign: Campaign,
    unit_ids: list[str],
    meetings: list[HeldMeeting],
    visit_ids: set[str],
    members: list[str],
) -> list[KindPractice]:
    by_kind: dict[str, list[HeldMeeting]] = {}
    for item in meetings:
        by_kind.setdefault(item[2].kind, []).append(item)
    practices = []
    for kind in kind_order(campaign, by_kind):
        items = by_kind[kind]
        visits = [item for item in items if item[1] in visit_ids]
        people = [m.people for _, _, m in visits if m.people is not None]
        visited = {uid for _, mid, _ in visits for uid in tree.meeting_units[mid]}
        practices.append(
            KindPractice(
                kind=kind,
                meetings=items,
                visits=visits,
                units=[uid for uid in unit_ids if uid in visited],
                everyone=bool(visits)
                and all(set(members) <= set(m.attended_by) for _, _, m in visits),
                present=[n for n in members if any(n in m.attended_by for _, _, m in visits)],
                people=sum(people) if people else None,
            )
        )
    return practices


@dataclass(frozen=True)
class AppraisalTotals:
    meetings: int
    units: int
    kinds: list[str]
    distributed: int | None
    returned: int
    valid: int


@dataclass
class GroupSummary:
    """Everything a group's phase summary states, judged."""

    tree: Tree
    campaign: Campaign
    group_id: str
    group: Group
    members: list[str]  # leader first, then the members
    unit_ids: list[str]  # the group's units, in official order
    phase: PhaseStanding
    next_phase: PhaseStanding | None
    as_of: date
    status: StatusReport  # the phase's actions
    meetings: list[HeldMeeting]  # of the phase (``in_phase``), by date
    campaign_meetings: list[HeldMeeting]  # the last phase: the campaign's so far; else as above
    visit_ids: set[str]  # the meetings that were the group's visits
    visits: Visits
    campaign_visits: Visits | None  # the last phase: every meeting of the campaign so far
    people: int | None  # 人次 of the phase's visits, when recorded
    campaign_people: int | None
    unit_kinds: dict[str, Counter[str]]  # per unit: its visits of the phase by kind
    # per unit: its 督查 of the phase (visits of supervision kinds; all visits when no kind
    # is marked) -- the units' average is ``visits.per_unit``
    unit_supervised: dict[str, int]
    supervision_marked: bool  # whether the campaign marks supervision kinds
    kinds_held: list[str]  # the kinds of the phase's visits, in the campaign's order
    practices: list[KindPractice]  # the phase's meetings kind by kind, in the campaign's order
    progress: Progress
    group_actions: list[ActionStatus]
    # of ``group_actions``, the ids of the group's report of the phase: the document the
    # summary is, which it never asks for (a to-do, a lag, a next step)
    own_reports: set[str]
    earlier_overdue: list[EarlierOverdue]
    findings: list[FindingState]
    tallies: list[MeetingTally]  # the appraisals shown: the phase's
    appraisal: AppraisalTotals
    comparisons: list[UnitComparison] | None  # the last phase only, in official order
    flagged: list[Flagged]
    flag_at: Fraction
    reminded: set[tuple[str, str, str]] = field(default_factory=set)  # (meeting, unit, subject)


HeldByUnit = dict[str, list[HeldMeeting]]  # a unit id: the meetings naming it, held by a day


def held_by_unit(tree: Tree, as_of: date, unit_ids: set[str]) -> HeldByUnit:
    """The meetings held by ``as_of`` that name any of ``unit_ids``, each date read once,
    under each of those units it names: a circular reads the tree's meetings once for every
    group's summary, not once a group."""
    campaign = tree.campaign
    assert campaign is not None
    calendar = campaign.calendar  # worked out anew each time it is asked for
    held: HeldByUnit = {}
    for mid, meeting in tree.meetings.items():
        named = unit_ids.intersection(tree.meeting_units.get(mid, ()))
        if not named:
            continue
        day = parse_date(meeting.date, calendar)
        if day > as_of:
            continue
        for uid in named:
            held.setdefault(uid, []).append((day, mid, meeting))
    return held


def _phase_meetings(
    held: HeldByUnit,
    summary_units: list[str],
    standing_: PhaseStanding,
    as_of: date,
    *,
    whole: bool,
) -> list[HeldMeeting]:
    """The meetings of the group's units of the phase (or, ``whole``, of the campaign so
    far), by date then id."""
    window = (standing_.start, standing_.due)
    found: dict[str, HeldMeeting] = {}
    for uid in summary_units:
        for day, mid, meeting in held.get(uid, ()):
            if mid in found:
                continue
            if whole or in_phase(standing_.phase, window, meeting, day, as_of):
                found[mid] = (day, mid, meeting)
    return sorted(found.values(), key=lambda item: (item[0], item[1]))


def _people(meetings: list[HeldMeeting], visit_ids: set[str]) -> int | None:
    counted = [m.people for _, mid, m in meetings if mid in visit_ids and m.people is not None]
    return sum(counted) if counted else None


def _progress(status: StatusReport) -> Progress:
    units = sorted(status.units, key=lambda u: u.position)
    return Progress(
        units=units,
        due=sum(u.due for u in units),
        done=sum(u.done_of_due for u in units),
        late=[(u, a) for u in units for a in u.actions if a.state == "late" and a.done],
        overdue=sum(len(u.in_state("overdue")) for u in units),
        pending=sum(1 for u in units for a in u.actions if a.state in ("open", "due_soon")),
        units_with_due=sum(1 for u in units if u.due),
        # every action due done, none late (one due that very day and not done yet is not)
        on_time_units=[u for u in units if u.due and u.due_on_time == u.due],
        due_today=sum(u.due_today for u in units),
        all_finished=bool(units)
        and all(a.state in ("done", "late", "waived") for u in units for a in u.actions),
    )


def _findings(
    tree: Tree, unit_ids: list[str], phase: PhaseStanding, as_of: date
) -> list[FindingState]:
    """The findings a summary reports: those found by the phase's end that were still open
    when it began, with their state on the as-of date; in the last phase, every finding of
    the campaign."""
    campaign = tree.campaign
    assert campaign is not None
    year = campaign.calendar
    window_start = phase.start or date.min
    findings = []
    for uid in unit_ids:
        for finding in tree.units[uid].findings:
            item = judge_finding(uid, finding, year, as_of)
            if item is None:
                continue
            if item.found is not None and item.found > phase.due and not phase.last:
                continue  # found after the phase: a later phase's summary tells it
            if item.resolved is not None and item.resolved < window_start and not phase.last:
                continue  # rectified before this phase began: told in an earlier summary
            findings.append(item)
    return findings


def group_summary(
    tree: Tree,
    phase_id: str,
    group_id: str | None,
    as_of: date,
    *,
    index: DoneIndex | None = None,
    given: NoticeIndex | None = None,
    held: HeldByUnit | None = None,
    units_of: Mapping[str, list[str]] | None = None,
    status: StatusReport | None = None,
) -> GroupSummary:
    """Everything the group summary of one phase states, as of a date. Without a group, the
    tree's only group. ``index``, ``given`` and ``held`` (``done_index``, ``given_notices``,
    ``held_by_unit``) and ``units_of`` (each group's units in official order): the tree's,
    read once when a circular judges every group's summary; ``status``: the group's
    ``unit_status`` of the phase on the same day, cut from the whole tree's
    (``duchu.judge.status.group_slices``)."""
    campaign, phase_record = phase_of(tree, phase_id)
    if group_id is None:
        if len(tree.groups) != 1:
            raise UnknownIdError("group", "")
        group_id = next(iter(tree.groups))
    group = tree.groups.get(group_id)
    if group is None:
        raise UnknownIdError("group", group_id)
    phase = standing(campaign, phase_record, as_of)
    unit_ids = (
        list(units_of.get(group_id, ()))
        if units_of is not None
        else [uid for uid, unit in tree.units.items() if unit.group == group_id]
    )
    people = group_people(group)
    if given is None:  # (1.2) a reminder talk is a `talk` notice on record
        given = given_notices(tree, as_of)
    if status is None:
        status = unit_status(tree, as_of, group=group_id, phase=phase_id, index=index, given=given)
    if held is None:
        held = held_by_unit(tree, as_of, set(unit_ids))
    meetings = _phase_meetings(held, unit_ids, phase, as_of, whole=False)
    campaign_meetings = (
        _phase_meetings(held, unit_ids, phase, as_of, whole=True) if phase.last else meetings
    )
    visit_ids = {mid for _, mid, m in campaign_meetings if is_visit(m, people)}
    visits = count_visits(tree, unit_ids, people, [mid for _, mid, _ in meetings])
    campaign_visits = (
        count_visits(tree, unit_ids, people, [mid for _, mid, _ in campaign_meetings])
        if phase.last
        else None
    )
    unit_kinds: dict[str, Counter[str]] = {uid: Counter() for uid in unit_ids}
    unit_supervised = dict.fromkeys(unit_ids, 0)
    supervision = supervision_kinds(campaign)
    for _, mid, meeting in meetings:
        if mid in visit_ids:
            for uid in tree.meeting_units.get(mid, ()):
                if uid in unit_kinds:
                    unit_kinds[uid][meeting.kind] += 1
                    if supervision is None or meeting.kind in supervision:
                        unit_supervised[uid] += 1

    tallied = [mid for _, mid, _ in campaign_meetings if mid in tree.appraisals]
    tallies = tally_meetings(tree, tallied) if tallied else []
    phase_ids = {mid for _, mid, _ in meetings}
    phase_tallies = [t for t in tallies if t.id in phase_ids]
    comparisons = None
    if phase.last:
        comparisons, _ = compare_units(tallies)
        positions = {uid: i for i, uid in enumerate(unit_ids)}
        comparisons.sort(key=lambda c: positions[c.unit])  # official order, not the dates
    flagged, reminded = [], set()
    for t in tallies if phase.last else phase_tallies:
        for s in t.subjects:
            if s.flagged:
                talk = given.talk_since(t.unit, s.subject, t.date)
                day = talk.date if talk is not None else None
                if day is not None:
                    reminded.add((t.id, t.unit, s.subject))
                flagged.append(Flagged(t, s.subject, s.negative_rate, day))
    forms = [t.counts for t in phase_tallies]
    distributed = [c.distributed for c in forms if c.distributed is not None]
    members = list(dict.fromkeys([*([group.leader] if group.leader else []), *group.members]))
    return GroupSummary(
        tree=tree,
        campaign=campaign,
        group_id=group_id,
        group=group,
        members=members,
        unit_ids=unit_ids,
        phase=phase,
        next_phase=next_phase(campaign, phase.phase, as_of),
        as_of=as_of,
        status=status,
        meetings=meetings,
        campaign_meetings=campaign_meetings,
        visit_ids=visit_ids,
        visits=visits,
        campaign_visits=campaign_visits,
        people=_people(meetings, visit_ids),
        campaign_people=_people(campaign_meetings, visit_ids) if phase.last else None,
        unit_kinds=unit_kinds,
        unit_supervised=unit_supervised,
        supervision_marked=supervision is not None,
        kinds_held=kind_order(campaign, {m.kind for _, mid, m in meetings if mid in visit_ids}),
        practices=_practices(tree, campaign, unit_ids, meetings, visit_ids, members),
        progress=_progress(status),
        group_actions=[a for g in status.groups for a in g.actions],
        own_reports={
            a.planned.id
            for g in status.groups
            for a in g.actions
            if is_own_report(a.planned.action)
        },
        earlier_overdue=earlier_overdue(tree, phase.phase, as_of, group=group_id),
        findings=_findings(tree, unit_ids, phase, as_of),
        tallies=phase_tallies,
        appraisal=AppraisalTotals(
            meetings=len(phase_tallies),
            units=len({t.unit for t in phase_tallies}),
            kinds=list(dict.fromkeys(t.kind for t in phase_tallies)),
            distributed=sum(distributed) if distributed else None,
            returned=sum(c.returned for c in forms),
            valid=sum(c.valid for c in forms),
        ),
        comparisons=comparisons,
        flagged=flagged,
        flag_at=exact_fraction(campaign.appraisal.flag_at),
        reminded=reminded,
    )
