"""Loading a records tree: discovery, reading, validation and checks, all problems collected.

``load_tree(root)`` never stops at the first problem. Each file goes through one pipeline
(read, decode, parse, validate) and yields its record or its problems; then the checks of
``duchu.records.checks`` run over everything that loaded; last, problems are given their line and
column -- composing again only the files that have problems -- and sorted by file and line.
A record that failed validation still counts as existing, so one typo in a unit file does
not also make every meeting of that unit an "unknown unit".
"""

from __future__ import annotations

import dataclasses
import difflib
import errno
import functools
import gc
import hashlib
import os
import re
import stat
from collections import defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from pydantic import TypeAdapter, ValidationError

from duchu.paths import inside
from duchu.problems import Problem, Ref, Severity, problem
from duchu.records.ballots import Counts, read_ballots
from duchu.records.cache import (
    BallotEntry,
    RecordCache,
    cache_key,
    problem_from_stored,
    problem_to_stored,
)
from duchu.records.models import AppraisalScheme, Campaign, Group, Meeting, Unit

if TYPE_CHECKING:
    import multiprocessing.context

    from duchu.git.repo import BlobReader, TreeEntry

# yaml (duchu.records.read) and multiprocessing are imported where used: a load that the cache
# answers whole needs neither, and importing them was a tenth of a warm `status`.

# Letters (Chinese too), digits, '-', '_' and '.'; a meeting id has '/'-separated segments.
ID_PATTERN = re.compile(r"[^\W][\w.-]*|_[\w.-]*")
CAMPAIGN_FILE = "campaign.yaml"
# A record is a page or two of text; a file far larger is a mistake or an attack.
MAX_FILE_BYTES = 4 * 1024 * 1024


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
    # meeting id -> the counts of its appraisal (from ``counts`` or its ballot file)
    appraisals: dict[str, Counts] = field(default_factory=dict)
    # meeting id -> the units it counts for (``unit``, ``units`` or every unit of ``group``),
    # known units only, in the units' official order: see ``link_meetings``
    meeting_units: dict[str, tuple[str, ...]] = field(default_factory=dict)
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
    one after those with), then by id (RECORDS.md 1.1)."""
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
    or every unit of its ``group`` (RECORDS.md 1.1), in the units' official order. A meeting
    naming none, or an unknown one, counts for no unit; ``duchu check`` says why."""
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


Record = Campaign | Group | Unit | Meeting


# --- discovery ------------------------------------------------------------------------------


@dataclass
class Discovered:
    """The record files of a tree (relative POSIX paths) and problems met finding them."""

    files: list[str] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)


def readable_name(path: str) -> bool:
    """Whether a path is text: a name that is not UTF-8 reaches Python from the file system
    and from git with each bad byte as a lone surrogate (``\\udcff``), which no output can
    write -- and no id, nor a problem pointing at it, may hold."""
    if path.isascii():
        return True
    try:
        path.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def shown_path(path: str) -> str:
    """A path as a problem shows it: the bytes of a name that is not UTF-8 escaped
    (``units/\\xff.yaml``), everything else as it is."""
    if readable_name(path):
        return path
    try:
        return path.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
    except UnicodeEncodeError:  # a surrogate no file system gives: shown by its code point
        return path.encode("utf-8", "backslashreplace").decode("utf-8")


def bad_name(rel_path: str) -> Problem:
    """The error of a record file whose name (or a folder's above it) is not UTF-8: its id
    comes from its name, so it cannot be read as a record (RECORDS.md: ids are file stems)."""
    return problem(shown_path(rel_path), "bad-file-name", line=1, column=1)


def unreadable(rel_path: str, err: OSError) -> Problem:
    """The error of a file or folder of records that the operating system refuses to read
    (a loop of links, no permission, ...): one problem at its path, the rest of the tree read
    all the same."""
    from duchu.errors import os_reason

    reason = os_reason(err)
    return problem(
        shown_path(rel_path),
        "unreadable",
        line=1,
        column=1,
        reason=reason if isinstance(reason, Ref) else shown_path(str(reason)),
    )


# what the operating system would say of a record path that names a folder or a loop of
# links, for the same problem wherever the tree is read from (a folder, a commit)
_IS_A_FOLDER = IsADirectoryError(errno.EISDIR, os.strerror(errno.EISDIR))
_LINK_LOOP = OSError(errno.ELOOP, os.strerror(errno.ELOOP))
_NOTHING_THERE = FileNotFoundError(errno.ENOENT, os.strerror(errno.ENOENT))


def _folder(entry: os.DirEntry[str]) -> bool:
    try:
        return entry.is_dir()
    except OSError:
        return False


def _link_trouble(path: str, rel_path: str) -> Problem:
    """The problem of a record path that is a link to neither a folder nor a file."""
    try:
        os.stat(path)
    except OSError as err:  # it leads nowhere
        return unreadable(rel_path, err)
    return problem(rel_path, "not-a-file", line=1, column=1)  # it leads to a pipe or device


def _walk(
    root: Path,
    root_real: Path,
    rel: str,
    folder_real: str,
    recursive: bool,
    found: Discovered,
    seen: set[str],
) -> None:
    """Record files under ``rel`` (whose real path is ``folder_real``), in name order, each
    folder's files before the folders below it are entered. A stack, not recursion: a tree
    of a thousand nested folders is read like any other. A file or folder the operating
    system refuses is a problem at its path; one missing is nothing."""
    pending = [(rel, folder_real)]
    while pending:
        folder, real_folder = pending.pop()
        try:
            entries = sorted(os.scandir(f"{root}/{folder}"), key=lambda entry: entry.name)
        except FileNotFoundError:
            continue  # a tree without meetings (yet), or a link to nothing
        except OSError as err:
            found.problems.append(unreadable(folder, err))
            continue
        below: list[tuple[str, str]] = []
        for entry in entries:
            name = entry.name
            rel_path = f"{folder}/{name}"
            if name[0] == ".":
                if hidden_record_name(name) and not _folder(entry):
                    found.problems.append(hidden_file(rel_path))
                continue
            real = f"{real_folder}/{name}"  # only links need resolving
            try:
                is_link = entry.is_symlink()
                if is_link:
                    real = os.path.realpath(entry.path)
                    if not inside(real, root_real):
                        found.problems.append(
                            problem(
                                shown_path(rel_path),
                                "outside-tree",
                                line=1,
                                column=1,
                                target=shown_path(real),
                            )
                        )
                        continue
                is_dir = entry.is_dir()
                is_file = not is_dir and entry.is_file()
            except OSError as err:  # a loop of links, a folder that may not be searched
                if name.endswith(".yaml"):
                    found.problems.append(unreadable(rel_path, err))
                elif ignored_record_name(name):
                    found.problems.append(ignored_file(rel_path))
                continue
            if is_dir:
                if recursive and real not in seen:
                    seen.add(real)
                    below.append((rel_path, real))
                elif not recursive and name.endswith(".yaml"):  # units/a.yaml/: a mistake
                    found.problems.append(unreadable(rel_path, _IS_A_FOLDER))
            elif name.endswith(".yaml"):
                if not readable_name(rel_path):
                    found.problems.append(bad_name(rel_path))
                elif is_file:
                    found.files.append(rel_path)
                elif is_link:  # a link to nothing (or that stopped leading anywhere)
                    found.problems.append(_link_trouble(entry.path, rel_path))
                else:  # a pipe or device would block or never end: never opened
                    found.problems.append(problem(rel_path, "not-a-file", line=1, column=1))
            elif ignored_record_name(name):
                found.problems.append(ignored_file(rel_path))
        pending.extend(reversed(below))  # in name order


