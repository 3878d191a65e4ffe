"""Git as the audit trail: init, the pre-commit hook, new, log and --stale, in real
repositories made in temporary folders."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import threading
from datetime import date
from pathlib import Path

import pytest
from typer.testing import CliRunner

from duchu.cli.app import app
from duchu.errors import ScaffoldError
from duchu.records.load import load_tree
from duchu.records.write import new_meeting
from tests.conftest import build_tree

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
runner = CliRunner()


def git(root: Path, *args: str, who: str = "张某", when: str = "2014-03-01T10:00:00+08:00"):
    env = {
        **os.environ,
        "GIT_AUTHOR_NAME": who,
        "GIT_AUTHOR_EMAIL": f"{who}@example.cn",
        "GIT_COMMITTER_NAME": who,
        "GIT_COMMITTER_EMAIL": f"{who}@example.cn",
        "GIT_AUTHOR_DATE": when,
        "GIT_COMMITTER_DATE": when,
        "GIT_CONFIG_GLOBAL": os.devnull,
        "GIT_CONFIG_NOSYSTEM": "1",
    }
    return subprocess.run(["git", *args], cwd=root, env=env, capture_output=True, text=True)


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    root = tmp_path / "records"
    result = runner.invoke(app, ["init", str(root)])
    assert result.exit_code == 0, result.output
    return root


def test_init_writes_a_valid_tree_a_repository_and_a_hook(repo: Path) -> None:
    assert (repo / ".git").is_dir()
    assert ".duchu-cache/" in (repo / ".gitignore").read_text(encoding="utf-8")
    hook = repo / ".git" / "hooks" / "pre-commit"
    assert os.access(hook, os.X_OK)
    tree = load_tree(repo)
    assert tree.problems == []
    assert (len(tree.groups), len(tree.units), len(tree.meetings)) == (1, 2, 1)
    assert tree.campaign is not None and len(tree.campaign.phases) >= 2


def test_init_refuses_a_folder_with_records_or_other_files(repo: Path, tmp_path: Path) -> None:
    again = runner.invoke(app, ["init", str(repo)])
    assert again.exit_code == 2 and "已经有记录" in again.stderr
    other = tmp_path / "other"
    other.mkdir()
    (other / "notes.txt").write_text("x", encoding="utf-8")
    refused = runner.invoke(app, ["init", str(other)])
    assert refused.exit_code == 2 and "不是空文件夹" in refused.stderr
    assert sorted(p.name for p in other.iterdir()) == ["notes.txt"]  # nothing written


def test_hook_accepts_valid_and_refuses_invalid_staged_records(repo: Path) -> None:
    assert git(repo, "add", ".").returncode == 0
    first = git(repo, "commit", "-m", "建立记录库")
    assert first.returncode == 0, first.stdout + first.stderr
    unit = repo / "units" / "jiaotong.yaml"
    unit.write_text(unit.read_text(encoding="utf-8").replace("group: g1", "group: g9"), "utf-8")
    git(repo, "add", "units/jiaotong.yaml")
    refused = git(repo, "commit", "-m", "改错了")
    assert refused.returncode != 0
    assert "units/jiaotong.yaml:3:8: error:" in refused.stdout + refused.stderr
    assert len(git(repo, "log", "--format=%H").stdout.split()) == 1


def test_an_unstaged_bad_edit_does_not_block_a_valid_commit(repo: Path) -> None:
    git(repo, "add", ".")
    git(repo, "commit", "-m", "建立记录库")
    good = repo / "units" / "fagaiwei.yaml"
    good.write_text(good.read_text(encoding="utf-8") + "  opinions: 2014-04-08\n", "utf-8")
    git(repo, "add", "units/fagaiwei.yaml")
    bad = repo / "units" / "jiaotong.yaml"
    bad.write_text("name: [未写完\n", encoding="utf-8")  # unstaged, and broken
    done = git(repo, "commit", "-m", "发改委征求意见已完成")
    assert done.returncode == 0, done.stdout + done.stderr


def test_new_meeting_is_filled_valid_and_never_overwrites(repo: Path) -> None:
    args = [
        "new",
        "meeting",
        "--records",
        str(repo),
        "--unit",
        "jiaotong",
        "--kind",
        "mobilization",
        "--date",
        "2014年2月27日",
    ]
    made = runner.invoke(app, args)
    assert made.exit_code == 0, made.output
    path = repo / "meetings" / "2014-02" / "jiaotong-mobilization.yaml"
    assert made.stdout.strip().endswith("meetings/2014-02/jiaotong-mobilization.yaml")
    text = path.read_text(encoding="utf-8")
    assert "attended_by: [张某, 赵某, 钱某]" in text
    assert "    刘某: {好: 0, 较好: 0, 一般: 0, 差: 0}" in text  # the unit's leaders
    # a scaffold is a draft with every count 0 (RECORDS.md 1.2): warned of, never an error
    drafted = [(p.path, p.code) for p in load_tree(repo).problems]
    assert drafted == [
        ("meetings/2014-02/jiaotong-mobilization.yaml", "draft-meeting"),
        ("meetings/2014-02/jiaotong-mobilization.yaml", "appraisal-empty"),
    ]
    path.write_text(text.replace("distributed: 0", "distributed: 60"), encoding="utf-8")
    # a second one in the month gets the next free id (issue 24), never the first's file
    again = runner.invoke(app, args)
    assert again.exit_code == 0, again.output
    assert again.stdout.strip().endswith("meetings/2014-02/jiaotong-mobilization-2.yaml")
    assert "distributed: 60" in path.read_text(encoding="utf-8")
    named = runner.invoke(app, [*args, "--name", "jiaotong-mobilization-2"])
    assert named.exit_code == 2 and "已存在，不会覆盖" in named.stderr
    assert all(p.severity == "warning" for p in load_tree(repo).problems)
    # a kind without appraisal gets no appraisal block
    runner.invoke(
        app,
        [
            "new",
            "meeting",
            "--records",
            str(repo),
            "--unit",
            "fagaiwei",
            "--kind",
            "democratic_life",
            "--date",
            "2014-06-05",
        ],
    )
    dl = (repo / "meetings/2014-06/fagaiwei-democratic_life.yaml").read_text(encoding="utf-8")
    assert "appraisal" not in dl


def test_new_unit(repo: Path) -> None:
    made = runner.invoke(
        app,
        [
            "new",
            "unit",
            "huanbao",
            "--group",
            "g1",
            "--name",
            "市环境保护局",
            "--records",
            str(repo),
        ],
    )
    assert made.exit_code == 0, made.output
    tree = load_tree(repo)
    assert tree.units["huanbao"].name == "市环境保护局"
    assert [p.code for p in tree.errors()] == []
    bad = runner.invoke(app, ["new", "unit", "x", "--group", "g9", "--records", str(repo)])
    assert bad.exit_code == 2 and "没有督导组“g9”（可选：" in bad.stderr


def test_racing_new_commands_cannot_clobber_each_other(repo: Path) -> None:
    tree = load_tree(repo)
    outcomes: list[str] = []
    barrier = threading.Barrier(8)

    def attempt() -> None:
        barrier.wait()
        try:
            # one name for all (without one, a later racer may take the next free id)
            new_meeting(tree, "jiaotong", "coordination", date(2014, 2, 19), "jt-coordination")
            outcomes.append("written")
        except ScaffoldError:
            outcomes.append("refused")

    threads = [threading.Thread(target=attempt) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["refused"] * 7 + ["written"]


def commit_all(repo: Path, message: str, who: str, when: str) -> None:
    git(repo, "add", "-A")
    result = git(repo, "commit", "-m", message, who=who, when=when)
    assert result.returncode == 0, result.stdout + result.stderr


def test_log_of_a_unit_and_of_a_path(repo: Path) -> None:
    commit_all(repo, "建立记录库", "张某", "2014-02-20T09:00:00+08:00")
    runner.invoke(
        app,
        [
            "new",
            "meeting",
            "--records",
            str(repo),
            "--unit",
            "jiaotong",
            "--kind",
            "coordination",
            "--date",
            "2014-02-21",
        ],
    )
    commit_all(repo, "交通局协调会", "赵某", "2014-02-21T17:00:00+08:00")
    unit = repo / "units" / "fagaiwei.yaml"
    unit.write_text(unit.read_text(encoding="utf-8") + "  opinions: 2014-04-08\n", "utf-8")
    commit_all(repo, "发改委征求意见", "钱某", "2014-04-09T10:00:00+08:00")

    data = json.loads(
        runner.invoke(app, ["log", "jiaotong", "--records", str(repo), "--format", "json"]).stdout
    )
    assert [(c["author"], c["message"]) for c in data["commits"]] == [
        ("赵某", "交通局协调会"),
        ("张某", "建立记录库"),
    ]
    assert data["commits"][0]["files"] == ["meetings/2014-02/jiaotong-coordination.yaml"]
    assert data["commits"][0]["date"] == "2014-02-21T17:00:00+08:00"
    fagaiwei = json.loads(
        runner.invoke(app, ["log", "fagaiwei", "--records", str(repo), "--format", "json"]).stdout
    )
    # its unit file and its mobilization meeting (from init), and the later edit
    assert [c["message"] for c in fagaiwei["commits"]] == ["发改委征求意见", "建立记录库"]
    assert set(fagaiwei["commits"][1]["files"]) == {
        "units/fagaiwei.yaml",
        "meetings/2014-02/fagaiwei-mobilization.yaml",
    }
    by_path = json.loads(
        runner.invoke(
            app, ["log", "campaign.yaml", "--records", str(repo), "--format", "json"]
        ).stdout
    )
    assert [c["message"] for c in by_path["commits"]] == ["建立记录库"]
    table = runner.invoke(app, ["log", "--records", str(repo)]).stdout
    assert "钱某" in table and "发改委征求意见" in table and "2014-04-09" in table


def test_stale_marks_units_without_recent_changes(repo: Path) -> None:
    commit_all(repo, "建立记录库", "张某", "2014-02-20T09:00:00+08:00")
    unit = repo / "units" / "fagaiwei.yaml"
    unit.write_text(unit.read_text(encoding="utf-8") + "  opinions: 2014-04-08\n", "utf-8")
    commit_all(repo, "发改委征求意见", "钱某", "2014-04-09T10:00:00+08:00")
    # a commit after the as-of date does not count for that day
    jiaotong = repo / "units" / "jiaotong.yaml"
    jiaotong.write_text(
        jiaotong.read_text(encoding="utf-8") + "done:\n  plan: 2014-02-25\n", "utf-8"
    )
    commit_all(repo, "交通局补记", "赵某", "2014-05-01T10:00:00+08:00")

    args = [
        "status",
        "--records",
        str(repo),
        "--as-of",
        "2014-04-20",
        "--stale",
        "30",
        "--format",
        "json",
    ]
    data = json.loads(runner.invoke(app, args).stdout)
    by_id = {u["id"]: u for u in data["units"]}
    # fagaiwei changed 04-09: 11 days before -> fresh; jiaotong last 02-20 (05-01 is later):
    # 59 days -> stale
    assert (by_id["fagaiwei"]["last_change"], by_id["fagaiwei"]["stale"]) == ("2014-04-09", False)
    assert (by_id["jiaotong"]["last_change"], by_id["jiaotong"]["stale"]) == ("2014-02-20", True)
    edge = json.loads(runner.invoke(app, [*args[:-4], "--stale", "59", "--format", "json"]).stdout)
    assert {u["id"]: u["stale"] for u in edge["units"]}["jiaotong"] is False  # not *more* than
    table = runner.invoke(app, args[:-2]).stdout
    assert "59 天未更新" in table
    plain = json.loads(runner.invoke(app, [*args[:-4], "--format", "json"]).stdout)
    assert "stale" not in plain["units"][0]  # only with --stale


def test_outside_a_repository(tmp_path: Path) -> None:
    root = build_tree(tmp_path / "plain")
    for args in (["log"], ["status", "--stale", "7"]):
        result = runner.invoke(app, [*args, "--records", str(root)])
        assert result.exit_code == 2
        assert result.stderr.strip().endswith(
            "不在 git 仓库中：此功能需要 git（可先运行 git init）"
        )
    assert runner.invoke(app, ["status", "--records", str(root)]).exit_code == 0
    assert runner.invoke(app, ["check", "--records", str(root)]).exit_code == 0
