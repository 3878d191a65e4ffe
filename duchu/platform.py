"""Every operating-system call that POSIX and Windows do differently, under a name that says
what it promises; no other module of duchu touches them (``tests/test_portability.py``).

What each platform can do, and how the Windows path keeps the same promise:

- ``open_no_follow`` -- never open a file through a symbolic link. POSIX: ``O_NOFOLLOW``.
  Windows has no such flag: a file being created is created exclusively (``O_EXCL``, which
  a link or junction at the name also refuses); an existing file is looked at with
  ``lstat`` first (a symbolic link or any reparse point -- junction, mount point -- is
  refused as a link is on POSIX, ``ELOOP``) and, once open, ``fstat`` must name the same
  file (``st_dev``/``st_ino``), so a link slipped in between is refused too.
- ``open_read_nonblocking`` -- open for reading without waiting on a FIFO or a device that
  stands where a file was. POSIX: ``O_NONBLOCK``. Windows: a path in a folder cannot be a
  FIFO (named pipes live only under ``\\\\.\\pipe\\``), so a plain open keeps the promise.
  Every file is opened in binary mode (``O_BINARY``), so Windows never turns ``\\n`` into
  ``\\r\\n``.
- ``can_fork``/``fork``/``kill_now`` -- forked renderers for a large site. Windows has no
  ``fork``: the pages are rendered in this process.
- ``process_context`` -- worker processes for a large load: ``fork`` where there is one,
  else ``spawn`` (Windows' only way), whose workers import duchu afresh.
- ``set_parent_death_signal`` -- a worker ends when duchu is killed: Linux's
  ``prctl(PR_SET_PDEATHSIG)``. Elsewhere nothing (a worker checks its parent when it starts,
  and a pool's workers end when their queue closes).
- ``exchange`` -- swap two paths in one step: Linux's ``renameat2(RENAME_EXCHANGE)``.
  Elsewhere False, and the site moves the old entry aside and renames the new one in.
- ``remove_tree`` -- delete a folder never following a link: POSIX walks it by folder
  descriptor (``fwalk``, ``dir_fd``) with several threads; Windows uses ``shutil.rmtree``,
  which does not follow links or junctions there either.
- ``process_alive`` -- whether a process of an id runs: POSIX ``kill(pid, 0)``; Windows asks
  ``OpenProcess``/``GetExitCodeProcess`` (``kill(pid, 0)`` there would send Ctrl-C), and
  when it cannot tell says alive, so a leftover is kept rather than another run's removed.
- ``alarm``/``memory_ceiling`` -- bounds on a template's render: a ``SIGALRM`` timer and
  ``RLIMIT_AS`` where the system has them (Linux, in the main thread); on Windows a
  template is bounded by Jinja's sandbox and duchu's own limits only.
- ``user_cache_base`` -- where the user's cache lives: ``$XDG_CACHE_HOME``, else
  ``~/.cache``; on Windows ``%LOCALAPPDATA%``, else ``~\\AppData\\Local``.

``CAN`` says which of these the running system has; a test switches the POSIX-only ones
off (``monkeypatch.setattr(platform, "CAN", platform.WITHOUT_POSIX)``) to run the Windows
paths on Linux. Every function reads ``CAN`` and the ``os`` flags when it is called.
"""

from __future__ import annotations

# Only what Python has loaded before any script runs, and errno: ``duchu.answers`` imports
# this module on the way to a remembered answer, which must cost little more than starting
# Python (dataclasses, pathlib and typing cost several times that; they are imported where used).
import errno
import os
import stat
import sys

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (see above)

if TYPE_CHECKING:
    import contextlib
    from collections.abc import Callable, Iterator
    from pathlib import Path
    from typing import Any

StrPath = str | os.PathLike[str]


