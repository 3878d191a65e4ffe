"""Reading record files: bytes to text to plain data, with every failure as a ``Problem``.

Text: UTF-8 with or without a byte-order mark, any line ending. A file in another encoding
is never guessed at; GBK and UTF-16 get a hint because Windows editors save them.
YAML: libyaml (``CSafeLoader``) with the timestamp resolver removed, so dates stay the text
the user typed and ``duchu.records.dates`` parses them. PyYAML silently keeps the last of two
duplicate keys; duchu notices them while constructing. Positions of problems found later
are found by ``locate``, which composes the file again -- only files that have problems pay
for that.

Speed: libyaml composes in C but calls back into Python to resolve every node's tag, and
PyYAML's constructor then walks the nodes in Python with generators and bookkeeping for
aliases and merge keys -- together more than the C parse itself. Records use neither, so
``RecordLoader`` resolves tags with one table lookup, and ``_build`` makes plain data from
the nodes in one recursive pass. Anything unusual (an alias, a merge key, a tag of its own,
a key that is not a scalar) goes to PyYAML's own constructor instead, so the result is
always what PyYAML would make (``tests/test_yamlio.py`` checks that property).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from duchu.problems import Loc, Problem, Ref, problem
from duchu.records.depth import too_deep_at

_TIMESTAMP = "tag:yaml.org,2002:timestamp"
_MERGE = "tag:yaml.org,2002:merge"
_STR = "tag:yaml.org,2002:str"
_SEQ = "tag:yaml.org,2002:seq"
_MAP = "tag:yaml.org,2002:map"
_INT = "tag:yaml.org,2002:int"
_FLOAT = "tag:yaml.org,2002:float"
_BOOL = "tag:yaml.org,2002:bool"
_NULL = "tag:yaml.org,2002:null"
# Records nest a few levels deep. libyaml composes recursively in C and crashes the process
# on absurd depths, so deeper documents are refused before they are composed.
MAX_DEPTH = 50
# A record file holds hundreds of values; aliases expanding past this are an attack.
MAX_EXPANDED = 100_000
# A line leading with at least n spaces, tabs or dashes, for n from 0 to MAX_DEPTH.
_LEADING = [re.compile(f"^[ \t-]{{{n}}}", re.MULTILINE).search for n in range(MAX_DEPTH + 1)]
# The longest number a record holds, in characters (a count, an order, a rate): far past
# any real one, and short of what a 64-bit integer or a float holds exactly.
MAX_NUMBER_CHARS = 15
# A number as a person writes it: decimal digits, no leading zero, maybe a sign and a point.
_PLAIN_NUMBER = re.compile(r"[-+]?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?")
# What a person would take for a number, in any of its forms (``yaml11_number``).
_NUMBER_LIKE = re.compile(r"[-+]?(?:\.?[0-9]|\.(?:nan|inf))", re.IGNORECASE)
# An English key followed by a full-width colon: keys are English, so this is always a typo.
_FULL_WIDTH_KEY = re.compile(r"^(\s*(?:-\s+)?)([A-Za-z_][A-Za-z0-9_]*)\s*：")


class RecordLoader(yaml.CSafeLoader):
    """libyaml's safe loader, without timestamps, recording duplicate keys."""

    yaml_implicit_resolvers = {  # noqa: RUF012 -- PyYAML's own class-level table
        first: [entry for entry in resolvers if entry[0] != _TIMESTAMP]
        for first, resolvers in yaml.CSafeLoader.yaml_implicit_resolvers.items()
    }

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        # (key, first occurrence, repeated occurrence)
        self.duplicates: list[tuple[str, yaml.Mark, yaml.Mark]] = []

    # libyaml calls these three for every node it composes. PyYAML's resolver also supports
    # path resolvers, which nobody registers here; without them the answer is a lookup.
    def resolve(self, kind: type[Node], value: Any, implicit: tuple[bool, bool]) -> str:
        if kind is ScalarNode:
            if implicit[0]:  # a plain scalar: null, bool, int, float, or text
                for tag, pattern in _RESOLVERS.get(value[:1], ()):
                    if pattern.match(value):
                        if tag in (_INT, _FLOAT) and (
                            len(value) > MAX_NUMBER_CHARS or not _PLAIN_NUMBER.fullmatch(value)
                        ):
                            # 010, 0x32, 1_0, 1:30, .nan: YAML 1.1 reads another number
                            # than a person does; and a number of thousands of digits is
                            # none a record holds (Python refuses to read one of 4,300).
                            # Kept as the text typed: where a number belongs that is an
                            # error (../shared/spec/RECORDS.md 1.1), never a conversion
                            return _STR
                        return str(tag)
            return _STR
        return _SEQ if kind is SequenceNode else _MAP

    def descend_resolver(self, current_node: Any, current_index: Any) -> None:
        pass

    def ascend_resolver(self) -> None:
        pass

    def construct_mapping(self, node: MappingNode, deep: bool = False) -> dict[Any, Any]:
        if isinstance(node, MappingNode):  # libyaml hands mapping nodes only; be safe anyway
            seen: dict[str, yaml.Mark] = {}
            for key_node, _ in node.value:
                if not isinstance(key_node, ScalarNode) or key_node.tag == _MERGE:
                    continue
                if key_node.value in seen:
                    self.duplicates.append(
                        (key_node.value, seen[key_node.value], key_node.start_mark)
                    )
                else:
                    seen[key_node.value] = key_node.start_mark
        return super().construct_mapping(node, deep=deep)

    def single_data(self, text: str) -> Any:
        """The document's data, as ``get_single_data`` would construct it."""
        node = self.get_single_node()
        if node is None:
            return None
        if "*" not in text:  # no aliases: every node is constructed once, no cycles
            try:
                found: list[tuple[int, tuple[str, yaml.Mark, yaml.Mark]]] = []
                data = _build(node, self, found, 0)
                # PyYAML constructs a document's collections level by level (each one's
                # children deferred until its level is done), so it meets duplicate keys
                # outer levels first; left to right within a level is the order met here
                found.sort(key=lambda entry: entry[0])
                self.duplicates.extend(duplicate for _, duplicate in found)
                return data
            except _Unusual:
                self.duplicates.clear()
        return self.construct_document(node)


