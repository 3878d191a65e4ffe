"""Tallies of the appraisals in a tree (``duchu tally``), and before/after comparisons.

Rates stay exact fractions here; they are rounded only where they are shown (4 places in
JSON, percentages in tables). A unit's comparison sets its earliest appraised meeting
(usually the 动员大会) beside its latest (usually the 总结大会), so a group can show whether
the campaign changed how the rank and file see their leaders.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from fractions import Fraction

from duchu.judge.rates import Rounding, Shift, shift
from duchu.records.ballot_counts import Counts
from duchu.records.ballots import SubjectTally as SubjectTally  # a renderer names it here
from duchu.records.ballots import exact_fraction, tally_subject
from duchu.records.dates import parse_date
from duchu.records.tree import Tree


@dataclass(frozen=True, slots=True)
class MeetingTally:
    """The appraisal of one meeting, every subject tallied."""

    id: str
    unit: str
    kind: str
    date: date
    counts: Counts
    subjects: list[SubjectTally]

    @property
    def flagged(self) -> list[SubjectTally]:
        return [s for s in self.subjects if s.flagged]


@dataclass(frozen=True)
class RateChange:
    """One subject's rates at a unit's first and last appraisal, and the change."""

    subject: str
    before: SubjectTally | None
    after: SubjectTally | None

    @staticmethod
    def _change(first: Fraction | None, last: Fraction | None) -> Fraction | None:
        return last - first if first is not None and last is not None else None

    @property
    def positive_change(self) -> Fraction | None:
        return self._change(
            self.before.positive_rate if self.before else None,
            self.after.positive_rate if self.after else None,
        )

    @property
    def negative_change(self) -> Fraction | None:
        return self._change(
            self.before.negative_rate if self.before else None,
            self.after.negative_rate if self.after else None,
        )

    @property
    def positive_shift(self) -> Shift | None:
        """The positive rate's change as shown (rounded rates compared): rose, same or
        fell -- what every output says of it."""
        return shift(
            self.before.positive_rate if self.before else None,
            self.after.positive_rate if self.after else None,
        )

    @property
    def negative_shift(self) -> Shift | None:
        return shift(
            self.before.negative_rate if self.before else None,
            self.after.negative_rate if self.after else None,
        )


@dataclass(frozen=True)
class UnitComparison:
    """A unit's earliest and latest appraised meetings side by side."""

    unit: str
    before: MeetingTally
    after: MeetingTally
    subjects: list[RateChange]


class UnknownMeetingError(LookupError):
    """A meeting named on the command line does not exist, or has no appraisal to tally."""

    def __init__(self, ident: str, *, exists: bool) -> None:
        super().__init__(ident)
        self.ident = ident
        self.exists = exists


def tally_meetings(
    tree: Tree,
    meeting_ids: Iterable[str] = (),
    *,
    unit: str | None = None,
    kind: str | None = None,
    group: str | None = None,
    until: date | None = None,
) -> list[MeetingTally]:
    """Every selected meeting's appraisal tallied, in date order (then id); with ``until``
    (an as-of date), only the meetings held by then."""
    campaign = tree.campaign
    if campaign is None:
        raise ValueError("the tree has no valid campaign")
    scheme = campaign.appraisal
    flag_at = exact_fraction(scheme.flag_at)
    wanted = list(meeting_ids)
    for ident in wanted:
        if ident not in tree.appraisals:
            raise UnknownMeetingError(ident, exists=ident in tree.meetings)
    tallies = []
    calendar = campaign.calendar  # worked out anew each time it is asked for
    for ident in wanted or tree.appraisals:
        meeting = tree.meetings[ident]
        unit_id = meeting.unit or ""  # a meeting with an appraisal is one unit's (checks)
        record = tree.units.get(unit_id)
        if unit is not None and unit_id != unit:
            continue
        if kind is not None and meeting.kind != kind:
            continue
        if group is not None and (record is None or record.group != group):
            continue
        day = parse_date(meeting.date, calendar)
        if until is not None and day > until:
            continue
        counts = tree.appraisals[ident]
        # the team, then the leaders in the unit's order (the first place a name has), then
        # the others as they come
        order = [scheme.team, *(leader.name for leader in record.leaders)] if record else []
        place: dict[str, int] = {}
        for at, name in enumerate(order):
            place.setdefault(name, at)
        subjects = sorted(counts.by_subject, key=lambda s: place.get(s, len(order)))
        tallies.append(
            MeetingTally(
                id=ident,
                unit=unit_id,
                kind=meeting.kind,
                date=day,
                counts=counts,
                subjects=[
                    tally_subject(
                        subject,
                        counts.by_subject[subject],
                        counts.valid,
                        ratings=scheme.ratings,
                        positive=scheme.positive,
                        negative=scheme.negative,
                        flag_at=flag_at,
                    )
                    for subject in subjects
                ],
            )
        )
    tallies.sort(key=lambda t: (t.date, t.id))
    return tallies


