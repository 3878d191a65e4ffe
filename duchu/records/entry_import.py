"""``duchu export`` and ``duchu import`` as library calls (../shared/spec/CLI.md 1.2).

``export_entry`` gathers a group's entry workbook (``duchu.records.entry_layout``) with the
tree's key and each record file's fingerprint. ``import_entry`` reads a workbook back
(``entry_read``), works out what it changes (``entry_rows``), and then, whole or nothing:
every problem of every cell at once, a record the workbook changes that was changed in the
tree since the export is a conflict, the records as they would be are checked as ``duchu
check`` checks them -- and only when all of that is clean are the files written, each to a
temporary file beside it and renamed into place, never through a link that leaves the tree.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from duchu.paths import really_inside
from duchu.problems import Problem
from duchu.records.edit import (
    EditConflict,
    FieldChange,
    edit_record_text,
    fingerprint,
    new_record_text,
)
from duchu.records.entry_diff import Plan
from duchu.records.entry_layout import (
    ACTION_COLUMNS,
    FINDING_COLUMNS,
    GROUP_COLUMNS,
    MEETING_COLUMNS,
    Column,
    EntryBook,
    appraisal_columns,
    entry_book,
    group_meeting_ids,
    group_unit_ids,
)
from duchu.records.entry_read import EntryIn, EntryRefusal, read_entry
from duchu.records.entry_rows import plan_import
from duchu.records.tree import Tree, group_path, meeting_path, unit_path


def tree_key(tree: Tree) -> str:
    """What names a tree: its campaign and, in git, its first commit (so that two counties
    of one campaign are two trees)."""
    assert tree.campaign is not None
    from duchu.git.commit import root_commit

    return f"{tree.campaign.name}\n{root_commit(tree.root) or ''}"


def _group_files(tree: Tree, group_id: str) -> list[str]:
    files = [group_path(group_id), *(unit_path(u) for u in group_unit_ids(tree, group_id))]
    return files + [meeting_path(m) for m in group_meeting_ids(tree, group_id)]


def _text(root: Path, rel: str) -> str:
    return (root / rel).read_bytes().decode("utf-8-sig")


def export_entry(tree: Tree, group_id: str) -> EntryBook:
    """The group's entry workbook as data, for ``duchu.render.entry_xlsx``."""
    marks = {rel: fingerprint(_text(tree.root, rel)) for rel in _group_files(tree, group_id)}
    return entry_book(tree, group_id, tree_key(tree), marks)


def layout(tree: Tree) -> dict[str, list[Column]]:
    assert tree.campaign is not None
    return {
        "会议": MEETING_COLUMNS,
        "规定动作": ACTION_COLUMNS,
        "问题整改": FINDING_COLUMNS,
        "民主评议": appraisal_columns(tree.campaign.appraisal.ratings),
        "督导组事项": GROUP_COLUMNS,
    }


@dataclass
class ImportResult:
    """What an import did or would do: new files, field changes (path, keys, value), rows
    kept, and the problems that stopped it (then nothing was written)."""

    added: list[str] = field(default_factory=list)
    changed: list[tuple[str, tuple[str | int, ...], object]] = field(default_factory=list)
    kept: list[tuple[str, str]] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    written: list[str] = field(default_factory=list)
    # (path, keys) -> what a change that removes a field removes, as its file writes it
    removed: dict[tuple[str, tuple[str | int, ...]], str] = field(default_factory=dict)

    @property
    def count(self) -> int:
        return len(self.added) + len(self.changed)


