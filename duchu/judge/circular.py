"""The facts of the activity office's circular (通报) on one phase, judged once.

The circular states the office rollup of the phase (``duchu.judge.office``) -- the rows
``status --by group`` shows, their totals, the fastest and slowest groups, those that
visit less than the others and those that report late -- with the phase's window, the
phase after it and, in the last phase's circular, what is still overdue from the phases
before. ``duchu.render.circular`` words it and counts nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from duchu.judge.office import FileDates, OfficeReport, office_rollup
from duchu.judge.phase import EarlierOverdue, PhaseStanding, earlier_overdue, next_phase, standing
from duchu.judge.status import UnknownIdError, unit_status
from duchu.records.load import Tree
from duchu.records.models import Campaign


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
    campaign = tree.campaign
    if campaign is None:
        raise ValueError("the tree has no valid campaign")
    phases = {p.id: p for p in campaign.phases}
    if phase_id not in phases:
        raise UnknownIdError("phase", phase_id)
    phase = standing(campaign, phases[phase_id], as_of)
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
