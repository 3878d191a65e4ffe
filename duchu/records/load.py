"""Loading a records tree: discovery, reading, validation and checks, all problems collected.

``load_tree(root)`` never stops at the first problem. Each file goes through one pipeline
(read, decode, parse, validate) and yields its record or its problems; then the checks of
``duchu.records.checks`` run over everything that loaded; last, problems are given their line and
column -- composing again only the files that have problems -- and sorted by file and line.
A record that failed validation still counts as existing, so one typo in a unit file does
not also make every meeting of that unit an "unknown unit".

This module reads the folder on disk and holds the steps together; each step has its own
module: ``tree`` (the Tree and its order), ``discover`` (finding the files), ``parse`` (one
file to one record), ``parallel`` (many files on every core), ``finish`` (appraisals, checks,
problems placed) and ``known`` (the tree as a commit holds it).
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from duchu.answers import depends_on
from duchu.paths import inside, really_inside
from duchu.problems import Problem
from duchu.records import snapshot
from duchu.records.cache import (
    CACHE_FILE,
    RecordCache,
    cache_key,
    user_cache_folder,
)
from duchu.records.discover import Discovered, bad_name, discover, readable_name, unreadable
from duchu.records.finish import (
    FilesFingerprint,
    cyclic_gc_paused,
    finish_load,
    remember,
    store_result,
)
from duchu.records.parallel import Progress, load_files, usable_cores
from duchu.records.parse import (
    MAX_FILE_BYTES,
    FileResult,
    cached_result,
    disk_stamp,
    read_regular,
)
from duchu.records.tree import (
    CAMPAIGN_FILE,
    NoRecordsError,
    Tree,
)

# What the judges, renderers and commands import from here, kept while their imports move to
# the modules that define these (tree, parse, parallel, known).


def _cache_key(root: Path, files: list[str]) -> bytes:
    campaign = b""
    if CAMPAIGN_FILE in files:  # never read through a link that leaves the tree
        campaign = read_regular(root / CAMPAIGN_FILE, MAX_FILE_BYTES) or b""
    return cache_key(campaign)


def _from_cache(root: str, rel_path: str, cache: RecordCache) -> FileResult | None:
    """The cached result of a file, if the file is unchanged and its problems are sound."""
    try:
        info = os.stat(f"{root}/{rel_path}")  # a str, not a Path: this runs for every file
    except OSError:
        return None
    stamp, changed_ns = disk_stamp(info)
    return cached_result(cache, rel_path, info.st_size, stamp, changed_ns)


def _load_warm(root: Path, jobs: int, progress: Progress | None) -> Tree:
    """The tree through the cache: whole from its snapshot when nothing changed
    (``duchu.records.snapshot``), else file by file, then snapshotted for the next run."""
    found = discover(root)
    key = _cache_key(root, found.files)
    folder = user_cache_folder(root, "records")
    if really_inside(folder, root):  # duchu writes nothing into a tree (RecordCache too)
        return _load_files(root, found, RecordCache(root, key), jobs, progress)
    seen = snapshot.look(str(root), found.files, found.problems)
    files = _DiskFiles(root)
    if seen is not None:
        kept = snapshot.read(folder, _with_cache_stamp(key, folder), seen, root, files)
        if kept is not None:
            return kept
    tree = _load_files(root, found, RecordCache(root, key), jobs, progress)
    if seen is not None:  # after the record cache was written: its stamp is the new one
        snapshot.write(folder, _with_cache_stamp(key, folder), seen, tree, files)
    return tree


def _with_cache_stamp(key: bytes, folder: Path) -> bytes:
    """The snapshot's key: the cache's, the fields of the records' classes, and the record
    cache file as it stands -- the snapshot is of what that file gave, and holds only while
    it is untouched."""
    key = b"%s %s" % (key, snapshot.shapes())
    try:
        info = os.lstat(folder / CACHE_FILE)
    except OSError:
        return key + b" -"
    return b"%s %d %d %d %d" % (key, info.st_size, info.st_mtime_ns, info.st_ino, info.st_dev)


class _DiskFiles:
    """The records tree as it stands in its folder."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.root_real = root.resolve()

    def raw(self, rel_path: str) -> bytes:
        return (self.root / rel_path).read_bytes()

    def ballot(self, meeting_file: str, name: str) -> tuple[str | None, str | Problem | None]:
        target = Path(os.path.normpath(self.root / meeting_file)).parent / name
        depends_on(str(target))  # what the answer of this command depends on, beyond the tree
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
    with cyclic_gc_paused():
        return _load_tree(root, use_cache, jobs or usable_cores(), progress)


def _load_tree(root: Path, use_cache: bool, jobs: int, progress: Progress | None) -> Tree:
    if use_cache:
        return _load_warm(root, jobs, progress)
    return _load_files(root, discover(root), None, jobs, progress)


def _load_files(
    root: Path, found: Discovered, cache: RecordCache | None, jobs: int, progress: Progress | None
) -> Tree:
    tree = Tree(root=root)
    tree.problems.extend(found.problems)
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
    loaded = load_files(root, misses, jobs, progress, total - len(misses), total)
    for result in loaded:
        results[result.path] = result
        if cache is not None:
            remember(cache, result)
    stamps = FilesFingerprint()
    for rel_path in found.files:  # stored in discovery order, whatever order they loaded in
        # let go of once stored: only its stamp is asked after, and goes into the checks'
        # fingerprint now (a province's 220,000 results, or their stamps, were some 30 MB
        # at the peak of a load)
        result = results.pop(rel_path)
        tree.files += 1
        tree.problems.extend(result.problems)
        store_result(tree, rel_path, result)
        stamps.add(result)
    return finish_load(tree, _DiskFiles(root), cache, found.files, stamps)
