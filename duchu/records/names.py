"""Names where ids go, inside records (../shared/spec/RECORDS.md 1.2): ``unit: 县政府办``,
``kind: 督导检查``, ``done: {召开动员大会: 2014-03-20}``.

Wherever a record refers to a unit, group, meeting kind or action -- a meeting's ``unit``,
``units``, ``group``, ``kind`` and ``completes``, a unit's ``group``, and the keys of a unit's
or group's ``done`` and ``waived`` -- it may write that thing's ``name`` or ``short`` instead
of its id, when exactly one thing of that sort has it. ``resolve_names`` turns every such
name into its id once, after loading (and after the cache: a cached record keeps what its
file says, so renaming a unit changes what a name in an unchanged meeting means) and before
the checks, so every check and every judgement sees ids. It is the one rule the command line
follows too (``duchu.records.lookup.NameIndex``): an id wins over another thing's name.

A reference that names nothing, or several things, is an error at its value that lists the
candidates as ``名称（id）``, and is left as written (the checks and judges then find no such
thing, and the tree is refused for judging anyway). An action is looked up among the actions
the key may name: a unit's ``done``, ``waived`` and a meeting's ``completes`` among the unit
actions (``by: unit``), a group's ``done`` among the group actions.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from typing import Any

from duchu.problems import Loc, Problem, Ref, candidates_arg, problem
from duchu.records.lookup import Named, NameIndex, NameLookupError, things
from duchu.records.models import Campaign, Dated, Group, Meeting, Unit
from duchu.records.tree import Tree, group_path, meeting_path, unit_path

# what a problem about an unresolved reference calls the sort of thing it looked for
_WHAT = {
    "unit": "what-name-unit",
    "group": "what-name-group",
    "kind": "what-name-kind",
    "unit-action": "what-unit-action",
    "group-action": "what-group-action",
}


class _Resolver:
    """The name indexes of one tree, and the problems of the references they resolve."""

    def __init__(self, tree: Tree) -> None:
        self.problems: list[Problem] = []
        self.spelled: dict[str, dict[tuple[str, str], str]] = {}
        self.units = NameIndex("unit", things(tree, "unit"), tree.broken_units)
        self.groups = NameIndex("group", things(tree, "group"), tree.broken_groups)
        campaign = tree.campaign
        self.kinds = NameIndex("kind", things(tree, "kind")) if campaign else None
        self.unit_actions = _actions(campaign, "unit") if campaign else None
        self.group_actions = _actions(campaign, "group") if campaign else None

    def one(self, index: NameIndex, sort: str, text: str, path: str, loc: Loc, **at: Any) -> str:
        """The id ``text`` stands for; else ``text``, with its problem noted."""
        try:
            return index.resolve(text)
        except NameLookupError as err:
            self.problems.append(_unresolved(err, sort, path, loc, **at))
            return text

    def keys(
        self, index: NameIndex | None, sort: str, mapping: dict[str, Any], path: str, field: str
    ) -> dict[str, Any] | None:
        """``mapping`` with its keys resolved, or None when every key is an id already."""
        if index is None or all(key in index.ids for key in mapping):
            return None
        resolved: dict[str, Any] = {}
        written: dict[str, str] = {}
        for key, value in mapping.items():
            ident = self.one(index, sort, key, path, (field, key), anchor="key")
            if ident in resolved:  # `plan` and its name both given: which date is meant?
                self.problems.append(
                    problem(
                        path,
                        "same-thing-twice",
                        loc=(field, key),
                        anchor="key",
                        text=key,
                        other=written[ident],
                        what=Ref(_WHAT[sort]),
                        id=ident,
                    )
                )
                continue
            resolved[ident] = value
            written[ident] = key
            if ident != key:
                self.spelled.setdefault(path, {})[(field, ident)] = key
        return resolved


def _actions(campaign: Campaign, by: str) -> NameIndex:
    named = [
        Named(action.id, (action.name,))
        for phase in campaign.phases
        for action in phase.actions
        if action.by == by
    ]
    return NameIndex("action", named)


def _unresolved(err: NameLookupError, sort: str, path: str, loc: Loc, **at: Any) -> Problem:
    candidates = candidates_arg(err.candidates, err.more)
    what = Ref(_WHAT[sort])
    if err.ambiguous:
        return problem(
            path, "ambiguous-name", loc=loc, text=err.text, what=what, candidates=candidates, **at
        )
    if sort == "unit":
        return problem(path, "unknown-unit", loc=loc, unit=err.text, candidates=candidates, **at)
    if sort == "group":
        return problem(path, "unknown-group", loc=loc, group=err.text, candidates=candidates, **at)
    if sort == "kind":
        return problem(path, "unknown-kind", loc=loc, kind=err.text, candidates=candidates, **at)
    return problem(
        path, "unknown-action", loc=loc, id=err.text, what=what, candidates=candidates, **at
    )


def resolve_names(tree: Tree) -> list[Problem]:
    """Every name a record writes where an id goes, replaced by its id in ``tree`` (the
    records are frozen: a record with a name is replaced by a copy with ids); the problems
    of the references that name nothing or several things."""
    resolver = _Resolver(tree)
    for group_id, group in tree.groups.items():
        tree.groups[group_id] = _group(resolver, group_path(group_id), group)
    for unit_id, unit in tree.units.items():
        tree.units[unit_id] = _unit(resolver, unit_path(unit_id), unit)
    for meeting_id, meeting in tree.meetings.items():
        tree.meetings[meeting_id] = _meeting(resolver, meeting_path(meeting_id), meeting)
    tree.spelled = resolver.spelled
    return resolver.problems


def _group(resolver: _Resolver, path: str, group: Group) -> Group:
    done = resolver.keys(resolver.group_actions, "group-action", group.done, path, "done")
    return group if done is None else dataclasses.replace(group, done=_dated(done))


def _unit(resolver: _Resolver, path: str, unit: Unit) -> Unit:
    changes: dict[str, Any] = {}
    if unit.group not in resolver.groups.ids:
        changes["group"] = resolver.one(resolver.groups, "group", unit.group, path, ("group",))
    done = resolver.keys(resolver.unit_actions, "unit-action", unit.done, path, "done")
    if done is not None:
        changes["done"] = _dated(done)
    waived = resolver.keys(resolver.unit_actions, "unit-action", unit.waived, path, "waived")
    if waived is not None:
        changes["waived"] = waived
    return dataclasses.replace(unit, **changes) if changes else unit


def _meeting(resolver: _Resolver, path: str, meeting: Meeting) -> Meeting:
    changes: dict[str, Any] = {}
    units, groups = resolver.units, resolver.groups
    if meeting.unit is not None and meeting.unit not in units.ids:
        changes["unit"] = resolver.one(units, "unit", meeting.unit, path, ("unit",))
    if meeting.units is not None and not all(uid in units.ids for uid in meeting.units):
        changes["units"] = [
            resolver.one(units, "unit", text, path, ("units", index))
            for index, text in enumerate(meeting.units)
        ]
    if meeting.group is not None and meeting.group not in groups.ids:
        changes["group"] = resolver.one(groups, "group", meeting.group, path, ("group",))
    kinds = resolver.kinds
    if kinds is not None and meeting.kind not in kinds.ids:
        changes["kind"] = resolver.one(kinds, "kind", meeting.kind, path, ("kind",))
    actions = resolver.unit_actions
    if actions is not None and not all(a in actions.ids for a in meeting.completes):
        changes["completes"] = _each(resolver, actions, meeting.completes, path)
    return dataclasses.replace(meeting, **changes) if changes else meeting


def _each(resolver: _Resolver, index: NameIndex, texts: Iterable[str], path: str) -> list[str]:
    return [
        resolver.one(index, "unit-action", text, path, ("completes", position))
        for position, text in enumerate(texts)
    ]


def _dated(done: dict[str, Any]) -> dict[str, Dated]:
    return {key: value for key, value in done.items() if isinstance(value, Dated)}
