"""Finding a tree's record files on disk: walking campaign.yaml, groups/, units/, meetings/ and
notices/ in name order, and the problems of what cannot be a record there -- a link out of the tree,
a name that is not UTF-8, a file the system refuses, a hidden or misspelt record file."""

from __future__ import annotations

import errno
import os
import re
from dataclasses import dataclass, field
from pathlib import Path

from duchu.paths import inside
from duchu.problems import Problem, Ref, Severity, problem
from duchu.records.tree import CAMPAIGN_FILE

# --- discovery ------------------------------------------------------------------------------


@dataclass
class Discovered:
    """The record files of a tree (relative POSIX paths) and problems met finding them."""

    files: list[str] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)


def readable_name(path: str) -> bool:
    """Whether a path is text: a name that is not UTF-8 reaches Python from the file system
    and from git with each bad byte as a lone surrogate (``\\udcff``), which no output can
    write -- and no id, nor a problem pointing at it, may hold."""
    if path.isascii():
        return True
    try:
        path.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def shown_path(path: str) -> str:
    """A path as a problem shows it: the bytes of a name that is not UTF-8 escaped
    (``units/\\xff.yaml``), everything else as it is."""
    if readable_name(path):
        return path
    try:
        return path.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
    except UnicodeEncodeError:  # a surrogate no file system gives: shown by its code point
        return path.encode("utf-8", "backslashreplace").decode("utf-8")


def bad_name(rel_path: str) -> Problem:
    """The error of a record file whose name (or a folder's above it) is not UTF-8: its id
    comes from its name, so it cannot be read as a record (../shared/spec/RECORDS.md: ids are file
    stems)."""
    return problem(shown_path(rel_path), "bad-file-name", line=1, column=1)


def unreadable(rel_path: str, err: OSError) -> Problem:
    """The error of a file or folder of records that the operating system refuses to read
    (a loop of links, no permission, ...): one problem at its path, the rest of the tree read
    all the same."""
    from duchu.errors import os_reason

    reason = os_reason(err)
    return problem(
        shown_path(rel_path),
        "unreadable",
        line=1,
        column=1,
        reason=reason if isinstance(reason, Ref) else shown_path(str(reason)),
    )


# what the operating system would say of a record path that names a folder or a loop of
# links, for the same problem wherever the tree is read from (a folder, a commit)
IS_A_FOLDER = IsADirectoryError(errno.EISDIR, os.strerror(errno.EISDIR))
LINK_LOOP = OSError(errno.ELOOP, os.strerror(errno.ELOOP))
NOTHING_THERE = FileNotFoundError(errno.ENOENT, os.strerror(errno.ENOENT))


def _folder(entry: os.DirEntry[str]) -> bool:
    try:
        return entry.is_dir()
    except OSError:
        return False


def _link_trouble(path: str, rel_path: str) -> Problem:
    """The problem of a record path that is a link to neither a folder nor a file."""
    try:
        os.stat(path)
    except OSError as err:  # it leads nowhere
        return unreadable(rel_path, err)
    return problem(rel_path, "not-a-file", line=1, column=1)  # it leads to a pipe or device


