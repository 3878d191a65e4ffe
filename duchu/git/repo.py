"""Git, through its command line, in one small module: the audit trail of a records tree.

Every commit to the records is a change with an author and a date; duchu reads that history
(``duchu log``, ``status --stale``, the office view's ``last_change`` and
``report_delay_days``, the provenance line of reports), reads a past commit's files without
checking anything out (``--known``) and starts repositories (``duchu init``). Nothing else
in duchu runs git.

Two promises hold for every git command run here:

- Any path and any text comes through unchanged: output is NUL-separated (``-z``,
  ``%x00``), paths are never C-quoted, and pathspecs are literal, so Chinese ids, spaces,
  quotes, newlines, ``*`` or an author name holding a control character all work.
- Nothing that a repository's own configuration or attributes names is ever run. A records
  tree received from someone may carry a ``.git/config`` naming programs (an fsmonitor
  hook, a pager, an external diff, a signature verifier, filters, hooks, a remote to fetch
  missing objects from). Every invocation overrides those settings on the command line
  (``_SAFE_CONFIG``, which outranks every configuration file, included ones too), blocks
  every transport (``GIT_ALLOW_PROTOCOL``), and only commands that never run filters are
  used: the dirty check of ``head_state`` hashes the working files itself instead of
  asking ``git status``.

Outside a repository the functions raise ``NotAGitRepositoryError`` (``GitNotInstalledError``,
a kind of it, without git), and the command line says so in one line; every other command
works as before.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import shutil
import stat
import subprocess
import tempfile
import threading
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from types import TracebackType
from typing import IO

from duchu.errors import (
    BeforeFirstCommitError,
    DuchuError,
    GitFailedError,
    GitNotInstalledError,
    GitObjectMissingError,
    NoCommitsError,
    NotAGitRepositoryError,
    ShallowHistoryError,
    UnsafeRepositoryError,
)

# Settings a repository's configuration could use to make a read-only git command run a
# program (or rewrite the output we parse). ``-c`` on the command line wins over every
# configuration file, ``include.path`` ones too, and git passes it on to any git it starts.
_SAFE_CONFIG = (
    "core.fsmonitor=false",  # an fsmonitor hook runs whenever the index is refreshed
    "core.untrackedCache=false",  # the untracked cache consults the fsmonitor
    "core.pager=cat",
    "pager.log=false",
    "pager.ls-files=false",
    "pager.ls-tree=false",
    "pager.cat-file=false",
    "core.alternateRefsCommand=",
    "core.sshCommand=false",  # (an empty command would run the remote's host name)
    "log.showSignature=false",  # would run gpg.program / gpg.ssh.program on signed commits
    "log.showRoot=true",  # the first commit lists its files like any other
    "diff.external=",
    "diff.renames=false",
    "diff.relative=false",
    "log.follow=false",  # a single pathspec must not turn into --follow
    "color.ui=false",  # no escape codes in output we parse
    "i18n.logOutputEncoding=UTF-8",  # names and subjects re-encoded to what we decode
    "protocol.allow=never",  # no fetching, not even lazily for a partial clone
    "submodule.recurse=false",
    "credential.helper=",
    "gc.auto=0",
    "maintenance.auto=false",
)
# Hooks run from commands that write (commit, merge, index changes); none of ours does, but
# pointing the hooks folder nowhere costs nothing. Not for ``hooks_folder``, which must
# report where git would look.
_NO_HOOKS = "core.hooksPath=" + os.devnull
_SAFE_ENV = {
    "LC_ALL": "C",  # git's own messages in English: some are recognised below
    "LANGUAGE": "C",
    "GIT_OPTIONAL_LOCKS": "0",  # never write the index (or anything) just to refresh it
    "GIT_TERMINAL_PROMPT": "0",
    "GIT_PAGER": "cat",  # outranks core.pager and PAGER
    "PAGER": "cat",
    "GIT_LITERAL_PATHSPECS": "1",  # a path is a path: no globs, no ":(magic)"
    # outranks protocol.<name>.allow in any configuration: no transport at all, so neither a
    # lazy fetch of a partial clone's missing object nor an ext:: remote can run anything
    "GIT_ALLOW_PROTOCOL": "",
    "GIT_NO_LAZY_FETCH": "1",  # the same, said directly to git 2.44 and later
}

# A working file larger than this counts as changed without being read.
HASH_LIMIT = 64 * 1024 * 1024

_OBJECT_ID = re.compile(r"[0-9a-f]{40}(?:[0-9a-f]{24})?")
_OBJECT_ID_BYTES = re.compile(rb"[0-9a-f]{40}(?:[0-9a-f]{24})?")


def _command(args: list[str], *, hooks: bool = False) -> tuple[list[str], dict[str, str]]:
    """The argument list and environment of one hardened git invocation."""
    config = [*_SAFE_CONFIG] if hooks else [*_SAFE_CONFIG, _NO_HOOKS]
    argv = ["git", "--no-pager", "--literal-pathspecs"]
    for setting in config:
        argv += ["-c", setting]
    return [*argv, *args], {**os.environ, **_SAFE_ENV}


def _check_git(cwd: Path) -> None:
    """Refuse early, in words a user understands, when git or the folder is missing."""
    if shutil.which("git") is None:
        raise GitNotInstalledError(cwd)
    if not cwd.is_dir():
        raise NotAGitRepositoryError(cwd)


def _complaint(stderr: bytes, args: list[str], cwd: Path) -> DuchuError:
    """The error for a failed git: its own first line, or the refusal to read a repository
    owned by someone else ("dubious ownership"), which needs the user to act."""
    text = stderr.decode("utf-8", "replace")
    if "dubious ownership" in text:
        return UnsafeRepositoryError(cwd)
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    # the reason, past any warnings before it
    lines = [line for line in lines if line.startswith(("fatal:", "error:"))] or lines
    return GitFailedError(lines[0] if lines else f"git {args[0]} failed")


def _git(args: list[str], cwd: Path, *, check: bool = True, hooks: bool = False) -> bytes:
    """Run one git command in ``cwd`` and return its output, unchanged bytes."""
    _check_git(cwd)
    argv, env = _command(args, hooks=hooks)
    try:
        done = subprocess.run(
            argv, cwd=cwd, env=env, stdin=subprocess.DEVNULL, capture_output=True, check=False
        )
    except OSError as err:  # found on PATH but cannot be started
        raise GitFailedError(str(err)) from None
    if done.returncode != 0:
        error = _complaint(done.stderr, args, cwd)
        # a refused repository is never an answer to look past, even where failing is
        if check or isinstance(error, UnsafeRepositoryError):
            raise error
    return done.stdout


def _git_together(commands: list[list[str]], cwd: Path) -> list[bytes]:
    """Run several independent git commands at once (each ``_git``), their outputs in
    order: listing a province's index, tree and untracked files side by side."""
    outputs: list[bytes | BaseException] = [b""] * len(commands)

    def run(i: int) -> None:
        try:
            outputs[i] = _git(commands[i], cwd)
        except BaseException as err:  # re-raised below, in the caller's thread
            outputs[i] = err

    threads = [threading.Thread(target=run, args=(i,)) for i in range(1, len(commands))]
    for thread in threads:
        thread.start()
    run(0)
    for thread in threads:
        thread.join()
    for output in outputs:
        if isinstance(output, BaseException):
            raise output
    return [output for output in outputs if isinstance(output, bytes)]


