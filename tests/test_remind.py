"""``duchu remind`` and notice records (RECORDS.md 1.2 Notices, CLI.md 1.2 duchu remind): one
unit action escalating blue, yellow, red across dates with ``--write`` in between; ``--write``
twice writes nothing new; the 督办通知单 as golden text; a property that a notice is due
exactly when the rule says; the notice in ``status``, the summaries and the site."""

from __future__ import annotations

import json
import shutil
from datetime import date, timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from duchu.cli.app import app
from duchu.records.load import load_tree
from tests.conftest import SAMPLE, copy_tree, write_tree

runner = CliRunner()
GOLDEN = Path(__file__).parent / "golden"

CAMPAIGN = """\
name: 测试活动
year: 2014
warn_days: 5
notices:
  levels: {blue: 提醒, yellow: 督办, red: 挂牌督办}
  blue_days: 3
  red_days: 7
meeting_kinds:
  mobilization: {name: 动员大会, appraisal: true}
appraisal:
  ratings: [好, 较好, 一般, 差]
  positive: [好, 较好]
  negative: [差]
  flag_at: 0.2
phases:
  - id: p1
    name: 学习教育
    start: 2014-03-01
    due: 2014-04-30
    actions:
      - id: study
        name: 中心组专题学习
        due: 2014-03-20
      - id: later
        name: 征求意见
        due: 2014-04-30
"""


def small_tree(root: Path, unit_done: str = "") -> Path:
    return write_tree(
        root,
        {
            "campaign.yaml": CAMPAIGN,
            "groups/g1.yaml": "name: 第一督导组\nleader: 张某\nmembers: [张某]\n",
            "units/u1.yaml": "name: 甲单位\nshort: 甲\ngroup: g1\n"
            "leaders:\n  - {name: 王某, post: 书记}\n" + unit_done,
        },
    )


def remind(root: Path, day: str, *more: str) -> dict[str, object]:
    result = runner.invoke(
        app, ["remind", "--records", str(root), "--as-of", day, "--format", "json", *more]
    )
    assert result.exit_code == 0, result.output
    data: dict[str, object] = json.loads(result.stdout)
    return data


def grades(data: dict[str, object]) -> list[tuple[str, str, tuple[str, ...], str, int]]:
    notices = data["notices"]
    assert isinstance(notices, list)
    return [(n["unit"], n["level"], tuple(n["actions"]), n["reason"], n["days"]) for n in notices]


def notice_files(root: Path) -> list[str]:
    return sorted(p.relative_to(root).as_posix() for p in (root / "notices").rglob("*.yaml"))


# --- the escalation timeline ---------------------------------------------------------------


def test_one_action_escalates_blue_yellow_red_and_stops_once_done(tmp_path: Path) -> None:
    root = small_tree(tmp_path / "t")
    assert grades(remind(root, "2014-03-16")) == []  # 4 days left: not yet (blue_days 3)
    assert grades(remind(root, "2014-03-17", "--write")) == [
        ("u1", "blue", ("study",), "due_soon", 3)
    ]
    assert notice_files(root) == ["notices/2014-03/u1-blue.yaml"]
    assert grades(remind(root, "2014-03-20")) == []  # blue given; due today is not overdue
    assert grades(remind(root, "2014-03-21", "--write")) == [
        ("u1", "yellow", ("study",), "overdue", 1)
    ]
    data = remind(root, "2014-03-27")  # six days after the yellow: not yet red
    assert grades(data) == []
    data = remind(root, "2014-03-28", "--write")
    assert grades(data) == [("u1", "red", ("study",), "unheeded", 7)]
    notices = data["notices"]
    assert isinstance(notices, list)
    assert notices[0]["previous"] == {
        "id": "2014-03/u1-yellow",
        "level": "yellow",
        "date": "2014-03-21",
    }
    assert grades(remind(root, "2014-04-10")) == []  # red given: nothing higher
    assert notice_files(root) == [
        "notices/2014-03/u1-blue.yaml",
        "notices/2014-03/u1-red.yaml",
        "notices/2014-03/u1-yellow.yaml",
    ]
    check = runner.invoke(app, ["check", "--records", str(root)])
    assert check.exit_code == 0, check.output
    # status shows each action's latest notice, as of the day
    status = runner.invoke(
        app, ["status", "--records", str(root), "--as-of", "2014-03-25", "--format", "json"]
    )
    actions = json.loads(status.stdout)["units"][0]["actions"]
    assert actions[0]["notice"] == {
        "id": "2014-03/u1-yellow",
        "level": "yellow",
        "date": "2014-03-21",
    }
    assert actions[1]["notice"] is None
    text = runner.invoke(app, ["status", "--records", str(root), "--as-of", "2014-03-29"])
    assert "（已挂牌督办）" in text.stdout
    # done now: the grades stop, even as of a day when a red would be long due
    (root / "notices/2014-03/u1-red.yaml").unlink()
    small_tree(root, "done:\n  study: 2014-03-30\n")
    assert grades(remind(root, "2014-03-29")) == [("u1", "red", ("study",), "unheeded", 8)]
    assert grades(remind(root, "2014-03-30")) == []
    assert grades(remind(root, "2014-04-28")) == [("u1", "blue", ("later",), "due_soon", 2)]


