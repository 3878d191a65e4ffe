"""duchu's own nesting bound (``duchu.records.depth``): the same answer as the structure a
YAML parser sees, and the same problem whatever the installed parser does with depth."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from duchu.records.depth import too_deep_at
from duchu.records.read import MAX_DEPTH, parse_yaml

LIMIT = 8  # small, so that generated documents cross it often


def parsed_too_deep(text: str, limit: int) -> tuple[int, int] | None:
    """Where PyYAML's pure-Python parser (which has no depth limit of its own) opens the
    first collection deeper than ``limit``."""
    loader = yaml.SafeLoader(text)
    depth = 0
    try:
        while loader.check_event():
            event = loader.get_event()
            if isinstance(event, yaml.CollectionStartEvent):
                depth += 1
                if depth > limit:
                    mark = event.start_mark
                    return (mark.line + 1, mark.column + 1)
            elif isinstance(event, yaml.CollectionEndEvent):
                depth -= 1
    finally:
        loader.dispose()
    return None


scalars = st.one_of(
    st.integers(-5, 5),
    st.sampled_from(
        ["好", "a: b", "- x", "[x", "x]", "#", "a #b", "'", '"', "{", "多行\n- 一\n- 二"]
    ),
)


@st.composite
def documents(draw: st.DrawFn, depth: int | None = None) -> Any:
    """A document nesting up to about twice ``LIMIT`` levels, lists and mappings mixed, with
    scalars beside the deep branch."""
    if depth is None:
        depth = draw(st.integers(0, 2 * LIMIT))
    if depth == 0:
        return draw(scalars)
    inner = draw(documents(depth - 1))
    siblings = draw(st.lists(scalars, max_size=2))
    if draw(st.booleans()):
        at = draw(st.integers(0, len(siblings)))
        return [*siblings[:at], inner, *siblings[at:]]
    keys = draw(
        st.lists(
            st.sampled_from(["a", "名称", "k: x", "- k", "b#c"]),
            min_size=1,
            max_size=3,
            unique=True,
        )
    )
    return {
        key: (inner if i == 0 else siblings[i % len(siblings)] if siblings else 1)
        for i, key in enumerate(keys)
    }


@settings(max_examples=300, deadline=None)
@given(documents(), st.sampled_from([None, True, False]), st.sampled_from([1, 2, 4]))
def test_the_text_bound_sees_the_depth_the_parser_sees(
    data: Any, flow: bool | None, indent: int
) -> None:
    text = yaml.safe_dump(data, allow_unicode=True, default_flow_style=flow, indent=indent)
    assert too_deep_at(text, LIMIT) == parsed_too_deep(text, LIMIT)


@pytest.mark.parametrize(
    "text",
    [
        "notes: |\n" + "".join(" " * (i + 2) + "- 第" + str(i) + "条\n" for i in range(80)),
        "notes: >-\n  " + "[" * 80 + "\nname: x\n",
        "name: '" + "[" * 80 + "'\n",
        'name: "' + "{" * 80 + '"\n',
        "name: x # " + "[" * 80 + "\n",
        "title: 关于[2014]3号" + "[" * 80 + "\n",
    ],
)
def test_text_that_only_looks_deep_is_not(text: str) -> None:
    assert too_deep_at(text, MAX_DEPTH) is None
    assert parsed_too_deep(text, MAX_DEPTH) is None


def test_the_bound_is_duchus_whatever_the_parser_does(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A parser that stops deep documents itself (as the libyaml in PyYAML 6.0.4 does at
    1,000 levels, with a syntax error at its own place) changes nothing duchu says."""
    import duchu.records.read as read

    class StopsAtOne(read.RecordLoader):
        def check_event(self, *choices: Any) -> bool:
            raise yaml.scanner.ScannerError(problem="exceeded maximum nesting depth")

    monkeypatch.setattr(read, "RecordLoader", StopsAtOne)
    text = "name: " + "[" * 2000 + "]" * 2000 + "\n"
    parsed = parse_yaml(text, "units/b.yaml")
    assert [(p.code, p.line, p.column) for p in parsed.problems] == [("too-deep", 1, 56)]
