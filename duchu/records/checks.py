"""The rules of ../shared/spec/RECORDS.md that span records, as a list of small named functions.

Each check takes the loaded ``Tree`` and yields ``Problem`` values with a ``loc`` into the
offending file; the loader positions them. A check looks only at records that loaded:
one whose file failed validation has already been reported, and a reference to it is not
an error. Add a rule by writing a function and listing it in ``CHECKS``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from datetime import date

from duchu.problems import Loc, Problem, Ref, Severity, candidates_arg, problem
from duchu.records.ballot_counts import Counts
from duchu.records.dates import Calendar, DateError, Meaning, Year, parse_date, parse_deadline
from duchu.records.identity import check_blank_names, check_duplicate_names, check_id_collisions
from duchu.records.lookup import things
from duchu.records.models import Action, Campaign, Dated, Group, Meeting, Unit
from duchu.records.notices import notice_problems
from duchu.records.tree import Tree, group_path, meeting_path, unit_path

CAMPAIGN = "campaign.yaml"

Check = Callable[[Tree], Iterable[Problem]]


def _date_problem(
    path: str, loc: Loc, text: str, year: Year, *, deadline: bool, meaning: Meaning = "due"
) -> Problem | None:
    try:
        if deadline:
            parse_deadline(text, year, meaning)
        else:
            parse_date(text, year)
    except DateError as err:
        return problem(path, "invalid-date", loc=loc, text=text, reason=Ref(err.reason))
    return None


def _year(tree: Tree) -> Calendar | None:
    """The campaign's calendar, by which phrases and dates without a year are read."""
    return tree.campaign.calendar if tree.campaign else None


def first_start(campaign: Campaign) -> date | None:
    """The day the campaign's first phase starts (when its start is written and valid)."""
    starts = []
    for phase in campaign.phases:
        if phase.start is not None:
            try:
                starts.append(parse_deadline(phase.start, campaign.calendar, "start").day)
            except DateError:
                continue
    return min(starts) if starts else None


def unit_action_ids(campaign: Campaign) -> list[str]:
    return [a.id for phase in campaign.phases for a in phase.actions if a.by == "unit"]


def group_action_ids(campaign: Campaign) -> list[str]:
    return [a.id for phase in campaign.phases for a in phase.actions if a.by == "group"]


# --- campaign ------------------------------------------------------------------------------------


def check_campaign_ids(tree: Tree) -> Iterator[Problem]:
    """Phase and action ids are unique across the whole campaign."""
    if tree.campaign is None:
        return
    seen: dict[str, Loc] = {}
    for p_index, phase in enumerate(tree.campaign.phases):
        entries: list[tuple[str, Loc]] = [(phase.id, ("phases", p_index, "id"))]
        entries += [
            (action.id, ("phases", p_index, "actions", a_index, "id"))
            for a_index, action in enumerate(phase.actions)
        ]
        for ident, loc in entries:
            if ident in seen:
                yield problem(CAMPAIGN, "duplicate-id", loc=loc, id=ident, first_loc=seen[ident])
            else:
                seen[ident] = loc


def check_campaign_after(tree: Tree) -> Iterator[Problem]:
    """``after`` names actions defined earlier in the campaign."""
    if tree.campaign is None:
        return
    order = {a.id: i for i, (_, a) in enumerate(_actions(tree.campaign))}
    for position, (loc, action) in enumerate(_action_locs(tree.campaign)):
        for index, before in enumerate(action.after):
            where = (*loc, "after", index)
            if before not in order:
                yield problem(CAMPAIGN, "unknown-after", loc=where, id=before)
            elif order[before] >= position:
                yield problem(CAMPAIGN, "after-later", loc=where, id=before)


