"""Writing the site into a folder: whole or not at all, and only ever duchu's own files.

``duchu.render.output`` writes one file beside its target and renames it over; this is its
counterpart for a folder of pages. The folder may hold other things -- a shared drive's
``说明.txt``, last year's site in a sub-folder -- and those are never touched. What duchu
wrote is listed in a manifest, ``.duchu-site.json`` at the top of the folder; only what an
earlier manifest lists is ever replaced or removed.

How a run goes:

1. The folder is checked before any work: not inside the records tree, not a symbolic link
   or a file, its manifest (if any) readable. Folders a killed run left (their process
   gone) are removed.
2. Every page is written into a staging folder inside DIR (``.duchu-site-<pid>.new``; the
   same file system, so renaming out of it cannot fail half way for lack of room). A fault
   here -- no permission, a full disk -- removes the staging folder and leaves DIR as it was.
3. Each top-level entry the new site has (``index.html``, ``units/``, ...) must be free or
   duchu's: an entry the old manifest does not list, a folder holding a file it does not
   list, a symbolic link anywhere among them -- and the run stops, DIR untouched.
4. Then the swap: a manifest naming old and new files both is put in place first (so a run
   killed during the swap leaves nothing the next run would take for someone else's);
   each entry is exchanged with the old one in one step where the system can
   (``renameat2(RENAME_EXCHANGE)`` on Linux), else moved aside and the new one renamed in;
   old entries the new site no longer has are moved aside; the final manifest replaces the
   union; what was moved aside is deleted. A reader of the folder sees each page old or
   new, never half written.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import shutil
import stat
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from duchu import platform
from duchu.errors import DuchuError, os_reason
from duchu.paths import inside
from duchu.render.output import output_what, process_alive

MANIFEST = ".duchu-site.json"
_STAGING_PREFIX = ".duchu-site-"  # .duchu-site-<pid>.new and .duchu-site-<pid>.old
_MANIFEST_LIMIT = 256 * 1024 * 1024  # a province's manifest is a few MB; more is not ours


class SiteFolder:
    """A site being written into ``folder``: ``write`` each page (a path relative to the
    folder, '/'-separated), then ``commit`` -- or ``discard`` on any fault."""

    def __init__(self, folder: Path, records_root: Path | None) -> None:
        self.shown = folder  # as the user typed it, for messages
        self.folder = Path(os.path.abspath(folder))
        self.old_files = check_site_folder(folder, records_root)
        self.created_folder = False
        self.written: list[str] = []
        self._dirs: set[str] = set()
        try:
            if not os.path.lexists(self.folder):
                os.makedirs(self.folder)
                self.created_folder = True
            _remove_left_behind(self.folder)
            self.staging = self.folder / f"{_STAGING_PREFIX}{os.getpid()}.new"
            os.mkdir(self.staging, 0o700)
        except OSError as err:
            self._undo_folder()
            raise DuchuError("cannot-write", path=folder, reason=os_reason(err)) from None

    # --- staging ---------------------------------------------------------------------------

    def write(self, rel_path: str, content: str | bytes) -> None:
        """One file of the site, into the staging folder (created exclusively, never through
        a link)."""
        self.prepare(rel_path)
        self.write_prepared(rel_path, content)

    def prepare(self, rel_path: str) -> None:
        """Make the folder ``rel_path`` goes in (in the calling thread: ``write_prepared``
        may then run in another)."""
        parent = rel_path.rpartition("/")[0]
        if parent and parent not in self._dirs:
            os.makedirs(self.staging / parent, exist_ok=True)
            self._dirs.add(parent)
        self.written.append(rel_path)

    def write_prepared(self, rel_path: str, content: str | bytes) -> None:
        data = content.encode("utf-8") if isinstance(content, str) else content
        flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL
        descriptor = platform.open_no_follow(self.staging / rel_path, flags, 0o666)
        try:
            view = memoryview(data)
            while view:
                view = view[os.write(descriptor, view) :]
        finally:
            os.close(descriptor)

    def discard(self) -> None:
        """Remove the staging folder (and DIR itself when this run made it)."""
        _remove_tree(self.staging)
        self._undo_folder()

    def _undo_folder(self) -> None:
        if self.created_folder:
            with contextlib.suppress(OSError):
                os.rmdir(self.folder)

    # --- the swap --------------------------------------------------------------------------

    def commit(self) -> None:
        """Put the staged site in place of the old one (see the module's docstring)."""
        new_files = sorted(self.written)
        new_tops = sorted({_top(rel) for rel in new_files})
        old_files = set(self.old_files)
        for top in new_tops:  # every check first: a refused run changes nothing
            self._check_replaceable(top, old_files)
        gone = sorted(
            {_top(rel) for rel in old_files} - set(new_tops) - {MANIFEST},
        )
        gone = [top for top in gone if self._ours(top, old_files)]
        aside = self.folder / f"{_STAGING_PREFIX}{os.getpid()}.old"
        os.mkdir(aside, 0o700)
        done: list[tuple[str, str]] = []  # (top, how) in the order the swap made them
        try:
            _write_manifest(self.folder, sorted(old_files | set(new_files)))
            for top in new_tops:
                target = self.folder / top
                if os.path.lexists(target):
                    if _exchange(self.staging / top, target):
                        done.append((top, "exchanged"))  # the old one now in staging
                    else:
                        os.rename(target, aside / top)
                        done.append((top, "aside"))
                        os.rename(self.staging / top, target)
                        done.append((top, "new"))
                else:
                    os.rename(self.staging / top, target)
                    done.append((top, "new"))
            for top in gone:
                os.rename(self.folder / top, aside / top)
                done.append((top, "aside"))
            _write_manifest(self.folder, new_files)
        except BaseException:
            # whole or not at all: a swap that fails half way (a folder of DIR that may not
            # be renamed, a disk gone) is undone step by step, newest first
            self._undo_swap(done, aside)
            with contextlib.suppress(OSError):
                _write_manifest(self.folder, sorted(old_files))
            raise
        finally:
            _remove_tree(aside)
            _remove_tree(self.staging)  # the old entries the exchanges put there

    def _undo_swap(self, done: list[tuple[str, str]], aside: Path) -> None:
        for top, how in reversed(done):
            target = self.folder / top
            with contextlib.suppress(OSError):
                if how == "exchanged":
                    _exchange(self.staging / top, target)
                elif how == "new":
                    os.rename(target, self.staging / top)
                else:  # "aside": the old entry back in its place
                    os.rename(aside / top, target)

    def _check_replaceable(self, top: str, old_files: set[str]) -> None:
        target = self.folder / top
        if not os.path.lexists(target):
            return
        if not self._ours(top, old_files):
            raise DuchuError("site-foreign", path=self.shown / top, manifest=MANIFEST)

    def _ours(self, top: str, old_files: set[str]) -> bool:
        """Whether the entry ``top`` of DIR is all duchu's: a regular file the old manifest
        lists, or a real folder whose every file (at any depth) it lists, with no link or
        device anywhere inside."""
        path = self.folder / top
        try:
            info = os.lstat(path)
        except FileNotFoundError:
            return True
        if stat.S_ISREG(info.st_mode):
            return top in old_files
        if not stat.S_ISDIR(info.st_mode):
            return False
        needed: set[str] = set()  # the folders duchu made: those holding a file it lists
        for rel in old_files:
            parts = rel.split("/")[:-1]
            needed.update("/".join(parts[: i + 1]) for i in range(len(parts)))
        unreadable: list[OSError] = []
        for folder, dirs, files in os.walk(path, onerror=unreadable.append, followlinks=False):
            for name in dirs:  # os.walk lists a link to a folder among dirs: not ours
                if os.path.islink(os.path.join(folder, name)):
                    return False
                rel = os.path.relpath(os.path.join(folder, name), self.folder).replace(os.sep, "/")
                if rel not in needed:  # a folder of someone's, empty or not
                    return False
            for name in files:
                full = os.path.join(folder, name)
                rel = os.path.relpath(full, self.folder).replace(os.sep, "/")
                if rel not in old_files or not stat.S_ISREG(os.lstat(full).st_mode):
                    return False
        return not unreadable  # a folder that cannot be read may hold anything


def _top(rel_path: str) -> str:
    return rel_path.split("/", 1)[0]


def check_site_folder(folder: Path, records_root: Path | None) -> list[str]:
    """Refuse a folder the site may not be written into (one line, exit 2); the files an
    earlier run of duchu wrote there (from its manifest), or none."""
    absolute = os.path.abspath(folder)
    if records_root is not None:
        real = os.path.realpath(absolute)
        root = os.path.realpath(records_root)
        if inside(real, root):
            raise DuchuError("output-in-tree", path=folder)
    try:
        info = os.lstat(absolute)
    except FileNotFoundError:
        return []
    except OSError as err:
        raise DuchuError("cannot-write", path=folder, reason=os_reason(err)) from None
    if stat.S_ISLNK(info.st_mode):
        raise DuchuError("site-not-a-folder", path=folder, what=output_what("link"))
    if not stat.S_ISDIR(info.st_mode):
        kind = "file" if stat.S_ISREG(info.st_mode) else "special"
        raise DuchuError("site-not-a-folder", path=folder, what=output_what(kind))
    return _read_manifest(Path(absolute), folder)


def _read_manifest(folder: Path, shown: Path) -> list[str]:
    path = folder / MANIFEST
    try:
        # not blocking: a FIFO there must not hang the run
        descriptor = platform.open_read_nonblocking(path, follow=False)
    except FileNotFoundError:
        return []
    except OSError:
        raise DuchuError("site-manifest-bad", path=shown / MANIFEST) from None
    try:
        info = os.fstat(descriptor)
        if not stat.S_ISREG(info.st_mode) or info.st_size > _MANIFEST_LIMIT:
            raise DuchuError("site-manifest-bad", path=shown / MANIFEST)
        with os.fdopen(descriptor, "rb", closefd=False) as stream:
            data: Any = json.loads(stream.read())
    except (OSError, ValueError):
        raise DuchuError("site-manifest-bad", path=shown / MANIFEST) from None
    finally:
        os.close(descriptor)
    files = data.get("files") if isinstance(data, dict) else None
    if not isinstance(files, list) or not all(_plain_relative(f) for f in files):
        raise DuchuError("site-manifest-bad", path=shown / MANIFEST)
    return files


def _plain_relative(value: object) -> bool:
    """A path a manifest may name: relative, '/'-separated, no '..', no empty part -- a
    manifest edited to name ``../../etc/passwd`` names nothing duchu would remove."""
    if not isinstance(value, str) or not value or value.startswith("/") or "\\" in value:
        return False
    return all(part not in ("", ".", "..") for part in value.split("/"))


def _write_manifest(folder: Path, files: Iterable[str]) -> None:
    temporary = folder / f"{_STAGING_PREFIX}{os.getpid()}.manifest"
    body = json.dumps({"duchu-site": 1, "files": list(files)}, ensure_ascii=False, indent=0)
    # created new, never opened through what stands at its (predictable) name: a link to a
    # file elsewhere, or a FIFO, planted there is removed, not written through or waited on
    with contextlib.suppress(FileNotFoundError):
        os.unlink(temporary)
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL
    descriptor = platform.open_no_follow(temporary, flags, 0o666)
    with os.fdopen(descriptor, "w", encoding="utf-8") as stream:
        stream.write(body + "\n")
    os.replace(temporary, folder / MANIFEST)


def _remove_tree(path: Path) -> None:
    """Delete a folder of duchu's own (a replaced site, a staging folder), ignoring faults,
    never following a link (``duchu.platform.remove_tree``)."""
    platform.remove_tree(path)


def _remove_left_behind(folder: Path) -> None:
    """Staging folders and manifests of runs that were killed (their process is gone)."""
    with contextlib.suppress(OSError):
        for entry in os.scandir(folder):
            name = entry.name
            if not name.startswith(_STAGING_PREFIX):
                continue
            pid_text, _, suffix = name[len(_STAGING_PREFIX) :].partition(".")
            if suffix not in ("new", "old", "manifest") or not pid_text.isdigit():
                continue
            if process_alive(int(pid_text)):
                continue
            if entry.is_dir(follow_symlinks=False):
                shutil.rmtree(entry.path, ignore_errors=True)
            elif entry.is_file(follow_symlinks=False):
                with contextlib.suppress(OSError):
                    os.unlink(entry.path)


def _exchange(new: Path, target: Path) -> bool:
    """Swap ``new`` and ``target`` in one step (``duchu.platform.exchange``); False where the
    system cannot, and the caller moves the old one aside first."""
    return platform.exchange(new, target)


# Names a Windows file system refuses whatever the extension: a site copied to a shared
# drive must still open there.
_RESERVED = {"con", "prn", "aux", "nul"} | {f"{p}{n}" for p in ("com", "lpt") for n in range(10)}
_PLAIN = re.compile(r"[a-z0-9][a-z0-9_-]{0,63}")


def file_names(ids: list[str]) -> dict[str, str]:
    """A file name (without extension) for each id: the id itself when it is plain
    lower-case ASCII, else a name made from its digest -- stable from run to run, the same
    on a case-insensitive USB stick, and never a name Windows reserves."""
    names: dict[str, str] = {}
    taken: set[str] = set()
    for ident in ids:
        name = ident if _PLAIN.fullmatch(ident) and ident not in _RESERVED else ""
        if not name or name in taken:
            name = "x-" + hashlib.sha1(ident.encode("utf-8")).hexdigest()[:12]
        while name in taken:  # two digests alike in 48 bits: longer
            name = "x-" + hashlib.sha1(name.encode("utf-8")).hexdigest()[:16]
        taken.add(name)
        names[ident] = name
    return names
