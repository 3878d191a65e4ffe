"""Names where ids go (../shared/spec/CLI.md 1.1): ``--unit 市发改委`` means the unit whose name or
short name that is, when exactly one thing has it.

An id always wins: a thing is first looked up by its id, then by its ``name`` and ``short``
as the records write them. A text that names nothing, or more than one thing, is a
``NameLookupError`` carrying the candidates as (name, id) pairs, which the command line
shows as ``名称（id）``: the closest ones for an unknown text, every match for an
ambiguous one (at most ``MAX_SUGGESTIONS``, the rest counted). ``NameIndex`` is that rule,
built once per sort of thing: the loader resolves the names records write with it too
(``duchu.records.names``).
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

from duchu.records.tree import Tree

Kind = Literal["unit", "group", "phase", "action", "kind"]
# at most this many candidates are named for a text that matches nothing (or several);
# the rest are counted ("等N个")
MAX_SUGGESTIONS = 10


class NameLookupError(LookupError):
    """``text`` names no ``kind`` (``ambiguous`` False) or several (True); ``candidates``
    are (name, id) pairs, closest first, and ``more`` how many others were left unnamed."""

    def __init__(
        self,
        kind: Kind,
        text: str,
        candidates: list[tuple[str, str]],
        *,
        ambiguous: bool,
        more: int = 0,
    ) -> None:
        super().__init__(f"{kind} {text}")
        self.kind = kind
        self.text = text
        self.candidates = candidates
        self.ambiguous = ambiguous
        self.more = more


@dataclass(frozen=True)
class Named:
    """One thing that can be named: its id, and the names it may be called by (the first
    is the one shown)."""

    id: str
    names: tuple[str, ...]

    @property
    def shown(self) -> str:
        return self.names[0] if self.names else self.id


def things(tree: Tree, kind: Kind) -> Iterable[Named]:
    """Every ``kind`` of the tree that can be named, in the records' order."""
    campaign = tree.campaign
    if kind == "unit":
        for uid, unit in tree.units.items():
            yield Named(uid, tuple(dict.fromkeys(n for n in (unit.short, unit.name) if n)))
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


class NameIndex:
    """The one rule of names where ids go, for the command line and the records alike
    (../shared/spec/CLI.md 1.1, ../shared/spec/RECORDS.md 1.2): a text is the id it equals
    -- an id wins over another thing's name -- else the one thing whose ``name`` or
    ``short`` it is. ``ids`` are further ids that exist without a name known (a record
    that did not validate): a reference to one by id is no error."""

    def __init__(self, kind: Kind, named: Iterable[Named], ids: Iterable[str] = ()) -> None:
        self.kind = kind
        self.things = list(named)
        self.ids = {thing.id for thing in self.things} | set(ids)
        self.by_name: dict[str, list[Named]] = {}
        for thing in self.things:
            for name in thing.names:
                self.by_name.setdefault(name, []).append(thing)

    def resolve(self, text: str) -> str:
        """The id ``text`` stands for, or ``NameLookupError`` naming the candidates."""
        if text in self.ids:
            return text
        matches = self.by_name.get(text, [])
        if len(matches) == 1:
            return matches[0].id
        if matches:
            shown = [(m.shown, m.id) for m in matches]
            raise NameLookupError(
                self.kind,
                text,
                shown[:MAX_SUGGESTIONS],
                ambiguous=True,
                more=max(0, len(shown) - MAX_SUGGESTIONS),
            )
        candidates, more = suggestions(self.things, text)
        raise NameLookupError(self.kind, text, candidates, ambiguous=False, more=more)


def resolve(tree: Tree, kind: Kind, text: str) -> str:
    """The id of the one ``kind`` whose id, name or short name is ``text``."""
    return NameIndex(kind, things(tree, kind)).resolve(text)


def suggestions(named: list[Named], text: str) -> tuple[list[tuple[str, str]], int]:
    """The things closest to ``text`` -- those whose id or name contains it or is contained
    in it, then those alike (difflib), closest first -- else all of them when there are
    few: at most ``MAX_SUGGESTIONS``, and how many more matched."""

    def likeness(thing: Named) -> float:
        return max(difflib.SequenceMatcher(None, text, key).ratio() for key in keys(thing))

    def keys(thing: Named) -> tuple[str, ...]:
        return (thing.id, *thing.names)

    containing = [t for t in named if any(text in key or key in text for key in keys(t))]
    if containing:
        chosen = sorted(containing, key=likeness, reverse=True)  # ties in the records' order
    else:
        scored = [(likeness(t), t) for t in named]
        chosen = [t for score, t in sorted(scored, key=lambda pair: -pair[0]) if score >= 0.5]
        if not chosen and len(named) <= MAX_SUGGESTIONS:
            chosen = named
    listed = [(t.shown, t.id) for t in chosen[:MAX_SUGGESTIONS]]
    return listed, max(0, len(chosen) - MAX_SUGGESTIONS)
