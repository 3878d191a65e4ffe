"""The office rollup of CLI.md 1.2 (``status --by group``): ``due`` with ``due_today`` and a
completion rate that never rises because a deadline came; 督查次数 by supervision kinds;
``last_report`` (work, not the roster), ``silent_days`` and ``late_reports`` from real git
history with chosen committer dates; the order by completion rate."""

from __future__ import annotations

import shutil
from datetime import date
from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from duchu.judge.asof import open_as_of
from duchu.judge.office import office_rollup
from duchu.judge.status import unit_status
from tests.conftest import SAMPLE, write_tree
from tests.test_office import by_group, git

needs_git = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")

CAMPAIGN = """\
name: 测试活动
year: 2014
report_within: 7
meeting_kinds:
  mobilization: 动员大会
  visit: {name: 督导检查, supervision: true}
phases:
  - id: study
    name: 学习教育
    start: 2014-02-10
    due: 2014-04-20
    actions:
      - {id: plan, name: 审定实施方案, due: 2014-03-10}
      - {id: opinions, name: 征求意见, due: 2014-04-10}
      - {id: group_report, name: 报送督导报告, due: 2014-04-20, by: group}
"""
GROUP_A = "name: 第一督导组\nleader: 甲组长\nmembers: [甲组长, 甲组员]\norder: 1\n"
GROUP_B = "name: 第二督导组\nleader: 乙组长\nmembers: [乙组长]\norder: 2\n"


def unit(name: str, group: str, extra: str = "") -> str:
    return f"name: {name}\ngroup: {group}\nleaders: [{name}书记]\n" + extra


def meeting(day: str, unit_id: str, kind: str, attended: str) -> str:
    return f"date: {day}\nunit: {unit_id}\nkind: {kind}\nattended_by: [{attended}]\n"


def rate(group: dict[str, object]) -> Fraction | None:
    due = group["due"]
    assert isinstance(due, int)
    done = group["on_time"] + group["late"]  # type: ignore[operator]
    return Fraction(done, due) if due else None


# --- due, due_today and the completion rate across a deadline -----------------------------


def deadline_tree(root: Path) -> Path:
    return write_tree(
        root,
        {
            "campaign.yaml": CAMPAIGN,
            "groups/ga.yaml": GROUP_A,
            "groups/gb.yaml": GROUP_B,
            "units/a1.yaml": unit("甲一局", "ga", "done: {plan: 2014-03-05}\n"),
            "units/a2.yaml": unit("甲二局", "ga"),
            "units/b1.yaml": unit("乙一局", "gb", "done: {plan: 2014-03-12}\n"),
        },
    )


def test_due_today_across_a_deadline(tmp_path: Path) -> None:
    root = deadline_tree(tmp_path / "t")
    before = by_group(root, "--as-of", "2014-03-09")["ga"]
    on = by_group(root, "--as-of", "2014-03-10")
    after = by_group(root, "--as-of", "2014-03-11")["ga"]
    # the day before: nothing due
    assert (before["due"], before["due_today"], rate(before)) == (0, 0, None)
    # the day itself: a1 done on time, a2 not yet -- due, but not overdue
    ga = on["ga"]
    assert (ga["due"], ga["on_time"], ga["late"], ga["overdue"], ga["due_today"]) == (2, 1, 0, 0, 1)
    assert rate(ga) == Fraction(1, 2) and ga["lagging"] == 0
    # b1's plan is not done by 3-10 (done 3-12): due today in gb
    gb = on["gb"]
    assert (gb["due"], gb["due_today"], gb["on_time"]) == (1, 1, 0) and rate(gb) == 0
    # the next day: overdue, the rate does not rise
    assert (after["due"], after["overdue"], after["due_today"]) == (2, 1, 0)
    assert rate(after) == Fraction(1, 2)
    # the unit's own state on its due day stays as the state table says (due soon)
    from typer.testing import CliRunner

    from duchu.cli.app import app

    result = CliRunner().invoke(
        app,
        ["status", "--format", "json", "--all", "--records", str(root), "--as-of", "2014-03-10"],
    )
    assert result.exit_code == 0, result.output
    import json

    a2 = next(u for u in json.loads(result.stdout)["units"] if u["id"] == "a2")
    assert next(a for a in a2["actions"] if a["id"] == "plan")["state"] == "due_soon"


