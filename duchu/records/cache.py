"""The cache of loaded record files, so that a second run skips reading and parsing.

For each record file the cache keeps what loading it gave: its validated record and its
problems, already placed at their line and column. For each ballot CSV it keeps the counts
and problems, together with the subjects and ratings they were read against. And for the
tree as a whole, the problems of the checks across files, with a fingerprint of every file
they were worked out from; they are used only when every file is a hit and the fingerprint
is the same, so a warm load reports exactly the problems of a cold one.

An entry is used only when its file is what it was by what git keys its index on -- size,
modification and change times in nanoseconds, inode, device (``loader.disk_stamp``: no
``touch -d`` can fake a hit) -- and, as git does, only when the file last changed before the
cache file was written: a file changed in the same clock tick could otherwise be missed.
The whole cache is dropped when duchu's version, the cache format or the campaign changes.

The cache lives outside the tree, in the user's cache folder (``$XDG_CACHE_HOME/duchu``,
else ``~/.cache/duchu``; one folder per tree, ../shared/spec/RECORDS.md 1.1): a tree that is copied,
archived or received carries no cache to trust, and duchu writes nothing into a tree. A
``.duchu-cache`` a tree holds from older versions is never read. The cache file is opened
only when it is a regular file of a sane size, never through a link, and written beside
and renamed, in a folder private to the user.

It is JSON, not pickle: a records tree is shared, and loading a planted cache must not run
code. After a header line (magic, format, version, campaign digest) each line holds a part
of the entries, parsed and validated in one pass by pydantic (``validate_json``, in Rust)
against the record models, so the cache cannot smuggle in a record the models would refuse
-- and that pass is also the fastest way to make the records again.
Anything wrong with it -- unreadable, truncated, foreign, from another version, an entry
of the wrong shape -- is a miss, and writing it is best effort: no writable cache folder
simply means no cache.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import stat
from collections.abc import Collection, Iterable, Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import pydantic_core
from pydantic import ConfigDict, Field, StrictInt, StrictStr, TypeAdapter
from pydantic import dataclasses as pydantic_dataclasses

from duchu import __version__, platform
from duchu.paths import really_inside
from duchu.problems import Problem, Severity
from duchu.records.models import Campaign, Group, Meeting, Notice, Unit

CACHE_DIR = ".duchu-cache"  # where caches lived inside trees (before 1.1): never read now
CACHE_FILE = "records.json"
# a cache file larger than this is no cache of ours (a province's is ~100 MB)
MAX_CACHE_BYTES = 2 * 1024 * 1024 * 1024
FORMAT = (
    6  # 4: meetings of several units, order, accounts (../shared/spec/RECORDS.md 1.1); 6: notices
)
_MAGIC = b"duchu-cache"
KINDS = ("campaign", "groups", "units", "meetings", "notices")

# A problem as stored: its fields in order (path, code, severity, args, line, column, loc,
# anchor, hint, refs, first_loc), tuples as lists.
StoredProblem = list[Any]
_Problems = list[list[Any]]  # checked one by one by ``problem_from_stored`` when used


@pydantic_dataclasses.dataclass(config=ConfigDict(extra="forbid", defer_build=True), frozen=True)
class _Part:
    """One line of the cache file after its header: some of its entries. A file entry is
    [size, mtime_ns, record or null, problems]; a ballot entry is checked by hand
    (``RecordCache.ballot``). The entries come in parts of at most ``PART_SIZE`` so that
    the parse of one part, which pydantic holds whole while validating it, stays small:
    a warm ``status`` of 20,000 units peaked at 903 MB reading one whole document, at
    488 MB reading parts (``/usr/bin/time -f %M``)."""

    campaign: dict[StrictStr, tuple[StrictInt, StrictInt, Campaign | None, _Problems]] = Field(
        default_factory=dict
    )
    groups: dict[StrictStr, tuple[StrictInt, StrictInt, Group | None, _Problems]] = Field(
        default_factory=dict
    )
    units: dict[StrictStr, tuple[StrictInt, StrictInt, Unit | None, _Problems]] = Field(
        default_factory=dict
    )
    meetings: dict[StrictStr, tuple[StrictInt, StrictInt, Meeting | None, _Problems]] = Field(
        default_factory=dict
    )
    notices: dict[StrictStr, tuple[StrictInt, StrictInt, Notice | None, _Problems]] = Field(
        default_factory=dict
    )
    ballots: dict[StrictStr, list[Any]] = Field(default_factory=dict)
    checks: tuple[StrictStr, _Problems] | None = None


PART_SIZE = 2000


@cache
def _part_adapter() -> TypeAdapter[_Part]:
    return TypeAdapter(_Part)


@dataclass
class BallotEntry:
    size: int
    stamp: int
    subjects: list[str]
    team: str
    ratings: list[str]
    # returned, invalid and per subject the number of each rating; None when unreadable
    counts: tuple[int, int, dict[str, dict[str, int]]] | None
    problems: list[StoredProblem]


def problem_to_stored(item: Problem) -> StoredProblem:
    return [
        item.path,
        item.code,
        str(item.severity),
        [list(pair) for pair in item.args],
        item.line,
        item.column,
        list(item.loc) if item.loc is not None else None,
        item.anchor,
        item.hint,
        list(item.refs),
        list(item.first_loc) if item.first_loc is not None else None,
    ]


def problem_from_stored(stored: StoredProblem, owners: Collection[str]) -> Problem:
    """The problem back; a malformed one, or one about a file not in ``owners`` (the file
    whose entry holds it, or for the checks the files of the tree), raises ``ValueError``:
    a cache miss."""
    try:
        path, code, severity, args, line, column, loc, anchor, hint, refs, first_loc = stored
        item = Problem(
            path=_text(path),
            code=_text(code),
            severity=Severity(severity),
            args=tuple((_text(key), _text(value)) for key, value in args),
            line=_number(line),
            column=_number(column),
            loc=_loc(loc),
            anchor=anchor if anchor in ("value", "key", "parent") else "value",
            hint=None if hint is None else _text(hint),
            refs=tuple(_text(name) for name in refs),
            first_loc=_loc(first_loc),
        )
    except (TypeError, ValueError) as err:
        raise ValueError("malformed cached problem") from err
    if anchor != item.anchor or item.path not in owners:
        raise ValueError("malformed cached problem")
    return item


def _text(value: object) -> str:
    if not isinstance(value, str):
        raise TypeError(value)
    return value


def _number(value: object) -> int:
    if type(value) is not int:
        raise TypeError(value)
    return value


def _loc(value: object) -> tuple[str | int, ...] | None:
    if value is None:
        return None
    if not isinstance(value, list) or not all(isinstance(part, (str, int)) for part in value):
        raise TypeError(value)
    return tuple(value)


def cache_key(campaign_bytes: bytes | None) -> bytes:
    """What every entry depends on: the cache format, duchu's version, the campaign file."""
    digest = hashlib.sha256(campaign_bytes or b"").hexdigest()
    return b"%s %d %s %s" % (_MAGIC, FORMAT, __version__.encode(), digest.encode())


