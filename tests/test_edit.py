"""Editing record files in place (``duchu.records.edit``), as ``duchu import`` does: each kind
of change gives exactly the expected lines, every other line stays byte for byte, any text
comes back as itself, a change to the same value changes nothing, and a path through a
value that is no mapping or list is an ``EditConflict``."""

from __future__ import annotations

import copy
import difflib
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from duchu.cli.app import app
from duchu.records.edit import (
    EditConflict,
    FieldChange,
    edit_record_text,
    fingerprint,
    new_record_text,
    shown_path,
)
from tests.conftest import BASE, SAMPLE, copy_tree

UNIT = (SAMPLE / "units" / "guihua.yaml").read_text(encoding="utf-8")
GROUP = (SAMPLE / "groups" / "g1.yaml").read_text(encoding="utf-8")
MEETING = (BASE / "meetings" / "2014-02" / "a-mob.yaml").read_text(encoding="utf-8")
VISIT = (SAMPLE / "meetings" / "2014-04" / "gongan-visit.yaml").read_text(encoding="utf-8")

# A unit as a clerk keeps it by hand: comments above, beside and after entries, blank lines,
# quoted values, an indentless list, a block literal, no line break at the end.
COMMENTED = """\
# 市发改委 —— 第二督导组联系
name: 市发展和改革委员会
short: "市发改委"   # 表格里用
group: g2
category: 综合部门

leaders:
- {name: 吴某, post: 党组书记、主任}
- {name: 徐某, post: 党组成员、副主任}   # 分管
done:
  plan: 2014-02-24   # 方案已报
  # 征求意见
  opinions: {date: 2014-04-09, note: 发放征求意见表120份}
  # 督导组审核后补
findings:
  - id: opinions-few
    text: |
      民主评议征求到的“四风”方面问题偏少
      需再次征求
    found: 2014-03-05
    owner: 吴某
    due: 4月中旬
# 文件结束"""


def C(*keys: str | int, value: object) -> FieldChange:
    return FieldChange(tuple(keys), value)


def diff(before: str, after: str) -> list[str]:
    """The changed lines, ``-`` old and ``+`` new, without the hunk headers."""
    lines = difflib.unified_diff(before.splitlines(True), after.splitlines(True), n=0)
    return [line.rstrip("\n") for line in lines if line[:1] in "+-" and line[:3] not in "+++---"]


def edited(before: str, *changes: FieldChange) -> list[str]:
    after = edit_record_text(before, changes)
    assert edit_record_text(after, changes) == after  # applying again changes nothing
    return diff(before, after)


# --- golden diffs, one kind of change each ------------------------------------------------


def test_a_date_in_place() -> None:
    assert edited(UNIT, C("done", "plan", value=date(2014, 3, 1))) == [
        "-  plan: 2014-02-27",
        "+  plan: 2014-03-01",
    ]


def test_a_short_done_entry_widens_for_a_note() -> None:
    expected = ["-  plan: 2014-02-27", "+  plan: {date: 2014-02-27, note: 经督导组审核通过}"]
    assert edited(UNIT, C("done", "plan", "note", value="经督导组审核通过")) == expected
    whole = {"date": date(2014, 2, 27), "note": "经督导组审核通过"}
    assert edited(UNIT, C("done", "plan", value=whole)) == expected


def test_a_note_inside_a_flow_mapping() -> None:
    assert edited(UNIT, C("done", "rect_plan", "note", value="第二稿通过")) == [
        "-  rect_plan: {date: 2014-07-15, note: 整改方案第一稿未列责任领导，退回修改}",
        "+  rect_plan: {date: 2014-07-15, note: 第二稿通过}",
    ]
    assert edited(UNIT, C("done", "rect_plan", "note", value=None)) == [
        "-  rect_plan: {date: 2014-07-15, note: 整改方案第一稿未列责任领导，退回修改}",
        "+  rect_plan: {date: 2014-07-15}",
    ]