@pytest.mark.parametrize("day", ["2014-02-27", "2014-02-28", "2014-03-01", "2014-04-10"])
def test_due_is_its_parts_on_the_sample(day: str) -> None:
    judged = open_as_of(SAMPLE, day, known=False, use_cache=False)
    office = office_rollup(judged.tree, unit_status(judged.tree, judged.day), None)
    for row in office.groups:
        assert row.due == row.on_time + row.late + row.overdue + row.due_today
        units_due_today = sum(
            1
            for u in row.units
            for a in u.actions
            if a.planned.due.day == judged.day and a.state in ("due_soon", "open")
        )
        assert row.due_today == units_due_today
    assert office.due_today == sum(r.due_today for r in office.groups)


# --- 督查次数 -----------------------------------------------------------------------------


def supervision_tree(root: Path, campaign: str) -> Path:
    return write_tree(
        root,
        {
            "campaign.yaml": campaign,
            "groups/ga.yaml": GROUP_A,
            "units/a1.yaml": unit("甲一局", "ga"),
            "units/a2.yaml": unit("甲二局", "ga"),
            "meetings/a1-mob.yaml": meeting("2014-02-20", "a1", "mobilization", "甲组长"),
            "meetings/a2-mob.yaml": meeting("2014-02-21", "a2", "mobilization", "甲组员"),
            "meetings/a1-visit.yaml": meeting("2014-03-01", "a1", "visit", "甲组长"),
            "meetings/a2-absent.yaml": "date: 2014-03-02\nunit: a2\nkind: visit\nattended_by: []\n",
        },
    )


def test_supervised_counts_only_supervision_kinds(tmp_path: Path) -> None:
    root = supervision_tree(tmp_path / "t", CAMPAIGN)
    ga = by_group(root, "--as-of", "2014-03-20")["ga"]
    assert ga["attended"] == 3
    assert ga["attended_by_kind"] == {"mobilization": 2, "visit": 1}
    assert ga["supervised"] == 1  # sitting in two 动员大会 is attendance, not 督查


def test_supervised_is_every_attended_meeting_when_no_kind_is_marked(tmp_path: Path) -> None:
    plain = CAMPAIGN.replace("{name: 督导检查, supervision: true}", "督导检查")
    root = supervision_tree(tmp_path / "t", plain)
    ga = by_group(root, "--as-of", "2014-03-20")["ga"]
    assert ga["attended"] == ga["supervised"] == 3


def test_visits_per_unit_follow_the_supervision_rule(tmp_path: Path) -> None:
    root = supervision_tree(tmp_path / "t", CAMPAIGN)
    judged = open_as_of(root, "2014-03-20", known=False, use_cache=False)
    office = office_rollup(judged.tree, unit_status(judged.tree, judged.day), None)
    (row,) = office.groups
    assert row.supervised == 1 and row.per_unit == Fraction(1, 2)
    assert office.supervised == 1


# --- last_report, silent_days, late_reports (real git) ------------------------------------


def commit_all(top: Path, when: str, message: str) -> None:
    git(top, "add", "--all")
    git(top, "commit", "--quiet", "--allow-empty", "-m", message, when=when)