# The implicit resolvers by a plain scalar's first character ('' for the empty scalar).
_RESOLVERS: dict[str, tuple[tuple[str, re.Pattern[str]], ...]] = {
    first: tuple(resolvers) + tuple(RecordLoader.yaml_implicit_resolvers.get(None, []))
    for first, resolvers in RecordLoader.yaml_implicit_resolvers.items()
    if first is not None
}


class _Unusual(Exception):
    """A document ``_build`` leaves to PyYAML's constructor."""


def _build(node: Node, loader: RecordLoader, duplicates: list[Any], depth: int) -> Any:
    """Plain data from a composed document without aliases, in one pass; duplicate keys are
    noted as ``RecordLoader.construct_mapping`` notes them. Text scalars, most of a record,
    are taken in place rather than through another call."""
    kind = node.__class__
    if isinstance(node, ScalarNode):
        tag = node.tag
        if tag == _STR:
            return node.value
        if tag == _INT:
            value = node.value
            if value.isdecimal() and (value[0] != "0" or len(value) == 1):
                return int(value)  # plain decimal; PyYAML's rules for 0x, 0o, 1_000, 1:30
            return loader.construct_yaml_int(node)
        if tag == _NULL:
            return None
        if tag == _BOOL:
            return loader.construct_yaml_bool(node)
        if tag == _FLOAT:
            return loader.construct_yaml_float(node)
        raise _Unusual  # merge keys, "=", explicit tags: PyYAML's constructor decides
    if kind is MappingNode and node.tag == _MAP:
        seen: dict[str, yaml.Mark] = {}
        for key_node, _ in node.value:  # before the values, in PyYAML's order
            if key_node.__class__ is not ScalarNode:
                raise _Unusual  # an unhashable key: PyYAML's error, with its position
            text = key_node.value
            if text in seen:
                duplicates.append((depth, (text, seen[text], key_node.start_mark)))
            else:
                seen[text] = key_node.start_mark
        data = {}
        for key_node, value_node in node.value:
            key = (
                key_node.value
                if key_node.tag == _STR
                else _build(key_node, loader, duplicates, depth + 1)
            )
            if value_node.__class__ is ScalarNode and value_node.tag == _STR:
                data[key] = value_node.value
            else:
                data[key] = _build(value_node, loader, duplicates, depth + 1)
        return data
    if kind is SequenceNode and node.tag == _SEQ:
        return [
            item.value
            if item.__class__ is ScalarNode and item.tag == _STR
            else _build(item, loader, duplicates, depth + 1)
            for item in node.value
        ]
    raise _Unusual  # a collection with a tag of its own (!!set, !!omap, ...)