def test_a_date_inside_a_flow_mapping_on_one_line() -> None:
    text = "name: 甲\ngroup: g1\ndone: {plan: 2014-02-17, talks: 2014-03-01}\n"
    assert edited(text, C("done", "plan", value=date(2014, 2, 18))) == [
        "-done: {plan: 2014-02-17, talks: 2014-03-01}",
        "+done: {plan: 2014-02-18, talks: 2014-03-01}",
    ]
    assert edited(text, C("done", "rules", value=date(2014, 8, 1))) == [
        "-done: {plan: 2014-02-17, talks: 2014-03-01}",
        "+done: {plan: 2014-02-17, talks: 2014-03-01, rules: 2014-08-01}",
    ]
    assert edited(text, C("done", "plan", value=None)) == [
        "-done: {plan: 2014-02-17, talks: 2014-03-01}",
        "+done: {talks: 2014-03-01}",
    ]


def test_a_new_key_goes_to_the_end_of_its_mapping() -> None:
    assert edited(UNIT, C("done", "rules", value=date(2014, 8, 29))) == ["+  rules: 2014-08-29"]
    after = edit_record_text(UNIT, [C("done", "rules", value=date(2014, 8, 29))])
    assert after.splitlines()[18] == "  rules: 2014-08-29"  # after summary_report, in done


def test_a_missing_mapping_is_created() -> None:
    assert edited(UNIT, C("waived", "talks", value="班子成员仅一人")) == [
        "+waived:",
        "+  talks: 班子成员仅一人",
    ]
    assert edited(MEETING, C("completes", value=["plan"])) == ["+completes: [plan]"]


def test_removing_a_key_and_an_emptied_mapping() -> None:
    assert edited(UNIT, C("done", "talks", value=None)) == ["-  talks: 2014-05-28"]
    assert edited(MEETING, C("appraisal", "counts", "李某", "好", value=None)) == [
        "-    李某: {好: 8}"
    ]
    base_unit = (BASE / "units" / "a.yaml").read_text(encoding="utf-8")
    assert edited(base_unit, C("done", "plan", value=None)) == ["-done:", "-  plan: 2014-02-15"]


def test_a_finding_resolved_and_a_new_finding() -> None:
    assert edited(UNIT, C("findings", 1, "resolved", value=date(2014, 9, 30))) == [
        "+    resolved: 2014-09-30"
    ]
    finding = {
        "id": "window-2",
        "text": "窗口审批\n时限长",
        "found": date(2014, 5, 1),
        "owner": "许某",
        "due": "9月底",
    }
    assert edited(UNIT, C("findings", 2, value=finding)) == [
        "+  - id: window-2",
        "+    text: |-",
        "+      窗口审批",
        "+      时限长",
        "+    found: 2014-05-01",
        "+    owner: 许某",
        "+    due: 9月底",
    ]


def test_meeting_fields() -> None:
    assert edited(
        VISIT,
        C("attended_by", value=["曾某", "田某", "彭某"]),
        C("people", value=20),
        C("title", value="督导检查市公安局征求意见情况（二）"),
    ) == [
        "-title: 督导检查市公安局征求意见情况",
        "-attended_by: [曾某, 田某]",
        "-people: 16",
        "+title: 督导检查市公安局征求意见情况（二）",
        "+attended_by: [曾某, 田某, 彭某]",
        "+people: 20",
    ]
    assert edited(VISIT, C("notes", value="座谈会一次")) == [
        "-notes: |",
        "-  召开基层所队民警和群众代表座谈会，听取意见16人次；个别所队执法“冷硬横推”问题有反映。",
        "+notes: 座谈会一次",
    ]
    assert edited(VISIT, C("absent", 0, value={"name": "邵某", "reason": "出差"})) == [
        "+absent:",
        "+  - {name: 邵某, reason: 出差}",
    ]


def test_appraisal_counts() -> None:
    assert edited(MEETING, C("appraisal", "counts", "王某", "好", value=7)) == [
        "-    王某: {好: 6, 差: 2}",
        "+    王某: {好: 7, 差: 2}",
    ]
    assert edited(MEETING, C("appraisal", "counts", "王某", "一般", value=1)) == [
        "-    王某: {好: 6, 差: 2}",
        "+    王某: {好: 6, 差: 2, 一般: 1}",
    ]
    assert edited(MEETING, C("appraisal", "returned", value=10)) == [
        "-  returned: 9",
        "+  returned: 10",
    ]
    counts = {"好": 20, "较好": 3}
    assert edited(
        VISIT, C("appraisal", value={"returned": 23, "counts": {"领导班子": counts}})
    ) == [
        "+appraisal:",
        "+  returned: 23",
        "+  counts:",
        "+    领导班子: {好: 20, 较好: 3}",
    ]


