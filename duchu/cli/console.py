"""What the command line writes, and where: one line to stdout or stderr through Python's
own streams, degraded to what their encoding has; a closed stdout or a reader gone away
(``| head``) ended as ../shared/spec/CLI.md says."""

from __future__ import annotations

import errno
import os
import sys
from typing import NoReturn

import typer

from duchu.errors import DuchuError


class Process:
    """Set by ``duchu.cli.app.main``: the process ends when the command does, so the
    collector (paused while loading) need not be resumed -- resuming it made the
    interpreter collect the whole tree at exit (40 ms at 2,000 units). Embedders and tests
    get it back."""

    ends_with_command = False


class _ClosedOutput:
    """``sys.stdout`` when duchu was started with it closed (``duchu status >&-``), where
    Python leaves None and every writer of output tripped on it. Writing to it fails the
    command in one line on stderr, exit 2 -- what was asked for cannot be shown; a command
    that writes nothing there (``site -o DIR``) goes on as ever."""

    encoding = "utf-8"
    errors = "strict"

    @property
    def buffer(self) -> _ClosedOutput:  # binary output (JSON) fails the same way
        return self

    def write(self, text: object) -> int:
        raise DuchuError("stdout-closed")

    def flush(self) -> None:
        pass

    def isatty(self) -> bool:
        return False

    def fileno(self) -> int:
        raise OSError(errno.EBADF, os.strerror(errno.EBADF))


def closed_streams() -> None:
    """Streams duchu was started without: stdout fails what writes to it (``_ClosedOutput``),
    stderr is nowhere -- nothing can be said, and the exit status says the rest."""
    if sys.stdout is None:
        sys.stdout = _ClosedOutput()
    if sys.stderr is None:
        sys.stderr = open(os.devnull, "w", encoding="utf-8")  # noqa: SIM115 -- for the process


def pipe_closed() -> NoReturn:
    """The reader of our output went away (``| head``): end quietly, status 0, with
    nothing more written -- not even at exit, when Python flushes what is left."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError, AttributeError):
        pass
    raise typer.Exit(0)


# Glyphs of duchu's own tables and the ones an 8-bit encoding has instead.
FALLBACK_GLYPHS = {
    "█": "#",
    "▓": "%",
    "▒": "+",
    "░": ".",
    "−": "-",
    "—": "-",
    "─": "-",
    "●": "*",
    "⚑": "!",
    "±": "+/-",
    "…": "...",
    "“": '"',
    "”": '"',
    "‘": "'",
    "’": "'",
    "·": ".",
    "│": "|",
    "━": "=",
    "（": "(",
    "）": ")",
    "：": ":",
    "，": ",",
}


def echo(text: object = "", *, err: bool = False, nl: bool = True) -> None:
    """A message to stdout or stderr through Python's own stream, whose errors handler
    degrades what its encoding lacks (``degrade_output``): click's echo puts UTF-8 on a
    stream that says ASCII, so an ASCII session got half its output in another encoding."""
    stream = sys.stderr if err else sys.stdout
    stream.write(f"{text}\n" if nl else str(text))
    stream.flush()


def degrade(error: UnicodeError) -> tuple[str, int]:
    """What an output encoding without a character writes for it: duchu's glyphs degrade to
    ones every encoding has, anything else to '?' -- never a crash."""
    if not isinstance(error, UnicodeEncodeError):
        raise error
    bad = error.object[error.start : error.end]
    return "".join(FALLBACK_GLYPHS.get(char, "?") for char in bad), error.end


def degrade_output() -> None:
    """Output on a stream whose encoding is not UTF-8 (``PYTHONIOENCODING=gbk``, a
    redirected Chinese Windows console) degrades what it cannot encode."""
    import codecs

    try:
        codecs.lookup_error("duchu-degrade")
    except LookupError:
        codecs.register_error("duchu-degrade", degrade)
    for stream in (sys.stdout, sys.stderr):
        encoding = (getattr(stream, "encoding", None) or "utf-8").lower().replace("_", "-")
        if not encoding.startswith("utf") and hasattr(stream, "reconfigure"):
            stream.reconfigure(errors="duchu-degrade")
