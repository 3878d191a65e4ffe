"""What an entry workbook changes in a records tree (../shared/spec/CLI.md 1.2, ``duchu import``).

A row whose values hash to the digest it was exported with was not touched: it changes
nothing, whatever the tree holds now. A touched row is compared with its record as it is
now, field by field, by meaning (a day is a day however it is written, a unit its id
whether the record names it by id or by name), and each difference is one change of one
field. A row without a key is a new record: a meeting (its id made as ``duchu new`` makes
it, the next free one when the name is taken), a finding, an appraisal subject, or an
action's date. Every name in a cell is looked up as a name in a record is; one that names
nothing, or a unit of another group, is a problem at its cell. A row of the export that is
gone from the workbook is kept, and said so.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from duchu.problems import Ref
from duchu.records.checks import group_action_ids, unit_action_ids
from duchu.records.entry_layout import (
    SEPARATOR,
    Value,
    as_day,
    clean,
    group_unit_ids,
    row_digest,
    shown_id,
    unit_label,
)
from duchu.records.entry_read import EntryIn, RowIn
from duchu.records.lookup import Kind, Named, NameLookupError, resolve, suggestions
from duchu.records.models import Dated
from duchu.records.tree import Tree

Keys = tuple[str | int, ...]
_SPLIT = re.compile(r"[、,，;；\n]+")
_SPACES = re.compile(r"\s+")
_ABSENT = re.compile(r"(.+?)\s*[（(](.*)[）)]")


@dataclass
class Plan:
    """The changes an import makes: new records (path -> data), field changes per file
    (path -> keys -> value, in the order found), the cell that first changes each file,
    the rows deleted from the workbook (kept), and the problems found."""

    new: dict[str, dict[str, Any]] = field(default_factory=dict)
    edits: dict[str, dict[Keys, object]] = field(default_factory=dict)
    first_cell: dict[str, tuple[str, int, int]] = field(default_factory=dict)
    kept: list[tuple[str, str]] = field(default_factory=list)  # (sheet, record path)

    def edit(self, path: str, keys: Keys, value: object, cell: tuple[str, int, int]) -> None:
        self.edits.setdefault(path, {})[keys] = value
        self.first_cell.setdefault(path, cell)


class Differ:
    """The state of one import's comparison: the tree, the workbook, the plan so far."""

    def __init__(self, tree: Tree, entry: EntryIn) -> None:
        campaign = tree.campaign
        assert campaign is not None
        self.tree = tree
        self.campaign = campaign
        self.entry = entry
        self.group_id = entry.group_id
        self.group = tree.groups[entry.group_id]
        self.plan = Plan()
        self.taken: set[str] = set()
        # (date, unit, kind) -> meeting id or new path, for the appraisal rows
        self.meetings_by_day: dict[tuple[date, str, str], list[str]] = {}
        self.unit_actions = set(unit_action_ids(campaign))
        self.group_actions = set(group_action_ids(campaign))
        self.names: dict[str, dict[str, str]] = {}

    # --- cells ---------------------------------------------------------------------------

    def problem(self, sheet: str, row: RowIn, index: int, code: str, **args: object) -> None:
        self.entry.at(sheet, row.number, index, code, **args)

    def lookup(self, sheet: str, row: RowIn, index: int, kind: Kind, text: str) -> str | None:
        shown = self.shown_names(kind).get(text)
        if shown is not None:  # a name as the workbook shows it (no spaces at its ends)
            return shown
        try:
            return resolve(self.tree, kind, text)
        except NameLookupError as err:
            listed = "、".join(f"{name}（{ident}）" for name, ident in err.candidates)
            if err.ambiguous:
                self.problem(
                    sheet, row, index, "entry-ambiguous-name", value=text, candidates=listed
                )
            else:
                self.problem(
                    sheet,
                    row,
                    index,
                    "entry-unknown-name",
                    value=text,
                    candidates=listed or "—",
                    hint=separator_hint(text),
                )
            return None

    def written_keys(self, path: str, field: str) -> dict[str, str]:
        """The keys of a record's ``done`` or ``waived`` as its file writes them (an id, or
        an action's name where the records allow one) by the action id each means: a
        change goes to the key that is there, never beside it under another spelling."""
        import yaml

        try:
            text = (self.tree.root / path).read_bytes().decode("utf-8-sig")
            data = yaml.load(text, Loader=yaml.BaseLoader)  # every scalar as text
        except (OSError, UnicodeDecodeError, yaml.YAMLError):
            return {}
        section = data.get(field) if isinstance(data, dict) else None
        if not isinstance(section, dict):
            return {}
        return {shown_id(self.tree, "action", str(key)): str(key) for key in section}

    def shown_names(self, kind: Kind) -> dict[str, str]:
        """The names of ``kind`` as cells show them (``clean``) -> the id, for the names
        that only one thing has."""
        found = self.names.get(kind)
        if found is None:
            campaign = self.campaign
            pairs: list[tuple[str | None, str]] = []
            if kind == "unit":
                for uid, unit in self.tree.units.items():
                    pairs += [(unit.name, uid), (unit.short, uid)]
            elif kind == "kind":
                pairs = [(k.name, kid) for kid, k in campaign.meeting_kinds.items()]
            elif kind == "action":
                pairs = [(a.name, a.id) for phase in campaign.phases for a in phase.actions]
            counted: dict[str, set[str]] = {}
            for name, ident in pairs:
                cleaned = clean(name)
                if cleaned is not None:
                    counted.setdefault(cleaned, set()).add(ident)
            found = {name: next(iter(ids)) for name, ids in counted.items() if len(ids) == 1}
            self.names[kind] = found
        return found

    def own_units(self) -> dict[str, str]:
        """The group's units by every name a cell may give them (id, name, short name, the
        label the workbook shows), for the names only one of them has."""
        found = self.names.get("own-unit")
        if found is None:
            counted: dict[str, set[str]] = {}
            for uid in group_unit_ids(self.tree, self.group_id):
                unit = self.tree.units[uid]
                for name in (uid, unit.name, unit.short, unit_label(self.tree, uid)):
                    cleaned = clean(name)
                    if cleaned is not None:
                        counted.setdefault(cleaned, set()).add(uid)
            found = {name: next(iter(ids)) for name, ids in counted.items() if len(ids) == 1}
            self.names["own-unit"] = found
        return found

    def unit(self, sheet: str, row: RowIn, index: int, text: str) -> str | None:
        """The group's unit a cell names: one of this group's names first (so a name
        another group's unit shares too is this group's); a unit of another group is a
        problem, and a name of none is one whose candidates are this group's units."""
        mine = self.own_units().get(text)
        if mine is not None:
            return mine
        try:
            uid = resolve(self.tree, "unit", text)
        except NameLookupError:
            uid = None
        if uid is not None and self.tree.units[uid].group != self.group_id:
            self.problem(sheet, row, index, "entry-foreign-unit", value=text)
            return None
        if uid is not None:
            return uid
        named = [
            Named(uid, (unit_label(self.tree, uid),))
            for uid in group_unit_ids(self.tree, self.group_id)
        ]
        close, _ = suggestions(named, text)
        listed = SEPARATOR.join(name for name, _ in close)
        self.problem(
            sheet,
            row,
            index,
            "entry-unknown-unit",
            value=text,
            candidates=listed or "—",
            hint=separator_hint(text),
        )
        return None

    def action(self, sheet: str, row: RowIn, index: int, text: str, own: set[str]) -> str | None:
        aid = self.lookup(sheet, row, index, "action", text)
        if aid is not None and aid not in own:
            self.problem(sheet, row, index, "entry-not-this-action", value=text)
            return None
        return aid

    def required(self, sheet: str, row: RowIn, indexes: list[int]) -> bool:
        missing = [
            i
            for i in indexes
            if row.values[i] is None and (sheet, row.number, i) not in self.entry.bad
        ]
        for index in missing:
            self.problem(sheet, row, index, "entry-required")
        return all(row.values[i] is not None for i in indexes)

    # --- rows ----------------------------------------------------------------------------

    def touched(self, row: RowIn) -> bool:
        return not row.key or row.digest != row_digest(row.values)

    def known_key(self, sheet: str, rows: list[RowIn], exists: Any) -> list[RowIn]:
        """The rows to compare: touched, their key known (a key seen twice, or naming a
        record no longer in the tree, is a problem), and the deleted rows noted as kept."""
        seen: set[str] = set()
        wanted: list[RowIn] = []
        for row in rows:
            if row.key:
                if row.key in seen:
                    self.problem(sheet, row, -2, "entry-duplicate-row")
                    continue
                seen.add(row.key)
                if not exists(row.key):
                    self.problem(sheet, row, -2, "entry-record-gone", key=row.key)
                    continue
            if self.touched(row):
                wanted.append(row)
        for key in self.entry.exported.get(sheet, []):
            if key not in seen:
                self.plan.kept.append((sheet, key))
        return wanted


