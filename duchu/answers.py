"""Answers kept: ``status``, ``check`` or a help page asked again, of a tree that has not
changed, is answered with the bytes it was answered with, before Python loads anything else.

An office's scripts ask ``status`` again and again, every ``git commit`` runs ``check``, and a
clerk looks at the same table twice; at province scale loading the records and judging them
costs a second or more, and even the seven-unit sample costs Typer's, pydantic's and rich's
imports. What a question answers is fixed by what it depends on, so the answer is kept under
all of it:

- **the question**: the command line word for word, the working folder, the environment
  variables that any part of duchu, Typer, click or rich reads (``_ENVIRONMENT``; a test reads
  their sources for every name and fails on one not covered), whether each standard stream
  is a terminal and its size, the streams' encodings, today's date (``--as-of`` defaults to
  it, and every table says how far a day is), the Python that runs and duchu's own code and
  libraries (each file's stamp);
- **the tree** (a question of ``status`` or ``check``): every entry under ``campaign.yaml``,
  ``groups/``, ``units/``, ``meetings/`` and ``notices/`` -- name, kind, size, times in
  nanoseconds, inode and device, folders too, so a file added, removed, renamed, edited or
  touched is another tree -- and every file beyond them the command read (a ballot named by a
  meeting, ``depends_on``);
- **git** (``status --by group``, ``--stale``, ``--known``, which date files by their commits):
  every repository at or above the tree (git passes over a ``.git`` that is none) or the one
  ``GIT_DIR`` names, what ``HEAD`` names down a chain of symbolic refs and the commit it names,
  the packed refs or reftables, grafts, shallow and alternates files, and the configuration
  files git reads (those the environment names, and what an ``[include]`` names).

A question is answered from what was kept only if all of that is the same, looked at again
now: one ``scandir`` walk with a ``stat`` of each entry, what a tool must do to know nothing
changed. Anything else -- and ``--no-cache``, ``DUCHU_NO_CACHE``, ``DUCHU_NO_ANSWERS``, an
output file (``-o``, ``-oFILE``), a pipe closed early, an exit status of 2 or a message
Python prints as it exits -- runs the command, whose answer is then kept only when nothing it
looked at changed in the clock tick the walk began in or after (git's racy rule: a file edited
twice within one tick keeps its stamp), the tree and git look the same when it ends as when it
began, and neither the day nor a terminal's size changed as it ran. A help flag is a help page
only after command words alone: after an option it may be that option's value (``--unit -h``).

Answers live in the user's cache folder (``…/duchu/answers``, never in a tree), one file per
question, each signed with a key derived from the user's own snapshot key
(``duchu.records.snapshot``; keyed BLAKE2b), read only when a regular file of the user's own
that no one else may read: bytes a terminal shows are never taken from a file someone else
could have written. The key is derived, not shared, so an answer is never a valid snapshot
and a snapshot never a valid answer.

This module is imported before anything else, so it imports only what Python has loaded
before any script runs (and ``duchu.platform`` and ``duchu.looked``, the look at the tree
and at git, which do the same).
"""

from __future__ import annotations

import io
import os
import stat
import sys
import time
from _blake2 import blake2b  # hashlib's, without the OpenSSL bindings hashlib loads first
from _operator import _compare_digest as same_digest  # hmac.compare_digest, without hmac

from duchu import platform
from duchu.looked import DIGEST_SIZE, Looked, look_at_git, look_at_tree

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (see above)
if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

