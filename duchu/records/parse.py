"""One record file from bytes to a validated record: read (``load_file``, never more than
``MAX_FILE_BYTES``), decode, parse and validate (``parse_file``), with duchu's problems for
what pydantic refuses (``validation_problems``) and for text that can disguise itself
(``unsafe_text``); a record's kind and id come from its path."""

from __future__ import annotations

import dataclasses
import difflib
import os
import re
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import TypeAdapter, ValidationError

from duchu import platform
from duchu.problems import Problem, Ref, problem
from duchu.records.cache import RecordCache, problem_from_stored
from duchu.records.discover import unreadable
from duchu.records.models import Campaign, Group, Meeting, Notice, Unit
from duchu.records.tree import CAMPAIGN_FILE, ID_PATTERN, Record

# yaml (duchu.records.read) is imported where used: a load that the cache answers whole needs
# none of it, and importing it was a tenth of a warm `status`.

# A record is a page or two of text; a file far larger is a mistake or an attack.
MAX_FILE_BYTES = 4 * 1024 * 1024


# --- validation problems ----------------------------------------------------------------------

_EXPECT_BY_TYPE = {
    "string_type": "expect-text",
    "string_too_short": "expect-text",
    "int_type": "expect-integer",
    "int_from_float": "expect-integer",
    "float_type": "expect-number",
    "list_type": "expect-list",
    "dict_type": "expect-mapping",
    "model_type": "expect-mapping",
    "model_attributes_type": "expect-mapping",
    "dataclass_type": "expect-mapping",
    "dataclass_args_type": "expect-mapping",
    "bool_type": "expect-bool",
    "literal_error": "expect-choice",
    "too_short": "expect-list",
}
# a number past one bound: pydantic's context holds that bound only (ge, le, gt or lt)
_EXPECT_BOUND = {
    "greater_than_equal": "expect-at-least",
    "less_than_equal": "expect-at-most",
    "greater_than": "expect-above",
    "less_than": "expect-below",
}


def _record_fields(model: Any) -> dict[str, Any]:
    """A record class's fields by name (``{}`` for anything else)."""
    return getattr(model, "__pydantic_fields__", {}) if dataclasses.is_dataclass(model) else {}


def _fields_of(model: type[Any], loc: tuple[str | int, ...]) -> list[str]:
    """The keys a model accepts at ``loc`` (for "did you mean" hints on unknown keys)."""
    current: Any = model
    for part in loc:
        if isinstance(part, int) or current is None:
            continue
        info = _record_fields(current).get(part)
        if info is not None:  # otherwise ``part`` is a key of a dict field: stay on its model
            current = _model_in(info.annotation)
    return list(_record_fields(current))


def _bounds_of(model: type[Any], loc: tuple[str | int, ...], ctx: dict[str, Any]) -> dict[str, Any]:
    """The bounds of the number at ``loc``: the field's own (both ends of ``year``'s range,
    1900 to 2999), over the one bound pydantic's error context gives."""
    current: Any = model
    for part in loc[:-1]:
        if isinstance(part, int) or current is None:
            continue
        info = _record_fields(current).get(part)
        if info is not None:
            current = _model_in(info.annotation)
    info = _record_fields(current).get(str(loc[-1])) if loc else None
    bounds: dict[str, Any] = {}
    for constraint in getattr(info, "metadata", ()):  # as written in the model: 1, not 1.0
        for k in ("ge", "le", "gt", "lt"):
            if getattr(constraint, k, None) is not None:
                bounds[k] = getattr(constraint, k)
    return {**{k: ctx[k] for k in ("ge", "le", "gt", "lt") if k in ctx}, **bounds}


def _model_in(annotation: Any) -> Any:
    """The model class inside an annotation such as ``list[Annotated[Leader, ...]] | None``."""
    if isinstance(annotation, type) and dataclasses.is_dataclass(annotation):
        return annotation
    inner = [*getattr(annotation, "__args__", ()), getattr(annotation, "__origin__", None)]
    for candidate in inner:
        if candidate is not None and candidate is not annotation:
            found = _model_in(candidate)
            if found is not None:
                return found
    return None