def _one_line(out: bytes) -> str:
    """A single answer of git: without its final newline only (a path may end in spaces)."""
    return os.fsdecode(out[:-1] if out.endswith(b"\n") else out)


def _text(raw: bytes) -> str:
    """A name, e-mail or subject: UTF-8 (we ask git for it), never an error if not."""
    return raw.decode("utf-8", "replace")


def _day(iso: str) -> date:
    """The committer's own calendar date from ``%cI`` (2014-03-01T23:30:00+08:00)."""
    try:
        return date.fromisoformat(iso[:10])
    except ValueError:
        raise GitFailedError(f"unreadable commit date {iso!r}") from None


def repository_root(path: Path) -> Path:
    """The top of the git work tree holding the folder ``path``."""
    try:
        top = _git(["rev-parse", "--show-toplevel"], path)
    except GitFailedError:
        raise NotAGitRepositoryError(path) from None
    if not top.strip():  # inside .git itself, or a bare repository: no work tree
        raise NotAGitRepositoryError(path)
    return Path(_one_line(top))


def _prefix(root: Path, top: Path) -> str:
    """The records root relative to the top of the repository: "" or "a/b/"."""
    try:
        rel = root.resolve().relative_to(top.resolve()).as_posix()
    except ValueError:  # a work tree elsewhere (GIT_WORK_TREE, core.worktree)
        raise NotAGitRepositoryError(root) from None
    return "" if rel == "." else rel + "/"