_MAGIC = b"duchu-answer 1\n"
_DIGEST = DIGEST_SIZE  # the digest of what was looked at, a signature, a question's key
_MAX_ANSWER_BYTES = 64 * 1024 * 1024
_KEPT_AT_MOST = 256  # answers kept per user; the oldest go first
_HELP = ("-h", "--help")
_TREE_COMMANDS = ("status", "check")
# Options after which the command writes a file or reads something a stamp cannot tell:
# never answered from what was kept.
_NOT_KEPT = ("-o", "--output", "--no-cache", "--force", "--write")
# Options of ``status`` whose answer depends on git's history.
_FROM_GIT = ("--by", "--stale", "--known")
# Environment variables any of duchu, Typer, click or rich reads (their names or prefixes),
# and those of git when a question asks git; ``tests/test_answers.py`` reads the libraries'
# sources for every name they read and fails on one not covered here.
_ENVIRONMENT = (
    "DUCHU_",
    "LANG",
    "LANGUAGE",
    "LC_",
    "TERM",
    "COLORTERM",
    "NO_COLOR",
    "FORCE_COLOR",
    "CLICOLOR",
    "TTY_",
    "COLUMNS",
    "LINES",
    "JUPYTER_",
    "JPY_",
    "VSCODE_",
    "PYCHARM_",
    "DATABRICKS_",
    "PYTHON",
    "TZ",
    "HOME",
    "USERPROFILE",
    "XDG_",
    "LOCALAPPDATA",
    "APPDATA",
    "GIT_",
    "EMAIL",
    "PAGER",
    "EDITOR",
    "VISUAL",
    "SHELL",
    "COMSPEC",
    "_TYPER_",
    "_DUCHU_",
    "TYPER_",
    "PY_COLORS",
    "GITHUB_ACTIONS",
    "UNICODE_VERSION",
    "PYDANTIC_",
    "COMP_",
)
# The libraries whose code makes an answer: a file of theirs changed, another answer.
_LIBRARIES = ("typer", "click", "rich", "pydantic", "pydantic_core", "yaml", "annotated_types")


class _Question:
    """What a command line asks, as far as keeping its answer goes."""

    def __init__(self, kind: str, root: str | None, asks_git: bool) -> None:
        self.kind = kind  # "help" or "tree"
        self.root = root  # the records tree, for a question of a tree
        self.asks_git = asks_git


def _option_value(args: Sequence[str], name: str) -> list[str] | None:
    """Every value given to ``name`` (``--name V`` or ``--name=V``); None when one is missing."""
    values = []
    for index, arg in enumerate(args):
        if arg == name:
            if index + 1 >= len(args):
                return None
            values.append(args[index + 1])
        elif arg.startswith(name + "="):
            values.append(arg[len(name) + 1 :])
    return values


def question_of(args: Sequence[str], environ: dict[str, str], cwd: str) -> _Question | None:
    """What ``args`` (the command line without the program) asks, if it is a question whose
    answer can be kept; else None."""
    if environ.get("DUCHU_NO_ANSWERS") or environ.get("DUCHU_NO_CACHE") or "--" in args:
        return None
    if any(_writes_or_reads_afresh(arg) for arg in args):
        return None
    if not args or _asks_help(args):
        return _Question("help", None, asks_git=False)
    command = _command_of(args)
    if command not in _TREE_COMMANDS:
        return None
    given = _option_value(args, "--records")
    if given is None or len(set(given)) > 1:
        return None
    root = given[0] if given else _root_without_option(environ, cwd)
    asks_git = command == "status" and any(arg.startswith(_FROM_GIT) for arg in args)
    return _Question("tree", os.path.join(cwd, root), asks_git)


def _writes_or_reads_afresh(arg: str) -> bool:
    """An option of ``_NOT_KEPT``, in any spelling the parser takes: ``--output=F``, and
    ``-oF`` (a short option's value joined to it)."""
    if arg in _NOT_KEPT or arg.startswith(("--output=", "--no-cache=")):
        return True
    return arg.startswith("-o")


def _asks_help(args: Sequence[str]) -> bool:
    """Whether ``args`` asks for a help page: ``-h`` or ``--help`` after command words only.
    After an option it may be that option's value (``--unit -h``, a unit named "-h";
    ``new unit --name -h``), which runs the command: a help page only the parser can tell."""
    for arg in args:
        if arg in _HELP:
            return True
        if arg.startswith("-"):
            return False
    return False