def validation_problems(path: str, model: type[Any], err: ValidationError) -> list[Problem]:
    """One problem per pydantic error, with the stable codes of duchu."""
    from duchu.records.read import yaml11_number

    found = []
    for error in err.errors(include_url=False):
        loc = tuple(error["loc"])
        kind = error["type"]
        key = str(next((part for part in reversed(loc) if part != "[key]"), ""))
        if kind in {"extra_forbidden", "unexpected_keyword_argument"}:
            known = _fields_of(model, loc[:-1])
            close = difflib.get_close_matches(key, known, n=1)
            found.append(
                problem(
                    path,
                    "unknown-key",
                    loc=loc,
                    anchor="key",
                    key=key,
                    suggestion=Ref("suggest-key" if close else ""),
                    close=close[0] if close else "",
                )
            )
        elif kind == "missing":
            found.append(problem(path, "missing-key", loc=loc, anchor="parent", key=key))
        elif kind in {"int_type", "float_type"} and yaml11_number(error.get("input")):
            found.append(problem(path, "number-form", loc=loc, key=key, value=error["input"]))
        else:
            ctx = error.get("ctx") or {}
            expected = _EXPECT_BY_TYPE.get(kind, "expect-other")
            bound = next((ctx[b] for b in ("ge", "le", "gt", "lt") if b in ctx), "")
            if kind in _EXPECT_BOUND:  # each message names the bounds it gives, never a blank
                ctx = _bounds_of(model, loc, ctx)
                both = "ge" in ctx and "le" in ctx
                expected = "expect-range" if both else _EXPECT_BOUND[kind]
            found.append(
                problem(
                    path,
                    "bad-value",
                    loc=loc,
                    anchor="key" if loc and loc[-1] == "[key]" else "value",
                    key=key,
                    expected=Ref(expected),
                    detail=error["msg"],
                    choices=str(ctx.get("expected", "")).replace(" or ", ", "),
                    low=ctx.get("ge", ""),
                    high=ctx.get("le", ""),
                    bound=bound,
                )
            )
    return found


# --- loading ----------------------------------------------------------------------------------

_MODELS: dict[str, type[Any]] = {
    "campaign": Campaign,
    "groups": Group,
    "units": Unit,
    "meetings": Meeting,
    "notices": Notice,
}
_ADAPTERS: dict[str, TypeAdapter[Any]] = {}


def record_adapter(kind: str) -> TypeAdapter[Any]:
    """The validator of a record kind, built once per process (building one takes ~1 ms)."""
    if kind not in _ADAPTERS:
        _ADAPTERS[kind] = TypeAdapter(_MODELS[kind])
    return _ADAPTERS[kind]


def record_kind(rel_path: str) -> str:
    return "campaign" if rel_path == CAMPAIGN_FILE else rel_path.split("/", 1)[0]


def record_id(rel_path: str) -> str:
    """The id of a record: its file stem, or for a meeting (a notice) its path under meetings/
    (notices/)."""
    without_suffix = rel_path.removesuffix(".yaml")
    return without_suffix.split("/", 1)[1] if "/" in without_suffix else without_suffix


def _valid_id(record_id_text: str) -> bool:
    return all(ID_PATTERN.fullmatch(segment) for segment in record_id_text.split("/"))


# problems after which a file has no data to validate
_UNREADABLE = {
    "yaml-syntax",
    "tab",
    "yaml-tag",
    "full-width-colon",
    "too-deep",
    "yaml-aliases",
    "control-character",
}


@dataclass(slots=True)
class FileResult:
    """What loading one file gave: its record (None when it failed) and its problems, placed
    at their lines; ``size`` and ``stamp`` (``disk_stamp``, or a blob's) are what the
    file's cache entry is keyed on, and ``changed_ns`` when it last changed."""

    path: str
    record: Record | None
    problems: list[Problem]
    size: int = -1
    stamp: int = 0
    changed_ns: int = 0


def cached_result(
    cache: RecordCache, rel_path: str, size: int, stamp: int, changed_ns: int = 0
) -> FileResult | None:
    """A file's result from the cache, if its entry is fresh and its problems are sound
    (for a file on disk and a blob of a commit alike)."""
    entry = cache.file(record_kind(rel_path), rel_path, size, stamp, changed_ns)
    if entry is None:
        return None
    record, stored = entry
    try:
        problems = [problem_from_stored(p, (rel_path,)) for p in stored] if stored else []
    except ValueError:
        return None
    return FileResult(rel_path, record, problems, size, stamp, changed_ns)


