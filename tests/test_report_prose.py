"""The group summary's sentences (issue 15): each is built from the records and has a
branch for none, one, several and all, so it says only what is true. Each test builds a
small tree, drafts the summary through the command line and reads the sentence."""

from __future__ import annotations

from pathlib import Path

import yaml
from typer.testing import CliRunner

from duchu.cli.app import app
from tests.conftest import write_tree

runner = CliRunner()

CAMPAIGN = {
    "name": "测试活动",
    "issuer": "测试领导小组",
    "year": 2014,
    "meeting_kinds": {
        "mobilization": {"name": "动员大会", "appraisal": True},
        "visit": "督导检查",
        "talk": "谈心谈话",
        "summary": {"name": "总结大会", "appraisal": True},
    },
    "appraisal": {
        "team": "领导班子",
        "ratings": ["好", "较好", "一般", "差"],
        "positive": ["好", "较好"],
        "negative": ["差"],
        "flag_at": 0.2,
    },
    "phases": [
        {
            "id": "study",
            "name": "学习教育",
            "start": "2014-02-10",
            "due": "2014-03-31",
            "actions": [
                {"id": "plan", "name": "审定实施方案", "due": "2014-02-20"},
                {
                    "id": "mobilization",
                    "name": "召开动员大会",
                    "due": "2014-02-28",
                    "meeting": "mobilization",
                    "after": ["plan"],
                },
                {
                    "id": "study_report",
                    "name": "报送第一环节总结",
                    "due": "2014-03-31",
                    "by": "group",
                },
            ],
        },
        {
            "id": "summary",
            "name": "总结评估",
            "start": "2014-09-01",
            "due": "2014-09-30",
            "actions": [
                {
                    "id": "summary_meeting",
                    "name": "召开总结大会",
                    "due": "2014-09-25",
                    "meeting": "summary",
                },
            ],
        },
    ],
}


def unit(name: str, order: int, **extra: object) -> dict[str, object]:
    return {
        "name": name,
        "order": order,
        "group": "g1",
        "leaders": [{"name": f"{name[-1]}书记", "post": "书记"}],
        **extra,
    }


def tree(tmp_path: Path, units: dict[str, dict[str, object]], **meetings: object) -> Path:
    """A tree of one group (组长甲, 成员乙) and the given units and meetings."""
    files = {
        "campaign.yaml": CAMPAIGN,
        "groups/g1.yaml": {"name": "第一督导组", "leader": "甲", "members": ["甲", "乙"]},
        **{f"units/{uid}.yaml": record for uid, record in units.items()},
        **{f"meetings/{mid}.yaml": record for mid, record in meetings.items()},
    }
    return write_tree(
        tmp_path / "records",
        {
            path: yaml.safe_dump(data, allow_unicode=True, sort_keys=False)
            for path, data in files.items()
        },
    )


def draft(root: Path, phase: str, as_of: str) -> str:
    result = runner.invoke(
        app, ["report", "--records", str(root), "--phase", phase, "--as-of", as_of]
    )
    assert result.exit_code == 0, result.output
    return result.stdout


def main_text(markdown: str) -> str:
    return markdown.split("<!-- signature")[0]


def section(markdown: str, heading: str) -> str:
    return main_text(markdown).split(heading)[1].split("\n## ")[0]


# --- progress: none due, all on time, one late, several lagging -------------------------


def test_progress_when_nothing_is_due_yet(tmp_path: Path) -> None:
    root = tree(tmp_path, {"a": unit("甲局", 1), "b": unit("乙局", 2)})
    out = draft(root, "study", "2014-02-15")
    assert "截至2014年2月15日，本环节的规定动作尚无到期的，4项规定动作正在进行中。" in out
    assert "按时完成了" not in main_text(out)
    assert "记录中没有反映出需要报告的问题。" in out