def _command_of(args: Sequence[str]) -> str | None:
    """The command word: the first word that is neither an option nor a global option's value."""
    skip = False
    for arg in args:
        if skip:
            skip = False
        elif arg in ("--records", "--lang"):
            skip = True
        elif not arg.startswith("-"):
            return arg
    return None


def _root_without_option(environ: dict[str, str], cwd: str) -> str:
    """The records tree when no ``--records`` is given (``duchu.records.tree.find_root``):
    ``DUCHU_RECORDS``, else the nearest folder at or above ``cwd`` holding campaign.yaml,
    else ``./records``."""
    named = environ.get("DUCHU_RECORDS")
    if named:
        return named
    folder = cwd
    while True:
        if os.path.isfile(os.path.join(folder, "campaign.yaml")):
            return folder
        parent = os.path.dirname(folder)
        if parent == folder:
            return os.path.join(cwd, "records")
        folder = parent


# --- the question's own key -------------------------------------------------------------------


def _code_stamps(looked: Looked) -> None:
    """duchu's own files and its libraries': another version or an edit, another answer."""
    package = os.path.dirname(os.path.abspath(__file__))
    looked.text("python", sys.version, sys.executable, sys.flags.utf8_mode)
    pending = [package]
    while pending:  # the sources, not __pycache__ (Python writes there as modules are first used)
        for source in os.scandir(pending.pop()):
            if source.name.endswith(".py"):
                looked.stamp(source.path, source.stat())
            elif source.name != "__pycache__" and source.is_dir(follow_symlinks=False):
                pending.append(source.path)
    for library in _LIBRARIES:
        for entry in sys.path:
            folder = os.path.join(entry or ".", library)
            try:
                info = os.stat(os.path.join(folder, "__init__.py"))
            except OSError:
                continue
            looked.stamp(library, info)
            looked.path(folder)
            break
    for entry in sys.path:  # a package installed, upgraded or removed: a new *.dist-info
        if entry.endswith(("site-packages", "dist-packages")):
            looked.path(entry)


def _streams(looked: Looked) -> None:
    for number, stream in enumerate((sys.stdin, sys.stdout, sys.stderr)):
        try:
            terminal = stream is not None and stream.isatty()
        except (OSError, ValueError):
            terminal = False
        size = None
        if terminal:
            try:
                size = tuple(os.get_terminal_size(number))
            except (OSError, ValueError):
                size = None
        looked.text(
            "stream",
            number,
            terminal,
            size,
            getattr(stream, "encoding", None),
            getattr(stream, "errors", None),
        )


def _today() -> tuple[int, ...]:
    """Today's date, as ``--as-of`` defaults to it (``date.today()``: the local calendar)."""
    return tuple(time.localtime()[:3])


def _terminal_sizes() -> list[tuple[int, int] | None]:
    """The size of each standard stream that is a terminal."""
    sizes: list[tuple[int, int] | None] = []
    for number in range(3):
        try:
            size = os.get_terminal_size(number) if os.isatty(number) else None
            sizes.append(None if size is None else (size.columns, size.lines))
        except (OSError, ValueError):
            sizes.append(None)
    return sizes


def _key(argv: Sequence[str], environ: dict[str, str], cwd: str, question: _Question) -> bytes:
    looked = Looked()
    looked.text("argv", list(argv), cwd, question.kind)
    looked.text(
        "environment",
        sorted((k, v) for k, v in environ.items() if k.startswith(_ENVIRONMENT)),
    )
    if question.kind == "tree":
        looked.text("today", _today())
    _streams(looked)
    _code_stamps(looked)
    return looked.digest.digest()


# --- the user's folder of answers and its key -------------------------------------------------


