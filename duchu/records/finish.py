"""What every load does once its files are read, whether from the folder or from a commit:
store each record in the tree, put it in order, count the appraisals (ballot files read
here, cached), run the checks across files (``duchu.records.checks``), and give every problem
its line and column."""

from __future__ import annotations

import gc
import hashlib
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Protocol

from duchu.problems import Problem, problem
from duchu.records.ballot_counts import Counts
from duchu.records.ballots import read_ballots
from duchu.records.cache import (
    BallotEntry,
    RecordCache,
    problem_from_stored,
    problem_to_stored,
)
from duchu.records.models import AppraisalScheme, Campaign, Group, Meeting, Notice, Unit
from duchu.records.parse import FileResult, record_id, record_kind
from duchu.records.tree import Tree, meeting_path, put_in_order


def remember(cache: RecordCache, result: FileResult) -> None:
    if result.size < 0:
        return  # not even stat-able: nothing to key an entry on
    kind = record_kind(result.path)
    cache.put_file(kind, result.path, result.size, result.stamp, result.record, result.problems)


class _Files(Protocol):
    """Where a load reads its files from: the folder on disk, or a commit's objects
    (``--known``). The loader asks it again for a file's text (to place problems) and for
    the ballot files that meetings name."""

    def raw(self, rel_path: str) -> bytes:
        """The bytes of a record file (OSError when it cannot be read)."""
        ...

    def ballot(self, meeting_file: str, name: str) -> tuple[str | None, str | Problem | None]:
        """The ballot file ``name`` of a meeting, relative to the root, or what stops it: the
        code of a problem at the meeting's ``ballots`` (outside the tree, missing, not a
        file), or a problem at the ballot file itself (it cannot be read, its name is not
        UTF-8)."""
        ...

    def stamp(self, rel_path: str) -> tuple[int, int, int] | None:
        """What a cache entry of the file is keyed on -- size, stamp, when it changed --
        or None: not to be cached."""
        ...

    def ballot_input(self, rel_path: str) -> Path | bytes:
        """What ``read_ballots`` reads: the file's path, or its bytes."""
        ...


def _placed(files: _Files, problems: list[Problem]) -> list[Problem]:
    """The problems, those still without a line given their line and column (the checks'
    and the ballots' problems carry a ``loc`` instead). Files are read again for this, and
    only the files with such problems."""
    pending: dict[str, list[Problem]] = defaultdict(list)
    for item in problems:
        if item.line == 0:
            pending[item.path].append(item)
    if not pending:
        return problems
    from duchu.records.read import locate

    moved: dict[Problem, Problem] = {}
    for path, items in pending.items():
        moved.update(locate(_reread(files, path), items))
    return [moved.get(p, p) for p in problems]


def _reread(files: _Files, rel_path: str) -> str:
    from duchu.records.read import decode

    try:
        text, _ = decode(files.raw(rel_path), rel_path)
    except OSError:
        return ""
    return text or ""