def user_cache_folder(root: Path, purpose: str) -> Path:
    """The folder of ``purpose`` for the records tree at ``root`` in the user's cache
    (../shared/spec/RECORDS.md 1.1): ``$XDG_CACHE_HOME/duchu``, else ``~/.cache/duchu`` (on Windows
    ``%LOCALAPPDATA%\\duchu``, ``duchu.platform.user_cache_base``), one folder
    per tree, named by a digest of its real path -- outside the tree, so a tree that is copied
    or received carries no cache to trust."""
    real_root = os.path.realpath(root)
    base, otherwise = platform.user_cache_base()
    if not os.path.isabs(base) or really_inside(base, real_root):
        # relative (the XDG rule) or inside the tree: duchu writes nothing into a tree
        base = str(otherwise)
    digest = hashlib.sha256(os.fsencode(real_root)).hexdigest()[:24]
    return Path(base) / "duchu" / digest / purpose


def cache_file(root: Path) -> Path:
    """Where the cache of the records tree at ``root`` is kept."""
    return user_cache_folder(root, "records") / CACHE_FILE


class RecordCache:
    """The entries of one records tree's cache, read at the start of a load and written at
    its end when anything changed."""

    def __init__(
        self, root: Path, key: bytes, *, folder: Path | None = None, racy: bool = True
    ) -> None:
        # ``folder``: where in the user's cache (default: this tree's "records" folder; the
        # ``--known`` cache has its own, keyed by blob ids); ``racy``: whether an entry's
        # file can change in the tick the cache was written in (a file can; a blob cannot)
        self.folder = folder if folder is not None else user_cache_folder(root, "records")
        # a cache folder inside the tree (a home folder holding it, the tree at ~): none
        self.usable = not really_inside(self.folder, root)
        self.racy = racy
        self.path = self.folder / CACHE_FILE
        self.key = key
        # kind -> path -> [size, mtime_ns, record, problems]
        self.files: dict[str, dict[str, Any]] = {kind: {} for kind in KINDS}
        self.ballots: dict[str, list[Any]] = {}
        self.stored_checks: tuple[str, list[StoredProblem]] | None = None
        self.changed = False
        self.reads = 0  # files the loader read this time rather than took from here
        self._written_ns = 0
        self._read()

    def _read(self) -> None:
        files: dict[str, dict[str, Any]] = {kind: {} for kind in KINDS}
        ballots: dict[str, list[Any]] = {}
        checks = None
        validate = _part_adapter().validate_json
        if not self.usable:
            return
        try:
            # only a regular file of a sane size, never through a link, never blocking: a
            # pipe, /dev/zero or a huge sparse file where the cache was is simply a miss
            descriptor = platform.open_read_nonblocking(self.path, follow=False)
            info = os.fstat(descriptor)
            if not stat.S_ISREG(info.st_mode) or info.st_size > MAX_CACHE_BYTES:
                os.close(descriptor)
                return
            self._written_ns = info.st_mtime_ns
            with os.fdopen(descriptor, "rb") as handle:
                if handle.readline().rstrip(b"\n") != self.key:
                    return
                for line in handle:
                    part = validate(line)
                    for kind in KINDS:
                        files[kind].update(_without_empty_lists(getattr(part, kind)))
                    ballots.update(part.ballots)
                    checks = part.checks or checks
        except (OSError, ValueError):  # pydantic's ValidationError is a ValueError
            return  # unreadable, foreign, any part damaged: every file is a miss
        self.files, self.ballots, self.stored_checks = files, ballots, checks

    def _fresh(self, entry: object, fields: int, size: int, stamp: int, changed_ns: int) -> bool:
        """An entry of the right shape for a file of this size and stamp, older than the
        cache."""
        return (
            isinstance(entry, (list, tuple))
            and len(entry) == fields
            and entry[0] == size
            and entry[1] == stamp
            and (not self.racy or changed_ns < self._written_ns)
        )

    def file(
        self, kind: str, rel_path: str, size: int, stamp: int, changed_ns: int = 0
    ) -> tuple[Any, list[Any]] | None:
        """The record (validated with the whole file) and stored problems of a record file,
        if its entry is fresh: the same size and stamp (see ``loader.disk_stamp``), and --
        as git does for its index -- the file unchanged since before the cache was written,
        since one changed in the same clock tick could keep its times."""
        entry = self.files[kind].get(rel_path)
        # validating the file made every entry a 4-tuple
        if entry is None or entry[0] != size or entry[1] != stamp:
            return None
        if self.racy and changed_ns >= self._written_ns:
            return None  # changed in the tick the cache was written in, maybe: read again
        return entry[2], entry[3]

    def put_file(
        self,
        kind: str,
        rel_path: str,
        size: int,
        stamp: int,
        record: Any,
        problems: Iterable[Problem],
    ) -> None:
        stored = [problem_to_stored(p) for p in problems]
        # no problems: the one empty tuple, as ``_without_empty_lists`` reads them
        self.files[kind][rel_path] = (size, stamp, record, stored or ())
        self.changed = True

    def checks(self, fingerprint: str) -> list[StoredProblem] | None:
        """The problems of the checks across files, if worked out from the same files."""
        if self.stored_checks is None or self.stored_checks[0] != fingerprint:
            return None
        return self.stored_checks[1]

    def put_checks(self, fingerprint: str, problems: Iterable[Problem]) -> None:
        self.stored_checks = (fingerprint, [problem_to_stored(p) for p in problems])
        self.changed = True

    def ballot(
        self,
        rel_path: str,
        size: int,
        stamp: int,
        changed_ns: int,
        subjects: list[str],
        team: str,
        ratings: list[str],
    ) -> BallotEntry | None:
        entry = self.ballots.get(rel_path)
        if not self._fresh(entry, 7, size, stamp, changed_ns):
            return None
        assert isinstance(entry, list)  # for mypy: _fresh checked it
        _, _, was_subjects, was_team, was_ratings, counts, problems = entry
        if (was_subjects, was_team, was_ratings) != (subjects, team, ratings):
            return None
        if counts is not None and not _counts_shape(counts):
            return None
        if not isinstance(problems, list):
            return None
        stored = None if counts is None else (counts[0], counts[1], counts[2])
        return BallotEntry(size, stamp, subjects, team, ratings, stored, problems)

    def put_ballot(self, rel_path: str, entry: BallotEntry) -> None:
        self.ballots[rel_path] = [
            entry.size,
            entry.stamp,
            entry.subjects,
            entry.team,
            entry.ratings,
            None if entry.counts is None else list(entry.counts),
            entry.problems,
        ]
        self.changed = True

    def keep_only(self, files: set[str], ballots: set[str]) -> None:
        """Forget entries of files that are gone (deleted, renamed)."""
        kept: list[tuple[dict[str, Any], set[str]]] = [(e, files) for e in self.files.values()]
        for stored, wanted in [*kept, (self.ballots, ballots)]:
            gone = stored.keys() - wanted
            for rel_path in gone:
                del stored[rel_path]
            self.changed = self.changed or bool(gone)

    def save(self) -> bool:
        """Write the cache if anything changed; False when it could not be written. The
        folder is the user's own and made private; the file is written beside and renamed,
        created exclusively and never through a link."""
        if not self.changed or not self.usable:
            return True
        temporary = self.folder / f"{CACHE_FILE}.{os.getpid()}.tmp"
        from duchu.records.models import build_serializers

        build_serializers()
        try:
            private_folder(self.folder)
            with contextlib.suppress(FileNotFoundError):
                os.unlink(temporary)  # a killed run's, of a process with our number
            descriptor = platform.open_no_follow(
                temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600
            )
            with os.fdopen(descriptor, "wb") as handle:
                handle.write(self.key + b"\n")
                for part in self._parts():
                    handle.write(pydantic_core.to_json(part) + b"\n")  # records in Rust
            os.replace(temporary, self.path)
        except (OSError, pydantic_core.PydanticSerializationError):
            with contextlib.suppress(OSError):
                temporary.unlink(missing_ok=True)
            return False
        self.changed = False
        return True

    def _parts(self) -> Iterator[dict[str, Any]]:
        for kind, entries in self.files.items():
            paths = list(entries)
            for start in range(0, len(paths), PART_SIZE):
                yield {kind: {path: entries[path] for path in paths[start : start + PART_SIZE]}}
        yield {"ballots": self.ballots, "checks": self.stored_checks}


