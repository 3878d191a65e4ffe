"""Problems are data: every finding of load and check is a ``Problem`` value.

Like beancount's error tuples, problems are collected (never raised), each with the file,
1-based line and column, severity, a stable ``code`` and the arguments of its message. The
text is rendered later from the message catalogue, in the user's language. A problem found
on the parsed data carries ``loc``, a path of keys and indexes into its YAML file; the
loader turns that into a line and column by composing only the files that have problems.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Literal

from duchu.messages import message, named_list

Loc = tuple[str | int, ...]
# What part of the YAML node at ``loc`` a problem points to: its value, its key (an unknown
# key, a duplicate), or -- for a key that is missing -- the mapping that should hold it.
Anchor = Literal["value", "key", "parent"]


class Ref(str):
    """A message argument that is itself a catalogue key, rendered in the same language."""

    __slots__ = ()


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True, slots=True)
class Problem:
    path: str
    code: str
    severity: Severity = Severity.ERROR
    args: tuple[tuple[str, str], ...] = ()
    line: int = 0
    column: int = 0
    loc: Loc | None = None
    anchor: Anchor = "value"
    hint: str | None = field(default=None)
    refs: tuple[str, ...] = ()  # names of args that are catalogue keys (``Ref``)
    # an earlier occurrence (of a duplicate): placement puts its line in the ``first`` arg
    first_loc: Loc | None = None

    def message(self, lang: str) -> str:
        args: dict[str, object] = {
            name: _quoted_part(value) if name in QUOTED_ARGS else value for name, value in self.args
        }
        if "candidates" in args:
            args["candidates"] = candidates_text(str(args["candidates"]), lang)
        for name in self.refs:
            args[name] = message(str(args[name]), lang, **args) if args[name] else ""
        text = message(self.code, lang, **args)
        if self.hint:
            text += " — " + message(self.hint, lang, **args)
        return text

    @property
    def place(self) -> str:
        """``line:column`` as a problem line shows it; in a workbook the row and the column
        as the sheet shows it (``5:C``), or the sheet and cell (``会议!C12``)."""
        if self.column > 0 and self.path.lower().endswith((".xlsx", ".xlsm")):
            sheet = dict(self.args).get("cell_sheet")
            if sheet is not None:  # a cell of a named sheet (an entry workbook): 会议!C12
                return f"{sheet}!{column_letters(self.column)}{self.line}"
            return f"{self.line}:{column_letters(self.column)}"
        return f"{self.line}:{self.column}"

    def sort_key(self) -> tuple[str, int, int, str]:
        return (self.path, self.line, self.column, self.code)

    def as_json(self, lang: str) -> dict[str, object]:
        return {
            "path": self.path,
            "line": self.line,
            "column": self.column,
            "severity": str(self.severity),
            "code": self.code,
            "message": self.message(lang),
        }


def column_letters(column: int) -> str:
    """A column as a spreadsheet shows it: 1 -> A, 27 -> AA."""
    letters = ""
    while column > 0:
        column, rest = divmod(column - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def problem(
    path: str,
    code: str,
    *,
    loc: Loc | None = None,
    anchor: Anchor = "value",
    severity: Severity = Severity.ERROR,
    line: int = 0,
    column: int = 0,
    hint: str | None = None,
    first_loc: Loc | None = None,
    **args: object,
) -> Problem:
    """Build a problem; message arguments are stored as text so problems stay hashable."""
    return Problem(
        path=path,
        code=code,
        severity=severity,
        args=tuple((key, str(value)) for key, value in args.items()),
        line=line,
        column=column,
        loc=loc,
        anchor=anchor,
        hint=hint,
        refs=tuple(key for key, value in args.items() if isinstance(value, Ref)),
        first_loc=first_loc,
    )


# A problem is one line: a value it quotes from a file (a number of 5,000 digits, a pasted
# paragraph as a key) is shown by its start, enough to find it at the line and column
# given. Lists of the valid choices and paths are shown whole: the answer may be at the end.
MAX_QUOTED_CHARS = 60
QUOTED_ARGS = frozenset({"value", "key", "detail"})


def candidates_arg(candidates: list[tuple[str, str]], more: int = 0) -> str:
    """The ``candidates`` argument of a problem about an unknown or ambiguous name: the
    (name, id) pairs and how many more, kept as text (problems are cached as text) and worded
    in the reader's language when the message is made (``named_list``)."""
    return json.dumps([[list(pair) for pair in candidates], more], ensure_ascii=False)


def candidates_text(value: str, lang: str) -> str:
    """A ``candidates`` argument (``candidates_arg``) worded in ``lang``."""
    try:
        pairs, more = json.loads(value)
        listed = [(str(name), str(ident)) for name, ident in pairs]
        return named_list(listed, int(more), lang)
    except (ValueError, TypeError):
        return value  # written as text by an older message: shown as it is


def _quoted_part(value: str) -> str:
    if len(value) <= MAX_QUOTED_CHARS:
        return value
    return value[: MAX_QUOTED_CHARS - 1] + "…"