def _folder(environ: dict[str, str], root: str | None) -> str | None:
    """``…/duchu/answers`` in the user's cache (as ``duchu.records.cache.user_cache_folder``
    chooses it), or None where that would be inside the tree (a tree in the home folder, or
    the home folder in a tree) or relative (an empty ``HOME``: the working folder, perhaps a
    tree): duchu writes nothing into a tree."""
    home = os.path.expanduser("~")
    if platform.windows():
        named, otherwise = environ.get("LOCALAPPDATA") or "", os.path.join(home, "AppData", "Local")
    else:
        named, otherwise = environ.get("XDG_CACHE_HOME") or "", os.path.join(home, ".cache")
    for base in (named, otherwise):
        if os.path.isabs(base) and (root is None or not _inside(base, root)):
            return os.path.join(base, "duchu", "answers")
    return None


def _inside(path: str, root: str) -> bool:
    real_path, real_root = os.path.realpath(path), os.path.realpath(root)
    return real_path == real_root or real_path.startswith(real_root.rstrip(os.sep) + os.sep)


def _secret(folder: str, *, create: bool) -> bytes | None:
    """This user's key for answers: derived from the snapshot key beside the folder
    (``duchu.records.snapshot``; made here when ``create`` and there is none yet), never the
    key itself."""
    path = os.path.join(os.path.dirname(folder), "snapshot.key")
    raw = _private_bytes(path, 64)
    if raw is None and create and not os.path.lexists(path):
        try:
            _private_folder(os.path.dirname(path))
            flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL
            descriptor = platform.open_no_follow(path, flags, 0o600)
            with os.fdopen(descriptor, "wb") as handle:
                handle.write(os.urandom(32))
        except OSError:
            pass  # another duchu made it meanwhile (read below), or the folder is unsound
        raw = _private_bytes(path, 64)
    if raw is None or len(raw) != 32:
        return None
    return blake2b(b"answers", key=raw, person=b"duchu-answers").digest()


def _private_bytes(path: str, most: int) -> bytes | None:
    """The bytes of a regular file of the user's own that no one else may read or write,
    opened through no link; None otherwise."""
    try:
        descriptor = platform.open_read_nonblocking(path, follow=False)
    except OSError:
        return None
    with os.fdopen(descriptor, "rb") as handle:
        info = os.fstat(handle.fileno())
        sound = stat.S_ISREG(info.st_mode) and info.st_size <= most
        if not sound or not platform.private_to_user(info):
            return None
        data = handle.read(most + 1)
    return data if len(data) <= most else None


# --- answering ---------------------------------------------------------------------------------


class _Kept:
    """An answer as kept: what the question's tree looked like, and what was written to
    stdout (1) and stderr (2), in the order it was written (a note above a table stays above
    it on a terminal that shows both)."""

    def __init__(
        self, looked: bytes, status: int, written: list[tuple[int, bytes]], extra: list[str]
    ) -> None:
        self.looked = looked
        self.status = status
        self.written = written
        self.extra = extra  # files beyond the tree the command read (ballots)

    def pack(self, key: bytes) -> bytes:
        extra = "\0".join(self.extra).encode("utf-8", "surrogateescape")
        parts = [key, self.looked, bytes((self.status,)), len(extra).to_bytes(8, "big"), extra]
        for stream, data in self.written:
            parts += [bytes((stream,)), len(data).to_bytes(8, "big"), data]
        return b"".join(parts)

    @classmethod
    def unpack(cls, key: bytes, data: bytes) -> _Kept | None:
        at = 2 * _DIGEST + 9
        if len(data) < at or not same_digest(data[:_DIGEST], key):
            return None
        looked, status = data[_DIGEST : 2 * _DIGEST], data[2 * _DIGEST]
        size = int.from_bytes(data[at - 8 : at], "big")
        extra_text = data[at : at + size].decode("utf-8", "surrogateescape")
        at += size
        written = []
        while at < len(data):
            stream, size = data[at], int.from_bytes(data[at + 1 : at + 9], "big")
            if stream not in (1, 2) or at + 9 + size > len(data):
                return None
            written.append((stream, data[at + 9 : at + 9 + size]))
            at += 9 + size
        return cls(looked, status, written, extra_text.split("\0") if extra_text else [])