def _walk(
    root: Path,
    root_real: Path,
    rel: str,
    folder_real: str,
    recursive: bool,
    found: Discovered,
    seen: set[str],
) -> None:
    """Record files under ``rel`` (whose real path is ``folder_real``), in name order, each
    folder's files before the folders below it are entered. A stack, not recursion: a tree
    of a thousand nested folders is read like any other. A file or folder the operating
    system refuses is a problem at its path; one missing is nothing."""
    pending = [(rel, folder_real)]
    while pending:
        folder, real_folder = pending.pop()
        try:
            entries = sorted(os.scandir(f"{root}/{folder}"), key=lambda entry: entry.name)
        except FileNotFoundError:
            continue  # a tree without meetings (yet), or a link to nothing
        except OSError as err:
            found.problems.append(unreadable(folder, err))
            continue
        below: list[tuple[str, str]] = []
        for entry in entries:
            name = entry.name
            rel_path = f"{folder}/{name}"
            if name[0] == ".":
                if hidden_record_name(name) and not _folder(entry):
                    found.problems.append(hidden_file(rel_path))
                continue
            real = f"{real_folder}/{name}"  # only links need resolving
            try:
                is_link = entry.is_symlink()
                if is_link:
                    real = os.path.realpath(entry.path)
                    if not inside(real, root_real):
                        found.problems.append(
                            problem(
                                shown_path(rel_path),
                                "outside-tree",
                                line=1,
                                column=1,
                                target=shown_path(real),
                            )
                        )
                        continue
                is_dir = entry.is_dir()
                is_file = not is_dir and entry.is_file()
            except OSError as err:  # a loop of links, a folder that may not be searched
                if name.endswith(".yaml"):
                    found.problems.append(unreadable(rel_path, err))
                elif ignored_record_name(name):
                    found.problems.append(ignored_file(rel_path))
                continue
            if is_dir:
                if recursive and real not in seen:
                    seen.add(real)
                    below.append((rel_path, real))
                elif not recursive and name.endswith(".yaml"):  # units/a.yaml/: a mistake
                    found.problems.append(unreadable(rel_path, IS_A_FOLDER))
            elif name.endswith(".yaml"):
                if not readable_name(rel_path):
                    found.problems.append(bad_name(rel_path))
                elif is_file:
                    found.files.append(rel_path)
                elif is_link:  # a link to nothing (or that stopped leading anywhere)
                    found.problems.append(_link_trouble(entry.path, rel_path))
                else:  # a pipe or device would block or never end: never opened
                    found.problems.append(problem(rel_path, "not-a-file", line=1, column=1))
            elif ignored_record_name(name):
                found.problems.append(ignored_file(rel_path))
        pending.extend(reversed(below))  # in name order


# Another spelling of the record extension: .yml, .YAML, .Yaml, .yaml.txt (Windows hides the
# last extension), ... -- files a user meant as records, never read in silence
_OTHER_SPELLING = re.compile(r"\.ya?ml(?:\.txt)?\s*$", re.IGNORECASE)


def ignored_record_name(name: str) -> bool:
    return not name.endswith(".yaml") and bool(_OTHER_SPELLING.search(name))


def ignored_file(rel_path: str) -> Problem:
    return problem(
        shown_path(rel_path), "ignored-file", severity=Severity.WARNING, line=1, column=1
    )


def hidden_record_name(name: str) -> bool:
    """A hidden file named as a record (``.a.yaml``, ``...yaml``, ``.a.yml``): never read,
    but never in silence either -- it is most likely a record someone misnamed. What editors
    and systems leave beside a file stays quiet: macOS's ``._a.yaml`` (on a USB stick or a
    network share), Emacs's lock ``.#a.yaml``; so do hidden folders (``.git``) and files
    named otherwise (``.DS_Store``, ``.a.yaml.swp``)."""
    if name.startswith(("._", ".#")):
        return False
    return name.endswith(".yaml") or ignored_record_name(name)


def hidden_file(rel_path: str) -> Problem:
    return problem(shown_path(rel_path), "hidden-file", severity=Severity.WARNING, line=1, column=1)


def discover(root: Path) -> Discovered:
    """campaign.yaml, groups/*.yaml, units/*.yaml, meetings/**/*.yaml and notices/**/*.yaml (1.2),
    in name order."""
    found = Discovered()
    campaign = root / CAMPAIGN_FILE
    if campaign.is_symlink() and not inside(campaign.resolve(), root.resolve()):
        found.problems.append(
            problem(
                CAMPAIGN_FILE,
                "outside-tree",
                line=1,
                column=1,
                target=shown_path(str(campaign.resolve())),
            )
        )
    else:
        found.files.append(CAMPAIGN_FILE)
    root_real = root.resolve()  # once: resolving walks every folder of the path
    for folder, recursive in (
        ("groups", False),
        ("units", False),
        ("meetings", True),
        ("notices", True),
    ):
        real = os.path.realpath(root / folder)
        if not inside(real, root_real):  # the folder itself a link out of the tree
            found.problems.append(
                problem(folder, "outside-tree", line=1, column=1, target=shown_path(real))
            )
            continue
        _walk(root, root_real, folder, real, recursive, found, {real})
    return found
