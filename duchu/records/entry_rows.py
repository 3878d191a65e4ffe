"""The rows of each sheet of an entry workbook against their records (``plan_import``): the
sheet 会议 against meeting files, 规定动作 and 问题整改 against unit files, 民主评议 against
the meetings' appraisal counts, 督导组事项 against the group's file. See
``duchu.records.entry_diff`` for what a change is."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from duchu.records.entry_diff import (
    Differ,
    Plan,
    absent_value,
    cell,
    dated,
    dated_now,
    parse_absent,
    split_names,
)
from duchu.records.entry_layout import as_day, clean, group_meeting_ids, shown_id, unit_label
from duchu.records.entry_read import EntryIn, RowIn
from duchu.records.models import Meeting
from duchu.records.tree import Tree, group_path, meeting_path, unit_path

MEETINGS, ACTIONS, FINDINGS, APPRAISALS, GROUP = (
    "会议",
    "规定动作",
    "问题整改",
    "民主评议",
    "督导组事项",
)


def plan_import(tree: Tree, entry: EntryIn) -> Plan:
    """The changes the workbook makes to the tree; its problems go to ``entry.problems``."""
    differ = Differ(tree, entry)
    for mid in group_meeting_ids(tree, entry.group_id):
        meeting = tree.meetings[mid]
        day = as_day(meeting.date, tree)
        if meeting.unit is not None and isinstance(day, date):
            key = (day, shown_id(tree, "unit", meeting.unit), shown_id(tree, "kind", meeting.kind))
            differ.meetings_by_day.setdefault(key, []).append(meeting_path(mid))
    diff_meetings(differ, entry.sheets[MEETINGS])
    diff_actions(differ, entry.sheets[ACTIONS])
    diff_findings(differ, entry.sheets[FINDINGS])
    diff_appraisals(differ, entry.sheets[APPRAISALS])
    diff_group(differ, entry.sheets[GROUP])
    return differ.plan


# --- 会议 -----------------------------------------------------------------------


def _where(d: Differ, row: RowIn) -> tuple[str, Any] | None:
    """``unit``, ``units`` or ``group`` and its id(s), from the unit cell."""
    text = str(row.values[1])
    if text in (clean(d.group.name), d.group_id):
        return ("group", d.group_id)
    ids = [d.unit(MEETINGS, row, 1, name) for name in split_names(text, d.own_units())]
    if not ids or any(uid is None for uid in ids):
        return None
    known = [uid for uid in ids if uid is not None]
    return ("unit", known[0]) if len(known) == 1 else ("units", known)


def _wanted_meeting(d: Differ, row: RowIn) -> dict[str, Any] | None:
    """What a row of 会议 says its meeting is, field by field (None: a cell was bad)."""
    complete = d.required(MEETINGS, row, [0, 1, 2])
    values = row.values
    where = _where(d, row) if values[1] is not None else None
    kind = d.lookup(MEETINGS, row, 2, "kind", str(values[2])) if values[2] is not None else None
    attended = split_names(str(values[4]), d.group.members) if values[4] is not None else []
    strangers = [name for name in attended if name not in d.group.members]
    if strangers:
        d.problem(MEETINGS, row, 4, "entry-not-member", value="、".join(strangers))
    completes = [
        d.action(MEETINGS, row, 7, name, d.unit_actions)
        for name in (
            split_names(str(values[7]), d.shown_names("action")) if values[7] is not None else []
        )
    ]
    if not complete or where is None or kind is None or strangers or None in completes:
        return None
    return {
        "date": values[0],
        "where": where,
        "kind": kind,
        "title": values[3],
        "attended_by": attended or None,
        "absent": parse_absent(str(values[5])) if values[5] is not None else [],
        "people": values[6],
        "completes": completes or None,
        "notes": values[8],
        "appraisal": dict(zip(("distributed", "returned", "invalid"), values[9:12], strict=True)),
    }


def _meeting_now(tree: Tree, meeting: Meeting) -> dict[str, Any]:
    if meeting.unit is not None:
        where: tuple[str, Any] = ("unit", shown_id(tree, "unit", meeting.unit))
    elif meeting.units is not None:
        where = ("units", [shown_id(tree, "unit", u) for u in meeting.units])
    else:
        where = ("group", shown_id(tree, "group", meeting.group or ""))
    appraisal = meeting.appraisal
    return {
        "date": as_day(meeting.date, tree),
        "where": where,
        "kind": shown_id(tree, "kind", meeting.kind),
        "title": clean(meeting.title),
        "attended_by": list(meeting.attended_by) or None,
        "absent": [(a.name, clean(a.reason)) for a in meeting.absent],
        "people": meeting.people,
        "completes": [shown_id(tree, "action", a) for a in meeting.completes] or None,
        "notes": clean(meeting.notes),
        "appraisal": {
            name: getattr(appraisal, name) if appraisal is not None else None
            for name in ("distributed", "returned", "invalid")
        },
    }


_MEETING_COLUMN = {
    "date": 0,
    "where": 1,
    "kind": 2,
    "title": 3,
    "attended_by": 4,
    "absent": 5,
    "people": 6,
    "completes": 7,
    "notes": 8,
    "appraisal": 9,
}


def diff_meetings(d: Differ, rows: list[RowIn]) -> None:
    for row in d.known_key(MEETINGS, rows, lambda key: key in d.tree.meetings):
        wanted = _wanted_meeting(d, row)
        if wanted is None:
            continue
        if not row.key:
            if not _meeting_exists(d, wanted):  # imported before: the same workbook again
                _new_meeting(d, row, wanted)
            continue
        meeting = d.tree.meetings[row.key]
        path = meeting_path(row.key)
        now = _meeting_now(d.tree, meeting)
        for name, value in wanted.items():
            if value == now[name]:
                continue
            at = cell(MEETINGS, row, _MEETING_COLUMN[name])
            if name == "where":
                for form in ("unit", "units", "group"):
                    if form != value[0] and getattr(meeting, form) is not None:
                        d.plan.edit(path, (form,), None, at)
                d.plan.edit(path, (value[0],), value[1], at)
            elif name == "absent":
                d.plan.edit(path, ("absent",), absent_value(value) or None, at)
            elif name == "appraisal":
                _appraisal_numbers(d, path, meeting, value, now[name], at)
            else:
                d.plan.edit(path, (name,), value, at)


def _appraisal_numbers(
    d: Differ,
    path: str,
    meeting: Meeting,
    wanted: dict[str, Any],
    now: dict[str, Any],
    at: tuple[str, int, int],
) -> None:
    if meeting.appraisal is None:
        given = {k: v for k, v in wanted.items() if v is not None}
        d.plan.edit(path, ("appraisal",), given, at)
        return
    for name, value in wanted.items():
        if value != now[name]:
            d.plan.edit(path, ("appraisal", name), value, at)


def _meeting_exists(d: Differ, wanted: dict[str, Any]) -> bool:
    """Whether the group has a meeting that is this row to the letter."""
    for mid in group_meeting_ids(d.tree, d.group_id):
        meeting = d.tree.meetings[mid]
        same_day = as_day(meeting.date, d.tree) == wanted["date"]
        if same_day and _meeting_now(d.tree, meeting) == wanted:
            return True
    return False


def _new_meeting(d: Differ, row: RowIn, wanted: dict[str, Any]) -> None:
    day = wanted["date"]
    assert isinstance(day, date)
    form, target = wanted["where"]
    data: dict[str, Any] = {"date": day, form: target, "kind": wanted["kind"]}
    for name in ("title", "attended_by"):
        if wanted[name] is not None:
            data[name] = wanted[name]
    if wanted["absent"]:
        data["absent"] = absent_value(wanted["absent"])
    for name in ("completes", "people", "notes"):
        if wanted[name] is not None:
            data[name] = wanted[name]
    numbers = {k: v for k, v in wanted["appraisal"].items() if v is not None}
    if numbers:
        data["appraisal"] = numbers
    first = target if form == "unit" else (target[0] if form == "units" else target)
    path = _free_meeting_path(d, day, f"{first}-{wanted['kind']}")
    d.plan.new[path] = data
    d.plan.first_cell[path] = cell(MEETINGS, row)
    if form == "unit":
        d.meetings_by_day.setdefault((day, target, wanted["kind"]), []).append(path)


def _free_meeting_path(d: Differ, day: date, stem: str) -> str:
    """``meetings/YYYY-MM/<unit>-<kind>.yaml``, as ``duchu new meeting`` names it; a second
    meeting of one kind for one unit in a month takes the next free name (``-2``, ``-3``)."""
    folder = f"meetings/{day.year:04d}-{day.month:02d}"
    number = 1
    while True:
        path = f"{folder}/{stem}.yaml" if number == 1 else f"{folder}/{stem}-{number}.yaml"
        taken = path in d.taken or path[len("meetings/") : -len(".yaml")] in d.tree.meetings
        if not taken and not Path(d.tree.root, path).exists():
            d.taken.add(path)
            return path
        number += 1


# --- 规定动作 and 督导组事项 -----------------------------------------------------------


def _fixed(d: Differ, sheet: str, row: RowIn, index: int, shown: object, wanted: str) -> bool:
    """Whether a locked cell of a keyed row still names its record."""
    if row.values[index] is not None and row.values[index] != shown:
        d.problem(sheet, row, index, "entry-fixed-changed", value=str(row.values[index]))
        return False
    return True


def diff_actions(d: Differ, rows: list[RowIn]) -> None:
    tree = d.tree

    def exists(key: str) -> bool:
        uid, _, aid = key.partition("|")
        return uid in tree.units and tree.units[uid].group == d.group_id and aid in d.unit_actions

    keyed = {row.key for row in rows if row.key}
    for row in d.known_key(ACTIONS, rows, exists):
        if row.key:
            uid, _, aid = row.key.partition("|")
        else:
            if not d.required(ACTIONS, row, [0, 1]):
                continue
            found_unit = d.unit(ACTIONS, row, 0, str(row.values[0]))
            found_action = d.action(ACTIONS, row, 1, str(row.values[1]), d.unit_actions)
            if found_unit is None or found_action is None:
                continue
            uid, aid = found_unit, found_action
            if f"{uid}|{aid}" in keyed:
                d.problem(ACTIONS, row, 1, "entry-duplicate-row")
                continue
            keyed.add(f"{uid}|{aid}")
        unit = tree.units[uid]
        _done(d, ACTIONS, row, unit_path(uid), dict(unit.done), aid, 2)
        waived = {shown_id(tree, "action", k): v for k, v in unit.waived.items()}
        now = clean(waived.get(aid))
        if row.values[4] != now:
            key = d.written_keys(unit_path(uid), "waived").get(aid, aid)
            d.plan.edit(unit_path(uid), ("waived", key), row.values[4], cell(ACTIONS, row, 4))


def _done(
    d: Differ, sheet: str, row: RowIn, path: str, done: dict[str, Any], aid: str, at: int
) -> None:
    """The ``done`` entry of an action: a day and a note in cells ``at`` and ``at + 1``."""
    entries = {shown_id(d.tree, "action", k): v for k, v in done.items()}
    now = dated_now(d.tree, entries.get(aid))
    day, note = row.values[at], row.values[at + 1]
    if (day, note) == now:
        return
    if day is None and note is not None:
        d.problem(sheet, row, at, "entry-note-without-date")
        return
    assert day is None or isinstance(day, date)
    key = d.written_keys(path, "done").get(aid, aid)
    d.plan.edit(
        path, ("done", key), dated(day, None if note is None else str(note)), cell(sheet, row, at)
    )


def diff_group(d: Differ, rows: list[RowIn]) -> None:
    keyed = {row.key for row in rows if row.key}
    for row in d.known_key(GROUP, rows, lambda key: key in d.group_actions):
        if row.key:
            aid = row.key
        else:
            if not d.required(GROUP, row, [0]):
                continue
            found = d.action(GROUP, row, 0, str(row.values[0]), d.group_actions)
            if found is None:
                continue
            if found in keyed:
                d.problem(GROUP, row, 0, "entry-duplicate-row")
                continue
            aid = found
            keyed.add(aid)
        _done(d, GROUP, row, group_path(d.group_id), dict(d.group.done), aid, 1)


# --- 问题整改 ---------------------------------------------------------------------

_FINDING_FIELDS = ("id", "text", "found", "owner", "due", "resolved")


def diff_findings(d: Differ, rows: list[RowIn]) -> None:
    tree = d.tree

    def exists(key: str) -> bool:
        uid, _, index = key.partition("|")
        unit = tree.units.get(uid)
        return (
            unit is not None
            and unit.group == d.group_id
            and index.isdigit()
            and int(index) < len(unit.findings)
        )

    added: dict[str, list[dict[str, Any]]] = {}
    given = {row.values[1] for row in rows if row.values[1] is not None}  # no id made twice
    for row in d.known_key(FINDINGS, rows, exists):
        if not d.required(FINDINGS, row, [0, 2]):
            continue
        wanted = dict(zip(_FINDING_FIELDS, row.values[1:], strict=True))
        if not row.key:
            uid = d.unit(FINDINGS, row, 0, str(row.values[0]))
            if uid is None:
                continue
            _new_finding(d, row, uid, wanted, added, given)
            continue
        uid, _, number = row.key.partition("|")
        unit = tree.units[uid]
        if not _fixed(d, FINDINGS, row, 0, unit_label(tree, uid), uid):
            continue
        index = int(number)
        finding = unit.findings[index]
        if finding.id is not None:  # the id is the finding's name: kept, never cleared
            if not _fixed(d, FINDINGS, row, 1, clean(finding.id), uid):
                continue
            wanted["id"] = clean(finding.id)
        for offset, name in enumerate(_FINDING_FIELDS):
            now = getattr(finding, name)
            now = as_day(now, tree) if name in ("found", "due", "resolved") else clean(now)
            if wanted[name] != now:
                at = cell(FINDINGS, row, offset + 1)
                d.plan.edit(unit_path(uid), ("findings", index, name), wanted[name], at)


def _new_finding(
    d: Differ,
    row: RowIn,
    uid: str,
    wanted: dict[str, Any],
    added: dict[str, list[Any]],
    given: set[Any],
) -> None:
    unit = d.tree.units[uid]
    for old in unit.findings:  # imported before: the same workbook again
        now = {name: getattr(old, name) for name in _FINDING_FIELDS}
        shown = {
            k: as_day(v, d.tree) if k in ("found", "due", "resolved") else clean(v)
            for k, v in now.items()
        }
        if wanted["id"] is None:  # the id it was given then is the import's own
            shown["id"] = None
        if shown == wanted:
            return
    finding = {k: v for k, v in wanted.items() if v is not None}
    if "id" not in finding:
        taken = {clean(f.id) for f in unit.findings} | {f.get("id") for f in added.get(uid, [])}
        taken |= given
        finding = {
            "id": _free_finding_id(taken, len(unit.findings) + len(added.get(uid, []))),
            **finding,
        }
    path = unit_path(uid)
    at = cell(FINDINGS, row)
    if not unit.findings:
        if uid not in added:
            added[uid] = []
            d.plan.edit(path, ("findings",), added[uid], at)
        added[uid].append(finding)  # the list the change holds
        return
    index = len(unit.findings) + len(added.setdefault(uid, []))
    added[uid].append(finding)
    d.plan.edit(path, ("findings", index), finding, at)


def _free_finding_id(taken: set[Any], count: int) -> str:
    """The id of a new finding the clerk gave none: ``finding-N``, N its place in the
    unit's list, or the next number free."""
    number = count + 1
    while f"finding-{number}" in taken:
        number += 1
    return f"finding-{number}"


