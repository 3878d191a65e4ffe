"""Committing what duchu wrote (``duchu import --commit``), through the safe runner of
``duchu.git.run``: exactly the files named, with a message and, for a workbook a group sent
by mail, the author given (``NAME <MAIL>``); and the tree's first commit, which names it."""

from __future__ import annotations

from pathlib import Path

from duchu.errors import GitFailedError, NotAGitRepositoryError
from duchu.git.run import _git, _one_line, repository_root, require_identity


def root_commit(path: Path) -> str | None:
    """The first commit of the repository holding ``path`` (the oldest, when history has
    several roots); None outside git or before the first commit."""
    try:
        repository_root(path)
        out = _git(["rev-list", "--max-parents=0", "HEAD", "--"], path, check=False)
    except (NotAGitRepositoryError, GitFailedError):
        return None
    roots = sorted(_one_line(out).split())
    return roots[0] if roots else None


def commit_files(root: Path, files: list[str], message: str, author: str | None) -> str:
    """Commit ``files`` (relative to ``root``) and nothing else; the new commit's id."""
    repository_root(root)
    require_identity(root)
    _git(["add", "--", *files], root)
    args = ["commit", "--quiet", "--only", "-m", message]
    if author is not None:
        args.append(f"--author={author}")
    _git([*args, "--", *files], root)
    return _one_line(_git(["rev-parse", "HEAD"], root))