def test_progress_all_units_on_time(tmp_path: Path) -> None:
    done = {"plan": "2014-02-18"}
    root = tree(
        tmp_path,
        {"a": unit("甲局", 1, done=done), "b": unit("乙局", 2, done=done)},
        **{
            "a-mob": {"date": "2014-02-25", "unit": "a", "kind": "mobilization"},
            "b-mob": {"date": "2014-02-26", "unit": "b", "kind": "mobilization"},
        },
    )
    out = draft(root, "study", "2014-03-05")
    basic = section(out, "## 一、基本情况")
    assert "本环节已到期的4项规定动作各单位均已按时完成。" in basic
    assert "逾期" not in basic
    # two meetings held without the group: not counted as its supervision
    assert "本环节被督导单位召开会议2次，督导组均未派员参加。" in basic


def test_progress_of_a_single_unit_says_the_unit(tmp_path: Path) -> None:
    root = tree(
        tmp_path,
        {"a": unit("甲局", 1, done={"plan": "2014-02-18", "mobilization": "2014-02-27"})},
    )
    out = draft(root, "study", "2014-03-05")
    assert "本环节已到期的2项规定动作该单位均已按时完成。" in out
    assert "负责督导甲局。" in out  # not "共1个单位"


def test_progress_one_late_and_several_lagging(tmp_path: Path) -> None:
    root = tree(
        tmp_path,
        {
            "a": unit("甲局", 1, done={"plan": "2014-02-18", "mobilization": "2014-02-27"}),
            "b": unit("乙局", 2, done={"plan": "2014-02-25"}),  # late, mobilization overdue
            "c": unit("丙局", 3),  # both overdue
        },
    )
    out = draft(root, "study", "2014-03-10")
    basic = section(out, "## 一、基本情况")
    assert (
        "本环节已到期的规定动作共6项，已完成3项（其中逾期完成1项），完成率50.0%，逾期未完成3项。"
        "1个单位按时完成了已到期的规定动作；乙局有逾期完成的规定动作；乙局、丙局有逾期未完成的规定动作。"
    ) in basic
    problems = section(out, "## 三、存在的问题")
    assert (
        "（一）规定动作落实不够及时。乙局召开动员大会逾期10天未完成；"
        "丙局审定实施方案逾期18天未完成、召开动员大会逾期10天未完成；乙局审定实施方案逾期5天完成。"
    ) in problems
    steps = section(out, "## 四、下一步工作")
    assert "（一）督促乙局、丙局尽快补齐逾期未完成的规定动作" in steps
    assert "甲局" not in problems + steps


def test_a_waived_action_says_why(tmp_path: Path) -> None:
    root = tree(
        tmp_path,
        {
            "a": unit(
                "甲局",
                1,
                done={"mobilization": "2014-02-27"},
                waived={"plan": "方案由上级统一制定"},
            )
        },
    )
    out = draft(root, "study", "2014-03-05")
    assert "甲局审定实施方案经同意免做（方案由上级统一制定）。" in out
    assert "| 甲局 | 审定实施方案 | 2014年2月20日 | 免做 | 方案由上级统一制定 |" in out


def test_a_procedure_breach_is_a_problem(tmp_path: Path) -> None:
    root = tree(
        tmp_path,
        {"a": unit("甲局", 1, done={"plan": "2014-02-27"})},
        **{
            "a-mob": {
                "date": "2014-02-25",
                "unit": "a",
                "kind": "mobilization",
                "attended_by": ["甲"],
            }
        },
    )
    problems = section(draft(root, "study", "2014-03-05"), "## 三、存在的问题")
    assert "甲局召开动员大会时，“审定实施方案”尚未完成，不符合程序要求。" in problems


# --- the group's work: kinds, attendance, notes, meetings of several units ---------------


