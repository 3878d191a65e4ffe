"""The gatekeeper of a records repository: the hooks that check what is committed and pushed.

Two places keep a records tree valid and each group's records its own (CLI.md ``duchu hook``):

- **Client hooks** (``duchu hook install``, and ``duchu init``): pre-commit and
  pre-merge-commit check the tree the index holds -- what the commit, or the merge, would
  record -- read from git's objects as ``--known`` reads a commit (``git write-tree``, then
  ``load_known_tree``), so unstaged edits and untracked files play no part. They are
  written into the repository's own hooks folder only: never into a folder that
  ``core.hooksPath`` names outside it (a global one serves every repository of the
  machine), never over a hook that is not duchu's.
- **The server hook** (``duchu hook install --server``): the pre-receive hook of the central
  repository the office's groups push to. For every ref of a push, all or nothing, it
  checks the tree the ref would point to (from git's objects, nothing checked out), and,
  when any group names ``accounts`` (RECORDS.md 1.1), refuses a push in which any new
  commit changes records of a group the pusher does not belong to.

Who may change what (``judge_push``). A group's records are its file ``groups/<g>.yaml``,
its units' files, the meetings of those units (a meeting of ``group: g`` is g's; a meeting
of several units is each of their groups') and the ballot files those meetings name. A
record is changed by a commit when what duchu reads at its path differs from what it read
in the parent: the file's content (through links, as the loader follows them), or for a
meeting its ballot file's. Its owners are judged in both trees, the parent's and the
commit's, so moving a unit from one group to another needs the rights of both (or the
office's); a record that cannot be read in a tree belongs to nobody there. A merge changes
a record unless it took one parent's version of it unchanged and every other parent still
had the version of their common ancestor (a conflict resolved, a side discarded or an "evil"
edit in the merge counts as the merger's change). An update that is not a fast-forward is
judged as well by what it changes from the ref's old tree to its new one, since it drops
commits. ``campaign.yaml`` and deleting a ref are the office's (``office_accounts``) alone;
the office may change anything; other files (README, templates) are nobody's records. The
accounts are those of the tree the ref points to before the push (for a new ref, of the
default branch): a push cannot grant itself rights.

Everything a push brings is parsed only once: ``load_known_tree`` caches parsed records by
blob id, and what ownership needs of a record (a unit's group, a meeting's units and ballot
file, the accounts) is cached by blob id as well, both in the user's cache folder, outside
the repository.
"""

from __future__ import annotations

import contextlib
import os
import posixpath
import re
import shlex
import stat
import tempfile
from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import pydantic_core
from pydantic import ConfigDict, StrictInt, StrictStr, TypeAdapter
from pydantic import dataclasses as pydantic_dataclasses

from duchu.errors import DuchuError
from duchu.git.repo import (
    BlobReader,
    default_commit,
    diff_trees,
    hooks_folder,
    is_ancestor,
    is_bare,
    merge_base,
    new_commits,
    own_folders,
    repository_root,
    resolve_commit,
    tree_entries,
    write_tree,
)
from duchu.messages import message
from duchu.paths import inside
from duchu.problems import Problem
from duchu.records.cache import user_cache_folder
from duchu.records.discover import readable_name, shown_path
from duchu.records.known import CommitFiles, load_known_tree
from duchu.records.parse import MAX_FILE_BYTES, record_id, record_kind
from duchu.records.tree import CAMPAIGN_FILE, NoRecordsError, Tree

# --- installing --------------------------------------------------------------------------------

MARK = "# installed by duchu"  # also in the hooks of duchu 1.0's `init` ("... duchu init")
CLIENT_HOOKS = ("pre-commit", "pre-merge-commit")
SERVER_HOOK = "pre-receive"
_PURPOSE = {
    "pre-commit": "refuse a commit whose records have errors (the index is checked)",
    "pre-merge-commit": "refuse a merge whose result has errors",
    "pre-receive": "refuse a push with records that have errors or that the pusher may not change",
}


