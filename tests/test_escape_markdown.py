"""Record text in a report reads as that text, once -- never as Markdown.

A group named ``---`` (a rule, or a setext underline, where the signature stands alone on
its line), a unit named ``- 组`` or ``1. x`` (a list at the start of a table row), ``# x``,
``> x``, ``|``, ``<b>``, ``[a](b)``, ``***``, backticks, ``&amp;``, backslashes, a note of
several lines: whatever the records hold, the Markdown read by a CommonMark parser
(markdown-it-py, as the DOCX is made) has the same blocks and the same inline structure as
the report of plain names, its text is the record's text, and the DOCX shows it once,
without a backslash.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt
from markdown_it.token import Token
from typer.testing import CliRunner

from duchu.cli.app import app
from duchu.render.templating import environment
from tests.conftest import SAMPLE, copy_tree

runner = CliRunner()
FUNCTION_SCOPED = HealthCheck.function_scoped_fixture
PARSER = MarkdownIt("commonmark").enable("table")

# Markdown's syntax characters, with text, digits and spaces among them
SYNTAX = "\\`*_[]<>#|~&!-+=.)(:;\"'{}$^%/0123456789 \t"
_chars = st.one_of(
    st.sampled_from(SYNTAX),
    st.sampled_from("王某组甲乙ab"),
    st.characters(
        max_codepoint=0xFFFF, exclude_categories=("Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp")
    ),
)
texts = st.text(_chars, min_size=1, max_size=16)
# what a record may hold (``check`` refuses control and format characters, blank names);
# a note may have several lines
names = texts.filter(lambda s: s.strip(" \t\u3000") != "" and "\t" not in s)
notes = st.lists(names, min_size=1, max_size=3).map("\n".join)
# a few that were reported, and their like
KNOWN = [
    "---",
    "- 组",
    "# x",
    "1. x",
    "1) x",
    "> x",
    "| a |",
    "<b>x</b>",
    "[a](b)",
    "***",
    "`x`",
    "\\",
    "赵某_副",
    "===",
    "+ x",
    "    x",
    "x  ",
    "&amp;",
    "<!-- x -->",
    "~~~",
    "*a*",
]


def _shown(text: str) -> str:
    """The text a value should read as: its line breaks (and the spaces around them) one
    space, as Markdown joins the lines of a paragraph."""
    return re.sub(r"[ \t]*(?:\r\n?|\n)[ \t\r\n]*", " ", text)


def _structure(tokens: list[Token]) -> list[str]:
    """Every block token's type, and every inline token's children's types."""
    found = []
    for token in tokens:
        found.append(token.type)
        if token.type == "inline":
            found += [f"  {child.type}" for child in token.children or []]
    return found


def _text(token: Token) -> str:
    return "".join(c.content for c in token.children or [] if c.type == "text")


# --- the escape in every place a value can land ---------------------------------------------

PLACES = {
    # a paragraph that starts with the value, as 基本情况 starts with the group's name
    "paragraph start": ("{{ a }}{{ b }}由张某任组长。\n", "paragraph"),
    # a line of its own, as the 署名 under the signature marker
    "own line": ("正文。\n\n{{ a }}{{ b }}\n\n{{ a }}\n", "paragraph"),
    # the line after a paragraph's first (a setext underline, a lazy list)
    "second line": ("正文。\n{{ a }}{{ b }}\n", "paragraph"),
    "mid text": ("单位{{ a }}完成{{ b }}。\n", "paragraph"),
    "table cell": ("| 单位 | 动作 |\n|---|---|\n| {{ a }} | {{ b }} |\n", "table"),
    "heading": ("# {{ a }}关于{{ b }}的总结\n", "heading"),
    "macro": ('{% macro m(x) %}{{ x | join("、") }}{% endmacro %}{{ m([a, b]) ~ a }}\n', "para"),
}