def test_write_twice_writes_nothing_new(tmp_path: Path) -> None:
    root = copy_tree(SAMPLE, tmp_path / "records")
    before = notice_files(root)
    first = runner.invoke(
        app, ["remind", "--records", str(root), "--as-of", "2014-04-20", "--write"]
    )
    assert first.exit_code == 0, first.output
    written = sorted(set(notice_files(root)) - set(before))
    assert written == [
        "notices/2014-04/nongwei-talk.yaml",
        "notices/2014-04/shuili-red.yaml",
        "notices/2014-04/shuili-yellow-2.yaml",  # shuili-yellow.yaml is taken: never overwritten
    ]
    contents = {rel: (root / rel).read_bytes() for rel in notice_files(root)}
    second = runner.invoke(
        app, ["remind", "--records", str(root), "--as-of", "2014-04-20", "--write"]
    )
    assert second.exit_code == 0, second.output
    assert {rel: (root / rel).read_bytes() for rel in notice_files(root)} == contents
    assert grades(remind(root, "2014-04-20")) == []
    tree = load_tree(root)
    assert tree.problems == []
    red = tree.notices["2014-04/shuili-red"]
    assert (red.unit, red.level, red.actions, red.by, red.reply_by) == (
        "shuili",
        "red",
        ["central_study"],
        "g3",
        "2014-04-27",
    )


def test_the_sample_as_a_table_and_in_english(tmp_path: Path) -> None:
    root = copy_tree(SAMPLE, tmp_path / "records")
    result = runner.invoke(app, ["remind", "--records", str(root), "--as-of", "2014-04-20"])
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert "应发督办 3 件" in lines[0]
    red = next(line for line in lines if "挂牌督办" in line)
    assert "市水利局" in red and "黄色督办已17天未办结" in red and "2014年4月3日督办" in red
    assert any("莫某" in line and "谈话提醒" in line for line in lines)
    english = runner.invoke(
        app, ["remind", "--records", str(root), "--as-of", "2014-04-20", "--lang", "en"]
    )
    assert "overdue 10 days" in english.stdout
    only = remind(root, "2014-04-20", "--unit", "市农委")
    assert [n[:2] for n in grades(only)] == [("nongwei", "talk")]
    group = remind(root, "2014-04-20", "--group", "市委第二督导组")
    assert grades(group) == []


def test_the_notices_as_documents_golden(tmp_path: Path) -> None:
    from docx import Document

    root = copy_tree(SAMPLE, tmp_path / "records")
    # the sample's campaign.yaml names its documents' prefix: 市活办
    assert "number_prefix: 市活办" in (root / "campaign.yaml").read_text(encoding="utf-8")
    out = tmp_path / "督办.docx"
    result = runner.invoke(
        app,
        [
            "remind",
            "--records",
            str(root),
            "--as-of",
            "2014-04-20",
            "-o",
            str(out),
            "--number",
            "3",
        ],
    )
    assert result.exit_code == 0, result.output
    document = Document(str(out))
    texts = [p.text for p in document.paragraphs if p.text]
    assert "\n".join(texts) + "\n" == (GOLDEN / "remind-2014-04-20.txt").read_text(encoding="utf-8")
    breaks = [p.paragraph_format.page_break_before for p in document.paragraphs]
    assert breaks.count(True) == 2  # three notices, one a page
    # written whole or not at all: an existing file is not replaced without --force
    again = runner.invoke(
        app, ["remind", "--records", str(root), "--as-of", "2014-04-20", "-o", str(out)]
    )
    assert again.exit_code == 2


# --- bad input -------------------------------------------------------------------------------


def test_a_notice_linked_out_of_the_tree_is_refused(tmp_path: Path) -> None:
    root = small_tree(tmp_path / "t")
    outside = tmp_path / "outside.yaml"
    outside.write_text(
        "date: 2014-03-17\nunit: u1\nlevel: blue\nactions: [study]\nby: g1\n", encoding="utf-8"
    )
    (root / "notices").mkdir()
    (root / "notices" / "n.yaml").symlink_to(outside)
    tree = load_tree(root)
    assert [(p.path, p.code) for p in tree.problems] == [("notices/n.yaml", "outside-tree")]
    assert tree.notices == {}