# --- 民主评议 ---------------------------------------------------------------------


def diff_appraisals(d: Differ, rows: list[RowIn]) -> None:
    tree = d.tree
    ratings = d.campaign.appraisal.ratings

    def exists(key: str) -> bool:
        mid, _, subject = key.partition("|")
        meeting = tree.meetings.get(mid)
        return meeting is not None and meeting.appraisal is not None and bool(subject)

    for row in d.known_key(APPRAISALS, rows, exists):
        if not d.required(APPRAISALS, row, [0, 1, 2, 3]):
            continue
        counts = {r: v for r, v in zip(ratings, row.values[4:], strict=True)}
        if row.key:
            mid, _, subject = row.key.partition("|")
            appraisal = tree.meetings[mid].appraisal
            assert appraisal is not None
            now = (appraisal.counts or {}).get(subject, {})
            for offset, rating in enumerate(ratings):
                if counts[rating] != now.get(rating):
                    keys = ("appraisal", "counts", subject, rating)
                    at = cell(APPRAISALS, row, offset + 4)
                    d.plan.edit(meeting_path(mid), keys, counts[rating], at)
            continue
        _new_subject(d, row, counts)


def _new_subject(d: Differ, row: RowIn, counts: dict[str, Any]) -> None:
    day = row.values[0]
    uid = d.unit(APPRAISALS, row, 1, str(row.values[1]))
    kind = d.lookup(APPRAISALS, row, 2, "kind", str(row.values[2]))
    if uid is None or kind is None or not isinstance(day, date):
        return
    paths = d.meetings_by_day.get((day, uid, kind), [])
    if len(paths) != 1:
        code = "entry-no-such-meeting" if not paths else "entry-several-meetings"
        d.problem(APPRAISALS, row, 0, code)
        return
    path = paths[0]
    subject = str(row.values[3])
    given = {r: n for r, n in counts.items() if n is not None}
    at = cell(APPRAISALS, row)
    if path in d.plan.new:
        appraisal = d.plan.new[path].setdefault("appraisal", {})
        appraisal.setdefault("counts", {})[subject] = given
        return
    meeting = d.tree.meetings[path[len("meetings/") : -len(".yaml")]]
    edits = d.plan.edits.get(path, {})
    whole = edits.get(("appraisal",))
    if isinstance(whole, dict):  # the appraisal is new: the change that makes it holds all
        whole.setdefault("counts", {})[subject] = given
    elif meeting.appraisal is None:
        d.plan.edit(path, ("appraisal",), {"counts": {subject: given}}, at)
    elif meeting.appraisal.counts is None:
        holder = edits.get(("appraisal", "counts"))
        if isinstance(holder, dict):
            holder[subject] = given
        else:
            d.plan.edit(path, ("appraisal", "counts"), {subject: given}, at)
    elif subject in meeting.appraisal.counts:
        now = meeting.appraisal.counts[subject]
        for offset, (rating, number) in enumerate(counts.items()):
            if number != now.get(rating):
                keys = ("appraisal", "counts", subject, rating)
                d.plan.edit(path, keys, number, cell(APPRAISALS, row, offset + 4))
    else:
        d.plan.edit(path, ("appraisal", "counts", subject), given, at)
