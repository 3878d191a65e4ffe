"""The circular as an office writes a 通报 (CLI.md 1.2 "What an office signs"): golden
circulars of the sample before, on and after the deadline of 2014-02-28 (审定实施方案,
召开动员大会); its numbers are the JSON's of ``status --by group`` for the same day; it
never claims that nothing lags while a unit lags or an action is due that day; it never
explains its own order; its main text fits four pages of 22 lines of 28 characters."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import tempfile
from datetime import date, timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from duchu.cli.app import app
from tests.conftest import SAMPLE, copy_tree, write_tree
from tests.test_one_judgement import DAYS, FIRST_DAY, trees

GOLDEN = Path(__file__).parent / "golden"
runner = CliRunner()
DATES = {"before": "2014-02-27", "on": "2014-02-28", "after": "2014-03-01"}
PAGE = 22 * 28  # characters of a page of the grid (GB/T 9704 5.2.3)


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return copy_tree(SAMPLE, tmp_path_factory.mktemp("sample") / "records")


def _circular(root: Path, day: str) -> str:
    result = runner.invoke(app, ["report", "--records", str(root), "--phase", "study",
                                 "--as-of", day])  # fmt: skip
    assert result.exit_code == 0, result.output
    return result.stdout


def _by_group(root: Path, day: str) -> dict[str, object]:
    result = runner.invoke(
        app,
        ["status", "--records", str(root), "--by", "group", "--phase", "study",
         "--as-of", day, "--format", "json"],
    )  # fmt: skip
    assert result.exit_code in (0, 1), result.output
    data: dict[str, object] = json.loads(result.stdout)
    return data


def _main_text(circular: str) -> str:
    return circular.split("附件：")[0]


@pytest.mark.parametrize("when", sorted(DATES))
def test_golden_circulars_before_on_and_after_a_deadline(sample: Path, when: str) -> None:
    golden = GOLDEN / f"circular-study-{when}.md"
    assert _circular(sample, DATES[when]) == golden.read_text(encoding="utf-8")


def test_on_the_deadline_nothing_is_called_done(sample: Path) -> None:
    whole = _circular(sample, DATES["on"])
    text = _main_text(whole)
    assert "当日到期尚未完成2项" in text
    # 市委第三督导组's two actions due today are no lag: it is not named lowest in 三
    problems = text.split("## 三、")[1]
    assert "完成率最低" not in problems and "市委第三督导组规定动作" not in problems
    # nowhere, 附件 included
    assert "均按时完成" not in whole and "没有滞后" not in whole


def _half_up_tenths(done: int, due: int) -> int:
    """done/due in tenths of a percent, half up (81.25% is 81.3%): floor(x + 1/2)."""
    return (2000 * done + due) // (2 * due)


def _numbers_agree(text: str, data: dict[str, object]) -> None:
    groups = data["groups"]
    assert isinstance(groups, list)
    due = sum(g["due"] for g in groups)
    done = sum(g["on_time"] + g["late"] for g in groups)
    lagging = sum(g["lagging"] for g in groups)
    main = _main_text(text)
    if due:
        said = re.search(r"已到期的规定动作共(\d+)项，已完成(\d+)项", main)
        assert said is not None
        assert (int(said[1]), int(said[2])) == (due, done)
        rate = f"{_half_up_tenths(done, due) / 10:.1f}%"
        assert f"完成率{rate}" in main
    units = sum(g["units"] for g in groups)
    if lagging and lagging < units:
        assert f"{lagging}个单位有逾期未完成的规定动作" in main
    elif lagging:
        assert f"{units}个单位都有逾期未完成的规定动作" in main
    today = sum(g["due_today"] for g in groups)
    if lagging or today:
        assert "均按时完成" not in text and "没有滞后" not in text
        assert "没有需要通报的问题" not in main or not lagging
    # a group is named lowest in completion (三) only with an action overdue: one whose
    # rate is lowered by actions due that very day alone is not lagging (1.2)
    lowest = re.search(r"）工作进展不平衡。([^。\n]*)规定动作完成率最低", main)
    if lowest is not None:
        overdue = {g["name"]: g["overdue"] for g in groups}
        for name in lowest[1].split("、"):
            assert overdue[name] > 0, name
    # 附件1: one row a group, its numbers the JSON's
    table = text.split("# 各督导组工作进展情况表")[1].split("注：")[0]
    lines = [line for line in table.splitlines() if line.startswith("| ")][1:]  # no header
    rows = {
        line.split("|")[1].strip(): [c.strip() for c in line.split("|")[2:-1]] for line in lines
    }
    for g in groups:
        cells = rows[g["name"]]
        assert cells[:5] == [str(g["units"]), str(g["lagging"]), str(g["due"]),
                             str(g["on_time"] + g["late"]),
                             f"{_half_up_tenths(g['on_time'] + g['late'], g['due']) / 10:.1f}%"
                             if g["due"] else "—"]  # fmt: skip
        assert cells[5] == str(g["supervised"])


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(day=st.dates(min_value=date(2014, 2, 10), max_value=date(2014, 5, 10)))
def test_every_number_is_the_jsons(sample: Path, day: date) -> None:
    text = _circular(sample, str(day))
    _numbers_agree(text, _by_group(sample, str(day)))


@pytest.mark.parametrize("day", ["2014-02-20", "2014-02-28", "2014-03-01", "2014-04-20",
                                 "2014-04-25", "2014-06-20"])  # fmt: skip
def test_main_text_fits_four_pages_and_never_explains_its_order(sample: Path, day: str) -> None:
    text = _circular(sample, day)
    main = _main_text(text)
    assert len(re.sub(r"\s|#", "", main)) <= 4 * PAGE
    for words in ("排列", "中位数", "按滞后单位"):
        assert words not in text


@settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(files=trees(), offset=st.integers(0, DAYS + 10), phase=st.sampled_from(["first", "last"]))
def test_generated_trees_circular_numbers_are_the_jsons(
    files: dict[str, str], offset: int, phase: str
) -> None:
    """Small generated trees (two groups, meetings of one unit, several or a group, actions
    done on any day) on any day, in either phase: the circular's totals, its lagging count
    and 附件1's rows are the JSON's of ``status --by group --phase`` for that day, and it
    never says nothing lags while a unit lags or an action is due that day."""
    day = (FIRST_DAY + timedelta(days=offset)).isoformat()
    with tempfile.TemporaryDirectory() as folder:
        root = write_tree(Path(folder) / "tree", files)
        result = runner.invoke(
            app, ["report", "--records", str(root), "--phase", phase, "--as-of", day]
        )
        assert result.exit_code == 0, result.output
        status = runner.invoke(
            app,
            ["status", "--records", str(root), "--by", "group", "--phase", phase,
             "--as-of", day, "--format", "json"],
        )  # fmt: skip
        data = json.loads(status.stdout)
        _numbers_agree(result.stdout, data)
        main = _main_text(result.stdout)
        assert len(re.sub(r"\s|#", "", main)) <= 4 * PAGE


def test_order_breaches_overdue_findings_and_lagging_units_are_named(tmp_path: Path) -> None:
    """市教育局's plan approved on 2-25, after its 动员大会 of 2-20 (``after: [plan]``): the
    circular names the breach in 三; a finding past its deadline is named with its days."""
    root = copy_tree(SAMPLE, tmp_path / "records")
    unit = root / "units" / "jiaoyu.yaml"
    text = unit.read_text(encoding="utf-8")
    text = text.replace("plan: {date: 2014-02-17,", "plan: {date: 2014-02-25,")
    text = text.replace(
        "findings:\n",
        "findings:\n  - {id: notes, text: 学习笔记不全, found: 2014-03-05, due: 2014-03-15}\n",
    )
    unit.write_text(text, encoding="utf-8")
    circular = _circular(root, "2014-03-20")
    main = _main_text(circular)
    assert "个别环节程序不规范。市教育局在“审定实施方案和动员讲话稿”之前召开动员大会" in main
    assert "市教育局“学习笔记不全”已超过整改时限5天" in main
    _numbers_agree(circular, _by_group(root, "2014-03-20"))


@pytest.mark.skipif(shutil.which("git") is None, reason="git not installed")
def test_silent_groups_are_named_with_their_days(tmp_path: Path) -> None:
    """Every record committed on 2014-02-15 and nothing since: on 3-20 each group has been
    silent 33 days, over report_within (7), and the circular names each with its days."""
    root = copy_tree(SAMPLE, tmp_path / "records")
    when = {"GIT_COMMITTER_DATE": "2014-02-15T10:00:00", "GIT_AUTHOR_DATE": "2014-02-15T10:00:00"}
    env = {**os.environ, **when, "GIT_CONFIG_GLOBAL": os.devnull}
    for args in (["init", "-q"], ["add", "-A"], ["-c", "user.name=t", "-c", "user.email=t@t",
                                                 "commit", "-qm", "all"]):  # fmt: skip
        subprocess.run(["git", *args], cwd=root, env=env, check=True)
    data = _by_group(root, "2014-03-20")
    days = {g["name"]: g["silent_days"] for g in data["groups"]}  # type: ignore[union-attr]
    main = _main_text(_circular(root, "2014-03-20"))
    assert "上报信息不够及时" in main
    said = re.search(r"（[一二三四五六七八九十]+）上报信息不够及时。([^\n]*)", main)
    assert said is not None
    for name, silent in days.items():
        assert silent == 33
        assert name in said[1]
    # groups silent as long are named in one clause, with the day they last reported
    assert said[1].endswith("自2月15日以来已33天未报送督导信息。")


@pytest.mark.skipif(
    shutil.which("soffice") is None or shutil.which("pdftotext") is None,
    reason="LibreOffice (soffice) or poppler (pdftotext) not installed",
)
def test_rendered_main_text_is_four_pages_at_most(sample: Path, tmp_path: Path) -> None:
    """The DOCX through LibreOffice: the pages before 附件1, 版头 included, are four or fewer."""
    out = tmp_path / "c.docx"
    result = runner.invoke(
        app,
        ["report", "--records", str(sample), "--phase", "study", "--as-of", "2014-04-20",
         "--number", "3", "-o", str(out)],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    subprocess.run(
        ["soffice", "--headless", "--convert-to", "pdf", "--outdir", str(tmp_path), str(out)],
        check=True, capture_output=True, timeout=300,
    )  # fmt: skip
    text = subprocess.run(
        ["pdftotext", str(tmp_path / "c.pdf"), "-"], check=True, capture_output=True, text=True
    ).stdout
    pages = [page.replace(" ", "") for page in text.split("\f")]
    first_attachment = next(i for i, page in enumerate(pages) if page.lstrip().startswith("附件1"))
    assert first_attachment <= 4


def _practice(circular: str) -> str:
    return circular.split("## 二、")[1].split("## 三、")[0]


@pytest.mark.parametrize("phase", ["study", "criticism"])
def test_good_practice_quotes_no_note_of_a_problem_found(sample: Path, phase: str) -> None:
    """二、做法和成效 quotes a visit's notes only when that visit found no problem: not
    市水利局's of 5-06 (a finding found that day: 以传达文件代替专题学习) nor 市环保局's
    democratic life meeting of 6-05 (held before its materials were approved: a breach)."""
    result = runner.invoke(app, ["report", "--records", str(sample), "--phase", phase,
                                 "--as-of", "2014-06-30"])  # fmt: skip
    assert result.exit_code == 0, result.output
    practice = _practice(result.stdout)
    assert "以传达文件代替" not in practice
    assert "尚未审核通过即召开" not in practice
    assert "督导组" in practice  # some group's practice is still quoted


@pytest.mark.parametrize(
    ("added", "quoted"),
    [
        # a finding found on the day of the visit whose notes were quoted
        ("findings:\n  - {text: 民主生活会准备不足, found: 2014-06-06}\n", False),
        # a finding found on another day changes nothing
        ("findings:\n  - {text: 民主生活会准备不足, found: 2014-06-20}\n", True),
    ],
)
def test_a_problem_found_that_day_withdraws_the_note(
    tmp_path: Path, added: str, quoted: bool
) -> None:
    root = copy_tree(SAMPLE, tmp_path / "records")
    note = "市委第二督导组在6月6日市政府办专题民主生活会上，批评和自我批评开展得比较认真"
    assert note in _practice(_circular_of(root, "criticism", "2014-06-30"))
    unit = root / "units" / "zhengfuban.yaml"
    text = unit.read_text(encoding="utf-8").replace("findings:\n", added, 1)
    unit.write_text(text, encoding="utf-8")
    assert (note in _practice(_circular_of(root, "criticism", "2014-06-30"))) is quoted


def _circular_of(root: Path, phase: str, day: str) -> str:
    result = runner.invoke(app, ["report", "--records", str(root), "--phase", phase,
                                 "--as-of", day])  # fmt: skip
    assert result.exit_code == 0, result.output
    return result.stdout