def test_a_group_done_entry() -> None:
    assert edited(GROUP, C("done", "report_study", "date", value=date(2014, 4, 16))) == [
        "-  report_study: {date: 2014-04-15, note: 已报市委活动办}",
        "+  report_study: {date: 2014-04-16, note: 已报市委活动办}",
    ]
    after = edit_record_text(GROUP, [C("done", "report_final", value=None)])
    assert after.startswith("# 市委第一督导组（")  # the leading comment stays
    assert diff(GROUP, after) == [
        "-  report_final: {date: 2014-10-08, note: 督导工作总结已报市委活动办}"
    ]


def test_comments_blank_lines_and_quotes_stay() -> None:
    assert edited(
        COMMENTED,
        C("done", "plan", value=date(2014, 2, 25)),
        C("done", "talks", value=date(2014, 5, 22)),
        C("short", value="发改委"),
        C("leaders", 2, value={"name": "朱某", "post": "党组成员"}),
        C("findings", 0, "resolved", value=date(2014, 4, 16)),
    ) == [
        '-short: "市发改委"   # 表格里用',
        '+short: "发改委"   # 表格里用',
        "+- {name: 朱某, post: 党组成员}",  # in the list's own indentation
        "-  plan: 2014-02-24   # 方案已报",
        "+  plan: 2014-02-25   # 方案已报",
        "+  talks: 2014-05-22",  # after the comment that ends done
        "+    resolved: 2014-04-16",  # before the comment at the top level
    ]
    after = edit_record_text(COMMENTED, [C("findings", 0, "resolved", value=date(2014, 4, 16))])
    assert after.endswith("    resolved: 2014-04-16\n# 文件结束")


def test_a_file_without_a_final_line_break() -> None:
    text = "name: 甲\ngroup: g1"
    assert (
        edit_record_text(text, [C("category", value="市直")])
        == "name: 甲\ngroup: g1\ncategory: 市直\n"
    )
    assert edit_record_text(text, [C("group", value="g2")]) == "name: 甲\ngroup: g2"


def test_crlf_and_byte_order_mark_stay() -> None:
    text = (
        "\ufeff# 头\r\nname: 甲\r\ngroup: g1\r\ndone:\r\n  plan: 2014-02-17\r\n"
        "notes: |\r\n  一\r\n  二\r\n"
    )
    after = edit_record_text(
        text,
        [
            C("done", "plan", "note", value="补"),
            C("done", "talks", value=date(2014, 3, 3)),
            C("waived", value={"rules": "无"}),
            C("notes", value="三\n四"),
        ],
    )
    assert after == (
        "\ufeff# 头\r\nname: 甲\r\ngroup: g1\r\ndone:\r\n  plan: {date: 2014-02-17, note: 补}\r\n"
        "  talks: 2014-03-03\r\nnotes: |-\r\n  三\r\n  四\r\nwaived:\r\n  rules: 无\r\n"
    )
    assert "\n" not in after.replace("\r\n", "")


def test_empty_value_takes_a_mapping() -> None:
    text = "name: 甲\ngroup: g1\ndone:   # 待填\nfindings: []\n"
    assert edited(text, C("done", "plan", value=date(2014, 2, 17))) == [
        "-done:   # 待填",
        "+done:",
        "+  plan: 2014-02-17",
    ]
    assert edited(text, C("findings", 0, value={"id": "x", "text": "问题"})) == [
        "-findings: []",
        "+findings: [{id: x, text: 问题}]",
    ]


