"""Each group's completion over time as the office knew it (../shared/spec/CLI.md 1.2, the
dashboard's trend): one point a week from the campaign's first start to the as-of date,
each the group's completion rate (``GroupRow.done_share``) exactly as ``status --by group
--known --as-of <that day>`` gives it.

Efficient by construction: git lists the branch's commits once (``branch_days``); each
week's day is matched to the commit ``--known`` would read (the first commit of the
first-parent line committed on or before it); every distinct commit is loaded once, from
git's objects, with parsed files cached by blob id, and judged for each of its weeks.
Outside git there is no trend, and the judgement says why (``Trend.state``).
"""

from __future__ import annotations

import functools
from bisect import bisect_right
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from fractions import Fraction
from pathlib import Path
from typing import Literal

from duchu.judge.office import office_rollup
from duchu.judge.phase import phase_window
from duchu.judge.status import UnknownIdError, unit_status
from duchu.records.dates import parse_deadline
from duchu.records.models import Campaign
from duchu.records.tree import Tree

TrendState = Literal["drawn", "no-git", "no-commits", "not-begun"]


@dataclass(frozen=True)
class TrendLine:
    """One group's completion rate at each week's point (None: nothing due yet, the group
    not in the records then, or no valid records known that day)."""

    id: str
    name: str
    shares: list[Fraction | None]


@dataclass(frozen=True)
class Trend:
    """The weekly points: their days, each group's line, and the office's whole line."""

    weeks: list[date] = field(default_factory=list)
    lines: list[TrendLine] = field(default_factory=list)
    total: list[Fraction | None] = field(default_factory=list)  # every shown group together
    commits: list[str | None] = field(default_factory=list)  # what each week was read from
    state: TrendState = "drawn"
    start: date | None = None  # the campaign's first day


def campaign_start(campaign: Campaign) -> date:
    """The campaign's first day: its earliest phase start; without any, its earliest
    deadline (a campaign whose phases name no start begins with its first action due)."""
    year = campaign.calendar
    starts = [s for p in campaign.phases if (s := phase_window(p, year)[0]) is not None]
    if starts:
        return min(starts)
    dues = [parse_deadline(p.due, year).day for p in campaign.phases]
    dues += [parse_deadline(a.due, year).day for p in campaign.phases for a in p.actions]
    return min(dues)


def week_days(start: date, as_of: date) -> list[date]:
    """The trend's points: the last day of each week counted from ``start``, and the as-of
    date itself as the last point (the week it falls in is cut short there)."""
    if as_of < start:
        return []
    days = []
    end = start + timedelta(days=6)
    while end < as_of:
        days.append(end)
        end += timedelta(days=7)
    days.append(as_of)
    return days


def commit_on(commits: list[tuple[str, date]], days: list[date]) -> list[str | None]:
    """For each day, the commit ``--known`` reads (``duchu.git.history.known_commit``): the
    first of ``commits`` (first-parent order, newest first) committed on or before it; None
    when every commit is later. The running minimum of the dates falls where the first
    such commit stands, so a binary search finds it."""
    lowest: list[date] = []
    for _, day in commits:
        lowest.append(min(day, lowest[-1]) if lowest else day)
    # ``lowest`` never rises: searched from its end, where it is least
    backwards = lowest[::-1]
    found: list[str | None] = []
    for day in days:
        at_or_below = bisect_right(backwards, day)  # how many of the least are <= day
        found.append(commits[len(commits) - at_or_below][0] if at_or_below else None)
    return found


