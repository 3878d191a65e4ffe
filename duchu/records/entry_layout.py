"""The entry workbook (台账) of a group, as data: its sheets, their columns, and the rows that
hold a group's records as they are (../shared/spec/CLI.md 1.2, ``duchu export``).

The same layout is what ``duchu.render.entry_xlsx`` writes and ``duchu.records.entry_read``
reads back, so one definition of a column serves both ways. Each data sheet has two hidden
columns first: the key that ties a row to its record (a meeting id, ``unit|action``,
``unit|finding index``, ``meeting|subject``, a group action), and the row's digest at export
(``row_digest``), by which an import knows the rows a clerk did not touch. A row's values
are ``None``, text, a whole number, a day, or -- for a due date -- a day or a phrase.
"""

from __future__ import annotations

import hashlib
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Literal

from duchu.records.checks import group_action_ids, unit_action_ids
from duchu.records.dates import DateError, parse_date
from duchu.records.lookup import Kind, NameLookupError, resolve
from duchu.records.models import Action, Campaign, Meeting, Unit
from duchu.records.tree import Tree, group_path, meeting_path, unit_path

ColumnKind = Literal["text", "notes", "date", "due", "int", "choice", "multi"]
Value = str | int | date | None
MARKER = "duchu-entry-workbook"
FORMAT_VERSION = "1"
META_SHEET = "_duchu"
LISTS_SHEET = "_lists"
KEY_HEADER = "_key"
DIGEST_HEADER = "_digest"
HIDDEN_COLUMNS = 2  # key and digest, before the visible columns
SEPARATOR = "、"  # between several names in one cell
EMPTY_ROWS = 50  # rows to fill in after the records


@dataclass(frozen=True)
class Column:
    """One visible column: what it holds (``field``), its header, what kind of value, and
    the drop-down list its cells choose from (``choices``: a list of ``EntryBook.lists``);
    ``fixed``: part of a row's identity, locked in the rows that hold a record;
    ``shown_only``: a fact of the records shown beside the row (locked in every row), which
    an import neither reads nor counts in the row's digest."""

    field: str
    header: str
    kind: ColumnKind = "text"
    choices: str | None = None
    fixed: bool = False
    shown_only: bool = False


@dataclass
class EntrySheet:
    name: str
    columns: list[Column]
    rows: list[tuple[str, list[Value]]] = field(default_factory=list)  # (key, values)
    wide: bool = True  # printed landscape

    def digests(self) -> list[str]:
        """Each row's digest (``row_digest``) over the cells an import reads, in order."""
        return [row_digest(read_values(self.columns, values)) for _, values in self.rows]


def read_values(columns: Sequence[Column], values: Sequence[Value]) -> list[Value]:
    """The values of the columns an import reads (every column but a ``shown_only`` one)."""
    return [v for c, v in zip(columns, values, strict=True) if not c.shown_only]


@dataclass
class EntryBook:
    """What a group's entry workbook holds: its sheets, the drop-down lists, the tree's key,
    the group, and each record's file fingerprint at export."""

    campaign: str
    tree_key: str
    group_id: str
    group_name: str
    sheets: list[EntrySheet]
    lists: dict[str, list[str]]
    fingerprints: dict[str, str]
    ratings: list[str]


MEETING_COLUMNS = [
    Column("date", "日期", "date"),
    Column("unit", "单位", "multi", "units"),
    Column("kind", "会议类型", "choice", "kinds"),
    Column("title", "标题"),
    Column("attended_by", "到会督导组成员", "multi", "members"),
    Column("absent", "缺席班子成员（原因）"),
    Column("people", "人次", "int"),
    Column("completes", "同时完成的规定动作", "multi", "unit_actions"),
    Column("notes", "会议情况", "notes"),
    Column("distributed", "评议票发出", "int"),
    Column("returned", "评议票收回", "int"),
    Column("invalid", "评议票无效", "int"),
]
ACTION_COLUMNS = [
    Column("unit", "单位", "choice", "units", fixed=True),
    Column("action", "规定动作", "choice", "unit_actions", fixed=True),
    Column("date", "完成日期", "date"),
    Column("note", "完成情况说明"),
    Column("waived", "免做理由（填写即为免做）"),
    Column("by_meeting", "会议记录", fixed=True, shown_only=True),
]
FINDING_COLUMNS = [
    Column("unit", "单位", "choice", "units", fixed=True),
    Column("id", "问题编号", fixed=True),
    Column("text", "存在问题"),
    Column("found", "发现日期", "date"),
    Column("owner", "责任人", "choice", "leaders"),
    Column("due", "整改时限", "due"),
    Column("resolved", "整改完成日期", "date"),
]
GROUP_COLUMNS = [
    Column("action", "督导组事项", "choice", "group_actions", fixed=True),
    Column("date", "完成日期", "date"),
    Column("note", "说明"),
]
SHEET_NAMES = ("说明", "会议", "规定动作", "问题整改", "民主评议", "督导组事项")