@dataclass
class Parsed:
    """What reading one file gave: its text (when decodable), data and problems."""

    text: str | None = None
    data: Any = None
    problems: list[Problem] = field(default_factory=list)


def yaml11_number(value: object) -> bool:
    """Text where a number belongs that a person would take for one: 010, 0x32, 1_0, 1:30,
    089, or digits past ``MAX_NUMBER_CHARS`` (kept as text by ``RecordLoader``, never
    converted): an error of its own, ``number-form``."""
    return isinstance(value, str) and bool(_NUMBER_LIKE.match(value))


def decode(raw: bytes, path: str) -> tuple[str | None, list[Problem]]:
    """UTF-8 text of a file (BOM removed), or an ``encoding`` problem with a hint."""
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        return None, [problem(path, "encoding", line=1, column=1, hint="hint-utf16")]
    try:
        return raw.decode("utf-8"), []
    except UnicodeDecodeError as err:
        line = raw.count(b"\n", 0, err.start) + 1
        line_start = raw.rfind(b"\n", 0, err.start) + 1
        column = len(raw[line_start : err.start].decode("utf-8", "replace")) + 1
        hint = None
        try:
            raw.decode("gbk")
            hint = "hint-gbk"
        except UnicodeDecodeError:
            pass
        return None, [problem(path, "encoding", line=line, column=column, hint=hint)]


def full_width_colons(text: str, path: str) -> list[Problem]:
    """Lines where an English key is followed by '：' (reported only for failing files)."""
    found = []
    for number, line in enumerate(text.splitlines(), start=1):
        match = _FULL_WIDTH_KEY.match(line)
        if match:
            column = len(match[1]) + len(match[2]) + 1
            found.append(
                problem(path, "full-width-colon", line=number, column=column, key=match[2])
            )
    return found


def _position_of(text: str, offset: int) -> tuple[int, int]:
    line = text.count("\n", 0, offset) + 1
    return line, offset - (text.rfind("\n", 0, offset) + 1) + 1


def _syntax_problem(err: yaml.YAMLError, text: str, path: str) -> Problem:
    if isinstance(err, yaml.reader.ReaderError):  # a control character, such as NUL
        # libyaml counts bytes of UTF-8; positions are in characters
        offset = len(text.encode("utf-8")[: err.position].decode("utf-8", "ignore"))
        line, column = _position_of(text, offset)
        return problem(
            path,
            "control-character",
            line=line,
            column=column,
            code_point=f"U+{err.character:04X}"
            if isinstance(err.character, int)
            else repr(err.character),
        )
    mark = getattr(err, "problem_mark", None) or getattr(err, "context_mark", None)
    line = mark.line + 1 if mark is not None else 1
    column = mark.column + 1 if mark is not None else 1
    detail = " ".join(str(getattr(err, "problem", None) or err).split())  # one line
    source_lines = text.splitlines()
    source = source_lines[line - 1] if 0 < line <= len(source_lines) else ""
    if "\t" in source[: len(source) - len(source.lstrip())] or (
        column - 1 < len(source) and source[column - 1] == "\t"
    ):
        return problem(path, "tab", line=line, column=column)
    if "constructor for the tag" in detail:
        tag = detail.split("'")[1] if detail.count("'") >= 2 else detail
        tag = tag.replace("tag:yaml.org,2002:", "!!")  # shown as the user wrote it
        return problem(path, "yaml-tag", line=line, column=column, tag=tag)
    known = _LIBYAML_PROBLEMS.get(detail)
    return problem(
        path, "yaml-syntax", line=line, column=column, detail=Ref(known) if known else detail
    )


