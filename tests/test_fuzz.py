"""Fuzzing: the sample tree with one file mutated at random, through every command that
reads it. Whatever the mutation, duchu must exit 0, 1 or 2, print no traceback, never fall
into its own "internal error" line (that is a crash caught at the last moment), and leave
every file of the tree exactly as it was.

CI runs a short profile; a long run is one environment variable away:
    DUCHU_FUZZ_EXAMPLES=20000 python -m pytest tests/test_fuzz.py -q
"""

from __future__ import annotations

import hashlib
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from duchu.cli.app import app
from tests.conftest import SAMPLE, copy_tree

EXAMPLES = int(os.environ.get("DUCHU_FUZZ_EXAMPLES", "120"))
FILES = sorted(
    path.relative_to(SAMPLE).as_posix()
    for path in SAMPLE.rglob("*")
    if path.is_file() and path.suffix in (".yaml", ".csv")
)
NASTY_VALUES = [
    "",
    "~",
    "null",
    "[",
    "{",
    "}",
    "]",
    "- x",
    "&a x",
    "*a",
    "*zz",
    "!!python/object:os.system",
    "!!binary aGk=",
    "!include x",
    "2014-02-30",
    "2014年13月1日",
    "13月上旬",
    "9月底",
    "0",
    "-1",
    "99999999999999999999999",
    "1e400",
    "nan",
    ".inf",
    "yes",
    "|",
    ">",
    "'",
    '"',
    "\t",
    "：",
    "好",
    "差",
    "很差",
    "g9",
    "../../../etc/passwd",
    "/etc/passwd",
    "张某",
    "[张某, 张某]",
    "{date: 2014-02-30}",
    "{a: 1, a: 2}",
    "\\u0000",
    "\x00",
    "\x7f",
    "\u2028",
    "\ufeff",
    "领导班子",
    "x" * 5000,
    "[[[[[[[[[[[[]]]]]]]]]]]]",
]
# The classes of issue 16: terminal control sequences and bidi marks, rich-markup brackets,
# and numbers as YAML 1.1 reads them otherwise than a person does.
CONTROL_VALUES = [
    "\x1b[31m红\x1b[0m",
    "\x1b]0;title\x07",
    "\x1b]8;;http://example.com\x1b\\link\x1b]8;;\x1b\\",
    "\x9b2J",
    "\x08\x08\x08",
    "\r覆盖",
    "市\u202e局发改",
    "\u2066市\u2069",
    "\u200f",
]
BRACKET_VALUES = ["[wip]", "[link=http://x]点[/link]", "[/b]", "[bold red]x", "\\[x]", "[[/]]"]
NUMBER_VALUES = ["010", "045", "0x32", "0o17", "0b110010", "1_0", "1:30", "+12", "1e3", "0.5"]
NASTY_VALUES += CONTROL_VALUES + BRACKET_VALUES + NUMBER_VALUES
# What must never reach a terminal raw, whatever a record or a file name holds: C0 and C1
# controls (but the newline and tab of ordinary output) and the bidi overrides.
RAW_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
runner = CliRunner()
# After `check`: on a tree with errors every command refuses the same way, so one is run;
# on a tree without errors, all of them.
JUDGING = [
    ["status", "--as-of", "2014-06-30", "--all"],
    ["status", "--format", "json", "--unit", "huanbao"],
    ["tally", "--compare"],
    ["tally", "--format", "json"],
    ["report", "--phase", "criticism", "--as-of", "2014-06-30"],
]


def fingerprint(root: Path) -> dict[str, str]:
    return {
        path.relative_to(root).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(root.rglob("*"))
        if path.is_file()
    }


@st.composite
def mutations(draw: st.DrawFn) -> tuple[str, bytes]:
    """One file of the sample and its mutated bytes."""
    rel = draw(st.sampled_from(FILES))
    raw = (SAMPLE / rel).read_bytes()
    lines = raw.split(b"\n")
    kind = draw(st.sampled_from(["bytes", "insert", "lines", "key", "value", "truncate"]))
    if kind == "bytes":
        data = bytearray(raw)
        for _ in range(draw(st.integers(1, 8))):
            data[draw(st.integers(0, len(data) - 1))] = draw(st.integers(0, 255))
        return rel, bytes(data)
    if kind == "insert":
        at = draw(st.integers(0, len(raw)))
        return rel, raw[:at] + draw(st.binary(min_size=1, max_size=40)) + raw[at:]
    if kind == "truncate":
        return rel, raw[: draw(st.integers(0, len(raw)))]
    index = draw(st.integers(0, len(lines) - 1))
    line = lines[index].decode("utf-8", "replace")
    if kind == "lines":
        action = draw(st.sampled_from(["delete", "duplicate", "swap", "replace"]))
        if action == "delete":
            del lines[index]
        elif action == "duplicate":
            lines.insert(index, lines[index])
        elif action == "swap":
            other = draw(st.integers(0, len(lines) - 1))
            lines[index], lines[other] = lines[other], lines[index]
        else:
            lines[index] = draw(st.text(max_size=60)).encode("utf-8", "surrogatepass")
    elif kind == "key" and ":" in line:
        key = draw(
            st.sampled_from(
                [
                    "name",
                    "group",
                    "unit",
                    "kind",
                    "date",
                    "done",
                    "leaders",
                    "appraisal",
                    "counts",
                    "ballots",
                    "returned",
                    "phases",
                    "id",
                    "due",
                    "after",
                    "nme",
                    "<<",
                    "? x",
                    "- a",
                ]
            )
        )
        indent = line[: len(line) - len(line.lstrip())]
        lines[index] = (indent + key + ":" + line.split(":", 1)[1]).encode()
    elif ": " in line or "," in line:
        value = draw(st.sampled_from(NASTY_VALUES) | st.text(max_size=30))
        separator = ": " if ": " in line else ","
        head = line.split(separator, 1)[0]
        lines[index] = (head + separator + value).encode("utf-8", "surrogatepass")
    return rel, b"\n".join(lines)


