"""The snapshot of a loaded tree, so that a warm run of an unchanged tree reads one file.

The record cache (``duchu.records.cache``) keeps each file's record and problems; making a
province's 220,000 records from it, file by file, costs most of a warm run. When nothing
in the tree changed since the last load -- the same files, each of the same size and stamp
(``parse.disk_stamp``: times in nanoseconds, inode, device), the same problems met finding
them, every ballot file a meeting names resolving to the same file with the same stamp, the
same campaign, duchu version and cache format -- the loaded ``Tree`` is the one the last
load made, and this module keeps it whole, beside the record cache, and gives it back in
one read: a head, then the tree's fields in pieces, each a pickle with a memo of its own
(``write``), so that neither side ever holds a memo of the whole tree. Anything else --
one file changed, added, gone, renamed, a file changed in the clock tick the snapshot was
written in (git's racy rule) -- is a miss, and the loader goes the file-by-file way, which
then writes a new snapshot.

It is pickle, for speed, and pickle can run code; so a snapshot is never trusted because it
is there. It lives in the user's private cache folder, like the record cache (opened only
when a regular file of a sane size, never through a link), and its bytes are signed with a
key of this user's own (HMAC-SHA256; ``snapshot.key`` in duchu's cache folder, 0600, made
once from ``secrets``, refused when not the user's own regular file or readable by others):
a snapshot copied from another machine or account, planted or edited is refused before a
byte of it is unpickled. Even then the unpickler makes nothing but the plain data classes
and enumerations of the records and problems (``_Unpickler.find_class``).
"""

from __future__ import annotations

import contextlib
import dataclasses
import enum
import hashlib
import hmac
import importlib
import io
import operator
import os
import pickle
import stat
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from itertools import islice, repeat
from pathlib import Path
from typing import Any, Protocol

from duchu import platform
from duchu.problems import Problem
from duchu.records.cache import MAX_CACHE_BYTES, private_folder
from duchu.records.tree import Tree, meeting_path

SNAPSHOT_FILE = "tree.snapshot"
KEY_FILE = "snapshot.key"
_MAGIC = b"duchu-snapshot 5\n"  # the format: a snapshot of another is a miss
_MAC_BYTES = 32
_KEY_BYTES = 32
# The modules whose data classes and enumerations a snapshot may hold: the records, the
# appraisals' counts, the problems.
_ALLOWED_MODULES = frozenset(
    {"duchu.records.models", "duchu.records.ballot_counts", "duchu.problems"}
)

# How many entries of one of the tree's dictionaries or lists one pickle of the snapshot
# holds (see ``write``).
_PIECE_ENTRIES = 4096
# The tree's fields keyed by meeting id, pickled beside the meetings they belong to.
_BY_MEETING = ("appraisals", "meeting_units")
# A ballot file a meeting names, as the snapshot compares it: the meeting, the file it
# resolves to (or None), what stopped it, its size and stamp (or None).
BallotStamp = tuple[str, str | None, object, int | None, int | None]


class _Files(Protocol):
    def ballot(self, meeting_file: str, name: str) -> tuple[str | None, str | Problem | None]: ...

    def stamp(self, rel_path: str) -> tuple[int, int, int] | None: ...


@dataclasses.dataclass
class Seen:
    """What a load saw of the folder before reading any file: the digest of the record
    files with their sizes and stamps, in discovery's order, the problems discovery met,
    and the latest time any of them changed."""

    files: bytes
    problems: list[Problem]
    latest_change_ns: int


def look(root: str, files: Iterable[str], problems: list[Problem]) -> Seen | None:
    """Stat every record file (None when one cannot be: the loader reports it).

    The files are kept as one SHA-256 of every path, size and stamp, not as a list: a
    province's 220,000 entries were some 50 MB held through the whole load, and the
    snapshot's copy as much again while it was read."""
    from duchu.records.parse import disk_stamp

    stamps: list[str] = []
    latest = 0
    try:
        for rel_path in files:
            info = os.stat(f"{root}/{rel_path}")  # a str, not a Path: once per file
            stamp, changed_ns = disk_stamp(info)
            # NUL ends each field: no path holds one, so no two lists read alike
            stamps.append(f"{rel_path}\0{info.st_size}\0{stamp}\0")
            latest = max(latest, changed_ns)
    except OSError:
        return None
    digest = hashlib.sha256("".join(stamps).encode("utf-8", "surrogatepass")).digest()
    return Seen(digest, list(problems), latest)


