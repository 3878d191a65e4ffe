"""``duchu.judge.asof``: the one way a tree is opened as of a day -- done (the working
tree) or known (as committed by that day) -- and the one provenance every output names."""

from __future__ import annotations

import os
import shutil
import subprocess
from datetime import date
from pathlib import Path

import pytest

from duchu.errors import DuchuError
from duchu.judge.asof import (
    Judged,
    Provenance,
    TreeHasErrors,
    file_dates,
    git_facts,
    open_as_of,
    provenance,
)
from tests.conftest import build_tree

needs_git = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")


def commit_all(root: Path, when: str) -> None:
    env = {
        **os.environ,
        "GIT_AUTHOR_NAME": "张某",
        "GIT_AUTHOR_EMAIL": "z@example.cn",
        "GIT_COMMITTER_NAME": "张某",
        "GIT_COMMITTER_EMAIL": "z@example.cn",
        "GIT_AUTHOR_DATE": when,
        "GIT_COMMITTER_DATE": when,
        "GIT_CONFIG_GLOBAL": os.devnull,
        "GIT_CONFIG_NOSYSTEM": "1",
    }
    for args in (["init", "-q"], ["add", "-A"], ["commit", "-q", "-m", "记录"]):
        if args[0] == "init" and (root / ".git").exists():
            continue
        subprocess.run(["git", *args], cwd=root, env=env, check=True, capture_output=True)


def test_the_report_and_the_workbook_take_the_one_provenance() -> None:
    from duchu.render import report, xlsx

    assert report.Provenance is Provenance
    assert xlsx.Source is Provenance


def test_outside_git_the_provenance_says_so(base_tree: Path) -> None:
    judged = open_as_of(base_tree, "2014-06-11", known=False, use_cache=False)
    assert judged.day == date(2014, 6, 11) and judged.known_commit is None
    assert provenance(judged) == Provenance(date(2014, 6, 11))
    assert file_dates(judged) is None


def test_a_date_without_a_year_takes_the_campaigns(base_tree: Path) -> None:
    judged = open_as_of(base_tree, "6月11日", known=False, use_cache=False)
    assert judged.day == date(2014, 6, 11)
    with pytest.raises(DuchuError) as raised:
        open_as_of(base_tree, "bogus", known=False, use_cache=False)
    assert raised.value.key == "bad-date-option"


def test_a_tree_with_errors_is_not_opened(tmp_path: Path) -> None:
    tree = build_tree(tmp_path / "t", files={"units/broken.yaml": "name: [\n"})
    with pytest.raises(TreeHasErrors):
        open_as_of(tree, "2014-06-11", known=False, use_cache=False)


@needs_git
def test_done_and_known_and_git_asked_beside(base_tree: Path) -> None:
    commit_all(base_tree, "2014-03-01T10:00:00+08:00")
    done = open_as_of(base_tree, "2014-06-11", known=False, use_cache=False)
    done_source = provenance(done)
    assert done_source.in_git and not done_source.known and not done_source.dirty
    assert done_source.commit is not None
    known = open_as_of(base_tree, "2014-06-11", known=True, use_cache=False)
    assert known.known_commit == done_source.commit
    assert provenance(known) == Provenance(
        date(2014, 6, 11), done_source.commit, in_git=True, known=True
    )
    beside = open_as_of(base_tree, "2014-06-11", known=False, use_cache=False, beside=True)
    assert isinstance(beside, Judged) and beside.asked is not None
    facts = git_facts(beside)
    assert facts == (done_source, file_dates(done))
    (base_tree / "campaign.yaml").write_text(
        (base_tree / "campaign.yaml").read_text(encoding="utf-8") + "\n", encoding="utf-8"
    )
    assert provenance(open_as_of(base_tree, None, known=False, use_cache=False)).dirty