def _signed(secret: bytes, data: bytes) -> bytes:
    return blake2b(data, key=secret, digest_size=_DIGEST).digest()


def _read_kept(path: str, secret: bytes, key: bytes) -> _Kept | None:
    data = _private_bytes(path, _MAX_ANSWER_BYTES)
    if data is None or not data.startswith(_MAGIC):
        return None
    signature, body = data[len(_MAGIC) : len(_MAGIC) + _DIGEST], data[len(_MAGIC) + _DIGEST :]
    if not same_digest(signature, _signed(secret, body)):
        return None
    return _Kept.unpack(key, body)


def _look(question: _Question, environ: dict[str, str], extra: Sequence[str]) -> Looked:
    """The tree, git (when asked) and the files beyond the tree the command read."""
    looked = Looked()
    assert question.root is not None
    look_at_tree(looked, question.root)
    if question.asks_git:
        look_at_git(looked, question.root, environ)
    _look_beyond(looked, extra)
    return looked


def _look_beyond(looked: Looked, extra: Sequence[str]) -> None:
    for path in extra:
        looked.text("beyond", path, os.path.realpath(path))
        looked.path(path)


class _Capture(io.RawIOBase):
    """A standard stream's bytes, passed on as they are written and kept."""

    def __init__(self, number: int, stream: io.BufferedIOBase, recorder: Recorder) -> None:
        self.number = number
        self.stream = stream
        self.recorder = recorder

    def writable(self) -> bool:
        return True

    def write(self, data: bytes | bytearray | memoryview) -> int:  # type: ignore[override]
        try:
            written = self.stream.write(data)
        except BaseException:
            self.recorder.not_to_keep()  # a pipe closed early: not the whole answer
            raise
        count = len(data) if written is None else written
        if not self.recorder.drawing:
            self.recorder.written.append((self.number, bytes(data[:count])))
        return count

    def isatty(self) -> bool:
        return self.stream.isatty()

    def fileno(self) -> int:
        return self.stream.fileno()

    def flush(self) -> None:
        self.stream.flush()