def test_setting_the_same_value_changes_nothing() -> None:
    same = [
        C("done", "plan", value=date(2014, 2, 27)),
        C(
            "done",
            "rect_plan",
            value={"date": date(2014, 7, 15), "note": "整改方案第一稿未列责任领导，退回修改"},
        ),
        C("leaders", 0, "name", value="许某"),
        C("order", value=7),
        C("waived", "talks", value=None),
        C("findings", 0, "resolved", value=None),
    ]
    assert edit_record_text(UNIT, same) == UNIT
    chinese = "name: 甲\ngroup: g1\ndone:\n  plan: 2014年2月17日\n"
    assert edit_record_text(chinese, [C("done", "plan", value=date(2014, 2, 17))]) == chinese
    assert edit_record_text(COMMENTED, [C("short", value="市发改委")]) == COMMENTED


def test_text_that_yaml_would_read_otherwise_is_quoted() -> None:
    for text in ["no", "010", "1:30", "2014-03-18", "# x", ": x", " 前后空格 ", "null", "~", "[a]"]:
        after = edit_record_text(UNIT, [C("done", "plan", "note", value=text)])
        assert yaml.safe_load(after)["done"]["plan"]["note"] == text
        after = edit_record_text(UNIT, [C("category", value=text)])
        assert yaml.safe_load(after)["category"] == text


def test_text_with_line_breaks_beside_blank_lines_and_deep_comments() -> None:
    # a block literal would take in the deeper comment line: the text goes in quotes
    text = "a: 1\nb: x\n      # 深注释\nc: 2\n"
    assert edited(text, C("b", value="一\n二")) == ["-b: x", '+b: "一\\n二"']
    # text ending in blank lines is never `|+`, which would take in the blank line after it
    text = "a: 1\nb: x\n\nc: 2\n"
    for value in ["\n", "一\n\n", "一\n", "\n\n二"]:
        after = edit_record_text(text, [C("b", value=value)])
        assert yaml.safe_load(after)["b"] == value
        assert after.endswith("\n\nc: 2\n")


def test_a_mapping_in_a_flow_list_keeps_its_braces() -> None:
    text = "name: 甲\ngroup: g1\nabsent: [{name: 王某, reason: 出差}]\n"
    assert edited(text, C("absent", 1, value={"name": "李某"})) == [
        "-absent: [{name: 王某, reason: 出差}]",
        "+absent: [{name: 王某, reason: 出差}, {name: 李某}]",
    ]


@pytest.mark.parametrize(
    ("keys", "named"),
    [
        (("name", "x"), "name.x"),
        (("leaders", "name"), "leaders.name"),
        (("done", 0), "done[0]"),
        (("findings", 5, "resolved"), "findings[5]"),
        (("done", "plan", "when"), "done.plan.when"),
    ],
)
def test_a_path_through_a_value_conflicts(keys: tuple[str | int, ...], named: str) -> None:
    with pytest.raises(EditConflict) as raised:
        edit_record_text(UNIT, [FieldChange(keys, "x")])
    assert str(raised.value).startswith(named)
    assert raised.value.keys[: len(keys)] == keys[: len(raised.value.keys)]


def test_other_conflicts() -> None:
    with pytest.raises(EditConflict):
        edit_record_text("- a\n- b\n", [C("name", value="x")])
    with pytest.raises(EditConflict):
        edit_record_text("name: [\n", [C("name", value="x")])
    with pytest.raises(EditConflict):
        edit_record_text("name: 甲\n", [C("name", value=None)])
    with pytest.raises(EditConflict, match="alias"):
        edit_record_text("a: &x {p: 1}\nb: *x\n", [C("b", "p", value=2)])
    with pytest.raises(TypeError):
        edit_record_text(UNIT, [C("order", value=1.5)])
    assert shown_path(("findings", 2, "resolved")) == "findings[2].resolved"


def test_an_empty_file_gets_its_keys() -> None:
    assert edit_record_text("", [C("name", value="甲")]) == "name: 甲\n"
    assert edit_record_text("# 新\n", [C("done", "plan", value=date(2014, 2, 17))]) == (
        "# 新\ndone:\n  plan: 2014-02-17\n"
    )


def test_fingerprint() -> None:
    assert fingerprint("name: 甲\n") == fingerprint("name: 甲\n".encode())
    assert len(fingerprint(UNIT)) == 16
    assert fingerprint(UNIT) != fingerprint(UNIT + "\n")


