"""``duchu status`` on a hand-made tree, every expected value worked out by hand.

The tree (as of 2014-03-21 unless a test says otherwise; warn_days 5):
  a1 due 03-10; a2 due 3月中旬 = 03-20, by meeting ``dl``, after a1; a3 due 03-25 for
  category 窗口 only; a4 due 3月下旬 = 03-31, by the group; a5 due 04-30.
  u1 (窗口): a1 done 03-08; dl meetings 03-05 and 03-15 (the earliest counts: 03-05, before
     a1 was done -> before:a1); a3 done 03-28 (after the as-of date: does not count yet).
  u2 (机关): a1 done 03-11 and completed by its dl meeting on 03-12 (the earlier counts:
     03-11, one day late); that meeting also does a2 (03-12, on time, after a1: no problem);
     a5 waived; a3 does not apply.
  u3 (no category): a1 done 03-22 (after the as-of date); a2 never held.
  group g: a4 done 04-02.
"""

from __future__ import annotations

import functools
import json
from datetime import date
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from duchu.cli.app import app
from duchu.judge.status import UnknownIdError, status_json, unit_status
from duchu.records.load import load_tree
from duchu.records.tree import Tree
from tests.conftest import SAMPLE, write_tree

FILES = {
    "campaign.yaml": """\
name: 测试活动
year: 2014
warn_days: 5
meeting_kinds:
  dl: 专题民主生活会
phases:
  - id: p1
    name: 查摆问题
    start: 2014-03-01
    due: 3月下旬
    actions:
      - {id: a1, name: 对照检查材料, due: 2014-03-10}
      - {id: a2, name: 民主生活会, due: 3月中旬, meeting: dl, after: [a1]}
      - {id: a3, name: 窗口专项整治, due: 2014-03-25, applies_to: [窗口]}
      - {id: a4, name: 督导报告, due: 3月下旬, by: group}
  - id: p2
    name: 整改落实
    start: 4月上旬
    due: 4月下旬
    actions:
      - {id: a5, name: 整改方案, due: 2014-04-30}
""",
    "groups/g.yaml": "name: 第一督导组\nleader: 张某\nmembers: [张某]\ndone:\n  a4: 2014-04-02\n",
    "units/u1.yaml": """\
name: 一单位
group: g
category: 窗口
leaders: [{name: 王某}]
done:
  a1: 2014-03-08
  a3: 2014年3月28日
""",
    "units/u2.yaml": """\
name: 二单位
group: g
category: 机关
leaders: [{name: 李某}]
done:
  a1: 2014-03-11
waived:
  a5: 已并入上级整改方案
""",
    "units/u3.yaml": "name: 三单位\ngroup: g\nleaders: [{name: 刘某}]\ndone:\n  a1: 2014-03-22\n",
    "meetings/u1-dl-1.yaml": "date: 2014-03-05\nunit: u1\nkind: dl\n",
    "meetings/u1-dl-2.yaml": "date: 2014-03-15\nunit: u1\nkind: dl\n",
    "meetings/u2-visit.yaml": "date: 2014-03-12\nunit: u2\nkind: dl\ncompletes: [a1]\n",
}


@pytest.fixture
def tree_root(tmp_path: Path) -> Path:
    return write_tree(tmp_path / "tree", FILES)


def states(report_json: dict[str, object]) -> dict[str, dict[str, tuple[str, str | None]]]:
    return {
        unit["id"]: {a["id"]: (a["state"], a["done"]) for a in unit["actions"]}
        for unit in report_json["units"]  # type: ignore[attr-defined]
    }


