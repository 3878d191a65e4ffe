"""The dashboard's trend and open findings (../shared/spec/CLI.md 1.2, ``duchu site``).

The trend is checked against the command line itself: for every weekly point, the rate a
group shows is what ``status --by group --known --as-of <that day> --format json`` gives
((on_time + late) / due), on a real git history whose commits carry their own committer
dates over several weeks -- with a group that arrives later, a commit whose tree has an
error (``--known`` refuses that day: no point), and a commit dated before its parent (the
first-parent walk, not the latest date, decides what was known).
"""

from __future__ import annotations

import json
import os
import re
import subprocess
from datetime import date, timedelta
from fractions import Fraction
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from typer.testing import CliRunner

from duchu.cli.app import app
from duchu.judge.asof import Provenance, open_as_of
from duchu.judge.site import judge_for_site
from duchu.judge.trend import Trend, commit_on, judge_trend, week_days
from duchu.render.words import percent
from tests.conftest import SAMPLE, copy_tree, write_tree

runner = CliRunner()

CAMPAIGN = """\
name: 趋势测试
year: 2014
meeting_kinds:
  visit: 督导检查
appraisal:
  ratings: [好, 较好, 一般, 差]
  positive: [好, 较好]
  negative: [差]
  flag_at: 0.2
phases:
  - id: study
    name: 学习教育
    start: 2014-02-10
    due: 2014-04-30
    actions:
      - {id: plan, name: 审定实施方案, due: 2014-02-20}
      - {id: learn, name: 专题学习, due: 2014-03-05}
      - {id: opinions, name: 征求意见, due: 2014-03-20}
      - {id: report, name: 报送督导报告, due: 2014-04-10, by: group}
"""


def unit(name: str, group: str, done: dict[str, str] | None = None) -> str:
    lines = [f"name: {name}", f"group: {group}"]
    if done:
        lines.append("done:")
        lines += [f"  {action}: {day}" for action, day in done.items()]
    return "\n".join(lines) + "\n"


# (committer date, files written before the commit): the office's history
HISTORY: list[tuple[str, dict[str, str]]] = [
    (
        "2014-02-12",
        {
            "campaign.yaml": CAMPAIGN,
            "groups/g1.yaml": "name: 第一督导组\n",
            "units/a.yaml": unit("甲单位", "g1"),
            "units/b.yaml": unit("乙单位", "g1"),
            "units/c.yaml": unit("丙单位", "g1"),
        },
    ),
    (
        "2014-02-21",
        {
            "units/a.yaml": unit("甲单位", "g1", {"plan": "2014-02-19"}),
            "units/b.yaml": unit("乙单位", "g1", {"plan": "2014-02-20"}),
        },
    ),
    (  # the second group arrives, one unit already late
        "2014-02-27",
        {
            "groups/g2.yaml": "name: 第二督导组\n",
            "units/d.yaml": unit("丁单位", "g2", {"plan": "2014-02-25"}),
            "units/e.yaml": unit("戊单位", "g2"),
        },
    ),
    (
        "2014-03-06",
        {
            "units/c.yaml": unit("丙单位", "g1", {"plan": "2014-03-01"}),
            "units/a.yaml": unit("甲单位", "g1", {"plan": "2014-02-19", "learn": "2014-03-04"}),
        },
    ),
    ("2014-03-13", {"units/e.yaml": unit("戊单位", "g9")}),  # an error: unknown group
    (
        "2014-03-19",
        {
            "units/e.yaml": unit("戊单位", "g2", {"plan": "2014-03-18"}),
            "units/b.yaml": unit("乙单位", "g1", {"plan": "2014-02-20", "learn": "2014-03-10"}),
        },
    ),
    (  # committed a day before its parent: the first-parent walk finds it first
        "2014-03-18",
        {"units/d.yaml": unit("丁单位", "g2", {"plan": "2014-02-25", "learn": "2014-03-15"})},
    ),
    (
        "2014-03-28",
        {
            "units/a.yaml": unit(
                "甲单位",
                "g1",
                {"plan": "2014-02-19", "learn": "2014-03-04", "opinions": "2014-03-27"},
            )
        },
    ),
]
AS_OF = "2014-04-01"


