"""The facts of the activity office's circular (通报) on one phase, judged once.

The circular states the office rollup of the phase (``duchu.judge.office``) -- the rows
``status --by group`` shows, their totals, the fastest and slowest groups, those that
visit less than the others and those that report late -- with the phase's window, the
phase after it and, in the last phase's circular, what is still overdue from the phases
before. ``duchu.render.circular`` words it and counts nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from duchu.judge.office import FileDates, OfficeReport, office_rollup
from duchu.judge.phase import (
    EarlierOverdue,
    PhaseStanding,
    earlier_overdue,
    next_phase,
    phase_of,
    standing,
)
from duchu.judge.status import UnknownIdError, unit_status
from duchu.records.models import Campaign
from duchu.records.tree import Tree

if TYPE_CHECKING:
    from duchu.judge.summary import GroupSummary


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


def office_circular(
    tree: Tree,
    phase_id: str,
    as_of: date,
    file_dates: FileDates | None,
    *,
    known_commit: str | None = None,
) -> OfficeCircular:
    """Everything the circular of one phase states, as of a date."""
    campaign, phase_record = phase_of(tree, phase_id)
    phase = standing(campaign, phase_record, as_of)
    office = office_rollup(
        tree,
        unit_status(tree, as_of, phase=phase_id),
        file_dates,
        known=known_commit is not None,
        commit=known_commit,
        phase=phase.phase,
    )
    return OfficeCircular(
        tree=tree,
        campaign=campaign,
        phase=phase,
        next_phase=next_phase(campaign, phase.phase, as_of),
        as_of=as_of,
        office=office,
        earlier_overdue=earlier_overdue(tree, phase.phase, as_of) if phase.last else [],
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
    from duchu.judge.summary import group_summary

    try:
        if group_id is None and len(tree.groups) > 1:
            return office_circular(tree, phase_id, day, file_dates(), known_commit=known_commit)
        return group_summary(tree, phase_id, group_id, day)
    except UnknownIdError as err:
        if err.kind == "group" and not err.ident:
            raise DuchuError("no-groups") from None
        raise DuchuError(f"no-such-{err.kind}", id=err.ident) from None