def _without_empty_lists(entries: dict[str, Any]) -> Iterator[tuple[str, Any]]:
    """File entries with no problems given one empty tuple for them, not a list each: a
    province's 220,000 were 16 MB. The entries are only read, and written as JSON, where
    a tuple is a list."""
    for rel_path, entry in entries.items():
        yield rel_path, entry if entry[3] else (entry[0], entry[1], entry[2], ())


def _counts_shape(counts: object) -> bool:
    """``[returned, invalid, {subject: {rating: number}}]`` and nothing else."""
    if not (isinstance(counts, list) and len(counts) == 3):
        return False
    returned, invalid, by_subject = counts
    return (
        type(returned) is int
        and type(invalid) is int
        and isinstance(by_subject, dict)
        and all(
            isinstance(by, dict) and all(type(n) is int for n in by.values())
            for by in by_subject.values()
        )
    )


def private_folder(folder: Path) -> None:
    """Make ``folder`` (and the folders above it that are missing) private to the user, and
    refuse to use one that is a link or not a folder: the cache is written only where the
    user alone decides what stands."""
    missing = []
    current = folder
    while not os.path.lexists(current):
        missing.append(current)
        current = current.parent
    for path in reversed(missing):
        with contextlib.suppress(FileExistsError):
            os.mkdir(path, 0o700)
    info = os.lstat(folder)
    if not stat.S_ISDIR(info.st_mode):
        raise NotADirectoryError(str(folder))
    _tag(folder)


def _tag(folder: Path) -> None:
    """Mark duchu's cache root as a cache for backup tools (CACHEDIR.TAG), best effort."""
    for parent in folder.parents:
        if parent.name == "duchu":
            tag = parent / "CACHEDIR.TAG"
            with contextlib.suppress(OSError):
                descriptor = platform.open_no_follow(
                    tag, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600
                )
                with os.fdopen(descriptor, "w", encoding="ascii") as handle:
                    handle.write(
                        "Signature: 8a477f597d28d172789f06886806bc55\n"
                        "# This folder is duchu's cache; see https://bford.info/cachedir/\n"
                    )
            return