@contextmanager
def cyclic_gc_paused() -> Iterator[None]:
    """Loading makes hundreds of thousands of dicts, lists and records, none of them in a
    cycle; the cyclic collector would walk them again and again as they pile up (it doubled
    the time of reading the cache when measured). Paused while loading, then as it was."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def finish_load(
    tree: Tree,
    files: _Files,
    cache: RecordCache | None,
    paths: list[str],
    stamps: FilesFingerprint,
) -> Tree:
    """What every load does once its files are read: names where ids go resolved to ids,
    order, appraisals, the checks across files, drafts set aside, the cache written, every
    problem placed and sorted.

    Names are resolved here, after the cache, on every load: a cached record is what its
    file says, so a unit renamed changes what an unchanged meeting's ``unit: 县委办`` means
    (the checks' cached problems are keyed on every file, the renamed one too)."""
    from duchu.records.names import resolve_names

    tree.problems.extend(resolve_names(tree))
    put_in_order(tree)
    ballots = _load_appraisals(tree, cache, files)
    checked = _checked(tree, cache, paths, stamps, ballots, files)
    set_drafts_aside(tree)
    if cache is not None:
        cache.keep_only(set(paths), ballots)
        cache.save()
    problems = _placed(files, tree.problems) + checked
    tree.problems = sorted(problems, key=Problem.sort_key)
    return tree


def set_drafts_aside(tree: Tree) -> None:
    """Draft meetings (``draft: true``, ../shared/spec/RECORDS.md 1.2) count for nothing: once
    checked, they leave ``meetings``, ``meeting_units`` and ``appraisals`` for ``drafts`` and
    ``draft_units``, so that no judgement, report or page can count one -- no action done, no
    attendance or visit, no appraisal tallied."""
    drafts = [mid for mid, meeting in tree.meetings.items() if meeting.draft]
    for meeting_id in drafts:
        tree.drafts[meeting_id] = tree.meetings.pop(meeting_id)
        tree.draft_units[meeting_id] = tree.meeting_units.pop(meeting_id, ())
        tree.appraisals.pop(meeting_id, None)


def _checked(
    tree: Tree,
    cache: RecordCache | None,
    files: list[str],
    stamps: FilesFingerprint,
    ballots: set[str],
    source: _Files,
) -> list[Problem]:
    """The problems of the checks across files, placed: from the cache when every file was
    a hit and the files are the very ones the cached problems were found in, else worked
    out (and remembered)."""
    if cache is None:
        return _placed(source, _run_checks(tree))
    every_file_hit = cache.reads == 0
    fingerprint = _fingerprint(stamps, ballots, cache)
    stored = cache.checks(fingerprint) if every_file_hit else None
    if stored is not None:
        owners = set(files) | ballots
        try:
            return [problem_from_stored(p, owners) for p in stored]
        except ValueError:
            pass  # malformed: work them out again
    checked = _placed(source, _run_checks(tree))
    cache.put_checks(fingerprint, checked)
    return checked


def _run_checks(tree: Tree) -> list[Problem]:
    from duchu.records.checks import run_checks

    return run_checks(tree) + partial_checks(tree)


def partial_checks(tree: Tree) -> list[Problem]:
    """The problems of the records that loaded only once their unknown keys were dropped,
    each in its own file: a key typo must not hide a bad date in the same file (issue 24:
    every problem of a file in one run). They are checked in a copy of the tree that holds
    them, and only their own files' errors are kept: what they would do to other records
    (a unit whose ``leaders`` key is misspelt has no leaders, so its meetings' subjects
    would all be unknown) is no problem of those records."""
    if not tree.partial:
        return []
    from duchu.records.checks import run_checks
    from duchu.records.names import resolve_names

    trial = Tree(
        root=tree.root,
        campaign=tree.campaign,
        groups=dict(tree.groups),
        units=dict(tree.units),
        meetings={**tree.meetings},
        appraisals=dict(tree.appraisals),
        broken_groups=set(tree.broken_groups),
        broken_units=set(tree.broken_units),
    )
    for rel_path, record in tree.partial.items():
        ident = record_id(rel_path)
        if isinstance(record, Campaign):
            trial.campaign = record
        elif isinstance(record, Group):
            trial.groups[ident] = record
            trial.broken_groups.discard(ident)
        elif isinstance(record, Unit):
            trial.units[ident] = record
            trial.broken_units.discard(ident)
        elif isinstance(record, Meeting):
            trial.meetings[ident] = record
    found = resolve_names(trial)
    put_in_order(trial)
    for rel_path, record in tree.partial.items():
        appraisal = record.appraisal if isinstance(record, Meeting) else None
        if (
            appraisal is not None
            and appraisal.counts is not None
            and appraisal.returned is not None
        ):
            trial.appraisals[record_id(rel_path)] = Counts(
                returned=appraisal.returned,
                invalid=appraisal.invalid or 0,
                distributed=appraisal.distributed,
                by_subject=appraisal.counts,
            )
    found += run_checks(trial)
    return [p for p in found if p.path in tree.partial and p.severity == "error"]


class FilesFingerprint:
    """The record files' part of the checks' fingerprint, each file added as it is stored
    into the tree, in discovery's order (so that its result need not be kept for it)."""

    def __init__(self) -> None:
        self.digest = hashlib.sha256()

    def add(self, result: FileResult) -> None:
        self.digest.update(f"{result.path}\t{result.size}\t{result.stamp}\n".encode())


def _fingerprint(stamps: FilesFingerprint, ballots: set[str], cache: RecordCache) -> str:
    """Which files, at which size and time, the checks ran over (ballot files as their
    cache entries have them: the counts the checks saw)."""
    digest = stamps.digest.copy()
    for rel_path in sorted(ballots):
        entry = cache.ballots.get(rel_path)
        stamp = f"{entry[0]}\t{entry[1]}" if isinstance(entry, list) and len(entry) > 1 else "-"
        digest.update(f"ballot\t{rel_path}\t{stamp}\n".encode())
    return digest.hexdigest()


def store_result(tree: Tree, rel_path: str, result: FileResult) -> None:
    kind = record_kind(rel_path)
    record = result.record
    if record is not None and any(p.code == "unknown-key" for p in result.problems):
        # made with its unknown keys dropped (``duchu.records.parse``): checked on its own
        # (``partial_checks``), never counted -- it stands as a record that did not validate
        tree.partial[rel_path] = record
        record = None
    if kind == "campaign":
        tree.campaign = record if isinstance(record, Campaign) else None
        return
    ident = record_id(rel_path)
    if kind == "groups":
        if isinstance(record, Group):
            tree.groups[ident] = record
        else:
            tree.broken_groups.add(ident)
    elif kind == "units":
        if isinstance(record, Unit):
            tree.units[ident] = record
        else:
            tree.broken_units.add(ident)
    elif kind == "meetings" and isinstance(record, Meeting):
        tree.meetings[ident] = record
    elif kind == "notices" and isinstance(record, Notice):
        tree.notices[ident] = record


def _load_appraisals(tree: Tree, cache: RecordCache | None, files: _Files) -> set[str]:
    """Counts of every appraisal; ballot files are read here, confined to the tree.
    Returns the ballot files read (relative), for the cache to keep."""
    campaign = tree.campaign
    if campaign is None:
        return set()
    scheme = campaign.appraisal
    read: set[str] = set()
    for meeting_id, meeting in tree.meetings.items():
        appraisal = meeting.appraisal
        if appraisal is None:
            continue
        if appraisal.ballots is None:
            if appraisal.counts is not None and appraisal.returned is not None:
                tree.appraisals[meeting_id] = Counts(
                    returned=appraisal.returned,
                    invalid=appraisal.invalid or 0,
                    distributed=appraisal.distributed,
                    by_subject=appraisal.counts,  # records are frozen: shared, not copied
                )
            continue
        if appraisal.counts is not None:
            continue  # counts and ballots both given: an error, and neither is tallied
        path = meeting_path(meeting_id)
        where = ("appraisal", "ballots")
        rel_path, trouble = files.ballot(path, appraisal.ballots)
        if rel_path is None:
            if isinstance(trouble, Problem):
                tree.problems.append(trouble)
            else:
                tree.problems.append(
                    problem(path, trouble or "ballots-missing", loc=where, file=appraisal.ballots)
                )
            continue
        unit = tree.units.get(meeting.unit) if meeting.unit is not None else None
        if unit is None:
            continue  # an unknown unit, or several (no appraisal then): the checks say so
        tree.files += 1
        read.add(rel_path)
        subjects = [scheme.team, *(leader.name for leader in unit.leaders)]
        counts, found = _ballot_counts(files, rel_path, subjects, scheme, cache)
        tree.problems.extend(found)
        if counts is not None:
            counts.distributed = appraisal.distributed
            tree.appraisals[meeting_id] = counts
    return read


def _ballot_counts(
    files: _Files,
    rel_path: str,
    subjects: list[str],
    scheme: AppraisalScheme,
    cache: RecordCache | None,
) -> tuple[Counts | None, list[Problem]]:
    """The counts of one ballot file, from the cache when it is unchanged."""
    if cache is None:
        return read_ballots(
            files.ballot_input(rel_path),
            rel_path,
            subjects=subjects,
            team=scheme.team,
            ratings=scheme.ratings,
        )
    stamp = files.stamp(rel_path)
    entry = None
    if stamp is not None:
        entry = cache.ballot(rel_path, *stamp, subjects, scheme.team, scheme.ratings)
    if entry is not None:
        try:
            problems = [problem_from_stored(p, (rel_path,)) for p in entry.problems]
        except ValueError:
            problems = None  # malformed: read the file again
        if problems is not None and entry.counts is None:
            return None, problems
        if problems is not None and entry.counts is not None:
            returned, invalid, by_subject = entry.counts
            return Counts(returned=returned, invalid=invalid, by_subject=by_subject), problems
    counts, problems = read_ballots(
        files.ballot_input(rel_path),
        rel_path,
        subjects=subjects,
        team=scheme.team,
        ratings=scheme.ratings,
    )
    cache.reads += 1
    if stamp is not None:
        stored = (counts.returned, counts.invalid, counts.by_subject) if counts else None
        cache.put_ballot(
            rel_path,
            BallotEntry(
                size=stamp[0],
                stamp=stamp[1],
                subjects=subjects,
                team=scheme.team,
                ratings=list(scheme.ratings),
                counts=stored,
                problems=[problem_to_stored(p) for p in problems],
            ),
        )
    return counts, problems