# How a hook starts duchu: ``-P``, so nothing of the folder it runs in (a repository's own
# files) is ever imported; and a duchu that cannot even be imported refuses in one line.
_LAUNCH = """import sys
try:
    from duchu.launch import main
except BaseException as err:
    detail = " ".join(str(err).split())
    sys.exit(f"duchu: {refused}: {type(err).__name__}: {detail}")
sys.argv[0] = "duchu"
main()"""


def hook_script(hook: str, python: str, options: list[str]) -> str:
    """The shell script of one hook: ``duchu hook run HOOK`` with the Python that installed
    it, else the duchu on PATH; when neither is there, or anything fails, the commit or push
    is refused."""
    run = " ".join(shlex.quote(arg) for arg in ["hook", "run", hook, *options])
    zh, en = ("推送", "push") if hook == SERVER_HOOK else ("提交", "commit")
    launch = _LAUNCH.replace("{refused}", f"无法启动，{zh}被拒绝 / cannot start, {en} refused")
    return f"""#!/bin/sh
{MARK} hook install: {_PURPOSE[hook]}.
# Reinstall with `duchu hook install`; delete this file to stop checking.
python={shlex.quote(python)}
launch={shlex.quote(launch)}
if [ -x "$python" ]; then
    exec "$python" -P -c "$launch" {run}
fi
if command -v duchu >/dev/null 2>&1; then
    exec duchu {run}
fi
echo "duchu: 找不到 duchu，{zh}被拒绝 / duchu not found: {en} refused" >&2
exit 1
"""


def _ours(path: Path) -> bool:
    """Whether the file at ``path`` is a hook duchu wrote (a link never is)."""
    if path.is_symlink():
        return False
    try:
        with open(path, "rb") as handle:
            head = handle.read(4096)
    except OSError:
        return False
    return MARK.encode() in head


def _write_hook(path: Path, text: str) -> None:
    """Write a hook whole or not at all: a temporary file beside it, made executable, then
    renamed over it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="\n") as file:
            file.write(text)
        mode = stat.S_IRWXU | stat.S_IRGRP | stat.S_IXGRP | stat.S_IROTH | stat.S_IXOTH
        os.chmod(temporary, mode)
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise


def _hooks_folder_of(path: Path) -> Path:
    """The hooks folder git uses for the repository at ``path`` (its top, or a bare
    repository), refused when ``core.hooksPath`` leads it out of the repository."""
    folder = hooks_folder(path)
    if not any(inside(folder, own) for own in own_folders(path)):
        raise DuchuError("hook-path-outside", folder=folder)
    return folder


def _install(targets: dict[Path, str]) -> list[Path]:
    """Write every hook, or none: a hook of someone else's at any target stops all."""
    for target in targets:
        if (target.exists() or target.is_symlink()) and not _ours(target):
            raise DuchuError("hook-foreign", path=target, hook=target.name)
    for target, text in targets.items():
        _write_hook(target, text)
    return list(targets)


def install_client_hooks(root: Path, python: str, lang: str | None = None) -> list[Path]:
    """Install pre-commit and pre-merge-commit into the repository holding the records tree
    ``root``; the hooks check the records at ``root``'s place in the repository."""
    top = repository_root(root)  # NotAGitRepositoryError in a bare repository too
    try:
        prefix = root.resolve().relative_to(top.resolve()).as_posix()
    except ValueError:
        raise DuchuError("not-a-git-repo", path=root) from None
    folder = _hooks_folder_of(top)
    options = ["--prefix", prefix] if prefix != "." else []
    options += ["--lang", lang] if lang else []
    return _install({folder / hook: hook_script(hook, python, options) for hook in CLIENT_HOOKS})