def check_campaign_dates(tree: Tree) -> Iterator[Problem]:
    """Every start and due names a real day, and no phase or action is due before its phase
    starts (phrases and short dates read by the campaign's calendar, ../shared/spec/RECORDS.md
    1.2)."""
    campaign = tree.campaign
    if campaign is None:
        return
    year = campaign.calendar
    for p_index, phase in enumerate(campaign.phases):
        phase_start: date | None = None
        due_problem = _date_problem(
            CAMPAIGN, ("phases", p_index, "due"), phase.due, year, deadline=True
        )
        if due_problem:
            yield due_problem
        if phase.start is not None:
            start_problem = _date_problem(
                CAMPAIGN,
                ("phases", p_index, "start"),
                phase.start,
                year,
                deadline=True,
                meaning="start",
            )
            if start_problem:
                yield start_problem
            else:
                phase_start = parse_deadline(phase.start, year, "start").day
        if (
            phase_start is not None
            and due_problem is None
            and parse_deadline(phase.due, year).day < phase_start
        ):
            yield problem(
                CAMPAIGN,
                "phase-due-before-start",
                loc=("phases", p_index, "due"),
                due=phase.due,
                start=phase.start,
            )
        for a_index, action in enumerate(phase.actions):
            where: Loc = ("phases", p_index, "actions", a_index, "due")
            found = _date_problem(CAMPAIGN, where, action.due, year, deadline=True)
            if found:
                yield found
            elif phase_start is not None and parse_deadline(action.due, year).day < phase_start:
                # ../shared/spec/RECORDS.md 1.2: an action due before its own phase starts, as a
                # phase is
                yield problem(
                    CAMPAIGN, "due-before-start", loc=where, due=action.due, start=phase.start
                )


def check_campaign_kinds(tree: Tree) -> Iterator[Problem]:
    """An action done by a meeting names a meeting kind the campaign defines."""
    campaign = tree.campaign
    if campaign is None:
        return
    for loc, action in _action_locs(campaign):
        if action.meeting is not None and action.meeting not in campaign.meeting_kinds:
            named = things(tree, "kind")
            yield problem(
                CAMPAIGN,
                "unknown-kind",
                loc=(*loc, "meeting"),
                kind=action.meeting,
                candidates=candidates_arg([(t.shown, t.id) for t in named]),
            )


def check_campaign_ratings(tree: Tree) -> Iterator[Problem]:
    """``positive`` and ``negative`` hold only ratings of the scheme."""
    campaign = tree.campaign
    if campaign is None:
        return
    scheme = campaign.appraisal
    for key in ("positive", "negative"):
        for index, rating in enumerate(getattr(scheme, key)):
            if rating not in scheme.ratings:
                yield problem(
                    CAMPAIGN,
                    "unknown-rating-scheme",
                    loc=("appraisal", key, index),
                    rating=rating,
                    ratings="、".join(scheme.ratings),
                )
    for index, rating in enumerate(scheme.negative):
        if rating in scheme.positive:
            # it would count every such ballot as praise and as blame: `negative: [差, 好]`
            # flagged everyone for a reminder talk
            yield problem(
                CAMPAIGN, "rating-both-ways", loc=("appraisal", "negative", index), rating=rating
            )


def _actions(campaign: Campaign) -> list[tuple[str, Action]]:
    return [(phase.id, action) for phase in campaign.phases for action in phase.actions]


def _action_locs(campaign: Campaign) -> Iterator[tuple[Loc, Action]]:
    for p_index, phase in enumerate(campaign.phases):
        for a_index, action in enumerate(phase.actions):
            yield ("phases", p_index, "actions", a_index), action


# --- groups and units ----------------------------------------------------------------------------


def _done_problems(
    tree: Tree, path: str, done: dict[str, Dated], *, start: date | None
) -> Iterator[Problem]:
    """Dates of ``done`` name real days, not before the campaign starts. (Its keys were
    resolved to actions, or reported, by ``duchu.records.names``.)"""
    spelled = tree.spelled.get(path, {})
    for key, entry in done.items():
        # ("done", key, "date") finds the date whether written long-hand or short; a key
        # written as the action's name is found as written
        where: Loc = ("done", spelled.get(("done", key), key), "date")
        found = _date_problem(path, where, entry.date, _year(tree), deadline=False)
        if found:
            yield found
        elif start is not None and parse_date(entry.date, _year(tree)) < start:
            yield problem(
                path, "done-before-campaign", loc=where, date=entry.date, start=start.isoformat()
            )