def _head(top: Path) -> str | None:
    """The commit checked out; None before the first commit."""
    out = _git(
        ["rev-parse", "--verify", "--quiet", "--end-of-options", "HEAD^{commit}"], top, check=False
    )
    return _one_line(out) or None


def init_repository(path: Path) -> None:
    """Make ``path`` (an existing folder) a new git repository."""
    _git(["init", "--quiet"], path)


def hooks_folder(path: Path) -> Path:
    """Where git looks for hooks (honours ``core.hooksPath``)."""
    hooks = _one_line(_git(["rev-parse", "--git-path", "hooks"], path, hooks=True))
    return (path / hooks).resolve()


# --- history -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Commit:
    """One commit as ``duchu log`` shows it: id, author, e-mail, committer date (with the
    committer's offset), subject and the files it touched relative to the records root."""

    commit: str
    author: str
    email: str
    when: datetime
    message: str
    files: tuple[str, ...] = field(default=())

    @property
    def short(self) -> str:
        return self.commit[:8]


def _is_status(token: bytes) -> bool:
    """A ``--name-status`` status (A, M, D, T, R100...): an upper-case letter first, where a
    commit id (the other thing that can follow a file name) is lower-case hex."""
    return 0 < len(token) <= 5 and 0x41 <= token[0] <= 0x5A


@dataclass
class _Logged:
    head: list[bytes]  # the fields of --format, in order
    changes: list[tuple[str, bytes]]  # (status letter, path) as git wrote the path


def _parse_log(out: bytes, fields: int) -> list[_Logged]:
    """Split ``git log -z --format=<fields separated by %x00> --name-status`` output.

    With ``-z`` git writes each commit as its fields, a NUL, and -- when the commit changed
    anything -- a newline and then ``status NUL path NUL`` for each file. Fields never hold a
    NUL (git cuts names and subjects there), paths never do, and a status is one upper-case
    letter where the next commit starts with its lower-case hex id: so this reads any
    author, subject or path back exactly.
    """
    tokens = out.split(b"\0")
    commits: list[_Logged] = []
    i, n = 0, len(tokens)
    while i < n:
        if not tokens[i]:  # the terminator after the last commit
            i += 1
            continue
        head = tokens[i : i + fields]
        if len(head) < fields or not _OBJECT_ID_BYTES.fullmatch(head[0]):
            raise GitFailedError("unexpected git log output")
        i += fields
        entry = _Logged(head, [])
        # the NUL ending the fields is the split above; a newline opens the file list
        if i < n and tokens[i].startswith(b"\n"):
            tokens[i] = tokens[i][1:]
            while i + 1 < n and _is_status(tokens[i]):
                entry.changes.append((chr(tokens[i][0]), tokens[i + 1]))
                i += 2
        commits.append(entry)
    return commits