class Capabilities:
    """What the running system can do that another cannot (a plain class: see the imports)."""

    __match_args__ = FIELDS = (
        "no_follow",  # O_NOFOLLOW
        "nonblocking",  # O_NONBLOCK
        "fork",  # os.fork
        "parent_death_signal",  # Linux prctl(PR_SET_PDEATHSIG)
        "exchange",  # Linux renameat2(RENAME_EXCHANGE)
        "dir_fd",  # os.fwalk and unlink/rmdir relative to a folder descriptor
        "signal_probe",  # kill(pid, 0) asks whether a process runs
        "alarm",  # signal.setitimer / SIGALRM
        "memory_limit",  # resource.RLIMIT_AS and /proc/self/statm
    )
    no_follow: bool
    nonblocking: bool
    fork: bool
    parent_death_signal: bool
    exchange: bool
    dir_fd: bool
    signal_probe: bool
    alarm: bool
    memory_limit: bool

    def __init__(self, *values: bool, **named: bool) -> None:
        given = dict(zip(self.FIELDS, values, strict=False)) | named
        if sorted(given) != sorted(self.FIELDS):
            raise TypeError(f"Capabilities needs exactly {', '.join(self.FIELDS)}")
        for name in self.FIELDS:
            object.__setattr__(self, name, bool(given[name]))

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError("Capabilities are fixed")

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Capabilities) and vars(self) == vars(other)

    def __hash__(self) -> int:
        return hash(tuple(vars(self).values()))

    def __repr__(self) -> str:
        shown = ", ".join(f"{name}={value}" for name, value in vars(self).items())
        return f"Capabilities({shown})"


def detect() -> Capabilities:
    """What this system has, looked at now."""
    linux = sys.platform.startswith("linux")
    posix = os.name == "posix"
    return Capabilities(
        no_follow=hasattr(os, "O_NOFOLLOW"),
        nonblocking=hasattr(os, "O_NONBLOCK"),
        fork=hasattr(os, "fork"),
        parent_death_signal=linux,
        exchange=linux,
        dir_fd=hasattr(os, "fwalk") and os.unlink in os.supports_dir_fd,
        signal_probe=posix,
        alarm=posix and _has_setitimer(),
        memory_limit=linux,
    )


def _has_setitimer() -> bool:
    import _signal  # type: ignore[import-not-found,unused-ignore]  # signal without its enums

    return hasattr(_signal, "setitimer") and hasattr(_signal, "SIGALRM")


CAN = detect()
# The same with everything POSIX-only switched off: what a Windows PC has.
WITHOUT_POSIX = Capabilities(*(False for _ in Capabilities.FIELDS))


def windows() -> bool:
    """Whether this is Windows (its folders and names), asked at each call."""
    return sys.platform == "win32"


def _flag(name: str) -> int:
    value = getattr(os, name, 0)
    return value if isinstance(value, int) else 0


# --- opening files ------------------------------------------------------------------------------


def open_no_follow(path: StrPath, flags: int, mode: int = 0o777) -> int:
    """``os.open(path, flags, mode)`` that never goes through a symbolic link (``ELOOP``
    where one stands at ``path``); binary, not inherited by child processes."""
    flags |= _flag("O_BINARY") | _flag("O_CLOEXEC")
    no_follow = _flag("O_NOFOLLOW") if CAN.no_follow else 0
    if no_follow:
        return os.open(path, flags | no_follow, mode)
    creating = flags & os.O_CREAT and flags & os.O_EXCL
    if creating:  # O_EXCL refuses whatever stands at the name, a link included
        return os.open(path, flags, mode)
    before = os.lstat(path)
    if _is_link(before):
        raise OSError(errno.ELOOP, os.strerror(errno.ELOOP), str(path))
    descriptor = os.open(path, flags, mode)
    try:
        after = os.fstat(descriptor)
    except BaseException:
        os.close(descriptor)
        raise
    if (after.st_dev, after.st_ino) != (before.st_dev, before.st_ino):
        os.close(descriptor)  # replaced between the look and the open
        raise OSError(errno.ELOOP, os.strerror(errno.ELOOP), str(path))
    return descriptor


def _is_link(info: os.stat_result) -> bool:
    """A symbolic link, or on Windows any reparse point (a junction, a mount point)."""
    reparse = getattr(stat, "FILE_ATTRIBUTE_REPARSE_POINT", 0x400)
    return stat.S_ISLNK(info.st_mode) or bool(getattr(info, "st_file_attributes", 0) & reparse)


def private_to_user(info: os.stat_result) -> bool:
    """Whether a file (as ``fstat`` gave it) is this user's own and no one else's to read or
    write: on POSIX, owned by the user with no group or other permission bits; on Windows,
    where the user's profile folder is private already and modes say nothing of it, true."""
    owner = getattr(os, "getuid", None)
    if owner is None:
        return True
    return info.st_uid == owner() and not info.st_mode & 0o077


def open_read_nonblocking(path: StrPath, *, follow: bool = True) -> int:
    """A descriptor to read ``path`` that never waits for a writer (a FIFO, a device where a
    file was); through no link when ``follow`` is False."""
    flags = os.O_RDONLY | (_flag("O_NONBLOCK") if CAN.nonblocking else 0)
    if not follow:
        return open_no_follow(path, flags)
    return os.open(path, flags | _flag("O_BINARY"))


