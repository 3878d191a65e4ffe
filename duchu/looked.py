"""What a kept answer depends on, looked at (``duchu.answers``): every entry of a records
tree's record folders with its stamp, and the state of the git repositories whose history
``status --by group``, ``--stale`` and ``--known`` read.

Imported before anything else, as ``duchu.answers`` is: only what Python has loaded before
any script runs (and ``duchu.platform``).
"""

from __future__ import annotations

import os
import stat
from _blake2 import blake2b  # hashlib's, without the OpenSSL bindings hashlib loads first

from duchu import platform

DIGEST_SIZE = 32  # bytes of every digest of what was looked at


class Looked:
    """What was looked at: a digest of it, and the latest time any of it changed."""

    def __init__(self) -> None:
        self.digest = blake2b(digest_size=DIGEST_SIZE)
        self.latest_change_ns = 0

    def text(self, *parts: object) -> None:
        self.digest.update(repr(parts).encode("utf-8", "surrogatepass") + b"\n")

    def stamp(self, name: str, info: os.stat_result) -> None:
        self.digest.update(
            f"{name}\0{info.st_mode}\0{info.st_size}\0{info.st_mtime_ns}\0{info.st_ctime_ns}"
            f"\0{info.st_ino}\0{info.st_dev}\n".encode("utf-8", "surrogatepass")
        )
        changed = max(info.st_mtime_ns, info.st_ctime_ns)
        if changed > self.latest_change_ns:
            self.latest_change_ns = changed

    def path(self, path: str) -> None:
        """A file or folder by name: its stamp (through links), or why it has none."""
        try:
            self.stamp(path, os.stat(path))
        except OSError as err:
            self.text(path, "absent", err.errno)


def walk(looked: Looked, root: str, folder: str) -> None:
    """Every entry under ``root/folder``, each folder's own stamp taken from its listing; a
    folder reached twice (a loop of links) is listed once. Entries are taken in the order the
    system lists them, which stays the same while a folder is unchanged (and a change is a new
    stamp of the folder anyway). The cost of a warm answer is this walk: one string per
    folder, one digest update, no call per entry but the ``stat``."""
    pending = [folder]
    seen: set[tuple[int, int]] = set()
    update = looked.digest.update
    latest = looked.latest_change_ns
    is_folder = stat.S_ISDIR
    while pending:
        rel = pending.pop()
        try:
            entries = list(os.scandir(f"{root}/{rel}"))
        except OSError as err:
            looked.text(rel, "unlistable", err.errno)
            continue
        lines = [rel]
        for entry in entries:
            try:
                info = entry.stat()
            except OSError as err:
                lines.append(f"{entry.name}\0unstatable {err.errno}")
                continue
            lines.append(
                f"{entry.name}\0{info.st_mode}\0{info.st_size}\0{info.st_mtime_ns}"
                f"\0{info.st_ctime_ns}\0{info.st_ino}\0{info.st_dev}"
            )
            latest = max(latest, info.st_mtime_ns, info.st_ctime_ns)
            if entry.is_symlink():
                lines.append(f"\0link\0{_link_target(entry.path)}")
            if is_folder(info.st_mode) and (info.st_dev, info.st_ino) not in seen:
                seen.add((info.st_dev, info.st_ino))
                pending.append(f"{rel}/{entry.name}")
        update("\n".join(lines).encode("utf-8", "surrogatepass") + b"\n\n")
    looked.latest_change_ns = latest


TREE_PARTS = ("campaign.yaml", "groups", "units", "meetings", "notices")


def _link_target(path: str) -> str:
    """What a link names, or why that cannot be told (removed since it was listed)."""
    try:
        return os.readlink(path)
    except OSError as err:
        return f"\0unreadable {err.errno}"


def look_at_tree(looked: Looked, root: str) -> None:
    looked.text("root", root, os.path.realpath(root))
    for part in TREE_PARTS:
        path = f"{root}/{part}"
        looked.text(part, os.path.realpath(path))
        try:
            looked.stamp(part, os.lstat(path))
            info = os.stat(path)
        except OSError as err:
            looked.text(part, "absent", err.errno)
            continue
        looked.stamp(part, info)
        if stat.S_ISDIR(info.st_mode):
            walk(looked, root, part)


def git_folders(root: str) -> list[tuple[str, str] | None]:
    """Every repository at or above ``root``, nearest first, each as its own folder and the
    common one (they differ in a linked worktree): git takes the nearest that is a sound
    repository, passing over a ``.git`` that is not (an empty folder, a broken file), so
    all are looked at."""
    found: list[tuple[str, str] | None] = []
    folder = os.path.realpath(root)
    while True:
        dot_git = os.path.join(folder, ".git")
        if os.path.isdir(dot_git) or os.path.isfile(dot_git):
            found.append(git_folders_at(dot_git))
        parent = os.path.dirname(folder)
        if parent == folder:
            return found
        folder = parent


