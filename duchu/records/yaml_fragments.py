"""YAML text for values, made by ruamel.yaml's emitter, never by string formatting.

``duchu.records.edit`` splices small pieces of YAML into a record's text: a value in place
of another, a ``key: value`` entry appended to a mapping, an item appended to a list. Each
piece is a whole document dumped by ruamel.yaml (round-trip mode, Chinese unescaped, lines
never folded) and cut out of that document at the positions ruamel's composer reports, so
every character of a key, a value, a quote or an indicator comes from the emitter.

ruamel.yaml writes YAML 1.2, where ``no``, ``010`` and ``1:30`` are text; PyYAML, which
duchu and most readers use, reads YAML 1.1, where they are a boolean and numbers. So each
text value's style is chosen by trying the plainest form first and keeping the first whose
document ``yaml.safe_load`` reads back as exactly that text: plain, then a block literal
``|`` for text with line breaks (outside flow collections), then single, then double
quotes (which can hold any printable text).
"""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence
from datetime import date, datetime
from functools import lru_cache

import yaml
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.nodes import MappingNode, Node, SequenceNode
from ruamel.yaml.scalarstring import (
    DoubleQuotedScalarString,
    LiteralScalarString,
    ScalarString,
    SingleQuotedScalarString,
)

# A record's lines are never folded: a long Chinese note stays on its line.
_NEVER_FOLD = 1 << 30
Path = tuple[str | int, ...]


def round_trip() -> YAML:
    """ruamel.yaml in round-trip mode, set up as duchu's records are written: two spaces a
    level, list dashes indented under their key, Chinese as it is, no folding."""
    emitter = YAML(typ="rt")
    emitter.preserve_quotes = True
    emitter.allow_unicode = True
    emitter.width = _NEVER_FOLD
    emitter.indent(mapping=2, sequence=4, offset=2)
    return emitter


_YAML = round_trip()


def dump(data: object) -> str:
    """One YAML document of ``data`` (ruamel's round-trip types keep the styles chosen)."""
    out = io.StringIO()
    _YAML.dump(data, out)
    return out.getvalue()


def compose(text: str) -> Node | None:
    """The node tree of ``text`` with each node's start and end (ruamel's composer)."""
    return _YAML.compose(text)  # type: ignore[no-any-return]  # ruamel annotates it as Any


def is_scalar(value: object) -> bool:
    return not isinstance(value, (Mapping, list, tuple))


def check_value(value: object, path: Path) -> None:
    """Refuse what a record never holds (a float, a time of day, an object): the caller's
    mistake, said at once rather than written."""
    if isinstance(value, Mapping):
        for key, item in value.items():
            if not isinstance(key, str):
                raise TypeError(f"{'.'.join(map(str, path))}: a key {key!r} is not text")
            check_value(item, (*path, key))
    elif isinstance(value, (list, tuple)):
        for index, item in enumerate(value):
            check_value(item, (*path, index))
    elif isinstance(value, datetime) or not isinstance(value, (str, int, date)):
        raise TypeError(f"{'.'.join(map(str, path))}: {type(value).__name__} is not a record value")


def _single_line(value: object) -> bool:
    return is_scalar(value) and not (isinstance(value, str) and "\n" in value)


def wants_flow(value: Mapping[str, object] | Sequence[object], path: Path) -> bool:
    """Whether a new collection at ``path`` is written in flow style, as records are
    written by hand: a list of short values (``attended_by: [张某, 赵某]``) and a short leaf
    mapping below the top level (``plan: {date: 2014-02-17, note: …}``, a leader, the counts
    of one subject); a top-level mapping and a long one such as a finding stay blocks."""
    if isinstance(value, Mapping):
        if not value:
            return True
        leaf = all(_single_line(item) for item in value.values())
        short = len(value) <= 2 or all(isinstance(item, int) for item in value.values())
        return leaf and len(path) >= 2 and short
    return all(_single_line(item) for item in value)


def styled(value: object, path: Path, flow: bool, literal: bool = True) -> object:
    """``value`` as ruamel's round-trip types, each collection's style and each text's
    quoting chosen (``flow``: inside a flow collection, where only flow styles are valid;
    ``literal``: text with line breaks may be a block literal ``|``)."""
    if isinstance(value, Mapping):
        inner = flow or wants_flow(value, path)
        mapping = CommentedMap(
            (key_scalar(key), styled(item, (*path, key), inner, literal))
            for key, item in value.items()
        )
        mapping.fa.set_flow_style() if inner else mapping.fa.set_block_style()
        return mapping
    if isinstance(value, (list, tuple)):
        inner = flow or wants_flow(value, path)
        sequence = CommentedSeq(
            styled(item, (*path, index), inner, literal) for index, item in enumerate(value)
        )
        sequence.fa.set_flow_style() if inner else sequence.fa.set_block_style()
        return sequence
    if isinstance(value, ScalarString):  # a style chosen already (``keep_quotes``)
        return value
    if isinstance(value, str):
        return text_scalar(value, flow or not literal)
    return value