def test_what_the_group_did_with_the_records_own_words(tmp_path: Path) -> None:
    same = "查阅学习笔记。"
    root = tree(
        tmp_path,
        {"a": unit("甲局", 2), "b": unit("乙局", 1), "c": unit("丙局", 3)},
        **{
            "coord": {
                "date": "2014-02-12",
                "group": "g1",
                "kind": "visit",
                "title": "协调会",
                "attended_by": ["甲", "乙"],
                "notes": "商定动员大会时间\n部署准备工作",
            },
            "a-v": {
                "date": "2014-03-03",
                "unit": "a",
                "kind": "visit",
                "attended_by": ["乙"],
                "notes": same,
            },
            "b-v": {
                "date": "2014-03-04",
                "unit": "b",
                "kind": "visit",
                "attended_by": ["乙"],
                "notes": same,
            },
            "c-t": {
                "date": "2014-03-05",
                "unit": "c",
                "kind": "talk",
                "attended_by": ["甲"],
                "people": 9,
                "notes": "与班子成员逐一谈话",
            },
        },
    )
    out = draft(root, "study", "2014-03-10")
    basic = section(out, "## 一、基本情况")
    # the meeting of the whole group is one meeting attended, counted for each unit
    assert (
        "本环节督导组参加被督导单位会议和督导检查4次，平均每个单位2次，其中督导检查3次、谈心谈话1次；"
        "谈话、听取意见共9人次。"
    ) in basic
    practices = section(out, "## 二、主要做法和成效")
    assert "全体成员" not in practices  # 乙 alone attended two of them
    assert "（一）督导检查。共3次（2月12日至3月4日），覆盖全部3个单位。" in practices
    assert "全部3个单位：商定动员大会时间部署准备工作。" in practices
    assert "乙局、甲局：查阅学习笔记。" in practices  # official order, said once
    assert (
        "（二）谈心谈话。督导组于3月5日参加丙局谈心谈话，谈话、听取意见9人次。与班子成员逐一谈话。"
        in practices
    )
    annex = out.split("# 督导组参加会议和督导检查情况")[1]
    assert annex.count("协调会") == 1
    assert "| 乙局 | 2 | 0 | 2 |" in annex and "| 丙局 | 1 | 1 | 2 |" in annex
    counts = annex.split("各单位督查次数")[1]
    assert counts.index("| 乙局 |") < counts.index("| 甲局 |") < counts.index("| 丙局 |")


def test_a_meeting_after_the_phase_deadline_that_does_its_action_is_listed(
    tmp_path: Path,
) -> None:
    """Issue 16 item 14: a 动员大会 held after the phase's deadline is late in the progress
    and one of the group's meetings in the same summary, never one without the other."""
    root = tree(
        tmp_path,
        {"a": unit("甲局", 1, done={"plan": "2014-02-18"})},
        **{
            "a-mob": {
                "date": "2014-04-08",
                "unit": "a",
                "kind": "mobilization",
                "attended_by": ["甲"],
            }
        },
    )
    out = draft(root, "study", "2014-04-10")
    assert "本环节督导组参加被督导单位会议和督导检查1次，其中动员大会1次。" in out
    assert "甲局召开动员大会逾期39天完成" in out
    assert "| 4月8日 | 甲局 | 动员大会 | 甲 |" in out


# --- findings: none, all rectified, none rectified, overdue ------------------------------


def test_no_findings_says_nothing_of_rectification(tmp_path: Path) -> None:
    out = draft(tree(tmp_path, {"a": unit("甲局", 1)}), "study", "2014-03-05")
    assert "整改" not in main_text(out)


