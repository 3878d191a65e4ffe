"""Where a phase stands on a day, judged once: its window, whether it has begun or ended,
the phase after it, and what is still overdue from the phases before it.

The group's summary, the office's circular and the command line's warning ask these
questions; each asks here, so none of them can answer differently.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from duchu.judge.status import ActionStatus, UnitStatus, UnknownIdError, unit_status
from duchu.records.dates import Year, parse_deadline
from duchu.records.models import Campaign, Phase
from duchu.records.tree import Tree


def phase_window(phase: Phase, year: Year) -> tuple[date | None, date]:
    """A phase's first day (None when it has no start) and its deadline."""
    start = parse_deadline(phase.start, year, "start").day if phase.start else None
    return start, parse_deadline(phase.due, year).day


def _begun(start: date | None, as_of: date) -> bool:
    return start is None or start <= as_of


def begun(phase: Phase, year: Year, as_of: date) -> bool:
    """Whether the phase had begun by ``as_of``: a phase without a start has always begun
    (the summary, the circular and the command line's warning all ask this)."""
    return _begun(phase_window(phase, year)[0], as_of)


@dataclass(frozen=True)
class PhaseStanding:
    """A phase's window and where ``as_of`` falls in it."""

    phase: Phase
    index: int
    start: date | None
    due: date
    begun: bool
    ended: bool  # its deadline lies before the as-of date
    running: bool  # begun, and the as-of date before its deadline
    last: bool  # the campaign's last phase


def standing(campaign: Campaign, phase: Phase, as_of: date | None) -> PhaseStanding:
    """The phase's window and, with ``as_of``, whether it has begun and ended (without a
    day, neither)."""
    start, due = phase_window(phase, campaign.calendar)
    index = campaign.phases.index(phase)
    has_begun = as_of is not None and _begun(start, as_of)
    return PhaseStanding(
        phase=phase,
        index=index,
        start=start,
        due=due,
        begun=has_begun,
        ended=as_of is not None and due < as_of,
        running=has_begun and as_of is not None and as_of < due,
        last=index == len(campaign.phases) - 1,
    )


def next_phase(campaign: Campaign, phase: Phase, as_of: date | None) -> PhaseStanding | None:
    """The phase after ``phase`` and where ``as_of`` falls in it; None after the last."""
    index = campaign.phases.index(phase)
    if index + 1 >= len(campaign.phases):
        return None
    return standing(campaign, campaign.phases[index + 1], as_of)


@dataclass(frozen=True)
class EarlierOverdue:
    """A unit's actions of phases before the one reported on, still overdue."""

    unit: UnitStatus
    actions: list[ActionStatus]


def earlier_overdue(
    tree: Tree, phase: Phase, as_of: date, *, group: str | None = None
) -> list[EarlierOverdue]:
    """Actions of the phases before ``phase`` still not done on ``as_of``, unit by unit in
    official order (of one group, or of all)."""
    campaign = tree.campaign
    assert campaign is not None
    earlier = {p.id for p in campaign.phases[: campaign.phases.index(phase)]}
    if not earlier:
        return []
    whole = unit_status(tree, as_of, group=group)
    items = []
    for unit in sorted(whole.units, key=lambda u: u.position):
        overdue = [a for a in unit.in_state("overdue") if a.planned.phase_id in earlier]
        if overdue:
            items.append(EarlierOverdue(unit, overdue))
    return items


def phase_of(tree: Tree, phase_id: str) -> tuple[Campaign, Phase]:
    """The campaign and its phase ``phase_id`` (``UnknownIdError`` when there is none)."""
    campaign = tree.campaign
    if campaign is None:
        raise ValueError("the tree has no valid campaign")
    phase = next((p for p in campaign.phases if p.id == phase_id), None)
    if phase is None:
        raise UnknownIdError("phase", phase_id)
    return campaign, phase
