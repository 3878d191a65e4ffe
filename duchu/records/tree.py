"""The loaded records tree: the ``Tree`` every command reads, the records' official order,
which units each meeting counts for, and where each record's file lies (``group_path``,
``unit_path``, ``meeting_path``; ``find_root`` for the tree itself)."""

from __future__ import annotations

import os
import re
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from duchu.problems import Problem
from duchu.records.ballot_counts import Counts
from duchu.records.models import Campaign, Group, Meeting, Notice, Unit

# Letters (Chinese too), digits, '-', '_' and '.', never first '-' (a command line would read
# the id as an option) or '.' (a hidden file); a meeting id has '/'-separated segments.
# The loader (``parse``), ``duchu new`` (``write``) and the message "bad-id" say the same.
ID_PATTERN = re.compile(r"\w[\w.-]*")
CAMPAIGN_FILE = "campaign.yaml"


class NoRecordsError(Exception):
    """The folder is not a records tree (it holds no campaign.yaml)."""

    def __init__(self, path: Path) -> None:
        super().__init__(str(path))
        self.path = path


@dataclass
class Tree:
    """Everything loaded from a records tree, and every problem found in it."""

    root: Path
    campaign: Campaign | None = None
    groups: dict[str, Group] = field(default_factory=dict)
    units: dict[str, Unit] = field(default_factory=dict)
    meetings: dict[str, Meeting] = field(default_factory=dict)
    # (1.2) notice id (its path under notices/ without .yaml) -> the notice, as written
    notices: dict[str, Notice] = field(default_factory=dict)
    # meeting id -> the counts of its appraisal (from ``counts`` or its ballot file)
    appraisals: dict[str, Counts] = field(default_factory=dict)
    # meeting id -> the units it counts for (``unit``, ``units`` or every unit of ``group``),
    # known units only, in the units' official order: see ``link_meetings``
    meeting_units: dict[str, tuple[str, ...]] = field(default_factory=dict)
    # (1.2) draft meetings (``draft: true``): checked, then set aside here, out of
    # ``meetings``, ``meeting_units`` and ``appraisals``, so they count for nothing
    drafts: dict[str, Meeting] = field(default_factory=dict)
    draft_units: dict[str, tuple[str, ...]] = field(default_factory=dict)
    # the keys of ``done`` and ``waived`` written as names (../shared/spec/RECORDS.md 1.2), as
    # written: record path -> (field, the action's id) -> the key in the file, so a problem
    # about a resolved key is placed at the key the file has (``duchu.records.names``)
    spelled: dict[str, dict[tuple[str, str], str]] = field(default_factory=dict)
    # records made only once their unknown keys were dropped, by path: they count as records
    # that did not validate, and are checked on their own (``finish.partial_checks``)
    partial: dict[str, Record] = field(default_factory=dict)
    # ids of records that exist but did not validate: references to them are not errors
    broken_groups: set[str] = field(default_factory=set)
    broken_units: set[str] = field(default_factory=set)
    problems: list[Problem] = field(default_factory=list)
    files: int = 0

    @property
    def group_ids(self) -> set[str]:
        return set(self.groups) | self.broken_groups

    @property
    def unit_ids(self) -> set[str]:
        return set(self.units) | self.broken_units

    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]


def official_order(ident: str, order: int | None) -> tuple[bool, int, str]:
    """Where a group or unit stands in tables and reports: by its ``order`` (those without
    one after those with), then by id (../shared/spec/RECORDS.md 1.1)."""
    return (order is None, order or 0, ident)


def put_in_order(tree: Tree) -> None:
    """Groups and units in their official order, so that everything which walks them --
    tables, JSON lists, reports -- meets them in that order without sorting again; then the
    units of every meeting (``link_meetings``)."""
    tree.groups = dict(
        sorted(tree.groups.items(), key=lambda kv: official_order(kv[0], kv[1].order))
    )
    tree.units = dict(sorted(tree.units.items(), key=lambda kv: official_order(kv[0], kv[1].order)))
    link_meetings(tree)


def link_meetings(tree: Tree) -> None:
    """Which known units each meeting counts for: its ``unit``, its ``units`` (each once),
    or every unit of its ``group`` (../shared/spec/RECORDS.md 1.1), in the units' official order. A
    meeting naming none, or an unknown one, counts for no unit; ``duchu check`` says why."""
    position = {uid: i for i, uid in enumerate(tree.units)}
    by_group: dict[str, list[str]] = defaultdict(list)
    for uid, unit in tree.units.items():
        by_group[unit.group].append(uid)
    linked: dict[str, tuple[str, ...]] = {}
    for meeting_id, meeting in tree.meetings.items():
        if meeting.unit is not None:
            named: list[str] = [meeting.unit]
        elif meeting.units is not None:
            named = meeting.units
        elif meeting.group is not None:
            named = by_group.get(meeting.group, [])
        else:
            named = []
        known = {uid for uid in named if uid in position}
        linked[meeting_id] = tuple(sorted(known, key=position.__getitem__))
    tree.meeting_units = linked


def group_path(group_id: str) -> str:
    return f"groups/{group_id}.yaml"


def unit_path(unit_id: str) -> str:
    return f"units/{unit_id}.yaml"


def meeting_path(meeting_id: str) -> str:
    return f"meetings/{meeting_id}.yaml"


def notice_path(notice_id: str) -> str:
    return f"notices/{notice_id}.yaml"


Record = Campaign | Group | Unit | Meeting | Notice


def find_root(explicit: Path | None, env_value: str | None, cwd: Path) -> Path:
    """The records tree: ``--records``, else ``DUCHU_RECORDS``, else the nearest folder at or
    above ``cwd`` holding campaign.yaml, else ``./records`` (../shared/spec/CLI.md)."""
    if explicit is not None:
        return explicit
    if env_value:
        return Path(env_value)
    for folder in (cwd, *cwd.parents):
        if (folder / CAMPAIGN_FILE).is_file():
            return folder
    return cwd / "records"


def unit_files(tree: Tree, unit_id: str) -> list[str]:
    """A unit's records: its unit file, its meetings (drafts too) and their ballot files
    (relative)."""
    files = [unit_path(unit_id)]
    linked = {**tree.meeting_units, **tree.draft_units}
    for meeting_id, meeting in {**tree.meetings, **tree.drafts}.items():
        if unit_id not in linked.get(meeting_id, ()):
            continue
        path = meeting_path(meeting_id)
        files.append(path)
        if meeting.appraisal is not None and meeting.appraisal.ballots is not None:
            ballots = os.path.normpath(Path(path).parent / meeting.appraisal.ballots)
            files.append(Path(ballots).as_posix())
    return files
