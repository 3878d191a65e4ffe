"""duchu's own bound on how deeply a YAML document nests, read from the text alone.

The bound must not depend on which PyYAML or libyaml is installed: libyaml 0.2.5 recursed
into absurd nesting and crashed the process, the libyaml in PyYAML 6.0.4 stops at 1,000
levels with a syntax error of its own. So the depth is measured here, before any parser
sees the text, by a small scanner of YAML's structure: block collections by their
indentation (a ``- `` entry, a ``key:``), flow collections by their brackets outside quotes
and comments. It errs on the side of counting a level too many, never too few; records nest
four or five levels, so a false alarm needs a document that is absurd anyway.
"""

from __future__ import annotations

import re

# A block mapping's key as it starts a line or follows "- ": quoted, or plain up to a colon
# followed by a space or the line's end (a plain key may hold colons of its own, and a
# '#' that no space stands before).
_BLOCK_KEY = re.compile(
    r"""(?:"(?:[^"\\]|\\.)*"|'(?:[^']|'')*'|(?:[^\s\[\]{}#,&*!|>'"%@`:?-]|[-?:][^\s#])"""
    r"""(?:\S|[ \t]+(?=[^\s#]))*?)"""
    r"""[ \t]*:(?=[ \t]|$)"""
)
# An anchor or a tag standing before a value: "&a [", "!!seq [".
_PROPERTY = re.compile(r"[&!]\S*[ \t]+")


class _Scan:
    """The open collections while the text is read line by line."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.block: list[tuple[int, str]] = []  # (column, "seq" | "map"), outermost first
        self.flow = 0
        self.quote = ""  # a quoted scalar going on to the next line
        self.too_deep: tuple[int, int] | None = None

    def depth(self) -> int:
        return len(self.block) + self.flow

    def open_block(self, column: int, kind: str, line: int) -> None:
        block = self.block
        # a sequence may stand at its mapping key's own column ("key:\n- a"); a key at a
        # sequence's column ends that sequence
        while block and (
            block[-1][0] > column
            or (block[-1][0] == column and kind == "map" and block[-1][1] == "seq")
        ):
            block.pop()
        if block and block[-1] == (column, kind):
            return
        block.append((column, kind))
        self.check(line, column)

    def check(self, line: int, column: int) -> None:
        if self.too_deep is None and self.depth() > self.limit:
            self.too_deep = (line, column + 1)

    def flow_text(self, text: str, start: int, line: int) -> None:
        """Brackets from ``start`` to the line's end, quotes and comments passed over."""
        at = start
        end = len(text)
        while at < end and self.too_deep is None:
            char = text[at]
            if self.quote:
                if self.quote == '"' and char == "\\":
                    at += 2
                    continue
                if char == self.quote:
                    if self.quote == "'" and text.startswith("''", at):
                        at += 2
                        continue
                    self.quote = ""
            elif char in "\"'":
                self.quote = char
            elif char == "#" and (at == 0 or text[at - 1] in " \t"):
                return
            elif char in "[{":
                self.flow += 1
                self.check(line, at)
            elif char in "]}":
                self.flow = max(0, self.flow - 1)
                if self.flow == 0:
                    self.quote = ""
            at += 1

    def block_line(self, text: str, number: int) -> int | None:
        """Reads a line's block structure; the column where a block scalar's text starts to
        be passed over (its parent's column), or None."""
        stripped = text.lstrip(" ")
        at = len(text) - len(stripped)
        if not stripped or stripped.startswith("#"):
            return None
        if at == 0 and stripped.startswith(("---", "...")) and stripped[3:4] in ("", " ", "\t"):
            self.block.clear()
            at = 3
        parent = at
        while at < len(text) and self.too_deep is None:
            rest = text[at:]
            if rest == "-" or rest.startswith(("- ", "-\t")):
                self.open_block(at, "seq", number)
                parent = at
                at += 1
            else:
                key = _BLOCK_KEY.match(text, at)
                if key is None:
                    break
                self.open_block(at, "map", number)
                parent = at
                at = key.end() + 1
            while at < len(text) and text[at] in " \t":
                at += 1
            prop = _PROPERTY.match(text, at)
            if prop is not None:
                at = prop.end()
        if at < len(text) and text[at] in "|>":
            return parent
        if at < len(text) and text[at] in "[{\"'":
            self.flow_text(text, at, number)  # a flow collection, or a quote that may go on
        return None


def too_deep_at(document: str, limit: int) -> tuple[int, int] | None:
    """The line and column (1-based) of the first collection nested deeper than ``limit``
    levels (the document's root collection is level 1), or None."""
    scan = _Scan(limit)
    scalar_parent: int | None = None  # inside a block scalar: its parent's column
    for number, text in enumerate(document.splitlines(), 1):
        if scalar_parent is not None:
            indent = len(text) - len(text.lstrip(" "))
            if not text.strip() or indent > scalar_parent:
                continue
            scalar_parent = None
        if scan.flow or scan.quote:
            scan.flow_text(text, 0, number)
        else:
            scalar_parent = scan.block_line(text, number)
        if scan.too_deep is not None:
            return scan.too_deep
    return None