def history(root: Path, paths: list[str] | None = None, limit: int | None = None) -> list[Commit]:
    """Commits touching ``paths`` (relative to ``root``; all of ``root`` when None), newest
    first, each with the files it touched relative to ``root``; the newest ``limit`` only,
    when given (``commit_count`` says how many there are in all)."""
    if paths is not None and not paths:
        return []
    top = repository_root(root)
    prefix = _prefix(root, top)
    pathspecs = _pathspecs(prefix, paths)
    if _head(top) is None:
        return []
    out = _git(
        [
            "log",
            *([f"--max-count={limit}"] if limit is not None else []),
            "-z",
            "--format=%H%x00%an%x00%ae%x00%cI%x00%s",
            "--encoding=UTF-8",
            "--name-status",
            "--no-renames",
            "--diff-merges=off",  # merges list no files, as git log shows them by default
            "--no-ext-diff",
            "--no-textconv",
            "--no-show-signature",
            "--no-notes",
            "--no-color",
            "--end-of-options",
            "HEAD",
            "--",
            *pathspecs,
        ],
        top,
    )
    raw = os.fsencode(prefix)
    commits = []
    for entry in _parse_log(out, 5):
        commit, author, email, when, message = (_text(f) for f in entry.head)
        files = tuple(
            os.fsdecode(path[len(raw) :]) for _, path in entry.changes if path.startswith(raw)
        )
        commits.append(Commit(commit, author, email, datetime.fromisoformat(when), message, files))
    return commits


def commit_count(root: Path, paths: list[str] | None = None) -> int:
    """How many commits ``history`` would list without a limit: git counts them without
    formatting any (a second for 100,000 commits, where listing them took half a minute)."""
    if paths is not None and not paths:
        return 0
    top = repository_root(root)
    if _head(top) is None:
        return 0
    pathspecs = _pathspecs(_prefix(root, top), paths)
    out = _git(["rev-list", "--count", "--end-of-options", "HEAD", "--", *pathspecs], top)
    return int(_one_line(out) or 0)


def _pathspecs(prefix: str, paths: list[str] | None) -> list[str]:
    return [prefix + p for p in paths] if paths is not None else [prefix or "."]


def last_changes(root: Path, as_of: date) -> dict[str, date]:
    """For every file under ``root`` ever committed: the date of the last commit touching it
    on or before ``as_of`` (one ``git log`` for the whole tree)."""
    latest: dict[str, date] = {}
    for commit in history(root):  # newest first: the first date seen per file that counts
        day = commit.when.date()
        if day > as_of:
            continue
        for name in commit.files:
            latest.setdefault(name, day)
    return latest


@dataclass(frozen=True)
class FileDates:
    """When files under a records root were first added and last changed, by committer date
    (see ``file_dates``). Paths are relative to the records root."""

    added: dict[str, date] = field(default_factory=dict)
    changed: dict[str, date] = field(default_factory=dict)


def file_dates(root: Path, as_of: date, start: str | None = None) -> FileDates:
    """The office view's dates for every file under ``root``, from one ``git log``.

    Walks the first-parent line from ``start`` (a commit id; default HEAD) -- the commits of
    the branch itself, a merge counted as one change against what the branch had -- and
    counts only commits whose committer date (the committer's own calendar date) is on or
    before ``as_of``. ``changed[path]``: the date of the newest such commit touching path
    (deleting it too). ``added[path]``: the date of the earliest such commit that added it.
    A repository without commits, or without any on or before ``as_of``, gives empty dicts.
    """
    top = repository_root(root)
    prefix = _prefix(root, top)
    if start is None:
        start = _head(top)
        if start is None:
            return FileDates()
    out = _git(
        [
            "log",
            "-z",
            "--format=%H%x00%cI",
            "--first-parent",
            "--diff-merges=first-parent",  # a merge: what it brought onto the branch
            "--name-status",
            "--no-renames",  # a moved file is deleted at one path and added at another
            "--no-ext-diff",
            "--no-textconv",
            "--no-show-signature",
            "--no-notes",
            "--no-color",
            "--end-of-options",
            start,
            "--",
            prefix or ".",
        ],
        top,
    )
    raw = os.fsencode(prefix)
    dates = FileDates()
    for entry in _parse_log(out, 2):  # newest first along the branch
        day = _day(_text(entry.head[1]))
        if day > as_of:
            continue
        for status, path in entry.changes:
            if not path.startswith(raw):
                continue
            name = os.fsdecode(path[len(raw) :])
            dates.changed.setdefault(name, day)
            if status == "A":
                dates.added[name] = day  # walking back: the last seen is the first addition
    return dates


