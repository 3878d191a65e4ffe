"""What the ``status`` and ``tally`` commands show, judged from a tree as of a day
(``duchu.judge.asof``): the reports, the staleness git tells, and the names the tables label
ids with. The command line parses, calls one of these, and renders what it returns.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from typing import TYPE_CHECKING

from duchu.errors import DuchuError
from duchu.judge.asof import Judged

if TYPE_CHECKING:
    from duchu.judge.office import OfficeReport
    from duchu.judge.status import State, StatusReport
    from duchu.judge.tally import MeetingTally, UnitComparison
    from duchu.records.tree import Tree


@dataclass
class StatusView:
    """``status``: the units' report (or, ``--by group``, the office's rollup), whether it
    holds what ``--fail-on`` fails on, and the names of phases, actions and groups."""

    report: StatusReport
    failing: bool
    office: OfficeReport | None = None
    names: dict[str, str] = field(default_factory=dict)
    group_names: dict[str, str] = field(default_factory=dict)


def stage_names(tree: Tree) -> dict[str, str]:
    """Phases' and actions' names by id."""
    assert tree.campaign is not None
    names = {p.id: p.name for p in tree.campaign.phases}
    names.update({a.id: a.name for p in tree.campaign.phases for a in p.actions})
    return names


def judge_status(
    judged: Judged,
    *,
    by_group: bool,
    group: str | None,
    phase: str | None,
    unit: str | None,
    fail_on: State | None,
    stale: int | None,
) -> StatusView:
    """The status of the selected units as of the day (ids already resolved)."""
    import duchu.judge.status as judging

    tree, day = judged.tree, judged.day
    report = judging.unit_status(tree, day, group=group, phase=phase, unit=unit)
    failing = fail_on is not None and report.any_unit_in(fail_on)
    group_names = {gid: g.name for gid, g in tree.groups.items()}
    if by_group:
        from duchu.judge.asof import file_dates
        from duchu.judge.office import office_rollup

        known = judged.known_commit is not None
        # with --phase, the phase's meetings too: the circular of that phase counts the same
        campaign = tree.campaign
        scope = next((p for p in campaign.phases if p.id == phase), None) if campaign else None
        office = office_rollup(
            tree, report, file_dates(judged), known=known, commit=judged.known_commit, phase=scope
        )
        # the names too: the office's workbook carries the 台账 of its units
        return StatusView(report, failing, office, stage_names(tree), group_names)
    if stale is not None:
        mark_stale(judged, report, stale)
    return StatusView(report, failing, None, stage_names(tree), group_names)


def mark_stale(judged: Judged, report: StatusReport, days: int) -> None:
    """Mark the units unchanged for more than ``days`` (git)."""
    from duchu.git.history import file_dates
    from duchu.judge.status import mark_stale as marking
    from duchu.records.tree import unit_files

    tree = judged.tree
    # one rule for "when did this file last change" in every view: the branch's own
    # line of commits up to the as-of date (as `--by group`'s last_change)
    changed = file_dates(tree.root, judged.day, start=judged.known_commit).changed
    files_of = {u.id: unit_files(tree, u.id) for u in report.units}
    marking(report, files_of, changed, days)


@dataclass
class TallyView:
    """``tally``: the meetings' tallies or, compared, each unit's first and last; with
    the appraisal's scheme and the names tables label ids with."""

    tallies: list[MeetingTally]
    comparisons: list[UnitComparison] | None
    single: list[str]
    ratings: list[str]
    positive: list[str]
    negative: list[str]
    flag_at: Fraction
    unit_names: dict[str, str]
    kind_names: dict[str, str]


def judge_tally(
    judged: Judged,
    meetings: Sequence[str],
    *,
    unit: str | None,
    kind: str | None,
    group: str | None,
    dated: bool,
    compare: bool,
) -> TallyView:
    """The appraisals tallied (ids already resolved); ``dated``: only meetings up to the
    as-of date."""
    from duchu.judge.tally import UnknownMeetingError, compare_units, tally_meetings
    from duchu.records.ballots import exact_fraction

    tree = judged.tree
    campaign = tree.campaign
    assert campaign is not None
    until = judged.day if dated else None
    try:
        tallies = tally_meetings(tree, meetings, unit=unit, kind=kind, group=group, until=until)
    except UnknownMeetingError as err:
        raise DuchuError(
            "meeting-no-appraisal" if err.exists else "no-such-meeting", id=err.ident
        ) from None
    comparisons, single = compare_units(tallies) if compare else (None, [])
    scheme = campaign.appraisal
    return TallyView(
        tallies,
        comparisons,
        single,
        ratings=scheme.ratings,
        positive=scheme.positive,
        negative=scheme.negative,
        flag_at=exact_fraction(scheme.flag_at),
        unit_names={uid: u.label for uid, u in tree.units.items()},
        kind_names={kid: k.name for kid, k in campaign.meeting_kinds.items()},
    )
