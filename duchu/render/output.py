"""Writing an output file (``report -o``, ``--format xlsx -o``): a regular file, whole or
not at all, never in place of something else.

A path is refused (one line, exit 2) when it lies inside the records tree, when something
other than a regular file stands there (a pipe, a device such as ``/dev/full``, a folder, a
symbolic link -- never followed silently), and when a file is there already unless the user
said ``--force``; even then not a file that is read-only or has other hard links (replacing
it would break them). The file is written beside the target and renamed over it, keeping the
mode of the file it replaces; a temporary file a killed run left behind is removed the next
time the same path is written. The extension says the format: ``-o a.pdf`` is refused
rather than filled with Markdown.
"""

from __future__ import annotations

import contextlib
import os
import stat
from collections.abc import Callable
from pathlib import Path
from typing import Any

from duchu import platform
from duchu.errors import DuchuError, os_reason
from duchu.paths import inside

# extension -> format
EXTENSIONS = {".md": "md", ".markdown": "md", ".docx": "docx", ".xlsx": "xlsx"}
_TEMPORARY = ".duchu-"  # .<name>.duchu-<pid>.tmp


def output_format(path: Path | None, given: str | None, allowed: tuple[str, ...]) -> str:
    """The format to write: ``given`` (which must match the path's extension), else the one
    the extension names, else the first of ``allowed`` (stdout)."""
    by_extension = EXTENSIONS.get(path.suffix.lower()) if path is not None else None
    if path is not None and by_extension is None:
        raise DuchuError(
            "output-extension", path=path, extension=path.suffix or "—", formats="、".join(allowed)
        )
    chosen = given or by_extension or allowed[0]
    if chosen not in allowed:
        raise DuchuError("bad-choice", option="--format", choices="|".join(allowed), value=chosen)
    if by_extension is not None and by_extension != chosen:
        raise DuchuError("output-extension-mismatch", path=path, format=chosen)
    return chosen


def check_output_path(path: Path, records_root: Path | None, *, force: bool) -> int | None:
    """Refuse an output path as the module says; the mode of the file to replace, if any."""
    absolute = Path(os.path.abspath(path))
    parent = Path(os.path.realpath(absolute.parent))
    if records_root is not None:
        root = Path(os.path.realpath(records_root))
        if inside(parent / absolute.name, root):
            raise DuchuError("output-in-tree", path=path)
    try:
        info = os.lstat(absolute)
    except FileNotFoundError:
        return None
    except OSError as err:
        raise DuchuError("cannot-write", path=path, reason=os_reason(err)) from None
    if stat.S_ISLNK(info.st_mode):
        raise DuchuError("output-not-a-file", path=path, what=output_what("link"))
    if not stat.S_ISREG(info.st_mode):
        kind = "folder" if stat.S_ISDIR(info.st_mode) else "special"
        raise DuchuError("output-not-a-file", path=path, what=output_what(kind))
    if not force:
        raise DuchuError("output-exists", path=path)
    if not info.st_mode & stat.S_IWUSR:
        raise DuchuError("output-read-only", path=path)
    if info.st_nlink > 1:
        raise DuchuError("output-hard-links", path=path, links=info.st_nlink)
    return stat.S_IMODE(info.st_mode)


def output_what(kind: str) -> object:
    """What stands where output would go (a link, a folder, a device), for a message."""
    from duchu.problems import Ref

    return Ref(f"output-what-{kind}")


def write_output(
    path: Path, write: Callable[[Path], Any], records_root: Path | None, *, force: bool
) -> None:
    """Write ``path`` through ``write`` (called with a temporary path beside it), whole or
    not at all, after ``check_output_path``."""
    mode = check_output_path(path, records_root, force=force)
    folder = Path(os.path.abspath(path)).parent
    _remove_left_behind(folder, path.name)
    temporary = folder / f".{path.name}{_TEMPORARY}{os.getpid()}.tmp"
    try:
        # created here, exclusively and never through a link, so nothing else is written
        descriptor = platform.open_no_follow(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        os.close(descriptor)
    except OSError as err:
        raise DuchuError("cannot-write", path=path, reason=os_reason(err)) from None
    try:
        write(temporary)
        if mode is None:  # a new file: as the user's umask says
            umask = os.umask(0)
            os.umask(umask)
            mode = 0o666 & ~umask
        os.chmod(temporary, mode)
        check_output_path(path, records_root, force=force)  # nothing slipped in meanwhile
        os.replace(temporary, path)
    except OSError as err:
        temporary.unlink(missing_ok=True)
        raise DuchuError("cannot-write", path=path, reason=os_reason(err)) from None
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise


def _remove_left_behind(folder: Path, name: str) -> None:
    """Temporary files of this output that a killed run left (their process is gone)."""
    prefix = f".{name}{_TEMPORARY}"
    with contextlib.suppress(OSError):
        for entry in os.scandir(folder):
            if not (entry.name.startswith(prefix) and entry.name.endswith(".tmp")):
                continue
            pid_text = entry.name[len(prefix) : -len(".tmp")]
            if (
                pid_text.isdigit()
                and not process_alive(int(pid_text))
                and entry.is_file(follow_symlinks=False)
            ):
                with contextlib.suppress(OSError):
                    os.unlink(entry.path)


def process_alive(pid: int) -> bool:
    """Whether a process of this id is running (a leftover of a killed run is removed only
    when its writer is gone)."""
    return platform.process_alive(pid)