# Another spelling of the record extension: .yml, .YAML, .Yaml, .yaml.txt (Windows hides the
# last extension), ... -- files a user meant as records, never read in silence
_OTHER_SPELLING = re.compile(r"\.ya?ml(?:\.txt)?\s*$", re.IGNORECASE)


def ignored_record_name(name: str) -> bool:
    return not name.endswith(".yaml") and bool(_OTHER_SPELLING.search(name))


def ignored_file(rel_path: str) -> Problem:
    return problem(
        shown_path(rel_path), "ignored-file", severity=Severity.WARNING, line=1, column=1
    )


def hidden_record_name(name: str) -> bool:
    """A hidden file named as a record (``.a.yaml``, ``...yaml``, ``.a.yml``): never read,
    but never in silence either -- it is most likely a record someone misnamed. What editors
    and systems leave beside a file stays quiet: macOS's ``._a.yaml`` (on a USB stick or a
    network share), Emacs's lock ``.#a.yaml``; so do hidden folders (``.git``) and files
    named otherwise (``.DS_Store``, ``.a.yaml.swp``)."""
    if name.startswith(("._", ".#")):
        return False
    return name.endswith(".yaml") or ignored_record_name(name)


def hidden_file(rel_path: str) -> Problem:
    return problem(shown_path(rel_path), "hidden-file", severity=Severity.WARNING, line=1, column=1)


def discover(root: Path) -> Discovered:
    """campaign.yaml, groups/*.yaml, units/*.yaml and meetings/**/*.yaml, in name order."""
    found = Discovered()
    campaign = root / CAMPAIGN_FILE
    if campaign.is_symlink() and not inside(campaign.resolve(), root.resolve()):
        found.problems.append(
            problem(
                CAMPAIGN_FILE,
                "outside-tree",
                line=1,
                column=1,
                target=shown_path(str(campaign.resolve())),
            )
        )
    else:
        found.files.append(CAMPAIGN_FILE)
    root_real = root.resolve()  # once: resolving walks every folder of the path
    for folder, recursive in (("groups", False), ("units", False), ("meetings", True)):
        real = os.path.realpath(root / folder)
        if not inside(real, root_real):  # the folder itself a link out of the tree
            found.problems.append(
                problem(folder, "outside-tree", line=1, column=1, target=shown_path(real))
            )
            continue
        _walk(root, root_real, folder, real, recursive, found, {real})
    return found


# --- validation problems ----------------------------------------------------------------------

_EXPECT_BY_TYPE = {
    "string_type": "expect-text",
    "string_too_short": "expect-text",
    "int_type": "expect-integer",
    "int_from_float": "expect-integer",
    "float_type": "expect-number",
    "list_type": "expect-list",
    "dict_type": "expect-mapping",
    "model_type": "expect-mapping",
    "model_attributes_type": "expect-mapping",
    "dataclass_type": "expect-mapping",
    "dataclass_args_type": "expect-mapping",
    "bool_type": "expect-bool",
    "literal_error": "expect-choice",
    "too_short": "expect-list",
}


def _record_fields(model: Any) -> dict[str, Any]:
    """A record class's fields by name (``{}`` for anything else)."""
    return getattr(model, "__pydantic_fields__", {}) if dataclasses.is_dataclass(model) else {}


def _fields_of(model: type[Any], loc: tuple[str | int, ...]) -> list[str]:
    """The keys a model accepts at ``loc`` (for "did you mean" hints on unknown keys)."""
    current: Any = model
    for part in loc:
        if isinstance(part, int) or current is None:
            continue
        info = _record_fields(current).get(part)
        if info is not None:  # otherwise ``part`` is a key of a dict field: stay on its model
            current = _model_in(info.annotation)
    return list(_record_fields(current))


def _model_in(annotation: Any) -> Any:
    """The model class inside an annotation such as ``list[Annotated[Leader, ...]] | None``."""
    if isinstance(annotation, type) and dataclasses.is_dataclass(annotation):
        return annotation
    inner = [*getattr(annotation, "__args__", ()), getattr(annotation, "__origin__", None)]
    for candidate in inner:
        if candidate is not None and candidate is not annotation:
            found = _model_in(candidate)
            if found is not None:
                return found
    return None


def validation_problems(path: str, model: type[Any], err: ValidationError) -> list[Problem]:
    """One problem per pydantic error, with the stable codes of duchu."""
    found = []
    for error in err.errors(include_url=False):
        loc = tuple(error["loc"])
        kind = error["type"]
        key = str(next((part for part in reversed(loc) if part != "[key]"), ""))
        if kind in {"extra_forbidden", "unexpected_keyword_argument"}:
            known = _fields_of(model, loc[:-1])
            close = difflib.get_close_matches(key, known, n=1)
            found.append(
                problem(
                    path,
                    "unknown-key",
                    loc=loc,
                    anchor="key",
                    key=key,
                    suggestion=Ref("suggest-key" if close else ""),
                    close=close[0] if close else "",
                )
            )
        elif kind == "missing":
            found.append(problem(path, "missing-key", loc=loc, anchor="parent", key=key))
        elif kind in {"int_type", "float_type"} and _yaml11_number(error.get("input")):
            found.append(problem(path, "number-form", loc=loc, key=key, value=error["input"]))
        else:
            ctx = error.get("ctx") or {}
            expected = _EXPECT_BY_TYPE.get(kind, "expect-other")
            if kind in {"greater_than_equal", "less_than_equal"}:
                expected = "expect-range"
            found.append(
                problem(
                    path,
                    "bad-value",
                    loc=loc,
                    anchor="key" if loc and loc[-1] == "[key]" else "value",
                    key=key,
                    expected=Ref(expected),
                    detail=error["msg"],
                    choices=str(ctx.get("expected", "")).replace(" or ", ", "),
                    low=ctx.get("ge", ""),
                    high=ctx.get("le", ""),
                )
            )
    return found


