""" "Cannot continue" errors: each carries a message-catalogue key and its arguments.

The command line turns any of them into one line on stderr and exit status 2, in one place
(``duchu.cli.app._handled``). This module imports nothing heavy, so the command line can name
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


class GitNotInstalledError(NotAGitRepositoryError):
    """git is not installed (not on PATH). A kind of ``NotAGitRepositoryError``, so whatever
    goes on without git (a report's provenance line) still does; its own words say why."""

    def __init__(self, path: Path) -> None:
        DuchuError.__init__(self, "git-not-installed")
        self.path = path


class UnsafeRepositoryError(DuchuError):
    """git refuses the repository: it belongs to another user ("dubious ownership") and is
    not listed in ``safe.directory``. duchu never overrides that: the user decides."""

    def __init__(self, path: Path) -> None:
        super().__init__("git-unsafe-repo", path=path)
        self.path = path


class NoGitIdentityError(DuchuError):
    """git does not know who commits (no ``user.name`` or ``user.email``): a fresh clone on a
    new machine. Said in one line of the user's language, with the commands that set it,
    before git would refuse in English ("Please tell me who you are")."""

    def __init__(self, missing: str) -> None:
        super().__init__("git-no-identity", missing=missing)
        self.missing = missing


class NoCommitsError(DuchuError):
    """The repository has no commits yet, so there is no committed state to read."""

    def __init__(self, path: Path) -> None:
        super().__init__("git-no-commits", path=path)
        self.path = path


class BeforeFirstCommitError(DuchuError):
    """``--known`` on a day before the branch's first commit: nothing was known yet."""

    def __init__(self, day: object, first: object) -> None:
        super().__init__("known-before-first-commit", day=day, first=first)
        self.day = day
        self.first = first


class ShallowHistoryError(DuchuError):
    """``--known`` in a shallow clone whose history stops before ``day``."""

    def __init__(self, day: object) -> None:
        super().__init__("known-shallow", day=day)
        self.day = day


class GitObjectMissingError(DuchuError):
    """An object a commit names is not in the repository (a partial or damaged clone)."""

    def __init__(self, object_id: str) -> None:
        super().__init__("git-object-missing", object=object_id)
        self.object_id = object_id


# errno names that get words of their own (the OS's own text is English)
_KNOWN_ERRNO = {
    "EACCES",
    "EPERM",
    "ENOENT",
    "ENOSPC",
    "EROFS",
    "ENOTDIR",
    "EISDIR",
    "EEXIST",
    "EDQUOT",
    "EMFILE",
    "ENAMETOOLONG",
    "ELOOP",
    "EIO",
    "EFBIG",
    "EXDEV",
}


def os_reason(err: OSError) -> object:
    """Why the operating system refused, as a message-catalogue reference for the common
    causes (so it reads in the user's language) and as the OS's own text otherwise."""
    import errno

    from duchu.problems import Ref

    name = errno.errorcode.get(err.errno or 0, "")
    if name in _KNOWN_ERRNO:
        return Ref(f"errno-{name}")
    return err.strerror or str(err)
