"""The command line as CLI.md defines it: lines, counts, JSON, exit codes, root discovery."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from duchu import __version__
from duchu.cli.app import app
from tests.conftest import BROKEN, build_tree

runner = CliRunner()


def test_check_clean_tree(base_tree: Path) -> None:
    result = runner.invoke(app, ["check", "--records", str(base_tree)])
    assert result.exit_code == 0
    assert result.stdout.splitlines() == ["0 个问题（0 个错误，0 个警告），共 7 个文件"]


def test_check_lines_in_both_languages(tmp_path: Path) -> None:
    root = build_tree(tmp_path / "t", BROKEN / "unknown-group")
    zh = runner.invoke(app, ["check", "--records", str(root)])
    assert zh.exit_code == 1
    assert zh.stdout.splitlines() == [
        "units/a.yaml:2:8: error: 未知的督导组“g9”（可选：第一督导组（g1）） [unknown-group]",
        "1 个问题（1 个错误，0 个警告），共 7 个文件",
    ]
    en = runner.invoke(app, ["--lang", "en", "check", "--records", str(root)])
    assert en.stdout.splitlines() == [
        "units/a.yaml:2:8: error: unknown group 'g9' (candidates: 第一督导组 (g1)) [unknown-group]",
        "1 problem (1 error, 0 warnings) in 7 files",
    ]


def test_check_sorts_by_file_and_line(tmp_path: Path) -> None:
    root = build_tree(tmp_path / "t", BROKEN / "no-leaders")
    (root / "units" / "a.yaml").write_text(
        (root / "units" / "a.yaml").read_text(encoding="utf-8").replace("g1", "g7"), "utf-8"
    )
    lines = runner.invoke(app, ["check", "--records", str(root)]).stdout.splitlines()
    assert [line.split(": ")[0] for line in lines[:-1]] == [
        "meetings/2014-02/b-mob.csv:1:13",
        "units/a.yaml:2:8",
        "units/b.yaml:1:1",
    ]
    assert lines[-1] == "3 个问题（2 个错误，1 个警告），共 7 个文件"


def test_strict_makes_warnings_fail(tmp_path: Path) -> None:
    root = build_tree(tmp_path / "t", BROKEN / "absent-no-reason")
    assert runner.invoke(app, ["check", "--records", str(root)]).exit_code == 0
    assert runner.invoke(app, ["check", "--strict", "--records", str(root)]).exit_code == 1


def test_check_json(tmp_path: Path) -> None:
    root = build_tree(tmp_path / "t", BROKEN / "duplicate-key")
    result = runner.invoke(
        app, ["check", "--format", "json", "--lang", "en", "--records", str(root)]
    )
    assert result.exit_code == 1
    assert json.loads(result.stdout) == {
        "problems": [
            {
                "path": "units/a.yaml",
                "line": 4,
                "column": 1,
                "severity": "error",
                "code": "duplicate-key",
                "message": "duplicate key 'name' (first on line 1): "
                "YAML would silently keep the last",
            }
        ],
        "files": 7,
    }


def test_other_commands_refuse_a_tree_with_errors(tmp_path: Path) -> None:
    root = build_tree(tmp_path / "t", BROKEN / "unknown-group")
    result = runner.invoke(app, ["status", "--records", str(root), "--format", "json"])
    assert result.exit_code == 2
    assert result.stdout == ""  # nothing on stdout for a script to mistake for data
    assert "units/a.yaml:2:8: error:" in result.stderr
    assert "记录中有 1 个错误" in result.stderr


def test_a_tree_with_warnings_only_is_judged(tmp_path: Path) -> None:
    root = build_tree(tmp_path / "t", BROKEN / "absent-no-reason")
    assert runner.invoke(app, ["status", "--records", str(root)]).exit_code == 0


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["status", "--as-of", "2014-02-30"], "--as-of 的日期 '2014-02-30' 无效"),
        (["status", "--unit", "zz"], "没有单位“zz”"),
        (["status", "--group", "zz"], "没有督导组“zz”"),
        (["status", "--phase", "zz"], "没有环节“zz”"),
        (["status", "--fail-on", "late"], "--fail-on 只能是 overdue|due_soon"),
        (["check", "--format", "xml"], "--format 只能是 text|json"),
        (["check", "--lang", "fr"], "--lang 只能是 zh 或 en"),
    ],
)
def test_cannot_run_is_exit_2_with_one_line(base_tree: Path, args: list[str], words: str) -> None:
    result = runner.invoke(app, [*args, "--records", str(base_tree)])
    assert result.exit_code == 2
    assert words in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_no_records_tree(tmp_path: Path) -> None:
    result = runner.invoke(app, ["status", "--records", str(tmp_path)])
    assert result.exit_code == 2
    assert "找不到记录目录" in result.stderr and "Traceback" not in result.output


def test_records_root_discovery(
    base_tree: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("DUCHU_RECORDS", raising=False)
    monkeypatch.chdir(base_tree / "meetings" / "2014-02")  # nearest folder with campaign.yaml
    assert runner.invoke(app, ["check"]).exit_code == 0
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    assert runner.invoke(app, ["check"]).exit_code == 2  # no ./records here
    monkeypatch.setenv("DUCHU_RECORDS", str(base_tree))
    assert runner.invoke(app, ["check"]).exit_code == 0
    (elsewhere / "records").symlink_to(base_tree)
    monkeypatch.delenv("DUCHU_RECORDS")
    assert runner.invoke(app, ["check"]).exit_code == 0  # ./records


def test_unexpected_failure_is_one_line_not_a_traceback(
    base_tree: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import duchu.records.load

    def explode(root: Path, **options: object) -> None:
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(duchu.records.load, "load_tree", explode)
    monkeypatch.delenv("DUCHU_DEBUG", raising=False)
    result = runner.invoke(app, ["check", "--records", str(base_tree)])
    assert result.exit_code == 2
    assert result.stderr.strip() == (
        "duchu 内部错误：RuntimeError: disk on fire（请把这条信息和所用命令报告给维护者）"
    )


def test_version_and_module_entry_point() -> None:
    assert runner.invoke(app, ["--version"]).stdout.strip() == f"duchu {__version__}"
    done = subprocess.run(
        [sys.executable, "-m", "duchu", "--version"], capture_output=True, text=True, check=True
    )
    assert done.stdout.strip() == f"duchu {__version__}"


def test_help_lists_the_commands() -> None:
    result = runner.invoke(app, ["--help"])
    assert result.exit_code == 0
    assert "check" in result.stdout and "status" in result.stdout


_JSON_VALUES = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(2**62), 2**62)
    | st.floats(0, 1).map(lambda x: round(x, 4))  # the rates, rounded as CLI.md says
    | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=30,
)


@settings(max_examples=300, deadline=None)
@given(_JSON_VALUES)
def test_json_output_is_what_json_dumps_writes(data: object) -> None:
    """``--format json`` is written by pydantic-core (fast, lean) yet byte for byte what
    ``json.dumps(data, ensure_ascii=False, indent=2)`` gives, control characters and all."""
    import io

    from duchu.render.json import print_json

    stream = io.TextIOWrapper(io.BytesIO(), encoding="utf-8")
    real = sys.stdout
    sys.stdout = stream
    try:
        print_json(data)
    finally:
        sys.stdout = real
    stream.flush()
    written = stream.buffer.getvalue()  # type: ignore[attr-defined]
    assert written == (json.dumps(data, ensure_ascii=False, indent=2) + "\n").encode()


@settings(max_examples=200, deadline=None)
@given(st.dictionaries(st.text(), _JSON_VALUES, max_size=4), st.sets(st.text(), max_size=4))
def test_a_document_written_a_member_at_a_time_is_what_json_dumps_writes(
    document: dict[str, object], streamed: set[str]
) -> None:
    """``print_json`` writes a mapping a member at a time, and a list member (or an
    iterator, as ``tally`` gives its meetings) an item at a time: byte for byte what
    ``json.dumps`` writes of the whole document with its lists made."""
    import io

    from duchu.render.json import print_json

    given = {
        key: iter(value) if key in streamed and isinstance(value, list) else value
        for key, value in document.items()
    }
    stream = io.TextIOWrapper(io.BytesIO(), encoding="utf-8")
    real = sys.stdout
    sys.stdout = stream
    try:
        print_json(given)
    finally:
        sys.stdout = real
    stream.flush()
    written = stream.buffer.getvalue()  # type: ignore[attr-defined]
    assert written == (json.dumps(document, ensure_ascii=False, indent=2) + "\n").encode()


def test_the_collector_is_given_back_after_a_command(monkeypatch: pytest.MonkeyPatch) -> None:
    """Commands pause the cyclic collector from loading on (a province's table is made of
    hundreds of thousands of objects it would walk for nothing); in-process callers get it
    back as it was."""
    import gc

    import duchu.judge.status
    from tests.conftest import SAMPLE

    seen = []
    real = duchu.judge.status.unit_status

    def spying(*args: Any, **kwargs: Any) -> Any:
        seen.append(gc.isenabled())
        return real(*args, **kwargs)

    monkeypatch.setattr(duchu.judge.status, "unit_status", spying)
    assert gc.isenabled()
    for args in (["status", "--as-of", "2014-06-15"], ["check"], ["tally", "--unit", "nope"]):
        CliRunner().invoke(app, [*args, "--records", str(SAMPLE)])
        assert gc.isenabled() and gc.get_freeze_count() == 0
    assert seen == [False]  # paused while `status` worked