def test_findings_rectified_and_open_with_owner_deadline_and_overdue(tmp_path: Path) -> None:
    findings_a = [
        {
            "text": "学习时间难保证",
            "found": "2014-02-20",
            "owner": "甲书记",
            "due": "2014-03-01",
            "resolved": "2014-02-28",
        },
        {"text": "宣传不到位", "found": "2014-02-21", "owner": "甲书记", "due": "2014-03-01"},
    ]
    findings_b = [{"text": "“四风”问题查摆不深", "found": "2014-02-22", "due": "3月下旬"}]
    root = tree(
        tmp_path,
        {"a": unit("甲局", 1, findings=findings_a), "b": unit("乙局", 2, findings=findings_b)},
    )
    problems = section(draft(root, "study", "2014-03-05"), "## 三、存在的问题")
    assert (
        "（二）督导中发现的问题。已整改到位1个：甲局“学习时间难保证”（2月28日整改到位）。"
        "尚未整改到位2个：甲局“宣传不到位”（甲书记负责，3月1日前，已逾期4天）；"
        "乙局“‘四风’问题查摆不深”（3月下旬前）。"
    ) in problems


def test_findings_all_rectified_and_a_finding_rectified_before_the_phase(tmp_path: Path) -> None:
    findings = [
        {"text": "早已整改", "found": "2014-01-05", "resolved": "2014-01-20"},
        {"text": "本环节整改", "found": "2014-02-20", "resolved": "2014-03-02"},
    ]
    root = tree(tmp_path, {"a": unit("甲局", 1, findings=findings)})
    out = draft(root, "study", "2014-03-05")
    assert "已整改到位1个：甲局“本环节整改”（3月2日整改到位）。" in out
    assert "早已整改" not in out  # told in an earlier summary
    assert "尚未整改到位" not in out and "下一步" in out and "抓好" not in out
    # a finding rectified after the as-of date was still open then
    early = draft(root, "study", "2014-02-25")
    assert "尚未整改到位1个：甲局“本环节整改”（未定整改时限）。" in early


# --- appraisal: none flagged, flagged with and without a reminder talk, before/after -----


def appraisal(team: list[int], leader: list[int], returned: int = 10) -> dict[str, object]:
    ratings = ["好", "较好", "一般", "差"]
    return {
        "returned": returned,
        "counts": {
            "领导班子": dict(zip(ratings, team, strict=True)),
            "局书记": dict(zip(ratings, leader, strict=True)),
        },
    }


def test_flagged_subjects_and_reminder_talks(tmp_path: Path) -> None:
    root = tree(
        tmp_path,
        {"a": unit("甲局", 1), "b": unit("乙局", 2)},
        **{
            "a-mob": {
                "date": "2014-02-25",
                "unit": "a",
                "kind": "mobilization",
                "attended_by": ["甲"],
                "appraisal": appraisal([8, 2, 0, 0], [5, 2, 1, 2]),
            },
            "b-mob": {
                "date": "2014-02-26",
                "unit": "b",
                "kind": "mobilization",
                "attended_by": ["甲"],
                "appraisal": appraisal([8, 2, 0, 0], [4, 2, 1, 3]),
            },
            "a-talk": {
                "date": "2014-03-03",
                "unit": "a",
                "kind": "talk",
                "attended_by": ["甲"],
                "notes": "会同党组书记对局书记进行谈话提醒",
            },
        },
    )
    # (1.2) the talk is on record as a talk notice; the meeting's notes alone are not read
    write_tree(
        root,
        {
            "notices/2014-03/a-talk.yaml": "date: 2014-03-03\nunit: a\nlevel: talk\n"
            "subjects: [局书记]\nby: g1\n"
        },
    )
    out = draft(root, "study", "2014-03-10")
    # all flagged, in 基本情况; those without a reminder talk also a problem and a next step
    assert (
        "差评率达到20.0%的评议对象2个：甲局局书记（2月25日动员大会，20.0%），"
        "已于3月3日谈话提醒；乙局局书记（2月26日动员大会，30.0%），记录中尚无谈话提醒。"
    ) in section(out, "## 一、基本情况")
    problems = section(out, "## 三、存在的问题")
    assert (
        "（三）民主评议反映的问题。乙局局书记在民主评议中差评率达到20.0%，记录中尚无谈话提醒。"
    ) in problems
    assert "甲局局书记" not in problems
    steps = section(out, "## 四、下一步工作")
    assert "对乙局局书记进行谈话提醒" in steps and "甲局局书记" not in steps
    # before the reminder talk was held, it is not on record
    early = draft(root, "study", "2014-03-01")
    assert "甲局局书记（2月25日动员大会，20.0%），记录中尚无谈话提醒" in early


