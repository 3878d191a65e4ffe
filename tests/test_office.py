"""The activity office's view: ``status --by group`` worked out by hand on a small
repository with commits at chosen dates, ``--known`` against a checkout of the commit it
names, names where ids go, meetings of several units, ``order``, and the circular.

The fixture repository keeps its records in a sub-folder with a space in its name, and one
unit has a Chinese id, so every git path duchu reads goes through quoting-free parsing."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from typer.testing import CliRunner

from duchu.cli.app import app
from tests.conftest import write_tree

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
runner = CliRunner()

FOLDER = "督导 记录"  # the records root inside the repository

CAMPAIGN = """\
name: 测试活动
issuer: 中共××县委教育实践活动领导小组
year: 2014
warn_days: 7
meeting_kinds:
  mobilization: 动员大会
  visit: 督导检查
phases:
  - id: study
    name: 学习教育
    start: 2014-02-10
    due: 2014-04-20
    actions:
      - {id: group_plan, name: 制定督导工作方案, due: 2014-02-18, by: group}
      - {id: plan, name: 审定实施方案, due: 2014-02-28}
      - {id: mobilization, name: 召开动员大会, due: 2014-02-28, meeting: mobilization}
      - {id: opinions, name: 征求意见, due: 2014-04-10}
  - id: criticism
    name: 查摆问题
    start: 2014-04-21
    due: 2014-06-20
    actions:
      - {id: talks, name: 谈心谈话, due: 2014-05-31}
"""
GROUP_A = "name: 县委第一督导组\nleader: 甲组长\nmembers: [甲组长, 甲组员]\norder: 2\n"
GROUP_B = "name: 县委第二督导组\nleader: 乙组长\nmembers: [乙组长]\norder: 1\n"


def unit(name: str, group: str, done: str = "") -> str:
    return f"name: {name}\ngroup: {group}\nleaders: [{name}书记]\n" + done


def meeting(day: str, whose: str, kind: str, attended: str) -> str:
    return f"date: {day}\n{whose}\nkind: {kind}\nattended_by: [{attended}]\n"


# (committer date, files written in that commit); "東城区" is unit b1 of the office's table
COMMITS: list[tuple[str, dict[str, str]]] = [
    (
        "2014-02-10T09:00:00+08:00",
        {
            "campaign.yaml": CAMPAIGN,
            "groups/ga.yaml": GROUP_A,
            "groups/gb.yaml": GROUP_B,
            "units/a1.yaml": unit("甲一局", "ga"),
            "units/a2.yaml": unit("甲二局", "ga"),
            "units/东城区.yaml": unit("东城区委", "gb"),
        },
    ),
    (
        "2014-02-20T18:00:00+08:00",
        {
            "meetings/2014-02/a1-mob.yaml": meeting(
                "2014-02-18", "unit: a1", "mobilization", "甲组长"
            )
        },
    ),
    (
        "2014-03-05T18:00:00+08:00",
        {
            "meetings/2014-02/a2-mob.yaml": meeting(
                "2014-02-27", "unit: a2", "mobilization", "甲组员"
            ),
            "units/a1.yaml": unit("甲一局", "ga", "done: {plan: 2014-02-25}\n"),
        },
    ),
    (
        "2014-03-20T18:00:00+08:00",
        {
            "meetings/2014-03/东城区-动员.yaml": meeting(
                "2014-03-02", "unit: 东城区", "mobilization", "乙组长"
            ),
            "groups/gb.yaml": GROUP_B + "done: {group_plan: 2014-02-17}\n",
        },
    ),
    (
        "2014-04-15T18:00:00+08:00",
        {
            "meetings/2014-04/ga-visit.yaml": meeting("2014-04-08", "group: ga", "visit", "甲组长"),
            "units/a2.yaml": unit(
                "甲二局", "ga", "done: {plan: 2014-02-26, opinions: 2014-04-09}\n"
            ),
            "units/东城区.yaml": unit(
                "东城区委", "gb", "done: {plan: 2014-03-01, opinions: 2014-04-12}\n"
            ),
        },
    ),
]


def git(top: Path, *args: str, when: str = "2014-02-10T09:00:00+08:00") -> str:
    env = {
        **os.environ,
        "GIT_AUTHOR_NAME": "王书记员",
        "GIT_AUTHOR_EMAIL": "w@example.cn",
        "GIT_COMMITTER_NAME": "王书记员",
        "GIT_COMMITTER_EMAIL": "w@example.cn",
        "GIT_AUTHOR_DATE": when,
        "GIT_COMMITTER_DATE": when,
        "GIT_CONFIG_GLOBAL": os.devnull,
        "GIT_CONFIG_NOSYSTEM": "1",
    }
    done = subprocess.run(
        ["git", *args], cwd=top, env=env, capture_output=True, text=True, check=True
    )
    return done.stdout


@pytest.fixture(scope="module")
def office(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The repository; returns the records root (a sub-folder of it)."""
    top = tmp_path_factory.mktemp("office")
    git(top, "init", "--quiet", "--initial-branch=main")
    root = top / FOLDER
    for when, files in COMMITS:
        write_tree(root, files)
        git(top, "add", "--all")
        git(top, "commit", "--quiet", "-m", f"记录 {when[:10]}", when=when)
    return root


def by_group(root: Path, *args: str) -> dict[str, dict[str, object]]:
    result = runner.invoke(
        app, ["status", "--by", "group", "--format", "json", "--records", str(root), *args]
    )
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    return {"_order": [g["id"] for g in document["groups"]], "_doc": document} | {
        g["id"]: g for g in document["groups"]
    }