def judge_trend(
    tree: Tree,
    as_of: date,
    groups: list[tuple[str, str]],
    *,
    group: str | None = None,
    known: tuple[str, Tree] | None = None,
    use_cache: bool = True,
) -> Trend:
    """The weekly completion of ``groups`` (id, name) from the campaign's first start to
    ``as_of``, read from the git history of ``tree``'s root as ``--known`` reads it.
    ``known``: a commit already loaded (the site's own ``--known`` tree), not read again."""
    from duchu.errors import NotAGitRepositoryError
    from duchu.git.history import branch_days

    campaign = tree.campaign
    assert campaign is not None
    start = campaign_start(campaign)
    days = week_days(start, as_of)
    if not days:
        return Trend(state="not-begun", start=start)
    try:
        commits = branch_days(tree.root)
    except NotAGitRepositoryError:
        return Trend(weeks=days, state="no-git", start=start)
    if not commits:
        return Trend(weeks=days, state="no-commits", start=start)
    standing = commit_on(commits, days)
    weeks_of: dict[str, list[int]] = defaultdict(list)
    for index, commit in enumerate(standing):
        if commit is not None:
            weeks_of[commit].append(index)
    shares: dict[str, list[Fraction | None]] = {gid: [None] * len(days) for gid, _ in groups}
    total: list[Fraction | None] = [None] * len(days)
    reused = known[0] if known is not None and known[0] in weeks_of else None
    asked = [(c, [days[i] for i in weeks]) for c, weeks in weeks_of.items() if c != reused]
    found: dict[str, Weeks | None] = {}
    kept = _Kept(tree.root, group) if use_cache else None
    if kept is not None:  # a past week, once judged from its commit, never changes
        for commit, weeks in weeks_of.items():
            earlier = kept.read(commit, [days[i] for i in weeks])
            if earlier is not None:
                found[commit] = earlier[0]
        asked = [(commit, weeks) for commit, weeks in asked if commit not in found]

    def judge_loaded() -> None:  # the tree in memory, judged while the workers work
        if known is not None and reused is not None and reused not in found:
            found[reused] = _weeks_of_tree(known[1], [days[i] for i in weeks_of[reused]], group)
            if kept is not None:
                kept.write(reused, [days[i] for i in weeks_of[reused]], found[reused])

    for commit, judged in _in_workers(tree.root, asked, group, use_cache, meanwhile=judge_loaded):
        found[commit] = judged
        if kept is not None:
            kept.write(commit, dict(asked)[commit], judged)
    for commit, indexes in weeks_of.items():
        judged = found.get(commit)
        if judged is None:
            continue  # no valid records that day: ``status --known`` refused it
        for k, index in enumerate(indexes):
            for gid, rate in judged[1][k].items():
                if gid in shares:
                    shares[gid][index] = rate
            total[index] = judged[0][k]
    return Trend(
        weeks=days,
        lines=[TrendLine(gid, name, shares[gid]) for gid, name in groups],
        total=total,
        commits=standing,
        start=start,
    )


# What one commit's weeks come to: the office's whole rate and each group's, a week each.
Weeks = tuple[list[Fraction | None], list[dict[str, Fraction | None]]]


def _weeks_of_tree(then: Tree, days: list[date], group: str | None) -> Weeks:
    """Each day's completion rates in one tree, as ``status --by group`` counts them."""
    # the rollup counts each group's due and done actions from the units' status; its
    # meetings (visits, reporting) are no part of a completion rate, and are left out of the
    # tree it is given
    counted = replace(then, meetings={}, meeting_units={}, appraisals={})
    totals: list[Fraction | None] = []
    rates: list[dict[str, Fraction | None]] = []
    for day in days:
        try:
            status = unit_status(then, day, group=group)
        except UnknownIdError:  # the group was not in the records yet
            totals.append(None)
            rates.append({})
            continue
        office = office_rollup(counted, status, None)
        totals.append(office.done_share)
        rates.append({row.id: row.done_share for row in office.groups})
    return totals, rates


def _weeks_of_commit(
    root: Path, commit: str, days: list[date], group: str | None, use_cache: bool, jobs: int
) -> Weeks | None:
    """``_weeks_of_tree`` of the tree ``commit`` holds; None when it has no valid records.
    Run in a worker process: what goes in and comes out is small, the tree stays there."""
    then = _load(root, commit, use_cache, jobs)
    return None if then is None else _weeks_of_tree(then, days, group)


# Worker processes, at most, each loading and judging one commit's tree at a time: a
# province's tree is large, and a few in memory at once are enough to keep the cores busy.
MAX_WORKERS = 4


