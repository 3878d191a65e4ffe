"""Whose records a path of a pushed tree holds: what ownership needs of each record (a unit's
group, a meeting's units and ballot file, the accounts), read leniently and cached by blob id
in the user's cache folder (``Facts``), and one tree of a push as ownership sees it
(``TreeView``)."""

from __future__ import annotations

import contextlib
import json
import os
import posixpath
import tempfile
from functools import cache
from pathlib import Path
from typing import Any

import pydantic_core
from pydantic import ConfigDict, StrictInt, StrictStr, TypeAdapter
from pydantic import dataclasses as pydantic_dataclasses

from duchu.git.objects import BlobReader
from duchu.problems import Problem
from duchu.records.discover import readable_name
from duchu.records.known import CommitFiles
from duchu.records.parse import MAX_FILE_BYTES, record_id, record_kind
from duchu.records.tree import CAMPAIGN_FILE, Tree

# --- what ownership needs of a record, by blob id ---------------------------------------------

_FACTS_FILE = "owners.json"
_FACTS_FORMAT = 4  # 3: notices (1.2); 4: a unit's names beside its group (names where ids go, 1.2)
_KINDS = ("units", "meetings", "groups", "campaign", "notices")
# a unit's: group, and the names it may be called by (short, name)
UnitFacts = tuple[str | None, list[str]]
# a meeting's: unit, units, group, ballots
MeetingFacts = tuple[str | None, list[str], str | None, str | None]
# a group's: accounts, what its ``accounts`` and ``order`` say (None when neither is there:
# the office's to change, ../shared/spec/RECORDS.md 1.2), name
GroupFacts = tuple[list[str], str | None, str | None]


@pydantic_dataclasses.dataclass(config=ConfigDict(extra="forbid"), frozen=True)
class _StoredFacts:
    """The facts file, validated whole in one pass (in Rust) when read: a damaged or
    foreign file is no cache."""

    format: StrictInt
    units: dict[StrictStr, tuple[StrictStr | None, list[StrictStr]]]
    meetings: dict[
        StrictStr, tuple[StrictStr | None, list[StrictStr], StrictStr | None, StrictStr | None]
    ]
    groups: dict[StrictStr, tuple[list[StrictStr], StrictStr | None, StrictStr | None]]
    campaign: dict[StrictStr, list[StrictStr]]
    notices: dict[
        StrictStr, tuple[StrictStr | None, list[StrictStr], StrictStr | None, StrictStr | None]
    ]


def _data(raw: bytes | None) -> dict[str, Any] | None:
    """A record file's top-level mapping, read leniently: None when it is no mapping."""
    if raw is None:
        return None
    from duchu.records.read import decode, parse_yaml

    text, _ = decode(raw, "-")
    if text is None:
        return None
    data = parse_yaml(text, "-").data
    return data if isinstance(data, dict) else None


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


def _texts(value: Any) -> list[str]:
    return [item for item in value if _text(item)] if isinstance(value, list) else []


def _rights(data: dict[str, Any]) -> str | None:
    """What a group file's ``accounts`` and ``order`` say, exactly as written (order and
    spelling count: any difference is a change of them); None when it sets neither."""
    accounts, order = data.get("accounts"), data.get("order")
    if accounts is None and order is None:
        return None
    return json.dumps([accounts, order], ensure_ascii=False, sort_keys=True, default=repr)


def _extract(kind: str, raw: bytes | None) -> Any:
    """What ownership needs of a record file of ``kind`` (see ``Facts``)."""
    data = _data(raw) or {}
    if kind == "units":
        names = [n for n in (_text(data.get("short")), _text(data.get("name"))) if n]
        return (_text(data.get("group")), names)
    if kind == "meetings":
        appraisal = data.get("appraisal")
        ballots = _text(appraisal.get("ballots")) if isinstance(appraisal, dict) else None
        units = _texts(data.get("units"))
        return (_text(data.get("unit")), units, _text(data.get("group")), ballots)
    if kind == "groups":
        return (_texts(data.get("accounts")), _rights(data), _text(data.get("name")))
    if kind == "notices":  # (1.2) a notice is its units' groups', like a meeting
        return (_text(data.get("unit")), _texts(data.get("units")), None, None)
    return _texts(data.get("office_accounts"))  # campaign


