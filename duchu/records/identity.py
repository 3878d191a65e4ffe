"""Identity (../shared/spec/RECORDS.md 1.2): ids that one file system takes for one file, names that
stand for two things, and names that show nothing.

- ``id-collision`` (error): two ids of one sort that differ only in letter case or Unicode
  normalization (``zhujian`` / ``Zhujian``, NFC / NFD): on Windows and macOS they are one
  file, and a clone there silently loses one record. Groups, units and meetings by their
  file names; the campaign's phases and actions (one id space) and its meeting kinds.
- ``duplicate-name`` (warning): two groups, or two units, called alike -- a ``name`` or
  ``short`` of one is a name or short of the other -- so a reference by it is ambiguous.
- ``blank-name`` (error): a name or short that is empty once spaces are removed (ASCII,
  U+3000, any other space), or that holds an invisible character (zero-width spaces and
  joiners, word joiner, soft hyphen, U+FEFF and the rest of Unicode's default-ignorable
  characters), which makes two names that look alike differ.

Each problem stands at the offending value; an id's is its file (line 1, column 1).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Iterator

from duchu.problems import Anchor, Loc, Problem, Ref, Severity, problem
from duchu.records.parse import has_unsafe_text
from duchu.records.tree import (
    CAMPAIGN_FILE,
    Tree,
    group_path,
    meeting_path,
    notice_path,
    unit_path,
)

# Unicode's default-ignorable code points (DerivedCoreProperties), which render as nothing,
# but for the variation selectors (a name may need one for its exact glyph, Mongolian its
# free variation selectors) and for the bidirectional controls a record already refuses as
# ``control-in-text``.
_INVISIBLE = re.compile(
    "[\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u200b-\u200f\u2060-\u2065\u206a-\u206f"
    "\u3164\ufeff\uffa0\U0001bca0-\U0001bca3\U0001d173-\U0001d17a\U000e0000-\U000e00ff]"
)


def _identity(text: str) -> str:
    """What a case-insensitive, normalizing file system compares: the NFC form, case-folded."""
    return unicodedata.normalize("NFC", unicodedata.normalize("NFC", text).casefold())


def _collisions(
    ids: Iterable[tuple[str, str, Loc | None]], anchor: Anchor = "value", *, files: bool = True
) -> Iterator[Problem]:
    """``id-collision`` for every (id, path, loc) alike but not equal to an earlier one: for
    files, earlier by id (the report does not depend on the order files were read); within
    campaign.yaml, earlier in the file. A loc of None is the file itself."""
    first: dict[str, str] = {}
    for ident, path, loc in sorted(ids, key=lambda item: item[0]) if files else ids:
        key = _identity(ident)
        seen = first.setdefault(key, ident)
        if seen == ident:
            continue
        if loc is None:
            why = Ref("id-collision-file")
            yield problem(path, "id-collision", line=1, column=1, id=ident, other=seen, why=why)
        else:
            why = Ref("id-collision-alike")
            yield problem(
                path, "id-collision", loc=loc, anchor=anchor, id=ident, other=seen, why=why
            )


def check_id_collisions(tree: Tree) -> Iterator[Problem]:
    """No two ids of one sort differ only in letter case or Unicode normalization."""
    groups = set(tree.groups) | tree.broken_groups
    yield from _collisions((g, group_path(g), None) for g in groups)
    units = set(tree.units) | tree.broken_units
    yield from _collisions((u, unit_path(u), None) for u in units)
    yield from _collisions((m, meeting_path(m), None) for m in tree.meetings)
    yield from _collisions((n, notice_path(n), None) for n in tree.notices)
    campaign = tree.campaign
    if campaign is None:
        return
    campaign_ids: list[tuple[str, str, Loc | None]] = []
    for p_index, phase in enumerate(campaign.phases):
        campaign_ids.append((phase.id, CAMPAIGN_FILE, ("phases", p_index, "id")))
        campaign_ids += [
            (action.id, CAMPAIGN_FILE, ("phases", p_index, "actions", a_index, "id"))
            for a_index, action in enumerate(phase.actions)
        ]
    yield from _collisions(campaign_ids, files=False)
    kinds = [(kid, CAMPAIGN_FILE, ("meeting_kinds", kid)) for kid in campaign.meeting_kinds]
    yield from _collisions(kinds, anchor="key", files=False)  # a kind's id is its key


def _called(text: str) -> str:
    """A name as people tell names apart: its NFC form without spaces."""
    return "".join(ch for ch in unicodedata.normalize("NFC", text) if not ch.isspace())


def _duplicates(
    named: list[tuple[str, str, list[tuple[str, str]]]], what: str
) -> Iterator[Problem]:
    """``duplicate-name`` at each (id, path, [(key, name)]) whose name or short another
    thing of the sort (earlier by id) already has."""
    first: dict[str, tuple[str, str]] = {}  # name as told apart -> (id, name as written)
    for ident, path, names in sorted(named, key=lambda item: item[0]):
        for key, name in names:
            called = _called(name)
            if not called:
                continue  # blank-name says so
            other = first.get(called)
            if other is not None and other[0] != ident:
                yield problem(
                    path,
                    "duplicate-name",
                    severity=Severity.WARNING,
                    loc=(key,),
                    name=name,
                    other=other[0],
                    what=Ref(what),
                )
        for _key, name in names:
            first.setdefault(_called(name), (ident, name))


def check_duplicate_names(tree: Tree) -> Iterator[Problem]:
    """No two groups, and no two units, are called alike."""
    groups = [(gid, group_path(gid), [("name", g.name)]) for gid, g in tree.groups.items()]
    yield from _duplicates(groups, "what-name-group")
    units = [
        (uid, unit_path(uid), [("name", u.name)] + ([("short", u.short)] if u.short else []))
        for uid, u in tree.units.items()
    ]
    yield from _duplicates(units, "what-name-unit")


def invisible_in(text: str) -> str | None:
    """The first invisible character of a name (``blank-name``), as U+XXXX; None if none.
    ``duchu new`` refuses such a name with it, as ``check`` would."""
    found = _INVISIBLE.search(text)
    return f"U+{ord(found[0]):04X}" if found is not None else None


def _blank(path: str, loc: Loc, text: str | None) -> Problem | None:
    if text is None or has_unsafe_text(text):
        return None  # a control or bidirectional character: control-in-text says so
    code_point = invisible_in(text)
    if code_point is not None:
        return problem(
            path, "blank-name", loc=loc, reason=Ref("blank-name-invisible"), code_point=code_point
        )
    if all(ch.isspace() for ch in text):
        return problem(path, "blank-name", loc=loc, reason=Ref("blank-name-spaces"))
    return None


def _names_of_tree(tree: Tree) -> Iterator[tuple[str, Loc, str | None]]:
    """Every name or short that says who or what a thing is, and where it stands."""
    campaign = tree.campaign
    if campaign is not None:
        yield CAMPAIGN_FILE, ("name",), campaign.name
        for kid, kind in campaign.meeting_kinds.items():
            yield CAMPAIGN_FILE, ("meeting_kinds", kid, "name"), kind.name
        for p_index, phase in enumerate(campaign.phases):
            yield CAMPAIGN_FILE, ("phases", p_index, "name"), phase.name
            for a_index, action in enumerate(phase.actions):
                yield CAMPAIGN_FILE, ("phases", p_index, "actions", a_index, "name"), action.name
    for gid, group in tree.groups.items():
        path = group_path(gid)
        yield path, ("name",), group.name
        yield path, ("leader",), group.leader
        for index, member in enumerate(group.members):
            yield path, ("members", index), member
    for uid, unit in tree.units.items():
        path = unit_path(uid)
        yield path, ("name",), unit.name
        yield path, ("short",), unit.short
        for index, leader in enumerate(unit.leaders):
            yield path, ("leaders", index, "name"), leader.name


def check_blank_names(tree: Tree) -> Iterator[Problem]:
    """No name or short is blank or holds an invisible character."""
    for path, loc, text in _names_of_tree(tree):
        found = _blank(path, loc, text)
        if found is not None:
            yield found