def git(root: Path, *args: str, day: str = "2014-02-12") -> str:
    when = f"{day}T10:00:00+08:00"
    env = {
        **os.environ,
        "GIT_AUTHOR_NAME": "周某",
        "GIT_AUTHOR_EMAIL": "z@example.cn",
        "GIT_COMMITTER_NAME": "周某",
        "GIT_COMMITTER_EMAIL": "z@example.cn",
        "GIT_AUTHOR_DATE": when,
        "GIT_COMMITTER_DATE": when,
    }
    done = subprocess.run(
        ["git", *args], cwd=root, env=env, check=True, capture_output=True, text=True
    )
    return done.stdout.strip()


@pytest.fixture(scope="module")
def history(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("trend") / "records"
    root.mkdir()
    git(root, "init", "-q")
    for day, files in HISTORY:
        write_tree(root, files)
        git(root, "add", "-A", day=day)
        git(root, "commit", "-qm", f"记录 {day}", day=day)
    return root


def by_group_known(root: Path, day: date) -> dict[str, Fraction | None] | None:
    """Each group's (on_time + late) / due as ``status --by group --known`` gives it that
    day; None when it refuses the day (the tree then had errors)."""
    result = runner.invoke(
        app,
        [
            "status",
            "--records",
            str(root),
            "--by",
            "group",
            "--known",
            "--as-of",
            day.isoformat(),
            "--format",
            "json",
        ],
    )
    if result.exit_code == 2:
        return None
    assert result.exit_code in (0, 1), result.output
    groups = json.loads(result.stdout)["groups"]
    return {
        g["id"]: Fraction(g["on_time"] + g["late"], g["due"]) if g["due"] else None for g in groups
    }


def trend_of(root: Path, as_of: str = AS_OF, **options: object) -> Trend:
    opened = open_as_of(root, as_of, known=False, use_cache=False)
    tree = opened.tree
    groups = [(gid, tree.groups[gid].name) for gid in tree.groups]
    return judge_trend(tree, opened.day, groups, use_cache=False, **options)  # type: ignore[arg-type]


def test_each_weekly_point_is_what_status_known_said_that_day(history: Path) -> None:
    trend = trend_of(history)
    assert trend.state == "drawn"
    assert trend.weeks == [date(2014, 2, 16) + timedelta(days=7 * k) for k in range(7)] + [
        date(2014, 4, 1)
    ]
    assert [line.id for line in trend.lines] == ["g1", "g2"]
    refused = 0
    for index, day in enumerate(trend.weeks):
        expected = by_group_known(history, day)
        for line in trend.lines:
            want = None if expected is None else expected.get(line.id)
            assert line.shares[index] == want, (day, line.id)
        refused += expected is None
    assert refused == 1  # the week whose commit had an error has no point
    g1, g2 = trend.lines
    assert g1.shares[0] is None  # nothing due in the first week
    assert g2.shares[1] is None  # the second group was not in the records yet
    assert any(s is not None and s < 1 for s in g1.shares)
    assert len({s for s in g1.shares if s is not None}) > 1  # the line moves


def test_the_commit_dated_before_its_parent_is_what_known_reads(history: Path) -> None:
    # on 2014-03-18 the newest commit on or before the day, walking back from HEAD, is the
    # one dated 03-18 -- which holds the 03-19 commit's changes too
    trend = trend_of(history, "2014-03-18")
    assert trend.weeks[-1] == date(2014, 3, 18)
    expected = by_group_known(history, date(2014, 3, 18))
    assert expected is not None
    assert [line.shares[-1] for line in trend.lines] == [expected["g1"], expected["g2"]]
    # 丁 and 戊 owe two actions each; 戊's plan, from the commit dated 03-19, counts: without
    # it the rate would be 2/4
    assert expected["g2"] == Fraction(3, 4)


def test_each_distinct_commit_is_loaded_once(
    history: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import duchu.judge.trend as trend_module
    import duchu.records.known as known

    monkeypatch.setattr(trend_module, "MAX_WORKERS", 1)  # counted in this process
    loaded: list[str] = []
    real = known.load_known_tree

    def counting(root: Path, commit: str, **kwargs: object) -> object:
        loaded.append(commit)
        return real(root, commit, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(known, "load_known_tree", counting)
    trend = trend_of(history)
    distinct = {c for c in trend.commits if c is not None}
    assert sorted(loaded) == sorted(distinct)
    assert len(distinct) < len(trend.weeks)  # weeks share commits (03-23 and 03-30)


def test_the_sites_known_tree_is_not_loaded_again(
    history: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import duchu.judge.trend as trend_module
    import duchu.records.known as known

    monkeypatch.setattr(trend_module, "MAX_WORKERS", 1)  # counted in this process
    opened = open_as_of(history, AS_OF, known=True, use_cache=False)
    loaded: list[str] = []
    real = known.load_known_tree

    def counting(root: Path, commit: str, **kwargs: object) -> object:
        loaded.append(commit)
        return real(root, commit, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(known, "load_known_tree", counting)
    tree = opened.tree
    trend = judge_trend(
        tree,
        opened.day,
        [(g, tree.groups[g].name) for g in tree.groups],
        known=(opened.known_commit or "", tree),
        use_cache=False,
    )
    assert opened.known_commit == trend.commits[-1]
    assert opened.known_commit not in loaded


def test_worker_processes_judge_as_this_one_does(
    history: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import duchu.judge.trend as trend_module
    import duchu.records.parallel as parallel

    monkeypatch.setattr(parallel, "usable_cores", lambda: 4)
    shared_out = trend_of(history)
    monkeypatch.setattr(trend_module, "MAX_WORKERS", 1)
    here = trend_of(history)
    assert shared_out == here


def test_one_groups_site_has_one_line(history: Path) -> None:
    trend = trend_of(history, group="g2")
    full = trend_of(history)
    assert [line.id for line in trend.lines if any(s is not None for s in line.shares)] == ["g2"]
    assert trend.lines[1].shares == full.lines[1].shares


@given(
    st.lists(st.integers(0, 60), min_size=1, max_size=25),
    st.lists(st.integers(-5, 70), min_size=1, max_size=12),
)
def test_commit_on_is_known_commits_walk(offsets: list[int], asked: list[int]) -> None:
    """``commit_on`` answers as ``known_commit`` walks: the first commit, newest first along
    the branch, committed on or before the day -- dates in any order."""
    first = date(2014, 2, 1)
    commits = [(f"c{i}", first + timedelta(days=o)) for i, o in enumerate(offsets)]
    days = [first + timedelta(days=o) for o in asked]
    walked = [next((c for c, d in commits if d <= day), None) for day in days]
    assert commit_on(commits, days) == walked


def test_week_days_run_from_the_start_to_the_as_of_date() -> None:
    start = date(2014, 2, 10)
    assert week_days(start, date(2014, 2, 9)) == []
    assert week_days(start, start) == [start]
    assert week_days(start, date(2014, 2, 16)) == [date(2014, 2, 16)]
    assert week_days(start, date(2014, 2, 17)) == [date(2014, 2, 16), date(2014, 2, 17)]


def site_of(root: Path, out: Path, *args: str) -> str:
    result = runner.invoke(
        app, ["site", "--records", str(root), "-o", str(out), "--as-of", AS_OF, *args]
    )
    assert result.exit_code == 0, result.output
    return (out / "index.html").read_text(encoding="utf-8")


def trend_table(page: str) -> list[list[str]]:
    found = re.search(r'<details class="trend-table">(.*?)</details>', page, re.S)
    assert found is not None
    rows = re.findall(r"<tr>(.*?)</tr>", found.group(1), re.S)
    return [re.findall(r"<t[dh][^>]*>(.*?)</t[dh]>", row, re.S) for row in rows]


@pytest.mark.parametrize("known", [False, True])
def test_the_overview_draws_the_trend_and_tables_its_numbers(
    history: Path, tmp_path: Path, known: bool
) -> None:
    page = site_of(history, tmp_path / "site", *(["--known"] if known else []))
    assert '<svg class="chart trend"' in page
    assert page.count('class="line"') >= 3  # the whole office and each group
    table = trend_table(page)
    assert table[0][1:] == ["全部督导组", "第一督导组", "第二督导组"]
    trend = trend_of(history)
    for index, row in enumerate(table[1:]):
        expected = [percent(line.shares[index]) for line in trend.lines]
        assert row[2:] == expected
    assert len(table) - 1 == len(trend.weeks)


def test_outside_git_the_overview_says_so(tmp_path: Path) -> None:
    records = copy_tree(SAMPLE, tmp_path / "records")
    page = site_of(records, tmp_path / "site")
    assert "记录不在 git 仓库中" in page
    assert "chart trend" not in page


def test_open_findings_on_the_overview_most_overdue_first(tmp_path: Path) -> None:
    records = copy_tree(SAMPLE, tmp_path / "records")
    opened = open_as_of(records, "2014-09-30", known=False, use_cache=False)
    data = judge_for_site(
        opened.tree,
        opened.day,
        lang="zh",
        git_facts=lambda: (Provenance(opened.day), None),
        use_cache=False,
    )
    found = data.open_findings
    assert found and all(f.state != "resolved" for f in found)
    assert [f.overdue_days for f in found] == sorted((f.overdue_days for f in found), reverse=True)
    every_open = [f for items in data.findings_of.values() for f in items if f.state != "resolved"]
    assert len(found) == len(every_open)
    out = tmp_path / "site"
    result = runner.invoke(
        app, ["site", "--records", str(records), "-o", str(out), "--as-of", "2014-09-30"]
    )
    assert result.exit_code == 0, result.output
    page = (out / "index.html").read_text(encoding="utf-8")
    section = page[page.index('id="open-findings"') :]
    first = found[0]
    assert first.finding.text in section
    shown_days = re.findall(r'<td class="num bad">(\d+)</td>', section)
    assert [int(d) for d in shown_days] == [f.overdue_days for f in found if f.overdue_days]


def test_a_clean_checkouts_tree_stands_for_head_and_a_changed_one_does_not(
    history: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import duchu.judge.trend as trend_module
    import duchu.records.known as known

    monkeypatch.setattr(trend_module, "MAX_WORKERS", 1)  # counted in this process
    head = git(history, "rev-parse", "HEAD")
    loaded: list[str] = []
    real = known.load_known_tree

    def counting(root: Path, commit: str, **kwargs: object) -> object:
        loaded.append(commit)
        return real(root, commit, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(known, "load_known_tree", counting)
    clean = site_of(history, tmp_path / "clean")
    assert loaded and head not in loaded  # the working tree, read once, is HEAD's
    # a change not committed: the trend is what the office knew, the committed records
    unit_file = history / "units" / "c.yaml"
    before = unit_file.read_text(encoding="utf-8")
    unit_file.write_text(
        unit(
            "丙单位", "g1", {"plan": "2014-03-01", "learn": "2014-03-02", "opinions": "2014-03-03"}
        ),
        encoding="utf-8",
    )
    try:
        loaded.clear()
        changed = site_of(history, tmp_path / "changed")
        assert head in loaded
    finally:
        unit_file.write_text(before, encoding="utf-8")
    assert trend_table(changed) == trend_table(clean)
    assert "另有未提交的修改" in changed


def test_the_line_chart_escapes_names_and_tells_lines_apart_without_colour() -> None:
    from duchu.render.site import charts

    hostile = "<script>alert(1)</script>组"
    svg = str(
        charts.line_chart(
            [
                charts.Series(hostile, [0.5, None, 1.0], ["50%", "—", "100%"], 0),
                charts.Series("乙", [None, 0.25, 0.75], ["—", "25%", "75%"], 1),
            ],
            ["2月16日", "2月23日", "3月2日"],
            label=hostile,
        )
    )
    assert "<script" not in svg and "&lt;script&gt;" in svg
    # a value of None breaks the line: the first series is two separate moves
    first = re.search(r'<g class="trend-s0">.*?<path class="line" d="([^"]+)"', svg)
    assert first is not None and first.group(1).count("M") == 2 and "L" not in first.group(1)
    # grey print: every drawn style differs from every other in its dash or its marker
    assert len(set(charts.LINE_STYLES)) == len(charts.LINE_STYLES)
    assert len({marker for _, marker in charts.LINE_STYLES}) == len(charts.LINE_STYLES)


def test_a_past_weeks_judgement_is_kept_and_not_made_again(
    history: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import duchu.judge.trend as trend_module
    import duchu.records.known as known

    monkeypatch.setattr(trend_module, "MAX_WORKERS", 1)  # counted in this process
    opened = open_as_of(history, AS_OF, known=False, use_cache=False)
    tree = opened.tree
    groups = [(g, tree.groups[g].name) for g in tree.groups]
    first = judge_trend(tree, opened.day, groups, use_cache=True)
    loaded: list[str] = []
    real = known.load_known_tree

    def counting(root: Path, commit: str, **kwargs: object) -> object:
        loaded.append(commit)
        return real(root, commit, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(known, "load_known_tree", counting)
    again = judge_trend(tree, opened.day, groups, use_cache=True)
    assert again == first and loaded == []  # the refused week is kept as refused, too
    # a later as-of date: only the commit standing on its new weeks is read again
    later = judge_trend(tree, date(2014, 4, 8), groups, use_cache=True)
    assert later.weeks[:-2] == first.weeks[:-1] and len(loaded) == 1
    assert later == trend_of(history, "2014-04-08")
    # the one group's site keeps its own
    loaded.clear()
    one = judge_trend(tree, opened.day, groups, group="g2", use_cache=True)
    assert loaded and one.lines[1].shares == first.lines[1].shares