@pytest.fixture(scope="module")
def reporting(tmp_path_factory: pytest.TempPathFactory) -> Path:
    top = tmp_path_factory.mktemp("reporting")
    git(top, "init", "--quiet", "--initial-branch=main")
    root = top / "records"
    write_tree(
        root,
        {
            "campaign.yaml": CAMPAIGN,
            "groups/ga.yaml": GROUP_A,
            "groups/gb.yaml": GROUP_B,
            "units/a1.yaml": unit("甲一局", "ga"),
            "units/b1.yaml": unit("乙一局", "gb"),
        },
    )
    commit_all(top, "2014-02-10T09:00:00+08:00", "名单")
    # ga reports a meeting 12 days after it was held (late), and later its plan's date
    write_tree(
        root, {"meetings/a1-mob.yaml": meeting("2014-02-18", "a1", "mobilization", "甲组长")}
    )
    commit_all(top, "2014-03-02T18:00:00+08:00", "动员大会")
    write_tree(root, {"units/a1.yaml": unit("甲一局", "ga", "done: {plan: 2014-03-05}\n")})
    commit_all(top, "2014-03-06T18:00:00+08:00", "方案")
    # the office's roster changes: names, leaders and order of both groups and units
    write_tree(
        root,
        {
            "units/a1.yaml": "name: 甲一局（新）\ngroup: ga\nleaders: [新书记]\n"
            "done: {plan: 2014-03-05}\n",
            "units/b1.yaml": "name: 乙一局（新）\ngroup: gb\nleaders: [新书记]\norder: 3\n",
            "groups/ga.yaml": GROUP_A.replace("order: 1", "order: 5"),
            "groups/gb.yaml": GROUP_B + "accounts: [yizu]\n",
        },
    )
    commit_all(top, "2014-03-15T18:00:00+08:00", "调整名单")
    # the meeting file moved into a sub-folder: it keeps the day it first arrived, and a
    # move is no report
    (root / "meetings" / "2014-02").mkdir()
    git(top, "mv", "records/meetings/a1-mob.yaml", "records/meetings/2014-02/a1-mob.yaml")
    commit_all(top, "2014-03-18T18:00:00+08:00", "整理")
    # gb's own done, in its group file: a report
    reported = GROUP_B + "accounts: [yizu]\ndone: {group_report: 2014-03-25}\n"
    write_tree(root, {"groups/gb.yaml": reported})
    commit_all(top, "2014-03-26T18:00:00+08:00", "乙组报送")
    return root


@needs_git
def test_last_report_is_work_not_the_roster(reporting: Path) -> None:
    rows = by_group(reporting, "--as-of", "2014-03-20")
    ga, gb = rows["ga"], rows["gb"]
    assert ga["last_report"] == "2014-03-06"  # not the roster commit of 3-15, not the move
    assert ga["silent_days"] == 14
    assert ga["last_change"] == "2014-03-18"  # 1.1's field stays as it was
    assert gb["last_report"] is None  # only roster commits
    assert gb["silent_days"] == (date(2014, 3, 20) - date(2014, 2, 10)).days
    later = by_group(reporting, "--as-of", "2014-03-30")["gb"]
    assert later["last_report"] == "2014-03-26" and later["silent_days"] == 4


@needs_git
def test_late_reports_keep_the_day_a_moved_meeting_first_arrived(reporting: Path) -> None:
    for day in ("2014-03-10", "2014-03-20"):  # before and after the move
        ga = by_group(reporting, "--as-of", day)["ga"]
        assert ga["late_reports"] == 1
        assert ga["report_delay_days"] == {"median": 12, "max": 12}
    gb = by_group(reporting, "--as-of", "2014-03-20")["gb"]
    assert gb["late_reports"] == 0


@needs_git
def test_before_the_first_report_silence_counts_from_the_campaign_start(reporting: Path) -> None:
    ga = by_group(reporting, "--as-of", "2014-02-25")["ga"]
    assert ga["last_report"] is None and ga["silent_days"] == 15 and ga["late_reports"] == 0


