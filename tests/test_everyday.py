"""Everyday faults and heavy input, the rest of issue 16: a file with thousands of problems
(item 22), a long history (item 22), a month folder that is a file (item 21), and
``new unit``'s hints (item 26)."""

from __future__ import annotations

import json
import os
import subprocess
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from duchu.cli.app import app
from duchu.problems import problem
from duchu.records.read import locate
from tests.conftest import build_tree

runner = CliRunner()


# --- item 22: a file with thousands of problems -----------------------------------------------


def _unit_with_unknown_keys(root: Path, name: str, count: int) -> None:
    keys = "".join(f"k{i}: 1\n" for i in range(count))
    (root / "units" / f"{name}.yaml").write_text(f"name: 某单位\ngroup: g1\n{keys}", "utf-8")


@pytest.mark.parametrize(("count", "hidden"), [(100, 0), (101, 1), (2500, 2400)])
def test_a_file_lists_its_first_100_problems_then_a_count(
    tmp_path: Path, count: int, hidden: int
) -> None:
    root = build_tree(tmp_path / "t")
    _unit_with_unknown_keys(root, "many", count)
    _unit_with_unknown_keys(root, "few", 3)  # another file's problems are listed in full
    for lang, more in (("zh", f"…及另外 {hidden} 个问题"), ("en", f"…and {hidden} more problem")):
        result = runner.invoke(app, ["check", "--records", str(root), "--lang", lang])
        assert result.exit_code == 1
        lines = result.stdout.splitlines()
        many = [line for line in lines if line.startswith("units/many.yaml:")]
        assert len([line for line in many if "[unknown-key]" in line]) == min(count, 100)
        # the first hundred in order of their lines, then the count in one line
        assert many[0].startswith("units/many.yaml:3:1:") and "'k0'" in many[0]
        assert many[99].startswith("units/many.yaml:102:1:")
        assert len([line for line in lines if line.startswith("units/few.yaml:")]) == 3
        assert bool(hidden) == (more in result.stdout)
        if hidden:
            assert many[-1].startswith(f"units/many.yaml: {more}")
        # the summary counts every problem, listed or not
        assert str(count + 3) in lines[-1]


def test_json_lists_every_problem(tmp_path: Path) -> None:
    """A script counting or filtering problems by code must see all of them, and the count
    agrees with the summary line; a record file is bounded in size, so the list is too."""
    root = build_tree(tmp_path / "t")
    _unit_with_unknown_keys(root, "many", 2500)
    result = runner.invoke(app, ["check", "--records", str(root), "--format", "json"])
    problems = json.loads(result.stdout)["problems"]
    assert len([p for p in problems if p["code"] == "unknown-key"]) == 2500


def test_the_refusal_of_a_tree_with_errors_is_capped_too(tmp_path: Path) -> None:
    root = build_tree(tmp_path / "t")
    _unit_with_unknown_keys(root, "many", 300)
    result = runner.invoke(app, ["status", "--records", str(root), "--as-of", "2014-03-01"])
    assert result.exit_code == 2
    assert result.stderr.count("[unknown-key]") == 100
    assert "…及另外 200 个问题" in result.stderr


def test_placing_many_problems_in_one_file_takes_linear_time() -> None:
    """Each problem's line was found by a linear search of its mapping: 50,000 unknown keys
    took minutes. 20,000 take well under a second now (the old way: about a minute)."""
    count = 20_000
    text = "name: 某\n" + "".join(f"k{i}: 1\n" for i in range(count)) + "k7: 2\n"
    wanted = [problem("u.yaml", "unknown-key", loc=(f"k{i}",), anchor="key") for i in range(count)]
    started = time.perf_counter()
    placed = locate(text, wanted)
    assert time.perf_counter() - started < 10
    assert [placed[p].line for p in wanted[:3]] == [2, 3, 4]
    # a key written twice is placed where PyYAML takes its value from: the last one
    assert placed[wanted[7]].line == count + 2


# --- item 22: a long history ------------------------------------------------------------------


def _repository_with_commits(root: Path, count: int) -> None:
    """``count`` commits each changing units/a.yaml's note, made at once by fast-import."""
    environment = {**os.environ, "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1"}

    def git(*args: str, stdin: bytes | None = None) -> None:
        subprocess.run(["git", *args], cwd=root, env=environment, input=stdin, check=True)

    git("init", "--quiet", "--initial-branch=main")
    git("add", "-A")
    git("-c", "user.name=甲", "-c", "user.email=a@x", "commit", "--quiet", "-m", "记录")
    text = (root / "units" / "a.yaml").read_text(encoding="utf-8")
    stream = []
    for i in range(count):
        data = f"{text}note: 第{i}次\n".encode()
        subject = f"第{i}次修改".encode()
        stream.append(b"commit refs/heads/main\ncommitter B <b@x> %d +0800\n" % (1392000000 + i))
        stream.append(b"data %d\n%s\n" % (len(subject), subject))
        if i == 0:
            stream.append(b"from refs/heads/main^0\n")
        stream.append(b"M 644 inline units/a.yaml\ndata %d\n%s\n" % (len(data), data))
    git("fast-import", "--quiet", stdin=b"".join(stream))
    git("reset", "--quiet", "--hard")


