"""duchu's own construction of YAML data (``RecordLoader.single_data``) against PyYAML's
(``get_single_data`` on the same loader class): the same data, the same duplicate keys and
the same errors, for documents drawn at random from the shapes and scalars that matter --
plain scalars of every implicit type, quoted look-alikes, repeated keys, merge keys,
anchors and aliases, explicit tags, non-scalar keys, flow and block styles, and junk."""

from __future__ import annotations

import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from duchu.records import read as yamlio
from duchu.records.read import RecordLoader, parse_yaml

PLAIN = [
    "x",
    "召开动员大会",
    "~",
    "null",
    "Null",
    "",
    "yes",
    "No",
    "on",
    "TRUE",
    "false",
    "0",
    "00",
    "10",
    "٣",
    "-1",
    "+12",
    "0o17",
    "017",
    "0x1F",
    "0b101",
    "1_000",
    "1:30",
    "190:20:30",
    "1.5",
    "-.5e+3",
    "1e3",
    "6.8523015e+5",
    ".inf",
    "-.Inf",
    ".NaN",
    "1:30.5",
    "2014-06-15",
    "2014-6-5 10:00:00",
    "7月13日",
    "9月上旬",
    "=",
    "<<",
    "a b",
    "99999999999999999999999",
]
QUOTED = ['"1"', "'yes'", '"~"', "'2014-06-15'", '"a\\tb"', "'it''s'"]
KEYS = ["id", "name", "unit", "1", "yes", "~", "<<", '"id"', "'1'", "a b", "名称"]
TAGGED = ["!!str 1", "!!int '7'", "!!float 1", "!!binary aGk=", "!x y", "!!set {a}"]


@st.composite
def documents(draw: st.DrawFn, depth: int = 0) -> str:
    """A YAML document as text, maybe with anchors, aliases and junk."""
    return draw(_node(depth, "", anchors=[]))


def _node(depth: int, indent: str, anchors: list[str]) -> st.SearchStrategy[str]:
    scalars = st.sampled_from(PLAIN + QUOTED + TAGGED) | st.text(
        alphabet="ab1:-.,#'\"! &*[]{}?|>\t", max_size=6
    )
    if depth >= 3:
        return scalars
    return st.one_of(
        scalars,
        _block_mapping(depth, indent, anchors),
        _block_sequence(depth, indent, anchors),
        _flow(depth, anchors),
    )


@st.composite
def _block_mapping(draw: st.DrawFn, depth: int, indent: str, anchors: list[str]) -> str:
    lines = []
    for _ in range(draw(st.integers(1, 4))):
        key = draw(st.sampled_from([*KEYS, "[a, b]", "{a: 1}"]))
        if key.startswith(("[", "{")):
            key = f"? {key}\n{indent}"
        value = draw(_value(depth, indent + "  ", anchors))
        lines.append(f"{indent}{key}:{value}")
    return "\n".join(lines)


@st.composite
def _block_sequence(draw: st.DrawFn, depth: int, indent: str, anchors: list[str]) -> str:
    items = [
        f"{indent}-{draw(_value(depth, indent + '  ', anchors))}"
        for _ in range(draw(st.integers(1, 3)))
    ]
    return "\n".join(items)


@st.composite
def _value(draw: st.DrawFn, depth: int, indent: str, anchors: list[str]) -> str:
    """What follows "key:" or "-": an inline scalar or flow, or a nested block."""
    choice = draw(st.integers(0, 4))
    anchor = ""
    if draw(st.booleans()) and draw(st.booleans()):
        name = f"a{len(anchors)}"
        anchors.append(name)
        anchor = f" &{name}"
    if choice == 0 and anchors:
        return f" *{draw(st.sampled_from(anchors))}"
    if choice <= 2 or depth >= 2:
        return f"{anchor} {draw(st.sampled_from(PLAIN + QUOTED + TAGGED))}"
    nested = draw(
        _block_mapping(depth + 1, indent, anchors) | _block_sequence(depth + 1, indent, anchors)
    )
    return f"{anchor}\n{nested}"


@st.composite
def _flow(draw: st.DrawFn, depth: int, anchors: list[str]) -> str:
    items = draw(st.lists(st.sampled_from(PLAIN[:20] + QUOTED), max_size=4))
    if draw(st.booleans()):
        return "[" + ", ".join(items) + "]"
    keys = draw(st.lists(st.sampled_from(KEYS), min_size=len(items), max_size=len(items)))
    return "{" + ", ".join(f"{k}: {v}" for k, v in zip(keys, items, strict=True)) + "}"


def _outcome(text: str, ours: bool) -> tuple[str, str]:
    """repr of the data (``nan`` compares equal this way) and the duplicate keys, or the
    error's type and message."""
    loader = RecordLoader(text)
    try:
        data = loader.single_data(text) if ours else loader.get_single_data()
    except yaml.YAMLError as err:
        return type(err).__name__, str(err)
    except RecursionError:
        return "RecursionError", ""
    finally:
        loader.dispose()
    duplicates = [(key, first.line, again.line) for key, first, again in loader.duplicates]
    return repr(data), repr(duplicates)


@settings(max_examples=400, deadline=None)
@given(documents())
def test_single_data_is_what_pyyaml_constructs(text: str) -> None:
    assert _outcome(text, ours=True) == _outcome(text, ours=False)


def test_the_lean_pass_is_taken_for_ordinary_records(monkeypatch) -> None:
    """The property above would hold trivially if every document fell back to PyYAML."""
    calls = []
    original = RecordLoader.construct_document
    monkeypatch.setattr(
        RecordLoader,
        "construct_document",
        lambda self, node: calls.append(node) or original(self, node),
    )
    text = "id: u1\nname: 单位\ncount: 7\nwaived: false\nnote: ~\nleaders: [{name: 张三}]\n"
    assert parse_yaml(text, "u.yaml").data == {
        "id": "u1",
        "name": "单位",
        "count": 7,
        "waived": False,
        "note": None,
        "leaders": [{"name": "张三"}],
    }
    assert calls == []
    # an alias, a merge key, a key that is a list (explicit tags never get this far: screen)
    for unusual in ("a: &x 1\nb: *x\n", "c:\n  <<: {a: 2}\n", "a: 1\n? [x]\n: 2\n"):
        parse_yaml(unusual, "u.yaml")
    assert len(calls) == 3


def test_duplicate_keys_found_by_the_lean_pass() -> None:
    parsed = parse_yaml("id: a\nname: x\nid: b\n", "u.yaml")
    assert parsed.data == {"id": "b", "name": "x"}
    assert [(p.code, p.line, p.column) for p in parsed.problems] == [("duplicate-key", 3, 1)]


def test_resolver_table_has_no_timestamps() -> None:
    assert all(
        tag != "tag:yaml.org,2002:timestamp"
        for resolvers in yamlio._RESOLVERS.values()
        for tag, _ in resolvers
    )
    assert parse_yaml("day: 2014-06-15\n", "m.yaml").data == {"day": "2014-06-15"}