def check_group_done(tree: Tree) -> Iterator[Problem]:
    """A group's ``done`` dates are real days (its keys: ``duchu.records.names``)."""
    if tree.campaign is None:
        return
    for group_id, group in tree.groups.items():
        yield from _done_problems(tree, group_path(group_id), group.done, start=None)


def check_unit_done(tree: Tree) -> Iterator[Problem]:
    """``done`` dates are real days, not before the campaign starts (its keys, and those of
    ``waived``, were resolved to unit actions or reported by ``duchu.records.names``)."""
    if tree.campaign is None:
        return
    start = first_start(tree.campaign)  # once, not per unit
    for unit_id, unit in tree.units.items():
        yield from _done_problems(tree, unit_path(unit_id), unit.done, start=start)


def check_unit_leaders(tree: Tree) -> Iterator[Problem]:
    """Leaders have distinct names; a unit without leaders is worth a warning."""
    for unit_id, unit in tree.units.items():
        path = unit_path(unit_id)
        if not unit.leaders:
            yield problem(
                path, "no-leaders", loc=("name",), anchor="key", severity=Severity.WARNING
            )
        first: dict[str, int] = {}
        for index, leader in enumerate(unit.leaders):
            if leader.name in first:
                yield problem(
                    path,
                    "duplicate-leader",
                    loc=("leaders", index, "name"),
                    name=leader.name,
                    first_loc=("leaders", first[leader.name]),
                )
            else:
                first[leader.name] = index


def check_unit_findings(tree: Tree) -> Iterator[Problem]:
    """Findings' dates name real days (a rectification deadline may be a ten-day phrase)."""
    year = _year(tree)
    for unit_id, unit in tree.units.items():
        for index, finding in enumerate(unit.findings):
            for key in ("found", "due", "resolved"):
                text = getattr(finding, key)
                if text is None:
                    continue
                found = _date_problem(
                    unit_path(unit_id), ("findings", index, key), text, year, deadline=key == "due"
                )
                if found:
                    yield found


# --- meetings ------------------------------------------------------------------------------


def check_meeting_refs(tree: Tree) -> Iterator[Problem]:
    """A meeting names a real date, whose it is, and the right people (its unit, units,
    group, kind and actions were resolved, or reported, by ``duchu.records.names``)."""
    campaign = tree.campaign
    year = _year(tree)
    start = first_start(campaign) if campaign is not None else None
    for meeting_id, meeting in tree.meetings.items():
        path = meeting_path(meeting_id)
        found = _date_problem(path, ("date",), meeting.date, year, deadline=False)
        if found:
            yield found
        elif start is not None and parse_date(meeting.date, year) < start:
            # a meeting dated 0001-01-01 would otherwise count as done on time
            yield problem(
                path,
                "meeting-before-campaign",
                loc=("date",),
                date=meeting.date,
                start=start.isoformat(),
            )
        yield from _whose_problems(path, meeting)
        if meeting.draft:
            yield problem(
                path, "draft-meeting", loc=("draft",), anchor="key", severity=Severity.WARNING
            )
        units = [tree.units[uid] for uid in tree.meeting_units.get(meeting_id, ())]
        named_group = tree.groups.get(meeting.group) if meeting.group is not None else None
        if units or named_group is not None:
            yield from _people_problems(tree, path, meeting, units, named_group)


_WHOSE_KEYS = ("unit", "units", "group")