@settings(max_examples=300, deadline=None, suppress_health_check=[FUNCTION_SCOPED])
@given(a=st.one_of(st.sampled_from(KNOWN), texts), b=st.one_of(st.sampled_from(KNOWN), texts))
@pytest.mark.parametrize("place", list(PLACES))
def test_any_text_anywhere_reads_as_itself(tmp_path: Path, place: str, a: str, b: str) -> None:
    template, _ = PLACES[place]
    env = environment(tmp_path)
    plain = env.from_string(template).render(a="甲", b="乙")
    hostile = env.from_string(template).render(a=a, b=b)
    assert _structure(PARSER.parse(hostile)) == _structure(PARSER.parse(plain)), hostile
    expected = [_text(t).replace("甲", "\0").replace("乙", "\1") for t in PARSER.parse(plain)]
    for want, token in zip(expected, PARSER.parse(hostile), strict=True):
        if token.type == "inline":
            shown = want.replace("\0", _shown(a)).replace("\1", _shown(b))
            assert _text(token) == shown, hostile


# --- through the real report, Markdown and DOCX --------------------------------------------


def _hostile_sample(root: Path, group: str, member: str, unit: str, note: str) -> Path:
    copy_tree(SAMPLE, root)

    def put(rel: str, old: str, new: str) -> None:
        path = root / rel
        text = path.read_text(encoding="utf-8")
        assert old in text, (rel, old)
        path.write_text(text.replace(old, new), encoding="utf-8")

    put("groups/g2.yaml", "name: 市委第二督导组", f"name: {json.dumps(group)}")
    for path in [root / "groups" / "g2.yaml", *(root / "meetings").rglob("*.yaml")]:
        rel = str(path.relative_to(root))
        if "赵某" in path.read_text(encoding="utf-8"):
            put(rel, "赵某", json.dumps(member))
    put("units/fagaiwei.yaml", "short: 市发改委", f"short: {json.dumps(unit)}")
    put(
        "meetings/2014-02/fagaiwei-mobilization.yaml",
        "notes: |\n  督导组组长讲话，传达中央、省委、市委精神，提出具体要求。\n",
        f"notes: {json.dumps(note)}\n",
    )
    return root


def _report(root: Path, out: Path | None = None, group: str = "g2") -> str:
    """The group's summary, or (``group=""``) the office's circular."""
    args = ["report", "--records", str(root), "--phase", "study"]
    args += ["--group", group] if group else []
    args += ["--as-of", "2014-04-20"] + (["-o", str(out)] if out else [])
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    return result.stdout


def _docx_texts(path: Path) -> list[str]:
    import docx

    document = docx.Document(str(path))
    texts = [p.text for p in document.paragraphs]
    for table in document.tables:
        texts += [cell.text for row in table.rows for cell in row.cells]
    return texts


@settings(max_examples=12, deadline=None, suppress_health_check=[FUNCTION_SCOPED])
@given(
    group=st.one_of(st.sampled_from(KNOWN), names),
    member=st.one_of(st.sampled_from(KNOWN), names),
    unit=st.one_of(st.sampled_from(KNOWN), names),
    note=st.one_of(st.sampled_from(KNOWN), notes),
)
def test_a_report_of_any_names_has_the_blocks_of_plain_names(
    tmp_path_factory: pytest.TempPathFactory, group: str, member: str, unit: str, note: str
) -> None:
    names_given = {group, member, unit}
    if len(names_given) < 3 or names_given & {"市委第一督导组", "市委第三督导组"}:
        return  # two groups or units of one name are another matter (duplicate-name)
    folder = tmp_path_factory.mktemp("r")
    plain = _report(_hostile_sample(folder / "plain", "甲组", "乙某", "丙局", "丁。"))
    root = _hostile_sample(folder / "hostile", group, member, unit, note)
    markdown = _report(root)
    assert _structure(PARSER.parse(markdown)) == _structure(PARSER.parse(plain))
    paragraphs = [_text(t) for t in PARSER.parse(markdown) if t.type == "inline"]
    assert _shown(group) in paragraphs  # the 署名, a paragraph of its own
    out = folder / "r.docx"
    _report(root, out)
    texts = _docx_texts(out)
    assert _shown(group).strip(" ") in [t.strip(" ") for t in texts]
    shown_unit = _shown(unit).strip(" ")
    cells = [t for t in texts if t.strip(" ") == shown_unit]
    assert cells, (unit, texts)  # the unit's own cell in 附件1, as the record writes it
    if "\\" not in group + member + unit + note:
        assert not [t for t in texts if "\\" in t]
    circular = _report(root, group="")  # the office's: every group side by side
    plain_circular = _report(folder / "plain", group="")
    assert _structure(PARSER.parse(circular)) == _structure(PARSER.parse(plain_circular))
