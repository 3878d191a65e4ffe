"""Scaffolding an activity office's own tree: ``init --empty``, ``new group``, ``new unit``
and ``new meeting`` write records that ``check`` passes and that read back as exactly the
text given -- whatever YAML would make of it pasted into a template."""

from __future__ import annotations

import itertools
import shutil
from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner, Result

from duchu.cli.app import app
from duchu.records.identity import invisible_in
from duchu.records.load import load_tree
from duchu.records.parse import load_file
from duchu.records.write import new_group
from tests.conftest import SAMPLE, copy_tree

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
runner = CliRunner()

# Text that means something else to YAML when written plain after "key: ", and text that
# looks like another type to YAML 1.1.
HOSTILE = [
    "[试点] 市委第一督导组",
    "督导组: 第一",
    "第一组 #1",
    "#第一组",
    "*第一组",
    "&第一组",
    "!第一组",
    "!!python/object:os.system",
    "'第一组'",
    '"第一组"',
    "它's",
    "- 第一组",
    "-",
    "{第一组}",
    "第一组, 第二组",
    "| 第一组",
    "> 第一组",
    "% 第一组",
    "@第一组",
    "`第一组`",
    "? 第一组",
    " 前后有空格 ",
    "yes",
    "No",
    "null",
    "~",
    "010",
    "0x32",
    "1_0",
    "1:30",
    "1e3",
    ".inf",
    "2014-02-28",
    "2014年2月28日",
    "第一组\\n第二组",
    "市委第一督导组（含机关后勤服务中心）",
    "ＡＢＣ：全角",
    "\u00a0不换行空格",
    "第一组\u2028第二组",
    "\ufeff第一组",
]


def run(*args: str) -> Result:
    return runner.invoke(app, list(args))


@pytest.fixture
def office(tmp_path: Path) -> Path:
    """A records tree as ``init --empty`` starts it: the campaign and nothing else."""
    root = tmp_path / "活动办记录"
    result = run("init", str(root), "--empty")
    assert result.exit_code == 0, result.output
    return root


def files_under(root: Path) -> list[str]:
    return sorted(p.relative_to(root).as_posix() for p in root.rglob("*") if ".git" not in p.parts)


# --- init --empty ----------------------------------------------------------------------------


def test_init_empty_writes_the_campaign_alone_and_check_passes(office: Path) -> None:
    assert files_under(office) == [".gitignore", "campaign.yaml"]
    assert (office / ".git" / "hooks" / "pre-commit").is_file()
    tree = load_tree(office)
    assert tree.problems == []
    assert (tree.groups, tree.units, tree.meetings) == ({}, {}, {})
    assert tree.campaign is not None and [p.id for p in tree.campaign.phases] == [
        "study",
        "criticism",
    ]
    checked = run("check", "--records", str(office))
    assert checked.exit_code == 0 and checked.stdout.startswith("0 个问题")


def test_init_empty_says_what_to_do_next_in_either_language(tmp_path: Path) -> None:
    zh = run("init", str(tmp_path / "zh"), "--empty")
    assert "下一步" in zh.stdout and "编辑 campaign.yaml" in zh.stdout
    assert "duchu new group g1" in zh.stdout and "duchu new unit" in zh.stdout
    en = run("init", str(tmp_path / "en"), "--empty", "--lang", "en")
    assert en.exit_code == 0
    assert "next:" in en.stdout and "edit campaign.yaml" in en.stdout and "下一步" not in en.stdout
    full = run("init", str(tmp_path / "full"))
    assert "duchu new group" not in full.stdout  # the example tree has its group already


def test_init_empty_refuses_a_folder_with_records(office: Path) -> None:
    before = (office / "campaign.yaml").read_bytes()
    again = run("init", str(office), "--empty")
    assert again.exit_code == 2 and "已经有记录" in again.stderr
    assert (office / "campaign.yaml").read_bytes() == before


# --- new group ---------------------------------------------------------------------------------


def test_new_group_round_trips_and_check_passes(office: Path) -> None:
    made = run(
        "new",
        "group",
        "g1",
        "--name",
        "市委第一督导组",
        "--leader",
        "蒋某",
        "--members",
        "蒋某,沈某,曹某,彭某",
        "--order",
        "1",
        "--records",
        str(office),
    )
    assert made.exit_code == 0, made.output
    assert made.stdout.strip().endswith("groups/g1.yaml") and made.stderr == ""
    text = (office / "groups" / "g1.yaml").read_text(encoding="utf-8")
    assert text.startswith(
        "name: 市委第一督导组\nleader: 蒋某\nmembers: [蒋某, 沈某, 曹某, 彭某]\n"
    )
    assert "\norder: 1\n" in text
    tree = load_tree(office)
    assert tree.problems == []
    group = tree.groups["g1"]
    assert (group.name, group.leader, group.members, group.order) == (
        "市委第一督导组",
        "蒋某",
        ["蒋某", "沈某", "曹某", "彭某"],
        1,
    )