def test_no_subject_flagged_is_said_once(tmp_path: Path) -> None:
    root = tree(
        tmp_path,
        {"a": unit("甲局", 1)},
        **{
            "a-mob": {
                "date": "2014-02-25",
                "unit": "a",
                "kind": "mobilization",
                "attended_by": ["甲"],
                "appraisal": appraisal([8, 2, 0, 0], [8, 2, 0, 0]),
            }
        },
    )
    out = draft(root, "study", "2014-03-10")
    assert (
        "本环节在1个单位的动员大会上开展民主评议1次，收回10张，其中有效10张。各评议对象的差评率均低于20.0%。"
        in out
    )
    assert "民主评议反映的问题" not in out


def test_the_last_phase_compares_before_and_after(tmp_path: Path) -> None:
    def meeting(uid: str, kind: str, day: str, team: list[int]) -> dict[str, object]:
        return {
            "date": day,
            "unit": uid,
            "kind": kind,
            "attended_by": ["甲"],
            "appraisal": appraisal(team, [8, 2, 0, 0]),
        }

    root = tree(
        tmp_path,
        {"a": unit("甲局", 1), "b": unit("乙局", 2), "c": unit("丙局", 3)},
        **{
            "a-mob": meeting("a", "mobilization", "2014-02-25", [6, 2, 2, 0]),
            "a-sum": meeting("a", "summary", "2014-09-20", [9, 1, 0, 0]),
            "b-mob": meeting("b", "mobilization", "2014-02-25", [9, 1, 0, 0]),
            "b-sum": meeting("b", "summary", "2014-09-21", [6, 2, 2, 0]),
            "c-sum": meeting("c", "summary", "2014-09-22", [6, 2, 2, 0]),
        },
    )
    out = draft(root, "summary", "2014-10-10")
    assert (
        "与动员大会时相比，总结大会时2个单位的领导班子好评率上升的1个，下降的1个（乙局），各评议对象前后对比见附件3。"
    ) in out
    assert "| 甲局 | 领导班子 | 80.0% | 100.0% | +20.0 | 0.0% | 0.0% |" in out
    # the last phase looks back over the whole campaign: the study phase's actions
    assert (
        "（一）以前环节的规定动作仍未完成。甲局审定实施方案（学习教育环节，时限2014年2月20日）逾期232天"
        in out
    )
    assert "教育实践活动开展以来，督导组共参加被督导单位会议和督导检查5次" in out
    only_after = tree(
        tmp_path / "2",
        {"a": unit("甲局", 1)},
        **{"a-sum": meeting("a", "summary", "2014-09-20", [9, 1, 0, 0])},
    )
    assert "各单位没有前后两次民主评议的记录，无法对比评议结果的变化。" in draft(
        only_after, "summary", "2014-10-10"
    )


# --- the phase's time: not begun, running, the group's own actions -----------------------


def test_a_phase_not_yet_begun(tmp_path: Path) -> None:
    root = tree(tmp_path, {"a": unit("甲局", 1)})
    result = runner.invoke(
        app, ["report", "--records", str(root), "--phase", "summary", "--as-of", "2014-05-01"]
    )
    assert result.exit_code == 0
    assert "总结评估环节自2014年9月1日开始，截至2014年5月1日尚未开始。" in result.stdout
    assert "尚无督导组参加会议" not in result.stdout
    assert "尚未开始" in result.stderr