def test_outside_git_the_reporting_fields_are_null(tmp_path: Path) -> None:
    root = deadline_tree(tmp_path / "t")
    ga = by_group(root, "--as-of", "2014-03-20")["ga"]
    assert (ga["last_report"], ga["silent_days"], ga["late_reports"]) == (None, None, None)


# --- the order -----------------------------------------------------------------------------


def test_order_is_completion_rate_lowest_first(tmp_path: Path) -> None:
    campaign = CAMPAIGN.replace("due: 2014-04-10}", "due: 2014-03-20}")
    root = write_tree(
        tmp_path / "t",
        {
            "campaign.yaml": campaign,
            # gp: its one unit lags (share 1), half its work done
            "groups/gp.yaml": "name: 甲组\nleader: 甲\norder: 1\n",
            "units/p1.yaml": unit("P一局", "gp", "done: {opinions: 2014-03-01}\n"),
            # gq: one of two units lags (share 1/2), a quarter done
            "groups/gq.yaml": "name: 乙组\nleader: 乙\norder: 2\n",
            "units/q1.yaml": unit("Q一局", "gq"),
            "units/q2.yaml": unit("Q二局", "gq", "done: {plan: 2014-03-01}\n"),
            # gr: no units, nothing due: last, whatever its order
            "groups/gr.yaml": "name: 丙组\nleader: 丙\norder: 0\n",
        },
    )
    rows = by_group(root, "--as-of", "2014-03-20")
    # 3-20: plan (3-10) overdue where not done; opinions due today everywhere
    assert rate(rows["gp"]) == Fraction(1, 2) and rows["gp"]["lagging"] == 1
    assert rate(rows["gq"]) == Fraction(1, 4) and rows["gq"]["lagging"] == 1
    assert rows["_order"] == ["gq", "gp", "gr"]


def test_equal_rates_fall_back_to_the_lagging_share(tmp_path: Path) -> None:
    root = write_tree(
        tmp_path / "t",
        {
            "campaign.yaml": CAMPAIGN,
            "groups/gp.yaml": "name: 甲组\nleader: 甲\norder: 1\n",
            "units/p1.yaml": unit("P一局", "gp", "done: {plan: 2014-03-01}\n"),
            "units/p2.yaml": unit("P二局", "gp", "done: {plan: 2014-03-01}\n"),
            "groups/gq.yaml": "name: 乙组\nleader: 乙\norder: 2\n",
            "units/q1.yaml": unit("Q一局", "gq", "done: {plan: 2014-03-01}\n"),
        },
    )
    rows = by_group(root, "--as-of", "2014-03-20")
    assert rows["_order"] == ["gp", "gq"]  # equal rates (1), no lagging: order


# --- which changes of a unit's or group's file are reports ---------------------------------

ROSTER = "name: 甲一局\ngroup: ga\nleaders: [甲书记]\n"


@pytest.mark.parametrize(
    ("old", "new", "report"),
    [
        (ROSTER, ROSTER.replace("甲书记", "乙书记"), False),  # leaders
        (
            ROSTER + "done: {plan: 2014-03-05}\n",
            "order: 3\n" + ROSTER + "done:\n  plan: 2014-03-05\n",
            False,
        ),
        (ROSTER, ROSTER + "done: {plan: 2014-03-05}\n", True),
        (ROSTER, ROSTER + "waived:\n  plan: {reason: 合并}\n", True),
        (ROSTER, ROSTER + "findings:\n- {id: f1, text: 问题, found: 2014-03-01}\n", True),
        (ROSTER + "done: {plan: 2014-03-05}\n", ROSTER + "done: {plan: 2014-03-06}\n", True),
        (ROSTER + "done:  # 尚无\n", ROSTER + "done: {}\n", False),
        (None, ROSTER, False),  # a new unit without work
        (None, ROSTER + "done: {}\n", False),
        (None, ROSTER + "done:\n  plan: 2014-03-05\n", True),
        (None, ROSTER + "findings:\n- id: f1\n", True),
        (ROSTER + "done: {plan: 2014-03-05}\n", None, False),  # removed from the roster
        (ROSTER + "done:\n\tplan: 2014-03-05\n", ROSTER + "done:\n\tplan: 2014-03-06\n", True),
    ],
)
def test_which_changes_are_reports(old: str | None, new: str | None, report: bool) -> None:
    from duchu.records.reports import WorkReports

    rule = WorkReports()
    assert rule.read("units/a.yaml") and rule.read("groups/g.yaml")
    assert not rule.read("meetings/2014-03/a.yaml")
    encoded = [None if text is None else text.encode() for text in (old, new)]
    assert rule.reports("units/a.yaml", *encoded) is report


