"""The server hook's judgement of a push (pre-receive): the ref updates git hands it, who is
pushing, whether every tree a ref would point to is free of errors, whether every new commit
changes only records the pusher's groups own (``judge_push``), and the lines that refuse a
push (``refusal_lines``)."""

from __future__ import annotations

import re
from collections import Counter, OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from duchu.errors import DuchuError
from duchu.git.objects import (
    BlobReader,
    default_commit,
    diff_trees,
    has_refs,
    head_branch,
    is_ancestor,
    merge_base,
    new_commits,
    resolve_commit,
    tree_entries,
)
from duchu.hooks.owners import REGULAR_MODES, Facts, TreeView
from duchu.messages import message
from duchu.problems import Problem
from duchu.records.cache import user_cache_folder
from duchu.records.discover import shown_path
from duchu.records.known import CommitFiles, load_known_tree
from duchu.records.parse import record_id
from duchu.records.tree import CAMPAIGN_FILE, NoRecordsError, Tree

# --- who pushes, and what -----------------------------------------------------------------------

PUSHER_VARIABLES = ("GL_USER", "GL_USERNAME", "GITEA_PUSHER_NAME", "DUCHU_PUSHER", "REMOTE_USER")
REPLACE_REFS = "refs/replace/"
_OBJECT_ID = re.compile(r"[0-9a-f]{40}(?:[0-9a-f]{24})?")
_ZERO_ID = re.compile(r"0{40}(?:0{24})?")


def pusher_from(env: Mapping[str, str]) -> str | None:
    """The account pushing: gitolite's ``GL_USER``, else GitLab's ``GL_USERNAME``, else
    Gitea's and Forgejo's ``GITEA_PUSHER_NAME``, else ``DUCHU_PUSHER``, else the web
    server's login (``REMOTE_USER``, ``git http-backend``); None when none is set (or each
    is empty)."""
    for name in PUSHER_VARIABLES:
        value = env.get(name)
        if value:
            return value
    return None


@dataclass(frozen=True)
class RefUpdate:
    """One line of a pre-receive hook's input: a ref from ``old`` to ``new`` (None for a
    ref being created, or deleted)."""

    old: str | None
    new: str | None
    ref: str


def parse_updates(text: str) -> list[RefUpdate]:
    """``<old> SP <new> SP <ref>`` lines, as git gives them; anything else (the hook run by
    hand, fed something else) cannot be judged: a DuchuError, and the push is refused."""
    updates = []
    for line in text.split("\n"):  # (not splitlines: a ref name may hold U+2028 and the like)
        if not line:
            continue
        parts = line.split(" ", 2)
        old, new, ref = parts if len(parts) == 3 else ("", "", "")
        if not (_OBJECT_ID.fullmatch(old) and _OBJECT_ID.fullmatch(new) and ref):
            raise DuchuError("hook-bad-input", line=shown_path(line[:80]))
        updates.append(
            RefUpdate(
                None if _ZERO_ID.fullmatch(old) else old,
                None if _ZERO_ID.fullmatch(new) else new,
                ref,
            )
        )
    return updates


# a group that may change a record: its id, its name, its accounts
Owner = tuple[str, str | None, tuple[str, ...]]


@dataclass(frozen=True)
class Rights:
    """Who may change what, from the accounts a tree names."""

    groups: dict[str, frozenset[str]] = field(default_factory=dict)  # group -> accounts
    office: frozenset[str] = frozenset()
    names: dict[str, str | None] = field(default_factory=dict)  # group -> its name

    def who(self, groups: frozenset[str] | tuple[str, ...]) -> tuple[Owner, ...]:
        """The groups, each with its name and accounts: who may change their records."""
        return tuple(
            (group, self.names.get(group), tuple(sorted(self.groups.get(group, ()))))
            for group in sorted(groups)
        )

    @property
    def enforced(self) -> bool:
        """Whether any group names accounts: only then are changes judged by account."""
        return any(self.groups.values())

    def groups_of(self, account: str) -> frozenset[str]:
        return frozenset(g for g, accounts in self.groups.items() if account in accounts)