def disk_stamp(info: os.stat_result) -> tuple[int, int]:
    """What a file's cache entry is keyed on besides its size, as git keys its index:
    modification and change times in nanoseconds, inode and device -- ``touch -d`` can set
    the first but not the second, and a file put back in place is another inode -- and when
    it last changed (for the racy-entry rule). The hash of a tuple of ints is the same in
    every process (only text hashes are salted)."""
    stamp = hash((info.st_mtime_ns, info.st_ctime_ns, info.st_ino, info.st_dev))
    return stamp, max(info.st_mtime_ns, info.st_ctime_ns)


def load_file(root: Path, rel_path: str) -> FileResult:
    """Read, decode, parse and validate one record file; its problems come placed."""
    path = f"{root}/{rel_path}"  # a str, not a Path: this runs for every file
    try:
        # opened without blocking and checked before a byte is read: what discovery saw as a
        # file may be a pipe or a device by now, and a file may have grown past any record
        descriptor = platform.open_read_nonblocking(path)
        try:
            info = os.fstat(descriptor)
            if not stat.S_ISREG(info.st_mode):
                return FileResult(
                    rel_path, None, [problem(rel_path, "not-a-file", line=1, column=1)]
                )
            size = info.st_size
            stamp, changed_ns = disk_stamp(info)
            refused = refusal(rel_path, size)
            if refused is not None:
                return FileResult(rel_path, None, refused, size, stamp, changed_ns)
            raw = _read_at_most(descriptor, MAX_FILE_BYTES)
        finally:
            os.close(descriptor)
    except OSError as err:  # a loop of links, no permission: this file, not the run
        return FileResult(rel_path, None, [unreadable(rel_path, err)])
    if len(raw) > MAX_FILE_BYTES:  # it grew while being read
        found = [
            problem(rel_path, "too-large", line=1, column=1, size=len(raw), limit=MAX_FILE_BYTES)
        ]
        return FileResult(rel_path, None, found, size, stamp, changed_ns)
    result = parse_file(rel_path, raw, size, stamp)
    result.changed_ns = changed_ns
    return result


def _read_at_most(descriptor: int, limit: int) -> bytes:
    """The file's bytes, but never more than ``limit`` + 1 (enough to see it is too big)."""
    chunks = []
    left = limit + 1
    while left > 0:
        chunk = os.read(descriptor, min(left, 1 << 20))
        if not chunk:
            break
        chunks.append(chunk)
        left -= len(chunk)
    return b"".join(chunks)


def refusal(rel_path: str, size: int) -> list[Problem] | None:
    """The problem that stops a file before it is read: a name that is no id, a size no
    record has."""
    if record_kind(rel_path) != "campaign" and not _valid_id(record_id(rel_path)):
        return [problem(rel_path, "bad-id", line=1, column=1, id=record_id(rel_path))]
    if size > MAX_FILE_BYTES:
        return [problem(rel_path, "too-large", line=1, column=1, size=size, limit=MAX_FILE_BYTES)]
    return None


def parse_file(rel_path: str, raw: bytes, size: int, stamp: int) -> FileResult:
    """A record file's result from its bytes, wherever they came from (a file on disk, a
    commit's object); ``size`` and ``stamp`` are what its cache entry is keyed on."""
    record, text, problems = _parse_record(record_kind(rel_path), raw, rel_path)
    if text is not None and any(p.line == 0 for p in problems):
        from duchu.records.read import locate

        placed = locate(text, [p for p in problems if p.line == 0])
        problems = [placed.get(p, p) for p in problems]
    return FileResult(rel_path, record, problems, size, stamp)


def _parse_record(
    kind: str, raw: bytes, rel_path: str
) -> tuple[Record | None, str | None, list[Problem]]:
    """A record from the bytes of its file, or the problems that stop it."""
    from duchu.records.read import decode, full_width_colons, parse_yaml

    text, problems = decode(raw, rel_path)
    if text is None:
        return None, None, problems
    parsed = parse_yaml(text, rel_path)
    problems = parsed.problems
    if any(p.code in _UNREADABLE for p in problems):
        return None, text, problems
    data = parsed.data
    if data is None:
        problems.append(problem(rel_path, "empty-file", line=1, column=1))
        return None, text, problems
    if not isinstance(data, dict):
        found = Ref("found-list" if isinstance(data, list) else "found-text")
        colons = full_width_colons(text, rel_path)
        problems.extend(
            colons or [problem(rel_path, "not-a-mapping", line=1, column=1, found=found)]
        )
        return None, text, problems
    if _UNSAFE_TEXT.search(text) or "\\" in text:  # escapes can spell them too
        problems.extend(unsafe_text(rel_path, data))
    try:
        return record_adapter(kind).validate_python(data), text, problems
    except ValidationError as err:
        colons = full_width_colons(text, rel_path)
        problems.extend(colons or validation_problems(rel_path, _MODELS[kind], err))
        return (None if colons else _without_unknown_keys(kind, data, err)), text, problems


