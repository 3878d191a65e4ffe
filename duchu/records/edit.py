"""Changing fields of a record file in place, keeping every other line as it was written.

``duchu import`` (../shared/spec/CLI.md 1.2, export / import) changes the fields a clerk
changed in the workbook, and "every other line and comment of a changed file stays as it
was written". A YAML library that loads and dumps a whole document does not promise that
(it re-indents, moves comments, drops a byte-order mark or CRLF line ends, refolds), so
this module never writes a document whole. It composes the text with ruamel.yaml, which
reports where each key and value begins and ends, and splices in place of just the node a
change touches a piece of YAML that ruamel's emitter made (``duchu.records.yaml_fragments``):
a value for a value, a ``key: value`` entry appended at the end of its mapping in the
mapping's indentation, an item appended to a list, an entry cut out. Every line outside the
touched node is therefore the original's, byte for byte, by construction.

Each splice is then checked: PyYAML (as duchu and most readers read YAML) must read the new
text as the old data with exactly that one change; anything else is a bug, raised rather
than written. A change to the value a field already has changes nothing, so an import run
twice writes once. A change whose path crosses a value that is not a mapping or a list is an
``EditConflict`` naming the path, for the caller to report as a problem.

Two conveniences of the records format: a ``done`` entry in its short form (``plan:
2014-02-17``) widens to ``{date: 2014-02-17, note: …}`` when its ``note`` is set; and an
empty value (``done:`` with nothing after it) takes the mapping a change creates under it.
"""

from __future__ import annotations

import copy
import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

import yaml
from ruamel.yaml.error import YAMLError as RuamelError
from ruamel.yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from duchu.records.dates import DateError, parse_date
from duchu.records.yaml_fragments import (
    Path,
    check_value,
    compose,
    document,
    entry_fragment,
    flow_entry,
    flow_value,
    item_fragment,
    keep_quotes,
    safe_load,
)

__all__ = ["EditConflict", "FieldChange", "edit_record_text", "fingerprint", "new_record_text"]


@dataclass(frozen=True)
class FieldChange:
    """Set the value at ``keys`` (a path into the record: ``("done", "plan")``, ``("findings",
    2, "resolved")``) to ``value``: text, a whole number, a date, a list or a mapping of these;
    ``None`` removes the key. An index one past a list's end appends to the list."""

    keys: tuple[str | int, ...]
    value: object


class EditConflict(ValueError):
    """A change that the record's shape does not allow: its path crosses a value that is not
    a mapping or a list, an index past a list's end, a file that is not YAML."""

    def __init__(self, keys: Path, reason: str) -> None:
        self.keys = keys
        self.reason = reason
        super().__init__(f"{shown_path(keys)}: {reason}")


def shown_path(keys: Path) -> str:
    """A path as the import reports it: ``done.plan``, ``findings[2].resolved``."""
    shown = ""
    for key in keys:
        shown += f"[{key}]" if isinstance(key, int) else (f".{key}" if shown else key)
    return shown or "(the document)"


def fingerprint(text: str | bytes) -> str:
    """What export and import compare to see whether a file changed since the export: the
    first 16 hex digits of the SHA-256 of the file's bytes (text is encoded as UTF-8)."""
    data = text.encode("utf-8") if isinstance(text, str) else text
    return hashlib.sha256(data).hexdigest()[:16]


def new_record_text(data: Mapping[str, object], comment: str | None = None) -> str:
    """A new record file holding ``data``: keys in the order given, a block mapping at the
    top, short leaf mappings and lists of short values in flow style, dates as ISO dates,
    Chinese as it is; ``comment`` as a leading ``#`` line. It reads back as exactly ``data``."""
    written = document(data, comment)
    if safe_load(written) != _plain(data):
        raise ValueError("the record does not read back as written")  # a bug, never written
    return written


def edit_record_text(text: str, changes: Sequence[FieldChange]) -> str:
    """``text`` with ``changes`` applied in order, every line no change touches kept byte for
    byte (comments, blank lines, key order, quoting, flow or block style, CRLF, a byte-order
    mark). Raises ``EditConflict`` for a change the record's shape does not allow."""
    for change in changes:
        if not change.keys:
            raise EditConflict((), "a change needs a path")
        if change.value is not None:
            check_value(change.value, change.keys)
    return _apply_all(text, [(change.keys, change.value) for change in changes])