# --- what was known on a day -------------------------------------------------------------


def known_commit(root: Path, day: date) -> str:
    """The commit ``--known`` reads: the last commit on the current branch whose committer
    date is on or before ``day``.

    Walks the first-parent line back from HEAD and returns the first commit (in that order)
    committed on or before ``day`` by the committer's own calendar. Raises
    ``NotAGitRepositoryError``, ``NoCommitsError``, ``BeforeFirstCommitError`` when
    every commit is later, and ``ShallowHistoryError`` when a shallow clone's history
    ends before such a commit is found.
    """
    top = repository_root(root)
    if _head(top) is None:
        raise NoCommitsError(top)
    _check_git(top)
    argv, env = _command(
        [
            "log",
            "-z",
            "--first-parent",
            "--format=%H%x00%cI",
            "--no-show-signature",
            "--no-notes",
            "--no-color",
            "--end-of-options",
            "HEAD",
            "--",
        ]
    )
    last: tuple[str, str] | None = None
    found: str | None = None
    # Streamed, and stopped once found: on a long history the commit is usually near the top.
    with (
        tempfile.TemporaryFile() as errors,
        subprocess.Popen(
            argv, cwd=top, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=errors
        ) as walk,
    ):
        assert walk.stdout is not None
        unfinished = b""  # the bytes after the last NUL read so far
        tokens: list[bytes] = []  # complete tokens not yet paired: a commit id at most
        while found is None:
            chunk = os.read(walk.stdout.fileno(), 65536)
            if not chunk:
                break
            *complete, unfinished = (unfinished + chunk).split(b"\0")
            tokens += [token for token in complete if token]
            paired = len(tokens) - len(tokens) % 2
            for k in range(0, paired, 2):  # each commit: its id, then its date
                last = (_text(tokens[k]), _text(tokens[k + 1]))
                if _day(last[1]) <= day:
                    found = last[0]
                    break
            tokens = tokens[paired:]
        if found is not None:
            walk.kill()
        elif walk.wait() != 0:
            errors.seek(0)
            raise _complaint(errors.read(), ["log"], top)
    if found is not None:
        return found
    if last is None:
        raise NoCommitsError(top)
    if _shallow_end(top, last[0]):
        raise ShallowHistoryError(day)
    raise BeforeFirstCommitError(day, _day(last[1]))


def _shallow_end(top: Path, commit: str) -> bool:
    """Whether ``commit`` is where a shallow clone's history was cut off."""
    if _one_line(_git(["rev-parse", "--is-shallow-repository"], top)) != "true":
        return False
    shallow = top / _one_line(_git(["rev-parse", "--git-path", "shallow"], top))
    try:
        cut = shallow.read_text(encoding="ascii", errors="replace").split()
    except OSError:
        return True  # shallow, and we cannot tell where: say so rather than "too early"
    return commit in cut


@dataclass(frozen=True)
class TreeEntry:
    """One file of a commit under the records root: ``path`` relative to the root, git's
    ``mode`` ("100644", "100755", "120000" for a symbolic link, "160000" for a submodule),
    the object id and the size in bytes (None for a submodule)."""

    path: str
    mode: str
    blob: str
    size: int | None


def _ls_tree(
    top: Path, commit: str, prefix: str, sizes: bool = True
) -> list[tuple[str, str, str, int | None]]:
    """(path from the top, mode, object id, size) of every file under ``prefix``; without
    ``sizes`` every size is None (git then need not look at any blob: three times faster)."""
    out = _git(
        # no "--" here: after --end-of-options ls-tree would take it for a path
        ["ls-tree", "-r", "-z", *(["-l"] if sizes else []), "--full-tree", "--end-of-options"]
        + [commit]
        + ([prefix] if prefix else []),
        top,
    )
    raw = os.fsencode(prefix)
    entries = []
    for record in out.split(b"\0"):
        if not record:
            continue
        meta, _, path = record.partition(b"\t")
        fields = meta.split() if sizes else [*meta.split(), b"-"]
        mode, _kind, blob, size = fields
        if not path.startswith(raw):  # ls-tree matched the prefix itself, or a sibling
            continue
        entries.append(
            (os.fsdecode(path), mode.decode(), blob.decode(), None if size == b"-" else int(size))
        )
    return entries


