"""Issue 24 in the records: names where ids go inside records (RECORDS.md 1.2), draft meetings
and empty appraisals, and a clerk's everyday faults -- every problem of a file in one run, the
date forms officials type, a second meeting in a month, a clone without a git identity."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
from datetime import date
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from duchu.cli.app import app
from duchu.errors import NoGitIdentityError
from duchu.git.run import require_identity
from duchu.judge.status import status_json, unit_status
from duchu.records.load import load_tree
from duchu.records.lookup import MAX_SUGGESTIONS, Named, NameIndex
from tests import test_hooks
from tests.conftest import build_tree

runner = CliRunner()

UNIT_A = """\
name: 甲单位
short: 甲
group: {group}
category: 市直
leaders:
  - {{name: 王某, post: 书记}}
  - {{name: 李某, post: 副职}}
done:
  {plan}: 2014-02-15
"""
UNIT_B = """\
name: 乙单位
group: {group}
leaders:
  - {{name: 刘某, post: 书记}}
waived:
  {mobilization}: 班子成员仅一人
"""
GROUP = """\
name: 第一督导组
leader: 张某
members: [张某, 赵某]
done:
  {report}: 2014-03-25
"""
MEETING_A = """\
date: 2014-02-26
unit: {unit}
kind: {kind}
attended_by: [张某]
appraisal:
  distributed: 10
  returned: 9
  invalid: 1
  counts:
    领导班子: {{好: 5, 较好: 2, 一般: 1, 差: 0}}
    王某: {{好: 6, 差: 2}}
    李某: {{好: 8}}