# libyaml's words for the faults people make, each said in the user's language by a message
# of its own (``yaml-problem-*``); a rarer one is shown as libyaml words it.
_LIBYAML_PROBLEMS = {
    "mapping values are not allowed in this context": "yaml-problem-colon-in-value",
    "block sequence entries are not allowed in this context": "yaml-problem-dash-here",
    "could not find expected ':'": "yaml-problem-no-colon",
    "did not find expected key": "yaml-problem-indent",
    "did not find expected '-' indicator": "yaml-problem-list-indent",
    "did not find expected ',' or ']'": "yaml-problem-open-bracket",
    "did not find expected ',' or '}'": "yaml-problem-open-brace",
    "did not find expected node content": "yaml-problem-no-content",
    "did not find expected comment or line break": "yaml-problem-trailing",
    "did not find expected alphabetic or numeric character": "yaml-problem-anchor-name",
    "found unexpected end of stream": "yaml-problem-unclosed",
    "found character that cannot start any token": "yaml-problem-bad-start",
    "found unexpected document indicator": "yaml-problem-document-marker",
    "but found another document": "yaml-problem-two-documents",
    "found unknown escape character": "yaml-problem-escape",
    "found unknown directive name": "yaml-problem-directive",
    "found undefined tag handle": "yaml-problem-tag-handle",
    "found undefined alias": "yaml-problem-alias",
    "found unhashable key": "yaml-problem-collection-key",
}


def _needs_screening(text: str) -> bool:
    """Whether a document could be too deep, carry a tag or use aliases at all. Ordinary
    records are none of these, and skip the event pass: block nesting needs a longer run of
    leading spaces or dashes per level, flow nesting a bracket per level, a tag a '!' and an
    alias a '*'."""
    if "!" in text or "*" in text:
        return True
    # a level needs a leading space or dash, or a bracket (the root needs neither): deep
    # enough when some line leads with as many as the brackets leave to MAX_DEPTH
    needed = MAX_DEPTH - text.count("[") - text.count("{")
    return needed <= 0 or _LEADING[needed](text) is not None


def screen(text: str, path: str) -> Problem | None:
    """The first reason not to construct a document, found from libyaml's event stream,
    which neither recurses nor expands aliases: nesting deeper than ``MAX_DEPTH``, an
    explicit tag (never constructed, whatever it names), or aliases that would expand to
    more than ``MAX_EXPANDED`` values (a "billion laughs")."""
    if not _needs_screening(text):
        return None
    deep = too_deep_at(text, MAX_DEPTH)  # duchu's own bound, whatever the parser's is
    if deep is not None:
        return problem(path, "too-deep", line=deep[0], column=deep[1], depth=MAX_DEPTH)
    loader = RecordLoader(text)
    depth = 0
    expanded = 0
    open_sizes: list[list[Any]] = []  # per open collection: [expanded size, anchor]
    anchored: dict[str, int] = {}

    def close(size: int, anchor: str | None) -> None:
        if anchor:
            anchored[anchor] = size
        if open_sizes:
            open_sizes[-1][0] += size

    try:
        while loader.check_event():
            event = loader.get_event()
            if event is None:
                break
            mark = event.start_mark
            line, column = (mark.line + 1, mark.column + 1) if mark else (1, 1)
            tag = getattr(event, "tag", None)
            if tag is not None and isinstance(event, (yaml.ScalarEvent, yaml.CollectionStartEvent)):
                shown = tag.replace("tag:yaml.org,2002:", "!!")
                return problem(path, "yaml-tag", line=line, column=column, tag=shown)
            if isinstance(event, yaml.CollectionStartEvent):
                depth += 1
                if depth > MAX_DEPTH:
                    return problem(path, "too-deep", line=line, column=column, depth=MAX_DEPTH)
                open_sizes.append([1, event.anchor])
                expanded += 1
            elif isinstance(event, yaml.CollectionEndEvent):
                depth -= 1
                size, anchor = open_sizes.pop()
                close(size, anchor)
            elif isinstance(event, yaml.ScalarEvent):
                expanded += 1
                close(1, event.anchor)
            elif isinstance(event, yaml.AliasEvent):
                size = anchored.get(event.anchor or "", 1)
                expanded += size
                close(size, None)
            if expanded > MAX_EXPANDED:
                return problem(path, "yaml-aliases", line=line, column=column, limit=MAX_EXPANDED)
    except yaml.YAMLError:
        return None  # the real parse reports the syntax error
    finally:
        loader.dispose()
    return None