def test_status_as_of_march_21(tree_root: Path) -> None:
    tree = load_tree(tree_root)
    assert tree.problems == []
    data = status_json(unit_status(tree, date(2014, 3, 21)))
    assert data == {
        "as_of": "2014-03-21",
        "units": [
            {
                "id": "u3",
                "name": "三单位",
                "group": "g",
                "lagging": True,
                "days_overdue": 11,
                "actions": [
                    # done 03-22: after the as-of date, so not yet; due 03-10 -> 11 days
                    {
                        "id": "a1",
                        "phase": "p1",
                        "due": "2014-03-10",
                        "state": "overdue",
                        "done": None,
                        "problems": [],
                        "notice": None,  # (1.2) no notice given
                    },
                    {
                        "id": "a2",
                        "phase": "p1",
                        "due": "2014-03-20",
                        "state": "overdue",
                        "done": None,
                        "problems": [],
                        "notice": None,  # (1.2) no notice given
                    },
                    {
                        "id": "a5",
                        "phase": "p2",
                        "due": "2014-04-30",
                        "state": "open",
                        "done": None,
                        "problems": [],
                        "notice": None,  # (1.2) no notice given
                    },
                ],
            },
            {
                "id": "u1",
                "name": "一单位",
                "group": "g",
                "lagging": False,
                "days_overdue": 0,
                "actions": [
                    {
                        "id": "a1",
                        "phase": "p1",
                        "due": "2014-03-10",
                        "state": "done",
                        "done": "2014-03-08",
                        "problems": [],
                        "notice": None,  # (1.2) no notice given
                    },
                    # the earliest dl meeting, 03-05, is before a1 was done on 03-08
                    {
                        "id": "a2",
                        "phase": "p1",
                        "due": "2014-03-20",
                        "state": "done",
                        "done": "2014-03-05",
                        "problems": ["before:a1"],
                        "notice": None,
                    },
                    # done 03-28 does not count yet; due in 4 days <= warn_days 5
                    {
                        "id": "a3",
                        "phase": "p1",
                        "due": "2014-03-25",
                        "state": "due_soon",
                        "done": None,
                        "problems": [],
                        "notice": None,  # (1.2) no notice given
                    },
                    {
                        "id": "a5",
                        "phase": "p2",
                        "due": "2014-04-30",
                        "state": "open",
                        "done": None,
                        "problems": [],
                        "notice": None,  # (1.2) no notice given
                    },
                ],
            },
            {
                "id": "u2",
                "name": "二单位",
                "group": "g",
                "lagging": False,
                "days_overdue": 0,
                "actions": [
                    # done 03-11 (unit file) and 03-12 (meeting completes): earlier counts
                    {
                        "id": "a1",
                        "phase": "p1",
                        "due": "2014-03-10",
                        "state": "late",
                        "done": "2014-03-11",
                        "problems": [],
                        "notice": None,  # (1.2) no notice given
                    },
                    {
                        "id": "a2",
                        "phase": "p1",
                        "due": "2014-03-20",
                        "state": "done",
                        "done": "2014-03-12",
                        "problems": [],
                        "notice": None,  # (1.2) no notice given
                    },
                    {
                        "id": "a5",
                        "phase": "p2",
                        "due": "2014-04-30",
                        "state": "waived",
                        "done": None,
                        "problems": [],
                        "notice": None,  # (1.2) no notice given
                    },
                ],
            },
        ],
        "groups": [
            {
                "id": "g",
                "actions": [
                    {"id": "a4", "due": "2014-03-31", "state": "open", "done": None},
                ],
            },
        ],
        "summary": {"units": 3, "lagging": 1},
    }


def test_status_as_of_april_1_counts_the_later_work(tree_root: Path) -> None:
    data = status_json(unit_status(load_tree(tree_root), date(2014, 4, 1)))
    got = states(data)
    assert got["u1"]["a3"] == ("late", "2014-03-28")
    assert got["u3"]["a1"] == ("late", "2014-03-22")
    assert got["u3"]["a2"] == ("overdue", None)
    assert data["groups"] == [
        {
            "id": "g",
            "actions": [{"id": "a4", "due": "2014-03-31", "state": "overdue", "done": None}],
        }
    ]
    # u3: a2 overdue since 03-20 -> 12 days
    assert [(u["id"], u["days_overdue"]) for u in data["units"]] == [  # type: ignore[attr-defined]
        ("u3", 12),
        ("u1", 0),
        ("u2", 0),
    ]


def test_due_day_itself_is_on_time_and_due_soon(tree_root: Path) -> None:
    tree = load_tree(tree_root)
    on_due_day = states(status_json(unit_status(tree, date(2014, 3, 10))))
    assert on_due_day["u3"]["a1"] == ("due_soon", None)  # due today, not yet overdue
    day_after = states(status_json(unit_status(tree, date(2014, 3, 11))))
    assert day_after["u3"]["a1"] == ("overdue", None)


def test_work_before_the_as_of_date_only(tree_root: Path) -> None:
    """As of 03-04 no dl meeting has happened; as of 03-05 the first one has."""
    tree = load_tree(tree_root)
    before = states(status_json(unit_status(tree, date(2014, 3, 4))))
    assert before["u1"]["a2"] == ("open", None)
    assert before["u1"]["a1"] == ("open", None)
    on_day = states(status_json(unit_status(tree, date(2014, 3, 5))))
    # held on 03-05 and a1 not yet done at all that day: still a before:a1 problem
    assert on_day["u1"]["a2"] == ("done", "2014-03-05")
    report = unit_status(tree, date(2014, 3, 5), unit="u1")
    assert report.units[0].actions[1].problems == ("before:a1",)


def test_filters(tree_root: Path) -> None:
    tree = load_tree(tree_root)
    by_phase = status_json(unit_status(tree, date(2014, 3, 21), phase="p2"))
    assert {a["id"] for u in by_phase["units"] for a in u["actions"]} == {"a5"}  # type: ignore[attr-defined]
    assert by_phase["groups"] == [{"id": "g", "actions": []}]
    one = status_json(unit_status(tree, date(2014, 3, 21), unit="u2"))
    assert [u["id"] for u in one["units"]] == ["u2"]  # type: ignore[attr-defined]
    assert one["summary"] == {"units": 1, "lagging": 0}
    for kind, value in (("unit", "u9"), ("group", "g9"), ("phase", "p9")):
        with pytest.raises(UnknownIdError):
            unit_status(tree, date(2014, 3, 21), **{kind: value})


