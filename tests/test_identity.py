"""Identity (RECORDS.md 1.2): ids alike but for case or Unicode normalization are
``id-collision``; groups or units called alike are ``duplicate-name``; a name blank or
holding an invisible character is ``blank-name`` -- each at its file, line and column.

Case-colliding file names are made at test time: kept in the repository, they would break
a checkout on Windows and macOS, which is the point of the rule."""

from __future__ import annotations

import unicodedata
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from typer.testing import CliRunner

from duchu.cli.app import app
from duchu.records.identity import check_blank_names, check_duplicate_names
from duchu.records.load import load_tree
from duchu.records.models import Unit
from duchu.records.tree import Tree
from tests.conftest import build_tree

runner = CliRunner()
UNIT = "name: {name}\ngroup: g1\nleaders:\n  - {{name: 钱某, post: 书记}}\n"


def reported(root: Path) -> list[str]:
    return [
        f"{p.path}:{p.line}:{p.column}: {p.severity} [{p.code}]" for p in load_tree(root).problems
    ]


@pytest.mark.parametrize(
    ("files", "expected"),
    [
        # letter case: Zhujian sorts first, so zhujian is the one reported
        (
            {
                "units/Zhujian.yaml": UNIT.format(name="住建局"),
                "units/zhujian.yaml": UNIT.format(name="住房和城乡建设局"),
            },
            ["units/zhujian.yaml:1:1: error [id-collision]"],
        ),
        # NFC / NFD: one file on macOS
        (
            {
                f"units/{unicodedata.normalize('NFC', 'café')}.yaml": UNIT.format(name="丙"),
                f"units/{unicodedata.normalize('NFD', 'café')}.yaml": UNIT.format(name="丁"),
            },
            [f"units/{unicodedata.normalize('NFC', 'café')}.yaml:1:1: error [id-collision]"],
        ),
        # groups, and meetings in sub-folders whose names differ only in case
        (
            {"groups/G1.yaml": "name: 第二督导组\nleader: 孙某\nmembers: [孙某]\n"},
            ["groups/g1.yaml:1:1: error [id-collision]"],
        ),
        (
            {"meetings/2014-02/A-MOB.yaml": "date: 2014-02-26\nunit: a\nkind: democratic_life\n"},
            ["meetings/2014-02/a-mob.yaml:1:1: error [id-collision]"],
        ),
    ],
)
def test_ids_alike_on_windows_and_macos(
    tmp_path: Path, files: dict[str, str], expected: list[str]
) -> None:
    root = build_tree(tmp_path / "tree", files=files)
    if len(list((root / next(iter(files)).split("/")[0]).rglob("*.yaml"))) < 2:
        pytest.skip("this file system takes the two names for one file")
    assert [line for line in reported(root) if "[id-collision]" in line] == expected


def test_meeting_kinds_alike(tmp_path: Path) -> None:
    root = build_tree(tmp_path / "tree")
    campaign = root / "campaign.yaml"
    text = campaign.read_text(encoding="utf-8")
    campaign.write_text(
        text.replace(
            "  democratic_life: 专题民主生活会\n",
            "  democratic_life: 专题民主生活会\n  Democratic_Life: 民主生活会\n",
        ),
        encoding="utf-8",
    )
    assert reported(root) == ["campaign.yaml:6:3: error [id-collision]"]
    message = load_tree(root).problems[0].message("zh")
    assert "'Democratic_Life'" in message and "'democratic_life'" in message


def test_check_says_it_in_both_languages(tmp_path: Path) -> None:
    root = build_tree(tmp_path / "tree", files={"units/A.yaml": UNIT.format(name="乙单位")})
    if not (root / "units" / "a.yaml").exists() or len(list((root / "units").iterdir())) < 3:
        pytest.skip("case-insensitive file system")
    zh = runner.invoke(app, ["check", "--records", str(root)])
    en = runner.invoke(app, ["check", "--records", str(root), "--lang", "en"])
    assert zh.exit_code != 0 and "Windows 和 macOS 上二者是同一个文件" in zh.output
    assert "on Windows and macOS they are one file" in en.output
    # and 乙单位 is now two units' name: a warning at the name of the later one by id
    assert "units/b.yaml:1:7" in zh.output and "按名称引用时无法区分" in zh.output