def test_names_stand_for_ids_in_a_notice(tmp_path: Path) -> None:
    root = small_tree(tmp_path / "t")
    write_tree(
        root,
        {
            "notices/2014-03/x.yaml": "date: 2014-03-21\nunit: 甲\nlevel: yellow\n"
            "actions: [中心组专题学习]\nby: 第一督导组\n"
        },
    )
    assert load_tree(root).problems == []
    assert grades(remind(root, "2014-03-28")) == [("u1", "red", ("study",), "unheeded", 7)]


# --- the rule, as a property -----------------------------------------------------------------

START = date(2014, 3, 1)
LEVELS = ("blue", "yellow", "red")


def _oracle(
    dues: list[int],
    done: list[int | None],
    waived: list[bool],
    notices: list[tuple[int, int, str]],
    as_of: int,
) -> set[tuple[str, str]]:
    """RECORDS.md 1.2 read plainly, in days from START: per action not done by as_of and not
    waived -- red when a yellow was given red_days (7) or more ago and no red yet; else yellow
    when overdue and no yellow or red yet; else blue when 0 <= days left <= blue_days (3) and
    nothing given yet."""
    due_now = set()
    for index, due in enumerate(dues):
        finished = done[index]
        if waived[index] or (finished is not None and finished <= as_of):
            continue
        given = [(day, level) for day, action, level in notices if action == index and day <= as_of]
        top = max((LEVELS.index(level) for _, level in given), default=-1)
        yellows = [day for day, level in given if level == "yellow"]
        if yellows and as_of - min(yellows) >= 7 and top < 2:
            due_now.add((f"a{index}", "red"))
        elif as_of > due and top < 1:
            due_now.add((f"a{index}", "yellow"))
        elif 0 <= due - as_of <= 3 and top < 0:
            due_now.add((f"a{index}", "blue"))
    return due_now


@settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@st.composite
def _cases(
    draw: st.DrawFn,
) -> tuple[list[int], list[int | None], list[bool], list[tuple[int, int, str]], int]:
    """A unit's actions, what is done and waived, the notices given and the as-of day, in
    days from START -- drawn near the as-of day, where the rule's edges are."""
    as_of = draw(st.integers(12, 45))
    count = draw(st.integers(1, 4))
    dues = [as_of + draw(st.integers(-12, 6)) for _ in range(count)]
    done = [
        draw(st.one_of(st.none(), st.integers(as_of - 6, as_of + 3).map(lambda d: max(d, 0))))
        for _ in range(count)
    ]
    waived = [draw(st.integers(0, 5)) == 0 for _ in range(count)]
    notices = draw(
        st.lists(
            st.tuples(
                st.integers(-2, 12).map(lambda k: as_of - k),
                st.integers(0, count - 1),
                st.sampled_from(LEVELS),
            ),
            max_size=4,
        )
    )
    return dues, done, waived, notices, as_of


@given(_cases())
def test_a_notice_is_due_exactly_when_the_rule_says(
    tmp_path_factory: pytest.TempPathFactory,
    case: tuple[list[int], list[int | None], list[bool], list[tuple[int, int, str]], int],
) -> None:
    from pydantic import TypeAdapter

    from duchu.judge.notices import notices_due
    from duchu.records.models import Campaign, Group, Notice, Unit
    from duchu.records.tree import Tree, put_in_order

    dues, done, waived, notices, as_of = case

    def day(offset: int) -> str:
        return (START + timedelta(days=offset)).isoformat()

    campaign = TypeAdapter(Campaign).validate_python(
        {
            "name": "活动",
            "year": 2014,
            "warn_days": 5,
            "notices": {"blue_days": 3, "red_days": 7},
            "phases": [
                {
                    "id": "p",
                    "name": "环节",
                    "start": day(0),
                    "due": day(60),
                    "actions": [
                        {"id": f"a{i}", "name": f"事项{i}", "due": day(d)}
                        for i, d in enumerate(dues)
                    ],
                }
            ],
        }
    )
    unit = TypeAdapter(Unit).validate_python(
        {
            "name": "甲",
            "group": "g",
            "done": {f"a{i}": day(d) for i, d in enumerate(done) if d is not None},
            "waived": {f"a{i}": "免" for i, w in enumerate(waived) if w},
        }
    )
    tree = Tree(root=Path("."), campaign=campaign)
    tree.groups["g"] = TypeAdapter(Group).validate_python({"name": "组"})
    tree.units["u"] = unit
    for number, (offset, action, level) in enumerate(notices):
        tree.notices[f"n{number}"] = TypeAdapter(Notice).validate_python(
            {"date": day(offset), "unit": "u", "level": level, "actions": [f"a{action}"], "by": "g"}
        )
    put_in_order(tree)
    report = notices_due(tree, START + timedelta(days=as_of))
    found = {(n.actions[0], n.level) for n in report.notices}
    assert found == _oracle(dues, done, waived, notices, as_of)
    assert all(len(n.actions) == 1 for n in report.notices)  # 一事一单


