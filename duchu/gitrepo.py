"""Git, through its command line, in one small module: the audit trail of a records tree.

Every commit to the records is a change with an author and a date; duchu reads that history
(``duchu log``, ``status --stale``, the provenance line of reports) and starts repositories
(``duchu init``). Nothing else in duchu runs git. Outside a repository, or without git
installed, the functions raise ``NotAGitRepository`` and the command line says so in one
line; every other command works as before.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

from duchu.errors import GitFailedError, NotAGitRepositoryError

FIELD = "\x1f"  # unit separator: cannot appear in names, e-mails or subjects
RECORD = "\x1e"


def _git(args: list[str], cwd: Path, *, check: bool = True) -> str:
    if shutil.which("git") is None:
        raise NotAGitRepositoryError(cwd)
    env = {**os.environ, "LC_ALL": "C", "GIT_OPTIONAL_LOCKS": "0"}
    done = subprocess.run(
        ["git", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        encoding="utf-8",
        errors="replace",
        env=env,
        check=False,
    )
    if check and done.returncode != 0:
        lines = done.stderr.strip().splitlines()
        raise GitFailedError(lines[0] if lines else f"git {args[0]} failed")
    return done.stdout


def repository_root(path: Path) -> Path:
    """The top of the git work tree holding ``path``."""
    try:
        top = _git(["rev-parse", "--show-toplevel"], path)
    except GitFailedError:
        raise NotAGitRepositoryError(path) from None
    return Path(top.strip())


def init_repository(path: Path) -> None:
    _git(["init", "--quiet"], path)


def hooks_folder(path: Path) -> Path:
    """Where git looks for hooks (honours ``core.hooksPath``)."""
    hooks = _git(["rev-parse", "--git-path", "hooks"], path).strip()
    return (path / hooks).resolve()


@dataclass(frozen=True)
class Commit:
    commit: str
    author: str
    email: str
    when: datetime
    message: str
    files: tuple[str, ...] = field(default=())

    @property
    def short(self) -> str:
        return self.commit[:8]


def history(root: Path, paths: list[str] | None = None) -> list[Commit]:
    """Commits touching ``paths`` (relative to ``root``; all of ``root`` when None), newest
    first, each with the files it touched relative to ``root``."""
    top = repository_root(root)
    prefix = root.resolve().relative_to(top.resolve()).as_posix()
    prefix = "" if prefix == "." else prefix + "/"
    pathspecs = [prefix + p for p in paths] if paths is not None else [prefix or "."]
    if paths is not None and not paths:
        return []
    log_format = RECORD + FIELD.join(["%H", "%an", "%ae", "%cI", "%s"])
    try:
        out = _git(
            ["log", f"--format={log_format}", "--name-only", "--no-renames", "--", *pathspecs],
            top,
        )
    except GitFailedError as err:
        if "does not have any commits" in err.detail:
            return []
        raise
    commits = []
    for chunk in out.split(RECORD)[1:]:
        head, _, names = chunk.partition("\n")
        commit, author, email, when, message = head.split(FIELD, 4)
        files = tuple(
            name[len(prefix) :] for name in names.splitlines() if name and name.startswith(prefix)
        )
        commits.append(Commit(commit, author, email, datetime.fromisoformat(when), message, files))
    return commits


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


def head_state(root: Path) -> tuple[str | None, bool]:
    """The commit checked out (None before the first commit) and whether the records
    under ``root`` have uncommitted changes."""
    top = repository_root(root)
    head = _git(["rev-parse", "--verify", "--quiet", "HEAD"], top, check=False).strip() or None
    dirty = bool(_git(["status", "--porcelain", "--", str(root.resolve())], top).strip())
    return head, dirty