# --- judging a push -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Denial:
    """One reason a push is refused, besides errors in a tree: ``code`` (``not-your-group``,
    ``office-only``, ``group-rights``, ``replace-office-only``, ``delete-office-only``,
    ``no-pusher``, ``no-default-branch``, ``not-a-commit``, ``no-records``), the ref, the
    record path and the change (a commit, or ``old..new`` for an update that is not a
    fast-forward), the groups whose rights the pusher lacks (for ``no-default-branch``, the
    ref HEAD names); and who may do it: the groups owning the record (with their names and
    accounts) and the office's accounts."""

    code: str
    ref: str
    path: str = ""
    change: str = ""
    groups: tuple[str, ...] = ()
    owners: tuple[Owner, ...] = ()
    office: tuple[str, ...] = ()


@dataclass(frozen=True)
class Touched:
    """A record a change touches: the groups owning it (before or after), and whether it
    changes what only the office may (a group's ``accounts`` or ``order``)."""

    owners: frozenset[str] = frozenset()
    rights: bool = False

    def __or__(self, other: Touched) -> Touched:
        return Touched(self.owners | other.owners, self.rights or other.rights)


@dataclass(frozen=True)
class TreeErrors:
    """A ref whose new tree has errors the push brings: those errors, placed as ``duchu
    check`` places them (errors its tree had before are not the pusher's)."""

    ref: str
    commit: str
    problems: tuple[Problem, ...]
    files: int


@dataclass
class Verdict:
    """What the pre-receive hook decided about a push: accepted when nothing stands
    against it."""

    pusher: str | None
    errors: list[TreeErrors] = field(default_factory=list)
    denials: list[Denial] = field(default_factory=list)

    @property
    def accepted(self) -> bool:
        return not self.errors and not self.denials


class _Judge:
    """The repository a push goes to, with the trees it has looked at (the last few, as
    views) and one ``git cat-file`` process for every blob it reads."""

    KEEP_VIEWS = 8

    def __init__(self, git_dir: Path, cache: bool) -> None:
        self.git_dir = git_dir
        self.reader = BlobReader(git_dir, bare=True)
        self.facts = Facts(user_cache_folder(git_dir, "owners") if cache else None, self.reader)
        self.cache_folder = user_cache_folder(git_dir, "push") if cache else None
        self._views: OrderedDict[str, TreeView] = OrderedDict()
        self._empty = TreeView(self.facts, blobs={})

    def close(self) -> None:
        self.reader.close()

    def _keep(self, commit: str, view: TreeView) -> TreeView:
        self._views[commit] = view
        while len(self._views) > self.KEEP_VIEWS:
            self._views.popitem(last=False)
        return view

    def view(self, commit: str | None) -> TreeView:
        if commit is None:
            return self._empty
        found = self._views.get(commit)
        if found is not None:
            self._views.move_to_end(commit)
            return found
        entries = tree_entries(self.git_dir, commit, bare=True, sizes=False)
        if all(entry.mode in REGULAR_MODES for entry in entries):
            found = TreeView(self.facts, blobs={entry.path: entry.blob for entry in entries})
        else:
            found = TreeView(self.facts, files=CommitFiles(entries, self.reader))
        return self._keep(commit, found)

    def child_view(self, parent: str, commit: str) -> TreeView:
        """The view of ``commit``, made from its parent's when both are trees of plain files
        (one ``git diff-tree`` instead of listing the whole tree again)."""
        known = self._views.get(commit)
        base = self.view(parent)
        if known is not None or not base.plain:
            return self.view(commit)
        delta = diff_trees(self.git_dir, parent, commit)
        if any(mode is not None and mode not in REGULAR_MODES for _, mode, _ in delta):
            return self.view(commit)
        return self._keep(commit, base.derive([(path, blob) for path, _, blob in delta]))

    def rights(self, commit: str | None) -> Rights:
        if commit is None:
            return Rights()
        view = self.view(commit)
        groups, office = view.accounts()
        return Rights(groups, office, view.group_names())

    def difference(self, before: TreeView, after: TreeView) -> dict[str, Touched]:
        """The records that differ between two trees, each with its owners in both."""
        was, now = before.states(), after.states()
        paths = after.touched if after.parent is before else was.keys() | now.keys()
        changed: dict[str, Touched] = {}
        for path in paths:
            if was.get(path) != now.get(path):
                named = _named(path, [was.get(path), now.get(path)], [before, after])
                rights = before.group_rights(path) != after.group_rights(path)
                touched = Touched(before.owners(path) | after.owners(path), rights)
                changed[named] = changed.get(named, Touched()) | touched
        return changed

    def merged(self, commit: str, parents: tuple[str, ...]) -> dict[str, Touched]:
        """The records a merge commit changes itself (see the module's notes), with their
        owners in the merge and in every parent."""
        result = self.child_view(parents[0], commit)
        sides = [self.view(parent) for parent in parents]
        base = self.view(merge_base(self.git_dir, parents))
        now, was, common = result.states(), [s.states() for s in sides], base.states()
        paths = set(now).union(*was)
        changed: dict[str, Touched] = {}
        for path in paths:
            state = now.get(path)
            theirs = [w.get(path) for w in was]
            if _took_a_side(state, theirs, common.get(path)):
                continue
            owners = result.owners(path).union(*(side.owners(path) for side in sides))
            # the accounts and order by the same rule: taken from one side, or the merge's
            rights = not _took_a_side(
                result.group_rights(path),
                [side.group_rights(path) for side in sides],
                base.group_rights(path),
            )
            named = _named(path, [state, *theirs], [result, *sides])
            changed[named] = changed.get(named, Touched()) | Touched(owners, rights)
        return changed

    def changes(self, commit: str, parents: tuple[str, ...]) -> dict[str, Touched]:
        if len(parents) > 1:
            return self.merged(commit, parents)
        if not parents:
            return self.difference(self._empty, self.view(commit))
        return self.difference(self.view(parents[0]), self.child_view(parents[0], commit))