def appraisal_columns(ratings: Sequence[str]) -> list[Column]:
    return [
        Column("date", "会议日期", "date", fixed=True),
        Column("unit", "单位", "choice", "units", fixed=True),
        Column("kind", "会议类型", "choice", "kinds", fixed=True),
        Column("subject", "评议对象", "choice", "subjects", fixed=True),
        *(Column(f"rating:{rating}", rating, "int") for rating in ratings),
    ]


def clean(text: str | None) -> str | None:
    """A record's text as a cell shows it and as an import compares it: line ends as
    ``\n``, no space at either end (a block scalar's final newline is YAML's, not the
    clerk's), nothing at all for an empty text."""
    if text is None:
        return None
    return text.replace("\r\n", "\n").replace("\r", "\n").strip() or None


def cell_text(value: Value) -> str:
    """A value as the digest of its row sees it."""
    if value is None:
        return ""
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def row_digest(values: Sequence[Value]) -> str:
    joined = "\x1f".join(cell_text(value) for value in values)
    return hashlib.sha256(joined.encode("utf-8")).hexdigest()[:20]


# --- the records as a clerk reads them ---------------------------------------------------------


def shown_id(tree: Tree, kind: Kind, text: str) -> str:
    """The id a record's reference means (an id, or a name where one is allowed); the text
    itself when it names nothing (``check`` says so). An id is taken as it is, without a
    search of every name."""
    if text in _ids(tree, kind):
        return text
    try:
        return resolve(tree, kind, text)
    except NameLookupError:
        return text


def _ids(tree: Tree, kind: Kind) -> Collection[str]:
    campaign = tree.campaign
    if kind == "unit":
        return tree.units
    if kind == "group":
        return tree.groups
    if campaign is None:
        return ()
    if kind == "kind":
        return campaign.meeting_kinds
    return {a.id for phase in campaign.phases for a in phase.actions}


def unit_label(tree: Tree, unit_id: str) -> str:
    unit = tree.units.get(unit_id)
    return (clean(unit.label) or unit_id) if unit is not None else unit_id


def action_names(campaign: Campaign) -> dict[str, str]:
    return {a.id: clean(a.name) or a.id for phase in campaign.phases for a in phase.actions}


def kind_name(campaign: Campaign, kind_id: str) -> str:
    kind = campaign.meeting_kinds.get(kind_id)
    return (clean(kind.name) or kind_id) if kind is not None else kind_id


def group_unit_ids(tree: Tree, group_id: str) -> list[str]:
    return [uid for uid, unit in tree.units.items() if unit.group == group_id]


def group_meeting_ids(tree: Tree, group_id: str) -> list[str]:
    """The meetings of the group's units (or of the whole group), by date then id."""
    mine = set(group_unit_ids(tree, group_id))
    found = [
        mid
        for mid, meeting in tree.meetings.items()
        if meeting.group == group_id or mine.intersection(tree.meeting_units.get(mid, ()))
    ]
    return sorted(found, key=lambda mid: (_day_key(tree.meetings[mid].date), mid))


def _day_key(text: str) -> str:
    try:
        return parse_date(text).isoformat()
    except DateError:
        return text


def as_day(text: str | None, tree: Tree) -> Value:
    """A record's date as a cell holds it: a day, or the text when it names none."""
    if text is None:
        return None
    year = tree.campaign.calendar if tree.campaign is not None else None
    try:
        return parse_date(text, year)
    except DateError:
        return text


def applies(action: Action, unit: Unit) -> bool:
    return action.applies_to is None or unit.category in action.applies_to