@pytest.fixture(scope="module")
def work_tree(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return copy_tree(SAMPLE, tmp_path_factory.mktemp("fuzz") / "records")


@settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
    ],
)
@given(mutations())
def test_mutated_records_never_crash_duchu(work_tree: Path, mutation: tuple[str, bytes]) -> None:
    rel, mutated = mutation
    target = work_tree / rel
    original = target.read_bytes()
    target.write_bytes(mutated)
    try:
        before = fingerprint(work_tree)
        checked = runner.invoke(app, ["check", "--records", str(work_tree)])
        has_errors = " error: " in checked.output or checked.exit_code != 0
        for command in [["check"], *(JUDGING[:1] if has_errors else JUDGING)]:
            result = (
                checked
                if command == ["check"]
                else runner.invoke(app, [*command, "--records", str(work_tree)])
            )
            shown = result.output
            assert result.exit_code in (0, 1, 2), (command, shown)
            assert result.exception is None or isinstance(result.exception, SystemExit), (
                command,
                repr(result.exception),
            )
            assert "Traceback" not in shown, (command, shown)
            assert "内部错误" not in shown, (command, shown)
            assert not RAW_CONTROL.search(shown), (command, shown)
        assert fingerprint(work_tree) == before
    finally:
        target.write_bytes(original)


# --- text from the classes above, shown under output encodings that lack its glyphs ----------

NARROW_ENCODINGS = ["gbk", "ascii", "latin-1", "utf-8"]
SHOWN = [  # commands that print record text: names, notes, subjects
    ["status", "--as-of", "2014-06-30", "--all"],
    ["tally", "--compare"],
    ["check"],
]


@settings(max_examples=max(6, EXAMPLES // 20), deadline=None)
@given(
    encoding=st.sampled_from(NARROW_ENCODINGS),
    text=st.sampled_from(CONTROL_VALUES + BRACKET_VALUES)
    | st.text(
        alphabet=st.sampled_from(
            [*"市局[]/=\\█▓−—…“”『』", "\x1b", "\u202e", "\x9b", "\u2066", "\x07"]
        ),
        min_size=1,
        max_size=12,
    ),
)
def test_hostile_text_under_narrow_output_encodings(encoding: str, text: str) -> None:
    """A unit's short name and a meeting's notes hold the text; every command that shows
    them runs as a separate process whose output encoding is ``encoding`` (a GBK console,
    output redirected to an ASCII file): it never crashes, prints nothing raw, and what it
    prints is in that encoding."""
    import tempfile

    import yaml

    with tempfile.TemporaryDirectory() as folder:
        root = copy_tree(SAMPLE, Path(folder) / "records")
        unit_file = root / "units" / "guihua.yaml"
        unit = yaml.safe_load(unit_file.read_text(encoding="utf-8"))
        unit["short"] = text
        unit_file.write_text(yaml.safe_dump(unit, allow_unicode=True), encoding="utf-8")
        meeting_file = root / "meetings" / "2014-03" / "guihua-talks.yaml"
        meeting = yaml.safe_load(meeting_file.read_text(encoding="utf-8"))
        meeting["notes"] = text
        meeting_file.write_text(yaml.safe_dump(meeting, allow_unicode=True), encoding="utf-8")
        environment = {**os.environ, "PYTHONIOENCODING": encoding, "DUCHU_NO_CACHE": "1"}
        for command in SHOWN:
            done = subprocess.run(
                [sys.executable, "-m", "duchu", *command, "--records", str(root)],
                capture_output=True,
                env=environment,
                timeout=120,
                check=False,
            )
            out = done.stdout.decode(encoding) + done.stderr.decode(encoding)  # never fails
            assert done.returncode in (0, 1, 2), (command, out)
            assert "Traceback" not in out and "内部错误" not in out, (command, out)
            assert not RAW_CONTROL.search(out), (command, encoding, out)