def import_entry(tree: Tree, source: Path, shown: str, *, dry_run: bool) -> ImportResult:
    """Change the tree to match the workbook at ``source`` (``shown``: its name in
    problems); with ``dry_run`` nothing is written. ``EntryRefusal`` for a workbook this
    tree cannot import at all."""
    campaign = tree.campaign
    assert campaign is not None
    entry = read_entry(source, shown, layout(tree), campaign.calendar)
    if entry.tree_key != tree_key(tree):
        raise EntryRefusal("entry-other-tree", file=shown)
    if entry.group_id not in tree.groups:
        raise EntryRefusal("entry-other-group", file=shown, group=entry.group_id)
    plan = plan_import(tree, entry)
    result = ImportResult(kept=plan.kept)
    result.added = sorted(plan.new)
    result.changed = [
        (p, k, v) for p, edits in sorted(plan.edits.items()) for k, v in edits.items()
    ]
    result.removed = _removed(tree.root, result.changed)
    texts = _new_texts(tree, entry, plan, result)
    order = {sheet: index for index, sheet in enumerate(layout(tree))}

    def place(item: Problem) -> tuple[int, int, int]:
        sheet = dict(item.args).get("cell_sheet", "")
        return (order.get(sheet, len(order)), item.line, item.column)

    result.problems = sorted(entry.problems, key=place) + result.problems
    if not result.problems and texts:
        result.problems = _would_be_problems(tree, entry.group_id, texts)
    if result.problems or dry_run or not texts:
        return result
    _write_all(tree.root, texts)
    result.written = sorted(texts)
    return result


def _new_texts(tree: Tree, entry: EntryIn, plan: Plan, result: ImportResult) -> dict[str, str]:
    """The text of every file the import writes; conflicts and refused edits are problems."""
    texts: dict[str, str] = {}
    for rel, edits in plan.edits.items():
        sheet, row, column = plan.first_cell[rel]
        text = _text(tree.root, rel)
        exported = entry.fingerprints.get(rel)
        if exported is not None and fingerprint(text) != exported:
            entry.at(sheet, row, column, "entry-conflict", record=rel)
            continue
        changes = [FieldChange(keys, value) for keys, value in edits.items()]
        try:
            texts[rel] = edit_record_text(text, changes)
        except EditConflict as err:
            entry.at(sheet, row, column, "entry-cannot-edit", record=rel, detail=str(err))
    for rel, data in plan.new.items():
        texts[rel] = new_record_text(data, None)
    return texts


def _removed(
    root: Path, changed: list[tuple[str, tuple[str | int, ...], object]]
) -> dict[tuple[str, tuple[str | int, ...]], str]:
    """What each change to nothing takes away, as the file writes it now (a change whose
    field is not there to remove takes nothing away)."""
    import yaml

    found: dict[tuple[str, tuple[str | int, ...]], str] = {}
    loaded: dict[str, object] = {}
    for rel, keys, value in changed:
        if value is not None:
            continue
        if rel not in loaded:
            try:
                loaded[rel] = yaml.load(_text(root, rel), Loader=yaml.BaseLoader)
            except (OSError, UnicodeDecodeError, yaml.YAMLError):
                loaded[rel] = None
        old: object = loaded[rel]
        for key in keys:
            if isinstance(old, dict) and str(key) in old:
                old = old[str(key)]
            elif isinstance(old, list) and isinstance(key, int) and key < len(old):
                old = old[key]
            else:
                old = None
                break
        if old not in (None, "", [], {}):
            found[(rel, keys)] = _shown(old)
    return found


