"""(1.2) Notices (督办 and 谈话提醒, ../shared/spec/RECORDS.md "Notices"): what a notice record
refers to, resolved once (``resolve_notice``: names or ids, as everywhere in records), and the
checks of notice records (listed in ``duchu.records.checks.CHECKS``).

The one place that turns a notice's ``unit``/``units``, ``actions`` and ``by`` into ids is
``notice_ref``: when names-in-records resolution is shared by every record, point it there.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date

from duchu.problems import Loc, Problem, Ref, Severity, problem
from duchu.records.dates import DateError, parse_date
from duchu.records.lookup import Kind, NameIndex, NameLookupError, resolve, things
from duchu.records.models import Action, Campaign, Notice, NoticeSettings, Unit
from duchu.records.tree import Tree, notice_path

GRADES: tuple[str, ...] = ("blue", "yellow", "red")  # the grades of 督办, lowest first
TALK = "talk"
OFFICE = "office"  # ``by: office``: the activity office gave it


def notice_settings(campaign: Campaign) -> NoticeSettings:
    """The campaign's ``notices:``, or the defaults when it has none."""
    return campaign.notices if campaign.notices is not None else NoticeSettings()


def defined_levels(campaign: Campaign) -> tuple[str, ...]:
    """The levels a notice may have: the grades the campaign words, in grade order, and talk."""
    levels = notice_settings(campaign).levels
    return (*(grade for grade in GRADES if grade in levels), TALK)


@dataclass(frozen=True)
class ResolvedNotice:
    """What a notice refers to, as ids: its units (known ones, in the order written), its
    actions, its subjects, its giver (a group id or ``office``) and its date. ``None`` where
    the record names nothing the tree has (``duchu check`` says why)."""

    id: str
    notice: Notice
    day: date | None
    units: tuple[str, ...]
    actions: tuple[str, ...]
    by: str | None

    @property
    def level(self) -> str:
        return self.notice.level


class NoticeRefs:
    """``notice_ref`` for many notices: each kind's ``NameIndex`` built once, on first use
    (a province's notices would otherwise each index every unit and action anew)."""

    def __init__(self, tree: Tree) -> None:
        self.tree = tree
        self.indexes: dict[Kind, NameIndex] = {}

    def __call__(self, kind: Kind, text: str) -> str | None:
        if kind == "unit" and text in self.tree.units:
            return text
        if kind == "group" and text in self.tree.groups:
            return text
        index = self.indexes.get(kind)
        if index is None:
            index = self.indexes[kind] = NameIndex(kind, things(self.tree, kind))
        try:
            return index.resolve(text)
        except NameLookupError:
            return None


def notice_ref(tree: Tree, kind: Kind, text: str) -> str | None:
    """The id ``text`` stands for in a record (its id, else its one name or short), or None.
    Ids first without a walk: a province's notices would otherwise each scan every unit."""
    return NoticeRefs(tree)(kind, text)


def _named_units(notice: Notice) -> list[str]:
    if notice.unit is not None:
        return [notice.unit]
    return list(notice.units or [])


def resolve_notice(
    tree: Tree, notice_id: str, notice: Notice, refs: NoticeRefs | None = None
) -> ResolvedNotice:
    ref = refs if refs is not None else NoticeRefs(tree)
    campaign = tree.campaign
    day = None
    if campaign is not None:
        try:
            day = parse_date(notice.date, campaign.calendar)
        except DateError:
            day = None
    units = [ref("unit", text) for text in _named_units(notice)]
    actions = [ref("action", text) for text in notice.actions]
    by = OFFICE if notice.by == OFFICE else ref("group", notice.by)
    return ResolvedNotice(
        id=notice_id,
        notice=notice,
        day=day,
        units=tuple(dict.fromkeys(u for u in units if u is not None)),
        actions=tuple(dict.fromkeys(a for a in actions if a is not None)),
        by=by,
    )


def resolved_notices(tree: Tree) -> list[ResolvedNotice]:
    """Every notice of the tree resolved, in date order (then id); undated ones left out."""
    refs = NoticeRefs(tree)
    found = [resolve_notice(tree, nid, notice, refs) for nid, notice in tree.notices.items()]
    dated = [item for item in found if item.day is not None]
    dated.sort(key=lambda item: (item.day, item.id))
    return dated


def unit_owes(action: Action, unit: Unit) -> bool:
    """Whether ``action`` is one of the unit's: a unit action that applies to its category."""
    if action.by != "unit":
        return False
    return action.applies_to is None or (unit.category or "") in action.applies_to


# --- checks ---------------------------------------------------------------------------------


def _candidates(tree: Tree, kind: Kind, text: str) -> str:
    try:
        resolve(tree, kind, text)
    except NameLookupError as err:
        return ", ".join(f"{name}（{ident}）" for name, ident in err.candidates) or "—"
    return "—"


def _unit_problems(tree: Tree, path: str, notice: Notice) -> Iterator[Problem]:
    if notice.unit is None and notice.units is None:
        yield problem(path, "notice-no-unit", loc=(), anchor="parent")
        return
    if notice.unit is not None and notice.units is not None:
        yield problem(path, "meeting-unit-twice", loc=("units",), anchor="key", key="units")
    where: list[tuple[Loc, str]] = []
    if notice.unit is not None:
        where.append((("unit",), notice.unit))
    if notice.units is not None:
        if not notice.units:
            yield problem(path, "empty-units", loc=("units",))
        where += [(("units", index), text) for index, text in enumerate(notice.units)]
    for loc, text in where:
        if text in tree.broken_units:
            continue
        if notice_ref(tree, "unit", text) is None:
            yield problem(
                path,
                "unknown-unit",
                loc=loc,
                hint="hint-candidates",
                unit=text,
                candidates=_candidates(tree, "unit", text),
            )