def install_server_hook(repository: Path, python: str, lang: str | None = None) -> list[Path]:
    """Install pre-receive into the bare repository ``repository``: into ``hooks/`` or,
    where the server keeps its own pre-receive that runs every script of
    ``hooks/pre-receive.d/`` (Gitea, Forgejo), as ``hooks/pre-receive.d/duchu``."""
    if not is_bare(repository):
        raise DuchuError("hook-server-not-bare", path=repository)
    folder = _hooks_folder_of(repository)
    dispatched = folder / f"{SERVER_HOOK}.d"
    target = dispatched / "duchu" if dispatched.is_dir() else folder / SERVER_HOOK
    options = ["--lang", lang] if lang else []
    return _install({target: hook_script(SERVER_HOOK, python, options)})


# --- the client hooks --------------------------------------------------------------------------


def check_staged(root: Path, *, cache: bool = True) -> Tree:
    """The records tree as the index holds it under ``root``: what a commit, or a merge,
    would record (``NoRecordsError`` when it holds no campaign.yaml there)."""
    tree_id = write_tree(repository_root(root))
    folder = user_cache_folder(root, "staged") if cache else None
    return load_known_tree(root, tree_id, cache_folder=folder)


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


# --- what ownership needs of a record, by blob id ---------------------------------------------

_FACTS_FILE = "owners.json"
_FACTS_FORMAT = 1
_KINDS = ("units", "meetings", "groups", "campaign")
# a meeting's: unit, units, group, ballots
MeetingFacts = tuple[str | None, list[str], str | None, str | None]


@pydantic_dataclasses.dataclass(config=ConfigDict(extra="forbid"), frozen=True)
class _StoredFacts:
    """The facts file, validated whole in one pass (in Rust) when read: a damaged or
    foreign file is no cache."""

    format: StrictInt
    units: dict[StrictStr, StrictStr | None]
    meetings: dict[
        StrictStr, tuple[StrictStr | None, list[StrictStr], StrictStr | None, StrictStr | None]
    ]
    groups: dict[StrictStr, list[StrictStr]]
    campaign: dict[StrictStr, list[StrictStr]]


def _data(raw: bytes | None) -> dict[str, Any] | None:
    """A record file's top-level mapping, read leniently: None when it is no mapping."""
    if raw is None:
        return None
    from duchu.records.read import decode, parse_yaml

    text, _ = decode(raw, "-")
    if text is None:
        return None
    data = parse_yaml(text, "-").data
    return data if isinstance(data, dict) else None


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


def _texts(value: Any) -> list[str]:
    return [item for item in value if _text(item)] if isinstance(value, list) else []


def _extract(kind: str, raw: bytes | None) -> Any:
    """What ownership needs of a record file of ``kind`` (see ``_Facts``)."""
    data = _data(raw) or {}
    if kind == "units":
        return _text(data.get("group"))
    if kind == "meetings":
        appraisal = data.get("appraisal")
        ballots = _text(appraisal.get("ballots")) if isinstance(appraisal, dict) else None
        units = _texts(data.get("units"))
        return (_text(data.get("unit")), units, _text(data.get("group")), ballots)
    if kind == "groups":
        return _texts(data.get("accounts"))
    return _texts(data.get("office_accounts"))  # campaign