def _would_be_problems(tree: Tree, group_id: str, texts: dict[str, str]) -> list[Problem]:
    """The errors ``check`` would find in the tree with ``texts`` written: the tree as it
    is, valid, with the changed records parsed again and every check run over it -- over
    the campaign, every group and unit, and the meetings an import can touch or collide
    with (the group's, and those in the folders it writes to). An import changes no unit's
    group, leaders or name, so no other meeting can turn invalid, and a province's other
    meetings need not be checked again."""
    from duchu.records.ballot_counts import Counts
    from duchu.records.checks import run_checks
    from duchu.records.finish import store_result
    from duchu.records.parse import parse_file, record_id, record_kind
    from duchu.records.read import locate
    from duchu.records.tree import put_in_order

    overlay = Tree(
        root=tree.root,
        campaign=tree.campaign,
        groups=dict(tree.groups),
        units=dict(tree.units),
        meetings=_nearby_meetings(tree, group_id, texts),
        appraisals=dict(tree.appraisals),
        broken_groups=set(tree.broken_groups),
        broken_units=set(tree.broken_units),
    )
    found: list[Problem] = []
    for rel, text in texts.items():
        data = text.encode("utf-8")
        result = parse_file(rel, data, len(data), 0)
        found += result.problems
        store_result(overlay, rel, result)
        if record_kind(rel) == "meetings":
            ident = record_id(rel)
            overlay.appraisals.pop(ident, None)
            meeting = overlay.meetings.get(ident)
            appraisal = meeting.appraisal if meeting is not None else None
            if (
                appraisal is not None
                and appraisal.counts is not None
                and appraisal.returned is not None
            ):
                overlay.appraisals[ident] = Counts(
                    returned=appraisal.returned,
                    invalid=appraisal.invalid or 0,
                    distributed=appraisal.distributed,
                    by_subject=appraisal.counts,
                )
    put_in_order(overlay)
    checked = [p for p in run_checks(overlay) if p.severity == "error"]
    for rel in {p.path for p in checked if p.line == 0 and p.path in texts}:
        placed = locate(texts[rel], [p for p in checked if p.path == rel and p.line == 0])
        checked = [placed.get(p, p) for p in checked]
    return [p for p in found if p.severity == "error"] + checked


def _nearby_meetings(tree: Tree, group_id: str, texts: dict[str, str]) -> dict[str, Any]:
    folders = {rel[len("meetings/") :].rpartition("/")[0] for rel in texts}
    mine = set(group_meeting_ids(tree, group_id))
    return {
        mid: meeting
        for mid, meeting in tree.meetings.items()
        if mid in mine or mid.rpartition("/")[0] in folders
    }


def _write_all(root: Path, texts: dict[str, str]) -> None:
    """Every file written to a temporary file beside it, then all renamed into place; a
    path whose folder leads out of the tree, or that is a link, is refused before
    anything is written."""
    real_root = root.resolve()
    for rel in texts:
        target = root / rel
        if not really_inside(target.parent.resolve(), real_root) or target.is_symlink():
            raise EntryRefusal("entry-outside", path=rel)
    staged: list[tuple[str, Path]] = []
    try:
        for rel, text in texts.items():
            folder = (root / rel).parent
            folder.mkdir(parents=True, exist_ok=True)
            handle, name = tempfile.mkstemp(prefix=".duchu-import-", dir=folder)
            staged.append((rel, Path(name)))
            with os.fdopen(handle, "wb") as out:
                out.write(text.encode("utf-8"))
        for rel, temp in staged:
            os.replace(temp, root / rel)
    finally:
        for _, temp in staged:
            temp.unlink(missing_ok=True)


def commit_import(tree: Tree, result: ImportResult, shown: str, author: str | None) -> str:
    """Commit exactly the files the import wrote, the workbook named in the message."""
    from duchu.git.commit import commit_files

    message = (
        f"导入工作台账 {shown}：新增 {len(result.added)} 个记录，修改 {len(result.changed)} 处"
    )
    return commit_files(tree.root, result.written, message, author)


def change_lines(result: ImportResult) -> Iterator[tuple[str, str, str, str | None]]:
    """(mark, path, what, removed) for each line the command prints: ``+`` a new record,
    ``~`` a field changed (its keys joined by dots and its value; for a field removed, its
    keys and ``removed``, what was there), ``=`` a deleted row kept."""
    for rel in result.added:
        yield "+", rel, "", None
    for rel, keys, value in result.changed:
        path = ".".join(str(k) for k in keys)
        old = result.removed.get((rel, keys))
        if old is not None:
            yield "~", rel, path, old
        else:
            yield "~", rel, f"{path} {_shown(value)}".rstrip(), None
    for sheet, key in result.kept:
        yield "=", sheet, key, None


def _shown(value: object) -> str:
    if value is None:
        return "-"
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, list):
        return "[" + ", ".join(_shown(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}: {_shown(v)}" for k, v in value.items()) + "}"
    return str(value).replace("\n", " ")