def _whose_problems(path: str, meeting: Meeting) -> Iterator[Problem]:
    """Exactly one of ``unit``, ``units`` and ``group`` says whose meeting it is (that it
    names units or a group the records have: ``duchu.records.names``)."""
    given = [key for key in _WHOSE_KEYS if getattr(meeting, key) is not None]
    if not given:
        yield problem(path, "meeting-no-unit", loc=(), anchor="parent")
        return
    for key in given[1:]:
        yield problem(path, "meeting-unit-twice", loc=(key,), anchor="key", key=key, other=given[0])
    if meeting.units is not None:
        if not meeting.units:
            yield problem(path, "empty-units", loc=("units",))
        seen: set[str] = set()
        for index, uid in enumerate(meeting.units):
            if uid in seen:
                yield problem(
                    path,
                    "duplicate-unit",
                    loc=("units", index),
                    severity=Severity.WARNING,
                    unit=uid,
                )
            seen.add(uid)
    if meeting.appraisal is not None and meeting.unit is None:
        yield problem(path, "appraisal-several-units", loc=("appraisal",), anchor="key")


def _people_problems(
    tree: Tree, path: str, meeting: Meeting, units: list[Unit], named_group: Group | None
) -> Iterator[Problem]:
    """``attended_by`` names members of the meeting's group(s) -- of the group it names, or
    of its units' groups (a meeting of units of several groups: of any of them; the office's
    counts give each group only its own members' visits) -- and ``absent`` its units'
    leaders."""
    if named_group is not None:
        groups = [named_group]
    else:
        groups = [
            g for g in (tree.groups.get(gid) for gid in dict.fromkeys(u.group for u in units)) if g
        ]
    if groups:
        members = {name for g in groups for name in (*g.members, *([g.leader] if g.leader else []))}
        for index, name in enumerate(meeting.attended_by):
            if name not in members:
                yield problem(
                    path,
                    "not-a-member",
                    loc=("attended_by", index),
                    name=name,
                    group="、".join(g.name for g in groups),
                )
    leaders = {leader.name for unit in units for leader in unit.leaders}
    for index, absence in enumerate(meeting.absent):
        if absence.name not in leaders:
            yield problem(
                path,
                "not-a-leader",
                loc=("absent", index),
                name=absence.name,
                unit="、".join(unit.name for unit in units)
                or (named_group.name if named_group else ""),
            )
        if not (absence.reason or "").strip():
            yield problem(
                path,
                "absent-no-reason",
                loc=("absent", index),
                severity=Severity.WARNING,
                name=absence.name,
            )


def check_meeting_appraisal(tree: Tree) -> Iterator[Problem]:
    """Meetings of an appraisal kind carry one; counts are sound and name known subjects."""
    campaign = tree.campaign
    if campaign is None:
        return
    scheme = campaign.appraisal
    for meeting_id, meeting in tree.meetings.items():
        path = meeting_path(meeting_id)
        kind = campaign.meeting_kinds.get(meeting.kind)
        appraisal = meeting.appraisal
        if appraisal is None:
            if kind is not None and kind.appraisal:
                yield problem(
                    path,
                    "missing-appraisal",
                    loc=("kind",),
                    severity=Severity.WARNING,
                    kind=kind.name,
                )
            continue
        base: Loc = ("appraisal",)
        for key in ("distributed", "returned", "invalid"):
            value = getattr(appraisal, key)
            if value is not None and value < 0:
                yield problem(path, "negative-number", loc=(*base, key), value=value)
        if appraisal.ballots is not None and appraisal.counts is not None:
            yield problem(path, "counts-and-ballots", loc=(*base, "ballots"), anchor="key")
            continue  # which of the two is right is for people to say; neither is tallied
        if appraisal.ballots is not None:
            for key in ("returned", "invalid"):
                if getattr(appraisal, key) is not None:
                    yield problem(
                        path, "ballots-with-returned", loc=(*base, key), anchor="key", key=key
                    )
        elif appraisal.counts is None:
            yield problem(path, "no-counts", loc=base, anchor="key")
        elif appraisal.returned is None:
            yield problem(path, "missing-returned", loc=base, anchor="key")
        counts = tree.appraisals.get(meeting_id)
        if _empty(appraisal.returned, counts) or (
            appraisal.counts is None and appraisal.ballots is None  # no counts at all
        ):
            # a scaffold left unfilled (../shared/spec/RECORDS.md 1.2): every count 0
            yield problem(
                path, "appraisal-empty", loc=base, anchor="key", severity=Severity.WARNING
            )
        if counts is None:
            continue
        yield from _count_problems(
            path,
            meeting,
            tree.units.get(meeting.unit) if meeting.unit is not None else None,
            counts,
            from_ballots=appraisal.ballots is not None,
            ratings=scheme.ratings,
            team=scheme.team,
        )


