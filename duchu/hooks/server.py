"""The server hook's judgement of a push (pre-receive): the ref updates git hands it, who is
pushing, whether every tree a ref would point to is free of errors, whether every new commit
changes only records the pusher's groups own (``judge_push``), and the lines that refuse a
push (``refusal_lines``)."""

from __future__ import annotations

import re
from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from duchu.errors import DuchuError
from duchu.git.objects import (
    BlobReader,
    default_commit,
    diff_trees,
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
from duchu.records.tree import CAMPAIGN_FILE, NoRecordsError, Tree

# --- who pushes, and what -----------------------------------------------------------------------

PUSHER_VARIABLES = ("GL_USER", "GL_USERNAME", "GITEA_PUSHER_NAME", "DUCHU_PUSHER")
_OBJECT_ID = re.compile(r"[0-9a-f]{40}(?:[0-9a-f]{24})?")
_ZERO_ID = re.compile(r"0{40}(?:0{24})?")


def pusher_from(env: Mapping[str, str]) -> str | None:
    """The account pushing: gitolite's ``GL_USER``, else GitLab's ``GL_USERNAME``, else
    Gitea's and Forgejo's ``GITEA_PUSHER_NAME``, else ``DUCHU_PUSHER``; None when none is
    set (or each is empty)."""
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


@dataclass(frozen=True)
class Rights:
    """Who may change what, from the accounts a tree names."""

    groups: dict[str, frozenset[str]] = field(default_factory=dict)  # group -> accounts
    office: frozenset[str] = frozenset()

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
    ``office-only``, ``delete-office-only``, ``no-pusher``, ``not-a-commit``,
    ``no-records``), the ref, the record path and the change (a commit, or ``old..new`` for
    an update that is not a fast-forward), and the groups whose rights the pusher lacks."""

    code: str
    ref: str
    path: str = ""
    change: str = ""
    groups: tuple[str, ...] = ()


@dataclass(frozen=True)
class TreeErrors:
    """A ref whose new tree has errors: the errors, placed as ``duchu check`` places them."""

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
        groups, office = self.view(commit).accounts()
        return Rights(groups, office)

    def difference(self, before: TreeView, after: TreeView) -> dict[str, frozenset[str]]:
        """The records that differ between two trees, each with its owners in both."""
        was, now = before.states(), after.states()
        paths = after.touched if after.parent is before else was.keys() | now.keys()
        changed: dict[str, frozenset[str]] = {}
        for path in paths:
            if was.get(path) != now.get(path):
                named = _named(path, [was.get(path), now.get(path)], [before, after])
                owners = before.owners(path) | after.owners(path)
                changed[named] = changed.get(named, frozenset()) | owners
        return changed

    def merged(self, commit: str, parents: tuple[str, ...]) -> dict[str, frozenset[str]]:
        """The records a merge commit changes itself (see the module's notes), with their
        owners in the merge and in every parent."""
        result = self.child_view(parents[0], commit)
        sides = [self.view(parent) for parent in parents]
        base = self.view(merge_base(self.git_dir, parents))
        now, was, common = result.states(), [s.states() for s in sides], base.states()
        paths = set(now).union(*was)
        changed: dict[str, frozenset[str]] = {}
        for path in paths:
            state = now.get(path)
            theirs = [w.get(path) for w in was]
            if any(t == state for t in theirs) and all(
                t == state or t == common.get(path) for t in theirs
            ):
                continue
            owners = result.owners(path).union(*(side.owners(path) for side in sides))
            named = _named(path, [state, *theirs], [result, *sides])
            changed[named] = changed.get(named, frozenset()) | owners
        return changed

    def changes(self, commit: str, parents: tuple[str, ...]) -> dict[str, frozenset[str]]:
        if len(parents) > 1:
            return self.merged(commit, parents)
        if not parents:
            return self.difference(self._empty, self.view(commit))
        return self.difference(self.view(parents[0]), self.child_view(parents[0], commit))


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
    changed: dict[str, frozenset[str]],
    pusher: str,
    rights: Rights,
) -> None:
    mine = rights.groups_of(pusher)
    for path in sorted(changed):
        if path == CAMPAIGN_FILE:
            verdict.denials.append(Denial("office-only", ref, path, change))
            continue
        missing = changed[path] - mine
        if missing:
            verdict.denials.append(
                Denial("not-your-group", ref, path, change, tuple(sorted(missing)))
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
    every new tree must check clean, and when accounts are configured every new commit may
    change only the pusher's groups' records. Run before any ref moves (pre-receive)."""
    verdict = Verdict(pusher)
    judge = _Judge(git_dir, cache)
    try:
        _check_trees(judge, updates, verdict, jobs)
        _check_rights(judge, updates, pusher, verdict)
    finally:
        judge.close()
    judge.facts.save()
    # one reason once, though two refs bring the same commit
    verdict.denials = list(dict.fromkeys(verdict.denials))
    return verdict


def _check_trees(
    judge: _Judge, updates: list[RefUpdate], verdict: Verdict, jobs: int | None
) -> None:
    loaded: dict[str, Tree | None] = {}
    for update in updates:
        if update.new is None:
            continue
        commit = resolve_commit(judge.git_dir, update.new)
        if commit is None:
            verdict.denials.append(Denial("not-a-commit", update.ref, change=_short(update.new)))
            continue
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
        tree = loaded[commit]
        if tree is None:
            verdict.denials.append(Denial("no-records", update.ref, change=_short(commit)))
            continue
        errors = tree.errors()
        if errors:
            verdict.errors.append(TreeErrors(update.ref, commit, tuple(errors), tree.files))


def _check_rights(
    judge: _Judge, updates: list[RefUpdate], pusher: str | None, verdict: Verdict
) -> None:
    default: list[str | None] = []  # the default branch's commit, looked up once
    judged: set[tuple[str, str | None]] = set()
    for update in updates:
        old = resolve_commit(judge.git_dir, update.old) if update.old is not None else None
        governing = old
        if governing is None:
            if not default:
                default.append(default_commit(judge.git_dir))
            governing = default[0]
        rights = judge.rights(governing)
        if not rights.enforced:
            continue
        if pusher is None:
            verdict.denials.append(Denial("no-pusher", update.ref))
            continue
        if pusher in rights.office:
            continue
        if update.new is None:
            verdict.denials.append(Denial("delete-office-only", update.ref))
            continue
        new = resolve_commit(judge.git_dir, update.new)
        if new is None:
            continue  # refused already: not a commit
        for commit, parents in new_commits(judge.git_dir, new):
            if (commit, governing) in judged:
                continue  # brought by another ref of this push as well
            judged.add((commit, governing))
            changed = judge.changes(commit, parents)
            _judge_changes(verdict, update.ref, _short(commit), changed, pusher, rights)
        if old is not None and not is_ancestor(judge.git_dir, old, new):
            # not a fast-forward: the commits it drops are changes too
            change = f"{_short(old)}..{_short(new)}"
            changed = judge.difference(judge.view(old), judge.view(new))
            _judge_changes(verdict, update.ref, change, changed, pusher, rights)


# --- what the pusher reads --------------------------------------------------------------------


def refusal_lines(verdict: Verdict, lang: str) -> list[str]:
    """The lines a refused push shows the pusher (git prefixes each with ``remote:``): each
    ref's errors as ``duchu check`` prints them, each denial as a line of its own, and a
    last line saying that nothing moved."""
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
        kind = "push-change-rewrite" if ".." in denial.change else "push-change-commit"
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
        )
        where = shown_path(denial.path or denial.ref)
        lines.append(f"{where}: {severity}: {text} [{denial.code}]")
    reasons = len(verdict.denials) + sum(len(found.problems) for found in verdict.errors)
    problems = message("n-problems", lang, count=reasons)
    lines.append(message("push-refused", lang, problems=problems))
    return lines


def read_updates(raw: bytes) -> list[RefUpdate]:
    """The pre-receive input, from the bytes git wrote (a ref name may be any bytes)."""
    return parse_updates(raw.decode("utf-8", "surrogateescape"))