def fields(group: dict[str, object]) -> tuple[object, ...]:
    keys = ("units", "lagging", "days_overdue", "due", "on_time", "late", "overdue")
    return tuple(group[k] for k in keys)


def test_by_group_worked_out_by_hand_on_the_tenth_of_march(office: Path) -> None:
    rows = by_group(office, "--as-of", "2014-03-10")
    # lagging shares are equal (none): `order` decides, gb (order 1) before ga (order 2)
    assert rows["_order"] == ["gb", "ga"]
    ga, gb = rows["ga"], rows["gb"]
    # a1: plan 2-25, mobilization 2-18; a2: plan 2-26, mobilization 2-27 (opinions not due)
    assert fields(ga) == (2, 0, 0, 4, 4, 0, 0)
    assert ga["attended"] == 2 and ga["attended_by_kind"] == {"mobilization": 2}
    assert ga["last_change"] == "2014-03-05"  # the commit adding a2-mob; ga-visit came later
    assert ga["report_delay_days"] == {"median": 4, "max": 6}  # a1-mob 2 days, a2-mob 6
    assert ga["actions"] == [
        {"id": "group_plan", "due": "2014-02-18", "state": "overdue", "done": None}
    ]
    # 东城区: plan 3-01 and mobilization 3-02, both late
    assert fields(gb) == (1, 0, 0, 2, 0, 2, 0)
    assert gb["attended"] == 1 and gb["attended_by_kind"] == {"mobilization": 1}
    assert gb["last_change"] == "2014-02-10"  # its meeting was committed only on 3-20
    assert gb["report_delay_days"] is None
    assert gb["actions"][0]["state"] == "done"
    assert rows["_doc"]["summary"] == {"groups": 2, "units": 3, "lagging": 0}
    assert rows["_doc"]["known"] is False


def test_by_group_worked_out_by_hand_on_the_twentieth_of_april(office: Path) -> None:
    rows = by_group(office, "--as-of", "2014-04-20")
    assert rows["_order"] == ["ga", "gb"]  # ga: one of two units lagging; gb: none
    ga, gb = rows["ga"], rows["gb"]
    # a1 has not done opinions (due 4-10): overdue 10 days
    assert fields(ga) == (2, 1, 10, 6, 5, 0, 1)
    # the group-wide visit counts once for the group, not once per unit
    assert ga["attended"] == 3
    assert ga["attended_by_kind"] == {"mobilization": 2, "visit": 1}
    assert ga["last_change"] == "2014-04-15"
    assert ga["report_delay_days"] == {"median": 6, "max": 7}  # 2, 6 and 7 days
    assert fields(gb) == (1, 0, 0, 3, 0, 3, 0)
    assert gb["attended"] == 1
    assert gb["last_change"] == "2014-04-15"
    assert gb["report_delay_days"] == {"median": 18, "max": 18}


def test_known_is_what_was_committed_by_then(office: Path) -> None:
    rows = by_group(office, "--as-of", "2014-03-10", "--known")
    assert rows["_doc"]["known"] is True
    assert rows["_order"] == ["gb", "ga"]  # gb: its only unit lagging; ga: one of two
    ga, gb = rows["ga"], rows["gb"]
    # a2's plan reached the office only on 4-15; 东城区's meeting and plan later than 3-10
    assert fields(ga) == (2, 1, 10, 4, 3, 0, 1)
    assert ga["attended"] == 2 and ga["report_delay_days"] == {"median": 4, "max": 6}
    assert fields(gb) == (1, 1, 10, 2, 0, 0, 2)
    assert gb["attended"] == 0 and gb["attended_by_kind"] == {}
    assert gb["actions"][0]["state"] == "overdue"  # its plan was committed on 3-20


def _checkout(office: Path, tmp_path: Path, when: str) -> Path:
    """A clone of the office repository with the last commit of ``when`` checked out."""
    top = office.parent
    clone = tmp_path / "clone"
    git(tmp_path, "clone", "--quiet", str(top), str(clone))
    commit = git(clone, "rev-list", "-1", f"--before={when}T23:59:59+08:00", "HEAD").strip()
    git(clone, "checkout", "--quiet", commit)
    return clone / FOLDER


@pytest.mark.parametrize("day", ["2014-02-15", "2014-03-10", "2014-03-25", "2014-04-20"])
def test_known_equals_the_status_of_the_commit_checked_out(
    office: Path, tmp_path: Path, day: str
) -> None:
    checked_out = _checkout(office, tmp_path, day)
    for extra in ([], ["--by", "group"]):
        args = ["status", "--all", "--format", "json", "--as-of", day, *extra]
        known = runner.invoke(app, [*args, "--records", str(office), "--known"])
        plain = runner.invoke(app, [*args, "--records", str(checked_out)])
        assert known.exit_code == plain.exit_code, known.output
        known_doc, plain_doc = json.loads(known.stdout), json.loads(plain.stdout)
        known_doc.pop("known", None)
        plain_doc.pop("known", None)
        assert known_doc == plain_doc


def test_known_differs_from_the_working_tree_where_work_was_committed_late(office: Path) -> None:
    working = by_group(office, "--as-of", "2014-03-10")
    known = by_group(office, "--as-of", "2014-03-10", "--known")
    assert fields(working["gb"]) != fields(known["gb"])


