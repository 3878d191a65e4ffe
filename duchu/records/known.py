"""The records tree as a commit holds it (``--known``, the hooks): read from git's objects,
never checked out, links followed as on disk, parsed files cached by their blob ids."""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path
from typing import TYPE_CHECKING

from duchu.problems import Problem, problem
from duchu.records.cache import (
    RecordCache,
    cache_key,
)
from duchu.records.discover import (
    IS_A_FOLDER,
    LINK_LOOP,
    NOTHING_THERE,
    Discovered,
    bad_name,
    hidden_file,
    hidden_record_name,
    ignored_file,
    ignored_record_name,
    readable_name,
    shown_path,
    unreadable,
)
from duchu.records.finish import (
    FilesFingerprint,
    cyclic_gc_paused,
    finish_load,
    remember,
    store_result,
)
from duchu.records.parallel import (
    Blob,
    Progress,
    in_workers,
    parse_chunk,
    parse_chunk_to_ship,
    usable_cores,
)
from duchu.records.parse import MAX_FILE_BYTES, FileResult, cached_result, refusal
from duchu.records.tree import CAMPAIGN_FILE, NoRecordsError, Tree

if TYPE_CHECKING:
    from duchu.git.objects import BlobReader, TreeEntry

# --- the tree as committed (``--known``) ------------------------------------------------------

_REGULAR_MODES = ("100644", "100755")
_LINK_MODE = "120000"
# the folders of records; those whose files may lie in sub-folders (ids are paths there)
_FOLDERS = ("groups", "units", "meetings", "notices")
_NESTED = ("meetings", "notices")


class CommitFiles:
    """A records tree as one commit holds it, read from git's objects: nothing is checked
    out and the working tree is never touched. ``entries`` are the commit's files under the
    records root (``duchu.git.objects.tree_entries``); ``reader`` reads their blobs.

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
                in_records = head in _FOLDERS or head.startswith(("meetings/", "notices/"))
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
                        found.problems.append(unreadable(inner, IS_A_FOLDER))
                    continue
            elif folder not in _FOLDERS:
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
                    if folder not in _NESTED and rel_path not in folders:
                        folders.add(rel_path)
                        found.problems.append(unreadable(rel_path, IS_A_FOLDER))
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
            return unreadable(rel_path, LINK_LOOP)
        if code == "ballots-missing":  # a link to no file of the commit
            return unreadable(rel_path, NOTHING_THERE)
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


_PLACE = {"campaign.yaml": 0, "groups": 1, "units": 2, "meetings": 3, "notices": 4}


def _discovery_order(rel_path: str) -> tuple[int, str]:
    return (_PLACE.get(rel_path.partition("/")[0], 5), rel_path)


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
    from duchu.git.objects import BlobReader, tree_entries

    entries = tree_entries(root, commit, bare=bare)
    if not any(entry.path == CAMPAIGN_FILE for entry in entries):
        raise NoRecordsError(root)
    with cyclic_gc_paused(), BlobReader(root, bare=bare) as reader:
        files = CommitFiles(entries, reader)
        tree = Tree(root=root)
        found = files.discover()
        tree.problems.extend(found.problems)
        cache = None
        if cache_folder is not None:
            campaign_entry = files.entries[CAMPAIGN_FILE]
            key = cache_key(campaign_entry.blob.encode())
            cache = RecordCache(root, key, folder=cache_folder, racy=False)
        results: dict[str, FileResult] = {}
        misses: list[Blob] = []
        for rel_path in found.files:
            entry = files.entry(rel_path)
            size, stamp = entry.size or 0, blob_stamp(entry.blob)
            hit = _cached(cache, rel_path, size, stamp) if cache is not None else None
            if hit is not None:
                results[rel_path] = hit
                continue
            refused = refusal(rel_path, size)
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
        work = in_workers(
            parse_chunk,
            parse_chunk_to_ship,
            misses,
            jobs or usable_cores(),
            progress,
            total - len(misses),
            total,
        )
        for result in work:
            results[result.path] = result
            if cache is not None:
                remember(cache, result)
        stamps = FilesFingerprint()
        for rel_path in found.files:
            result = results.pop(rel_path)  # let go of once stored (see ``load``)
            tree.files += 1
            tree.problems.extend(result.problems)
            store_result(tree, rel_path, result)
            stamps.add(result)
        return finish_load(tree, files, cache, found.files, stamps)


def _cached(cache: RecordCache, rel_path: str, size: int, stamp: int) -> FileResult | None:
    return cached_result(cache, rel_path, size, stamp)