class Facts:
    """What deciding ownership needs of each record file, by blob id: a unit's group; a
    meeting's ``unit``, ``units``, ``group`` and ``ballots``; a group's ``accounts``; the
    campaign's ``office_accounts`` -- read leniently, so a record that does not validate
    still tells whose it is when it can. Kept in the user's cache folder between pushes
    (a blob's content never changes), with the entries of the trees last used."""

    def __init__(self, folder: Path | None, reader: BlobReader) -> None:
        self.path = folder / _FACTS_FILE if folder is not None else None
        self.reader = reader
        self.known: dict[str, dict[str, Any]] = {kind: {} for kind in _KINDS}
        self.used: dict[str, set[str]] = {kind: set() for kind in _KINDS}
        self.changed = False
        if self.path is not None:
            with contextlib.suppress(OSError, ValueError):
                stored = _facts_adapter().validate_json(self.path.read_bytes())
                if stored.format == _FACTS_FORMAT:
                    self.known = {kind: getattr(stored, kind) for kind in _KINDS}

    def get(self, kind: str, blob: str) -> Any:
        self.used[kind].add(blob)
        known = self.known[kind]
        if blob in known:
            return known[blob]
        value = _extract(kind, self.reader.read(blob, MAX_FILE_BYTES))
        known[blob] = value
        self.changed = True
        return value

    def meeting(self, blob: str) -> MeetingFacts:
        found: MeetingFacts = self.get("meetings", blob)
        return found

    def group(self, blob: str) -> GroupFacts:
        found: GroupFacts = self.get("groups", blob)
        return found

    def prefetch(self, kind: str, blobs: set[str]) -> None:
        """Read the missing ones of many blobs through one stream (a cold cache)."""
        known = self.known[kind]
        missing = [blob for blob in blobs if blob not in known]
        if len(missing) < 16:
            return  # one by one costs no more
        for blob, raw in self.reader.read_many(missing):
            known[blob] = _extract(kind, raw if len(raw) <= MAX_FILE_BYTES else None)
            self.changed = True

    def seed(self, view: TreeView, tree: Tree) -> None:
        """Take what ownership needs from a tree the loader has just read and validated
        (``view`` is the same tree): on a cold cache, its files need not be parsed again."""
        for path, blob in view.records.items():
            if blob[0] == "!":
                continue
            kind, ident = record_kind(path), record_id(path)
            if kind == "units" and ident in tree.units:
                unit = tree.units[ident]
                names = [n for n in (unit.short, unit.name) if n]
                self.known["units"].setdefault(blob, (unit.group, names))
            elif kind == "meetings" and ident in tree.meetings:
                meeting = tree.meetings[ident]
                ballots = meeting.appraisal.ballots if meeting.appraisal is not None else None
                facts = (meeting.unit, list(meeting.units or []), meeting.group, ballots)
                self.known["meetings"].setdefault(blob, facts)
            elif kind == "notices" and ident in tree.notices:
                notice = tree.notices[ident]
                self.known["notices"].setdefault(
                    blob, (notice.unit, list(notice.units or []), None, None)
                )
            elif kind == "campaign" and tree.campaign is not None:
                self.known["campaign"].setdefault(blob, list(tree.campaign.office_accounts))
        self.changed = True

    def save(self) -> None:
        """Best effort: keep the entries used this time (the trees of this push are those
        the next one starts from)."""
        if self.path is None:
            return
        kept = {kind: {b: self.known[kind][b] for b in self.used[kind]} for kind in _KINDS}
        if not self.changed and all(len(kept[k]) == len(self.known[k]) for k in _KINDS):
            return
        with contextlib.suppress(OSError):
            self.path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            handle, temporary = tempfile.mkstemp(dir=self.path.parent, suffix=".tmp")
            try:
                with os.fdopen(handle, "wb") as file:
                    file.write(pydantic_core.to_json({"format": _FACTS_FORMAT, **kept}))
                os.replace(temporary, self.path)
            except BaseException:
                with contextlib.suppress(OSError):
                    os.unlink(temporary)
                raise


@cache
def _facts_adapter() -> TypeAdapter[_StoredFacts]:
    return TypeAdapter(_StoredFacts)


# --- one tree, as far as ownership goes -------------------------------------------------------

_UNREADABLE = ("outside-tree", "not-a-file", "unreadable")
REGULAR_MODES = ("100644", "100755")