# --- a reminder talk is a talk notice --------------------------------------------------------


def test_a_reminder_talk_is_known_from_a_talk_notice_only(tmp_path: Path) -> None:
    root = copy_tree(SAMPLE, tmp_path / "records")
    talk = root / "notices/2014-03/zhujian-talk.yaml"
    report = [
        "report",
        "--records",
        str(root),
        "--phase",
        "study",
        "--group",
        "g2",
        "--as-of",
        "2014-04-20",
    ]
    assert "已于3月10日谈话提醒" in runner.invoke(app, report).stdout
    assert ("zhujian", "talk") not in {n[:2] for n in grades(remind(root, "2014-04-20"))}
    talk.unlink()  # the meeting's notes still say 谈话提醒: no longer a guess
    assert "已于3月10日谈话提醒" not in runner.invoke(app, report).stdout
    assert ("zhujian", "talk") in {n[:2] for n in grades(remind(root, "2014-04-20"))}


def test_the_site_marks_an_actions_notice(tmp_path: Path) -> None:
    root = copy_tree(SAMPLE, tmp_path / "records")
    out = tmp_path / "site"
    result = runner.invoke(
        app, ["site", "--records", str(root), "--as-of", "2014-04-20", "-o", str(out)]
    )
    assert result.exit_code == 0, result.output
    pages = "".join(p.read_text(encoding="utf-8") for p in out.rglob("*.html"))
    assert "（已督办）" in pages


# --- whose a notice is (the server's gate) -----------------------------------------------------

from tests import test_hooks  # noqa: E402  (the central repository's fixtures)

cache = test_hooks.cache
template = test_hooks.template
central = test_hooks.central


@pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
def test_a_notice_is_its_units_groups(central: Path, tmp_path: Path) -> None:
    from tests.test_hooks import clone, commit, edit, landed, push, ref, refused

    work = clone(central, tmp_path / "work")
    before = ref(central)
    edit(
        work,
        "notices/2014-04/shuili-blue.yaml",
        "date: 2014-04-08\nunit: shuili\nlevel: blue\nactions: [opinions]\nby: g3\n",
    )
    commit(work, "提醒市水利局")
    told = refused(push(work, "clerk1"), central, before)  # g1's clerk: not g1's unit
    assert "notices/2014-04/shuili-blue.yaml" in told
    landed(push(work, "clerk3"), central, work)  # g3's clerk


def test_record_text_in_a_notice_document_is_text(tmp_path: Path) -> None:
    from docx import Document

    root = write_tree(
        tmp_path / "t",
        {
            "campaign.yaml": CAMPAIGN,
            "groups/g1.yaml": "name: '# 第一*督导*组'\nleader: 张某\nmembers: [张某]\n",
            "units/u1.yaml": "name: '甲|局 <b>x</b> [链接](http://x)'\ngroup: g1\n"
            "leaders:\n  - {name: 王某, post: 书记}\n",
        },
    )
    out = tmp_path / "n.docx"
    result = runner.invoke(
        app, ["remind", "--records", str(root), "--as-of", "2014-03-25", "-o", str(out)]
    )
    assert result.exit_code == 0, result.output
    texts = [p.text for p in Document(str(out)).paragraphs if p.text]
    assert "甲|局 <b>x</b> [链接](http://x)：" in texts
    assert "# 第一*督导*组" in texts


def test_the_remind_table_fits_100_columns_with_actions_whole() -> None:
    """On a 100-column terminal the reason is the column that folds: an action's name (what
    the unit must do) stays on one line."""
    from rich.console import Console

    from duchu.judge.notices import judge_remind
    from duchu.records.load import load_tree
    from duchu.render.remind import print_remind

    tree = load_tree(SAMPLE)
    report = judge_remind(tree, date(2014, 4, 20), group=None, units=None)
    console = Console(width=100, record=True, force_terminal=True, color_system=None)
    print_remind(console, report, lang="zh")
    text = console.export_text()
    assert all(len(line) <= 100 for line in text.splitlines())
    assert "领导班子中心组专题学习" in text and "深入基层征求意见" in text