def _took_a_side(state: str | None, theirs: list[str | None], common: str | None) -> bool:
    """Whether a merge took one parent's version unchanged while every other parent still had
    their common ancestor's (or the same): then the merge itself changed nothing there."""
    return any(t == state for t in theirs) and all(t in (state, common) for t in theirs)


def _named(path: str, states: list[str | None], views: list[TreeView]) -> str:
    """The path a change is shown at: a meeting's, or -- when the meeting file is the same
    on every side and only what it reads from its ballot file differs -- the ballot
    file's."""
    records = {state.partition("|")[0] if state else None for state in states}
    if len(records) == 1 and None not in records:
        for view in views:
            if path in view.ballot_files:
                return view.ballot_files[path]
    return path


def _short(commit: str) -> str:
    return commit[:8]


def _judge_changes(
    verdict: Verdict,
    ref: str,
    change: str,
    changed: dict[str, Touched],
    pusher: str,
    rights: Rights,
) -> None:
    mine = rights.groups_of(pusher)
    office = tuple(sorted(rights.office))
    for path in sorted(changed):
        touched = changed[path]
        if path == CAMPAIGN_FILE:
            verdict.denials.append(Denial("office-only", ref, path, change, office=office))
            continue
        if touched.rights:
            group = (record_id(path),)
            verdict.denials.append(Denial("group-rights", ref, path, change, group, office=office))
            continue
        missing = touched.owners - mine
        if missing:
            owners = rights.who(touched.owners)
            verdict.denials.append(
                Denial(
                    "not-your-group",
                    ref,
                    path,
                    change,
                    tuple(sorted(missing)),
                    owners,
                    office,
                )
            )


def judge_push(
    git_dir: Path,
    updates: list[RefUpdate],
    pusher: str | None,
    *,
    cache: bool = True,
    jobs: int | None = None,
) -> Verdict:
    """Whether the central repository at ``git_dir`` takes a push (see the module's notes):
    no new tree may have errors the push brings, and when accounts are configured every new
    commit may change only the pusher's groups' records. Run before any ref moves
    (pre-receive)."""
    verdict = Verdict(pusher)
    judge = _Judge(git_dir, cache)
    try:
        base = _Base(git_dir)
        _check_trees(judge, updates, verdict, base, jobs)
        _check_rights(judge, updates, pusher, verdict, base)
    finally:
        judge.close()
    judge.facts.save()
    # one reason once, though two refs bring the same commit
    verdict.denials = list(dict.fromkeys(verdict.denials))
    return verdict


