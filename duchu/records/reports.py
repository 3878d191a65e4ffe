"""Which changes of a records file are a group's reports (../shared/spec/CLI.md 1.2,
``last_report``): the rule ``duchu.git.history.file_dates`` is given, since git knows
no records.

A meeting record (or its ballot sheet) is work whenever it is added or changed. A unit's
or a group's file is a roster as well as a record of work: only a change of its ``done``,
``waived`` or ``findings`` is a report -- names, leaders, order or accounts changed by the
office are not.

A province's history holds thousands of unit files, so the work is first found by its
lines (the top-level ``done:``, ``waived:`` and ``findings:`` blocks): a change that leaves
those lines as they were is no report, a new file with a block that holds something is one;
only a change of those lines is read as YAML, to tell a change of the work from one of its
spelling. A file whose layout the lines cannot tell (a flow mapping at the top, several
documents, tabs) is always read as YAML.
"""

from __future__ import annotations

import re
from typing import Any

# the keys of a unit's or group's file that record work rather than the roster
WORK_KEYS = ("done", "waived", "findings")
_WORK_LINE = re.compile(rb"(done|waived|findings)[ \t]*:(.*)", re.DOTALL)
_NOTHING = {b"", b"{}", b"[]", b"null", b"~", b"Null", b"NULL"}
# a top-level work key, what follows its colon, and the first character of the next line
# (the next line's first character is looked at, not consumed: it may begin the next block)
_WORK_HEAD = re.compile(rb"^(?:done|waived|findings)[ \t]*:([^\n]*)(?=\n(.?)|\Z)", re.MULTILINE)


def _work_part(raw: bytes | None) -> Any:
    """The work a unit's or group's file records, as YAML reads it; the bytes themselves
    when they do not read as a mapping (then any change counts)."""
    if raw is None:
        return None
    # imported here: the rule travels to the worker that reads git (a circular's, a
    # site's), and the process that only hands it over never reads YAML with it
    import yaml

    try:
        data = yaml.load(raw, Loader=yaml.CSafeLoader)
    except (yaml.YAMLError, ValueError):
        return raw
    if not isinstance(data, dict):
        return raw
    # an empty block (``done:``, ``done: {}``) records no work, however it is spelled
    return tuple(data.get(key) or None for key in WORK_KEYS)


def _blocks(raw: bytes) -> dict[bytes, list[bytes]] | None:
    """The lines of each top-level work block, by key (its first line: what follows the
    colon); None when the layout is not plain block style."""
    if b"\t" in raw or raw.lstrip().startswith((b"{", b"[", b"%")):
        return None
    blocks: dict[bytes, list[bytes]] = {}
    current: list[bytes] | None = None
    for number, line in enumerate(raw.splitlines()):
        if line.startswith((b"---", b"...")) and number > 0:
            return None  # several documents
        if not line.strip() or line.lstrip().startswith(b"#"):
            continue
        if line[:1] in (b" ", b"-"):  # inside the block above (an indentless list too)
            if current is not None:
                current.append(line.rstrip())
            continue
        found = _WORK_LINE.fullmatch(line.rstrip())
        if found is None:
            current = None
            continue
        if found.group(1) in blocks:
            return None  # a key twice: let YAML say what it means
        current = blocks[found.group(1)] = [found.group(2).strip()]
    return blocks


def _plain(raw: bytes) -> bool:
    """Whether the lines can tell the file's blocks: one document in block style at the
    top, no tabs, no anchors or aliases (a ``*`` or ``&`` in a text only costs a parse)."""
    if b"\t" in raw or b"\n---" in raw or b"&" in raw or b"*" in raw:  # anchors, aliases
        return False
    return not raw.lstrip().startswith((b"{", b"[", b"%"))


def _brings_work(raw: bytes) -> bool:
    """Whether a new file's work blocks hold something (a plain file: ``_plain``)."""
    for found in _WORK_HEAD.finditer(raw):
        head = found.group(1).split(b"#")[0].strip()
        if head not in _NOTHING or found.group(2) in (b" ", b"-"):
            return True
    return False


class WorkReports:
    """The ``ReportRule`` of a records tree (module level, so it travels to a worker)."""

    def read(self, path: str) -> bool:
        return path.startswith(("units/", "groups/"))  # ``records.tree.unit_path``, ...

    def reports(self, path: str, old: bytes | None, new: bytes | None) -> bool:
        if new is None:  # a unit or group removed from the roster reports nothing
            return False
        if old is None and _plain(new):  # a new file reports when it brings work
            return _brings_work(new)
        if old is not None and _plain(old) and _plain(new):
            before, after = _blocks(old), _blocks(new)
            if before is not None and before == after:
                return False  # the work's lines as they were: a roster change
        if old is None:
            found = _work_part(new)
            return not isinstance(found, tuple) or any(v is not None for v in found)
        return bool(_work_part(old) != _work_part(new))
