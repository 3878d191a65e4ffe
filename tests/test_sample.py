"""The embedded sample ``records/``, the tree of a municipal activity office: seed 000's second
group (g2) and its seven units, a diligent first group (g1, four units) and a lagging third
(g3, four units). It is valid, and it tells the stories it was written to tell."""

from __future__ import annotations

import json
import shutil
from datetime import date
from pathlib import Path

import pytest
from typer.testing import CliRunner

from duchu.cli.app import app
from duchu.judge.status import status_json, unit_status
from duchu.records.load import load_tree
from tests.conftest import SAMPLE, copy_tree

runner = CliRunner()


def test_sample_has_no_problems() -> None:
    result = runner.invoke(app, ["check", "--records", str(SAMPLE)])
    assert result.exit_code == 0
    assert result.stdout.startswith("0 个问题")


def by_id(as_of: date) -> dict[str, dict[str, dict[str, object]]]:
    data = status_json(unit_status(load_tree(SAMPLE), as_of))
    return {u["id"]: {a["id"]: a for a in u["actions"]} for u in data["units"]}  # type: ignore[attr-defined,index]


def test_mobilization_week() -> None:
    """Seed 000: g2's mobilization meetings 2-19 to 2-28, all before the 2-28 deadline; g1
    held all of its own by 2-25; g3's 市农委 postponed its meeting to 3-05."""
    units = by_id(date(2014, 2, 26))
    held = {u for u, acts in units.items() if acts["mobilization"]["state"] == "done"}
    assert held == {"zhengfuban", "zhengwu", "fagaiwei"} | {
        "jiaoyu",
        "caizheng",
        "weisheng",
        "renshe",
    }
    assert {u for u, acts in units.items() if acts["mobilization"]["state"] == "due_soon"} == {
        "jiaotong",
        "huanbao",
        "zhujian",
        "guihua",
    } | {"gongan", "guotu", "shuili", "nongwei"}
    after = by_id(date(2014, 3, 1))
    assert {u for u, acts in after.items() if acts["mobilization"]["state"] != "done"} == {
        "nongwei"
    }
    assert after["nongwei"]["mobilization"]["state"] == "overdue"
    assert by_id(date(2014, 3, 5))["nongwei"]["mobilization"]["state"] == "late"


def test_the_planted_stories() -> None:
    units = by_id(date(2026, 11, 21))
    # 市环保局 held its democratic life meeting before its materials were approved
    assert units["huanbao"]["democratic_life"]["problems"] == ["before:materials"]
    assert units["huanbao"]["democratic_life"]["done"] == "2014-06-05"
    # late, but done
    assert units["zhujian"]["materials"]["state"] == "late"
    assert units["jiaotong"]["talks"]["state"] == "late"
    # 市规划局 never finished 建章立制: the one lagging unit
    assert units["guihua"]["rules"]["state"] == "overdue"
    assert units["zhengfuban"]["dl_report"]["state"] == "waived"
    assert "special" not in units["fagaiwei"]  # applies to 窗口服务单位 only


def test_status_out_of_the_box_names_the_lagging_unit() -> None:
    result = runner.invoke(
        app, ["status", "--records", str(SAMPLE), "--as-of", "2026-11-21", "--format", "json"]
    )
    data = json.loads(result.stdout)
    assert data["summary"] == {"units": 15, "lagging": 4}
    lagging = {u["id"]: u["days_overdue"] for u in data["units"] if u["lagging"]}
    # g3's 市水利局 never sent its democratic life report (due 6-20): the longest overdue
    assert data["units"][0]["id"] == "shuili"
    assert lagging == {
        "shuili": (date(2026, 11, 21) - date(2014, 6, 20)).days,
        "guotu": (date(2026, 11, 21) - date(2014, 8, 20)).days,  # 窗口服务专项整治
        "guihua": (date(2026, 11, 21) - date(2014, 8, 31)).days,  # 建章立制
        "nongwei": (date(2026, 11, 21) - date(2014, 9, 30)).days,  # 总结大会
    }