def tree_entries(
    root: Path, commit: str, *, bare: bool = False, sizes: bool = True
) -> list[TreeEntry]:
    """The files under the records root ``root`` in ``commit`` (a commit or a tree), read
    from git's objects: nothing is checked out. Symbolic links and submodules are included
    (the caller refuses them). With ``bare``, ``root`` is a repository without a work tree
    (the central repository a server hook runs in) and the records are its whole tree;
    without ``sizes`` every size is None."""
    top = root if bare else repository_root(root)
    prefix = "" if bare else _prefix(root, top)
    return [
        TreeEntry(path[len(prefix) :], mode, blob, size)
        for path, mode, blob, size in _ls_tree(top, commit, prefix, sizes)
    ]


class BlobReader:
    """Reads objects of one repository through one ``git cat-file --batch`` process.

    Use it as a context manager. ``read`` fetches one blob; ``read_many`` streams many (a
    province's 220,000 files in a few seconds): the ids are written from a thread while the
    contents are read, so neither pipe can fill up and block the other. Not for use from
    two threads at once, nor ``read`` while a ``read_many`` is being iterated.
    """

    def __init__(self, root: Path, *, bare: bool = False) -> None:
        # ``bare``: ``root`` is a repository without a work tree (see ``tree_entries``)
        self.top = root if bare else repository_root(root)
        self._process: subprocess.Popen[bytes] | None = None
        self._errors: IO[bytes] | None = None
        self._busy = False

    def __enter__(self) -> BlobReader:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        value: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    def close(self, *, kill: bool = False) -> None:
        """End the git process and wait for it, so no zombie is left: by closing its input
        (it has answered everything), or with ``kill`` when answers may still be pending
        and nobody will read them (it would wait forever to write them)."""
        process, self._process = self._process, None
        errors, self._errors = self._errors, None
        if process is not None:
            assert process.stdin is not None and process.stdout is not None
            if kill or self._busy:
                process.kill()
            with contextlib.suppress(OSError, ValueError):
                process.stdin.close()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
            process.stdout.close()
        if errors is not None:
            errors.close()

    def _start(self) -> subprocess.Popen[bytes]:
        if self._process is None:
            _check_git(self.top)
            argv, env = _command(["cat-file", "--batch"])
            # stderr into a file, never a pipe nobody reads; it lives as long as the process
            self._errors = tempfile.TemporaryFile()  # noqa: SIM115 (closed in close())
            self._process = subprocess.Popen(
                argv,
                cwd=self.top,
                env=env,
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=self._errors,
            )
        return self._process

    def _failed(self, wanted: str) -> DuchuError:
        """The error of a process that stopped answering while asked for ``wanted``; the
        process is ended (a new one starts when next needed)."""
        errors, self._errors = self._errors, None
        self.close(kill=True)
        detail = b""
        if errors is not None:
            errors.seek(0)
            detail = errors.read()
            errors.close()
        if b"promisor remote" in detail:  # a partial clone: the object was never fetched
            return GitObjectMissingError(wanted)
        return _complaint(detail, ["cat-file"], self.top)

    def _header(self, stdout: IO[bytes], wanted: str) -> int:
        """Read the line announcing ``wanted`` and return the size of the blob that
        follows."""
        line = stdout.readline()
        if not line.endswith(b"\n"):
            raise self._failed(wanted)
        parts = line.split()
        if parts[1:] == [b"missing"]:  # an answer like any other: the process goes on
            raise GitObjectMissingError(wanted)
        if len(parts) != 3 or parts[0] != wanted.encode("ascii") or parts[1] != b"blob":
            # (a tree or commit: its content follows, and is not worth reading past)
            self.close(kill=True)
            raise GitFailedError(f"{wanted} is not a file: {_text(line.strip())}")
        return int(parts[2])

    def _body(self, stdout: IO[bytes], size: int, wanted: str) -> bytes:
        data = stdout.read(size)
        if len(data) != size or stdout.read(1) != b"\n":
            raise self._failed(wanted)
        return data

    def read(self, blob_id: str, limit: int) -> bytes | None:
        """The content of one blob; None when it has more than ``limit`` bytes (its bytes
        are read past, not kept: ask with sizes from ``tree_entries`` to avoid even that)."""
        _valid_id(blob_id)
        if self._busy:
            raise RuntimeError("BlobReader.read during read_many")
        process = self._start()
        assert process.stdin is not None and process.stdout is not None
        try:
            process.stdin.write(blob_id.encode("ascii") + b"\n")
            process.stdin.flush()
        except OSError:
            raise self._failed(blob_id) from None
        size = self._header(process.stdout, blob_id)
        if size <= limit:
            return self._body(process.stdout, size, blob_id)
        left = size + 1  # and the newline after it
        while left:
            skipped = process.stdout.read(min(left, 1 << 20))
            if not skipped:
                raise self._failed(blob_id)
            left -= len(skipped)
        return None

    def read_many(self, ids: Iterable[str]) -> Iterator[tuple[str, bytes]]:
        """(id, content) of each blob, in the order asked. Leaving the loop early is fine:
        the process with the unread answers is ended and a new one started when needed."""
        wanted = list(ids)
        for blob_id in wanted:
            _valid_id(blob_id)
        if self._busy:
            raise RuntimeError("BlobReader.read_many during read_many")
        process = self._start()
        assert process.stdin is not None and process.stdout is not None
        stdin, stdout = process.stdin, process.stdout

        def feed() -> None:
            try:
                for i in range(0, len(wanted), 4096):
                    stdin.write("".join(b + "\n" for b in wanted[i : i + 4096]).encode("ascii"))
                stdin.flush()
            except (OSError, ValueError):
                pass  # the process was ended: the reading side reports why

        writer = threading.Thread(target=feed, name="duchu-cat-file", daemon=True)
        self._busy = True
        finished = False
        writer.start()
        try:
            for blob_id in wanted:
                size = self._header(stdout, blob_id)
                yield blob_id, self._body(stdout, size, blob_id)
            finished = True
        finally:
            if not finished and self._process is process:
                # left early, or failed: answers may still be on their way, so this process
                # is spent (the writer then stops on a broken pipe)
                self.close(kill=True)
            self._busy = False
            writer.join()


