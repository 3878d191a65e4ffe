"""The working tree against HEAD: the commit checked out and whether the records have
uncommitted changes (``head_state``), worked out from git's listings and hashed here, never by
``git status`` (which would run a repository's filters and fsmonitor hook); and what the site
asks git in one go (``checkout_and_dates``)."""

from __future__ import annotations

import hashlib
import os
import re
import stat
from datetime import date
from pathlib import Path

from duchu.errors import (
    GitFailedError,
    NotAGitRepositoryError,
)
from duchu.git.history import FileDates, ReportRule, file_dates
from duchu.git.run import _git, _git_together, _head, _one_line, _prefix, repository_root

# A working file larger than this counts as changed without being read.
HASH_LIMIT = 64 * 1024 * 1024


# --- the working tree against HEAD -------------------------------------------------------
# Everything here works on paths as bytes, as git writes them: a province has some 220,000
# files, and this runs before every report.

# ls-files --stage --debug: "mode id stage<TAB>path<NUL>" and then five lines of the file's
# state when git last wrote or hashed it.
_DEBUG_ENTRY = re.compile(
    rb"\d{6} ([0-9a-f]+) (\d)\t([^\0]*)\0"
    rb"  ctime: (\d+):(\d+)\n  mtime: (\d+):(\d+)\n  dev: \d+\tino: (\d+)\n"
    rb"  uid: \d+\tgid: \d+\n  size: (\d+)\tflags: [0-9a-f]+\n"
)
_STAGE_ENTRY = re.compile(rb"\d{6} ([0-9a-f]+) (\d)\t([^\0]*)\0")
# (blob, stage, and -- when known -- ctime s, ctime ns, mtime s, mtime ns, inode, size)


def _index(top: Path, spec: list[str], out: bytes) -> dict[bytes, tuple[bytes, ...]]:
    """The index entries under the pathspec, path -> (blob, stage, file state...), from the
    output of ``ls-files -z --stage --debug``.

    The file state comes from ``--debug``, whose layout git does not promise: if it ever
    changes, the entries come without it and every file is hashed instead.
    """
    found = _DEBUG_ENTRY.findall(out)
    if len(found) != out.count(b"\0"):  # one NUL per entry: every entry must have matched
        out = _git(["ls-files", "-z", "--stage", *spec], top)
        found = _STAGE_ENTRY.findall(out)
        if len(found) != out.count(b"\0"):
            raise GitFailedError("unexpected git ls-files output")
    return {entry[2]: entry[:2] + entry[3:] for entry in found}


def _committed(out: bytes) -> dict[bytes, tuple[bytes, bytes]]:
    """HEAD's files from ``ls-tree -r -z``: path -> (mode, blob)."""
    files = {}
    for record in out.split(b"\0"):
        if record:
            meta, _, path = record.partition(b"\t")
            mode, _, blob = meta.split(b" ")
            files[path] = (mode, blob)
    return files