def _meeting_units_text(tree: Tree, meeting: Meeting) -> str:
    if meeting.unit is not None:
        return unit_label(tree, shown_id(tree, "unit", meeting.unit))
    if meeting.units is not None:
        return SEPARATOR.join(unit_label(tree, shown_id(tree, "unit", u)) for u in meeting.units)
    if meeting.group is not None:
        group = tree.groups.get(shown_id(tree, "group", meeting.group))
        return group.name if group is not None else meeting.group
    return ""


def absent_text(meeting: Meeting) -> str | None:
    parts = [f"{a.name}（{a.reason}）" if clean(a.reason) else a.name for a in meeting.absent]
    return "；".join(parts) or None


def meeting_values(tree: Tree, meeting: Meeting) -> list[Value]:
    campaign = tree.campaign
    assert campaign is not None
    names = action_names(campaign)
    appraisal = meeting.appraisal
    return [
        as_day(meeting.date, tree),
        _meeting_units_text(tree, meeting),
        kind_name(campaign, shown_id(tree, "kind", meeting.kind)),
        clean(meeting.title),
        SEPARATOR.join(meeting.attended_by) or None,
        absent_text(meeting),
        meeting.people,
        SEPARATOR.join(names.get(shown_id(tree, "action", a), a) for a in meeting.completes)
        or None,
        clean(meeting.notes),
        appraisal.distributed if appraisal is not None else None,
        appraisal.returned if appraisal is not None else None,
        appraisal.invalid if appraisal is not None else None,
    ]


def done_entries(tree: Tree, done: dict[str, object]) -> dict[str, str]:
    """The action id each key of a ``done`` or ``waived`` map means -> the key as written."""
    return {shown_id(tree, "action", key): key for key in done}


def meeting_completions(tree: Tree, unit_id: str) -> dict[str, tuple[date, str]]:
    """The actions a meeting of the unit completes (../shared/spec/RECORDS.md: an action
    with ``meeting: KIND`` by the unit's earliest meeting of that kind, and what a meeting's
    ``completes`` names) -> the earliest such meeting's day and kind id. A draft meeting is
    not among ``tree.meetings`` and completes nothing; a meeting whose date names no day is
    left to ``check``."""
    campaign = tree.campaign
    assert campaign is not None
    by_kind: dict[str, list[str]] = {}
    for action in (a for phase in campaign.phases for a in phase.actions):
        if action.meeting is not None:
            by_kind.setdefault(shown_id(tree, "kind", action.meeting), []).append(action.id)
    found: dict[str, tuple[date, str]] = {}

    def note(action_id: str, day: date, kind: str) -> None:
        if action_id not in found or (day, kind) < found[action_id]:
            found[action_id] = (day, kind)

    for mid, meeting in tree.meetings.items():
        if unit_id not in tree.meeting_units.get(mid, ()):
            continue
        day = as_day(meeting.date, tree)
        if not isinstance(day, date):
            continue
        kind = shown_id(tree, "kind", meeting.kind)
        for action_id in by_kind.get(kind, ()):
            note(action_id, day, kind)
        for action_id in meeting.completes:
            note(shown_id(tree, "action", action_id), day, kind)
    return found


def _by_meeting(campaign: Campaign, done: tuple[date, str] | None) -> str | None:
    if done is None:
        return None
    day, kind = done
    return f"{day.month}月{day.day}日{kind_name(campaign, kind)}"


def _action_rows(tree: Tree, unit_ids: list[str]) -> list[tuple[str, list[Value]]]:
    campaign = tree.campaign
    assert campaign is not None
    unit_actions = set(unit_action_ids(campaign))
    actions = [a for phase in campaign.phases for a in phase.actions if a.id in unit_actions]
    rows: list[tuple[str, list[Value]]] = []
    for uid in unit_ids:
        unit = tree.units[uid]
        done = {shown_id(tree, "action", k): v for k, v in unit.done.items()}
        waived = {shown_id(tree, "action", k): v for k, v in unit.waived.items()}
        by_meeting = meeting_completions(tree, uid)
        for action in actions:
            if not applies(action, unit) and action.id not in done and action.id not in waived:
                continue
            entry = done.get(action.id)
            rows.append(
                (
                    f"{uid}|{action.id}",
                    [
                        unit.label,
                        action.name,
                        as_day(entry.date, tree) if entry is not None else None,
                        clean(entry.note) if entry is not None else None,
                        clean(waived.get(action.id)),
                        _by_meeting(campaign, by_meeting.get(action.id)),
                    ],
                )
            )
    return rows