def test_the_leader_is_made_a_member_first(office: Path) -> None:
    run("new", "group", "g3", "--name", "市委第三督导组", "--leader", "曾某",
        "--members", " 萧某，田某、萧某 ", "--records", str(office))  # fmt: skip
    run("new", "group", "g4", "--name", "市委第四督导组", "--leader", "马某",
        "--records", str(office))  # fmt: skip
    run("new", "group", "g5", "--name", "市委第五督导组", "--leader", "牛某",
        "--members", "羊某,牛某", "--records", str(office))  # fmt: skip
    groups = load_tree(office).groups
    assert groups["g3"].members == ["曾某", "萧某", "田某"]  # Chinese separators, once each
    assert groups["g4"].members == ["马某"]
    assert groups["g5"].members == ["羊某", "牛某"]  # listed: left where it was given


def test_new_group_never_overwrites(office: Path) -> None:
    args = ["new", "group", "g1", "--name", "市委第一督导组", "--leader", "蒋某"]
    assert run(*args, "--records", str(office)).exit_code == 0
    path = office / "groups" / "g1.yaml"
    path.write_text(path.read_text(encoding="utf-8") + "# 已改\n", encoding="utf-8")
    before = path.read_bytes()
    again = run(*args[:3], "--name", "另一个组", "--leader", "某某", "--records", str(office))
    assert again.exit_code == 2 and "已存在，不会覆盖" in again.stderr
    assert "--name" not in again.stderr  # the meeting hint does not apply: the id is the name
    assert path.read_bytes() == before


@pytest.mark.parametrize("bad", ["../g1", "g1/x", "g 1", "g1!", ".g", "a\x07b", "g1.yaml/", "组#1"])
def test_new_group_refuses_a_bad_id(office: Path, bad: str) -> None:
    before = files_under(office)
    result = run("new", "group", bad, "--name", "组", "--leader", "某", "--records", str(office))
    assert result.exit_code == 2
    assert "不能作 id" in result.stderr and len(result.stderr.strip().splitlines()) == 1
    assert files_under(office) == before


def test_a_chinese_id_is_an_id(office: Path) -> None:
    result = run("new", "group", "第一组", "--name", "市委第一督导组", "--leader", "蒋某",
                 "--records", str(office))  # fmt: skip
    assert result.exit_code == 0, result.output
    assert load_tree(office).groups["第一组"].name == "市委第一督导组"


@pytest.mark.parametrize("name", HOSTILE)
def test_new_group_writes_any_name_as_given(office: Path, name: str) -> None:
    members = f"{name}甲,乙{name}"
    if invisible_in(name):  # RECORDS.md 1.2: blank-name, refused by new as check would
        result = run("new", "group", "g1", "--name", name, "--leader", "张某",
                     "--records", str(office))  # fmt: skip
        assert result.exit_code != 0 and invisible_in(name) in result.output  # type: ignore[operator]
        assert not (office / "groups" / "g1.yaml").exists()
        return
    result = run("new", "group", "g1", "--name", name, "--leader", name, "--members", members,
                 "--records", str(office))  # fmt: skip
    assert result.exit_code == 0, result.output
    tree = load_tree(office)
    assert [p for p in tree.problems if p.severity == "error"] == []
    group = tree.groups["g1"]
    assert group.name == name and group.leader == name
    assert group.members == [name, *(m.strip() for m in members.split(","))]


@pytest.mark.parametrize(
    ("option", "value", "words"),
    [
        ("--name", "第一\x07组", "U+0007"),
        ("--name", "第一\n组", "U+000A"),
        ("--name", "第一\t组", "U+0009"),
        ("--name", "abc\u202edcba", "U+202E"),
        ("--leader", "蒋\u2066某", "U+2066"),
        ("--leader", "蒋\x85某", "U+0085"),
        ("--members", "沈某,曹\x7f某", "U+007F"),
        ("--name", "", "不能为空"),
        ("--leader", "  ", "不能为空"),
        ("--members", " , 、", "不能为空"),
    ],
)
def test_new_group_refuses_text_check_would_refuse(
    office: Path, option: str, value: str, words: str
) -> None:
    given = {"--name": "市委第一督导组", "--leader": "蒋某", option: value}
    args = [x for pair in given.items() for x in pair]
    result = run("new", "group", "g1", *args, "--records", str(office))
    assert result.exit_code == 2 and words in result.stderr and option in result.stderr
    assert not (office / "groups" / "g1.yaml").exists()