class _Base:
    """What a ref is judged against: its commit before the push; for a new ref, the commit of
    the branch HEAD names -- and when that branch does not exist either, nothing (an empty
    tree: every record the ref brings is the pusher's), never some other branch a pusher
    could have planted."""

    def __init__(self, git_dir: Path) -> None:
        self.git_dir = git_dir
        self._default: list[str | None] = []  # looked up once

    def old(self, update: RefUpdate) -> str | None:
        return resolve_commit(self.git_dir, update.old) if update.old is not None else None

    def unjudgeable(self, update: RefUpdate) -> bool:
        """Whether ``update`` makes a ref with nothing to judge it by: HEAD's branch does not
        exist, yet the repository has refs (it is not the first push, which the office
        makes into an empty repository)."""
        return update.old is None and self.of(update) is None and has_refs(self.git_dir)

    def of(self, update: RefUpdate) -> str | None:
        old = self.old(update)
        if old is not None:
            return old
        if not self._default:
            self._default.append(default_commit(self.git_dir))
        return self._default[0]


def _check_trees(
    judge: _Judge, updates: list[RefUpdate], verdict: Verdict, base: _Base, jobs: int | None
) -> None:
    loaded: dict[str, Tree | None] = {}

    def load(commit: str) -> Tree | None:
        if commit not in loaded:
            try:
                loaded[commit] = load_known_tree(
                    judge.git_dir, commit, cache_folder=judge.cache_folder, jobs=jobs, bare=True
                )
            except NoRecordsError:
                loaded[commit] = None
            found = loaded[commit]
            if found is not None and not judge.facts.known["meetings"]:
                judge.facts.seed(judge.view(commit), found)  # a cold cache: parsed once only
        return loaded[commit]

    for update in updates:
        if update.new is None or update.ref.startswith(REPLACE_REFS):
            continue  # (a replace ref is no records tree: the office's alone, see below)
        commit = resolve_commit(judge.git_dir, update.new)
        if commit is None:
            verdict.denials.append(Denial("not-a-commit", update.ref, change=_short(update.new)))
            continue
        tree = load(commit)
        if tree is None:
            verdict.denials.append(Denial("no-records", update.ref, change=_short(commit)))
            continue
        errors = tree.errors()
        if not errors:
            continue
        before = base.of(update)
        old = load(before) if before is not None else None
        brought = brought_errors(old.errors() if old is not None else [], errors)
        if brought:
            verdict.errors.append(TreeErrors(update.ref, commit, tuple(brought), tree.files))


def _problem_key(problem: Problem) -> tuple[object, ...]:
    return (problem.path, problem.code, problem.line, problem.column, problem.args)


def brought_errors(before: list[Problem], after: list[Problem]) -> list[Problem]:
    """The errors of ``after`` that a change brings. An error there before -- the same code
    at the same file -- is not the change's; where a file has more errors of a code than it
    had, those not there before exactly (same place, same words) are."""
    had = Counter((p.path, p.code) for p in before)
    has = Counter((p.path, p.code) for p in after)
    exact = Counter(_problem_key(p) for p in before)
    brought = []
    for problem in after:
        if has[(problem.path, problem.code)] <= had[(problem.path, problem.code)]:
            continue
        key = _problem_key(problem)
        if exact[key] > 0:
            exact[key] -= 1  # this one was there, where it is now
        else:
            brought.append(problem)
    return brought


