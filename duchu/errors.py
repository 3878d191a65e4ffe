""" "Cannot continue" errors: each carries a message-catalogue key and its arguments.

The command line turns any of them into one line on stderr and exit status 2, in one place
(``duchu.cli._handled``). This module imports nothing heavy, so the command line can name
these classes without loading pydantic or yaml.
"""

from __future__ import annotations

from pathlib import Path


class DuchuError(Exception):
    def __init__(self, key: str, **args: object) -> None:
        super().__init__(key)
        self.key = key
        self.args_ = args


class NotAGitRepositoryError(DuchuError):
    """The folder is not inside a git work tree (or git is not installed)."""

    def __init__(self, path: Path) -> None:
        super().__init__("not-a-git-repo", path=path)
        self.path = path


class GitFailedError(DuchuError):
    """git ran and failed; ``detail`` is its own first line of complaint."""

    def __init__(self, detail: str) -> None:
        super().__init__("git-failed", detail=detail)
        self.detail = detail


class ScaffoldError(DuchuError):
    """``duchu init`` or ``duchu new`` cannot write what was asked."""