# --- new records ----------------------------------------------------------------------------


def test_new_record_text() -> None:
    data = {
        "date": date(2014, 4, 15),
        "unit": "gongan",
        "kind": "visit",
        "title": "督导检查市公安局",
        "attended_by": ["曾某", "田某"],
        "absent": [{"name": "邵某", "reason": "出差"}],
        "people": 16,
        "notes": "召开座谈会\n听取意见",
        "appraisal": {"returned": 9, "counts": {"领导班子": {"好": 5, "差": 1}}},
    }
    assert new_record_text(data, comment="由 duchu import 写入") == (
        "# 由 duchu import 写入\n"
        "date: 2014-04-15\n"
        "unit: gongan\n"
        "kind: visit\n"
        "title: 督导检查市公安局\n"
        "attended_by: [曾某, 田某]\n"
        "absent:\n"
        "  - {name: 邵某, reason: 出差}\n"
        "people: 16\n"
        "notes: |-\n"
        "  召开座谈会\n"
        "  听取意见\n"
        "appraisal:\n"
        "  returned: 9\n"
        "  counts:\n"
        "    领导班子: {好: 5, 差: 1}\n"
    )


# --- properties ---------------------------------------------------------------------------

# Text a cell may hold: any printable characters, line breaks included, no other control.
TEXT = st.text(
    st.characters(blacklist_categories=("Cc", "Cs"), blacklist_characters="\ufeff") | st.just("\n"),
    max_size=40,
)
# (the file, a path into it, how many of its lines the value there takes)
WHERE = st.sampled_from(
    [
        (UNIT, ("done", "plan", "note"), 1),  # widens a short date
        (UNIT, ("done", "rect_plan", "note"), 1),  # inside a flow mapping
        (UNIT, ("category",), 1),  # a top-level value
        (UNIT, ("findings", 0, "text"), 1),  # in a list item
        (UNIT, ("findings", 2, "text"), 0),  # a new list item
        (UNIT, ("waived", "talks"), 0),  # a new mapping
        (UNIT, ("leaders", 1, "post"), 1),  # inside a flow mapping in a list
        (UNIT, ("notes",), 0),  # a new top-level key
        (VISIT, ("notes",), 2),  # a block literal replaced
        (VISIT, ("attended_by", 1), 1),  # an item of a flow list
        (VISIT, ("attended_by", 2), 1),  # appended to a flow list
        (COMMENTED, ("short",), 1),  # in quotes, a comment beside it
        (COMMENTED, ("findings", 0, "text"), 3),  # a block literal in a list item
        (COMMENTED, ("leaders", 2, "post"), 0),  # a new item of an indentless list
        (COMMENTED, ("done", "opinions", "note"), 1),
        (GROUP, ("done", "report_final", "note"), 1),
        (MEETING, ("appraisal", "counts", "赵某", "好"), 0),  # a new subject
    ]
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(where=WHERE, text=TEXT, crlf=st.booleans(), bom=st.booleans())
def test_any_text_reads_back_and_other_lines_stay(
    where: tuple[str, tuple[str | int, ...], int], text: str, crlf: bool, bom: bool
) -> None:
    before, keys, lines = where
    before = ("\ufeff" if bom else "") + (before.replace("\n", "\r\n") if crlf else before)
    after = edit_record_text(before, [FieldChange(keys, text)])
    value: object = yaml.safe_load(after)
    for key in keys:
        value = value[key]  # type: ignore[index]
    assert value == text
    assert edit_record_text(after, [FieldChange(keys, text)]) == after
    assert_one_place(before, after, removed=lines)
    assert after.startswith("\ufeff") == bom
    assert ("\n" in after.replace("\r\n", "")) != crlf


def assert_one_place(before: str, after: str, removed: int) -> None:
    """``after`` is ``before`` but for one run of lines, of which at most ``removed`` of
    ``before``'s: every other line byte for byte, line breaks included."""
    old, new = before.split("\n"), after.split("\n")
    opcodes = difflib.SequenceMatcher(None, old, new, autojunk=False).get_opcodes()
    places = [op for op in opcodes if op[0] != "equal"]
    assert len(places) <= 1
    for _, old_start, old_end, _, _ in places:
        assert old_end - old_start <= removed


@settings(max_examples=60, deadline=None)
@given(subject=TEXT.filter(lambda s: s != ""), rating=st.sampled_from(["好", "较好", "一般", "差"]))
def test_any_subject_name_is_a_key_that_reads_back(subject: str, rating: str) -> None:
    after = edit_record_text(MEETING, [FieldChange(("appraisal", "counts", subject, rating), 3)])
    assert yaml.safe_load(after)["appraisal"]["counts"][subject][rating] == 3
    assert_one_place(MEETING, after, removed=0)  # appended: nothing of the old changed


@settings(max_examples=60, deadline=None)
@given(
    data=st.dictionaries(
        st.from_regex(r"[a-z_]{1,8}", fullmatch=True),
        TEXT | st.integers(0, 999) | st.dates() | st.lists(TEXT, max_size=3),
        min_size=1,
        max_size=5,
    )
)
def test_new_records_read_back(data: dict[str, object]) -> None:
    assert yaml.safe_load(new_record_text(data)) == data


# --- a record edited still passes check -----------------------------------------------------


def test_edited_sample_passes_check(tmp_path: Path) -> None:
    root = copy_tree(SAMPLE, tmp_path / "records")
    changes = {
        "units/guihua.yaml": [
            C("done", "plan", "note", value="经督导组审核通过"),
            C("done", "rules", value=date(2014, 8, 29)),
            C("waived", "opinions", value="已在动员大会前完成"),
            C("findings", 1, "resolved", value=date(2014, 9, 28)),
        ],
        "groups/g1.yaml": [C("done", "report_study", "note", value=None)],
        "meetings/2014-04/gongan-visit.yaml": [
            C("attended_by", value=["曾某"]),
            C("people", value=18),
        ],
    }
    for name, file_changes in changes.items():
        path = root / name
        raw = path.read_bytes().decode("utf-8")
        path.write_bytes(edit_record_text(raw, file_changes).encode("utf-8"))
    result = CliRunner().invoke(app, ["check", "--records", str(root)])
    assert result.exit_code == 0, result.stdout


def leaf_paths(data: object, path: tuple[str | int, ...] = ()) -> list[tuple[str | int, ...]]:
    if isinstance(data, dict):
        return [p for key, item in data.items() for p in leaf_paths(item, (*path, key))]
    if isinstance(data, list):
        return [p for index, item in enumerate(data) for p in leaf_paths(item, (*path, index))]
    return [path]


def removed_from(data: object, path: tuple[str | int, ...]) -> object:
    """``data`` without ``path``, and without a mapping or list that leaves empty."""
    holder: Any = data
    for key in path[:-1]:
        holder = holder[key]
    del holder[path[-1]]
    if not holder and len(path) > 1:
        return removed_from(data, path[:-1])
    return data


@pytest.mark.parametrize("name", ["UNIT", "COMMENTED", "MEETING", "VISIT", "GROUP"])
@pytest.mark.parametrize("crlf", [False, True])
def test_every_leaf_changed_and_removed(name: str, crlf: bool) -> None:
    before: str = globals()[name]
    before = before.replace("\n", "\r\n") if crlf else before
    data = yaml.safe_load(before)
    for path in leaf_paths(data):
        old = data
        for key in path:
            old = old[key]
        new: object = date(2015, 1, 2) if isinstance(old, date) else "改 过"
        new = 99 if isinstance(old, int) else new
        after = edit_record_text(before, [FieldChange(path, new)])
        expected = copy.deepcopy(data)
        holder = expected
        for key in path[:-1]:
            holder = holder[key]
        holder[path[-1]] = new
        assert yaml.safe_load(after) == expected, path
        assert_one_place(before, after, removed=3)
        if len(data) == 1 and len(path) == 1:
            continue
        try:
            after = edit_record_text(before, [FieldChange(path, None)])
        except EditConflict:
            assert len(path) == 1 or all(len(p) == 1 for p in leaf_paths(data))
            continue
        assert yaml.safe_load(after) == removed_from(copy.deepcopy(data), path), path
        assert_one_place(before, after, removed=3)