def _apply_all(text: str, changes: Sequence[tuple[Path, object]]) -> str:
    editor: _Editor | None = None
    for keys, value in changes:
        if editor is None or editor.text is not text:  # composed again after a splice only
            editor = _Editor(text)
        text = editor.apply(keys, value)
    return text


# --- where things are in the text -------------------------------------------------------


@dataclass
class _Slot:
    """A node reached by a path: its parent collection, its key node (in a mapping) or
    index (in a list), and whether it stands inside a flow collection."""

    node: Node
    path: Path
    parent: _Slot | None = None
    key_node: Node | None = None
    index: int = 0
    flow: bool = False


def _is_flow(node: Node) -> bool:
    return bool(getattr(node, "flow_style", False))


def _is_block_scalar(node: Node) -> bool:
    return isinstance(node, ScalarNode) and node.style in ("|", ">")


def _is_empty(node: Node) -> bool:
    """An empty plain value (``done:`` with nothing after it), read as null."""
    return isinstance(node, ScalarNode) and node.style is None and node.value == ""


def _is_null(node: Node) -> bool:
    return isinstance(node, ScalarNode) and node.style is None and node.value in ("", "~", "null")


def _nest(keys: Path, value: object, at: Path) -> object:
    """The value a change creates where its path stops existing: ``{done: {plan: …}}``."""
    for depth in range(len(keys) - 1, -1, -1):
        key = keys[depth]
        if isinstance(key, int):
            if key != 0:
                raise EditConflict((*at, *keys[: depth + 1]), "no such item in the list")
            value = [value]
        else:
            value = {key: value}
    return value


def _plain(value: object) -> object:
    """``value`` as PyYAML reads it back: mappings as dicts, sequences as lists."""
    if isinstance(value, Mapping):
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(item) for item in value]
    return value


def _same(existing: object, wanted: object) -> bool:
    """Whether the record already says ``wanted``: equal data (a date also equal to the
    same day written as text, ``2014年2月18日``), never ``True`` for ``1``."""
    if isinstance(wanted, Mapping):
        return (
            isinstance(existing, dict)
            and list(existing) == list(wanted)
            and all(_same(existing[key], wanted[key]) for key in wanted)
        )
    if isinstance(wanted, (list, tuple)):
        return (
            isinstance(existing, list)
            and len(existing) == len(wanted)
            and all(_same(old, new) for old, new in zip(existing, wanted, strict=True))
        )
    if isinstance(wanted, date) and isinstance(existing, str):
        try:
            return parse_date(existing) == wanted
        except DateError:
            return False
    if isinstance(existing, bool) != isinstance(wanted, bool) or type(existing) is not type(wanted):
        return False
    return existing == wanted