def ballot_stamps(tree: Tree, files: _Files) -> tuple[list[BallotStamp], int]:
    """Where every ballot file a meeting names resolves now, with its stamp, and the latest
    time one of them changed."""
    found: list[BallotStamp] = []
    latest = 0
    for meeting_id, meeting in tree.meetings.items():
        appraisal = meeting.appraisal
        if appraisal is None or appraisal.ballots is None:
            continue
        rel_path, trouble = files.ballot(meeting_path(meeting_id), appraisal.ballots)
        size = stamp = None
        if rel_path is not None:
            stamped = files.stamp(rel_path)
            if stamped is not None:
                size, stamp, changed_ns = stamped
                latest = max(latest, changed_ns)
        found.append((meeting_id, rel_path, trouble, size, stamp))
    return found, latest


def _key_file(folder: Path) -> Path:
    """duchu's own folder of the user's cache (``…/duchu``), above the tree's folders."""
    for parent in folder.parents:
        if parent.name == "duchu":
            return parent / KEY_FILE
    return folder.parent / KEY_FILE


def _secret(folder: Path, *, create: bool) -> bytes | None:
    """This user's signing key, made the first time (when ``create``); None when there is
    none or it is not sound: not a regular file of the right size, not the user's own, or
    readable by anyone else."""
    path = _key_file(folder)
    try:
        descriptor = platform.open_read_nonblocking(path, follow=False)
    except FileNotFoundError:
        if not create:
            return None
        return _new_secret(path)
    except OSError:
        return None
    with os.fdopen(descriptor, "rb") as handle:
        info = os.fstat(handle.fileno())
        sound = stat.S_ISREG(info.st_mode) and info.st_size == _KEY_BYTES
        if not sound or not platform.private_to_user(info):
            return None
        secret = handle.read(_KEY_BYTES + 1)
    return secret if len(secret) == _KEY_BYTES else None