class Recorder:
    """Keeps the answer of the command now running, if it may be kept (``record``)."""

    def __init__(
        self,
        path: str,
        secret: bytes,
        key: bytes,
        question: _Question,
        environ: dict[str, str],
    ) -> None:
        self.path = path
        self.secret = secret
        self.key = key
        self.question = question
        self.environ = environ
        self.keep = True
        self.drawing = False  # a progress bar on a terminal, not part of the answer
        self.extra: list[str] = []
        self.looked: Looked | None = None
        self.began_ns = 0
        self.captured: list[_Capture] = []
        self.written: list[tuple[int, bytes]] = []
        self.today = _today()  # as the question's key has it (``_key``, just before)
        self.sizes = _terminal_sizes()  # likewise

    def not_to_keep(self) -> None:
        self.keep = False

    def start(self) -> None:
        """Look at the tree and begin capturing the standard streams."""
        if self.question.kind == "tree":
            self.began_ns = _clock_ns(os.path.dirname(self.path))
            if self.began_ns == 0:
                self.keep = False
                return
            self.looked = _look(self.question, self.environ, ())  # the files beyond it: after
        newline = platform.stdio_newline()
        for name in ("stdout", "stderr"):
            original = getattr(sys, name)
            buffer = getattr(original, "buffer", None)
            if buffer is None or platform.console_is_its_own_device(original.isatty()):
                self.keep = False
                return
        for number, name in ((1, "stdout"), (2, "stderr")):
            original = getattr(sys, name)
            original.flush()
            capture = _Capture(number, original.buffer, self)
            self.captured.append(capture)
            setattr(
                sys,
                name,
                io.TextIOWrapper(
                    capture,
                    encoding=original.encoding,
                    errors=original.errors,
                    newline=newline,
                    line_buffering=original.line_buffering,
                    write_through=True,
                ),
            )

    def finish(self, status: int) -> None:
        """Keep the answer the command gave, if nothing it looked at changed meanwhile."""
        for stream in (sys.stdout, sys.stderr):
            try:
                stream.flush()
            except (OSError, ValueError):  # a pipe closed: Python says so as it exits
                self.keep = False
        if not self.keep or status not in (0, 1) or len(self.captured) != 2:
            return
        if self.question.kind == "tree" and _today() != self.today:
            return  # midnight passed as it ran: its answer may be of the new day, not the key's
        if _terminal_sizes() != self.sizes:
            return  # a terminal resized as it ran: drawn to another width than the key's
        looked_digest = b"\0" * _DIGEST
        extra: list[str] = []
        if self.looked is not None:
            # the files beyond the tree, as they are now: kept only if none changed since
            # the look began, so what they are now is what the command read
            extra = sorted(set(self.extra))
            _look_beyond(self.looked, extra)
            if self.looked.latest_change_ns >= self.began_ns:
                return  # something changed in the tick the look began in, or after
            looked_digest = self.looked.digest.digest()
            # and the tree and git as they are now: a file written, or a commit made, while
            # the command ran was read as it is now, not as the first look saw it (HEAD and
            # a branch are looked at by content, which a reset gives back)
            again = _look(self.question, self.environ, extra)
            if not same_digest(again.digest.digest(), looked_digest):
                return
        kept = _Kept(looked_digest, status, self.written, extra)
        _write_kept(self.path, self.secret, self.key, kept)