def _vouched(state: tuple[bytes, ...], info: os.stat_result, written: int | None) -> bool:
    """Whether git vouches for the file: it is as it was when git last wrote or hashed it
    (git's own test: ctime, mtime, inode and size as recorded, each cut to 32 bits as the
    index keeps them). A file changed in the same instant as the index was written is
    "racily clean" and must be hashed, as git does."""
    if len(state) < 8 or written is None or info.st_mtime_ns >= written:
        return False
    mask = 0xFFFFFFFF
    return (
        int(state[7]) == info.st_size & mask
        and int(state[5]) == info.st_mtime_ns % 10**9
        and int(state[4]) == (info.st_mtime_ns // 10**9) & mask
        and int(state[3]) == info.st_ctime_ns % 10**9
        and int(state[2]) == (info.st_ctime_ns // 10**9) & mask
        and int(state[6]) == info.st_ino & mask
    )


def _same_content(path: bytes, info: os.stat_result, blob: bytes, algorithm: str) -> bool:
    """Whether the working file's content is ``blob``, hashed here as git would store it.
    A difference of line endings only (CRLF in the file, LF in the commit: what
    ``core.autocrlf`` and ``eol`` attributes do to a checkout) is no difference."""
    if info.st_size > HASH_LIMIT:
        return False  # not read: counted as changed
    try:
        with open(path, "rb") as file:
            data = file.read()
    except OSError:
        return False
    if _blob_id(data, algorithm) == blob:
        return True
    return b"\r\n" in data and _blob_id(data.replace(b"\r\n", b"\n"), algorithm) == blob


def _blob_id(data: bytes, algorithm: str) -> bytes:
    """The id git gives ``data`` as a blob, in the repository's hash (sha1 or sha256)."""
    digest = hashlib.new(algorithm, b"blob %d\0" % len(data))
    digest.update(data)
    return digest.hexdigest().encode("ascii")


def _records_dirty(top: Path, prefix: str, head: str | None) -> bool:
    """Whether the files under ``prefix`` differ from HEAD's: changed, deleted, or new and
    not ignored. Computed without ``git status`` or ``git diff``, which would run the
    repository's clean filters and fsmonitor hook: git only lists (the untracked files, the
    index, HEAD's tree) and the contents are compared here."""
    spec = ["--", prefix] if prefix else []
    listings = [
        ["ls-files", "-z", "--others", "--exclude-standard", *spec],
        ["ls-files", "-z", "--stage", "--debug", *spec],
    ]
    if head is not None:  # no "--" after --end-of-options: ls-tree would take it for a path
        listings.append(["ls-tree", "-r", "-z", "--full-tree", "--end-of-options", head, *spec[1:]])
    untracked, index_listing, *tree_listing = _git_together(listings, top)
    # duchu's own cache (duchu.records.cache.CACHE_DIR) is not records, ignored by .gitignore or not
    cache = os.fsencode(prefix) + b".duchu-cache/"
    if any(path and not path.startswith(cache) for path in untracked.split(b"\0")):
        return True
    indexed = _index(top, spec, index_listing)
    if any(entry[1] != b"0" for entry in indexed.values()):
        return True  # a merge with conflicts under way
    committed = _committed(tree_listing[0]) if tree_listing else {}
    base = os.fsencode(top) + b"/"
    for path in indexed.keys() - committed.keys():
        if os.path.lexists(base + path):  # added to the index, never committed
            return True
    algorithm = _one_line(_git(["rev-parse", "--show-object-format"], top)) or "sha1"
    index_file = top / _one_line(_git(["rev-parse", "--git-path", "index"], top))
    try:
        written: int | None = index_file.stat().st_mtime_ns
    except OSError:
        written = None
    lstat, is_file, is_link = os.lstat, stat.S_ISREG, stat.S_ISLNK
    for path, (mode, blob) in committed.items():
        if mode == b"160000":
            continue  # a submodule: its own repository, not records
        file = base + path
        try:
            info = lstat(file)
        except OSError:
            return True  # deleted
        if mode == b"120000":  # a symbolic link: its target is its content
            if not is_link(info.st_mode) or _blob_id(os.readlink(file), algorithm) != blob:
                return True
            continue
        if not is_file(info.st_mode):
            return True
        # Where git vouches for the file, its index entry tells the content: that spares
        # reading a province's files one by one, and lets files git converted on checkout
        # (line endings, filters such as LFS) count as unchanged without running a filter.
        entry = indexed.get(path)
        if entry is not None and entry[0] == blob and _vouched(entry, info, written):
            continue
        if not _same_content(file, info, blob, algorithm):
            return True
    return False


def head_state(root: Path) -> tuple[str | None, bool]:
    """The commit checked out (None before the first commit) and whether the records
    under ``root`` have uncommitted changes."""
    top = repository_root(root)
    head = _head(top)
    return head, _records_dirty(top, _prefix(root, top), head)


def checkout_and_dates(
    root: Path, day: date | None, rule: ReportRule | None = None
) -> tuple[tuple[str | None, bool] | None, FileDates | None]:
    """What the site asks git, in one go (``duchu.records.parallel.in_worker`` runs it
    beside the loading): the commit checked out and whether the records have changes beside
    it, and, given the as-of day, every file's dates; None where the tree is not in git."""
    try:
        state = head_state(root)
    except NotAGitRepositoryError:
        return None, None
    return state, file_dates(root, day, rule=rule) if day is not None else None