_UNKNOWN_KEY = frozenset({"extra_forbidden", "unexpected_keyword_argument"})


def _without_unknown_keys(kind: str, data: dict[str, Any], err: ValidationError) -> Record | None:
    """The record the file makes once its unknown keys are dropped, when they were all that
    was wrong; else None. A file's every problem is reported in one run (issue 24): a key
    typo (reported as ``unknown-key``) must not hide a bad date in the same file, which only
    the checks of a loaded record find. Keys are dropped, never list items, so every other
    problem is still found at its own line. Other refusals (a value of the wrong type) keep
    the record out, as before: dropping such a value could make a problem that is not there
    (a meeting without its ``unit``)."""
    errors = err.errors(include_url=False)
    if not all(error["type"] in _UNKNOWN_KEY for error in errors):
        return None
    for error in errors:
        _drop(data, tuple(error["loc"]))
    try:
        record: Record = record_adapter(kind).validate_python(data)
    except ValidationError:
        return None
    return record


def _drop(data: Any, loc: tuple[str | int, ...]) -> None:
    """Remove the key at ``loc`` (the deepest mapping key along it) from ``data``."""
    node, target = data, None
    for part in loc:
        if isinstance(node, dict) and isinstance(part, str) and part in node:
            target = (node, part)
            node = node[part]
        elif isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node):
            node = node[part]
        else:
            break
    if target is not None:
        del target[0][target[1]]


# Control characters (C0 but for newline, DEL, C1) and bidirectional overrides and isolates:
# text that can disguise itself on a screen or in a document (../shared/spec/RECORDS.md 1.1).
_UNSAFE_TEXT = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
_UNSAFE_LINE_TEXT = re.compile("[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
# fields written over several lines, where a newline is text
MULTI_LINE_FIELDS = frozenset({"notes", "note", "text", "reason"})


def has_unsafe_text(text: str) -> bool:
    """Whether ``text`` holds a character ``control-in-text`` reports (a newline aside)."""
    return _UNSAFE_TEXT.search(text) is not None


def unsafe_text(rel_path: str, data: Any, loc: tuple[str | int, ...] = ()) -> list[Problem]:
    """A ``control-in-text`` error at every key and value of ``data`` holding a character
    ../shared/spec/RECORDS.md 1.1 forbids in text (a newline is text only in multi-line fields)."""
    found: list[Problem] = []
    if isinstance(data, str):
        pattern = _UNSAFE_TEXT if loc and loc[-1] in MULTI_LINE_FIELDS else _UNSAFE_LINE_TEXT
        match = pattern.search(data)
        if match:
            found.append(
                problem(rel_path, "control-in-text", loc=loc, code_point=f"U+{ord(match[0]):04X}")
            )
    elif isinstance(data, dict):
        for key, value in data.items():
            if isinstance(key, str) and _UNSAFE_LINE_TEXT.search(key):
                found.append(
                    problem(
                        rel_path,
                        "control-in-text",
                        loc=(*loc, key),
                        anchor="key",
                        code_point=f"U+{ord(_UNSAFE_LINE_TEXT.search(key)[0]):04X}",  # type: ignore[index]
                    )
                )
            found.extend(unsafe_text(rel_path, value, (*loc, key)))
    elif isinstance(data, list):
        for index, item in enumerate(data):
            found.extend(unsafe_text(rel_path, item, (*loc, index)))
    return found


def read_regular(path: Path, limit: int) -> bytes | None:
    """The bytes of a regular file of at most ``limit`` bytes; None for anything else (a
    pipe, a device, a file too large -- a 3 GB campaign file is never read whole)."""
    try:
        descriptor = platform.open_read_nonblocking(path)
    except OSError:
        return None
    try:
        info = os.fstat(descriptor)
        if not stat.S_ISREG(info.st_mode) or info.st_size > limit:
            return None
        raw = _read_at_most(descriptor, limit)
        return raw if len(raw) <= limit else None
    except OSError:
        return None
    finally:
        os.close(descriptor)
