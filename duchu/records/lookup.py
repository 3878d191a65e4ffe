"""Names where ids go (../shared/spec/CLI.md 1.1): ``--unit 市发改委`` means the unit whose name or
short name that is, when exactly one thing has it.

An id always wins: a thing is first looked up by its id, then by its ``name`` and ``short``
as the records write them. A text that names nothing, or more than one thing, is a
``NameLookupError`` carrying the candidates as (name, id) pairs, which the command line
shows as ``名称（id）``: the closest ones for an unknown text, every match for an
ambiguous one.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

from duchu.records.tree import Tree

Kind = Literal["unit", "group", "phase", "action", "kind"]
# at most this many candidates are named for a text that matches nothing
MAX_SUGGESTIONS = 8


class NameLookupError(LookupError):
    """``text`` names no ``kind`` (``ambiguous`` False) or several (True)."""

    def __init__(
        self, kind: Kind, text: str, candidates: list[tuple[str, str]], *, ambiguous: bool
    ) -> None:
        super().__init__(f"{kind} {text}")
        self.kind = kind
        self.text = text
        self.candidates = candidates
        self.ambiguous = ambiguous


@dataclass(frozen=True)
class Named:
    """One thing that can be named: its id, and the names it may be called by (the first
    is the one shown)."""

    id: str
    names: tuple[str, ...]

    @property
    def shown(self) -> str:
        return self.names[0] if self.names else self.id


def _things(tree: Tree, kind: Kind) -> Iterable[Named]:
    campaign = tree.campaign
    if kind == "unit":
        for uid, unit in tree.units.items():
            yield Named(uid, tuple(n for n in (unit.short, unit.name) if n))
    elif kind == "group":
        for gid, group in tree.groups.items():
            yield Named(gid, (group.name,))
    elif campaign is None:
        return
    elif kind == "phase":
        for phase in campaign.phases:
            yield Named(phase.id, (phase.name,))
    elif kind == "action":
        for phase in campaign.phases:
            for action in phase.actions:
                yield Named(action.id, (action.name,))
    elif kind == "kind":
        for kid, meeting_kind in campaign.meeting_kinds.items():
            yield Named(kid, (meeting_kind.name,))


def resolve(tree: Tree, kind: Kind, text: str) -> str:
    """The id of the one ``kind`` whose id, name or short name is ``text``."""
    things = list(_things(tree, kind))
    for thing in things:
        if thing.id == text:
            return thing.id
    matches = [thing for thing in things if text in thing.names]
    if len(matches) == 1:
        return matches[0].id
    if matches:
        raise NameLookupError(kind, text, [(m.shown, m.id) for m in matches], ambiguous=True)
    raise NameLookupError(kind, text, _suggestions(things, text), ambiguous=False)


def _suggestions(things: list[Named], text: str) -> list[tuple[str, str]]:
    """The things closest to ``text`` (a name containing it, or alike), else all of them
    when there are few; never more than ``MAX_SUGGESTIONS``."""
    containing = [t for t in things if any(text in n or n in text for n in (t.id, *t.names))]
    if not containing:
        keys = {key: t for t in things for key in (t.id, *t.names)}
        close = difflib.get_close_matches(text, list(keys), n=MAX_SUGGESTIONS, cutoff=0.5)
        containing = list(dict.fromkeys(keys[key] for key in close))
    if not containing and len(things) <= MAX_SUGGESTIONS:
        containing = things
    return [(t.shown, t.id) for t in containing[:MAX_SUGGESTIONS]]