_NUMBER_LIKE = re.compile(r"[-+]?(?:\.?[0-9]|\.(?:nan|inf))", re.IGNORECASE)


def _yaml11_number(value: object) -> bool:
    """Text where a number belongs that a person would take for one: 010, 0x32, 1_0, 1:30,
    089 (kept as text by ``duchu.records.read``, never converted)."""
    return isinstance(value, str) and bool(_NUMBER_LIKE.match(value))


# --- loading ----------------------------------------------------------------------------------

_MODELS: dict[str, type[Any]] = {
    "campaign": Campaign,
    "groups": Group,
    "units": Unit,
    "meetings": Meeting,
}
_ADAPTERS: dict[str, TypeAdapter[Any]] = {}


def _adapter(kind: str) -> TypeAdapter[Any]:
    """The validator of a record kind, built once per process (building one takes ~1 ms)."""
    if kind not in _ADAPTERS:
        _ADAPTERS[kind] = TypeAdapter(_MODELS[kind])
    return _ADAPTERS[kind]


def record_kind(rel_path: str) -> str:
    return "campaign" if rel_path == CAMPAIGN_FILE else rel_path.split("/", 1)[0]


def record_id(rel_path: str) -> str:
    """The id of a record: its file stem, or for a meeting its path under meetings/."""
    without_suffix = rel_path.removesuffix(".yaml")
    return without_suffix.split("/", 1)[1] if "/" in without_suffix else without_suffix


def _valid_id(record_id_text: str) -> bool:
    return all(ID_PATTERN.fullmatch(segment) for segment in record_id_text.split("/"))


# problems after which a file has no data to validate
_UNREADABLE = {
    "yaml-syntax",
    "tab",
    "yaml-tag",
    "full-width-colon",
    "too-deep",
    "yaml-aliases",
    "control-character",
}


@dataclass(slots=True)
class FileResult:
    """What loading one file gave: its record (None when it failed) and its problems, placed
    at their lines; ``size`` and ``stamp`` (``disk_stamp``, or a blob's) are what the
    file's cache entry is keyed on, and ``changed_ns`` when it last changed."""

    path: str
    record: Record | None
    problems: list[Problem]
    size: int = -1
    stamp: int = 0
    changed_ns: int = 0


def disk_stamp(info: os.stat_result) -> tuple[int, int]:
    """What a file's cache entry is keyed on besides its size, as git keys its index:
    modification and change times in nanoseconds, inode and device -- ``touch -d`` can set
    the first but not the second, and a file put back in place is another inode -- and when
    it last changed (for the racy-entry rule). The hash of a tuple of ints is the same in
    every process (only text hashes are salted)."""
    stamp = hash((info.st_mtime_ns, info.st_ctime_ns, info.st_ino, info.st_dev))
    return stamp, max(info.st_mtime_ns, info.st_ctime_ns)


def load_file(root: Path, rel_path: str) -> FileResult:
    """Read, decode, parse and validate one record file; its problems come placed."""
    path = f"{root}/{rel_path}"  # a str, not a Path: this runs for every file
    try:
        # opened without blocking and checked before a byte is read: what discovery saw as a
        # file may be a pipe or a device by now, and a file may have grown past any record
        descriptor = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
        try:
            info = os.fstat(descriptor)
            if not stat.S_ISREG(info.st_mode):
                return FileResult(
                    rel_path, None, [problem(rel_path, "not-a-file", line=1, column=1)]
                )
            size = info.st_size
            stamp, changed_ns = disk_stamp(info)
            refused = _refused(rel_path, size)
            if refused is not None:
                return FileResult(rel_path, None, refused, size, stamp, changed_ns)
            raw = _read_at_most(descriptor, MAX_FILE_BYTES)
        finally:
            os.close(descriptor)
    except OSError as err:  # a loop of links, no permission: this file, not the run
        return FileResult(rel_path, None, [unreadable(rel_path, err)])
    if len(raw) > MAX_FILE_BYTES:  # it grew while being read
        found = [
            problem(rel_path, "too-large", line=1, column=1, size=len(raw), limit=MAX_FILE_BYTES)
        ]
        return FileResult(rel_path, None, found, size, stamp, changed_ns)
    result = parse_file(rel_path, raw, size, stamp)
    result.changed_ns = changed_ns
    return result


def _read_at_most(descriptor: int, limit: int) -> bytes:
    """The file's bytes, but never more than ``limit`` + 1 (enough to see it is too big)."""
    chunks = []
    left = limit + 1
    while left > 0:
        chunk = os.read(descriptor, min(left, 1 << 20))
        if not chunk:
            break
        chunks.append(chunk)
        left -= len(chunk)
    return b"".join(chunks)


def _refused(rel_path: str, size: int) -> list[Problem] | None:
    """The problem that stops a file before it is read: a name that is no id, a size no
    record has."""
    if record_kind(rel_path) != "campaign" and not _valid_id(record_id(rel_path)):
        return [problem(rel_path, "bad-id", line=1, column=1, id=record_id(rel_path))]
    if size > MAX_FILE_BYTES:
        return [problem(rel_path, "too-large", line=1, column=1, size=size, limit=MAX_FILE_BYTES)]
    return None


def parse_file(rel_path: str, raw: bytes, size: int, stamp: int) -> FileResult:
    """A record file's result from its bytes, wherever they came from (a file on disk, a
    commit's object); ``size`` and ``stamp`` are what its cache entry is keyed on."""
    record, text, problems = _parse_record(record_kind(rel_path), raw, rel_path)
    if text is not None and any(p.line == 0 for p in problems):
        from duchu.records.read import locate

        placed = locate(text, [p for p in problems if p.line == 0])
        problems = [placed.get(p, p) for p in problems]
    return FileResult(rel_path, record, problems, size, stamp)


def _parse_record(
    kind: str, raw: bytes, rel_path: str
) -> tuple[Record | None, str | None, list[Problem]]:
    """A record from the bytes of its file, or the problems that stop it."""
    from duchu.records.read import decode, full_width_colons, parse_yaml

    text, problems = decode(raw, rel_path)
    if text is None:
        return None, None, problems
    parsed = parse_yaml(text, rel_path)
    problems = parsed.problems
    if any(p.code in _UNREADABLE for p in problems):
        return None, text, problems
    data = parsed.data
    if data is None:
        problems.append(problem(rel_path, "empty-file", line=1, column=1))
        return None, text, problems
    if not isinstance(data, dict):
        found = Ref("found-list" if isinstance(data, list) else "found-text")
        colons = full_width_colons(text, rel_path)
        problems.extend(
            colons or [problem(rel_path, "not-a-mapping", line=1, column=1, found=found)]
        )
        return None, text, problems
    if _UNSAFE_TEXT.search(text) or "\\" in text:  # escapes can spell them too
        problems.extend(unsafe_text(rel_path, data))
    try:
        return _adapter(kind).validate_python(data), text, problems
    except ValidationError as err:
        colons = full_width_colons(text, rel_path)
        problems.extend(colons or validation_problems(rel_path, _MODELS[kind], err))
        return None, text, problems