def _valid_id(blob_id: str) -> None:
    # An id goes onto cat-file's input line as it is: a space or newline in it would ask
    # for something else, and the answers would no longer line up with the questions.
    if not _OBJECT_ID.fullmatch(blob_id):
        raise ValueError(f"not an object id: {blob_id!r}")


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


# --- hooks: the repository's own folders, the index, and what a push brings ----------------


def is_bare(path: Path) -> bool:
    """Whether ``path`` is (in) a repository without a work tree: a central repository."""
    try:
        out = _git(["rev-parse", "--is-bare-repository"], path)
    except GitFailedError:
        raise NotAGitRepositoryError(path) from None
    return _one_line(out) == "true"


def own_folders(path: Path) -> list[Path]:
    """The folders that are the repository's own, resolved: its git folder (the common one
    of all its work trees) and, unless bare, the top of its work tree."""
    try:
        common = _one_line(_git(["rev-parse", "--git-common-dir"], path))
    except GitFailedError:
        raise NotAGitRepositoryError(path) from None
    folders = [(path / common).resolve()]
    if not is_bare(path):
        folders.append(repository_root(path).resolve())
    return folders


def write_tree(top: Path) -> str:
    """The id of the tree the index holds -- what a commit made now would record (for a
    merge, the merge's result). Honours ``GIT_INDEX_FILE``, which git sets for a hook of
    ``git commit -a`` or ``git commit PATH``."""
    out = _one_line(_git(["write-tree"], top))
    if not _OBJECT_ID.fullmatch(out):
        raise GitFailedError(f"unexpected git write-tree output {out!r}")
    return out