def _clock_ns(folder: str) -> int:
    """The file system's clock now, as it stamps a file (0 when it cannot be asked)."""
    try:
        _private_folder(folder)
        probe = os.path.join(folder, f".clock.{os.getpid()}")
        descriptor = platform.open_no_follow(probe, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        try:
            return os.fstat(descriptor).st_mtime_ns
        finally:
            os.close(descriptor)
            os.unlink(probe)
    except OSError:
        return 0


def _private_folder(folder: str) -> None:
    """The answers' folder, made private to the user where missing; a link or a file there
    (or a folder anyone else may write to) is refused."""
    missing = []
    current = folder
    while not os.path.lexists(current):
        missing.append(current)
        current = os.path.dirname(current)
    for path in reversed(missing):
        try:
            os.mkdir(path, 0o700)
        except FileExistsError:  # made meanwhile by another duchu
            continue
    info = os.lstat(folder)
    if not stat.S_ISDIR(info.st_mode) or not platform.private_to_user(info):
        raise NotADirectoryError(folder)


def _write_kept(path: str, secret: bytes, key: bytes, kept: _Kept) -> None:
    body = kept.pack(key)
    if len(body) > _MAX_ANSWER_BYTES:
        return
    folder = os.path.dirname(path)
    temporary = f"{path}.{os.getpid()}.tmp"
    try:
        _private_folder(folder)
        _unlink_quietly(temporary)  # a killed run's, of a process with our number
        flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL
        descriptor = platform.open_no_follow(temporary, flags, 0o600)
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(_MAGIC + _signed(secret, body) + body)
        os.replace(temporary, path)
        _prune(folder)
    except OSError:
        _unlink_quietly(temporary)


def _unlink_quietly(path: str) -> None:
    """Remove ``path`` if it can be (``contextlib.suppress`` without importing contextlib)."""
    try:
        os.unlink(path)
    except OSError:
        return


def _prune(folder: str) -> None:
    """At most ``_KEPT_AT_MOST`` answers: the least recently kept go."""
    entries = [e for e in os.scandir(folder) if e.is_file(follow_symlinks=False)]
    if len(entries) <= _KEPT_AT_MOST:
        return
    entries.sort(key=lambda entry: entry.stat(follow_symlinks=False).st_mtime_ns)
    for entry in entries[: len(entries) - _KEPT_AT_MOST]:
        _unlink_quietly(entry.path)


# the recorder of the command now running, for ``depends_on`` and ``not_to_keep``
_RECORDING: Recorder | None = None


def depends_on(path: str) -> None:
    """The running command read ``path``, beyond the tree's record files (a ballot)."""
    if _RECORDING is not None:
        _RECORDING.extra.append(os.path.abspath(path))


def not_to_keep() -> None:
    """What the running command shows is not its whole answer: it is not kept."""
    if _RECORDING is not None:
        _RECORDING.not_to_keep()


def drawing(now: bool) -> None:
    """A progress bar starts (``True``) or has stopped and wiped itself (``False``) on a
    terminal: what it writes meanwhile is not part of the answer kept."""
    if _RECORDING is not None:
        _RECORDING.drawing = now


def answer(argv: Sequence[str], run: Callable[[], object]) -> None:
    """Answer ``argv`` from what was kept, or ``run()`` the command and keep its answer;
    exits with the command's status."""
    global _RECORDING
    environ = dict(os.environ)
    try:
        cwd = os.getcwd()
    except OSError:
        cwd = None
    question = question_of(argv[1:], environ, cwd) if cwd is not None else None
    if sys.stdout is None or sys.stderr is None:  # started without them: nothing to keep
        question = None
    recorder = None
    folder = _folder(environ, question.root) if question is not None else None
    if question is not None and cwd is not None and folder is not None:
        key = _key(argv, environ, cwd, question)
        path = os.path.join(folder, key.hex()[:40])
        secret = _secret(folder, create=False)
        if secret is not None:
            kept = _read_kept(path, secret, key)
            if kept is not None and _still(kept, question, environ):
                _replay(kept)  # exits, unless a stream refused what was written:
                run()  # the command then says why, in its words and with its status
                return
        secret = secret or _secret(folder, create=True)
        if secret is not None:
            recorder = Recorder(path, secret, key, question, environ)
    if recorder is None:
        run()
        return
    _RECORDING = recorder
    streams = sys.stdout, sys.stderr
    recorder.start()
    try:
        run()
    except SystemExit as done:
        recorder.finish(_status_of(done.code))
        raise
    else:
        recorder.finish(0)
    finally:
        _RECORDING = None
        sys.stdout, sys.stderr = streams  # what they were (a library calling ``answer``)


def _status_of(code: object) -> int:
    """The exit status of ``sys.exit(code)``, as far as keeping goes: a text is printed by
    Python itself as it exits, after the streams were given back (not captured), so it is
    an answer never kept (-1)."""
    if code is None:
        return 0
    return code if isinstance(code, int) else -1


def _still(kept: _Kept, question: _Question, environ: dict[str, str]) -> bool:
    """Whether what the kept answer looked at is the same now."""
    if question.kind != "tree":
        return True
    return same_digest(_look(question, environ, kept.extra).digest.digest(), kept.looked)


def _replay(kept: _Kept) -> None:
    """Write the kept answer and exit with its status; return when a stream refuses what is
    written (a full disk, ``> /dev/full``): the pipe of a fresh run is that stream too."""
    try:
        for number, data in kept.written:
            stream = sys.stdout if number == 1 else sys.stderr
            _write_all(stream.fileno(), data)
    except BrokenPipeError:
        try:
            descriptor = os.open(os.devnull, os.O_WRONLY)
            os.dup2(descriptor, sys.stdout.fileno())
        except (OSError, ValueError):
            pass
        sys.exit(0)
    except (OSError, ValueError):
        return
    sys.exit(kept.status)


def _write_all(descriptor: int, data: bytes) -> None:
    """``data`` to a descriptor, unbuffered: nothing is left in a buffer when it fails."""
    view = memoryview(data)
    while view:
        view = view[os.write(descriptor, view) :]