# Control characters (C0 but for newline, DEL, C1) and bidirectional overrides and isolates:
# text that can disguise itself on a screen or in a document (RECORDS.md 1.1).
_UNSAFE_TEXT = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
_UNSAFE_LINE_TEXT = re.compile("[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
# fields written over several lines, where a newline is text
MULTI_LINE_FIELDS = frozenset({"notes", "note", "text", "reason"})


def unsafe_text(rel_path: str, data: Any, loc: tuple[str | int, ...] = ()) -> list[Problem]:
    """A ``control-in-text`` error at every key and value of ``data`` holding a character
    RECORDS.md 1.1 forbids in text (a newline is text only in multi-line fields)."""
    found: list[Problem] = []
    if isinstance(data, str):
        pattern = _UNSAFE_TEXT if loc and loc[-1] in MULTI_LINE_FIELDS else _UNSAFE_LINE_TEXT
        match = pattern.search(data)
        if match:
            found.append(
                problem(rel_path, "control-in-text", loc=loc, code_point=f"U+{ord(match[0]):04X}")
            )
    elif isinstance(data, dict):
        for key, value in data.items():
            if isinstance(key, str) and _UNSAFE_LINE_TEXT.search(key):
                found.append(
                    problem(
                        rel_path,
                        "control-in-text",
                        loc=(*loc, key),
                        anchor="key",
                        code_point=f"U+{ord(_UNSAFE_LINE_TEXT.search(key)[0]):04X}",  # type: ignore[index]
                    )
                )
            found.extend(unsafe_text(rel_path, value, (*loc, key)))
    elif isinstance(data, list):
        for index, item in enumerate(data):
            found.extend(unsafe_text(rel_path, item, (*loc, index)))
    return found


# --- loading many files: the cache, then both cores ------------------------------------------

# Below this many files to read, starting worker processes costs more than it saves.
PARALLEL_MIN_FILES = 2000
_CHUNK = 250
Progress = Callable[[int, int], None]


def usable_cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def _load_chunk(root: Path, rel_paths: list[str]) -> list[FileResult]:
    return [load_file(root, rel_path) for rel_path in rel_paths]


# A file read from a commit, to parse: path, bytes, size, cache stamp.
_Blob = tuple[str, bytes, int, int]


def _parse_chunk(blobs: list[_Blob]) -> list[FileResult]:
    return [parse_file(*blob) for blob in blobs]


def _shipped(results: list[FileResult]) -> list[FileResult]:
    """A worker's results, each record as its JSON (bytes): rebuilding a record from that in
    one ``validate_json`` call costs the parent process less than half of unpickling it."""
    for result in results:
        if result.record is not None:
            kind = record_kind(result.path)
            result.record = _adapter(kind).dump_json(result.record)  # type: ignore[assignment]
    return results


def _load_chunk_to_ship(root: Path, rel_paths: list[str]) -> list[FileResult]:
    return _shipped(_load_chunk(root, rel_paths))


def _parse_chunk_to_ship(blobs: list[_Blob]) -> list[FileResult]:
    return _shipped(_parse_chunk(blobs))


def _unship(result: FileResult) -> FileResult:
    shipped: Any = result.record
    if shipped is not None:
        result.record = _adapter(record_kind(result.path)).validate_json(shipped)
    return result


def _load_files(
    root: Path, rel_paths: list[str], jobs: int, progress: Progress | None, done: int, total: int
) -> Iterator[FileResult]:
    """Every file's result, in worker processes when there are enough files to share."""
    return _in_workers(
        functools.partial(_load_chunk, root),
        functools.partial(_load_chunk_to_ship, root),
        rel_paths,
        jobs,
        progress,
        done,
        total,
    )


def _in_workers(
    work: Callable[[list[Any]], list[FileResult]],
    work_to_ship: Callable[[list[Any]], list[FileResult]],
    items: list[Any],
    jobs: int,
    progress: Progress | None,
    done: int,
    total: int,
) -> Iterator[FileResult]:
    """``work`` over ``items`` in chunks, in worker processes (``work_to_ship``) when there
    are enough to share, else (or when no process can be had) in this one."""
    chunks = [items[i : i + _CHUNK] for i in range(0, len(items), _CHUNK)]
    finished = 0
    if jobs > 1 and len(items) >= PARALLEL_MIN_FILES:
        from concurrent.futures import ProcessPoolExecutor
        from concurrent.futures.process import BrokenProcessPool

        try:
            with ProcessPoolExecutor(
                max_workers=jobs,
                mp_context=_process_context(),
                initializer=die_with_parent,
                initargs=(os.getpid(),),
            ) as pool:
                for results in pool.map(work_to_ship, chunks):
                    finished += 1
                    done += len(results)
                    yield from map(_unship, results)
                    if progress is not None:
                        progress(done, total)
        except (OSError, BrokenProcessPool):
            pass  # no processes to be had (a sandbox, a limit): the rest in this process
    for chunk in chunks[finished:]:
        results = work(chunk)
        done += len(results)
        yield from results
        if progress is not None:
            progress(done, total)


def die_with_parent(parent: int) -> None:
    """Make a worker end when the process that started it does (``kill -9`` of duchu left
    its workers reading files under PID 1 for minutes): on Linux the kernel sends SIGKILL
    when the parent dies; a parent already gone by now ends the worker at once."""
    import signal
    import sys

    if sys.platform.startswith("linux"):
        import ctypes

        try:
            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(1, signal.SIGKILL, 0, 0, 0)  # PR_SET_PDEATHSIG
        except (OSError, AttributeError):
            pass
    if os.getppid() != parent:
        os._exit(0)


def in_worker(work: Callable[..., Any], *args: Any) -> Any:
    """``work(*args)`` in a worker process that ends with this one, as a future; in a thread
    where no process can be had. For work that is Python's own beside other Python work (a
    thread would hold the lock the other needs)."""
    from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor

    try:
        pool: Any = ProcessPoolExecutor(
            max_workers=1,
            mp_context=_process_context(),
            initializer=die_with_parent,
            initargs=(os.getpid(),),
        )
        future = pool.submit(work, *args)
    except OSError:
        pool = ThreadPoolExecutor(max_workers=1)
        future = pool.submit(work, *args)
    pool.shutdown(wait=False)  # the future stays; the worker ends when its one job does
    return future


def _process_context() -> multiprocessing.context.BaseContext:
    import multiprocessing

    # fork starts a worker in milliseconds with duchu already imported; elsewhere, the default
    if "fork" in multiprocessing.get_all_start_methods():
        return multiprocessing.get_context("fork")
    return multiprocessing.get_context()


def _open_cache(root: Path, files: list[str]) -> RecordCache:
    campaign = b""
    if CAMPAIGN_FILE in files:  # never read through a link that leaves the tree
        campaign = read_regular(root / CAMPAIGN_FILE, MAX_FILE_BYTES) or b""
    return RecordCache(root, cache_key(campaign))


def read_regular(path: Path, limit: int) -> bytes | None:
    """The bytes of a regular file of at most ``limit`` bytes; None for anything else (a
    pipe, a device, a file too large -- a 3 GB campaign file is never read whole)."""
    try:
        descriptor = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    except OSError:
        return None
    try:
        info = os.fstat(descriptor)
        if not stat.S_ISREG(info.st_mode) or info.st_size > limit:
            return None
        raw = _read_at_most(descriptor, limit)
        return raw if len(raw) <= limit else None
    except OSError:
        return None
    finally:
        os.close(descriptor)


def _from_cache(root: str, rel_path: str, cache: RecordCache) -> FileResult | None:
    """The cached result of a file, if the file is unchanged and its problems are sound."""
    try:
        info = os.stat(f"{root}/{rel_path}")  # a str, not a Path: this runs for every file
    except OSError:
        return None
    stamp, changed_ns = disk_stamp(info)
    entry = cache.file(record_kind(rel_path), rel_path, info.st_size, stamp, changed_ns)
    if entry is None:
        return None
    record, stored = entry
    try:
        problems = [problem_from_stored(p, (rel_path,)) for p in stored] if stored else []
    except ValueError:
        return None
    return FileResult(rel_path, record, problems, info.st_size, stamp, changed_ns)


def _remember(cache: RecordCache, result: FileResult) -> None:
    if result.size < 0:
        return  # not even stat-able: nothing to key an entry on
    kind = record_kind(result.path)
    cache.put_file(kind, result.path, result.size, result.stamp, result.record, result.problems)


class _Files(Protocol):
    """Where a load reads its files from: the folder on disk, or a commit's objects
    (``--known``). The loader asks it again for a file's text (to place problems) and for
    the ballot files that meetings name."""

    def raw(self, rel_path: str) -> bytes:
        """The bytes of a record file (OSError when it cannot be read)."""
        ...

    def ballot(self, meeting_file: str, name: str) -> tuple[str | None, str | Problem | None]:
        """The ballot file ``name`` of a meeting, relative to the root, or what stops it: the
        code of a problem at the meeting's ``ballots`` (outside the tree, missing, not a
        file), or a problem at the ballot file itself (it cannot be read, its name is not
        UTF-8)."""
        ...

    def stamp(self, rel_path: str) -> tuple[int, int, int] | None:
        """What a cache entry of the file is keyed on -- size, stamp, when it changed --
        or None: not to be cached."""
        ...

    def ballot_input(self, rel_path: str) -> Path | bytes:
        """What ``read_ballots`` reads: the file's path, or its bytes."""
        ...


class _DiskFiles:
    """The records tree as it stands in its folder."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.root_real = root.resolve()

    def raw(self, rel_path: str) -> bytes:
        return (self.root / rel_path).read_bytes()

    def ballot(self, meeting_file: str, name: str) -> tuple[str | None, str | Problem | None]:
        target = Path(os.path.normpath(self.root / meeting_file)).parent / name
        real = Path(os.path.realpath(target))
        if not inside(real, self.root_real):
            return None, "ballots-outside"
        rel_path = real.relative_to(self.root_real).as_posix()
        try:
            info = os.stat(real)
        except (FileNotFoundError, NotADirectoryError):
            return None, "ballots-missing"
        except OSError as err:  # a link to itself, no permission: a problem at the file
            return None, unreadable(rel_path, err)
        if not stat.S_ISREG(info.st_mode):  # a pipe or device would block or never end
            return None, "not-a-file"
        if not readable_name(rel_path):
            return None, bad_name(rel_path)
        return rel_path, None

    def stamp(self, rel_path: str) -> tuple[int, int, int] | None:
        try:
            info = (self.root_real / rel_path).stat()
        except OSError:
            return None
        return (info.st_size, *disk_stamp(info))

    def ballot_input(self, rel_path: str) -> Path | bytes:
        return self.root_real / rel_path


def _placed(files: _Files, problems: list[Problem]) -> list[Problem]:
    """The problems, those still without a line given their line and column (the checks'
    and the ballots' problems carry a ``loc`` instead). Files are read again for this, and
    only the files with such problems."""
    pending: dict[str, list[Problem]] = defaultdict(list)
    for item in problems:
        if item.line == 0:
            pending[item.path].append(item)
    if not pending:
        return problems
    from duchu.records.read import locate

    moved: dict[Problem, Problem] = {}
    for path, items in pending.items():
        moved.update(locate(_reread(files, path), items))
    return [moved.get(p, p) for p in problems]


def _reread(files: _Files, rel_path: str) -> str:
    from duchu.records.read import decode

    try:
        text, _ = decode(files.raw(rel_path), rel_path)
    except OSError:
        return ""
    return text or ""


def load_tree(
    root: Path,
    *,
    use_cache: bool = False,
    jobs: int | None = None,
    progress: Progress | None = None,
) -> Tree:
    """Load and check every record under ``root``; problems are collected, never raised.

    ``use_cache`` reads and updates the tree's cache in the user's cache folder (see
    ``duchu.records.cache``); ``jobs``
    is how many processes may read files (default: the usable cores); ``progress`` is
    called with (files loaded, files in all) as reading goes on."""
    if not (root / CAMPAIGN_FILE).is_file():
        raise NoRecordsError(root)
    with _cyclic_gc_paused():
        return _load_tree(root, use_cache, jobs or usable_cores(), progress)


@contextmanager
def _cyclic_gc_paused() -> Iterator[None]:
    """Loading makes hundreds of thousands of dicts, lists and records, none of them in a
    cycle; the cyclic collector would walk them again and again as they pile up (it doubled
    the time of reading the cache when measured). Paused while loading, then as it was."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _load_tree(root: Path, use_cache: bool, jobs: int, progress: Progress | None) -> Tree:
    tree = Tree(root=root)
    found = discover(root)
    tree.problems.extend(found.problems)
    cache = _open_cache(root, found.files) if use_cache else None
    results: dict[str, FileResult] = {}
    misses = []
    root_text = str(root)
    for rel_path in found.files:
        hit = _from_cache(root_text, rel_path, cache) if cache is not None else None
        if hit is None:
            misses.append(rel_path)
        else:
            results[rel_path] = hit
    total = len(found.files)
    if cache is not None:
        cache.reads += len(misses)
    loaded = _load_files(root, misses, jobs, progress, total - len(misses), total)
    for result in loaded:
        results[result.path] = result
        if cache is not None:
            _remember(cache, result)
    for rel_path in found.files:  # stored in discovery order, whatever order they loaded in
        result = results[rel_path]
        tree.files += 1
        tree.problems.extend(result.problems)
        _store(tree, rel_path, result)
    return _finish(tree, _DiskFiles(root), cache, found.files, results)


def _finish(
    tree: Tree,
    files: _Files,
    cache: RecordCache | None,
    paths: list[str],
    results: dict[str, FileResult],
) -> Tree:
    """What every load does once its files are read: order, appraisals, the checks across
    files, the cache written, every problem placed and sorted."""
    put_in_order(tree)
    ballots = _load_appraisals(tree, cache, files)
    checked = _checked(tree, cache, paths, results, ballots, files)
    if cache is not None:
        cache.keep_only(set(paths), ballots)
        cache.save()
    problems = _placed(files, tree.problems) + checked
    tree.problems = sorted(problems, key=Problem.sort_key)
    return tree


def _checked(
    tree: Tree,
    cache: RecordCache | None,
    files: list[str],
    results: dict[str, FileResult],
    ballots: set[str],
    source: _Files,
) -> list[Problem]:
    """The problems of the checks across files, placed: from the cache when every file was
    a hit and the files are the very ones the cached problems were found in, else worked
    out (and remembered)."""
    from duchu.records.checks import run_checks

    if cache is None:
        return _placed(source, run_checks(tree))
    every_file_hit = cache.reads == 0
    fingerprint = _fingerprint(files, results, ballots, cache)
    stored = cache.checks(fingerprint) if every_file_hit else None
    if stored is not None:
        owners = set(files) | ballots
        try:
            return [problem_from_stored(p, owners) for p in stored]
        except ValueError:
            pass  # malformed: work them out again
    checked = _placed(source, run_checks(tree))
    cache.put_checks(fingerprint, checked)
    return checked


def _fingerprint(
    files: list[str], results: dict[str, FileResult], ballots: set[str], cache: RecordCache
) -> str:
    """Which files, at which size and time, the checks ran over (ballot files as their
    cache entries have them: the counts the checks saw)."""
    digest = hashlib.sha256()
    for rel_path in files:
        result = results[rel_path]
        digest.update(f"{rel_path}\t{result.size}\t{result.stamp}\n".encode())
    for rel_path in sorted(ballots):
        entry = cache.ballots.get(rel_path)
        stamp = f"{entry[0]}\t{entry[1]}" if isinstance(entry, list) and len(entry) > 1 else "-"
        digest.update(f"ballot\t{rel_path}\t{stamp}\n".encode())
    return digest.hexdigest()


def _store(tree: Tree, rel_path: str, result: FileResult) -> None:
    kind = record_kind(rel_path)
    record = result.record
    if kind == "campaign":
        tree.campaign = record if isinstance(record, Campaign) else None
        return
    ident = record_id(rel_path)
    if kind == "groups":
        if isinstance(record, Group):
            tree.groups[ident] = record
        else:
            tree.broken_groups.add(ident)
    elif kind == "units":
        if isinstance(record, Unit):
            tree.units[ident] = record
        else:
            tree.broken_units.add(ident)
    elif kind == "meetings" and isinstance(record, Meeting):
        tree.meetings[ident] = record


def _load_appraisals(tree: Tree, cache: RecordCache | None, files: _Files) -> set[str]:
    """Counts of every appraisal; ballot files are read here, confined to the tree.
    Returns the ballot files read (relative), for the cache to keep."""
    campaign = tree.campaign
    if campaign is None:
        return set()
    scheme = campaign.appraisal
    read: set[str] = set()
    for meeting_id, meeting in tree.meetings.items():
        appraisal = meeting.appraisal
        if appraisal is None:
            continue
        if appraisal.ballots is None:
            if appraisal.counts is not None and appraisal.returned is not None:
                tree.appraisals[meeting_id] = Counts(
                    returned=appraisal.returned,
                    invalid=appraisal.invalid or 0,
                    distributed=appraisal.distributed,
                    by_subject=appraisal.counts,  # records are frozen: shared, not copied
                )
            continue
        if appraisal.counts is not None:
            continue  # counts and ballots both given: an error, and neither is tallied
        path = meeting_path(meeting_id)
        where = ("appraisal", "ballots")
        rel_path, trouble = files.ballot(path, appraisal.ballots)
        if rel_path is None:
            if isinstance(trouble, Problem):
                tree.problems.append(trouble)
            else:
                tree.problems.append(
                    problem(path, trouble or "ballots-missing", loc=where, file=appraisal.ballots)
                )
            continue
        unit = tree.units.get(meeting.unit) if meeting.unit is not None else None
        if unit is None:
            continue  # an unknown unit, or several (no appraisal then): the checks say so
        tree.files += 1
        read.add(rel_path)
        subjects = [scheme.team, *(leader.name for leader in unit.leaders)]
        counts, found = _ballot_counts(files, rel_path, subjects, scheme, cache)
        tree.problems.extend(found)
        if counts is not None:
            counts.distributed = appraisal.distributed
            tree.appraisals[meeting_id] = counts
    return read


def _ballot_counts(
    files: _Files,
    rel_path: str,
    subjects: list[str],
    scheme: AppraisalScheme,
    cache: RecordCache | None,
) -> tuple[Counts | None, list[Problem]]:
    """The counts of one ballot file, from the cache when it is unchanged."""
    if cache is None:
        return read_ballots(
            files.ballot_input(rel_path),
            rel_path,
            subjects=subjects,
            team=scheme.team,
            ratings=scheme.ratings,
        )
    stamp = files.stamp(rel_path)
    entry = None
    if stamp is not None:
        entry = cache.ballot(rel_path, *stamp, subjects, scheme.team, scheme.ratings)
    if entry is not None:
        try:
            problems = [problem_from_stored(p, (rel_path,)) for p in entry.problems]
        except ValueError:
            problems = None  # malformed: read the file again
        if problems is not None and entry.counts is None:
            return None, problems
        if problems is not None and entry.counts is not None:
            returned, invalid, by_subject = entry.counts
            return Counts(returned=returned, invalid=invalid, by_subject=by_subject), problems
    counts, problems = read_ballots(
        files.ballot_input(rel_path),
        rel_path,
        subjects=subjects,
        team=scheme.team,
        ratings=scheme.ratings,
    )
    cache.reads += 1
    if stamp is not None:
        stored = (counts.returned, counts.invalid, counts.by_subject) if counts else None
        cache.put_ballot(
            rel_path,
            BallotEntry(
                size=stamp[0],
                stamp=stamp[1],
                subjects=subjects,
                team=scheme.team,
                ratings=list(scheme.ratings),
                counts=stored,
                problems=[problem_to_stored(p) for p in problems],
            ),
        )
    return counts, problems


# --- the tree as committed (``--known``) ------------------------------------------------------

_REGULAR_MODES = ("100644", "100755")
_LINK_MODE = "120000"


class _CommitFiles:
    """A records tree as one commit holds it, read from git's objects: nothing is checked
    out and the working tree is never touched. ``entries`` are the commit's files under the
    records root (``duchu.git.repo.tree_entries``); ``reader`` reads their blobs.

    Links are followed as on disk: a link to a file or a folder inside the tree stands for
    it (a folder's files appear under the link's path too), a link leading out of the tree is
    an ``outside-tree`` error, and a submodule where records belong is ``not-a-file`` -- its
    files are not in the commit, and counting without them would be silently wrong."""

    def __init__(self, entries: list[TreeEntry], reader: BlobReader) -> None:
        self.entries = {entry.path: entry for entry in entries}
        self.reader = reader
        self._links: dict[str, TreeEntry] = {}
        self._targets: dict[str, str | None] = {}  # a link's path -> where it leads (None: out)
        self._expand_folder_links()

    def _link_target(self, entry: TreeEntry) -> str | None:
        """Where a link entry leads, relative to the root; None when out of the tree."""
        import posixpath

        if entry.path in self._targets:
            return self._targets[entry.path]
        raw = self.reader.read(entry.blob, 4096)
        followed: str | None = None
        if raw is not None:
            text = raw.decode("utf-8", "surrogateescape")  # as git's paths are (os.fsdecode)
            joined = posixpath.normpath(posixpath.join(posixpath.dirname(entry.path), text))
            if not (text.startswith("/") or joined == ".." or joined.startswith("../")):
                followed = joined
        self._targets[entry.path] = followed
        return followed

    def _expand_folder_links(self) -> None:
        """Give the files of a linked folder the link's paths as well (a few levels deep:
        a link to a folder holding links)."""
        for _ in range(4):
            added: dict[str, TreeEntry] = {}
            for path, entry in self.entries.items():
                if entry.mode != _LINK_MODE:
                    continue
                target = self._link_target(entry)
                if target is None or target in self.entries:
                    continue  # out of the tree, or a link to a file
                prefix = target + "/"
                for inner, inner_entry in self.entries.items():
                    if inner.startswith(prefix):
                        virtual = path + "/" + inner[len(prefix) :]
                        if virtual not in self.entries:
                            added[virtual] = inner_entry
            if not added:
                return
            self.entries.update(added)

    def target(self, rel_path: str) -> TreeEntry | str:
        """The regular file a path stands for (a link inside the tree followed, up to a few
        times), or why not: ``ballots-missing``, ``not-a-file``, ``outside-tree`` or
        ``link-loop`` (a link that leads back to itself, as the OS's ELOOP)."""
        entry = self.entries.get(rel_path)
        for _ in range(8):
            if entry is None:
                return "ballots-missing"
            if entry.mode in _REGULAR_MODES:
                return entry
            if entry.mode != _LINK_MODE:
                return "not-a-file"  # a submodule, where a record belongs
            followed = self._link_target(entry)
            if followed is None:
                return "outside-tree"
            entry = self.entries.get(followed)
        return "link-loop"

    def discover(self) -> Discovered:
        """The record files, as ``discover`` finds them on disk."""
        found = Discovered()
        folders: set[str] = set()  # groups/x.yaml/..., units/x.yaml/...: named once
        for rel_path in sorted(self.entries, key=_discovery_order):
            if rel_path[0] == "." or "/." in rel_path:
                # hidden, as on disk: in a hidden folder quietly, a hidden record file named
                head, _, name = rel_path.rpartition("/")
                in_records = head in ("groups", "units", "meetings") or head.startswith("meetings/")
                if in_records and "/." not in "/" + head and hidden_record_name(name):
                    found.problems.append(hidden_file(rel_path))
                continue
            folder, _, rest = rel_path.partition("/")
            if rel_path == CAMPAIGN_FILE:
                pass
            elif folder in ("groups", "units") and rest:
                if "/" in rest:
                    inner = f"{folder}/{rest.partition('/')[0]}"
                    if inner.endswith(".yaml") and inner not in folders:  # as on disk
                        folders.add(inner)
                        found.problems.append(unreadable(inner, _IS_A_FOLDER))
                    continue
            elif folder not in ("meetings", "groups", "units"):
                continue
            entry = self.entries[rel_path]
            name = rel_path.rpartition("/")[2]
            if name.endswith(".yaml") or not rest or entry.mode not in _REGULAR_MODES:
                shown = shown_path(rel_path)
                if entry.mode == _LINK_MODE and self._link_target(entry) is None:
                    found.problems.append(
                        problem(shown, "outside-tree", line=1, column=1, target=shown)
                    )
                    continue
                if entry.mode not in (*_REGULAR_MODES, _LINK_MODE):
                    # a submodule: on disk a folder of records, in the commit nothing
                    found.problems.append(problem(shown, "not-a-file", line=1, column=1))
                    continue
            if not name.endswith(".yaml"):
                if ignored_record_name(name) and entry.mode in _REGULAR_MODES:
                    found.problems.append(ignored_file(rel_path))
                continue
            target = self.target(rel_path)
            if isinstance(target, str):
                if target == "ballots-missing" and self._folder(rel_path):
                    # a link to a folder, named as a record: on disk a folder of meetings,
                    # whose files are read under it; in groups/ or units/ a mistake
                    if folder != "meetings" and rel_path not in folders:
                        folders.add(rel_path)
                        found.problems.append(unreadable(rel_path, _IS_A_FOLDER))
                    continue
                found.problems.append(self._trouble(rel_path, target))
                continue
            if not readable_name(rel_path):
                found.problems.append(bad_name(rel_path))
                continue
            self._links[rel_path] = target
            found.files.append(rel_path)
        return found

    def _folder(self, rel_path: str) -> bool:
        """Whether a path stands for a folder (a link to one: its files are listed under
        it). Asked only of a link that leads to no file, so the walk is rare."""
        prefix = rel_path + "/"
        return any(path.startswith(prefix) for path in self.entries)

    @staticmethod
    def _trouble(rel_path: str, code: str) -> Problem:
        """The problem at a path that ``target`` gave ``code`` for, as on disk."""
        if code == "outside-tree":
            return problem(
                shown_path(rel_path), code, line=1, column=1, target=shown_path(rel_path)
            )
        if code == "link-loop":
            return unreadable(rel_path, _LINK_LOOP)
        if code == "ballots-missing":  # a link to no file of the commit
            return unreadable(rel_path, _NOTHING_THERE)
        return problem(shown_path(rel_path), "not-a-file", line=1, column=1)

    def entry(self, rel_path: str) -> TreeEntry:
        found = self._links.get(rel_path)
        if found is not None:
            return found
        target = self.target(rel_path)
        if isinstance(target, str):
            raise OSError(target)
        return target

    def raw(self, rel_path: str) -> bytes:
        entry = self.entry(rel_path)
        data = self.reader.read(entry.blob, MAX_FILE_BYTES)
        if data is None:
            raise OSError("too large")
        return data

    def ballot(self, meeting_file: str, name: str) -> tuple[str | None, str | Problem | None]:
        import posixpath

        rel_path = posixpath.normpath(posixpath.join(posixpath.dirname(meeting_file), name))
        if rel_path.startswith(("/", "../")) or rel_path == "..":
            return None, "ballots-outside"
        target = self.target(rel_path)
        if isinstance(target, str):
            if target == "link-loop":
                return None, self._trouble(rel_path, target)
            return None, "ballots-outside" if target == "outside-tree" else target
        if not readable_name(target.path):
            return None, bad_name(target.path)
        return target.path, None

    def stamp(self, rel_path: str) -> tuple[int, int, int] | None:
        entry = self.entry(rel_path)
        return entry.size or 0, blob_stamp(entry.blob), 0

    def ballot_input(self, rel_path: str) -> Path | bytes:
        target = self.target(rel_path)
        if isinstance(target, str):
            return b""
        # a ballot file has no record's size limit, on disk or in a commit
        return self.reader.read(target.blob, target.size or 1 << 40) or b""


def blob_stamp(blob: str) -> int:
    """What a cache entry of a committed file is keyed on besides its size: the first 60
    bits of its blob id (a file's content, never its time -- a commit's file cannot change)."""
    return int(blob[:15], 16)


_PLACE = {"campaign.yaml": 0, "groups": 1, "units": 2, "meetings": 3}


def _discovery_order(rel_path: str) -> tuple[int, str]:
    return (_PLACE.get(rel_path.partition("/")[0], 4), rel_path)


def load_known_tree(
    root: Path,
    commit: str,
    *,
    cache_folder: Path | None = None,
    jobs: int | None = None,
    progress: Progress | None = None,
    bare: bool = False,
) -> Tree:
    """The records tree as ``commit`` holds it (``--known``), loaded and checked like
    ``load_tree`` loads the folder: read from git's objects, never checked out. Parsed
    files are cached in ``cache_folder`` by their blob ids, so a second run is warm.
    ``commit`` may also be a tree (what the index holds); with ``bare``, ``root`` is a
    repository without a work tree and the records are its whole tree (a server hook)."""
    from duchu.git.repo import BlobReader, tree_entries

    entries = tree_entries(root, commit, bare=bare)
    if not any(entry.path == CAMPAIGN_FILE for entry in entries):
        raise NoRecordsError(root)
    with _cyclic_gc_paused(), BlobReader(root, bare=bare) as reader:
        files = _CommitFiles(entries, reader)
        tree = Tree(root=root)
        found = files.discover()
        tree.problems.extend(found.problems)
        cache = None
        if cache_folder is not None:
            campaign_entry = files.entries[CAMPAIGN_FILE]
            key = cache_key(campaign_entry.blob.encode())
            cache = RecordCache(root, key, folder=cache_folder, racy=False)
        results: dict[str, FileResult] = {}
        misses: list[_Blob] = []
        for rel_path in found.files:
            entry = files.entry(rel_path)
            size, stamp = entry.size or 0, blob_stamp(entry.blob)
            hit = _cached(cache, rel_path, size, stamp) if cache is not None else None
            if hit is not None:
                results[rel_path] = hit
                continue
            refused = _refused(rel_path, size)
            if refused is not None:
                results[rel_path] = FileResult(rel_path, None, refused, size, stamp)
                continue
            misses.append((rel_path, b"", size, stamp))
        if cache is not None:
            cache.reads += len(misses)
        # one blob may stand in several places (two files alike, a link): read once, used
        # for each
        by_blob: dict[str, list[int]] = defaultdict(list)
        for i, (rel, *_) in enumerate(misses):
            by_blob[files.entry(rel).blob].append(i)
        for blob, data in reader.read_many(list(by_blob)):
            for index in by_blob[blob]:
                rel_path, _, size, stamp = misses[index]
                misses[index] = (rel_path, data, size, stamp)
        total = len(found.files)
        work = _in_workers(
            _parse_chunk,
            _parse_chunk_to_ship,
            misses,
            jobs or usable_cores(),
            progress,
            total - len(misses),
            total,
        )
        for result in work:
            results[result.path] = result
            if cache is not None:
                _remember(cache, result)
        for rel_path in found.files:
            result = results[rel_path]
            tree.files += 1
            tree.problems.extend(result.problems)
            _store(tree, rel_path, result)
        return _finish(tree, files, cache, found.files, results)


def _cached(cache: RecordCache, rel_path: str, size: int, stamp: int) -> FileResult | None:
    entry = cache.file(record_kind(rel_path), rel_path, size, stamp)
    if entry is None:
        return None
    record, stored = entry
    try:
        problems = [problem_from_stored(p, (rel_path,)) for p in stored] if stored else []
    except ValueError:
        return None
    return FileResult(rel_path, record, problems, size, stamp)


def find_root(explicit: Path | None, env_value: str | None, cwd: Path) -> Path:
    """The records tree: ``--records``, else ``DUCHU_RECORDS``, else the nearest folder at or
    above ``cwd`` holding campaign.yaml, else ``./records`` (CLI.md)."""
    if explicit is not None:
        return explicit
    if env_value:
        return Path(env_value)
    for folder in (cwd, *cwd.parents):
        if (folder / CAMPAIGN_FILE).is_file():
            return folder
    return cwd / "records"


def unit_files(tree: Tree, unit_id: str) -> list[str]:
    """A unit's records: its unit file, its meetings and their ballot files (relative)."""
    files = [unit_path(unit_id)]
    for meeting_id, meeting in tree.meetings.items():
        if unit_id not in tree.meeting_units.get(meeting_id, ()):
            continue
        path = meeting_path(meeting_id)
        files.append(path)
        if meeting.appraisal is not None and meeting.appraisal.ballots is not None:
            ballots = os.path.normpath(Path(path).parent / meeting.appraisal.ballots)
            files.append(Path(ballots).as_posix())
    return files