def key_scalar(key: str) -> object:
    """A key as the plainest scalar that PyYAML reads back as that text: ``"no"``, ``"1"``
    and ``"2014-03-18"`` quoted, as in a flow collection (a key is never a block literal)."""
    return text_scalar(key, flow=True)


@lru_cache(maxsize=4096)
def text_scalar(text: str, flow: bool) -> object:
    """``text`` as the plainest scalar that PyYAML reads back as exactly ``text``."""
    candidates: list[object] = [text]
    # A literal that keeps trailing line breaks (``|+``) would take in the blank lines that
    # follow it in the file, so text ending in blank lines is quoted instead.
    if "\n" in text and not flow and text.strip("\n") and not text.endswith("\n\n"):
        candidates.insert(0, LiteralScalarString(text))
    candidates += [SingleQuotedScalarString(text), DoubleQuotedScalarString(text)]
    for candidate in candidates:
        if _reads_back(candidate, text, flow):
            return candidate
    raise ValueError(f"no YAML scalar holds {text!r}")  # double quotes hold any printable text


def keep_quotes(text: str, style: str | None, flow: bool) -> object:
    """``text`` in the quotes the value it replaces had (``short: "市发改委"``), when they
    hold it; else as ``text_scalar`` chooses."""
    quoted = {'"': DoubleQuotedScalarString, "'": SingleQuotedScalarString}.get(style or "")
    if quoted is not None and _reads_back(quoted(text), text, flow):
        return quoted(text)
    return text_scalar(text, flow)


def _reads_back(candidate: object, text: str, flow: bool) -> bool:
    """Whether PyYAML reads ``candidate``, as ruamel writes it, back as ``text``."""
    if flow:
        holder: object = CommentedSeq([candidate])
        holder.fa.set_flow_style()  # type: ignore[attr-defined]  # a CommentedSeq, just made
        expected: object = [text]
    else:
        holder = CommentedMap([("k", candidate)])
        expected = {"k": text}
    written = dump(holder)
    try:
        # libyaml and PyYAML's Python parser differ at the edges (``[0?]``): both must agree
        return (
            "!!" not in written
            and safe_load(written) == expected
            and yaml.load(written, Loader=yaml.SafeLoader) == expected
        )
    except yaml.YAMLError:
        return False


def safe_load(text: str) -> object:
    """What PyYAML's safe loader reads (libyaml's, as fast as duchu's own reader)."""
    return yaml.load(text, Loader=yaml.CSafeLoader)


def entry_fragment(key: str, value: object, path: Path, literal: bool = True) -> tuple[str, int]:
    """A block ``key: value`` entry as its own document (key at column 0), and where its
    value part begins: just after the colon."""
    written = dump(CommentedMap([(key_scalar(key), styled(value, path, False, literal))]))
    root = compose(written)
    assert isinstance(root, MappingNode)
    key_node = root.value[0][0]
    return written, written.index(":", key_node.end_mark.index) + 1


def item_fragment(value: object, path: Path, literal: bool = True) -> tuple[str, int, int]:
    """A block list holding ``value`` as its own document, the column of its dash and where
    the item itself begins (after the dash)."""
    holder = CommentedSeq([styled(value, path, False, literal)])
    holder.fa.set_block_style()
    written = dump(holder)
    root = compose(written)
    assert isinstance(root, SequenceNode)
    start = root.value[0].start_mark.index
    return written, written.rindex("-", 0, start) - written.rfind("\n", 0, start) - 1, start


def flow_value(value: object, path: Path) -> str:
    """``value`` as it stands inside a flow collection (``{…}``, ``[…]``): one line."""
    # held in a mapping, not a list: ruamel writes a one-pair mapping in a flow list without
    # its braces (``[a: b]``), which is no value to splice anywhere else
    holder = CommentedMap([("k", styled(value, path, flow=True))])
    holder.fa.set_flow_style()
    written = dump(holder)
    root = compose(written)
    assert isinstance(root, MappingNode)
    node = root.value[0][1]
    return written[node.start_mark.index : node.end_mark.index]


def flow_entry(key: str, value: object, path: Path) -> str:
    """``key: value`` as it stands inside a flow mapping."""
    holder = CommentedMap([(key_scalar(key), styled(value, path, flow=True))])
    holder.fa.set_flow_style()
    written = dump(holder)
    root = compose(written)
    assert isinstance(root, MappingNode)
    key_node, value_node = root.value[0]
    return written[key_node.start_mark.index : value_node.end_mark.index]


def document(data: Mapping[str, object], comment: str | None) -> str:
    """A whole record: top-level block mapping, short leaves in flow style, ``comment`` as
    its first line(s)."""
    check_value(data, ())
    root = styled(data, (), flow=False)
    assert isinstance(root, CommentedMap)
    root.fa.set_block_style()
    if comment:
        root.yaml_set_start_comment(comment)
    return dump(root)