def compare_units(tallies: list[MeetingTally]) -> tuple[list[UnitComparison], list[str]]:
    """Each unit's earliest and latest tallied meetings side by side; and the units that
    have only one appraised meeting, which cannot be compared."""
    by_unit: dict[str, list[MeetingTally]] = {}
    for tally in tallies:  # already in date order
        by_unit.setdefault(tally.unit, []).append(tally)
    comparisons, single = [], []
    for unit_id, meetings in by_unit.items():
        if len(meetings) < 2:
            single.append(unit_id)
            continue
        first, last = meetings[0], meetings[-1]
        before = {s.subject: s for s in first.subjects}
        after = {s.subject: s for s in last.subjects}
        names = list(before) + [name for name in after if name not in before]
        comparisons.append(
            UnitComparison(
                unit_id,
                first,
                last,
                [RateChange(name, before.get(name), after.get(name)) for name in names],
            )
        )
    return comparisons, single


def rate_json(rate: Fraction | None) -> float | None:
    """A rate as JSON shows it: 4 decimal places, null when nothing was rated."""
    return Rounding.four_places(rate)


def tally_json(tallies: list[MeetingTally]) -> dict[str, object]:
    """The ``tally --format json`` document of ../shared/spec/CLI.md. Its meetings are an
    iterator, each made as it is written (``render.json.print_json``): a province's 38,000
    were 100 MB of dictionaries at once."""
    return {
        "meetings": (
            {
                "id": t.id,
                "unit": t.unit,
                "kind": t.kind,
                "date": t.date.isoformat(),
                "distributed": t.counts.distributed,
                "returned": t.counts.returned,
                "invalid": t.counts.invalid,
                "valid": t.counts.valid,
                "subjects": [
                    {
                        "subject": s.subject,
                        "counts": s.counts,
                        "rated": s.rated,
                        "unrated": s.unrated,
                        "positive_rate": rate_json(s.positive_rate),
                        "negative_rate": rate_json(s.negative_rate),
                        "flagged": s.flagged,
                    }
                    for s in t.subjects
                ],
            }
            for t in tallies
        )
    }


def compare_json(comparisons: list[UnitComparison], single: list[str]) -> dict[str, object]:
    """``tally --compare --format json``: per unit, first and last rates and the change."""

    def side(item: SubjectTally | None) -> dict[str, object] | None:
        if item is None:
            return None
        return {
            "rated": item.rated,
            "positive_rate": rate_json(item.positive_rate),
            "negative_rate": rate_json(item.negative_rate),
            "flagged": item.flagged,
        }

    return {
        "units": [
            {
                "unit": c.unit,
                "before": {
                    "meeting": c.before.id,
                    "kind": c.before.kind,
                    "date": c.before.date.isoformat(),
                },
                "after": {
                    "meeting": c.after.id,
                    "kind": c.after.kind,
                    "date": c.after.date.isoformat(),
                },
                "subjects": [
                    {
                        "subject": change.subject,
                        "before": side(change.before),
                        "after": side(change.after),
                        "positive_change": rate_json(change.positive_change),
                        "negative_change": rate_json(change.negative_change),
                    }
                    for change in c.subjects
                ],
            }
            for c in comparisons
        ],
        "not_compared": single,
    }