def finding_values(tree: Tree, unit: Unit, index: int) -> list[Value]:
    finding = unit.findings[index]
    return [
        unit.label,
        clean(finding.id),
        clean(finding.text),
        as_day(finding.found, tree),
        clean(finding.owner),
        as_day(finding.due, tree),
        as_day(finding.resolved, tree),
    ]


def appraisal_rows(tree: Tree, meeting_ids: list[str]) -> list[tuple[str, list[Value]]]:
    """One row per subject of each meeting whose appraisal is given as counts."""
    campaign = tree.campaign
    assert campaign is not None
    ratings = campaign.appraisal.ratings
    rows: list[tuple[str, list[Value]]] = []
    for mid in meeting_ids:
        meeting = tree.meetings[mid]
        appraisal = meeting.appraisal
        if appraisal is None or appraisal.counts is None or meeting.unit is None:
            continue
        head: list[Value] = [
            as_day(meeting.date, tree),
            unit_label(tree, shown_id(tree, "unit", meeting.unit)),
            kind_name(campaign, shown_id(tree, "kind", meeting.kind)),
        ]
        for subject, counts in appraisal.counts.items():
            values: list[Value] = [*head, subject, *(counts.get(r) for r in ratings)]
            rows.append((f"{mid}|{subject}", values))
    return rows


def entry_book(tree: Tree, group_id: str, tree_key: str, fingerprints: dict[str, str]) -> EntryBook:
    """The group's entry workbook from the records as they are (``fingerprints``: each
    record file's, as ``duchu.records.entry_import`` computes them)."""
    campaign = tree.campaign
    assert campaign is not None
    group = tree.groups[group_id]
    unit_ids = group_unit_ids(tree, group_id)
    meeting_ids = group_meeting_ids(tree, group_id)
    names = action_names(campaign)
    ratings = list(campaign.appraisal.ratings)
    meetings = EntrySheet("会议", MEETING_COLUMNS)
    meetings.rows = [(mid, meeting_values(tree, tree.meetings[mid])) for mid in meeting_ids]
    findings = EntrySheet("问题整改", FINDING_COLUMNS)
    for uid in unit_ids:
        unit = tree.units[uid]
        findings.rows += [
            (f"{uid}|{i}", finding_values(tree, unit, i)) for i in range(len(unit.findings))
        ]
    group_done = {shown_id(tree, "action", k): v for k, v in group.done.items()}
    own = EntrySheet("督导组事项", GROUP_COLUMNS, wide=False)
    for aid in group_action_ids(campaign):
        entry = group_done.get(aid)
        own.rows.append(
            (
                aid,
                [
                    names[aid],
                    as_day(entry.date, tree) if entry is not None else None,
                    clean(entry.note) if entry is not None else None,
                ],
            )
        )
    leaders = [leader.name for uid in unit_ids for leader in tree.units[uid].leaders]
    lists = {
        "units": [unit_label(tree, uid) for uid in unit_ids],
        "kinds": [kind.name for kind in campaign.meeting_kinds.values()],
        "unit_actions": [names[a] for a in unit_action_ids(campaign)],
        "group_actions": [names[a] for a in group_action_ids(campaign)],
        "members": list(group.members),
        "leaders": list(dict.fromkeys(leaders)),
        "subjects": list(dict.fromkeys([campaign.appraisal.team, *leaders])),
        "ratings": ratings,
    }
    sheets = [
        meetings,
        EntrySheet("规定动作", ACTION_COLUMNS, _action_rows(tree, unit_ids), wide=False),
        findings,
        EntrySheet("民主评议", appraisal_columns(ratings), appraisal_rows(tree, meeting_ids)),
        own,
    ]
    for sheet in sheets:  # every text as a cell shows it and an import reads it back
        sheet.rows = [
            (key, [clean(v) if isinstance(v, str) else v for v in values])
            for key, values in sheet.rows
        ]
    files = [group_path(group_id), *(unit_path(u) for u in unit_ids)]
    files += [meeting_path(m) for m in meeting_ids]
    return EntryBook(
        campaign=campaign.name,
        tree_key=tree_key,
        group_id=group_id,
        group_name=group.name,
        sheets=sheets,
        lists=lists,
        fingerprints={path: fingerprints[path] for path in files if path in fingerprints},
        ratings=ratings,
    )