def test_known_reads_a_second_time_from_its_cache(
    office: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from duchu.records.cache import user_cache_folder

    monkeypatch.delenv("DUCHU_NO_CACHE")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    first = by_group(office, "--as-of", "2014-03-10", "--known")
    folder = user_cache_folder(office, "known")
    assert (folder / "records.json").is_file()
    assert not (office / ".duchu-cache").exists()  # nothing written into the tree

    import duchu.records.parse

    def no_parsing(*args: object) -> object:
        raise AssertionError("a warm --known parsed a file again")

    monkeypatch.setattr(duchu.records.parse, "_parse_record", no_parsing)
    second = by_group(office, "--as-of", "2014-03-10", "--known")
    assert first["_doc"] == second["_doc"]


@pytest.mark.parametrize(
    ("setup", "words"),
    [
        ("outside", "不在 git 仓库中"),
        ("before", "早于"),
    ],
)
def test_known_cannot_run(office: Path, tmp_path: Path, setup: str, words: str) -> None:
    if setup == "outside":
        root = tmp_path / "copy"
        shutil.copytree(office, root)
        args = ["--as-of", "2014-03-10"]
    else:
        root = office
        args = ["--as-of", "2014-01-01"]
    result = runner.invoke(app, ["status", "--known", "--records", str(root), *args])
    assert result.exit_code == 2
    assert words in result.stderr and len(result.stderr.strip().splitlines()) == 1


def test_known_on_a_shallow_clone_missing_the_history(office: Path, tmp_path: Path) -> None:
    clone = tmp_path / "shallow"
    git(tmp_path, "clone", "--quiet", "--depth", "1", f"file://{office.parent}", str(clone))
    result = runner.invoke(
        app, ["status", "--known", "--as-of", "2014-03-10", "--records", str(clone / FOLDER)]
    )
    assert result.exit_code == 2
    assert "浅克隆" in result.stderr and len(result.stderr.strip().splitlines()) == 1


# --- a Chinese unit id and a folder with a space, through git --------------------------------


def test_log_of_a_chinese_unit_in_a_spaced_folder(office: Path) -> None:
    result = runner.invoke(app, ["log", "东城区", "--format", "json", "--records", str(office)])
    assert result.exit_code == 0, result.output
    commits = json.loads(result.stdout)["commits"]
    assert len(commits) == 3  # created, its meeting, its done dates
    assert "meetings/2014-03/东城区-动员.yaml" in commits[1]["files"]
    text = runner.invoke(app, ["log", "东城区", "--records", str(office)]).stdout
    assert "东城区-动员.yaml" in text and "\\344" not in text


def test_stale_of_a_chinese_unit(office: Path) -> None:
    result = runner.invoke(
        app,
        [
            "status",
            "--stale",
            "30",
            "--all",
            "--format",
            "json",
            "--as-of",
            "2014-04-20",
            "--records",
            str(office),
        ],
    )
    units = {u["id"]: u for u in json.loads(result.stdout)["units"]}
    assert units["东城区"]["last_change"] == "2014-04-15"
    assert units["东城区"]["stale"] is False


# --- names where ids go -------------------------------------------------------------------------


def test_names_where_ids_go(office: Path) -> None:
    def units(*args: str) -> list[str]:
        result = runner.invoke(
            app,
            [
                "status",
                "--all",
                "--format",
                "json",
                "--as-of",
                "2014-04-20",
                "--records",
                str(office),
                *args,
            ],
        )
        assert result.exit_code == 0, result.output
        return [u["id"] for u in json.loads(result.stdout)["units"]]

    assert units("--unit", "甲二局") == ["a2"]
    assert units("--group", "县委第二督导组") == ["东城区"]
    assert units("--group", "gb") == ["东城区"]
    assert units("--phase", "学习教育", "--unit", "东城区委") == ["东城区"]
    kinds = runner.invoke(
        app, ["tally", "--kind", "动员大会", "--format", "json", "--records", str(office)]
    )
    assert kinds.exit_code == 0, kinds.output


def test_an_unknown_name_lists_candidates_as_name_and_id(office: Path) -> None:
    result = runner.invoke(app, ["status", "--group", "县委第", "--records", str(office)])
    assert result.exit_code == 2
    assert "县委第一督导组（ga）" in result.stderr and "县委第二督导组（gb）" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_an_ambiguous_name_is_exit_2_with_the_candidates(tmp_path: Path) -> None:
    root = write_tree(
        tmp_path / "t",
        {
            "campaign.yaml": CAMPAIGN,
            "groups/ga.yaml": GROUP_A,
            "units/x1.yaml": "name: 城关镇\nshort: 城关\ngroup: ga\n",
            "units/x2.yaml": "name: 城关街道\nshort: 城关\ngroup: ga\n",
        },
    )
    result = runner.invoke(app, ["status", "--unit", "城关", "--records", str(root)])
    assert result.exit_code == 2
    assert "“城关”可指多个单位" in result.stderr
    assert "城关（x1）" in result.stderr and "城关（x2）" in result.stderr
    english = runner.invoke(
        app, ["status", "--unit", "城关", "--records", str(root), "--lang", "en"]
    )
    assert "城关 (x1)" in english.stderr


# --- meetings of several units, order ----------------------------------------------------------


def several_units_tree(tmp_path: Path, meeting_text: str) -> Path:
    return write_tree(
        tmp_path / "t",
        {
            "campaign.yaml": CAMPAIGN,
            "groups/ga.yaml": GROUP_A,
            "groups/gb.yaml": GROUP_B,
            "units/a1.yaml": unit("甲一局", "ga") + "order: 2\n",
            "units/a2.yaml": unit("甲二局", "ga") + "order: 1\n",
            "units/a3.yaml": unit("甲三局", "ga"),
            "units/b1.yaml": unit("乙一局", "gb"),
            "meetings/m.yaml": meeting_text,
        },
    )


@pytest.mark.parametrize(
    ("whose", "done"),
    [
        ("units: [a1, a3]", {"a1", "a3"}),
        ("group: ga", {"a1", "a2", "a3"}),
        ("unit: a2", {"a2"}),
    ],
)
def test_a_meeting_of_several_units_counts_for_each(
    tmp_path: Path, whose: str, done: set[str]
) -> None:
    root = several_units_tree(tmp_path, meeting("2014-02-26", whose, "mobilization", "甲组长"))
    result = runner.invoke(
        app,
        ["status", "--all", "--format", "json", "--as-of", "2014-03-01", "--records", str(root)],
    )
    assert result.exit_code == 0, result.output
    mobilized = {
        u["id"]
        for u in json.loads(result.stdout)["units"]
        for a in u["actions"]
        if a["id"] == "mobilization" and a["state"] == "done"
    }
    assert mobilized == done
    rows = by_group(root, "--as-of", "2014-03-01")
    assert rows["ga"]["attended"] == 1  # one meeting, whatever the number of its units


@pytest.mark.parametrize(
    ("whose", "code", "line"),
    [
        ("unit: a1\nunits: [a2]", "meeting-unit-twice", 3),
        ("unit: a1\ngroup: ga", "meeting-unit-twice", 3),
        ("units: [a1, zz]", "unknown-unit", 2),
        ("group: gz", "unknown-group", 2),
        ("title: 无单位", "meeting-no-unit", 1),
    ],
)
def test_a_meeting_names_its_units_once(tmp_path: Path, whose: str, code: str, line: int) -> None:
    root = several_units_tree(tmp_path, meeting("2014-02-26", whose, "mobilization", "甲组长"))
    result = runner.invoke(app, ["check", "--format", "json", "--records", str(root)])
    problems = json.loads(result.stdout)["problems"]
    found = [p for p in problems if p["code"] == code]
    assert found and found[0]["path"] == "meetings/m.yaml" and found[0]["line"] == line
    assert result.exit_code == 1


def test_an_appraisal_belongs_to_one_unit(tmp_path: Path) -> None:
    text = meeting("2014-02-26", "units: [a1, a2]", "mobilization", "甲组长") + (
        "appraisal: {returned: 3, counts: {领导班子: {好: 3}}}\n"
    )
    root = several_units_tree(tmp_path, text)
    result = runner.invoke(app, ["check", "--format", "json", "--records", str(root)])
    codes = [p["code"] for p in json.loads(result.stdout)["problems"]]
    assert "appraisal-several-units" in codes


def test_order_decides_ties_in_tables_and_json(tmp_path: Path) -> None:
    root = several_units_tree(
        tmp_path, meeting("2014-02-26", "group: ga", "mobilization", "甲组长")
    )
    result = runner.invoke(
        app,
        ["status", "--all", "--format", "json", "--as-of", "2014-02-20", "--records", str(root)],
    )
    # nothing due yet: units in official order -- gb (order 1) before ga, then a2 (order 1),
    # a1 (order 2), a3 (no order: after those with one)
    assert [u["id"] for u in json.loads(result.stdout)["units"]] == ["b1", "a2", "a1", "a3"]
    text = runner.invoke(
        app, ["status", "--all", "--as-of", "2014-02-20", "--records", str(root)]
    ).stdout
    assert text.index("乙一局") < text.index("甲二局") < text.index("甲一局") < text.index("甲三局")


def test_log_takes_a_unit_name(office: Path) -> None:
    by_name = runner.invoke(app, ["log", "东城区委", "--format", "json", "--records", str(office)])
    by_id = runner.invoke(app, ["log", "东城区", "--format", "json", "--records", str(office)])
    assert by_name.exit_code == 0, by_name.output
    assert json.loads(by_name.stdout) == json.loads(by_id.stdout)


# --- the office's circular ------------------------------------------------------------------

GOLDEN = Path(__file__).parent / "golden"


def test_golden_circular_of_the_sample(tmp_path: Path) -> None:
    """Read line by line against the records: 15 units x 4 actions of the study phase are
    due by 4-25 (60); 市水利局's 中心组学习 (due 3-31) and 征求意见 (4-10) are overdue 25
    and 15 days; 市农委's four and 市规划局's 中心组学习 were done late (5); 43 visits
    from 2-11 to 4-20, of which 14 are 督查 (督导检查, the sample's supervision kind, 1.2):
    14 over 15 units is 0.9 a unit, 市委第三督导组's 1 over 4 is 0.25, worded 0.3 (half up)."""
    from tests.conftest import SAMPLE, copy_tree

    root = copy_tree(SAMPLE, tmp_path / "records")
    result = runner.invoke(
        app, ["report", "--phase", "study", "--as-of", "2014-04-25", "--records", str(root)]
    )
    assert result.exit_code == 0, result.output
    assert result.stdout == (GOLDEN / "circular-study.md").read_text(encoding="utf-8")


def test_the_circular_by_name_and_as_docx(tmp_path: Path) -> None:
    from docx import Document
    from docx.shared import Twips

    from tests.conftest import SAMPLE, copy_tree

    root = copy_tree(SAMPLE, tmp_path / "records")
    target = tmp_path / "通报.docx"
    result = runner.invoke(
        app,
        [
            "report",
            "--phase",
            "学习教育、听取意见",
            "--as-of",
            "2014-04-25",
            "--records",
            str(root),
            "-o",
            str(target),
        ],
    )
    assert result.exit_code == 0, result.output
    document = Document(str(target))
    paragraphs = document.paragraphs
    texts = [p.text for p in paragraphs]
    # a title of two lines breaks where its words allow (GB/T 9704 7.3.1); the sample's
    # documents: puts the 版头 (mark, red line) before it
    at = next(i for i, p in enumerate(paragraphs) if p.style.name == "公文标题")
    assert texts[at] == "关于学习教育、听取意见环节\n督导工作情况的通报"
    # the 附件说明: "附件：" two characters in, the next names lined up after it
    note = texts.index("附件：1.各督导组工作进展情况表")
    # five characters of the body, 15.75 pt each (28 to the line)
    assert paragraphs[note + 1].paragraph_format.left_indent == Twips(1575)
    # each attachment starts a page with its label flush left
    labels = [p for p in paragraphs if p.text in ("附件1", "附件2", "附件3")]
    assert [p.text for p in labels] == ["附件1", "附件2", "附件3"]
    assert all(p.paragraph_format.page_break_before for p in labels)
    assert all(p.style.name == "附件标识" for p in labels)
    # the 落款 is the office of the leading group the reports go to
    assert "中共××市委教育实践活动领导小组办公室" in texts
    ranked = [row.cells[0].text for row in document.tables[0].rows[1:]]
    assert ranked == ["市委第三督导组", "市委第一督导组", "市委第二督导组"]


def circular_of(tmp_path: Path, day: str) -> str:
    root = several_units_tree(
        tmp_path, meeting("2014-02-26", "group: ga", "mobilization", "甲组长")
    )
    result = runner.invoke(
        app, ["report", "--phase", "study", "--as-of", day, "--records", str(root)]
    )
    assert result.exit_code == 0, result.output
    return result.stdout


def test_circular_sentences_say_only_what_is_true(tmp_path: Path) -> None:
    # 2-20: nothing is due yet, no unit lags
    early = circular_of(tmp_path / "a", "2014-02-20")
    assert "本环节的规定动作尚无到期的" in early
    assert "滞后" not in early.split("附件：")[0].replace("滞后单位", "")
    # 3-05: every unit of gb and ga owes its plan; ga's units held their mobilization
    # (1.2: a 通报, not one paragraph a group: the groups' detail is in 附件1)
    later = circular_of(tmp_path / "b", "2014-03-05")
    assert "4个单位都有逾期未完成的规定动作" in later
    assert "县委第二督导组联系的乙一局" in later
    assert "| 县委第二督导组 | 1 | 1 |" in later


def test_new_records_take_names(office: Path, tmp_path: Path) -> None:
    from tests.conftest import copy_tree

    root = copy_tree(office, tmp_path / "copy")
    made = runner.invoke(
        app,
        [
            "new",
            "meeting",
            "--unit",
            "东城区委",
            "--kind",
            "督导检查",
            "--date",
            "2014-04-02",
            "--records",
            str(root),
        ],
    )
    assert made.exit_code == 0, made.output
    assert "东城区" in made.stdout and "visit" in made.stdout
    unit_made = runner.invoke(
        app,
        [
            "new",
            "unit",
            "a9",
            "--group",
            "县委第一督导组",
            "--name",
            "甲九局",
            "--records",
            str(root),
        ],
    )
    assert unit_made.exit_code == 0, unit_made.output
    assert "group: ga" in (root / "units" / "a9.yaml").read_text(encoding="utf-8")


# --- tables an office reads: 103 units, long group names, 100 columns ------------------------

LONG_GROUP = "中共××县委党的群众路线教育实践活动第{n}督导组"  # 24 characters and more


def county_tree(tmp_path: Path) -> Path:
    files = {"campaign.yaml": CAMPAIGN}
    for n in range(10):
        files[f"groups/g{n}.yaml"] = (
            f"name: {LONG_GROUP.format(n=n + 1)}\nleader: 组长{n}\nmembers: [组长{n}]\n"
        )
    for n in range(103):
        done = "done: {plan: 2014-02-20}\n" if n % 2 else ""
        files[f"units/u{n:03d}.yaml"] = unit(f"第{n}乡", f"g{n % 10}", done)
    return write_tree(tmp_path / "county", files)


def _column_widths(header: str, names: list[str]) -> dict[str, int]:
    from rich.cells import cell_len

    starts = {name: cell_len(header[: header.index(name)]) for name in names}
    ordered = sorted(starts.items(), key=lambda kv: kv[1])
    return {
        name: (ordered[i + 1][1] if i + 1 < len(ordered) else cell_len(header)) - start
        for i, (name, start) in enumerate(ordered)
    }


def test_the_unit_table_of_a_county_stays_readable_at_100_columns(tmp_path: Path) -> None:
    from rich.console import Console

    from duchu.judge.status import unit_status
    from duchu.records.load import load_tree
    from duchu.render.text import print_status

    tree = load_tree(county_tree(tmp_path))
    report = unit_status(tree, __import__("datetime").date(2014, 3, 10))
    console = Console(width=100, record=True, force_terminal=True, color_system=None)
    print_status(
        console,
        report,
        lang="zh",
        show_all=False,
        names={},
        group_names={gid: g.name for gid, g in tree.groups.items()},
        detail=False,
    )
    lines = console.export_text().splitlines()
    header = next(line for line in lines if "逾期未完成" in line)
    widths = _column_widths(header, ["督导组", "逾期未完成"])
    assert widths["逾期未完成"] >= 12  # six characters a line at least, not three
    assert max(map(len, lines)) <= 100


def test_the_office_table_fits_100_columns_and_reads_when_piped(tmp_path: Path) -> None:
    from rich.console import Console

    from duchu.judge.office import office_rollup
    from duchu.judge.status import unit_status
    from duchu.records.load import load_tree
    from duchu.render.text import print_office

    tree = load_tree(county_tree(tmp_path))
    day = __import__("datetime").date(2014, 3, 10)
    office = office_rollup(tree, unit_status(tree, day), None)
    console = Console(width=100, record=True, force_terminal=True, color_system=None)
    print_office(console, office, lang="zh")
    text = console.export_text()
    table = text.split("\n\n")[1]
    assert all(len(line) <= 100 for line in table.splitlines())
    # every group named whole on its row, at 100 columns
    for n in range(10):
        assert LONG_GROUP.format(n=n + 1)[:6] in table
    piped = runner.invoke(
        app,
        [
            "status",
            "--by",
            "group",
            "--as-of",
            "2014-03-10",
            "--records",
            str(county_tree(tmp_path / "p")),
        ],
    )
    assert piped.exit_code == 0
    assert "\x1b[" not in piped.stdout  # no colour codes in a pipe
    assert "10 个督导组、103 个单位" in piped.stdout


@pytest.mark.parametrize("width", [100, 120])
def test_the_english_office_table_fits_and_names_stay_readable(tmp_path: Path, width: int) -> None:
    """English headers are longer than Chinese ones: at 100 columns and less the table
    leaves out 按时/逾期完成 (then 上报用时) rather than fold a group's name a character a
    line; each group's name still wraps, six characters a line at least."""
    from rich.console import Console

    from duchu.judge.office import office_rollup
    from duchu.judge.status import unit_status
    from duchu.records.load import load_tree
    from duchu.render.text import print_office

    tree = load_tree(county_tree(tmp_path))
    office = office_rollup(tree, unit_status(tree, __import__("datetime").date(2014, 3, 10)), None)
    console = Console(width=width, record=True, force_terminal=True, color_system=None)
    print_office(console, office, lang="en")
    table = console.export_text().split("\n\n")[1]
    lines = table.splitlines()
    assert all(len(line) <= width for line in lines)
    header = lines[0]
    widths = _column_widths(header, ["Group", "Lagging/"])
    assert widths["Group"] >= 12 + 3  # six Chinese characters a line, and the gap
    for n in range(10):
        name = LONG_GROUP.format(n=n + 1)
        assert "● " + name[:5] in table  # the name wraps: its start whole on the first line
        assert name[-3:] in table
    # the rate and what is overdue or due today are always shown
    assert all(word in table for word in ("Done", "Over-", "today"))
    wide = Console(width=160, record=True, force_terminal=True, color_system=None)
    print_office(wide, office, lang="en")
    assert "On time" in wide.export_text()  # nothing left out where it fits


@pytest.mark.parametrize(
    ("day", "warned"),
    [("2014-02-01", True), ("2014-06-20", False), ("2014-11-30", False), ("2026-11-23", True)],
)
def test_an_as_of_date_far_outside_the_campaign_is_said(
    office: Path, day: str, warned: bool
) -> None:
    for command in (["status"], ["status", "--by", "group"], ["report", "--phase", "study"]):
        result = runner.invoke(app, [*command, "--as-of", day, "--records", str(office)])
        assert result.exit_code == 0, result.output
        assert ("远在活动期间（2014年2月10日至2014年6月20日）之外" in result.stderr) is warned


@pytest.fixture(scope="module")
def sample_repository(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from tests.sample_history import build_sample_repository

    return build_sample_repository(tmp_path_factory.mktemp("sample") / "records")


def test_tally_and_report_known(sample_repository: Path) -> None:
    def tallied(*args: str) -> set[str]:
        result = runner.invoke(
            app,
            [
                "tally",
                "--format",
                "json",
                "--as-of",
                "2014-03-01",
                "--records",
                str(sample_repository),
                *args,
            ],
        )
        assert result.exit_code == 0, result.output
        return {m["id"] for m in json.loads(result.stdout)["meetings"]}

    held, known = tallied(), tallied("--known")
    # held by 3-01, reported later: 市委第三督导组's three weeks on, 市委第二督导组's a week;
    # 市委第一督导组 reports within two days
    assert {"2014-02/gongan-mobilization", "2014-02/fagaiwei-mobilization"} <= held - known
    assert "2014-02/jiaoyu-mobilization" in known
    report = runner.invoke(
        app,
        [
            "report",
            "--phase",
            "study",
            "--as-of",
            "2014-03-01",
            "--known",
            "--records",
            str(sample_repository),
        ],
    )
    assert report.exit_code == 0, report.output
    commit = git(sample_repository, "rev-list", "-1", "--before=2014-03-01T23:59:59+08:00", "HEAD")
    assert f"git 提交 {commit.strip()[:8]}）" in report.stdout.splitlines()[-1]


# --- found by review: classes of input closed --------------------------------------------------


def small_repository(tmp_path: Path, extra: dict[str, str], links: dict[str, str]) -> Path:
    """A one-commit repository of the several-units tree, with ``extra`` files and
    ``links`` (path -> target) committed on 2014-03-01."""
    root = several_units_tree(
        tmp_path, meeting("2014-02-26", "group: ga", "mobilization", "甲组长")
    )
    write_tree(root, extra)
    for path, target in links.items():
        (root / path).parent.mkdir(parents=True, exist_ok=True)
        (root / path).symlink_to(target)
    git(root, "init", "--quiet")
    git(root, "add", "--all")
    git(root, "commit", "--quiet", "-m", "记录", when="2014-03-01T10:00:00+08:00")
    return root


def known_and_plain(root: Path, *args: str) -> tuple[object, object]:
    base = ["status", "--all", "--format", "json", "--as-of", "2014-03-02", "--records", str(root)]
    known = runner.invoke(app, [*base, *args, "--known"])
    plain = runner.invoke(app, [*base, *args])
    assert known.exit_code == plain.exit_code, (known.output, plain.output)
    return json.loads(known.stdout or "null"), json.loads(plain.stdout or "null")


@pytest.mark.parametrize(
    ("extra", "links"),
    [
        # two records alike to the byte: one blob, two files
        ({"meetings/copy.yaml": meeting("2014-02-26", "group: ga", "mobilization", "甲组长")}, {}),
        # a link to a file inside the tree
        ({}, {"meetings/alias.yaml": "m.yaml"}),
        # a folder moved and linked back, as on disk
        (
            {"archive/x/b1-mob.yaml": meeting("2014-02-27", "unit: b1", "mobilization", "乙组长")},
            {"meetings/x": "../archive/x"},
        ),
    ],
)
def test_known_reads_what_the_disk_reads(
    tmp_path: Path, extra: dict[str, str], links: dict[str, str]
) -> None:
    root = small_repository(tmp_path, extra, links)
    known, plain = known_and_plain(root)
    assert known == plain
    known_group, plain_group = known_and_plain(root, "--by", "group")
    assert isinstance(known_group, dict) and isinstance(plain_group, dict)
    assert known_group.pop("known") is True and plain_group.pop("known") is False
    assert known_group == plain_group


def test_known_refuses_a_link_out_and_a_submodule(tmp_path: Path) -> None:
    outside = write_tree(
        tmp_path / "outside",
        {"x.yaml": meeting("2014-02-27", "unit: b1", "mobilization", "乙组长")},
    )
    root = small_repository(tmp_path, {}, {"meetings/ext": str(outside)})
    result = runner.invoke(
        app, ["status", "--known", "--as-of", "2014-03-02", "--records", str(root)]
    )
    assert result.exit_code == 2 and "meetings/ext:1:1" in result.stderr
    assert "[outside-tree]" in result.stderr
    # a submodule where records belong: its files are not in the commit
    sub = tmp_path / "sub"
    write_tree(sub, {"y.yaml": meeting("2014-02-27", "unit: b1", "mobilization", "乙组长")})
    git(sub, "init", "--quiet")
    git(sub, "add", "--all")
    git(sub, "commit", "--quiet", "-m", "子模块")
    git(
        root,
        "-c",
        "protocol.file.allow=always",
        "submodule",
        "add",
        "--quiet",
        str(sub),
        "meetings/sub",
    )
    git(root, "commit", "--quiet", "-m", "子模块", when="2014-03-01T12:00:00+08:00")
    result = runner.invoke(
        app, ["status", "--known", "--as-of", "2014-03-02", "--records", str(root)]
    )
    assert result.exit_code == 2 and "meetings/sub:1:1" in result.stderr
    assert "[not-a-file]" in result.stderr


def test_a_ballot_file_is_read_whole_from_a_commit(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import duchu.records.known
    import duchu.records.load
    import duchu.records.parse

    ballots = "领导班子,甲一局书记\n" + "好,较好\n" * 200
    text = meeting("2014-02-26", "unit: a1", "mobilization", "甲组长") + (
        "appraisal: {distributed: 250, ballots: a1.csv}\n"
    )
    campaign = CAMPAIGN.replace(
        "meeting_kinds:",
        "appraisal: {ratings: [好, 较好], positive: [好], negative: [较好]}\nmeeting_kinds:",
    )
    root = small_repository(
        tmp_path,
        {"campaign.yaml": campaign, "meetings/a1.csv": ballots, "meetings/a1.yaml": text},
        {},
    )
    # records may be no larger than this; ballot files have no such limit, on disk or not
    for module in (duchu.records.parse, duchu.records.known, duchu.records.load):  # read there
        monkeypatch.setattr(module, "MAX_FILE_BYTES", len(ballots) - 10)
    base = ["tally", "--format", "json", "--as-of", "2014-03-02", "--records", str(root)]
    known = runner.invoke(app, [*base, "--known"])
    plain = runner.invoke(app, base)
    assert known.exit_code == 0, known.output
    assert json.loads(known.stdout) == json.loads(plain.stdout)
    assert json.loads(known.stdout)["meetings"][0]["returned"] == 200


def test_a_meeting_of_units_of_two_groups_is_a_visit_of_the_groups_that_attended(
    tmp_path: Path,
) -> None:
    root = several_units_tree(tmp_path, meeting("2014-02-26", "units: [a1, b1]", "visit", "甲组长"))
    rows = by_group(root, "--as-of", "2014-03-01")
    assert rows["ga"]["attended"] == 1
    assert rows["gb"]["attended"] == 0  # nobody of 县委第二督导组 was there


def test_a_meeting_of_a_group_checks_its_people(tmp_path: Path) -> None:
    root = several_units_tree(tmp_path, meeting("2014-02-26", "group: ga", "visit", "乙组长"))
    write_tree(root, {"groups/gc.yaml": "name: 县委第三督导组\nleader: 丙组长\n"})
    write_tree(root, {"meetings/n.yaml": meeting("2014-02-26", "group: gc", "visit", "谁也不是")})
    result = runner.invoke(app, ["check", "--format", "json", "--records", str(root)])
    found = {(p["path"], p["code"]) for p in json.loads(result.stdout)["problems"]}
    assert ("meetings/m.yaml", "not-a-member") in found  # 乙组长 is not of ga
    assert ("meetings/n.yaml", "not-a-member") in found  # gc has no units, still checked


def test_units_empty_is_said_plainly(tmp_path: Path) -> None:
    root = several_units_tree(tmp_path, meeting("2014-02-26", "units: []", "visit", "甲组长"))
    result = runner.invoke(app, ["check", "--records", str(root)])
    assert "units 列表是空的" in result.stdout and "[empty-units]" in result.stdout


@pytest.mark.parametrize("day", ["2014-02-18", "2014-02-28", "2014-04-10", "2014-06-20"])
def test_due_is_on_time_late_and_overdue_even_on_a_due_day(day: str, tmp_path: Path) -> None:
    # 1.2: what is due that very day and not done yet is due too (``due_today``)
    from tests.conftest import SAMPLE, copy_tree

    root = copy_tree(SAMPLE, tmp_path / "records")
    for group in by_group(root, "--as-of", day)["_doc"]["groups"]:  # type: ignore[index]
        parts = group["on_time"] + group["late"] + group["overdue"] + group["due_today"]
        assert group["due"] == parts


def test_circular_branches_for_late_work_and_every_unit_lagging(tmp_path: Path) -> None:
    # 3-01: every unit of the tree owes its plan (due 2-28): all lag
    all_lag = circular_of(tmp_path / "a", "2014-03-01")
    assert "4个单位都有逾期未完成的规定动作" in all_lag  # (1.2 wording)
    assert "部分单位" not in all_lag
    # plans done late, nothing overdue: no "按时推进" claim
    done_late = {
        f"units/{uid}.yaml": unit(name, group, "done: {plan: 2014-03-01}\n")
        for uid, name, group in (
            ("a1", "甲一局", "ga"),
            ("a2", "甲二局", "ga"),
            ("a3", "甲三局", "ga"),
            ("b1", "乙一局", "gb"),
        )
    }
    root = several_units_tree(
        tmp_path / "b", meeting("2014-02-26", "group: ga", "mobilization", "甲组长")
    )
    write_tree(root, done_late)
    write_tree(
        root, {"meetings/b1.yaml": meeting("2014-02-27", "unit: b1", "mobilization", "乙组长")}
    )
    result = runner.invoke(
        app, ["report", "--phase", "study", "--as-of", "2014-03-02", "--records", str(root)]
    )
    # 1.2: no unit lags, but done late is not "on time": neither claim is made
    assert "有逾期未完成的规定动作" not in result.stdout.split("附件：")[0]
    assert "均按时完成" not in result.stdout and "逾期完成4项" in result.stdout


def test_record_text_is_never_markdown(tmp_path: Path) -> None:
    from docx import Document

    root = several_units_tree(
        tmp_path, meeting("2014-02-26", "group: ga", "mobilization", "甲组长")
    )
    write_tree(
        root,
        {"units/a1.yaml": 'name: "# 甲|一局 *要*"\ngroup: ga\nleaders: [甲一局书记]\norder: 2\n'},
    )
    markdown = runner.invoke(
        app, ["report", "--phase", "study", "--as-of", "2014-03-05", "--records", str(root)]
    ).stdout
    row = next(
        line
        for line in markdown.splitlines()
        if "甲" in line and "一局" in line and line.startswith("|")
    )
    assert row.count(" | ") + 2 == row.count("|") - row.count("\\|")  # the pipe is escaped
    target = tmp_path / "c.docx"
    runner.invoke(
        app,
        [
            "report",
            "--phase",
            "study",
            "--as-of",
            "2014-03-05",
            "--records",
            str(root),
            "-o",
            str(target),
        ],
    )
    cells = [c.text for t in Document(str(target)).tables for r in t.rows for c in r.cells]
    assert "# 甲|一局 *要*" in cells


def test_a_phase_not_begun_is_said_on_stderr(office: Path) -> None:
    result = runner.invoke(
        app, ["report", "--phase", "criticism", "--as-of", "2014-04-01", "--records", str(office)]
    )
    assert result.exit_code == 0
    assert "“查摆问题”环节2014年4月21日才开始" in result.stderr
    assert "环节将于2014年4月21日开始" in result.stdout
    group = runner.invoke(
        app,
        [
            "report",
            "--phase",
            "criticism",
            "--group",
            "ga",
            "--as-of",
            "2014-04-01",
            "--records",
            str(office),
        ],
    )
    assert "才开始" in group.stderr