def _check_rights(
    judge: _Judge,
    updates: list[RefUpdate],
    pusher: str | None,
    verdict: Verdict,
    base: _Base,
) -> None:
    judged: set[tuple[str, str | None]] = set()
    for update in updates:
        old = base.old(update)
        governing = base.of(update)
        if base.unjudgeable(update):
            head = head_branch(judge.git_dir) or "HEAD"
            verdict.denials.append(Denial("no-default-branch", update.ref, groups=(head,)))
            continue
        rights = judge.rights(governing)
        if not rights.enforced:
            continue
        if pusher is None:
            verdict.denials.append(Denial("no-pusher", update.ref))
            continue
        if pusher in rights.office:
            continue
        office = tuple(sorted(rights.office))
        if update.ref.startswith(REPLACE_REFS):
            verdict.denials.append(Denial("replace-office-only", update.ref, office=office))
            continue
        if update.new is None:
            verdict.denials.append(Denial("delete-office-only", update.ref, office=office))
            continue
        new = resolve_commit(judge.git_dir, update.new)
        if new is None:
            continue  # refused already: not a commit
        denied = len(verdict.denials)
        for commit, parents in new_commits(judge.git_dir, new):
            if (commit, governing) in judged:
                continue  # brought by another ref of this push as well
            judged.add((commit, governing))
            changed = judge.changes(commit, parents)
            _judge_changes(verdict, update.ref, _short(commit), changed, pusher, rights)
        if old is not None and not is_ancestor(judge.git_dir, old, new):
            # not a fast-forward: the commits it drops are changes too (each record named
            # once: not again where a commit of the push was refused for it already)
            named = {d.path for d in verdict.denials[denied:]}
            change = f"{_short(old)}..{_short(new)}"
            changed = judge.difference(judge.view(old), judge.view(new))
            dropped = {path: touched for path, touched in changed.items() if path not in named}
            _judge_changes(verdict, update.ref, change, dropped, pusher, rights)


# --- what the pusher reads --------------------------------------------------------------------


def _accounts(accounts: tuple[str, ...], lang: str) -> str:
    if not accounts:
        return message("push-who-none", lang)
    return message("push-who-accounts", lang, accounts=shown_path(", ".join(accounts)))


def _who(denial: Denial, lang: str) -> str:
    """Who may do what a denial refuses: the groups owning the record, by name and accounts,
    or the office; empty where the denial is not about rights."""
    office = _accounts(denial.office, lang)
    if denial.code == "not-your-group":
        groups = message("push-who-or", lang).join(
            message(
                "push-who-group",
                lang,
                group=shown_path(group),
                name=message("push-who-named", lang, name=shown_path(name)) if name else "",
                accounts=_accounts(accounts, lang),
            )
            for group, name, accounts in denial.owners
        )
        several = "push-who-groups-all" if len(denial.owners) > 1 else "push-who-groups"
        return message(several, lang, groups=groups, office=office)
    return message("push-who-office", lang, office=office)


def refusal_lines(verdict: Verdict, lang: str) -> list[str]:
    """The lines a refused push shows the pusher (git prefixes each with ``remote:``): each
    ref's errors as ``duchu check`` prints them, each denial as a line of its own with what
    the pusher may do (who may change the record; for an update that drops commits, fetch
    and rebase first), and a last line saying that nothing moved."""
    from duchu.render.text import shown_problems, summary_line

    # a ref name, a path or an account may hold any bytes (git allows them; the environment
    # gives them): shown with those that are not UTF-8 escaped, as problems show paths
    lines = []
    for found in verdict.errors:
        ref = shown_path(found.ref)
        lines.append(message("push-tree-errors", lang, ref=ref, commit=_short(found.commit)))
        lines.extend(text for text, _ in shown_problems(found.problems, lang))
        lines.append(summary_line(list(found.problems), found.files, lang))
    severity = message("severity-error", lang)
    for denial in verdict.denials:
        rewrite = ".." in denial.change
        kind = "push-change-rewrite" if rewrite else "push-change-commit"
        text = message(
            f"push-{denial.code}",
            lang,
            ref=shown_path(denial.ref),
            path=shown_path(denial.path),
            change=message(kind, lang, commit=denial.change),
            object=denial.change,
            groups=shown_path(", ".join(denial.groups)),
            pusher=shown_path(verdict.pusher or ""),
            variables=", ".join(PUSHER_VARIABLES),
            who=_who(denial, lang),
        )
        if rewrite:
            text += message("push-then", lang) + message("push-rebase-first", lang)
        where = shown_path(denial.path or denial.ref)
        lines.append(f"{where}: {severity}: {text} [{denial.code}]")
    reasons = len(verdict.denials) + sum(len(found.problems) for found in verdict.errors)
    problems = message("n-problems", lang, count=reasons)
    lines.append(message("push-refused", lang, problems=problems))
    return lines


def read_updates(raw: bytes) -> list[RefUpdate]:
    """The pre-receive input, from the bytes git wrote (a ref name may be any bytes)."""
    return parse_updates(raw.decode("utf-8", "surrogateescape"))