def test_a_group_called_like_another(tmp_path: Path) -> None:
    root = build_tree(
        tmp_path / "tree",
        files={"groups/g2.yaml": "name: 第一督导组\nleader: 孙某\nmembers: [孙某]\n"},
    )
    assert reported(root) == ["groups/g2.yaml:1:7: warning [duplicate-name]"]


def test_a_unit_and_its_own_short_name_are_one_thing(tmp_path: Path) -> None:
    root = build_tree(
        tmp_path / "tree", files={"units/c.yaml": UNIT.format(name="丙单位") + "short: 丙单位\n"}
    )
    assert reported(root) == []


INVISIBLE = ["\u200b", "\u200c", "\u200d", "\u2060", "\u00ad", "\ufeff", "\u200e", "\u3164"]
SPACES = [" ", "\u3000", "\u00a0", "\u2003"]  # a tab is control-in-text


@given(
    before=st.text(alphabet="甲乙丙丁单位局委", max_size=4),
    after=st.text(alphabet="甲乙丙丁单位局委", max_size=4),
    hidden=st.sampled_from(INVISIBLE),
    key=st.sampled_from(["name", "short"]),
)
def test_an_invisible_character_anywhere_in_a_name(
    before: str, after: str, hidden: str, key: str
) -> None:
    tree = _tree_with_unit(**{key: before + hidden + after})
    [found] = [p for p in check_blank_names(tree)]
    assert (found.path, found.code, found.loc) == ("units/c.yaml", "blank-name", (key,))
    assert f"U+{ord(hidden):04X}" in found.message("en")


@given(spaces=st.lists(st.sampled_from(SPACES), min_size=1, max_size=6).map("".join))
def test_a_name_of_spaces_only(spaces: str) -> None:
    tree = _tree_with_unit(name=spaces)
    [found] = list(check_blank_names(tree))
    assert found.loc == ("name",) and "空" in found.message("zh")


@given(
    name=st.text(alphabet="甲乙丙丁单位局委 ·（）", min_size=1, max_size=8).filter(
        lambda s: s.strip()
    )
)
def test_visible_names_pass_and_alike_names_warn(name: str) -> None:
    tree = _tree_with_unit(name=name)
    assert list(check_blank_names(tree)) == []
    twice = _tree_with_unit(name=name, also=name)
    assert [p.code for p in check_duplicate_names(twice)] == ["duplicate-name"]


def _tree_with_unit(
    *, name: str = "丙单位", short: str | None = None, also: str | None = None
) -> Tree:
    tree = Tree(root=Path("."))
    tree.units["c"] = Unit(name=name, short=short, group="g1")
    if also is not None:
        tree.units["d"] = Unit(name=also, group="g1")
    return tree


def test_a_leader_with_a_zero_width_space(tmp_path: Path) -> None:
    root = build_tree(
        tmp_path / "tree",
        files={"units/c.yaml": 'name: 丙单位\ngroup: g1\nleaders:\n  - {name: "钱\u200b某"}\n'},
    )
    assert reported(root) == ["units/c.yaml:4:12: error [blank-name]"]


@given(
    before=st.text(alphabet="甲乙丙丁督导组", max_size=4),
    hidden=st.sampled_from(INVISIBLE),
    option=st.sampled_from(["--name", "--leader", "--members"]),
)
def test_new_refuses_an_invisible_character_in_a_name(
    tmp_path_factory: pytest.TempPathFactory, before: str, hidden: str, option: str
) -> None:
    root = build_tree(tmp_path_factory.mktemp("new") / "tree")
    name = before + hidden + "组"
    values = {"--name": "第二督导组", "--leader": "孙某", "--members": "孙某"} | {option: name}
    args = [arg for item in values.items() for arg in item]
    result = runner.invoke(app, ["new", "group", "g2", *args, "--records", str(root)])
    assert result.exit_code != 0
    assert f"U+{ord(hidden):04X}" in result.output and option in result.output
    assert not (root / "groups" / "g2.yaml").exists()