"""
MEETING_ALL = """\
date: 2014-03-03
units: [{first}, {second}]
kind: democratic_life
attended_by: [赵某]
completes: [{plan}]
"""
MEETING_GROUP = """\
date: 2014-03-04
group: {group}
kind: {kind}
"""

# every reference, each with the forms it may be written in: its id first, then names
FORMS = {
    "unit_a": ("a", "甲单位", "甲"),
    "unit_b": ("b", "乙单位"),
    "group": ("g1", "第一督导组"),
    "mobilization_kind": ("mobilization", "动员大会"),
    "dl_kind": ("democratic_life", "专题民主生活会"),
    "plan": ("plan", "审定实施方案"),
    "mobilization_action": ("mobilization", "召开动员大会"),
    "report": ("report", "报送督导报告"),
}


def _files(pick: dict[str, str]) -> dict[str, str]:
    return {
        "units/a.yaml": UNIT_A.format(group=pick["group"], plan=pick["plan"]),
        "units/b.yaml": UNIT_B.format(
            group=pick["group"], mobilization=pick["mobilization_action"]
        ),
        "groups/g1.yaml": GROUP.format(report=pick["report"]),
        "meetings/2014-02/a-mob.yaml": MEETING_A.format(
            unit=pick["unit_a"], kind=pick["mobilization_kind"]
        ),
        "meetings/2014-02/b-mob.yaml": MEETING_A.format(
            unit=pick["unit_b"], kind=pick["mobilization_kind"]
        )
        .replace("王某", "刘某")
        .replace("    李某: {好: 8}\n", ""),
        "meetings/2014-03/all.yaml": MEETING_ALL.format(
            first=pick["unit_a"], second=pick["unit_b"], plan=pick["plan"]
        ),
        "meetings/2014-03/group.yaml": MEETING_GROUP.format(
            group=pick["group"], kind=pick["dl_kind"]
        ),
    }


def _judged(root: Path) -> tuple[list[str], dict[str, object], dict[str, tuple[str, ...]]]:
    tree = load_tree(root)
    problems = [f"{p.path}:{p.line}:{p.column}: {p.code}" for p in tree.problems]
    report = status_json(unit_status(tree, date(2014, 4, 20)))
    return problems, report, tree.meeting_units


def _tree(folder: Path, pick: dict[str, str]) -> Path:
    root = build_tree(folder, files=_files(pick))
    (root / "meetings/2014-02/b-mob.csv").unlink()
    return root


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.fixed_dictionaries({key: st.sampled_from(forms) for key, forms in FORMS.items()}))
def test_any_thing_named_by_id_name_or_short_judges_alike(pick: dict[str, str]) -> None:
    """Whichever form each reference is written in, every judgement is the one of ids."""
    with tempfile.TemporaryDirectory() as folder:
        by_ids = _judged(_tree(Path(folder) / "ids", {k: f[0] for k, f in FORMS.items()}))
        by_names = _judged(_tree(Path(folder) / "names", pick))
    assert by_ids[0] == [] and by_names[0] == []
    assert by_names[1] == by_ids[1]
    assert by_names[2] == by_ids[2]


def test_a_done_key_written_as_the_actions_exact_name(tmp_path: Path) -> None:
    root = build_tree(
        tmp_path / "t",
        files={"units/b.yaml": "name: 乙单位\ngroup: g1\ndone:\n  召开动员大会: 2014-02-20\n"},
    )
    tree = load_tree(root)
    assert [p.code for p in tree.problems if p.path == "units/b.yaml"] == ["no-leaders"]
    assert list(tree.units["b"].done) == ["mobilization"]


def test_an_unknown_name_lists_the_candidates_at_its_value(tmp_path: Path) -> None:
    root = build_tree(
        tmp_path / "t",
        files={
            "units/xwb.yaml": "name: 县委办公室\ngroup: g1\nleaders: [甲某]\n",
            "units/xzb.yaml": "name: 县政府办公室\ngroup: g1\nleaders: [乙某]\n",
            "meetings/2014-03/x.yaml": "date: 2014-03-01\nunit: 办公室\nkind: 督导\n",
        },
    )
    result = runner.invoke(app, ["check", "--records", str(root)])
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert (
        "meetings/2014-03/x.yaml:2:7: error: 未知的单位“办公室”"
        "（可选：县委办公室（xwb）、县政府办公室（xzb）） [unknown-unit]"
    ) in lines
    assert (
        "meetings/2014-03/x.yaml:3:7: error: 未知的会议类型“督导”"
        "（可选：动员大会（mobilization）、专题民主生活会（democratic_life）） [unknown-kind]"
    ) in lines
    english = runner.invoke(app, ["check", "--records", str(root), "--lang", "en"])
    assert "(candidates: 县委办公室 (xwb), 县政府办公室 (xzb))" in english.stdout


def test_an_ambiguous_name_lists_every_thing_it_names(tmp_path: Path) -> None:
    root = build_tree(
        tmp_path / "t",
        files={
            "units/c.yaml": "name: 丙单位\nshort: 甲单位\ngroup: g1\nleaders: [周某]\n",
            "meetings/2014-03/x.yaml": "date: 2014-03-01\nunit: 甲单位\nkind: democratic_life\n",
        },
    )
    result = runner.invoke(app, ["check", "--records", str(root)])
    assert (
        "meetings/2014-03/x.yaml:2:7: error: “甲单位”可指多个单位："
        "甲单位（a）、甲单位（c）；请用 id 指定 [ambiguous-name]"
    ) in result.stdout.splitlines()


def test_an_id_wins_over_another_things_name(tmp_path: Path) -> None:
    """A unit whose id is another unit's name: the text is that id (docs/records.md)."""
    root = build_tree(
        tmp_path / "t",
        files={
            "units/乙单位.yaml": "name: 丁单位\ngroup: g1\nleaders: [周某]\n",
            "meetings/2014-03/x.yaml": "date: 2014-03-01\nunit: 乙单位\nkind: democratic_life\n",
        },
    )
    tree = load_tree(root)
    assert tree.meetings["2014-03/x"].unit == "乙单位"
    assert tree.meeting_units["2014-03/x"] == ("乙单位",)


def test_candidates_are_bounded_closest_first() -> None:
    named = [Named(f"u{i}", (f"第{i}单位",)) for i in range(30)] + [Named("x", ("县委办",))]
    index = NameIndex("unit", named)
    with pytest.raises(LookupError) as err:
        index.resolve("单位")
    assert len(err.value.candidates) == MAX_SUGGESTIONS  # type: ignore[attr-defined]
    assert err.value.more == 30 - MAX_SUGGESTIONS  # type: ignore[attr-defined]
    with pytest.raises(LookupError) as close:
        index.resolve("县委")
    assert close.value.candidates[0] == ("县委办", "x")  # type: ignore[attr-defined]


