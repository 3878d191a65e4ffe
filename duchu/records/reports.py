"""Which changes of a records file are a group's reports (../shared/spec/CLI.md 1.2,
``last_report``): the rule ``duchu.git.history.file_dates`` is given, since git knows
no records.

A meeting record (or its ballot sheet) is work whenever it is added or changed. A unit's
or a group's file is a roster as well as a record of work: only a change of its ``done``,
``waived`` or ``findings`` is a report -- names, leaders, order or accounts changed by the
office are not.
"""

from __future__ import annotations

from typing import Any

import yaml

# the keys of a unit's or group's file that record work rather than the roster
WORK_KEYS = ("done", "waived", "findings")


def _work_part(raw: bytes | None) -> Any:
    """The work a unit's or group's file records; the bytes themselves when they do not
    read as a mapping (then any change counts)."""
    if raw is None:
        return None
    try:
        data = yaml.load(raw, Loader=yaml.CSafeLoader)
    except (yaml.YAMLError, ValueError):
        return raw
    if not isinstance(data, dict):
        return raw
    return tuple(data.get(key) for key in WORK_KEYS)


class WorkReports:
    """The ``ReportRule`` of a records tree (module level, so it travels to a worker)."""

    def read(self, path: str) -> bool:
        return path.startswith(("units/", "groups/"))  # ``records.tree.unit_path``, ``group_path``

    def reports(self, path: str, old: bytes | None, new: bytes | None) -> bool:
        if new is None:  # a unit or group removed from the roster reports nothing
            return False
        before, after = _work_part(old), _work_part(new)
        if old is None:  # a new unit: its file reports when it brings work
            return after is not None and (
                not isinstance(after, tuple) or any(v not in (None, [], {}) for v in after)
            )
        return bool(before != after)