def test_the_office_sees_its_groups_apart() -> None:
    """Seed 001's complaints, in one office's tree: by 6-20 three of g3's four units lag on
    the criticism phase while g1 and g2 have none; by 9-30 g3 still has two."""

    def lagging(as_of: date) -> dict[str, set[str]]:
        data = status_json(unit_status(load_tree(SAMPLE), as_of))
        found: dict[str, set[str]] = {"g1": set(), "g2": set(), "g3": set()}
        for unit in data["units"]:  # type: ignore[attr-defined]
            if unit["lagging"]:
                found[unit["group"]].add(unit["id"])
        return found

    assert lagging(date(2014, 6, 20)) == {
        "g1": set(),
        "g2": set(),
        "g3": {"guotu", "nongwei", "shuili"},
    }
    assert lagging(date(2014, 9, 30)) == {"g1": set(), "g2": {"guihua"}, "g3": {"guotu", "shuili"}}


def test_meetings_of_several_units() -> None:
    tree = load_tree(SAMPLE)
    # the coordination meeting of seed 000 (2-19) was held with every unit of g2
    assert tree.meeting_units["2014-02/g2-coordination"] == (
        "zhengfuban",
        "zhengwu",
        "fagaiwei",
        "jiaotong",
        "huanbao",
        "zhujian",
        "guihua",
    )
    # g1 reviewed two units' self-examination materials together: done for both that day
    units = by_id(date(2014, 6, 20))
    assert units["jiaoyu"]["materials"]["done"] == units["caizheng"]["materials"]["done"]
    assert units["jiaoyu"]["materials"]["done"] == "2014-05-20"
    assert units["weisheng"]["special"]["state"] == "waived"


@pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
def test_the_sample_as_a_repository_is_the_same_every_time(tmp_path: Path) -> None:
    """``tests/sample_history.py``: the same commits (ids and all) on every build, duchu's
    cache left out, and every meeting committed as many days late as its docstring says."""
    import subprocess

    from tests.sample_history import DELAYS, build_sample_repository, meeting_commits

    source = copy_tree(SAMPLE, tmp_path / "source")
    (source / ".duchu-cache").mkdir()
    (source / ".duchu-cache" / "x.json").write_text("{}", encoding="utf-8")
    first = build_sample_repository(tmp_path / "a", source)
    second = build_sample_repository(tmp_path / "b", SAMPLE)

    def git(root: Path, *args: str) -> str:
        done = subprocess.run(["git", *args], cwd=root, capture_output=True, text=True, check=True)
        return done.stdout

    assert git(first, "rev-parse", "HEAD") == git(second, "rev-parse", "HEAD")
    assert git(first, "status", "--porcelain", "--ignored") == ""  # all committed, none ignored
    assert not (first / ".duchu-cache").exists()  # the cache is not copied at all
    meetings = meeting_commits()
    # the campaign, three groups, three groups' units, then one commit a meeting and (1.2)
    # one a notice
    notices = list((SAMPLE / "notices").rglob("*.yaml"))
    assert len(git(first, "rev-list", "HEAD").split()) == 7 + len(meetings) + len(notices)
    added = {}
    for line in git(first, "log", "--format=@%cs", "--name-only", "--diff-filter=A").splitlines():
        if line.startswith("@"):
            day = line[1:]
        elif line.startswith("meetings/") and line.endswith(".yaml"):
            added[line.removeprefix("meetings/").removesuffix(".yaml")] = date.fromisoformat(day)
    tree = load_tree(SAMPLE)
    for meeting in meetings:
        held = tree.meetings[meeting.id]
        with_appraisal, democratic_life, other = DELAYS[meeting.group]
        expected = (
            with_appraisal
            if held.appraisal is not None
            else democratic_life
            if held.kind == "democratic_life"
            else other
        )
        assert (added[meeting.id] - meeting.held).days == expected == meeting.delay, meeting
    checked = runner.invoke(app, ["check", "--records", str(first)])
    assert checked.exit_code == 0 and checked.stdout.startswith("0 个问题")
