"""A campaign across a year end (RECORDS.md 1.2, "Dates and deadlines"): ``year`` is the year
it starts in, and a ten-day phrase or a date without a year falls in the first year in
which its period ends on or after the campaign's first start."""

from __future__ import annotations

import calendar
from datetime import date, timedelta
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st
from typer.testing import CliRunner

from duchu.cli.app import app
from duchu.judge.status import status_json, unit_status
from duchu.records.dates import Calendar, campaign_calendar, parse_date, parse_deadline
from duchu.records.load import load_tree
from tests.conftest import write_tree

PERIODS = {"初": (1, 5), "上旬": (1, 10), "中旬": (11, 20), "下旬": (21, None), "底": (21, None)}


def period(year: int, month: int, name: str) -> tuple[date, date]:
    first, last = PERIODS[name]
    return date(year, month, first), date(year, month, last or calendar.monthrange(year, month)[1])


@given(
    start=st.dates(min_value=date(1950, 1, 1), max_value=date(2900, 12, 31)),
    month=st.integers(1, 12),
    name=st.sampled_from(sorted(PERIODS)),
)
def test_a_phrase_falls_in_the_first_year_its_period_ends_after_the_start(
    start: date, month: int, name: str
) -> None:
    cal = Calendar(start.year, start)
    due = parse_deadline(f"{month}月{name}", cal).day
    begins = parse_deadline(f"{month}月{name}", cal, "start").day
    first, last = period(due.year, month, name)
    assert (begins, due) == (first, last)  # the same period, read as a start or as a due
    assert due >= start  # it ends on or after the campaign's first start ...
    assert period(due.year - 1, month, name)[1] < start  # ... and a year earlier it did not
    # a phrase with its own year is that year's, whatever the calendar
    assert parse_deadline(f"{start.year + 3}年{month}月{name}", cal).day.year == start.year + 3


@given(
    start=st.dates(min_value=date(1950, 1, 1), max_value=date(2900, 12, 31)),
    day=st.dates(min_value=date(1950, 1, 1), max_value=date(2900, 12, 31)),
)
def test_a_date_without_a_year_is_the_first_such_day_on_or_after_the_start(
    start: date, day: date
) -> None:
    if (day.month, day.day) == (2, 29):
        day -= timedelta(days=1)
    read = parse_date(f"{day.month}月{day.day}日", Calendar(start.year, start))
    assert (read.month, read.day) == (day.month, day.day)
    assert read >= start
    assert read.year - 1 < start.year or read.replace(year=read.year - 1) < start


def test_the_calendar_is_the_first_phase_start_read_in_the_year() -> None:
    assert campaign_calendar(2014, (None, "9月中旬", "1月上旬")) == Calendar(
        2014, date(2014, 9, 11)
    )
    assert campaign_calendar(2014, ("2014-09-15", "1月上旬")) == Calendar(2014, date(2014, 9, 15))
    assert campaign_calendar(2014, (None, None)) == Calendar(2014)  # every phrase in 2014
    assert campaign_calendar(2014, ("13月上旬",)) == Calendar(2014)  # check reports that one
    assert parse_deadline("1月上旬", Calendar(2014)).day == date(2014, 1, 10)
    # the spec's example: a campaign starting 2014-09-15 reads 1月上旬 as 2015-01-10
    cal = campaign_calendar(2014, ("2014-09-15",))
    assert parse_deadline("1月上旬", cal).day == date(2015, 1, 10)
    assert parse_deadline("9月下旬", cal).day == date(2014, 9, 30)
    assert parse_deadline("9月上旬", cal).day == date(2015, 9, 10)  # ended before the start
    assert parse_date("2月28日", cal) == date(2015, 2, 28)
    assert parse_date("12月31日", cal) == date(2014, 12, 31)


CAMPAIGN = """\
name: 测试活动
year: 2014
meeting_kinds:
  dl: 专题民主生活会
phases:
  - id: p1
    name: 学习教育
    start: 2014-09-15
    due: 12月底
    actions:
      - {id: a1, name: 实施方案, due: 10月上旬}
      - {id: a2, name: 民主生活会, due: 12月中旬, meeting: dl}
  - id: p2
    name: 整改落实
    start: 1月上旬
    due: 2月下旬
    actions:
      - {id: a3, name: 整改方案, due: 1月中旬}
      - {id: a4, name: 整改报告, due: 2月28日}
"""

FILES = {
    "campaign.yaml": CAMPAIGN,
    "groups/g.yaml": "name: 第一督导组\nleader: 张某\nmembers: [张某]\n",
    "units/u1.yaml": "name: 一单位\ngroup: g\nleaders: [{name: 王某}]\n"
    "done:\n  a1: 2014-10-08\n  a3: 1月12日\n",
    "units/u2.yaml": "name: 二单位\ngroup: g\nleaders: [{name: 李某}]\n",
    "meetings/u1-dl.yaml": "date: 12月16日\nunit: u1\nkind: dl\n",
}


def states(tree_root: Path, day: date) -> dict[str, dict[str, tuple[str, str | None]]]:
    data = status_json(unit_status(load_tree(tree_root), day))
    return {
        unit["id"]: {a["id"]: (a["state"], a["done"]) for a in unit["actions"]}
        for unit in data["units"]  # type: ignore[attr-defined]
    }


def test_a_year_end_campaign_is_clean_and_judged_in_both_years(tmp_path: Path) -> None:
    root = write_tree(tmp_path / "tree", FILES)
    assert load_tree(root).problems == []
    autumn = states(root, date(2014, 12, 1))
    # 1月中旬 and 2月28日 are 2015's: open in December 2014, never 300 days overdue
    assert autumn == {
        "u1": {"a1": ("done", "2014-10-08"), "a2": ("open", None), "a3": ("open", None),
               "a4": ("open", None)},
        "u2": {"a1": ("overdue", None), "a2": ("open", None), "a3": ("open", None),
               "a4": ("open", None)},
    }  # fmt: skip
    winter = states(root, date(2015, 1, 25))
    assert winter["u1"] == {
        "a1": ("done", "2014-10-08"),
        "a2": ("done", "2014-12-16"),  # the meeting of 12月16日 is 2014's
        "a3": ("done", "2015-01-12"),  # 1月12日 is 2015's, on time
        "a4": ("open", None),  # 2月28日: 2015-02-28
    }
    assert winter["u2"]["a3"] == ("overdue", None)  # 1月中旬: by 2015-01-20
    assert winter["u2"]["a4"] == ("open", None)
    assert states(root, date(2015, 3, 1))["u2"]["a4"] == ("overdue", None)


def test_check_reports_an_action_due_before_its_phase_starts(tmp_path: Path) -> None:
    files = dict(FILES, **{"campaign.yaml": CAMPAIGN.replace("due: 1月中旬", "due: 12月中旬")})
    root = write_tree(tmp_path / "tree", files)
    found = [(p.path, p.line, p.column, p.code) for p in load_tree(root).problems]
    # 12月中旬 read by the calendar is 2014-12-20, before p2 starts on 2015-01-01
    assert found == [("campaign.yaml", 18, 35, "due-before-start")]
    for lang, words in (
        ("zh", "早于所在环节的开始日期 1月上旬"),
        ("en", "before its phase starts"),
    ):
        result = CliRunner().invoke(app, ["check", "--records", str(root), "--lang", lang])
        assert result.exit_code != 0
        assert words in result.output