class _Facts:
    """What deciding ownership needs of each record file, by blob id: a unit's group; a
    meeting's ``unit``, ``units``, ``group`` and ``ballots``; a group's ``accounts``; the
    campaign's ``office_accounts`` -- read leniently, so a record that does not validate
    still tells whose it is when it can. Kept in the user's cache folder between pushes
    (a blob's content never changes), with the entries of the trees last used."""

    def __init__(self, folder: Path | None, reader: BlobReader) -> None:
        self.path = folder / _FACTS_FILE if folder is not None else None
        self.reader = reader
        self.known: dict[str, dict[str, Any]] = {kind: {} for kind in _KINDS}
        self.used: dict[str, set[str]] = {kind: set() for kind in _KINDS}
        self.changed = False
        if self.path is not None:
            with contextlib.suppress(OSError, ValueError):
                stored = _facts_adapter().validate_json(self.path.read_bytes())
                if stored.format == _FACTS_FORMAT:
                    self.known = {kind: getattr(stored, kind) for kind in _KINDS}

    def get(self, kind: str, blob: str) -> Any:
        self.used[kind].add(blob)
        known = self.known[kind]
        if blob in known:
            return known[blob]
        value = _extract(kind, self.reader.read(blob, MAX_FILE_BYTES))
        known[blob] = value
        self.changed = True
        return value

    def meeting(self, blob: str) -> MeetingFacts:
        found: MeetingFacts = self.get("meetings", blob)
        return found

    def prefetch(self, kind: str, blobs: set[str]) -> None:
        """Read the missing ones of many blobs through one stream (a cold cache)."""
        known = self.known[kind]
        missing = [blob for blob in blobs if blob not in known]
        if len(missing) < 16:
            return  # one by one costs no more
        for blob, raw in self.reader.read_many(missing):
            known[blob] = _extract(kind, raw if len(raw) <= MAX_FILE_BYTES else None)
            self.changed = True

    def seed(self, view: _View, tree: Tree) -> None:
        """Take what ownership needs from a tree the loader has just read and validated
        (``view`` is the same tree): on a cold cache, its files need not be parsed again."""
        for path, blob in view.records.items():
            if blob[0] == "!":
                continue
            kind, ident = record_kind(path), record_id(path)
            if kind == "units" and ident in tree.units:
                self.known["units"].setdefault(blob, tree.units[ident].group)
            elif kind == "meetings" and ident in tree.meetings:
                meeting = tree.meetings[ident]
                ballots = meeting.appraisal.ballots if meeting.appraisal is not None else None
                facts = (meeting.unit, list(meeting.units or []), meeting.group, ballots)
                self.known["meetings"].setdefault(blob, facts)
            elif kind == "groups" and ident in tree.groups:
                self.known["groups"].setdefault(blob, list(tree.groups[ident].accounts))
            elif kind == "campaign" and tree.campaign is not None:
                self.known["campaign"].setdefault(blob, list(tree.campaign.office_accounts))
        self.changed = True

    def save(self) -> None:
        """Best effort: keep the entries used this time (the trees of this push are those
        the next one starts from)."""
        if self.path is None:
            return
        kept = {kind: {b: self.known[kind][b] for b in self.used[kind]} for kind in _KINDS}
        if not self.changed and all(len(kept[k]) == len(self.known[k]) for k in _KINDS):
            return
        with contextlib.suppress(OSError):
            self.path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            handle, temporary = tempfile.mkstemp(dir=self.path.parent, suffix=".tmp")
            try:
                with os.fdopen(handle, "wb") as file:
                    file.write(pydantic_core.to_json({"format": _FACTS_FORMAT, **kept}))
                os.replace(temporary, self.path)
            except BaseException:
                with contextlib.suppress(OSError):
                    os.unlink(temporary)
                raise


@cache
def _facts_adapter() -> TypeAdapter[_StoredFacts]:
    return TypeAdapter(_StoredFacts)


# --- one tree, as far as ownership goes -------------------------------------------------------

_UNREADABLE = ("outside-tree", "not-a-file", "unreadable")
_REGULAR = ("100644", "100755")


def _record_path(path: str) -> bool:
    """Whether ``path`` is where the loader finds a record (hidden files are not, nor a path
    that is not UTF-8: the loader reads no record there, so it belongs to nobody)."""
    if path[0] == "." or "/." in path or not readable_name(path):
        return False
    if path == CAMPAIGN_FILE:
        return True
    folder, _, rest = path.partition("/")
    if not rest.endswith(".yaml"):
        return False
    return folder == "meetings" or (folder in ("groups", "units") and "/" not in rest)


