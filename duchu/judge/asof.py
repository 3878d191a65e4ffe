"""The tree as of a day: *done* (the working tree) or *known* (as committed to git by that
day, ../shared/spec/CLI.md ``--known``), and what git says beside it -- the one entry point every
judging command, the site and the workbooks open their records through.

``open_as_of`` reads the as-of date (the campaign's year for a date like 4月1日), loads the
tree (from git's objects, never checked out, with ``known``) and refuses one with errors
(``TreeHasErrors``). What the outputs say they were drawn from is one ``Provenance``, made
in one place (``provenance``); files' dates come from ``file_dates``. Either may be asked
beside the loading or the judging, where git's seconds would otherwise add to them. The
judgements that a day lies far outside the campaign, or before a phase has begun, are here;
their words are the command line's.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from duchu.errors import DuchuError
from duchu.problems import Ref

if TYPE_CHECKING:
    from concurrent.futures import Future  # imported by the work that makes one

    from duchu.git.history import FileDates
    from duchu.records.dates import Calendar, Year
    from duchu.records.models import Phase
    from duchu.records.tree import Tree

T = TypeVar("T")
Progress = Callable[[int, int], None] | None


@dataclass(frozen=True)
class Provenance:
    """What an output was drawn from: the as-of date and, in git, the commit -- with
    ``known`` the one read; else the one checked out, and whether the tree had changes
    beside it (``dirty``)."""

    as_of: date
    commit: str | None = None
    dirty: bool = False
    in_git: bool = False
    known: bool = False


class TreeHasErrors(Exception):
    """The tree has errors: only ``check`` judges such a tree."""

    def __init__(self, tree: Tree) -> None:
        super().__init__("tree has errors")
        self.tree = tree


@dataclass
class Judged:
    """What a judging command works from: the tree, the as-of date, and -- with
    ``--known`` -- the commit it was read from."""

    tree: Tree
    day: date
    known_commit: str | None = None
    # git's answers asked beside the loading (``open_as_of(beside=True)``): the day they
    # were asked for, and the future of ``checkout_and_dates``
    asked: tuple[date | None, Future[Any]] | None = field(default=None, repr=False)


def day_from_text(text: str | None, year: Year, option: str = "--as-of") -> date:
    """A date typed on the command line, in any form ../shared/spec/RECORDS.md allows (``year``, the
    campaign's calendar, for one like 4月1日); today without one."""
    if text is None:
        return date.today()  # the one place duchu reads the clock
    from duchu.records.dates import DateError, parse_date

    try:
        return parse_date(text, year)
    except DateError as err:
        raise DuchuError(
            "bad-date-option", option=option, text=text, reason=Ref(err.reason)
        ) from None


def campaign_year(path: Path) -> Calendar | None:
    """The campaign's calendar, for a date like 4月1日 typed before the tree is loaded; None
    when the file cannot tell (then only full dates are understood)."""
    from duchu.records.models import Campaign
    from duchu.records.parse import load_file

    if not path.is_file():
        return None
    record = load_file(path.parent, path.name).record
    return record.calendar if isinstance(record, Campaign) else None


def tree_year(tree: Tree) -> Calendar | None:
    """The campaign's calendar (../shared/spec/RECORDS.md 1.2: 1月5日 in a campaign begun in
    September is the next year's), for a date typed on the command line."""
    return tree.campaign.calendar if tree.campaign else None


def load_done(root: Path, *, use_cache: bool, progress: Progress = None) -> Tree:
    """The working tree as it is, errors and all (``check``, ``log``)."""
    from duchu.records.load import load_tree
    from duchu.records.tree import NoRecordsError

    try:
        return load_tree(root, use_cache=use_cache, progress=progress)
    except NoRecordsError as err:
        raise DuchuError("no-records", path=err.path) from None


def valid(tree: Tree) -> Tree:
    """The tree, or ``TreeHasErrors``."""
    if tree.errors() or tree.campaign is None:
        raise TreeHasErrors(tree)
    return tree


def open_as_of(
    root: Path,
    as_of: str | None,
    *,
    known: bool,
    use_cache: bool,
    progress: Progress = None,
    beside: bool = False,
    before_loading: Callable[[], object] = lambda: None,
) -> Judged:
    """The valid tree and the as-of date; with ``known``, the tree as committed on that
    date, read from git's objects and never checked out. ``beside``: git is asked about the
    checkout and the files' dates while the records load (``provenance``, ``file_dates``).
    ``before_loading`` is called just before the records are read (the command line pauses
    the cyclic collector there)."""
    if known:
        return _open_known(root, as_of, use_cache=use_cache, before_loading=before_loading)
    asked = None
    if beside:
        from duchu.git.state import checkout_and_dates
        from duchu.records.kept_dates import checkout_and_kept_dates
        from duchu.records.parallel import in_worker
        from duchu.records.reports import WorkReports

        early_day = None  # a full date (or today) needs no campaign to be read
        with contextlib.suppress(DuchuError):
            early_day = day_from_text(as_of, None)
        # in a process of its own: reading a province's git answers is Python's work,
        # which a thread would do holding the lock the loading needs
        # (with the cache, the dates as kept for the commit and day: git's answer is fixed
        # by them)
        ask = checkout_and_kept_dates if use_cache else checkout_and_dates
        asked = (early_day, in_worker(ask, root, early_day, WorkReports()))
    before_loading()
    tree = valid(load_done(root, use_cache=use_cache, progress=progress))
    return Judged(tree, day_from_text(as_of, tree_year(tree)), asked=asked)


def _open_known(
    root: Path, as_of: str | None, *, use_cache: bool, before_loading: Callable[[], object]
) -> Judged:
    from duchu.git.history import known_commit
    from duchu.records.cache import user_cache_folder
    from duchu.records.known import load_known_tree
    from duchu.records.tree import CAMPAIGN_FILE, NoRecordsError

    try:  # a full date needs no year: the campaign file is read only for one like 4月1日
        day = day_from_text(as_of, None)
    except DuchuError:
        day = day_from_text(as_of, campaign_year(root / CAMPAIGN_FILE))
    commit = known_commit(root, day)
    before_loading()
    try:
        tree = load_known_tree(
            root, commit, cache_folder=user_cache_folder(root, "known") if use_cache else None
        )
    except NoRecordsError as err:
        raise DuchuError("known-no-records", path=err.path, commit=commit[:8]) from None
    return Judged(valid(tree), day, commit)


def _asked(judged: Judged) -> Any:
    """git's answers asked beside the loading, or None."""
    return judged.asked[1].result() if judged.asked is not None else None


def provenance(judged: Judged) -> Provenance:
    """What an output of ``judged`` was drawn from (the one place a ``Provenance`` is made)."""
    from duchu.errors import NotAGitRepositoryError
    from duchu.git.state import head_state

    if judged.known_commit is not None:
        return Provenance(judged.day, judged.known_commit, in_git=True, known=True)
    if judged.asked is not None:
        state = _asked(judged)[0]
    else:
        try:
            state = head_state(judged.tree.root)
        except NotAGitRepositoryError:
            state = None
    if state is None:
        return Provenance(judged.day)
    return Provenance(judged.day, state[0], state[1], in_git=True)


def file_dates(judged: Judged) -> FileDates | None:
    """When each file was added and last changed, by the commits up to the as-of date
    (from the known commit with ``--known``); None outside git."""
    from duchu.errors import NotAGitRepositoryError
    from duchu.git.history import file_dates as dates_in_git
    from duchu.records.reports import WorkReports

    if judged.asked is not None and judged.asked[0] == judged.day:
        answers = _asked(judged)
        return answers[1]  # type: ignore[no-any-return]
    try:
        return dates_in_git(
            judged.tree.root, judged.day, start=judged.known_commit, rule=WorkReports()
        )
    except NotAGitRepositoryError:
        return None


def git_facts(judged: Judged) -> tuple[Provenance, FileDates | None]:
    """The provenance and the files' dates, together (what the site asks beside judging)."""
    return provenance(judged), file_dates(judged)


def beside_provenance(judged: Judged, make: Callable[[], T]) -> tuple[T, Provenance]:
    """``make()`` while the provenance is asked of git beside it (``git status`` of a
    province's tree takes seconds, and runs beside the interpreter)."""
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(max_workers=1) as pool:
        asked = pool.submit(provenance, judged)
        made = make()
        return made, asked.result()


def far_outside(judged: Judged) -> tuple[date, date] | None:
    """The campaign's span when the as-of date lies far outside it, else None: a
    newcomer's first ``duchu status`` of a 2014 tree would otherwise say "逾期 4467 天"
    unexplained."""
    from duchu.judge.status import far_outside as outside

    campaign = judged.tree.campaign
    return outside(campaign, judged.day) if campaign is not None else None


def not_begun(tree: Tree, phase_id: str, day: date) -> tuple[Phase, date] | None:
    """The phase and its first day when it has not begun by ``day`` (``judge.phase.begun``,
    the one rule), else None."""
    from duchu.judge.phase import begun, phase_window

    campaign = tree.campaign
    assert campaign is not None
    phase = next(p for p in campaign.phases if p.id == phase_id)
    start = phase_window(phase, campaign.calendar)[0]
    if start is None or begun(phase, campaign.calendar, day):
        return None
    return phase, start
