"""The facts of the activity office's circular (通报) on one phase, judged once.

The circular states the office rollup of the phase (``duchu.judge.office``) -- the rows
``status --by group`` shows, their totals, the groups doing best and worst, those silent
or reporting late -- and what a 通报 adds to it (../shared/spec/CLI.md 1.2 "What an office
signs"): the milestones (how many units have done each action due so far), good practice
in the records' own words (a meeting's notes), the overdue findings, the flagged appraisal
subjects without a reminder talk and the order breaches (``after``), each group's taken
from its own summary's judgement (``duchu.judge.summary``) so that the two never differ;
the phase's actions still to come, the phase after it and, in the last phase's circular,
what is still overdue from the phases before. ``duchu.render.circular`` words it and
counts nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

from duchu.judge.given import given_notices
from duchu.judge.office import FileDates, GroupRow, OfficeReport, office_rollup
from duchu.judge.phase import (
    EarlierOverdue,
    PhaseStanding,
    earlier_overdue,
    next_phase,
    phase_of,
    standing,
)
from duchu.judge.status import (
    PlannedAction,
    UnknownIdError,
    done_index,
    group_slices,
    plan,
    unit_status,
)
from duchu.judge.summary import (
    FindingState,
    Flagged,
    GroupSummary,
    group_summary,
    held_by_unit,
)
from duchu.judge.visits import supervision_kinds
from duchu.records.models import Action, Campaign
from duchu.records.tree import Tree


@dataclass(frozen=True)
class Milestone:
    """A unit action due by the as-of date: the units it applies to (not waived) and how
    many of them have done it (on time or late)."""

    planned: PlannedAction
    units: int
    done: int

    @property
    def left(self) -> int:
        """The units that have not done it yet."""
        return self.units - self.done


@dataclass(frozen=True)
class Practice:
    """A group's supervision in the records' own words: a meeting it attended, with notes."""

    group: str
    unit: str
    kind: str
    day: date
    notes: str


@dataclass(frozen=True)
class Breach:
    """An action done before one it must follow (``after``): a 动员大会 before its plan."""

    group: str
    unit: str
    action: Action
    before: Action


@dataclass
class OfficeCircular:
    tree: Tree
    campaign: Campaign
    phase: PhaseStanding
    next_phase: PhaseStanding | None
    as_of: date
    office: OfficeReport  # the phase's rollup: its actions, its meetings
    # the last phase's circular covers the whole campaign: what is still overdue from the
    # phases before it (empty in the others)
    earlier_overdue: list[EarlierOverdue]
    milestones: list[Milestone] = field(default_factory=list)
    most_supervised: list[GroupRow] = field(default_factory=list)  # when groups differ
    practices: list[Practice] = field(default_factory=list)  # at most one a group
    overdue_findings: list[tuple[str, FindingState]] = field(default_factory=list)  # (group, …)
    unreminded: list[tuple[str, Flagged]] = field(default_factory=list)  # (group, …)
    breaches: list[Breach] = field(default_factory=list)
    late_reporters: list[GroupRow] = field(default_factory=list)  # late_reports > 0
    remaining: list[PlannedAction] = field(default_factory=list)  # the phase's, due from today


def _milestones(office: OfficeReport, as_of: date) -> list[Milestone]:
    counts: dict[str, list[int]] = {}
    planned: dict[str, PlannedAction] = {}
    for row in office.groups:
        for unit in row.units:
            for a in unit.actions:
                if a.state == "waived" or a.planned.due.day > as_of:
                    continue
                planned[a.planned.id] = a.planned
                tally = counts.setdefault(a.planned.id, [0, 0])
                tally[0] += 1
                tally[1] += a.state in ("done", "late")
    return [Milestone(planned[aid], units, done) for aid, (units, done) in counts.items()]


def _most_supervised(office: OfficeReport) -> list[GroupRow]:
    counts = [row.supervised for row in office.groups]
    # one inspection is no record to hold up to the others
    if len(counts) < 2 or max(counts) < 2 or min(counts) == max(counts):
        return []
    return [row for row in office.groups if row.supervised == max(counts)]


def _breaches(tree: Tree, office: OfficeReport) -> list[Breach]:
    campaign = tree.campaign
    assert campaign is not None
    actions = {a.id: a for p in campaign.phases for a in p.actions}
    found = []
    for row in office.groups:
        for unit in row.units:
            for a in unit.actions:
                for problem in a.problems:
                    before = actions.get(problem.split(":", 1)[-1])
                    if before is not None:
                        found.append(Breach(row.id, unit.id, a.planned.action, before))
    return found


def _troubled_days(summary: GroupSummary) -> set[tuple[str, date]]:
    """The (unit, day) pairs on which a unit of the group had a problem found (a finding's
    ``found``) or did an action out of order (``after``, a breach): the notes of a meeting
    held there that day tell of the problem, not of what was done well, so they are not
    quoted as good practice (三 names the findings and breaches)."""
    troubled = {(f.unit, f.found) for f in summary.findings if f.found is not None}
    for unit in summary.status.units:
        troubled.update((unit.id, a.done) for a in unit.actions if a.problems and a.done)
    return troubled


def _from_summaries(
    office: OfficeReport, summaries: dict[str, GroupSummary]
) -> tuple[list[Practice], list[tuple[str, FindingState]], list[tuple[str, Flagged]]]:
    """Good practice, overdue findings and unreminded flagged subjects, group by group as
    each group's summary judged them; the practice of the groups doing best first, from the
    notes of a visit that found no problem (``_troubled_days``)."""
    practices, findings, unreminded = [], [], []
    ranked = sorted(office.groups, key=lambda r: (-(r.done_share or 0), -r.supervised))
    for row in ranked:
        summary = summaries[row.id]
        troubled = _troubled_days(summary)
        noted = [
            (day, mid, m)
            for day, mid, m in summary.meetings
            if mid in summary.visit_ids
            and (m.notes or "").strip()
            and not any((uid, day) in troubled for uid in summary.tree.meeting_units.get(mid, ()))
        ]
        # an inspection's notes before a meeting's the group sat in
        kinds = supervision_kinds(summary.campaign)
        noted.sort(key=lambda item: (kinds is not None and item[2].kind not in kinds, item[0]))
        if noted:
            day, mid, meeting = noted[0]
            unit = summary.tree.meeting_units.get(mid, ("",))[0]
            practices.append(Practice(row.id, unit, meeting.kind, day, meeting.notes or ""))
    for row in office.groups:
        summary = summaries[row.id]
        findings += [(row.id, f) for f in summary.findings if f.state == "overdue"]
        unreminded += [(row.id, f) for f in summary.flagged if f.reminded is None]
    return practices, findings, unreminded


def office_circular(
    tree: Tree,
    phase_id: str,
    as_of: date,
    file_dates: FileDates | Callable[[], FileDates | None] | None,
    *,
    known_commit: str | None = None,
) -> OfficeCircular:
    """Everything the circular of one phase states, as of a date. ``file_dates``: the
    files' dates, or what answers them -- asked only once every group's summary is judged,
    so that git may answer beside the judging (``duchu.judge.asof.open_as_of``)."""
    campaign, phase_record = phase_of(tree, phase_id)
    phase = standing(campaign, phase_record, as_of)
    # the tree's meetings and notices read once for every group's summary, not once a
    # group: before the rollup, which asks for the files' dates (a row for each group)
    index, given = done_index(tree), given_notices(tree, as_of)
    held = held_by_unit(
        tree, as_of, {uid for uid, u in tree.units.items() if u.group in tree.groups}
    )
    units_of: dict[str, list[str]] = {}
    for uid, unit in tree.units.items():  # in official order, as a summary lists them
        units_of.setdefault(unit.group, []).append(uid)
    # the whole tree's status judged once: each group's summary is cut from it, and the
    # rollup counts it
    whole = unit_status(tree, as_of, phase=phase_id, index=index, given=given)
    sliced = group_slices(whole, tree)
    summaries = {
        gid: group_summary(
            tree,
            phase_id,
            gid,
            as_of,
            index=index,
            given=given,
            held=held,
            units_of=units_of,
            status=sliced.get(gid),
        )
        for gid in tree.groups
    }
    office = office_rollup(
        tree,
        whole,
        file_dates() if callable(file_dates) else file_dates,
        known=known_commit is not None,
        commit=known_commit,
        phase=phase.phase,
        given=given,
    )
    practices, findings, unreminded = _from_summaries(office, summaries)
    return OfficeCircular(
        tree=tree,
        campaign=campaign,
        phase=phase,
        next_phase=next_phase(campaign, phase.phase, as_of),
        as_of=as_of,
        office=office,
        earlier_overdue=earlier_overdue(tree, phase.phase, as_of) if phase.last else [],
        milestones=_milestones(office, as_of),
        most_supervised=_most_supervised(office),
        practices=practices,
        overdue_findings=findings,
        unreminded=unreminded,
        breaches=_breaches(tree, office),
        late_reporters=[row for row in office.groups if row.late_reports],
        remaining=[p for p in plan(campaign, phase_id) if p.due.day >= as_of],
    )


def judge_report(
    tree: Tree,
    phase_id: str,
    group_id: str | None,
    day: date,
    file_dates: Callable[[], FileDates | None],
    known_commit: str | None = None,
) -> OfficeCircular | GroupSummary:
    """What ``duchu report`` states: without a group, on a tree of several groups, the
    office's circular; else the group's summary. An unknown phase or group is a
    ``DuchuError``."""
    from duchu.errors import DuchuError

    try:
        if group_id is None and len(tree.groups) > 1:
            return office_circular(tree, phase_id, day, file_dates, known_commit=known_commit)
        return group_summary(tree, phase_id, group_id, day)
    except UnknownIdError as err:
        if err.kind == "group" and not err.ident:
            raise DuchuError("no-groups") from None
        raise DuchuError(f"no-such-{err.kind}", id=err.ident) from None