def resolve_commit(git_dir: Path, rev: str) -> str | None:
    """The commit ``rev`` is or points to (a tag peeled); None when it is none."""
    out = _git(
        ["rev-parse", "--verify", "--quiet", "--end-of-options", f"{rev}^{{commit}}"],
        git_dir,
        check=False,
    )
    found = _one_line(out)
    return found if _OBJECT_ID.fullmatch(found) else None


def new_commits(git_dir: Path, tip: str) -> list[tuple[str, tuple[str, ...]]]:
    """The commits a push of ``tip`` brings that no ref of the repository holds yet, each
    with its parents, parents before children. Run from a pre-receive hook, the refs have
    not moved yet and the pushed objects are readable (git's quarantine)."""
    _valid_id(tip)
    out = _git(
        ["rev-list", "--topo-order", "--reverse", "--parents", tip, "--not", "--all"], git_dir
    )
    commits = []
    for line in out.decode("ascii").splitlines():
        ids = line.split()
        if not ids or not all(_OBJECT_ID.fullmatch(i) for i in ids):
            raise GitFailedError("unexpected git rev-list output")
        commits.append((ids[0], tuple(ids[1:])))
    return commits


def merge_base(git_dir: Path, commits: Iterable[str]) -> str | None:
    """A best common ancestor of ``commits``; None when they share no history."""
    wanted = list(commits)
    for commit in wanted:
        _valid_id(commit)
    out = _one_line(_git(["merge-base", "--octopus", *wanted], git_dir, check=False))
    return out if _OBJECT_ID.fullmatch(out) else None


def is_ancestor(git_dir: Path, older: str, newer: str) -> bool:
    """Whether ``older`` is in the history of ``newer`` (an update from one to the other
    is a fast-forward)."""
    return merge_base(git_dir, [older, newer]) == older


def default_commit(git_dir: Path) -> str | None:
    """The commit of HEAD (the default branch), else of the first branch there is; None in
    a repository without branches."""
    head = _head(git_dir)
    if head is not None:
        return head
    out = _git(["for-each-ref", "--format=%(objectname)", "--sort=refname", "refs/heads/"], git_dir)
    for line in out.decode("ascii", "replace").split():
        found = resolve_commit(git_dir, line) if _OBJECT_ID.fullmatch(line) else None
        if found is not None:
            return found
    return None


def diff_trees(git_dir: Path, old: str, new: str) -> list[tuple[str, str | None, str | None]]:
    """Every file that differs between the trees of two commits, as (path, mode, object id)
    in ``new`` -- mode and id None where ``new`` has no file there -- from one ``git
    diff-tree``, which reads only the folders that differ."""
    _valid_id(old)
    _valid_id(new)
    out = _git(["diff-tree", "-r", "-z", "--no-renames", "--no-commit-id", old, new], git_dir)
    tokens = out.split(b"\0")
    changes: list[tuple[str, str | None, str | None]] = []
    for i in range(0, len(tokens) - 1, 2):
        meta, path = tokens[i], tokens[i + 1]
        fields = meta.split()
        if len(fields) != 5 or not meta.startswith(b":"):
            raise GitFailedError("unexpected git diff-tree output")
        mode, blob = fields[1].decode("ascii"), fields[3].decode("ascii")
        if set(mode) == {"0"}:
            changes.append((os.fsdecode(path), None, None))
        else:
            changes.append((os.fsdecode(path), mode, blob))
    return changes


def checkout_and_dates(
    root: Path, day: date | None
) -> tuple[tuple[str | None, bool] | None, FileDates | None]:
    """What the site asks git, in one go (``loader.in_worker`` runs it beside the loading):
    the commit checked out and whether the records have changes beside it, and, given the
    as-of day, every file's dates; None where the tree is not in git."""
    try:
        state = head_state(root)
    except NotAGitRepositoryError:
        return None, None
    return state, file_dates(root, day) if day is not None else None