WORK_VALUES = st.sampled_from([{}, {"plan": "2014-03-05"}, {"plan": "2014-03-06"}, [{"id": "f1"}]])
WORK_BLOCKS = st.dictionaries(st.sampled_from(["done", "waived", "findings"]), WORK_VALUES)
ROSTER_KEYS = st.dictionaries(st.sampled_from(["order", "short", "category"]), st.integers(0, 3))


@given(
    old_work=WORK_BLOCKS,
    new_work=WORK_BLOCKS,
    old_roster=ROSTER_KEYS,
    new_roster=ROSTER_KEYS,
    flows=st.tuples(st.booleans(), st.booleans()),
    added=st.booleans(),
)
@settings(max_examples=300, deadline=None)
def test_reports_agree_with_what_yaml_reads(
    old_work: dict[str, Any],
    new_work: dict[str, Any],
    old_roster: dict[str, Any],
    new_roster: dict[str, Any],
    flows: tuple[bool, bool],
    added: bool,
) -> None:
    """However a file is spelled (block or flow style, keys in any order), a change is a
    report exactly when what YAML reads of its work changed."""
    import yaml

    from duchu.records.reports import WORK_KEYS, WorkReports

    def spelled(roster: dict[str, Any], work: dict[str, Any], flow: bool) -> bytes:
        record = {"name": "甲一局", "group": "ga", **roster, **work}
        return yaml.safe_dump(record, allow_unicode=True, default_flow_style=flow).encode()

    old = None if added else spelled(old_roster, old_work, flows[0])
    new = spelled(new_roster, new_work, flows[1])

    def work_of(data: dict[str, Any] | None) -> tuple[Any, ...]:
        return tuple((data or {}).get(k) or None for k in WORK_KEYS)  # empty: no work

    if old is None:
        expected = any(work_of(yaml.safe_load(new)))
    else:
        expected = work_of(yaml.safe_load(old)) != work_of(yaml.safe_load(new))
    assert WorkReports().reports("units/a.yaml", old, new) is expected


def test_on_a_deadline_the_circular_counts_what_is_due_that_day(tmp_path: Path) -> None:
    """2014-02-28 is the sample's 动员大会 deadline: 2 actions due that day are not done yet.
    They are due (the rate is not 100%), and the circular does not say all is done on time."""
    from typer.testing import CliRunner

    from duchu.cli.app import app
    from tests.conftest import copy_tree

    root = copy_tree(SAMPLE, tmp_path / "records")
    rows = by_group(root, "--as-of", "2014-02-28")["_doc"]["groups"]  # type: ignore[index]
    due_today = sum(g["due_today"] for g in rows)
    assert due_today == 2
    result = CliRunner().invoke(
        app, ["report", "--phase", "study", "--as-of", "2014-02-28", "--records", str(root)]
    )
    assert result.exit_code == 0, result.output
    main = result.stdout.split("附件")[0]
    assert f"当日到期尚未完成{due_today}项" in main
    assert "均按时完成" not in main
    due = sum(g["due"] for g in rows)
    done = sum(g["on_time"] + g["late"] for g in rows)
    assert f"已到期的规定动作共{due}项，已完成{done}项" in main
