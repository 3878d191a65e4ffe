"""The gatekeeper of a records repository: the hooks that check what is committed and pushed.

Two places keep a records tree valid and each group's records its own (../shared/spec/CLI.md,
``duchu hook``):

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
  when any group names ``accounts`` (../shared/spec/RECORDS.md 1.1), refuses a push in which any new
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

Here: the check of the client hooks (``check_staged``). Installing the hooks is
``duchu.hooks.install``; judging a push is ``duchu.hooks.server``, with what ownership needs of
each record in ``duchu.hooks.owners``.
"""

from __future__ import annotations

from pathlib import Path

from duchu.git.objects import write_tree
from duchu.git.run import repository_root
from duchu.records.cache import user_cache_folder
from duchu.records.known import load_known_tree
from duchu.records.tree import Tree

# --- the client hooks --------------------------------------------------------------------------


def check_staged(root: Path, *, cache: bool = True) -> Tree:
    """The records tree as the index holds it under ``root``: what a commit, or a merge,
    would record (``NoRecordsError`` when it holds no campaign.yaml there)."""
    tree_id = write_tree(repository_root(root))
    folder = user_cache_folder(root, "staged") if cache else None
    return load_known_tree(root, tree_id, cache_folder=folder)