def git_folders_at(dot_git: str) -> tuple[str, str] | None:
    """The repository a ``.git`` folder, or a ``.git`` file naming one (``gitdir:``), is."""
    if os.path.isdir(dot_git):
        return dot_git, dot_git
    if not os.path.isfile(dot_git):
        return None
    line = (read_small(dot_git) or b"").strip().decode("utf-8", "surrogateescape")
    if not line.startswith("gitdir:"):
        return None
    own = os.path.join(os.path.dirname(dot_git), line[len("gitdir:") :].strip())
    named = read_small(os.path.join(own, "commondir"))
    common = own if named is None else os.path.join(own, os.fsdecode(named.strip()))
    return own, common


def repositories(root: str, environ: dict[str, str]) -> list[tuple[str, str] | None]:
    """The repository git reads: the one found above ``root``, or the one ``GIT_DIR`` names
    (as git resolves a relative one: from the folder git runs in, the tree's or this one),
    its common folder ``GIT_COMMON_DIR`` when that is set."""
    named = environ.get("GIT_DIR")
    if not named:
        found = git_folders(root)
    else:
        bases = (os.getcwd(), root, os.path.realpath(root))
        found = [git_folders_at(os.path.join(base, named)) for base in bases]
    common = environ.get("GIT_COMMON_DIR")
    if common:
        found = [None if f is None else (f[0], os.path.join(f[0], common)) for f in found]
    return found


def read_small(path: str) -> bytes | None:
    """The first bytes of a regular file; None for anything else -- a FIFO where git keeps a
    file would wait for a writer for ever."""
    try:
        descriptor = platform.open_read_nonblocking(path)
    except OSError:
        return None
    with os.fdopen(descriptor, "rb") as handle:
        try:
            if not stat.S_ISREG(os.fstat(handle.fileno()).st_mode):
                return None
            return handle.read(65536)
        except OSError:
            return None


def look_at_git(looked: Looked, root: str, environ: dict[str, str]) -> None:
    """What git's answers about the tree's history depend on."""
    home = os.path.expanduser("~")
    config_home = environ.get("XDG_CONFIG_HOME") or os.path.join(home, ".config")
    configs = [
        os.path.join(home, ".gitconfig"),
        os.path.join(config_home, "git", "config"),
        "/etc/gitconfig",
    ]
    # files named in the environment instead (git 2.32's GIT_CONFIG_GLOBAL and _SYSTEM)
    configs += [environ[name] for name in _CONFIG_NAMED if environ.get(name)]
    found = repositories(root, environ)
    for repository in found:
        if repository is not None:
            configs += [os.path.join(repository[1], "config")]
            configs += [os.path.join(repository[0], "config.worktree")]
    _look_at_configs(looked, configs, home)
    for repository in found:
        look_at_repository(looked, repository)


_CONFIG_NAMED = ("GIT_CONFIG_GLOBAL", "GIT_CONFIG_SYSTEM", "GIT_CONFIG")


def _look_at_configs(looked: Looked, configs: list[str], home: str) -> None:
    """Each configuration file, and every file one names as ``path = …`` (an ``[include]``
    or ``[includeIf]``, followed as git follows it; a path under another key is looked at
    too, which costs a ``stat`` and says nothing wrong)."""
    seen: set[str] = set()
    pending = list(configs)
    while pending and len(seen) < 64:
        config = pending.pop()
        if config in seen:
            continue
        seen.add(config)
        looked.path(config)
        for line in (read_small(config) or b"").decode("utf-8", "surrogateescape").splitlines():
            key, equals, value = line.partition("=")
            if equals and key.strip().lower() == "path":
                named = value.strip().strip('"')
                if named.startswith("~"):
                    named = home + named[1:]
                pending.append(os.path.join(os.path.dirname(config), named))


def look_at_repository(looked: Looked, found: tuple[str, str] | None) -> None:
    looked.text("git", found)
    if found is None:
        return
    own, common = found
    head = read_small(os.path.join(own, "HEAD"))
    looked.text("HEAD", head)
    for _ in range(8):  # a branch may itself name another (a symbolic ref): git follows five
        if head is None or not head.startswith(b"ref: "):
            break
        ref = head[5:].strip().decode("utf-8", "surrogateescape")
        head = read_small(os.path.join(common, ref))
        looked.text(ref, head)
    for name in ("packed-refs", "shallow", "info/grafts", "objects/info/alternates"):
        looked.path(os.path.join(common, name))
    looked.path(os.path.join(common, "refs", "replace"))
    # refs kept as reftables (git 2.45's ``extensions.refStorage``): every update of a ref
    # writes a new table and names it in tables.list, HEAD and refs/ staying as they were
    looked.path(os.path.join(common, "reftable", "tables.list"))