class _View:
    """The records of one tree as duchu reads them: for each record path, what is read
    there -- the blob, and for a meeting with a ballot file the ballot file's blob too --
    and whose record it is.

    A tree of plain files (the usual case) is kept as its paths and blobs (``blobs``), and
    a tree that differs from one already seen by a few files is made from it and the
    difference (``derive``), so a push of one commit lists one tree, not two. A tree with a
    symbolic link or a submodule anywhere is read through the loader's own rules
    (``files``), links followed as ``duchu check`` follows them."""

    def __init__(
        self,
        facts: _Facts,
        *,
        files: CommitFiles | None = None,
        blobs: dict[str, str] | None = None,
    ) -> None:
        self.facts = facts
        self.files = files
        self.blobs = blobs
        self.records: dict[str, str] = {}  # path -> blob id, or "!" and why it is unreadable
        self._states: dict[str, str] | None = None
        self.ballot_files: dict[str, str] = {}  # meeting path -> its ballot file's path
        # when made by ``derive``: the view it came from, and the records that may differ
        self.parent: _View | None = None
        self.touched: set[str] = set()
        if files is not None:
            found = files.discover()
            for path in found.files:
                self.records[path] = files.entry(path).blob
            for item in found.problems:
                if item.code in _UNREADABLE and _record_path(item.path):
                    self.records[item.path] = "!" + item.code
        elif blobs is not None:
            self.records = {path: blob for path, blob in blobs.items() if _record_path(path)}

    @property
    def plain(self) -> bool:
        return self.files is None

    def derive(self, delta: list[tuple[str, str | None]]) -> _View:
        """The view of a tree of plain files that differs from this one (also of plain
        files) by ``delta``: (path, its blob there or None when deleted)."""
        assert self.blobs is not None
        blobs = dict(self.blobs)
        changed = set()
        for path, blob in delta:
            changed.add(path)
            if blob is None:
                blobs.pop(path, None)
            else:
                blobs[path] = blob
        child = _View(self.facts, blobs=blobs)
        states = self.states()  # (and so this view's ballot files)
        child.parent = self
        child.touched = {path for path in changed if _record_path(path)}
        child.touched.update(m for m, ballot in self.ballot_files.items() if ballot in changed)
        child._states = dict(states)
        child.ballot_files = dict(self.ballot_files)
        for path in child.touched:
            child._states.pop(path, None)
            child.ballot_files.pop(path, None)
            blob = child.records.get(path)
            if blob is not None:
                child._states[path] = child._state(path, blob)
        return child

    def _ballot(self, meeting: str, name: str) -> str:
        """What a meeting reads from its ballot file ``name``: the blob, or why not."""
        if self.files is not None:
            rel, trouble = self.files.ballot(meeting, name)
            if isinstance(trouble, Problem):  # cannot be read, or its name is not UTF-8
                return trouble.code
            target = self.files.target(rel) if rel is not None else trouble or "ballots-missing"
            return target if isinstance(target, str) else target.blob
        assert self.blobs is not None
        rel = posixpath.normpath(posixpath.join(posixpath.dirname(meeting), name))
        if rel.startswith(("/", "../")) or rel == "..":
            return "ballots-outside"
        return self.blobs.get(rel, "ballots-missing")

    def _state(self, path: str, blob: str) -> str:
        if blob[0] == "!" or not path.startswith("meetings/"):
            return blob
        ballots = self.facts.meeting(blob)[3]
        if ballots is None:
            return blob
        self.ballot_files[path] = posixpath.normpath(
            posixpath.join(posixpath.dirname(path), ballots)
        )
        return f"{blob}|{self._ballot(path, ballots)}"

    def states(self) -> dict[str, str]:
        """Record path -> what duchu reads there: the record's blob, and for a meeting with
        ``ballots`` the ballot file's blob (or why it cannot be read)."""
        if self._states is None:
            meetings = {
                blob
                for path, blob in self.records.items()
                if blob[0] != "!" and path.startswith("meetings/")
            }
            self.facts.prefetch("meetings", meetings)
            self._states = {path: self._state(path, blob) for path, blob in self.records.items()}
        return self._states

    def unit_group(self, unit_id: str) -> str | None:
        blob = self.records.get(f"units/{unit_id}.yaml")
        if blob is None or blob[0] == "!":
            return None
        group: str | None = self.facts.get("units", blob)
        return group

    def owners(self, path: str) -> frozenset[str]:
        """The groups whose record ``path`` is in this tree (none for the campaign, for a
        file that is no record, or for a record that cannot be read here)."""
        kind = record_kind(path)
        if kind == "groups":
            return frozenset([record_id(path)])
        blob = self.records.get(path)
        if blob is None or blob[0] == "!":
            return frozenset()
        if kind == "units":
            group = self.facts.get("units", blob)
            return frozenset([group] if group else [])
        if kind != "meetings":
            return frozenset()
        unit, units, group, _ = self.facts.meeting(blob)
        owners = {group} if group else set()
        for unit_id in [unit, *units] if unit else units:
            owner = self.unit_group(unit_id)
            if owner is not None:
                owners.add(owner)
        return frozenset(owners)

    def accounts(self) -> tuple[dict[str, frozenset[str]], frozenset[str]]:
        """Each group's accounts, and the office's, as this tree names them."""
        groups = {}
        for path, blob in self.records.items():
            if record_kind(path) == "groups" and blob[0] != "!":
                groups[record_id(path)] = frozenset(self.facts.get("groups", blob))
        campaign = self.records.get(CAMPAIGN_FILE)
        office: frozenset[str] = frozenset()
        if campaign is not None and campaign[0] != "!":
            office = frozenset(self.facts.get("campaign", campaign))
        return groups, office


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
        self.facts = _Facts(user_cache_folder(git_dir, "owners") if cache else None, self.reader)
        self.cache_folder = user_cache_folder(git_dir, "push") if cache else None
        self._views: OrderedDict[str, _View] = OrderedDict()
        self._empty = _View(self.facts, blobs={})

    def close(self) -> None:
        self.reader.close()

    def _keep(self, commit: str, view: _View) -> _View:
        self._views[commit] = view
        while len(self._views) > self.KEEP_VIEWS:
            self._views.popitem(last=False)
        return view

    def view(self, commit: str | None) -> _View:
        if commit is None:
            return self._empty
        found = self._views.get(commit)
        if found is not None:
            self._views.move_to_end(commit)
            return found
        entries = tree_entries(self.git_dir, commit, bare=True, sizes=False)
        if all(entry.mode in _REGULAR for entry in entries):
            found = _View(self.facts, blobs={entry.path: entry.blob for entry in entries})
        else:
            found = _View(self.facts, files=CommitFiles(entries, self.reader))
        return self._keep(commit, found)

    def child_view(self, parent: str, commit: str) -> _View:
        """The view of ``commit``, made from its parent's when both are trees of plain files
        (one ``git diff-tree`` instead of listing the whole tree again)."""
        known = self._views.get(commit)
        base = self.view(parent)
        if known is not None or not base.plain:
            return self.view(commit)
        delta = diff_trees(self.git_dir, parent, commit)
        if any(mode is not None and mode not in _REGULAR for _, mode, _ in delta):
            return self.view(commit)
        return self._keep(commit, base.derive([(path, blob) for path, _, blob in delta]))

    def rights(self, commit: str | None) -> Rights:
        if commit is None:
            return Rights()
        groups, office = self.view(commit).accounts()
        return Rights(groups, office)

    def difference(self, before: _View, after: _View) -> dict[str, frozenset[str]]:
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


def _named(path: str, states: list[str | None], views: list[_View]) -> str:
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