def _record_path(path: str) -> bool:
    """Whether ``path`` is where the loader finds a record (hidden files are not, nor a path
    that is not UTF-8: the loader reads no record there, so it belongs to nobody)."""
    if path[0] == "." or "/." in path or not readable_name(path):
        return False
    if path == CAMPAIGN_FILE:
        return True
    folder, _, rest = path.partition("/")
    if not rest.endswith(".yaml"):
        return False
    return folder in ("meetings", "notices") or (folder in ("groups", "units") and "/" not in rest)


class TreeView:
    """The records of one tree as duchu reads them: for each record path, what is read
    there -- the blob, and for a meeting with a ballot file the ballot file's blob too --
    and whose record it is.

    A tree of plain files (the usual case) is kept as its paths and blobs (``blobs``), and
    a tree that differs from one already seen by a few files is made from it and the
    difference (``derive``), so a push of one commit lists one tree, not two. A tree with a
    symbolic link or a submodule anywhere is read through the loader's own rules
    (``files``), links followed as ``duchu check`` follows them."""

    def __init__(
        self,
        facts: Facts,
        *,
        files: CommitFiles | None = None,
        blobs: dict[str, str] | None = None,
    ) -> None:
        self.facts = facts
        self.files = files
        self.blobs = blobs
        self.records: dict[str, str] = {}  # path -> blob id, or "!" and why it is unreadable
        self._states: dict[str, str] | None = None
        self._names: dict[str, dict[str, list[str]]] | None = None  # kind -> name -> ids
        self.ballot_files: dict[str, str] = {}  # meeting path -> its ballot file's path
        # when made by ``derive``: the view it came from, and the records that may differ
        self.parent: TreeView | None = None
        self.touched: set[str] = set()
        if files is not None:
            found = files.discover()
            for path in found.files:
                self.records[path] = files.entry(path).blob
            for item in found.problems:
                if item.code in _UNREADABLE and _record_path(item.path):
                    self.records[item.path] = "!" + item.code
        elif blobs is not None:
            self.records = {path: blob for path, blob in blobs.items() if _record_path(path)}

    @property
    def plain(self) -> bool:
        return self.files is None

    def derive(self, delta: list[tuple[str, str | None]]) -> TreeView:
        """The view of a tree of plain files that differs from this one (also of plain
        files) by ``delta``: (path, its blob there or None when deleted)."""
        assert self.blobs is not None
        blobs = dict(self.blobs)
        changed = set()
        for path, blob in delta:
            changed.add(path)
            if blob is None:
                blobs.pop(path, None)
            else:
                blobs[path] = blob
        child = TreeView(self.facts, blobs=blobs)
        states = self.states()  # (and so this view's ballot files)
        child.parent = self
        child.touched = {path for path in changed if _record_path(path)}
        child.touched.update(m for m, ballot in self.ballot_files.items() if ballot in changed)
        child._states = dict(states)
        child.ballot_files = dict(self.ballot_files)
        for path in child.touched:
            child._states.pop(path, None)
            child.ballot_files.pop(path, None)
            blob = child.records.get(path)
            if blob is not None:
                child._states[path] = child._state(path, blob)
        return child

    def _ballot(self, meeting: str, name: str) -> str:
        """What a meeting reads from its ballot file ``name``: the blob, or why not."""
        if self.files is not None:
            rel, trouble = self.files.ballot(meeting, name)
            if isinstance(trouble, Problem):  # cannot be read, or its name is not UTF-8
                return trouble.code
            target = self.files.target(rel) if rel is not None else trouble or "ballots-missing"
            return target if isinstance(target, str) else target.blob
        assert self.blobs is not None
        rel = posixpath.normpath(posixpath.join(posixpath.dirname(meeting), name))
        if rel.startswith(("/", "../")) or rel == "..":
            return "ballots-outside"
        return self.blobs.get(rel, "ballots-missing")

    def _state(self, path: str, blob: str) -> str:
        if blob[0] == "!" or not path.startswith("meetings/"):
            return blob
        ballots = self.facts.meeting(blob)[3]
        if ballots is None:
            return blob
        self.ballot_files[path] = posixpath.normpath(
            posixpath.join(posixpath.dirname(path), ballots)
        )
        return f"{blob}|{self._ballot(path, ballots)}"

    def states(self) -> dict[str, str]:
        """Record path -> what duchu reads there: the record's blob, and for a meeting with
        ``ballots`` the ballot file's blob (or why it cannot be read)."""
        if self._states is None:
            meetings = {
                blob
                for path, blob in self.records.items()
                if blob[0] != "!" and path.startswith("meetings/")
            }
            self.facts.prefetch("meetings", meetings)
            self._states = {path: self._state(path, blob) for path, blob in self.records.items()}
        return self._states

    def unit_group(self, unit_ref: str) -> str | None:
        """The group of the unit ``unit_ref`` names -- its id, or (1.2) its name or short
        name when exactly one unit has it -- as an id where the group is named by name."""
        blob = self.records.get(f"units/{unit_ref}.yaml")
        if blob is None:
            unit_id = self._by_name("units", unit_ref)
            blob = self.records.get(f"units/{unit_id}.yaml") if unit_id is not None else None
        if blob is None or blob[0] == "!":
            return None
        facts: UnitFacts = self.facts.get("units", blob)
        return self.group_id(facts[0])

    def group_id(self, group_ref: str | None) -> str | None:
        """The id of the group ``group_ref`` names (its id, or its name when exactly one
        group has it); else ``group_ref`` as written."""
        if group_ref is None or f"groups/{group_ref}.yaml" in self.records:
            return group_ref
        return self._by_name("groups", group_ref) or group_ref

    def _by_name(self, kind: str, name: str) -> str | None:
        """The one unit or group (``kind``) this tree calls ``name`` (ownership reads names
        where ids go as ``duchu check`` does, ../shared/spec/RECORDS.md 1.2); None when none
        or several do. The names are gathered only when a reference is no id."""
        if self._names is None:
            self._names = {"units": {}, "groups": {}}
            for path, blob in self.records.items():
                folder = record_kind(path)
                if folder not in self._names or blob[0] == "!":
                    continue
                if folder == "units":
                    names: list[str] = self.facts.get("units", blob)[1]
                else:
                    named = self.facts.group(blob)[2]
                    names = [named] if named else []
                for each in dict.fromkeys(names):
                    self._names[folder].setdefault(each, []).append(record_id(path))
        found = self._names[kind].get(name, [])
        return found[0] if len(found) == 1 else None

    def owners(self, path: str) -> frozenset[str]:
        """The groups whose record ``path`` is in this tree (none for the campaign, for a
        file that is no record, or for a record that cannot be read here)."""
        kind = record_kind(path)
        if kind == "groups":
            return frozenset([record_id(path)])
        blob = self.records.get(path)
        if blob is None or blob[0] == "!":
            return frozenset()
        if kind == "units":
            group = self.group_id(self.facts.get("units", blob)[0])
            return frozenset([group] if group else [])
        if kind == "notices":
            unit, units, group, _ = self.facts.get("notices", blob)
        elif kind == "meetings":
            unit, units, group, _ = self.facts.meeting(blob)
        else:
            return frozenset()
        group = self.group_id(group)
        owners = {group} if group else set()
        for unit_id in [unit, *units] if unit else units:
            owner = self.unit_group(unit_id)
            if owner is not None:
                owners.add(owner)
        return frozenset(owners)

    def group_rights(self, path: str) -> str | None:
        """What the group file at ``path`` says in ``accounts`` and ``order`` here (None when
        it sets neither, is not there or cannot be read)."""
        blob = self.records.get(path)
        if blob is None or blob[0] == "!":
            return None
        return self.facts.group(blob)[1]

    def group_names(self) -> dict[str, str | None]:
        """Each group's name, as this tree gives it (None when it gives none)."""
        return {
            record_id(path): self.facts.group(blob)[2]
            for path, blob in self.records.items()
            if record_kind(path) == "groups" and blob[0] != "!"
        }

    def accounts(self) -> tuple[dict[str, frozenset[str]], frozenset[str]]:
        """Each group's accounts, and the office's, as this tree names them."""
        groups = {}
        for path, blob in self.records.items():
            if record_kind(path) == "groups" and blob[0] != "!":
                groups[record_id(path)] = frozenset(self.facts.group(blob)[0])
        campaign = self.records.get(CAMPAIGN_FILE)
        office: frozenset[str] = frozenset()
        if campaign is not None and campaign[0] != "!":
            office = frozenset(self.facts.get("campaign", campaign))
        return groups, office