def _in_workers(
    root: Path,
    asked: list[tuple[str, list[date]]],
    group: str | None,
    use_cache: bool,
    *,
    meanwhile: Callable[[], None],
) -> list[tuple[str, Weeks | None]]:
    """Each commit's weeks, judged in worker processes when there are several commits and
    cores (each commit is a tree of its own: the work shares out without anything shared),
    else here; here too for what a failed pool left undone. ``meanwhile`` is done here
    while the workers work (or first, without them)."""
    import os

    from duchu import platform
    from duchu.records.parallel import die_with_parent, usable_cores

    done: dict[str, Weeks | None] = {}
    workers = min(usable_cores(), MAX_WORKERS, len(asked))
    if workers > 1:
        from concurrent.futures import ProcessPoolExecutor
        from concurrent.futures.process import BrokenProcessPool

        try:
            with ProcessPoolExecutor(
                max_workers=workers,
                mp_context=platform.process_context(),
                initializer=die_with_parent,
                initargs=(os.getpid(),),
            ) as pool:
                futures = [
                    (commit, pool.submit(_weeks_of_commit, root, commit, days, group, use_cache, 1))
                    for commit, days in asked
                ]
                meanwhile()
                meanwhile = _nothing
                for commit, future in futures:
                    done[commit] = future.result()
        except (OSError, BrokenProcessPool):
            pass  # no processes to be had (a sandbox, a limit): the rest in this process
    meanwhile()
    for commit, days in asked:
        if commit not in done:
            done[commit] = _weeks_of_commit(root, commit, days, group, use_cache, 0)
    return [(commit, done[commit]) for commit, _ in asked]


class _Kept:
    """Each commit's weeks as judged before, in the user's cache (``duchu.records.judged``):
    valid for the code that judged them (a digest of duchu's judging and reading modules)
    and the group the site was limited to."""

    def __init__(self, root: Path, group: str | None) -> None:
        import hashlib

        from duchu.records.cache import user_cache_folder

        self.folder = user_cache_folder(root, "trend")
        self.key = _code_digest()
        self.suffix = hashlib.sha256((group or "").encode()).hexdigest()[:16] if group else "all"

    def _name(self, commit: str) -> str:
        return f"{commit}.{self.suffix}.json"

    def read(self, commit: str, days: list[date]) -> tuple[Weeks | None] | None:
        """The commit's weeks on ``days`` when every one of them was kept (the commit's
        records invalid: ``(None,)``), else None."""
        from duchu.records.judged import read_judged

        data = read_judged(self.folder, self._name(commit), self.key)
        if data == "invalid":
            return (None,)
        if not isinstance(data, dict) or not all(d.isoformat() in data for d in days):
            return None
        totals, rates = [], []
        for day in days:
            total, by_group = data[day.isoformat()]
            totals.append(_fraction(total))
            rates.append({gid: _fraction(rate) for gid, rate in by_group.items()})
        return ((totals, rates),)

    def write(self, commit: str, days: list[date], judged: Weeks | None) -> None:
        from duchu.records.judged import read_judged, write_judged

        data: object = "invalid"
        if judged is not None:
            earlier = read_judged(self.folder, self._name(commit), self.key)
            kept = earlier if isinstance(earlier, dict) else {}
            for day, total, by_group in zip(days, judged[0], judged[1], strict=True):
                kept[day.isoformat()] = [
                    _text(total),
                    {gid: _text(rate) for gid, rate in by_group.items()},
                ]
            data = kept
        write_judged(self.folder, self._name(commit), self.key, data)


def _fraction(text: str | None) -> Fraction | None:
    return Fraction(text) if text is not None else None


def _text(rate: Fraction | None) -> str | None:
    return str(rate) if rate is not None else None


@functools.cache
def _code_digest() -> str:
    """A digest of duchu's version and of the modules that read records and judge them: a
    kept judgement is used only by the code that made it."""
    import hashlib

    from duchu import __version__

    digest = hashlib.sha256(__version__.encode())
    package = Path(__file__).resolve().parent.parent
    for folder in ("records", "judge"):
        for source in sorted((package / folder).glob("*.py")):
            digest.update(source.name.encode() + b"\0" + source.read_bytes())
    return digest.hexdigest()


def _nothing() -> None:
    pass


def _load(root: Path, commit: str, use_cache: bool, jobs: int) -> Tree | None:
    """The valid tree as ``commit`` holds it; None when it has errors or no records (then
    ``status --known`` refuses that day, and the trend has no point for it). ``jobs``: the
    processes that parse its files (0: as many as the cores)."""
    from duchu.records.cache import user_cache_folder
    from duchu.records.known import load_known_tree
    from duchu.records.tree import NoRecordsError

    try:
        then = load_known_tree(
            root,
            commit,
            cache_folder=user_cache_folder(root, "known") if use_cache else None,
            jobs=jobs or None,
        )
    except NoRecordsError:
        return None
    if then.errors() or then.campaign is None:
        return None
    return then