def _new_secret(path: Path) -> bytes | None:
    import secrets

    secret = secrets.token_bytes(_KEY_BYTES)
    try:
        private_folder(path.parent)
        descriptor = platform.open_no_follow(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # another duchu made it meanwhile: use theirs
        return _secret(path.parent, create=False)
    except OSError:
        return None
    with os.fdopen(descriptor, "wb") as handle:
        handle.write(secret)
    return secret


# --- making records fast ----------------------------------------------------------------
#
# A frozen dataclass with slots unpickles through ``dataclasses``' own ``__setstate__``,
# which asks ``fields()`` again and sets each field through ``object.__setattr__``: 18 µs a
# record, most of a warm run. Pickled as ``_made(class, *values)`` instead, each is made by
# setting its slots' descriptors directly, looked up once per class.

_SETTERS: dict[type, list[Any]] = {}
# runs an iterator to its end, in C
_drain: Callable[[Iterable[object]], None] = deque[object](maxlen=0).extend


def _setters(cls: type) -> list[Any]:
    found = _SETTERS.get(cls)
    if found is None:
        names = [f.name for f in dataclasses.fields(cls)]
        found = _SETTERS[cls] = [cls.__dict__[name].__set__ for name in names]
    return found


def _made(cls: type, *values: object) -> object:
    """A record (or problem) of ``cls`` with its fields' values, in order, as pickled."""
    setters = _SETTERS.get(cls) or _setters(cls)
    if len(values) != len(setters):
        raise pickle.UnpicklingError(f"{cls.__name__} has other fields now")
    made: object = object.__new__(cls)
    _drain(map(operator.call, setters, repeat(made), values))
    return made


def shapes() -> bytes:
    """The fields of every class a snapshot may hold, in order: a snapshot made when they
    were others (a field added, renamed, moved) is a miss."""
    described = []
    for module in sorted(_ALLOWED_MODULES):
        for name, value in sorted(vars(importlib.import_module(module)).items()):
            mine = isinstance(value, type) and value.__module__ == module
            if mine and dataclasses.is_dataclass(value):
                fields = ",".join(f.name for f in dataclasses.fields(value))
                described.append(f"{module}.{name}({fields})")
    return hashlib.sha256("\n".join(described).encode()).hexdigest().encode()


def _slotted(value: object) -> bool:
    cls = type(value)
    return (
        cls.__module__ in _ALLOWED_MODULES
        and dataclasses.is_dataclass(cls)
        and "__slots__" in cls.__dict__
    )


class _Pickler(pickle.Pickler):
    """Pickles records as ``_made(class, *values)``; a text field equal to one met before
    in the same piece is given as that one, so the memo writes it once and the unpickler
    makes one text for all (a kind's name, a unit's id, a date: each file's parse made its
    own)."""

    def __init__(self, file: Any) -> None:
        super().__init__(file, protocol=5)
        self.texts: dict[str, str] = {}

    def reducer_override(self, obj: Any) -> Any:
        if _slotted(obj):
            cls = type(obj)
            texts = self.texts
            values = [getattr(obj, f.name) for f in dataclasses.fields(cls)]
            return _made, (cls, *(texts.setdefault(v, v) if type(v) is str else v for v in values))
        return NotImplemented


class _Unpickler(pickle.Unpickler):
    """Makes the records' and problems' data classes and enumerations, nothing else."""

    def find_class(self, module: str, name: str) -> Any:
        if (module, name) == (__name__, "_made"):
            return _made
        if module in _ALLOWED_MODULES:
            found = getattr(importlib.import_module(module), name, None)
            if (
                isinstance(found, type)
                and found.__module__ == module
                and (dataclasses.is_dataclass(found) or issubclass(found, (enum.Enum, str)))
            ):
                return found
        raise pickle.UnpicklingError(f"not in a snapshot: {module}.{name}")


def read(folder: Path, key: bytes, seen: Seen, root: Path, files: _Files) -> Tree | None:
    """The tree the last load made, if the snapshot is sound and nothing changed since."""
    secret = _secret(folder, create=False)
    if secret is None:
        return None
    try:
        descriptor = platform.open_read_nonblocking(folder / SNAPSHOT_FILE, follow=False)
    except OSError:
        return None
    with os.fdopen(descriptor, "rb") as handle:
        info = os.fstat(handle.fileno())
        if not stat.S_ISREG(info.st_mode) or info.st_size > MAX_CACHE_BYTES:
            return None
        if seen.latest_change_ns >= info.st_mtime_ns:
            return None  # a file changed in the tick the snapshot was written in, maybe
        if handle.read(len(_MAGIC)) != _MAGIC:
            return None
        signature = handle.read(_MAC_BYTES)
        stored = _signed_load(handle, secret, signature, (key, seen.files, seen.problems))
    if stored is None:
        return None
    was_ballots, state = stored
    try:
        tree = Tree(root=root, **state)
    except Exception:  # any fault in a snapshot is a miss, never an error
        return None
    ballots, latest = ballot_stamps(tree, files)
    if ballots != was_ballots or latest >= info.st_mtime_ns:
        return None
    return tree


class _Signing:
    """The snapshot's bytes as the unpickler reads them, each also fed to the signature's
    check: what is checked is exactly what was read, with no copy of the whole file in
    memory (a province's is ~70 MB) and no second read that could differ from the first."""

    def __init__(self, handle: io.BufferedReader, secret: bytes) -> None:
        self.handle = handle
        self.mac = hmac.new(secret, digestmod="sha256")

    def read(self, size: int = -1) -> bytes:
        data = self.handle.read(size)
        self.mac.update(data)
        return data

    def readinto(self, buffer: Any) -> int:
        count = self.handle.readinto(buffer)
        self.mac.update(memoryview(buffer)[:count])
        return count

    def readline(self) -> bytes:
        data = self.handle.readline()
        self.mac.update(data)
        return data


class _SigningWriter:
    """A file the pickler writes to, each piece also fed to the signature."""

    def __init__(self, handle: Any, secret: bytes) -> None:
        self.handle = handle
        self.mac = hmac.new(secret, digestmod="sha256")

    def write(self, data: Any) -> int:
        self.mac.update(data)
        written: int = self.handle.write(data)
        return written


def _signed_load(
    handle: io.BufferedReader, secret: bytes, signature: bytes, seen: tuple[object, ...]
) -> tuple[Any, dict[str, Any]] | None:
    """The ballots' stamps and the tree's fields the snapshot holds, or None unless it was
    made of what ``seen`` (key, files, problems) is now and every byte of it is signed with
    ``secret``. The unpickler makes records as it reads (nothing but records and problems:
    see ``_Unpickler``); they are thrown away unless the signature holds for the whole
    file. A head that does not match is a miss before anything else is read: a forged one
    can only make the loader read every file, as deleting the snapshot would.

    Each piece is a pickle of its own, read by an unpickler of its own (see ``write``)."""
    signed = _Signing(handle, secret)
    state: dict[str, Any] = {}
    try:
        *was_seen, was_ballots = _Unpickler(signed).load()
        if tuple(was_seen) != seen:
            return None
        while (piece := _Unpickler(signed).load()) is not None:
            name, how, part, joined = piece
            if how == "items":
                state.setdefault(name, {}).update(part)
                for other, entries in joined.items():
                    state.setdefault(other, {}).update(entries)
            elif how == "list":
                state.setdefault(name, []).extend(part)
            elif name not in state:
                state[name] = part
            else:
                return None
    except Exception:  # any fault in a snapshot is a miss, never an error
        return None
    signed.read()  # nothing should follow; if anything does, it is signed too
    if not hmac.compare_digest(signature, signed.mac.digest()):
        return None
    return was_ballots, state


def _pieces(state: dict[str, Any]) -> Iterator[tuple[str, str, object, dict[str, Any]]]:
    """The tree's fields in pieces of at most ``_PIECE_ENTRIES`` entries each: (field, how,
    part, joined), where how is "items" (a part of a dictionary's items), "list" (a part of
    a list) or "whole". The fields keyed by meeting (``_BY_MEETING``) go with the part of
    ``meetings`` they belong to, in ``joined``, when they follow its order: a meeting's
    appraisal counts are the very dictionary ``appraisals`` holds, and a meeting's id one
    text in all three, which a piece of their own would copy."""
    meetings = state["meetings"]
    joined = [name for name in _BY_MEETING if _follows(state[name], meetings)]
    for name, value in state.items():
        if name in joined:
            continue
        if name == "meetings" or (isinstance(value, dict) and len(value) > _PIECE_ENTRIES):
            items = iter(value.items())
            while part := list(islice(items, _PIECE_ENTRIES)):
                with_part = {
                    other: [
                        (ident, state[other][ident]) for ident, _ in part if ident in state[other]
                    ]
                    for other in (joined if name == "meetings" else [])
                }
                yield name, "items", part, with_part
        elif isinstance(value, list) and len(value) > _PIECE_ENTRIES:
            for start in range(0, len(value), _PIECE_ENTRIES):
                yield name, "list", value[start : start + _PIECE_ENTRIES], {}
        else:
            yield name, "whole", value, {}


def _follows(by_meeting: dict[str, object], meetings: dict[str, object]) -> bool:
    """Whether ``by_meeting``'s keys are meetings' keys, in the same order."""
    return list(by_meeting) == [ident for ident in meetings if ident in by_meeting]


def write(folder: Path, key: bytes, seen: Seen, tree: Tree, files: _Files) -> None:
    """Keep ``tree`` as the snapshot of what ``seen`` saw; best effort, like the cache."""
    ballots, _ = ballot_stamps(tree, files)
    state = {f.name: getattr(tree, f.name) for f in dataclasses.fields(Tree) if f.name != "root"}
    temporary = folder / f"{SNAPSHOT_FILE}.{os.getpid()}.tmp"
    try:
        secret = _secret(folder, create=True)
        if secret is None:
            return
        private_folder(folder)
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temporary)  # a killed run's, of a process with our number
        descriptor = platform.open_no_follow(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "wb") as handle:
            # written as it is pickled (no copy of it all in memory), signed as it goes;
            # the signature, at the head, filled in last
            handle.write(_MAGIC + bytes(_MAC_BYTES))
            signing = _SigningWriter(handle, secret)
            _Pickler(signing).dump((key, seen.files, seen.problems, ballots))
            # A pickle per piece, each with a memo of its own: one pickle of the whole
            # tree kept every object it met in its memo (and the tuple of each record's
            # values, made for it alone), as did the unpickler, some 120 MB at 20,000
            # units above the tree itself. Texts shared across pieces are then copied,
            # which costs less.
            for piece in _pieces(state):
                _Pickler(signing).dump(piece)
            _Pickler(signing).dump(None)
            handle.seek(len(_MAGIC))
            handle.write(signing.mac.digest())
        os.replace(temporary, folder / SNAPSHOT_FILE)
    except (OSError, pickle.PicklingError, RecursionError):
        with contextlib.suppress(OSError):
            temporary.unlink(missing_ok=True)