def parse_yaml(text: str, path: str) -> Parsed:
    """Plain data of one YAML document, with syntax and duplicate-key problems."""
    parsed = Parsed(text=text)
    refused = screen(text, path)
    if refused is not None:
        parsed.problems.append(refused)
        return parsed
    loader = RecordLoader(text)
    try:
        parsed.data = loader.single_data(text)
    except yaml.YAMLError as err:
        colons = full_width_colons(text, path)
        parsed.problems.extend(colons or [_syntax_problem(err, text, path)])
        return parsed
    finally:
        loader.dispose()
    for key, first, repeat in loader.duplicates:
        parsed.problems.append(
            problem(
                path,
                "duplicate-key",
                line=repeat.line + 1,
                column=repeat.column + 1,
                key=key,
                first=first.line + 1,
            )
        )
    return parsed


# A mapping's keys, each to its key node and value node (the last of a key written twice,
# as PyYAML keeps it), built once per mapping and kept for the file's other problems: a
# file with 50,000 unknown keys was placed by one linear search per problem -- minutes.
_KeyIndex = dict[int, dict[str, tuple[Node, Node]]]


def _keys_of(node: MappingNode, index: _KeyIndex) -> dict[str, tuple[Node, Node]]:
    keys = index.get(id(node))
    if keys is None:
        keys = {
            key.value: (key, value)
            for key, value in node.value
            if isinstance(key, ScalarNode)  # later pairs replace earlier: the last one wins
        }
        index[id(node)] = keys
    return keys


def _find(node: Node, loc: Loc, index: _KeyIndex) -> tuple[Node, Node | None, Node]:
    """The node at ``loc`` (as far as it exists), its key node, and its parent node."""
    key_node: Node | None = None
    parent = node
    for part in loc:
        if part == "[key]":  # pydantic marks a problem with a mapping's key like this
            continue
        if isinstance(node, MappingNode):
            found = _keys_of(node, index).get(str(part))
            if found is None:
                return node, None, node
            parent, (key_node, node) = node, found
        elif isinstance(node, SequenceNode) and isinstance(part, int) and part < len(node.value):
            parent, key_node, node = node, None, node.value[part]
        else:
            return node, None, node
    return node, key_node, parent


def _position(root: Node | None, loc: Loc | None, anchor: str, index: _KeyIndex) -> tuple[int, int]:
    if root is None or loc is None:
        return (1, 1)
    node, key_node, parent = _find(root, loc, index)
    if anchor == "key" and key_node is not None:
        mark = key_node.start_mark
    elif anchor == "parent":
        mark = parent.start_mark
    else:
        mark = node.start_mark
    return (mark.line + 1, mark.column + 1)


def locate(text: str, wanted: Iterable[Problem]) -> dict[Problem, Problem]:
    """Each problem placed at the line and column (1-based) of its ``loc`` in ``text``."""
    try:
        root = yaml.compose(text, Loader=RecordLoader)
    except yaml.YAMLError:
        root = None
    placed: dict[Problem, Problem] = {}
    index: _KeyIndex = {}
    for item in wanted:
        line, column = _position(root, item.loc, item.anchor, index)
        args = item.args
        if item.first_loc is not None:
            first_line = _position(root, item.first_loc, "value", index)[0]
            args = (*args, ("first", str(first_line)))
        placed[item] = replace(item, line=line, column=column, args=args)
    return placed
