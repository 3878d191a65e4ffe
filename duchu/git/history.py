"""The history of a records tree: its commits (``history``, ``commit_count``, read back exactly
whatever names, subjects and paths hold), when each file last changed (``last_changes``,
``file_dates``) and the commit that stood on a given day (``known_commit``)."""

from __future__ import annotations

import os
import subprocess
import tempfile
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Protocol

from duchu.errors import (
    BeforeFirstCommitError,
    GitFailedError,
    NoCommitsError,
    ShallowHistoryError,
)
from duchu.git.run import (
    _OBJECT_ID_BYTES,
    _check_git,
    _command,
    _complaint,
    _day,
    _git,
    _head,
    _one_line,
    _prefix,
    _text,
    repository_root,
)

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
    # with rename detection (-M): new path -> the path it was moved from (status R)
    moved_from: dict[bytes, bytes] = field(default_factory=dict)


def _parse_log(out: bytes, fields: int) -> list[_Logged]:
    """Split ``git log -z --format=<fields separated by %x00> --name-status`` output.

    With ``-z`` git writes each commit as its fields, a NUL, and -- when the commit changed
    anything -- a newline and then ``status NUL path NUL`` for each file (``R093 NUL old
    NUL new NUL`` for a rename or copy, with -M or -C). Fields never hold a
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
                status = chr(tokens[i][0])
                if status in "RC" and i + 2 < n:  # source, then destination
                    entry.changes.append((status, tokens[i + 2]))
                    if status == "R":
                        entry.moved_from[tokens[i + 2]] = tokens[i + 1]
                    i += 3
                    continue
                entry.changes.append((status, tokens[i + 1]))
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


class ReportRule(Protocol):
    """Which changes of a file are reports (../shared/spec/CLI.md 1.2, ``last_report``): the
    caller knows what a record is, git does not. A file for which ``read`` is False reports
    whenever its content changes and it still exists after (a pure move is no report); one
    for which it is True reports when ``reports`` says so of its contents before and after
    (None: not there)."""

    def read(self, path: str) -> bool: ...

    def reports(self, path: str, old: bytes | None, new: bytes | None) -> bool: ...


@dataclass(frozen=True)
class FileDates:
    """When files under a records root were first added, last changed and (with a
    ``ReportRule``) last reported, by committer date (see ``file_dates``). Paths are
    relative to the records root, by the names they have at the commit read from."""

    added: dict[str, date] = field(default_factory=dict)
    changed: dict[str, date] = field(default_factory=dict)
    reported: dict[str, date] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class _RawChange:
    status: str  # A, M, D, T, R (with -M)
    path: bytes  # the path after the commit (for D: the path deleted)
    old: str | None  # the blob before (None: none)
    new: str | None  # the blob after (None: none)
    moved_from: bytes | None = None  # for R: the path before


def _blob(raw: bytes) -> str | None:
    return None if raw.strip(b"0") == b"" else raw.decode("ascii")


def _parse_raw_log(out: bytes, fields: int) -> list[tuple[list[bytes], list[_RawChange]]]:
    """Split ``git log -z --format=<fields separated by %x00> --raw --no-abbrev`` output:
    each commit's fields, a NUL, and -- when it changed anything -- a newline and then
    ``:mode mode old new STATUS NUL path NUL`` (``... R093 NUL old NUL new NUL`` for a
    rename) for each file. A raw line starts with ``:``, where the next commit starts with
    its hex id, so any path reads back exactly."""
    tokens = out.split(b"\0")
    commits: list[tuple[list[bytes], list[_RawChange]]] = []
    i, n = 0, len(tokens)
    while i < n:
        if not tokens[i]:
            i += 1
            continue
        head = tokens[i : i + fields]
        if len(head) < fields or not _OBJECT_ID_BYTES.fullmatch(head[0]):
            raise GitFailedError("unexpected git log output")
        i += fields
        changes: list[_RawChange] = []
        if i < n and tokens[i].startswith(b"\n"):
            tokens[i] = tokens[i][1:]
        while i + 1 < n and tokens[i].startswith(b":"):
            parts = tokens[i][1:].split(b" ")
            if len(parts) != 5:
                raise GitFailedError("unexpected git log output")
            old, new, status = _blob(parts[2]), _blob(parts[3]), chr(parts[4][0])
            if status in "RC" and i + 2 < n:
                if status == "R":
                    changes.append(_RawChange("R", tokens[i + 2], old, new, tokens[i + 1]))
                else:  # a copy: the destination is added
                    changes.append(_RawChange("A", tokens[i + 2], None, new))
                i += 3
                continue
            changes.append(_RawChange(status, tokens[i + 1], old, new))
            i += 2
        commits.append((head, changes))
    return commits


def file_dates(
    root: Path, as_of: date, start: str | None = None, rule: ReportRule | None = None
) -> FileDates:
    """The office view's dates for every file under ``root``, from one ``git log``.

    Walks the first-parent line from ``start`` (a commit id; default HEAD) -- the commits of
    the branch itself, a merge counted as one change against what the branch had -- and
    counts only commits whose committer date (the committer's own calendar date) is on or
    before ``as_of``. ``changed[path]``: the date of the newest such commit touching path
    (deleting it too, or moving it away). ``added[path]``: the date of the earliest such
    commit that added it -- following it back through moves and renames (git's rename
    detection, ``-M``: identical content moved always counts), so that a meeting file moved
    into a sub-folder keeps the date it first arrived (../shared/spec/CLI.md 1.2).
    ``reported[path]`` (with ``rule``): the date of the newest such commit whose change of
    path ``rule`` calls a report; the contents it must see are read through one ``git
    cat-file --batch``, newest first, only until each file's answer is known. A repository
    without commits, or without any on or before ``as_of``, gives empty dicts.
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
            "--raw",
            "--no-abbrev",
            "-M",  # a moved file keeps the date it arrived (whatever diff.renames says)
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
    # changes whose contents tell whether they report, per name, newest first
    to_read: dict[str, list[tuple[date, str | None, str | None]]] = {}
    # Walking back, a file moved later is known by the name it has at ``start``: the path
    # it had then -> that name (a path not here is its own name).
    later_name: dict[bytes, bytes] = {}

    # one text per path, whichever of ``dates``' three dictionaries it keys: a province's
    # 230,000 paths, each made anew for each, were some 45 MB more
    names: dict[bytes, str] = {}

    def name_of(path: bytes) -> str | None:
        name = names.get(path)
        if name is None and path.startswith(raw):
            name = names[path] = os.fsdecode(path[len(raw) :])
        return name

    def note(into: dict[str, date], path: bytes, day: date, *, first: bool = False) -> None:
        name = name_of(path)
        if name is not None:
            into[name] = day if first or name not in into else into[name]

    def weigh(path: bytes, day: date, old: str | None, new: str | None) -> None:
        name = name_of(path)
        if rule is None or name is None or name in dates.reported or old == new:
            return
        if rule.read(name):
            to_read.setdefault(name, []).append((day, old, new))
        elif new is not None:
            dates.reported[name] = day

    for head, changes in _parse_raw_log(out, 2):  # newest first along the branch
        day = _day(_text(head[1]))
        counted = day <= as_of
        moved: dict[bytes, bytes] = {}  # this commit's renames, applied after its other changes
        for change in changes:
            path = change.path
            if change.status == "D":  # the file at path ends here: no later name to follow
                if counted:
                    note(dates.changed, path, day)
                    weigh(path, day, change.old, None)
                continue
            # after an addition or a move in, the path holds another file before this commit
            if change.status in "AR":
                now = later_name.pop(path, path)
            else:
                now = later_name.get(path, path)
            if change.status == "R":  # before this commit the file was at its old path
                assert change.moved_from is not None
                moved[change.moved_from] = now
                if counted:
                    note(dates.changed, change.moved_from, day)  # the old path lost it
            if counted:
                note(dates.changed, now, day)
                weigh(now, day, change.old, change.new)
                if change.status == "A":  # walking back: the last seen is the first arrival
                    note(dates.added, now, day, first=True)
        later_name.update(moved)
    del out, later_name  # the log read (a province's is some 35 MB): not while blobs are
    names.clear()
    if rule is not None and to_read:
        _read_reports(top, rule, to_read, dates.reported)
    return dates


# How many files' changes ``_read_reports`` reads the contents of together.
_FILES_READ_AT_ONCE = 4096


def _read_reports(
    top: Path,
    rule: ReportRule,
    to_read: dict[str, list[tuple[date, str | None, str | None]]],
    reported: dict[str, date],
) -> None:
    """Settle ``reported`` for the files whose changes must be read: in rounds, each file's
    next newest change, until one reports or none is left."""
    from duchu.git.objects import BlobReader

    step = 0
    with BlobReader(top) as reader:
        while True:
            due = [
                (name, changes[step])
                for name, changes in to_read.items()
                if name not in reported and step < len(changes)
            ]
            if not due:
                return
            # the contents a batch of files at a time: a province's every file at once
            # was some 100 MB of blobs held together
            for start in range(0, len(due), _FILES_READ_AT_ONCE):
                batch = due[start : start + _FILES_READ_AT_ONCE]
                wanted = {b for _, (_, old, new) in batch for b in (old, new) if b}
                contents = dict(reader.read_many(sorted(wanted)))
                for name, (day, old, new) in batch:
                    before = contents[old] if old else None
                    after = contents[new] if new else None
                    if rule.reports(name, before, after):
                        reported[name] = day
            step += 1


# --- what was known on a day -------------------------------------------------------------

# The current branch's first-parent commits, newest first, each with its committer date:
# what ``--known`` and the site's weekly trend walk.
_FIRST_PARENT_DATES = [
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
    argv, env = _command(_FIRST_PARENT_DATES)
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


def branch_days(root: Path) -> list[tuple[str, date]]:
    """Every commit of the current branch's first-parent line, newest first, with its
    committer's own calendar date: what ``known_commit`` walks, listed once, so that the
    commit standing on each of many days (the site's weekly trend) is found without a git
    run a day. Empty in a repository without commits."""
    top = repository_root(root)
    if _head(top) is None:
        return []
    out = _git(
        _FIRST_PARENT_DATES,
        top,
    )
    tokens = [token for token in out.split(b"\0") if token.strip()]
    return [
        (_text(tokens[k]).strip(), _day(_text(tokens[k + 1]).strip()))
        for k in range(0, len(tokens) - 1, 2)
    ]


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