def _level_problems(campaign: Campaign, path: str, notice: Notice) -> Iterator[Problem]:
    levels = defined_levels(campaign)
    if notice.level not in levels:
        yield problem(
            path, "unknown-level", loc=("level",), level=notice.level, levels=", ".join(levels)
        )
        return
    if notice.level == TALK:
        if not notice.subjects:
            yield problem(path, "notice-no-subjects", loc=(), anchor="parent")
        if notice.actions:
            # not wrong, only unread: a talk is about people (a warning, never a refusal)
            yield problem(
                path,
                "notice-talk-actions",
                loc=("actions",),
                anchor="key",
                severity=Severity.WARNING,
            )
    else:
        if not notice.actions:
            yield problem(path, "notice-no-actions", loc=(), anchor="parent", level=notice.level)
        if notice.subjects:
            yield problem(
                path,
                "notice-grade-subjects",
                loc=("subjects",),
                anchor="key",
                severity=Severity.WARNING,
            )


def _action_problems(
    tree: Tree, campaign: Campaign, path: str, item: ResolvedNotice
) -> Iterator[Problem]:
    actions = {a.id: a for phase in campaign.phases for a in phase.actions}
    units = [tree.units[uid] for uid in item.units if uid in tree.units]
    for index, text in enumerate(item.notice.actions):
        action_id = notice_ref(tree, "action", text)
        if action_id is None:
            yield problem(
                path,
                "unknown-action",
                loc=("actions", index),
                id=text,
                what=Ref("what-unit-action"),
                actions=_candidates(tree, "action", text),
            )
            continue
        for unit_id, unit in zip(item.units, units, strict=False):
            if not unit_owes(actions[action_id], unit):
                yield problem(
                    path,
                    "notice-action-not-unit",
                    loc=("actions", index),
                    id=text,
                    unit=unit.short or unit.name or unit_id,
                )


def _subject_problems(
    tree: Tree, campaign: Campaign, path: str, item: ResolvedNotice
) -> Iterator[Problem]:
    if any(text in tree.broken_units for text in _named_units(item.notice)):
        return  # a unit that did not load: its leaders are not known
    units = [tree.units[uid] for uid in item.units if uid in tree.units]
    if not units:
        return
    team = campaign.appraisal.team
    leaders = {leader.name for unit in units for leader in unit.leaders}
    for index, subject in enumerate(item.notice.subjects):
        if subject != team and subject not in leaders:
            yield problem(
                path,
                "unknown-subject",
                loc=("subjects", index),
                subject=subject,
                team=team,
            )


def _date_problems(
    campaign: Campaign, path: str, item: ResolvedNotice, start: date | None
) -> Iterator[Problem]:
    calendar = campaign.calendar
    notice = item.notice
    if item.day is None:
        try:
            parse_date(notice.date, calendar)
        except DateError as err:
            yield problem(
                path, "invalid-date", loc=("date",), text=notice.date, reason=Ref(err.reason)
            )
        return
    if start is not None and item.day < start:
        yield problem(
            path, "notice-before-campaign", loc=("date",), date=notice.date, start=start.isoformat()
        )
    if notice.reply_by is not None:
        try:
            reply = parse_date(notice.reply_by, calendar)
        except DateError as err:
            yield problem(
                path,
                "invalid-date",
                loc=("reply_by",),
                text=notice.reply_by,
                reason=Ref(err.reason),
            )
            return
        if reply < item.day:
            yield problem(
                path,
                "reply-before-date",
                loc=("reply_by",),
                reply_by=notice.reply_by,
                date=notice.date,
            )


def notice_problems(tree: Tree, start: date | None) -> Iterator[Problem]:
    """Each notice names known units, a level the campaign defines, the unit's own actions
    (a graded notice) or its leaders (a talk), a known giver, real dates within the
    campaign (``start``: its first day); and no matter gets the same grade twice (a
    warning: it is not a second escalation)."""
    campaign = tree.campaign
    if campaign is None or not tree.notices:
        return
    seen: dict[tuple[str, str, str], str] = {}
    refs = NoticeRefs(tree)
    items = [resolve_notice(tree, nid, notice, refs) for nid, notice in tree.notices.items()]
    items.sort(key=lambda item: (item.day or date.max, item.id))
    for item in items:
        path = notice_path(item.id)
        notice = item.notice
        yield from _date_problems(campaign, path, item, start)
        yield from _unit_problems(tree, path, notice)
        yield from _level_problems(campaign, path, notice)
        if notice.by != OFFICE and notice.by not in tree.broken_groups and item.by is None:
            yield problem(
                path,
                "unknown-group",
                loc=("by",),
                group=notice.by,
                groups=_candidates(tree, "group", notice.by) + ", office",
            )
        if notice.level == TALK:
            yield from _subject_problems(tree, campaign, path, item)
            continue
        yield from _action_problems(tree, campaign, path, item)
        if notice.level in GRADES and item.day is not None:
            yield from _duplicates(tree, path, item, seen)


def _duplicates(
    tree: Tree, path: str, item: ResolvedNotice, seen: dict[tuple[str, str, str], str]
) -> Iterator[Problem]:
    """A warning for each matter (unit, action) that an earlier notice gave this grade."""
    for index, text in enumerate(item.notice.actions):
        action_id = notice_ref(tree, "action", text)
        if action_id is None:
            continue
        for unit_id in item.units:
            matter = (unit_id, action_id, item.level)
            if matter in seen:
                if seen[matter] != item.id:
                    yield problem(
                        path,
                        "notice-duplicate",
                        severity=Severity.WARNING,
                        loc=("actions", index),
                        unit=unit_id,
                        action=action_id,
                        level=item.level,
                        other=seen[matter],
                    )
            else:
                seen[matter] = item.id