def test_cli_status_json_and_fail_on(tree_root: Path) -> None:
    runner = CliRunner()
    args = ["status", "--records", str(tree_root), "--as-of", "2014-03-21"]
    result = runner.invoke(app, [*args, "--format", "json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["summary"] == {"units": 3, "lagging": 1}
    assert runner.invoke(app, [*args, "--fail-on", "overdue"]).exit_code == 1
    assert runner.invoke(app, [*args, "--fail-on", "due_soon"]).exit_code == 1
    assert runner.invoke(app, [*args, "--unit", "u2", "--fail-on", "overdue"]).exit_code == 0
    assert runner.invoke(app, [*args, "--unit", "u1", "--fail-on", "due_soon"]).exit_code == 1
    assert runner.invoke(app, [*args, "--unit", "u3", "--fail-on", "due_soon"]).exit_code == 0
    # the as-of date in Chinese, short form in the campaign's year
    short = runner.invoke(app, [*args[:3], "--as-of", "3月21日", "--format", "json"])
    assert json.loads(short.stdout)["as_of"] == "2014-03-21"


def test_cli_status_table(tree_root: Path) -> None:
    runner = CliRunner()
    args = ["status", "--records", str(tree_root), "--as-of", "2014-03-21"]
    table = runner.invoke(app, args).stdout
    assert "截至 2014年3月21日：3 个单位，1 个滞后" in table
    # lagging first, with its overdue actions named; u2 (nothing overdue or due soon) counted
    assert table.index("三单位") < table.index("一单位")
    assert "对照检查材料（逾期 11 天）" in table
    assert "窗口专项整治（2014年3月25日截止）" in table
    assert "另有 1 个单位" in table and "二单位" not in table
    assert "民主生活会早于“对照检查材料”完成" in table
    every = runner.invoke(app, [*args, "--all", "--lang", "en"]).stdout
    assert "As of 2014-03-21: units 3, lagging 1" in every and "二单位" in every
    assert "对照检查材料 (1 days late)" in every
    detail = runner.invoke(app, [*args, "--unit", "u2"]).stdout
    assert "已并入上级整改方案" in detail and "晚 1 天" in detail


@functools.cache
def _sample_tree() -> Tree:
    return load_tree(SAMPLE)


@given(st.dates(min_value=date(2014, 1, 1), max_value=date(2015, 3, 1)))
@settings(max_examples=150, deadline=None)
def test_states_follow_their_definitions_on_any_day(as_of: date) -> None:
    """CLI.md's table of states, checked on the sample for any as-of date."""
    report = unit_status(_sample_tree(), as_of)
    warn = 7
    for unit in report.units:
        for action in unit.actions:
            due = action.planned.due.day
            if action.state in ("done", "late"):
                assert action.done is not None and action.done <= as_of
                assert (action.done <= due) == (action.state == "done")
            elif action.state == "overdue":
                assert action.done is None and as_of > due
                assert action.days_overdue == (as_of - due).days
            elif action.state == "due_soon":
                assert action.done is None and 0 <= (due - as_of).days <= warn
            elif action.state == "open":
                assert action.done is None and (due - as_of).days > warn
        assert unit.lagging == any(a.state == "overdue" for a in unit.actions)
        assert unit.days_overdue == max((a.days_overdue for a in unit.actions), default=0)
    order = [(not u.lagging, -u.days_overdue if u.lagging else 0) for u in report.units]
    assert order == sorted(order)


def test_long_names_are_folded_never_cut(tmp_path: Path) -> None:
    long_name = "对照检查材料经督导组审核并报市委教育实践活动领导小组办公室备案" * 3
    files = {**FILES, "campaign.yaml": FILES["campaign.yaml"].replace("对照检查材料", long_name)}
    root = write_tree(tmp_path / "tree", files)
    result = CliRunner().invoke(app, ["status", "--records", str(root), "--as-of", "2014-03-21"])
    assert "…" not in result.stdout
    joined = "".join(line.strip() for line in result.stdout.splitlines())
    assert long_name[:20] in joined and "备案对照检查材料" in joined


def test_a_day_far_outside_the_campaign_is_said_above_the_table() -> None:
    """A newcomer's first ``duchu status`` on the 2014 sample reads why every action is
    thousands of days overdue before the table that says so (README's quick start)."""
    result = CliRunner().invoke(app, ["status", "--records", str(SAMPLE), "--as-of", "2026-12-06"])
    assert result.exit_code == 0, result.output
    assert result.output.index("远在活动期间") < result.output.index("截至 2026年12月6日")
