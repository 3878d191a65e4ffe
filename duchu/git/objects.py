"""Git's objects, read without checking anything out: the files of a commit or tree
(``tree_entries``), their contents through one ``git cat-file --batch`` (``BlobReader``), the
tree the index holds (``write_tree``), and what a push brings to a central repository (new
commits, merge bases, the files two trees differ in)."""

from __future__ import annotations

import contextlib
import os
import subprocess
import tempfile
import threading
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import IO

from duchu.errors import (
    DuchuError,
    GitFailedError,
    GitObjectMissingError,
    NotAGitRepositoryError,
)
from duchu.git.run import (
    _OBJECT_ID,
    _check_git,
    _command,
    _complaint,
    _git,
    _head,
    _one_line,
    _prefix,
    _text,
    repository_root,
)


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
    """The commit of the branch HEAD names (the default branch); None when that branch does
    not exist yet -- never some other branch, which whoever pushes first could have made."""
    return _head(git_dir)


def head_branch(git_dir: Path) -> str | None:
    """The ref HEAD names (``refs/heads/master``), whether it exists or not; None when HEAD
    is detached."""
    out = _one_line(_git(["symbolic-ref", "--quiet", "HEAD"], git_dir, check=False))
    return out or None


def has_refs(git_dir: Path) -> bool:
    """Whether the repository has any ref at all (before its first push it has none)."""
    return bool(_git(["for-each-ref", "--count=1", "--format=x"], git_dir).strip())


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


# --- a trial tree, written aside (``duchu hook status``) --------------------------------------


def aside(git_dir: Path, folder: Path) -> dict[str, str]:
    """The environment under which git writes new objects into ``folder`` and reads the
    repository's own as well -- what git's quarantine does during a push: nothing is
    written into the repository."""
    objects = _one_line(_git(["rev-parse", "--git-path", "objects"], git_dir))
    return {
        "GIT_OBJECT_DIRECTORY": str(folder),
        "GIT_ALTERNATE_OBJECT_DIRECTORIES": str((git_dir / objects).resolve()),
    }


def _trial_tree(
    git_dir: Path, env: dict[str, str], files: dict[str, bytes], base: str | None
) -> str:
    """A tree (written aside) holding the top-level entries of ``base``'s tree, those named in
    ``files`` (top-level file names) replaced by the given contents."""
    entries: dict[str, bytes] = {}
    if base is not None:
        _valid_id(base)
        out = _git(["ls-tree", "-z", "--full-tree", "--end-of-options", base], git_dir)
        for record in out.split(b"\0"):
            if record:
                entries[os.fsdecode(record.partition(b"\t")[2])] = record
    for name, content in files.items():
        blob = _one_line(_git(["hash-object", "-w", "--stdin"], git_dir, env=env, given=content))
        entries[name] = b"100644 blob " + blob.encode("ascii") + b"\t" + os.fsencode(name)
    listing = b"".join(entry + b"\0" for entry in entries.values())
    return _one_line(_git(["mktree", "-z"], git_dir, env=env, given=listing))


def trial_commit(
    git_dir: Path, env: dict[str, str], files: dict[str, bytes], base: str | None
) -> str:
    """A commit (written aside, under ``env`` from ``aside``) whose tree is ``base``'s with
    the top-level ``files`` replaced, its parent ``base``. No ref moves."""
    tree = _trial_tree(git_dir, env, files, base)
    who = {
        "GIT_AUTHOR_NAME": "duchu",
        "GIT_AUTHOR_EMAIL": "duchu@localhost",
        "GIT_COMMITTER_NAME": "duchu",
        "GIT_COMMITTER_EMAIL": "duchu@localhost",
    }
    parents = ["-p", base] if base is not None else []
    out = _git(
        ["commit-tree", *parents, "-m", "duchu hook status: a trial", tree],
        git_dir,
        env={**env, **who},
    )
    commit = _one_line(out)
    if not _OBJECT_ID.fullmatch(commit):
        raise GitFailedError(f"unexpected git commit-tree output {commit!r}")
    return commit


def trial_index(top: Path, env: dict[str, str], prefix: str, files: dict[str, bytes]) -> None:
    """Fill the index ``env`` names (``GIT_INDEX_FILE``, a file of one's own) with a tree of
    ``files`` at ``prefix`` ("" or "a/b/"), written aside: what a pre-commit hook would be
    asked to check."""
    tree = _trial_tree(top, env, files, None)
    _git(["read-tree", *([f"--prefix={prefix}"] if prefix else []), tree], top, env=env)
