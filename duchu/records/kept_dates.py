"""Every file's dates as of a day, kept in the user's cache per commit (issue 25).

A circular and the site ask git for every file's dates (``duchu.git.history.file_dates``:
one ``git log`` of the branch and the contents of the changed files, some 0.4 s of work on
a tree of 2,000 units). What it answers is fixed by the commit it starts from, the as-of
day, the records' place in the repository and the code that reads it, so it is kept under
the commit's id and the day (``duchu.records.judged``: JSON in the user's private cache
folder, valid only for the code that wrote it) and read back while that commit is checked
out. A new commit names new documents; those of other commits are removed when one is
written, so the folder holds one commit's days at most.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import os
from datetime import date
from pathlib import Path

from duchu.errors import NotAGitRepositoryError
from duchu.git.history import FileDates, ReportRule, file_dates
from duchu.git.state import head_state
from duchu.records.cache import user_cache_folder
from duchu.records.judged import read_judged, write_judged

PURPOSE = "dates"
# ``read_judged`` reads a document up to 16 MiB: the dates of a tree larger than that (some
# 200,000 files) are asked of git each time rather than written and never read back
MAX_KEPT_BYTES = 15 * 2**20


@functools.cache
def _code_digest() -> str:
    """duchu's version and the modules whose code decides the dates: git's reading and the
    records' report rule (``reports.py``) and this module."""
    from duchu import __version__

    digest = hashlib.sha256(__version__.encode())
    package = Path(__file__).resolve().parent.parent
    sources = [*sorted((package / "git").glob("*.py")), package / "records" / "reports.py"]
    for source in [*sources, Path(__file__).resolve()]:
        digest.update(source.name.encode() + b"\0" + source.read_bytes())
    return digest.hexdigest()


def _stored(dates: FileDates) -> dict[str, dict[str, int]]:
    return {
        "added": {path: day.toordinal() for path, day in dates.added.items()},
        "changed": {path: day.toordinal() for path, day in dates.changed.items()},
        "reported": {path: day.toordinal() for path, day in dates.reported.items()},
    }


def _read_back(data: object) -> FileDates | None:
    """The kept dates, or None when the document is not what ``_stored`` writes."""
    if not isinstance(data, dict) or set(data) != {"added", "changed", "reported"}:
        return None
    days: dict[int, date] = {}  # one date object a day, as git's reading gives
    parts: list[dict[str, date]] = []
    try:
        for part in ("added", "changed", "reported"):
            stored = data[part]
            if not isinstance(stored, dict):
                return None
            read = {}
            for path, ordinal in stored.items():
                if type(ordinal) is not int:
                    return None
                day = days.get(ordinal)
                if day is None:
                    day = days[ordinal] = date.fromordinal(ordinal)
                read[path] = day
            parts.append(read)
    except (ValueError, OverflowError):
        return None
    return FileDates(added=parts[0], changed=parts[1], reported=parts[2])


def _name(commit: str, day: date, rule: ReportRule | None) -> str:
    ruled = type(rule).__qualname__ if rule is not None else "none"
    return f"{commit}.{day.isoformat()}.{ruled}.json"


def _forget_other_commits(folder: Path, commit: str) -> None:
    with contextlib.suppress(OSError):
        for entry in os.scandir(folder):
            if entry.name.endswith(".json") and not entry.name.startswith(f"{commit}."):
                with contextlib.suppress(OSError):
                    os.unlink(entry.path)


def kept_file_dates(
    root: Path, day: date, commit: str, rule: ReportRule | None = None
) -> FileDates:
    """``file_dates(root, day, rule=rule)`` from HEAD, which is ``commit``: as kept for that
    commit and day, else asked of git and kept."""
    folder = user_cache_folder(root, PURPOSE)
    name = _name(commit, day, rule)
    kept = _read_back(read_judged(folder, name, _code_digest()))
    if kept is not None:
        return kept
    dates = file_dates(root, day, start=commit, rule=rule)
    stored = _stored(dates)
    size = sum(len(path) * 3 + 12 for part in stored.values() for path in part)  # about
    if size <= MAX_KEPT_BYTES:
        _forget_other_commits(folder, commit)
        write_judged(folder, name, _code_digest(), stored)
    return dates


def checkout_and_kept_dates(
    root: Path, day: date | None, rule: ReportRule | None = None
) -> tuple[tuple[str | None, bool] | None, FileDates | None]:
    """``duchu.git.state.checkout_and_dates`` with the dates kept per commit and day (what
    a circular and the site ask beside the loading)."""
    try:
        state = head_state(root)
    except NotAGitRepositoryError:
        return None, None
    if day is None:
        return state, None
    commit = state[0]
    if commit is None:  # no commit yet: nothing to keep, nothing to ask for long
        return state, file_dates(root, day, rule=rule)
    return state, kept_file_dates(root, day, commit, rule)