def test_the_groups_own_actions(tmp_path: Path) -> None:
    root = tree(tmp_path, {"a": unit("甲局", 1)})
    running = draft(root, "study", "2014-03-20")
    assert "要求于3月31日前完成，目前仍在进行中。" in running
    # 1.2: the summary is itself the group's report of the phase, and never asks for it
    assert "报送第一环节总结" not in running
    late = tree(tmp_path / "late", {"a": unit("甲局", 1)})
    (late / "groups" / "g1.yaml").write_text(
        yaml.safe_dump(
            {
                "name": "第一督导组",
                "leader": "甲",
                "members": ["甲", "乙"],
                "done": {"study_report": {"date": "2014-04-03", "note": "已报"}},
            },
            allow_unicode=True,
        ),
        encoding="utf-8",
    )
    out = draft(late, "study", "2014-04-10")
    assert "督导组于4月3日报送第一环节总结（已报），逾期3天。" in out
    # 1.2: nor lists it, sent late, as a lag of its own
    assert "督导组自身工作未按时完成" not in out


def test_absent_leaders_are_named(tmp_path: Path) -> None:
    root = tree(
        tmp_path,
        {"a": unit("甲局", 1), "b": unit("乙局", 2)},
        **{
            "a-mob": {
                "date": "2014-02-25",
                "unit": "a",
                "kind": "mobilization",
                "attended_by": ["甲"],
                "absent": [{"name": "局书记", "reason": "出差"}],
            },
            "b-mob": {
                "date": "2014-02-26",
                "unit": "b",
                "kind": "mobilization",
                "attended_by": ["甲"],
            },
        },
    )
    out = draft(root, "study", "2014-03-10")
    assert "班子成员缺席的有：甲局局书记（出差）。" in section(out, "## 二、主要做法和成效")
    alone = draft(tree(tmp_path / "2", {"b": unit("乙局", 2)}), "study", "2014-03-10")
    assert "缺席" not in alone


def test_a_phase_drafted_after_its_end_keeps_to_its_findings(tmp_path: Path) -> None:
    findings = [
        {
            "text": "环节内发现",
            "found": "2014-03-01",
            "due": "2014-09-30",
            "resolved": "2014-08-01",
        },
        {"text": "环节后发现", "found": "2014-09-05", "due": "2014-09-30"},
    ]
    root = tree(tmp_path, {"a": unit("甲局", 1, findings=findings)})
    study = draft(root, "study", "2014-10-10")
    assert "已整改到位1个：甲局“环节内发现”（8月1日整改到位）。" in study
    assert "环节后发现" not in study  # the last phase's summary tells it
    last = draft(root, "summary", "2014-10-10")
    assert "督导发现问题2个" in last and "甲局“环节后发现”（9月30日前，已逾期10天）" in last
    # the next phase had begun by then: said so, not "下一环节"
    # (1.2: the overdue 报送第一环节总结 is no step of its own summary: （二）, not （三）)
    assert "（二）“总结评估”环节已于9月1日开始，要求于9月30日前完成，规定动作：" in study
    assert "下一环节" not in study
    early = draft(root, "study", "2014-03-20")
    assert "下一环节为“总结评估”（9月1日至9月30日），规定动作：召开总结大会（9月25日前）。" in early


def test_the_progress_table_has_a_notes_column_only_when_a_record_has_one(tmp_path: Path) -> None:
    plain = draft(
        tree(tmp_path, {"a": unit("甲局", 1, done={"plan": "2014-02-18"})}), "study", "2014-03-05"
    )
    assert "| 单位 | 规定动作 | 时限 | 完成情况 |\n" in plain
    noted = tree(
        tmp_path / "2",
        {"a": unit("甲局", 1, done={"plan": {"date": "2014-02-18", "note": "书记审定"}})},
    )
    out = draft(noted, "study", "2014-03-05")
    assert "| 单位 | 规定动作 | 时限 | 完成情况 | 说明 |\n" in out
    assert "| 甲局 | 审定实施方案 | 2014年2月20日 | 按时完成（2月18日） | 书记审定 |" in out
    assert "（一）督促规定动作落实。甲局审定实施方案，书记审定。" in out