# --- helpers the row differs share --------------------------------------------


def split_names(text: str, known: Collection[str] = ()) -> list[str]:
    """The names in a cell: split at 、 (and at the commas, semicolons and line breaks a
    clerk types for it), and a part with spaces at its spaces unless it is a ``known`` name
    as it stands (``赵某 钱某`` is two members; a unit whose name has a space is one)."""
    names: list[str] = []
    for part in _SPLIT.split(text):
        part = part.strip()
        if not part:
            continue
        if _SPACES.search(part) and part not in known:
            names += _spaced(part.split(), known)
        else:
            names.append(part)
    return names


def _spaced(words: list[str], known: Collection[str]) -> list[str]:
    """Words parted by spaces as names: the longest run of them that is a known name
    (with one space between its words), else each word alone."""
    names: list[str] = []
    start = 0
    while start < len(words):
        end = next(
            (
                end
                for end in range(len(words), start + 1, -1)
                if " ".join(words[start:end]) in known
            ),
            start + 1,
        )
        names.append(" ".join(words[start:end]))
        start = end
    return names


def separator_hint(text: str) -> Ref:
    """The hint of a name that names nothing: several names are parted by 、 when the
    text holds another separator."""
    several = _SPACES.search(text.strip()) or re.search(r"[,，;；/]", text)
    return Ref("entry-hint-separator" if several else "entry-hint-none")


def parse_absent(text: str) -> list[tuple[str, str | None]]:
    found: list[tuple[str, str | None]] = []
    for part in re.split(r"[；;\n]+", text):
        part = part.strip()
        if not part:
            continue
        match = _ABSENT.fullmatch(part)
        if match is not None:
            found.append((match[1].strip(), match[2].strip() or None))
        else:
            found.append((part, None))
    return found


def absent_value(items: list[tuple[str, str | None]]) -> list[object]:
    return [name if reason is None else {"name": name, "reason": reason} for name, reason in items]


def dated(day: date | None, note: str | None) -> object:
    """A ``done`` entry: the day alone, or with its note."""
    if day is None:
        return None
    return day if note is None else {"date": day, "note": note}


def dated_now(tree: Tree, entry: Dated | None) -> tuple[Value, str | None]:
    if entry is None:
        return None, None
    return as_day(entry.date, tree), clean(entry.note)


def cell(sheet: str, row: RowIn, index: int = 0) -> tuple[str, int, int]:
    return (sheet, row.number, index)