# --- processes ----------------------------------------------------------------------------------


def can_fork() -> bool:
    return CAN.fork and hasattr(os, "fork")


def fork() -> int:
    """``os.fork()``; only where ``can_fork()``."""
    return os.fork()


def kill_now(pid: int) -> None:
    """End the process ``pid`` at once (a forked renderer): SIGKILL, or where there is no
    such signal, the system's termination."""
    import signal

    os.kill(pid, getattr(signal, "SIGKILL", getattr(signal, "SIGTERM", 15)))


def process_context() -> Any:
    """The multiprocessing context for worker processes: fork starts a worker in milliseconds
    with duchu already imported; without it, spawn (Windows' way)."""
    import multiprocessing

    if can_fork() and "fork" in multiprocessing.get_all_start_methods():
        return multiprocessing.get_context("fork")
    return multiprocessing.get_context("spawn")


def set_parent_death_signal() -> bool:
    """Have the kernel kill this process when its parent dies (Linux); False where it
    cannot."""
    if not CAN.parent_death_signal:
        return False
    import ctypes
    import signal

    try:
        libc = ctypes.CDLL(None, use_errno=True)
        return bool(libc.prctl(1, signal.SIGKILL, 0, 0, 0) == 0)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        return False


def process_alive(pid: int) -> bool:
    """Whether a process of this id is running; True when that cannot be told."""
    if CAN.signal_probe:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return False
        except PermissionError:
            return True
        return True
    return _windows_process_alive(pid)


def _windows_process_alive(pid: int) -> bool:
    try:
        import ctypes

        kernel32: Any = ctypes.WinDLL("kernel32", use_last_error=True)  # type: ignore[attr-defined,unused-ignore]
        kernel32.OpenProcess.restype = ctypes.c_void_p
        kernel32.CloseHandle.argtypes = [ctypes.c_void_p]
        kernel32.GetExitCodeProcess.argtypes = [ctypes.c_void_p, ctypes.POINTER(ctypes.c_ulong)]
    except (ImportError, AttributeError, OSError):
        return True  # cannot tell: keep what may be another run's
    handle = kernel32.OpenProcess(0x1000, False, pid)  # PROCESS_QUERY_LIMITED_INFORMATION
    if not handle:
        return bool(ctypes.get_last_error() != 87)  # type: ignore[attr-defined,unused-ignore]
    try:
        code = ctypes.c_ulong()
        if not kernel32.GetExitCodeProcess(handle, ctypes.byref(code)):
            return True
        return code.value == 259  # STILL_ACTIVE
    finally:
        kernel32.CloseHandle(handle)


# --- folders ------------------------------------------------------------------------------------

_RENAME_EXCHANGE = 2
_AT_FDCWD = -100
_renameat2: Callable[..., int] | None = None
_renameat2_known = False


def exchange(new: StrPath, target: StrPath) -> bool:
    """Swap ``new`` and ``target`` in one step (Linux ``renameat2(RENAME_EXCHANGE)``); False
    where the system cannot."""
    global _renameat2, _renameat2_known
    if not CAN.exchange:
        return False
    if not _renameat2_known:
        _renameat2_known = True
        try:
            import ctypes

            libc = ctypes.CDLL(None, use_errno=True)
            _renameat2 = libc.renameat2
        except (OSError, AttributeError):  # an older C library without the call
            _renameat2 = None
    if _renameat2 is None:
        return False
    result = _renameat2(
        _AT_FDCWD, os.fsencode(new), _AT_FDCWD, os.fsencode(target), _RENAME_EXCHANGE
    )
    return bool(result == 0)


_REMOVERS = 4  # threads unlinking one folder's files at once
_REMOVE_ALONE = 64  # fewer files than this a folder: one thread removes them


def remove_tree(path: Path) -> None:
    """Delete a folder of duchu's own, ignoring faults, never following a link.

    POSIX: each folder's files are unlinked by several threads at once: unlinking is the
    kernel's work, done outside Python's lock, and most of it (freeing the file's blocks)
    outside the folder's own lock too -- 2,000 pages go in 0.08 s rather than
    shutil.rmtree's 0.17 (measured on this project's VM). The walk holds each folder open by
    descriptor and never follows a link, as shutil.rmtree's does. Elsewhere shutil.rmtree."""
    if CAN.dir_fd and hasattr(os, "fwalk"):
        _remove_tree_by_descriptor(path)
    import shutil

    shutil.rmtree(path, ignore_errors=True)  # whatever is left (a folder that cannot be read)