@pytest.fixture(scope="module")
def long_history(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = build_tree(tmp_path_factory.mktemp("history") / "t")
    _repository_with_commits(root, 120)  # and the first commit: 121 in all
    return root


def _log(root: Path, *args: str) -> tuple[int, str]:
    result = runner.invoke(app, ["log", "--records", str(root), *args])
    return result.exit_code, result.stdout


def test_log_lists_the_newest_50_then_counts_the_rest(long_history: Path) -> None:
    code, out = _log(long_history)
    assert code == 0
    assert out.count("次修改") == 50
    assert "第119次修改" in out and "第70次修改" in out and "第69次修改" not in out
    assert out.rstrip().splitlines()[-1] == "另有 71 个更早的提交未列出（--limit 0 列出全部）"
    code, out = _log(long_history, "a", "--lang", "en", "--limit", "120")  # a unit's history
    assert code == 0
    assert out.rstrip().splitlines()[-1] == "1 earlier commit not listed (--limit 0 lists them all)"


@pytest.mark.parametrize(("args", "listed", "more"), [((), 121, 0), (("--limit", "3"), 3, 118)])
def test_log_json_lists_all_unless_limited(
    long_history: Path, args: tuple[str, ...], listed: int, more: int
) -> None:
    """A script gets the whole history unless it asks for less, and is told what it left."""
    code, out = _log(long_history, "--format", "json", *args)
    assert code == 0
    document = json.loads(out)
    assert (len(document["commits"]), document["more"]) == (listed, more)
    assert document["commits"][0]["message"] == "第119次修改"


@pytest.mark.parametrize("limit", ["0", "121", "500"])
def test_log_with_a_limit_it_reaches_says_nothing_more(long_history: Path, limit: str) -> None:
    code, out = _log(long_history, "--limit", limit)
    assert code == 0 and "第0次修改" in out and "未列出" not in out


def test_a_negative_limit_is_refused(long_history: Path) -> None:
    result = runner.invoke(app, ["log", "--records", str(long_history), "--limit", "-1"])
    assert result.exit_code == 2


# --- item 21: something other than a folder where a folder must be -----------------------------


def _block(path: Path, kind: str) -> None:
    if kind == "file":
        path.write_text("x\n", encoding="utf-8")
    else:
        path.symlink_to(path.parent / "nowhere")


@pytest.mark.parametrize("kind", ["file", "link"])
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_month_folder_that_is_a_file_is_named(tmp_path: Path, kind: str, lang: str) -> None:
    root = build_tree(tmp_path / "t")
    _block(root / "meetings" / "2014-03", kind)
    args = ["new", "meeting", "--unit", "a", "--kind", "mobilization", "--date", "2014-03-05"]
    result = runner.invoke(app, [*args, "--records", str(root), "--lang", lang])
    assert result.exit_code == 2
    what = {"file": ("文件", "a file"), "link": ("符号链接", "a symbolic link")}[kind]
    said = {
        "zh": f"{root / 'meetings' / '2014-03'} 是{what[0]}，这里应是文件夹",
        "en": f"{root / 'meetings' / '2014-03'} is {what[1]} where a folder must be",
    }[lang]
    assert result.stderr.count("\n") == 1 and said in result.stderr, result.stderr
    assert "已经存在" not in result.stderr and "exists already" not in result.stderr


def test_a_file_above_the_folder_of_init_is_named(tmp_path: Path) -> None:
    (tmp_path / "记录").write_text("x\n", encoding="utf-8")
    result = runner.invoke(app, ["init", str(tmp_path / "记录" / "2014")])
    assert result.exit_code == 2
    assert result.stderr == f"{tmp_path / '记录'} 是文件，这里应是文件夹：请把它移走或改名后再试\n"


# --- item 26: the hint of an existing record fits the command ----------------------------------


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_only_a_meeting_that_exists_is_told_of_name(tmp_path: Path, lang: str) -> None:
    """A unit's or group's file name is its id, and its --name is its full name: renaming the
    file by --name is a meeting's remedy only."""
    root = build_tree(tmp_path / "t")
    again = {
        "unit": ["new", "unit", "a", "--group", "g1", "--name", "另一个单位"],
        "group": ["new", "group", "g1", "--name", "另一个组", "--leader", "某某"],
        "meeting": [
            "new",
            "meeting",
            "--unit",
            "a",
            "--kind",
            "mobilization",
            "--date",
            "2014-02-26",
            # (without --name a second one gets the next free id: issue 24)
            "--name",
            "a-mob-again",
        ],
    }
    for what, args in again.items():
        runner.invoke(app, [*args, "--records", str(root)])  # the meeting is new the first time
        result = runner.invoke(app, [*args, "--records", str(root), "--lang", lang])
        assert result.exit_code == 2, result.output
        assert ("不会覆盖" if lang == "zh" else "never overwritten") in result.stderr
        assert ("--name" in result.stderr) == (what == "meeting"), result.stderr