class _Editor:
    """One change applied to one text: compose, find, splice, verify."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.newline = "\r\n" if "\r\n" in text else "\n"
        self.literal = True  # text with line breaks may be written as a block literal
        self._root: Node | bool | None = False  # composed when a change needs positions
        try:
            self.data = safe_load(text)
        except yaml.YAMLError as err:
            raise EditConflict((), _not_yaml(err)) from None

    @property
    def root(self) -> Node | None:
        if self._root is False:
            try:
                self._root = compose(self.text)
            except RuamelError as err:
                raise EditConflict((), _not_yaml(err)) from None
        assert not isinstance(self._root, bool)
        return self._root

    # -- positions

    def line_start(self, index: int) -> int:
        return self.text.rfind("\n", 0, index) + 1

    def line_end(self, index: int) -> int:
        found = self.text.find("\n", index)
        return len(self.text) if found < 0 else found + 1

    def at_line_start(self, index: int) -> bool:
        return index == 0 or self.text[index - 1] == "\n"

    def node_end(self, node: Node) -> int:
        """Where a node's own text ends (a block scalar: after its last content line)."""
        if isinstance(node, (MappingNode, SequenceNode)) and not _is_flow(node) and node.value:
            last = node.value[-1]
            return self.node_end(last[1] if isinstance(node, MappingNode) else last)
        start, end = node.start_mark.index, node.end_mark.index
        if not _is_block_scalar(node):
            return int(end)
        lines = self.text[start:end].split("\n")
        header = lines[0]
        if "+" in header.split("#")[0]:  # kept trailing blank lines are content
            return int(end)
        while len(lines) > 1 and not lines[-1].strip():
            lines.pop()
        return int(start) + sum(len(line) + 1 for line in lines)

    def content_end(self, node: Node) -> int:
        """The end of the line on which a node ends, line break included."""
        end = self.node_end(node)
        return end if self.at_line_start(end) else self.line_end(end)

    def after_owned_comments(self, index: int, column: int) -> int:
        """Past the comment lines just after a mapping or list that are indented as deep as
        its entries (they belong to it), so that an appended entry follows them."""
        best = position = index
        while position < len(self.text):
            end = self.line_end(position)
            line = self.text[position:end]
            body = line.strip()
            if body.startswith("#") and len(line) - len(line.lstrip(" ")) >= column:
                best = position = end
            elif not body:
                position = end
            else:
                break
        return best

    def colon_after(self, key_node: Node) -> int:
        return self.text.index(":", key_node.end_mark.index)

    def dash_column(self, item: Node) -> int:
        start = item.start_mark.index
        dash = self.text.rindex("-", 0, start)
        return dash - self.line_start(dash)

    def native(self, fragment: str) -> str:
        return fragment.replace("\n", self.newline) if self.newline != "\n" else fragment

    # -- the change

    def apply(self, keys: Path, value: object) -> str:
        try:
            return self.apply_once(keys, value)
        except _Unspliced:
            # A block literal took in what follows it in the file (a deeper comment line):
            # the same change again with such text in quotes. What fails then is a bug.
            self.literal = False
            return self.apply_once(keys, value)

    def apply_once(self, keys: Path, value: object) -> str:
        existing = _data_at(self.data, keys)
        if existing is _MISSING if value is None else _same(existing, value):
            return self.text  # nothing to change: not even composed
        root = self.root
        if root is None or _is_null(root):  # an empty file, or comments only
            if value is None:
                return self.text
            if isinstance(keys[0], int):
                raise EditConflict(keys[:1], "the document is not a list")
            if root is not None:
                raise EditConflict((), "the document is not a mapping")
            return self.add_to_root(keys, value)
        if not isinstance(root, MappingNode):
            raise EditConflict((), "the document is not a mapping")
        slot = _Slot(node=root, path=())
        for depth, key in enumerate(keys):
            node, rest, here = slot.node, keys[depth + 1 :], keys[: depth + 1]
            if isinstance(node, MappingNode):
                if not isinstance(key, str):
                    raise EditConflict(here, "a mapping has no numbered items")
                pairs = [i for i, (k, _) in enumerate(node.value) if _key_is(k, key)]
                if not pairs:
                    if value is None:
                        return self.text
                    return self.add_entry(slot, key, _nest(rest, value, here), here)
                index = pairs[-1]  # PyYAML keeps the last of a key written twice
                key_node, child = node.value[index]
                if child.start_mark.index < key_node.end_mark.index:
                    raise EditConflict(here, "the value is an alias of another one")
                slot = _Slot(child, here, slot, key_node, index, slot.flow or _is_flow(node))
            elif isinstance(node, SequenceNode):
                if not isinstance(key, int) or isinstance(key, bool):
                    raise EditConflict(here, "a list has numbered items only")
                if key == len(node.value):
                    if value is None:
                        return self.text
                    return self.append_item(slot, _nest(rest, value, here), here)
                if not 0 <= key < len(node.value):
                    raise EditConflict(here, f"the list has {len(node.value)} items")
                child = node.value[key]
                slot = _Slot(child, here, slot, None, key, slot.flow or _is_flow(node))
            else:
                return self.through_scalar(slot, keys, depth, value)
        if value is None:
            return self.remove(slot)
        return self.set_value(slot, value)

    def through_scalar(self, slot: _Slot, keys: Path, depth: int, value: object) -> str:
        """A path that goes on past a scalar: an empty value takes what the change creates;
        a ``done`` entry's short form widens to ``{date, note}``; anything else conflicts."""
        here = keys[:depth]
        if _is_null(slot.node):
            if value is None:
                return self.text
            return self.set_value(slot, _nest(keys[depth:], value, here))
        short_done = len(keys) == 3 and keys[0] == "done" and keys[2] in ("date", "note")
        existing = _data_at(self.data, here)
        if short_done and isinstance(existing, (date, str)):
            if keys[2] == "note":
                if value is None:
                    return self.text
                return self.set_value(slot, {"date": existing, "note": value})
            if value is not None:
                return self.set_value(slot, {"date": value})
        raise EditConflict(keys[: depth + 1], f"{shown_path(here)} is not a mapping or a list")

    def set_value(self, slot: _Slot, value: object) -> str:
        node = slot.node
        existing = _data_at(self.data, slot.path)
        if _same(existing, value):
            return self.text
        if isinstance(node, MappingNode) and isinstance(value, Mapping) and value:
            # field by field, so that the mapping's comments and order stay
            changes: list[tuple[Path, object]] = [
                ((*slot.path, key), item) for key, item in value.items()
            ]
            changes += [
                ((*slot.path, pair[0].value), None)
                for pair in node.value
                if isinstance(pair[0], ScalarNode) and pair[0].value not in value
            ]
            return _apply_all(self.text, changes)
        if (
            isinstance(node, SequenceNode)
            and isinstance(value, (list, tuple))
            and len(value) >= len(node.value)
        ):
            items = [((*slot.path, index), item) for index, item in enumerate(value)]
            return _apply_all(self.text, items)
        return self.replace(slot, value)

    # -- splices

    def splice(self, start: int, end: int, piece: str, expected: object) -> str:
        new_text = self.text[:start] + self.native(piece) + self.text[end:]
        try:
            reread = safe_load(new_text)
        except yaml.YAMLError as err:
            raise _Unspliced(f"an edit made text that is not YAML: {err}") from None
        if reread != expected:
            raise _Unspliced("an edit did not read back as the change it makes")
        return new_text

    def replace(self, slot: _Slot, value: object) -> str:
        node, path = slot.node, slot.path
        expected = _with(self.data, path, value)
        start, end = int(node.start_mark.index), int(node.end_mark.index)
        inline_old = not _is_block_scalar(node) and not _is_empty(node)
        inline_old = inline_old and (isinstance(node, ScalarNode) or _is_flow(node))
        if isinstance(value, str) and isinstance(node, ScalarNode):
            value = keep_quotes(value, node.style, slot.flow or not self.literal)
        if slot.flow:
            return self.splice(start, end, flow_value(value, path), expected)
        parent = slot.parent
        assert parent is not None
        if isinstance(parent.node, MappingNode):
            assert slot.key_node is not None
            key = slot.key_node
            fragment, value_at = entry_fragment(str(path[-1]), value, path, self.literal)
            anchor_column = key.start_mark.column
            region_start = self.colon_after(key) + 1
            fragment_column = 0
        else:
            fragment, _, value_at = item_fragment(value, path, self.literal)
            fragment_column = value_at - (fragment.rfind("\n", 0, value_at) + 1)
            anchor_column = node.start_mark.column
            region_start = start
        piece = fragment[value_at:]
        if inline_old and piece.count("\n") == 1:
            return self.splice(start, end, piece.strip(" ").rstrip("\n"), expected)
        if _is_empty(node):  # `done:` and maybe a comment: the line's end, not its break
            region_end = self.line_end(region_start)
            while region_end > region_start and self.text[region_end - 1] in "\r\n":
                region_end -= 1
        else:
            region_end = self.content_end(node)
        piece = _shift(piece, anchor_column - fragment_column, first=False)
        if not self.at_line_start(region_end) or region_end == region_start:
            piece = piece.rstrip("\n")
        return self.splice(region_start, region_end, piece, expected)

    def add_to_root(self, keys: Path, value: object) -> str:
        key = keys[0]
        assert isinstance(key, str)
        whole = _nest(keys[1:], value, keys[:1])
        fragment, _ = entry_fragment(key, whole, keys[:1], self.literal)
        end = len(self.text)
        if end and not self.at_line_start(end):
            fragment = "\n" + fragment
        return self.splice(end, end, fragment, {key: _plain(whole)})

    def add_entry(self, slot: _Slot, key: str, value: object, path: Path) -> str:
        node = slot.node
        assert isinstance(node, MappingNode)
        expected = _with(self.data, path, value)
        if slot.flow or _is_flow(node):
            entry = flow_entry(key, value, path)
            if not node.value:
                opening = self.text.index("{", node.start_mark.index) + 1
                return self.splice(opening, opening, entry, expected)
            end = self.node_end(node.value[-1][1])
            return self.splice(end, end, ", " + entry, expected)
        column = node.value[0][0].start_mark.column
        at = self.after_owned_comments(self.content_end(node), column)
        fragment, _ = entry_fragment(key, value, path, self.literal)
        fragment = _shift(fragment, column, first=True)
        if not self.at_line_start(at):
            fragment = "\n" + fragment
        return self.splice(at, at, fragment, expected)

    def append_item(self, slot: _Slot, value: object, path: Path) -> str:
        node = slot.node
        assert isinstance(node, SequenceNode)
        expected = _with(self.data, path, value)
        if slot.flow or _is_flow(node):
            item = flow_value(value, path)
            if not node.value:
                opening = self.text.index("[", node.start_mark.index) + 1
                return self.splice(opening, opening, item, expected)
            end = self.node_end(node.value[-1])
            return self.splice(end, end, ", " + item, expected)
        column = self.dash_column(node.value[0])
        at = self.after_owned_comments(self.content_end(node), column)
        fragment, fragment_column, _ = item_fragment(value, path, self.literal)
        fragment = _shift(fragment, column - fragment_column, first=True)
        if not self.at_line_start(at):
            fragment = "\n" + fragment
        return self.splice(at, at, fragment, expected)

    def remove(self, slot: _Slot) -> str:
        """Cut an entry or item out; a mapping or list left empty goes with it."""
        parent = slot.parent
        assert parent is not None
        if len(parent.node.value) == 1:
            if parent.parent is None:
                raise EditConflict(slot.path, "the last key of a record cannot be removed")
            return self.remove(parent)
        expected = _without(self.data, slot.path)
        entries: list[Any] = parent.node.value
        is_mapping = isinstance(parent.node, MappingNode)

        def start_of(index: int) -> int:
            entry = entries[index]
            return int((entry[0] if is_mapping else entry).start_mark.index)

        def end_of(index: int) -> int:
            entry = entries[index]
            node = entry[1] if is_mapping else entry
            if _is_empty(node):
                return self.colon_after(entry[0]) + 1 if is_mapping else int(node.start_mark.index)
            return self.node_end(node)

        index = slot.index
        if slot.flow or _is_flow(parent.node):
            if index > 0:
                return self.splice(end_of(index - 1), end_of(index), "", expected)
            return self.splice(start_of(0), start_of(1), "", expected)
        first = start_of(index) if is_mapping else self.text.rindex("-", 0, start_of(index))
        line_start = self.line_start(first)
        if self.text[line_start:first].strip(" "):  # the first key of a list item: `- id: x`
            return self.splice(start_of(index), start_of(index + 1), "", expected)
        end = end_of(index)
        end = end if self.at_line_start(end) else self.line_end(end)
        return self.splice(line_start, end, "", expected)