def test_new_group_refuses_a_name_another_group_has(tmp_path: Path) -> None:
    sample = copy_tree(SAMPLE, tmp_path / "records")
    result = run("new", "group", "g9", "--name", "市委第二督导组", "--leader", "某某",
                 "--records", str(sample))  # fmt: skip
    assert result.exit_code == 2 and "已被 g2 使用" in result.stderr
    assert not (sample / "groups" / "g9.yaml").exists()


_ids = itertools.count()


@given(
    st.text(
        st.characters(
            blacklist_categories=("Cs",),  # no lone surrogates: not text at all
            blacklist_characters=[
                *map(chr, range(0x20)),
                *map(chr, range(0x7F, 0xA0)),
                *map(chr, range(0x202A, 0x202F)),
                *map(chr, range(0x2066, 0x206A)),
            ],
        ),
        min_size=1,
        max_size=24,
    )
    .filter(str.strip)
    .filter(lambda text: invisible_in(text) is None)  # RECORDS.md 1.2: blank-name
)
@settings(max_examples=200, deadline=None)
def test_any_allowed_text_reads_back_exactly(
    tmp_path_factory: pytest.TempPathFactory, text: str
) -> None:
    """Property: whatever ``check`` allows in a name, ``new`` writes so that it reads back
    as exactly that text."""
    root = _property_tree(tmp_path_factory)
    tree = load_tree(root)
    number = next(_ids)
    group_id = f"g{number}"
    # one tree serves every example, and hypothesis may draw a text twice: the name gets a
    # number, since two groups may not share a name (the text itself is kept whole)
    name = f"{text}{number}"
    written = new_group(tree, group_id, name, text, [f"{text}甲"])
    result = load_file(root, written.rel)
    assert result.problems == []
    assert result.record is not None
    assert (result.record.name, result.record.leader, result.record.members) == (
        name,
        text,
        [text, f"{text}甲"],
    )


_property_root: list[Path] = []


def _property_tree(factory: pytest.TempPathFactory) -> Path:
    """One empty office tree for every example of the property (each writes a new id)."""
    if not _property_root:
        root = factory.mktemp("property") / "records"
        assert run("init", str(root), "--empty").exit_code == 0
        _property_root.append(root)
    return _property_root[0]