def test_the_command_line_counts_what_it_leaves_out(tmp_path: Path) -> None:
    units = {
        f"units/u{i:02d}.yaml": f"name: 第{i}单位\ngroup: g1\nleaders: [某{i}]\n" for i in range(14)
    }
    root = build_tree(tmp_path / "t", files=units)
    result = runner.invoke(
        app, ["status", "--records", str(root), "--as-of", "2014-03-01", "--unit", "单位"]
    )
    assert result.exit_code == 2
    assert "等6个" in result.stderr, result.stderr


def test_a_renamed_unit_changes_what_a_cached_meeting_names(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Names are resolved after the cache: a warm load after a rename sees the new name."""
    monkeypatch.delenv("DUCHU_NO_CACHE", raising=False)
    meeting = "date: 2014-03-01\nunit: 乙单位\nkind: democratic_life\n"
    root = build_tree(tmp_path / "t", files={"meetings/2014-03/x.yaml": meeting})
    first = load_tree(root, use_cache=True)
    assert first.meeting_units["2014-03/x"] == ("b",) and first.errors() == []
    assert load_tree(root, use_cache=True).meeting_units["2014-03/x"] == ("b",)  # warm
    unit = root / "units" / "b.yaml"
    unit.write_text(unit.read_text(encoding="utf-8").replace("乙单位", "丙单位"), "utf-8")
    renamed = load_tree(root, use_cache=True)
    assert [(p.path, p.code) for p in renamed.errors()] == [
        ("meetings/2014-03/x.yaml", "unknown-unit")
    ]
    assert "2014-03/x" not in renamed.meeting_units or renamed.meeting_units["2014-03/x"] == ()
    # and a name that now fits resolves, from the same cached meeting
    unit.write_text(unit.read_text(encoding="utf-8").replace("丙单位", "乙单位"), "utf-8")
    assert load_tree(root, use_cache=True).meeting_units["2014-03/x"] == ("b",)


# --- draft meetings and empty appraisals ---------------------------------------------------


def test_a_draft_meeting_counts_for_nothing(tmp_path: Path) -> None:
    without = _judged(build_tree(tmp_path / "without"))
    draft = (
        "draft: true\ndate: 2014-03-20\nunit: a\nkind: democratic_life\nattended_by: [张某]\n"
        "completes: [mobilization]\n"
    )
    root = build_tree(tmp_path / "with", files={"meetings/2014-03/a-dl.yaml": draft})
    problems, report, linked = _judged(root)
    assert problems == ["meetings/2014-03/a-dl.yaml:1:1: draft-meeting"]
    assert report == without[1] and linked == without[2]
    tree = load_tree(root)
    assert "2014-03/a-dl" in tree.drafts and "2014-03/a-dl" not in tree.meetings
    # the same record, its draft line deleted, counts
    (root / "meetings/2014-03/a-dl.yaml").write_text(draft.replace("draft: true\n", ""), "utf-8")
    assert _judged(root)[2]["2014-03/a-dl"] == ("a",)


def test_a_draft_with_an_appraisal_is_not_tallied(tmp_path: Path) -> None:
    root = build_tree(tmp_path / "t")
    meeting = root / "meetings/2014-02/a-mob.yaml"
    meeting.write_text("draft: true\n" + meeting.read_text(encoding="utf-8"), "utf-8")
    tree = load_tree(root)
    assert "2014-02/a-mob" not in tree.appraisals
    result = runner.invoke(app, ["tally", "--records", str(root), "--format", "json"])
    assert result.exit_code == 0, result.output
    assert "2014-02/a-mob" not in result.stdout


def test_new_meeting_writes_a_draft_and_then_the_next_free_id(tmp_path: Path) -> None:
    root = build_tree(tmp_path / "t")
    args = ["new", "meeting", "--records", str(root), "--unit", "甲单位", "--kind", "动员大会"]
    first = runner.invoke(app, [*args, "--date", "2014.3.5"])
    second = runner.invoke(app, [*args, "--date", "2014/3/20"])
    assert first.exit_code == 0 and second.exit_code == 0, first.output + second.output
    assert first.stdout.strip().endswith("meetings/2014-03/a-mobilization.yaml")
    assert second.stdout.strip().endswith("meetings/2014-03/a-mobilization-2.yaml")
    text = (root / "meetings/2014-03/a-mobilization.yaml").read_text(encoding="utf-8")
    assert text.startswith("# 草稿：") and "\ndraft: true\ndate: 2014-03-05\nunit: a\n" in text
    tree = load_tree(root)
    codes = sorted({(p.path, p.code) for p in tree.problems})
    assert codes == [
        ("meetings/2014-03/a-mobilization-2.yaml", "appraisal-empty"),
        ("meetings/2014-03/a-mobilization-2.yaml", "draft-meeting"),
        ("meetings/2014-03/a-mobilization.yaml", "appraisal-empty"),
        ("meetings/2014-03/a-mobilization.yaml", "draft-meeting"),
    ]
    assert set(tree.drafts) == {"2014-03/a-mobilization", "2014-03/a-mobilization-2"}


# --- every problem of a file in one run ----------------------------------------------------


@pytest.mark.parametrize(
    ("rel", "text", "expected"),
    [
        (
            "meetings/2014-03/a-dl.yaml",
            "date: 2014-02-30\nunit: a\nkind: democratic_life\natended_by: [张某]\n",
            ["1:7: invalid-date", "4:1: unknown-key"],
        ),
        (
            "units/a.yaml",
            "name: 甲单位\ngroup: g1\ncatgory: 市直\nleaders: [王某, 李某]\ndone:\n"
            "  plan: 2014年2月30日\n",
            ["3:1: unknown-key", "6:9: invalid-date"],
        ),
        (
            "units/a.yaml",  # a typo inside a list item and in a nested mapping
            "name: 甲单位\ngroup: g1\nleaders:\n  - {name: 王某, pots: 书记}\n  - 李某\n"
            "done:\n  plan: {date: 2014-13-01, nte: x}\n",
            ["4:16: unknown-key", "7:16: invalid-date", "7:28: unknown-key"],
        ),
    ],
)
def test_a_key_typo_no_longer_hides_a_bad_date(
    tmp_path: Path, rel: str, text: str, expected: list[str]
) -> None:
    root = build_tree(tmp_path / "t", files={rel: text})
    tree = load_tree(root)
    assert [f"{p.line}:{p.column}: {p.code}" for p in tree.problems if p.path == rel] == expected
    # the record still counts as one that did not validate: nothing else is blamed on it
    assert [p for p in tree.problems if p.path != rel] == []


# --- the date forms officials type -----------------------------------------------------------


@pytest.mark.parametrize("typed", ["2014.2.16", "2014/2/16", "2014-2-16", "2014年2月16日"])
def test_records_and_as_of_read_the_date_forms_officials_type(tmp_path: Path, typed: str) -> None:
    unit = f"name: 乙单位\ngroup: g1\nleaders: [刘某]\ndone:\n  plan: {typed}\n"
    root = build_tree(tmp_path / "t", files={"units/b.yaml": unit})
    assert load_tree(root).problems == []
    result = runner.invoke(
        app, ["status", "--records", str(root), "--as-of", typed, "--format", "json"]
    )
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["as_of"] == "2014-02-16"


def test_a_day_that_does_not_exist_is_an_error_in_every_form(tmp_path: Path) -> None:
    unit = "name: 乙单位\ngroup: g1\nleaders: [刘某]\ndone:\n  plan: 2014.2.30\n"
    root = build_tree(tmp_path / "t", files={"units/b.yaml": unit})
    result = runner.invoke(app, ["check", "--records", str(root)])
    assert "units/b.yaml:5:9: error: '2014.2.30' 不是有效的日期：这一天不存在" in result.stdout


# --- a clone without a git identity ------------------------------------------------------------


def _anonymous(monkeypatch: pytest.MonkeyPatch, home: Path) -> None:
    home.mkdir(exist_ok=True)
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", os.devnull)
    for name in ("AUTHOR", "COMMITTER"):
        monkeypatch.delenv(f"GIT_{name}_NAME", raising=False)
        monkeypatch.delenv(f"GIT_{name}_EMAIL", raising=False)
    monkeypatch.delenv("EMAIL", raising=False)


def test_require_identity_says_what_is_missing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _anonymous(monkeypatch, tmp_path / "home")
    repo = tmp_path / "repo"
    repo.mkdir()
    subprocess.run(["git", "init", "-q"], cwd=repo, check=True)
    with pytest.raises(NoGitIdentityError) as err:
        require_identity(repo)
    assert err.value.missing == "user.name/user.email"
    subprocess.run(["git", "config", "user.name", "张三"], cwd=repo, check=True)
    with pytest.raises(NoGitIdentityError) as only_mail:
        require_identity(repo)
    assert only_mail.value.missing == "user.email"
    monkeypatch.setenv("EMAIL", "zhangsan@example.com")
    require_identity(repo)  # git takes EMAIL too
    require_identity(repo / "not" / "yet")  # a folder still to be made: asked above it


def test_init_without_an_identity_says_how_to_set_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _anonymous(monkeypatch, tmp_path / "home")
    result = runner.invoke(app, ["init", str(tmp_path / "records")])
    assert result.exit_code == 0, result.output
    told = [line for line in result.stderr.splitlines() if "user.name" in line]
    assert len(told) == 1 and 'git config --global user.name "张三"' in told[0]
    assert "Please tell me who you are" not in result.output
    assert (tmp_path / "records" / "campaign.yaml").is_file()


# --- the central repository's gate reads names where ids go as check does ---------------------

central = test_hooks.central
cache = test_hooks.cache
template = test_hooks.template


@pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
def test_the_gate_knows_whose_meeting_a_name_names(central: Path, tmp_path: Path) -> None:
    """A meeting of 市财政局 (g1's unit, named by name) is g1's: its clerk may push it, g2's
    clerk may not."""
    from tests.test_hooks import clone, commit, landed, push, ref, refused

    work = clone(central, tmp_path / "work")
    meeting = "date: 2014-05-06\nunit: 市财政局\nkind: 督导检查\nattended_by: [蒋某]\n"
    (work / "meetings" / "2014-05").mkdir(parents=True, exist_ok=True)
    (work / "meetings" / "2014-05" / "caizheng-visit-x.yaml").write_text(meeting, "utf-8")
    commit(work, "督导检查")
    before = ref(central)
    here = str(Path(__file__).parent.parent)  # the hook runs this checkout's duchu
    told = refused(push(work, "clerk2", PYTHONPATH=here), central, before)
    assert "meetings/2014-05/caizheng-visit-x.yaml" in told
    landed(push(work, "clerk1", PYTHONPATH=here), central, work)


def test_ownership_read_from_the_files_resolves_names() -> None:
    """What ownership reads from a file it did not load (the side of a push before it, a
    cached fact) takes names where ids go too: a unit's group by its name, a meeting's unit
    by its short name, a meeting's group by its name."""
    from duchu.hooks.owners import Facts, TreeView

    files = {
        "groups/g1.yaml": "name: 第一督导组\n",
        "groups/g2.yaml": "name: 第二督导组\n",
        "units/a.yaml": "name: 甲单位\nshort: 甲\ngroup: 第一督导组\n",
        "units/b.yaml": "name: 乙单位\ngroup: g2\n",
        "meetings/x.yaml": "date: 2014-05-06\nunit: 甲\nkind: visit\n",
        "meetings/y.yaml": "date: 2014-05-06\nunits: [甲, 乙单位]\nkind: visit\n",
        "meetings/z.yaml": "date: 2014-05-06\ngroup: 第二督导组\nkind: visit\n",
    }

    class Reader:
        def read(self, blob: str, limit: int) -> bytes:
            return files[blob].encode("utf-8")

        def read_many(self, blobs: list[str]) -> list[tuple[str, bytes]]:
            return [(blob, self.read(blob, 0)) for blob in blobs]

    view = TreeView(Facts(None, Reader()), blobs={path: path for path in files})  # type: ignore[arg-type]
    assert view.owners("units/a.yaml") == {"g1"}
    assert view.owners("meetings/x.yaml") == {"g1"}
    assert view.owners("meetings/y.yaml") == {"g1", "g2"}
    assert view.owners("meetings/z.yaml") == {"g2"}


def test_a_problem_at_a_done_key_written_as_a_name_is_placed_at_it(tmp_path: Path) -> None:
    unit = "name: 乙单位\ngroup: g1\nleaders: [刘某]\ndone:\n  审定实施方案: 2014.2.30\n"
    root = build_tree(tmp_path / "t", files={"units/b.yaml": unit})
    found = [(p.path, p.line, p.column, p.code) for p in load_tree(root).problems]
    assert found == [("units/b.yaml", 5, 11, "invalid-date")]