class _Unspliced(RuntimeError):
    """A splice whose text does not read back as the change: a bug, never written."""


def _not_yaml(err: Exception) -> str:
    return f"the file is not valid YAML ({err.__class__.__name__})"


def _key_is(node: Node, key: str) -> bool:
    return isinstance(node, ScalarNode) and node.value == key


def _shift(fragment: str, columns: int, first: bool) -> str:
    """``fragment``'s lines moved right by ``columns`` (left if negative), its first line too
    when ``first``; empty lines stay empty (inside a block literal they are its blank lines)."""
    lines = fragment.split("\n")
    moved = []
    for number, line in enumerate(lines):
        if (number == 0 and not first) or not line or columns == 0:
            moved.append(line)
        elif columns > 0:
            moved.append(" " * columns + line)
        else:
            assert line[:-columns].strip(" ") == ""
            moved.append(line[-columns:])
    return "\n".join(moved)


def _data_at(data: object, path: Path) -> object:
    for key in path:
        in_list = isinstance(data, list) and isinstance(key, int) and 0 <= key < len(data)
        if in_list or (isinstance(data, dict) and key in data):
            data = data[key]  # type: ignore[index]
        else:
            return _MISSING
    return data


_MISSING = object()


def _with(data: object, path: Path, value: object) -> object:
    """A copy of ``data`` with ``value`` at ``path`` (an index one past a list's end
    appends): what the text must read as after the splice."""
    result = copy.deepcopy(data)
    if result is None:
        result = {}
    holder: Any = result
    for key in path[:-1]:
        holder = holder[key]
    last = path[-1]
    if isinstance(holder, list) and last == len(holder):
        holder.append(_plain(value))
    else:
        holder[last] = _plain(value)
    return result


def _without(data: object, path: Path) -> object:
    result = copy.deepcopy(data)
    holder: Any = result
    for key in path[:-1]:
        holder = holder[key]
    del holder[path[-1]]
    return result