def _remove_tree_by_descriptor(path: Path) -> None:
    import contextlib
    from concurrent.futures import ThreadPoolExecutor

    def unlink_all(names: list[str], folder_fd: int) -> None:
        for name in names:
            with contextlib.suppress(OSError):
                os.unlink(name, dir_fd=folder_fd)

    with contextlib.suppress(OSError), ThreadPoolExecutor(max_workers=_REMOVERS) as pool:
        walk = os.fwalk(path, topdown=False, follow_symlinks=False)
        for _, folders, files, folder_fd in walk:
            if len(files) < _REMOVE_ALONE:
                unlink_all(files, folder_fd)
            else:
                shares = [files[i::_REMOVERS] for i in range(_REMOVERS)]
                for done in [pool.submit(unlink_all, share, folder_fd) for share in shares]:
                    done.result()  # before the walk closes the folder's descriptor
            for name in folders:  # emptied already, or a link to a folder (never followed)
                try:
                    os.rmdir(name, dir_fd=folder_fd)
                except NotADirectoryError:
                    with contextlib.suppress(OSError):
                        os.unlink(name, dir_fd=folder_fd)
                except OSError:
                    pass


def user_cache_base() -> tuple[str, Path]:
    """The user's cache folder as the environment names it (may be empty or relative: the
    caller decides) and the one to use otherwise: ``$XDG_CACHE_HOME`` and ``~/.cache``;
    on Windows ``%LOCALAPPDATA%`` and ``~\\AppData\\Local``."""
    from pathlib import Path

    if windows():
        return os.environ.get("LOCALAPPDATA") or "", Path.home() / "AppData" / "Local"
    return os.environ.get("XDG_CACHE_HOME") or "", Path.home() / ".cache"


# --- bounds on a render -------------------------------------------------------------------------


def alarm(seconds: float, expired: Callable[[], None]) -> contextlib.AbstractContextManager[None]:
    """Call ``expired`` (which raises) after ``seconds`` of wall-clock time, where the system
    has a timer signal and this is the main thread; else no timer."""
    import contextlib

    return contextlib.contextmanager(_alarm)(seconds, expired)


def _alarm(seconds: float, expired: Callable[[], None]) -> Iterator[None]:
    import threading

    if not (CAN.alarm and threading.current_thread() is threading.main_thread()):
        yield
        return
    import signal

    def handler(signum: int, frame: Any) -> None:
        expired()

    previous = signal.signal(signal.SIGALRM, handler)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def memory_ceiling(extra_bytes: int) -> contextlib.AbstractContextManager[None]:
    """Cap the address space at what the process uses now plus ``extra_bytes`` (Linux),
    restored after."""
    import contextlib

    return contextlib.contextmanager(_memory_ceiling)(extra_bytes)


def _memory_ceiling(extra_bytes: int) -> Iterator[None]:
    limits = _raise_memory_ceiling(extra_bytes) if CAN.memory_limit else None
    try:
        yield
    finally:
        if limits is not None:
            import resource

            resource.setrlimit(resource.RLIMIT_AS, limits)


def _raise_memory_ceiling(extra_bytes: int) -> tuple[int, int] | None:
    try:
        import resource

        with open("/proc/self/statm", encoding="ascii") as statm:
            used = int(statm.read().split()[0]) * resource.getpagesize()
        limits = resource.getrlimit(resource.RLIMIT_AS)
        ceiling = used + extra_bytes
        if limits[1] != resource.RLIM_INFINITY:
            ceiling = min(ceiling, limits[1])
        resource.setrlimit(resource.RLIMIT_AS, (ceiling, limits[1]))
        return limits
    except (ImportError, OSError, ValueError):
        return None


# --- the standard streams ----------------------------------------------------------------------


def stdio_newline() -> str | None:
    """The ``newline`` Python gives ``sys.stdout`` and ``sys.stderr``: on Windows ``None``
    (each ``\\n`` written as ``\\r\\n``), elsewhere ``"\\n"`` -- so a stream put in their
    place writes the same bytes."""
    return None if windows() else "\n"


def console_is_its_own_device(stream_is_a_terminal: bool) -> bool:
    """Whether a terminal stream is drawn by calls other than writing bytes: Windows'
    console, which rich may colour through the console's own functions, so bytes kept from
    it would not be what the user saw."""
    return stream_is_a_terminal and windows()
