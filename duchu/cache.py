"""The cache of loaded record files, so that a second run skips reading and parsing.

For each record file the cache keeps what loading it gave: its validated record and its
problems, already placed at their line and column. For each ballot CSV it keeps the counts
and problems, together with the subjects and ratings they were read against. And for the
tree as a whole, the problems of the checks across files, with a fingerprint of every file
they were worked out from; they are used only when every file is a hit and the fingerprint
is the same, so a warm load reports exactly the problems of a cold one.

An entry is used only when its file's size and modification time (ns) are what they were,
and -- as git does for its index -- only when the file is older than the cache file itself:
a file changed in the same clock tick as the cache was written could otherwise keep its
time and be missed. The whole cache is dropped when duchu's version, the cache format or
the campaign file changes. The cache lives in ``<root>/.duchu-cache/`` (``duchu init``
git-ignores it, and the folder ignores itself for trees made by hand).

It is JSON, not pickle: a records tree is shared, and loading a planted cache must not run
code. After a header line (magic, format, version, campaign digest) each line holds a part
of the entries, parsed and validated in one pass by pydantic (``validate_json``, in Rust)
against the record models, so the cache cannot smuggle in a record the models would refuse
-- and that pass is also the fastest way to make the records again.
Anything wrong with it -- unreadable, truncated, foreign, from another version, an entry
of the wrong shape -- is a miss, and writing it is best effort: a read-only tree simply
has no cache.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
from collections.abc import Collection, Iterable, Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import pydantic_core
from pydantic import ConfigDict, Field, StrictInt, StrictStr, TypeAdapter
from pydantic import dataclasses as pydantic_dataclasses

from duchu import __version__
from duchu.models import Campaign, Group, Meeting, Unit
from duchu.problems import Problem, Severity

CACHE_DIR = ".duchu-cache"
CACHE_FILE = "records.json"
FORMAT = 4  # 4: meetings of several units, order, accounts (RECORDS.md 1.1)
_MAGIC = b"duchu-cache"
KINDS = ("campaign", "groups", "units", "meetings")

# A problem as stored: its fields in order (path, code, severity, args, line, column, loc,
# anchor, hint, refs, first_loc), tuples as lists.
StoredProblem = list[Any]
_Problems = list[list[Any]]  # checked one by one by ``problem_from_stored`` when used


@pydantic_dataclasses.dataclass(config=ConfigDict(extra="forbid"), frozen=True)
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
    ballots: dict[StrictStr, list[Any]] = Field(default_factory=dict)
    checks: tuple[StrictStr, _Problems] | None = None


PART_SIZE = 2000


@cache
def _part_adapter() -> TypeAdapter[_Part]:
    return TypeAdapter(_Part)


@dataclass
class BallotEntry:
    size: int
    mtime_ns: int
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
    (RECORDS.md 1.1): ``$XDG_CACHE_HOME/duchu``, else ``~/.cache/duchu``, one folder per
    tree, named by a digest of its real path -- outside the tree, so a tree that is copied
    or received carries no cache to trust."""
    base = os.environ.get("XDG_CACHE_HOME") or ""
    home = Path(base) if os.path.isabs(base) else Path.home() / ".cache"
    digest = hashlib.sha256(os.fsencode(os.path.realpath(root))).hexdigest()[:24]
    return home / "duchu" / digest / purpose


class RecordCache:
    """The entries of one records tree's cache, read at the start of a load and written at
    its end when anything changed."""

    def __init__(
        self, root: Path, key: bytes, *, folder: Path | None = None, racy: bool = True
    ) -> None:
        # ``folder``: elsewhere than in the tree (the ``--known`` cache, keyed by blob ids);
        # ``racy``: whether an entry's time can fall in the tick the cache was written in
        # (file times can; a blob's stamp is its content and never changes)
        self.folder = folder if folder is not None else root / CACHE_DIR
        self.outside_tree = folder is not None
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
        try:
            self._written_ns = self.path.stat().st_mtime_ns
            with open(self.path, "rb") as handle:
                if handle.readline().rstrip(b"\n") != self.key:
                    return
                for line in handle:
                    part = validate(line)
                    for kind in KINDS:
                        files[kind].update(getattr(part, kind))
                    ballots.update(part.ballots)
                    checks = part.checks or checks
        except (OSError, ValueError):  # pydantic's ValidationError is a ValueError
            return  # unreadable, foreign, any part damaged: every file is a miss
        self.files, self.ballots, self.stored_checks = files, ballots, checks

    def _fresh(self, entry: object, fields: int, size: int, mtime_ns: int) -> bool:
        """An entry of the right shape for a file of this size and time, older than the cache."""
        return (
            isinstance(entry, (list, tuple))
            and len(entry) == fields
            and entry[0] == size
            and entry[1] == mtime_ns
            and (not self.racy or mtime_ns < self._written_ns)
        )

    def file(
        self, kind: str, rel_path: str, size: int, mtime_ns: int
    ) -> tuple[Any, list[Any]] | None:
        """The record (validated with the whole file) and stored problems of a record file,
        if its entry is fresh."""
        entry = self.files[kind].get(rel_path)
        # validating the file made every entry a 4-tuple
        if entry is None or entry[0] != size or entry[1] != mtime_ns:
            return None
        if self.racy and mtime_ns >= self._written_ns:
            return None  # changed in the tick the cache was written in, maybe: read again
        return entry[2], entry[3]

    def put_file(
        self,
        kind: str,
        rel_path: str,
        size: int,
        mtime_ns: int,
        record: Any,
        problems: Iterable[Problem],
    ) -> None:
        self.files[kind][rel_path] = (
            size,
            mtime_ns,
            record,
            [problem_to_stored(p) for p in problems],
        )
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
        mtime_ns: int,
        subjects: list[str],
        team: str,
        ratings: list[str],
    ) -> BallotEntry | None:
        entry = self.ballots.get(rel_path)
        if not self._fresh(entry, 7, size, mtime_ns):
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
        return BallotEntry(size, mtime_ns, subjects, team, ratings, stored, problems)

    def put_ballot(self, rel_path: str, entry: BallotEntry) -> None:
        self.ballots[rel_path] = [
            entry.size,
            entry.mtime_ns,
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
        """Write the cache if anything changed; False when it could not be written."""
        if not self.changed:
            return True
        temporary = self.folder / f"{CACHE_FILE}.{os.getpid()}.tmp"
        try:
            # a cache folder of the user's own, made private; in a tree, the folder only
            self.folder.mkdir(parents=self.outside_tree, exist_ok=True, mode=0o700)
            _mark_folder(self.folder)
            with open(temporary, "wb") as handle:
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


def _mark_folder(folder: Path) -> None:
    """Make the folder ignore itself in git and mark it as a cache for backup tools."""
    ignore = folder / ".gitignore"
    if not ignore.exists():
        ignore.write_text("# duchu's cache: rebuilt from the records when missing\n*\n")
    tag = folder / "CACHEDIR.TAG"
    if not tag.exists():
        tag.write_text(
            "Signature: 8a477f597d28d172789f06886806bc55\n"
            "# This folder is duchu's cache of loaded records; see https://bford.info/cachedir/\n"
        )
