"""Running git safely: every command duchu runs goes through ``_git`` (or ``_git_together``),
with the settings a repository's own configuration could use to run a program overridden on
the command line (``_SAFE_CONFIG``), every transport blocked and git's messages in English
(``_SAFE_ENV``); git's refusals become duchu's errors. Also the few plain questions of a
repository: its top, the commit checked out, its hooks folder, making a new one."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import threading
from datetime import date
from pathlib import Path

from duchu.errors import (
    DuchuError,
    GitFailedError,
    GitNotInstalledError,
    NoGitIdentityError,
    NotAGitRepositoryError,
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
    "advice.graftFileDeprecated=false",  # (the empty graft file below is read, not used)
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
    # what is read is each commit's own objects: never what a ``refs/replace/`` ref or a
    # graft file (``info/grafts``) puts in their place -- a replacement pushed first would
    # otherwise show the hook a harmless commit where the pushed one changes records
    "GIT_NO_REPLACE_OBJECTS": "1",
    "GIT_GRAFT_FILE": os.devnull,
}

_OBJECT_ID = re.compile(r"[0-9a-f]{40}(?:[0-9a-f]{24})?")
_OBJECT_ID_BYTES = re.compile(rb"[0-9a-f]{40}(?:[0-9a-f]{24})?")


def _command(args: list[str], *, hooks: bool = False) -> tuple[list[str], dict[str, str]]:
    """The argument list and environment of one hardened git invocation."""
    config = [*_SAFE_CONFIG] if hooks else [*_SAFE_CONFIG, _NO_HOOKS]
    argv = ["git", "--no-pager", "--literal-pathspecs", "--no-replace-objects"]
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


def _git(
    args: list[str],
    cwd: Path,
    *,
    check: bool = True,
    hooks: bool = False,
    env: dict[str, str] | None = None,
    given: bytes | None = None,
) -> bytes:
    """Run one git command in ``cwd`` and return its output, unchanged bytes; ``env`` adds to
    the environment (where to write objects, an index of one's own), ``given`` is its input."""
    _check_git(cwd)
    argv, environment = _command(args, hooks=hooks)
    try:
        done = subprocess.run(
            argv,
            cwd=cwd,
            env={**environment, **(env or {})},
            input=given if given is not None else b"",
            capture_output=True,
            check=False,
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


def require_identity(repo: Path) -> None:
    """Refuse (``NoGitIdentityError``, exit 2 at the command line) when a commit made in
    ``repo`` would have no author or committer: neither git's ``user.name`` / ``user.email``
    (in any of its configuration files) nor the ``GIT_AUTHOR_*`` / ``GIT_COMMITTER_*``
    variables (and ``EMAIL``) say who. duchu asks before it commits (``duchu init`` tells,
    ``import --commit`` refuses), so that a fresh clone gets one line saying how to set it,
    never git's English. git's guess from the host name is not taken: a record's commit names
    who reported it. ``repo`` need not exist yet (``duchu init``): the nearest folder above
    it that does is asked."""
    folder = repo
    while not folder.is_dir() and folder != folder.parent:
        folder = folder.parent

    def configured(key: str) -> str:
        return _git(["config", "--get", key], folder, check=False).decode("utf-8", "replace")

    name, email = configured("user.name").strip(), configured("user.email").strip()
    missing = []
    for role in ("AUTHOR", "COMMITTER"):
        if not (os.environ.get(f"GIT_{role}_NAME", "").strip() or name):
            missing.append("user.name")
        if not (
            os.environ.get(f"GIT_{role}_EMAIL", "").strip()
            or email
            or os.environ.get("EMAIL", "").strip()
        ):
            missing.append("user.email")
    if missing:
        raise NoGitIdentityError("/".join(dict.fromkeys(missing)))


def hooks_folder(path: Path) -> Path:
    """Where git looks for hooks (honours ``core.hooksPath``)."""
    hooks = _one_line(_git(["rev-parse", "--git-path", "hooks"], path, hooks=True))
    return (path / hooks).resolve()