def test_what_would_not_read_back_is_never_written(
    office: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The guards behind the emitter: text that reads back as other data is refused before
    it is written; a file that reads back otherwise from the disk is removed again."""
    import duchu.records.parse
    import duchu.records.write
    from duchu.errors import ScaffoldError

    tree = load_tree(office)
    with monkeypatch.context() as patched:  # an emitter that pasted the name in plain
        patched.setattr(duchu.records.write, "render", lambda items: ("name: [x\n", {"name": "[x"}))
        with pytest.raises(ScaffoldError) as refused:
            new_group(tree, "g1", "[x", "某")
    assert refused.value.key == "scaffold-unreadable"
    assert not (office / "groups" / "g1.yaml").exists()

    real = duchu.records.parse.load_file

    def misread(root: Path, rel: str) -> duchu.records.parse.FileResult:
        result = real(root, rel)
        return duchu.records.parse.FileResult(rel, None, result.problems)

    monkeypatch.setattr(duchu.records.parse, "load_file", misread)
    with pytest.raises(ScaffoldError) as removed:
        new_group(tree, "g1", "市委第一督导组", "蒋某")
    assert removed.value.key == "scaffold-unreadable"
    assert not (office / "groups" / "g1.yaml").exists()


# --- new unit ----------------------------------------------------------------------------------


@pytest.fixture
def sample(tmp_path: Path) -> Path:
    return copy_tree(SAMPLE, tmp_path / "records")


def test_new_unit_with_a_name(sample: Path) -> None:
    result = run("new", "unit", "minzheng", "--group", "g1", "--name", "市民政局",
                 "--short", "民政局", "--order", "5", "--category", "窗口服务单位",
                 "--records", str(sample))  # fmt: skip
    assert result.exit_code == 0, result.output
    assert result.stderr == ""  # nothing to say: the unit has its name
    tree = load_tree(sample)
    assert [p for p in tree.problems if p.severity == "error"] == []
    unit = tree.units["minzheng"]
    assert (unit.name, unit.short, unit.order, unit.group, unit.category) == (
        "市民政局",
        "民政局",
        5,
        "g1",
        "窗口服务单位",
    )


def test_new_unit_without_a_name_says_so(sample: Path) -> None:
    result = run("new", "unit", "minzheng", "--group", "g1", "--records", str(sample))
    assert result.exit_code == 0, result.output
    assert result.stdout.strip().endswith("units/minzheng.yaml")
    [note] = result.stderr.strip().splitlines()
    assert "--name" in note and "'minzheng'" in note and "units/minzheng.yaml" in note
    assert load_tree(sample).units["minzheng"].name == "minzheng"
    en = run("new", "unit", "minzheng2", "--group", "g1", "--records", str(sample), "--lang", "en")
    assert "no --name given" in en.stderr


def test_new_unit_refusals(sample: Path) -> None:
    before = files_under(sample)
    taken = run("new", "unit", "x", "--group", "g2", "--name", "市发改委", "--records", str(sample))
    assert taken.exit_code == 2 and "已被 fagaiwei 使用" in taken.stderr
    exists = run("new", "unit", "guihua", "--group", "g2", "--name", "市规划局2",
                 "--records", str(sample))  # fmt: skip
    assert exists.exit_code == 2 and "已存在，不会覆盖" in exists.stderr
    no_group = run("new", "unit", "x", "--group", "g9", "--records", str(sample))
    assert no_group.exit_code == 2 and "没有督导组“g9”（可选：" in no_group.stderr
    bad = run("new", "unit", "x", "--group", "g1", "--name", "市\u202e局", "--records", str(sample))
    assert bad.exit_code == 2 and "U+202E" in bad.stderr
    assert files_under(sample) == before


# --- hostile names through new group, new unit and new meeting ------------------------------


@pytest.mark.parametrize("name", HOSTILE)
def test_hostile_names_survive_group_unit_and_meeting(office: Path, name: str) -> None:
    leader, member, unit_name, short = (f"{name}组长", f"成员{name}", f"{name}局", name)
    if invisible_in(name):  # RECORDS.md 1.2: blank-name (new group refuses it: above)
        return
    assert run("new", "group", "g1", "--name", f"{name}组", "--leader", leader,
               "--members", member, "--records", str(office)).exit_code == 0  # fmt: skip
    made = run("new", "unit", "u1", "--group", "g1", "--name", unit_name, "--short", short,
               "--records", str(office))  # fmt: skip
    assert made.exit_code == 0, made.output
    # the unit's leadership team, written as a person would (the test's own emitter)
    path = office / "units" / "u1.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["leaders"] = [{"name": f"{name}书记", "post": f"{name}党组书记"}, {"name": "李某"}]
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    meeting = run("new", "meeting", "--unit", "u1", "--kind", "mobilization",
                  "--date", "2014-02-26", "--records", str(office))  # fmt: skip
    assert meeting.exit_code == 0, meeting.output
    tree = load_tree(office)
    assert [p for p in tree.problems if p.severity == "error"] == []
    unit = tree.units["u1"]
    assert (unit.name, unit.short) == (unit_name, short)
    # a scaffold is a draft (RECORDS.md 1.2): checked, set aside, counted for nothing
    assert "2014-02/u1-mobilization" not in tree.meetings
    held = tree.drafts["2014-02/u1-mobilization"]
    assert held.draft
    assert held.title == f"{short}动员大会"
    # --members is a list: split at commas, blanks around each name dropped
    assert held.attended_by == [leader, *(m.strip() for m in member.split(",") if m.strip())]
    assert held.appraisal is not None and held.appraisal.counts is not None
    assert list(held.appraisal.counts) == ["领导班子", f"{name}书记", "李某"]
    assert all(set(c.values()) == {0} for c in held.appraisal.counts.values())


def test_new_meeting_keeps_its_guidance_and_layout(sample: Path) -> None:
    result = run("new", "meeting", "--unit", "zhujian", "--kind", "mobilization",
                 "--date", "2014-03-03", "--name", "zhujian-mobilization-2",
                 "--records", str(sample))  # fmt: skip
    assert result.exit_code == 0, result.output
    text = (sample / "meetings/2014-03/zhujian-mobilization-2.yaml").read_text(encoding="utf-8")
    assert text.startswith(
        "# 草稿：记录填写完整后，请删除下面 draft 这一行；删除前本记录不计入任何统计\n"
        "draft: true\ndate: 2014-03-03\nunit: zhujian\nkind: mobilization\n"
    )
    assert "# 督导组成员：只保留实际到会的\nattended_by: [张某, 赵某, 钱某, 孙某]\n" in text
    assert "    谢某: {好: 0, 较好: 0, 一般: 0, 差: 0}\n" in text
    check = run("check", "--records", str(sample))
    assert check.exit_code == 0 and " error: " not in check.stdout


# --- help ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "command", [["init"], ["new"], ["new", "group"], ["new", "unit"], ["new", "meeting"]]
)
def test_every_help_ends_with_examples(command: list[str]) -> None:
    shown = run(*command, "--help").stdout
    after_options = shown.rsplit("╯", 1)[-1]  # below the last box: options or commands
    assert "例 / examples:" in after_options
    examples = [line.strip() for line in after_options.splitlines() if line.strip()]
    assert examples[0] == "例 / examples:"
    commands = [line for line in examples[1:] if line.startswith("duchu ")]
    assert 2 <= len(commands) <= 3
    assert all(line.startswith(f"duchu {' '.join(command)}") for line in commands)
    assert examples[-1].startswith(("duchu ", "--"))  # nothing after the examples
