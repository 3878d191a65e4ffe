"""A group's supervision visits (督查次数), counted by one rule for every output.

A meeting is a visit of a group when its ``attended_by`` names one of the group's own
people (its leader or members): a meeting of units of several groups is a visit of each
group whose people were there. The group's count is one a meeting (../shared/spec/RECORDS.md: "for
the group's 督查次数 it is one meeting"); per unit, a meeting held with several of the group's
units counts for each of them as if it were theirs, so the average per unit is the units'
visits over the units -- the average of 附件2's table, in the summary and the circular alike.

(1.2) 督查次数 (``supervised``) counts only the visits of supervision kinds (``supervision:
true``; every visit when no kind is marked): a 动员大会 the group sat in is attendance, not an
inspection (../shared/spec/RECORDS.md 1.2). The visits per unit count the same way.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from fractions import Fraction

from duchu.records.models import Campaign, Group, Meeting, Phase
from duchu.records.tree import Tree


def group_people(group: Group) -> set[str]:
    """Who can make a meeting the group's visit: its leader and members."""
    return {*group.members, *([group.leader] if group.leader else [])}


def is_visit(meeting: Meeting, people: set[str]) -> bool:
    """Whether ``meeting`` is a visit of the group whose people are ``people``."""
    return any(name in people for name in meeting.attended_by)


def in_phase(
    phase: Phase, window: tuple[date | None, date], meeting: Meeting, day: date, as_of: date
) -> bool:
    """Whether a meeting held on ``day`` is of the phase as of ``as_of``: held by then, and
    in the phase's window -- or doing one of the phase's actions even after its deadline (a
    民主生活会 held late is both the late action and a meeting of the phase, never one
    without the other)."""
    if day > as_of:
        return False
    start, due = window
    if (start or date.min) <= day <= due:
        return True
    if any(a.meeting == meeting.kind for a in phase.actions if a.meeting):
        return True
    return bool({a.id for a in phase.actions} & set(meeting.completes))


def supervision_kinds(campaign: Campaign) -> frozenset[str] | None:
    """The meeting kinds whose visits are 督查; None when no kind is marked (then every
    visit is)."""
    marked = frozenset(kid for kid, kind in campaign.meeting_kinds.items() if kind.supervision)
    return marked or None


def kind_order(campaign: Campaign, kinds: Iterable[str]) -> list[str]:
    """Meeting kinds in the campaign's order, unknown ones after them by name."""
    place = {kid: i for i, kid in enumerate(campaign.meeting_kinds)}
    return sorted(kinds, key=lambda k: (place.get(k, len(place)), k))


@dataclass(frozen=True)
class Visits:
    """A group's visits among a set of meetings."""

    meetings: int  # the visits (attended meetings), one a meeting
    unit_visits: int  # a supervision visit once for each of the group's units it covers
    units: int  # the group's units
    by_kind: dict[str, int] = field(default_factory=dict)  # meetings, in the campaign's order
    supervised: int = 0  # 督查次数: the visits of supervision kinds (``supervision_kinds``)

    @property
    def per_unit(self) -> Fraction:
        """The average supervision visits (督查) per unit (exact; the wording rounds it)."""
        return Fraction(self.unit_visits, self.units) if self.units else Fraction(0)


def count_visits(
    tree: Tree, unit_ids: Iterable[str], people: set[str], meeting_ids: Iterable[str]
) -> Visits:
    """The visits among ``meeting_ids`` of the group whose units are ``unit_ids``."""
    campaign = tree.campaign
    assert campaign is not None
    units = set(unit_ids)
    supervision = supervision_kinds(campaign)
    kinds: Counter[str] = Counter()
    unit_visits = 0
    supervised = 0
    for meeting_id in meeting_ids:
        meeting = tree.meetings[meeting_id]
        if not is_visit(meeting, people):
            continue
        kinds[meeting.kind] += 1
        if supervision is None or meeting.kind in supervision:
            supervised += 1
            unit_visits += len(units.intersection(tree.meeting_units.get(meeting_id, ())))
    return Visits(
        meetings=sum(kinds.values()),
        unit_visits=unit_visits,
        units=len(units),
        by_kind={k: kinds[k] for k in kind_order(campaign, kinds)},
        supervised=supervised,
    )