def _empty(returned: int | None, counts: Counts | None) -> bool:
    """Whether an appraisal says nothing: ``returned`` 0, or counts all zero (every subject
    all zeros, or no subject at all)."""
    if returned == 0:
        return True
    if counts is None:
        return False
    numbers = [n for by_rating in counts.by_subject.values() for n in by_rating.values()]
    return counts.returned == 0 or not any(numbers)


def _count_problems(
    path: str,
    meeting: Meeting,
    unit: Unit | None,
    counts: Counts,
    *,
    from_ballots: bool,
    ratings: list[str],
    team: str,
) -> Iterator[Problem]:
    base: Loc = ("appraisal",)
    if (
        counts.distributed is not None
        and counts.returned > counts.distributed
        and min(counts.returned, counts.distributed) >= 0
    ):
        yield problem(
            path,
            "returned-over-distributed",
            loc=(*base, "distributed" if from_ballots else "returned"),
            returned=counts.returned,
            distributed=counts.distributed,
        )
    if counts.invalid > counts.returned and min(counts.invalid, counts.returned) >= 0:
        yield problem(
            path,
            "invalid-over-returned",
            loc=(*base, "invalid"),
            invalid=counts.invalid,
            returned=counts.returned,
        )
    if from_ballots:
        return  # a ballot file's subjects and cells were checked as it was read
    subjects = {team} | ({leader.name for leader in unit.leaders} if unit else set())
    given = (meeting.appraisal.counts or {}) if meeting.appraisal else {}
    if unit is not None:
        # a leader left out would be missing from every tally: the very person a reminder
        # talk is about (../shared/spec/RECORDS.md 1.1)
        for subject in [team, *(leader.name for leader in unit.leaders)]:
            if subject not in given:
                yield problem(
                    path,
                    "subject-missing",
                    loc=(*base, "counts"),
                    anchor="key",
                    severity=Severity.WARNING,
                    subject=subject,
                )
    for subject, by_rating in (meeting.appraisal.counts or {}).items() if meeting.appraisal else ():
        where = (*base, "counts", subject)
        if unit is not None and subject not in subjects:
            yield problem(
                path, "unknown-subject", loc=where, anchor="key", subject=subject, team=team
            )
        total = 0
        for rating, number in by_rating.items():
            if rating not in ratings:
                yield problem(
                    path,
                    "unknown-rating",
                    loc=(*where, rating),
                    anchor="key",
                    rating=rating,
                    ratings="、".join(ratings),
                )
            if number < 0:
                yield problem(path, "negative-number", loc=(*where, rating), value=number)
            total += number
        if total > counts.valid >= 0:
            yield problem(
                path,
                "over-valid",
                loc=where,
                anchor="key",
                subject=subject,
                total=total,
                valid=counts.valid,
            )


def check_notices(tree: Tree) -> Iterator[Problem]:
    """(1.2) Notice records (../shared/spec/RECORDS.md, Notices): ``duchu.records.notices``."""
    if tree.campaign is not None and tree.notices:
        yield from notice_problems(tree, first_start(tree.campaign))


CHECKS: list[Check] = [
    check_campaign_ids,
    check_campaign_after,
    check_campaign_dates,
    check_campaign_kinds,
    check_campaign_ratings,
    check_group_done,
    check_unit_done,
    check_unit_leaders,
    check_unit_findings,
    check_meeting_refs,
    check_meeting_appraisal,
    check_notices,
    check_id_collisions,
    check_duplicate_names,
    check_blank_names,
]


def run_checks(tree: Tree) -> list[Problem]:
    found: list[Problem] = []
    for check in CHECKS:
        found.extend(check(tree))
    return found
