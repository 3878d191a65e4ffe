"""Hostile input beyond the record files: templates that reach out of the tree, ids with
path separators or control characters on the command line. Nothing outside the tree is
read, nothing is written where it should not be, and every refusal is one line, exit 2."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from duchu.cli.app import app
from tests.conftest import SAMPLE, build_tree, copy_tree

runner = CliRunner()


@pytest.fixture
def sample(tmp_path: Path) -> Path:
    return copy_tree(SAMPLE, tmp_path / "records")


def test_a_template_cannot_include_a_file_outside_the_tree(sample: Path, tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("机密", encoding="utf-8")
    templates = sample / "templates"
    templates.mkdir()
    (templates / "leak.md.j2").symlink_to(secret)
    (templates / "include.md.j2").write_text('{% include "leak.md.j2" %}\n', "utf-8")
    for name in ("leak.md.j2", "include.md.j2"):
        result = runner.invoke(
            app, ["report", "--records", str(sample), "--phase", "study", "--template", name]
        )
        assert result.exit_code == 2 and "机密" not in result.output
        # RECORDS.md: a link leading out of the tree is an error, said as such
        assert "是指向记录目录之外的链接" in result.stderr and "leak.md.j2" in result.stderr


def test_a_layout_file_outside_the_tree_is_not_read(sample: Path, tmp_path: Path) -> None:
    outside = tmp_path / "gongwen.yaml"
    outside.write_text("title_font: 1\n", encoding="utf-8")
    (sample / "templates").mkdir()
    (sample / "templates" / "gongwen.yaml").symlink_to(outside)
    target = tmp_path / "r.docx"
    result = runner.invoke(
        app, ["report", "--records", str(sample), "--phase", "study", "-o", str(target)]
    )
    # neither read nor quietly passed over for the built-in layout: an error (RECORDS.md)
    assert result.exit_code == 2, result.output
    assert len(result.stderr.strip().splitlines()) == 1 and "gongwen.yaml" in result.stderr
    assert not target.exists()


@pytest.mark.parametrize(
    "args",
    [
        ["new", "unit", "../evil", "--group", "g1"],
        ["new", "unit", "a\x07b", "--group", "g1"],
        [
            "new",
            "meeting",
            "--unit",
            "a",
            "--kind",
            "mobilization",
            "--date",
            "2014-03-01",
            "--name",
            "../../evil",
        ],
        ["new", "meeting", "--unit", "../a", "--kind", "mobilization", "--date", "2014-03-01"],
        ["status", "--unit", "../../etc"],
        ["tally", "../../etc/passwd"],
        ["report", "--phase", "study", "--group", "../g1"],
    ],
)
def test_ids_with_separators_or_control_characters(tmp_path: Path, args: list[str]) -> None:
    root = build_tree(tmp_path / "tree")
    before = sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*"))
    result = runner.invoke(app, [*args, "--records", str(root)])
    assert result.exit_code == 2
    assert len(result.stderr.strip().splitlines()) == 1 and "Traceback" not in result.output
    assert sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*")) == before


def test_log_of_a_path_outside_the_tree(tmp_path: Path) -> None:
    import subprocess

    root = build_tree(tmp_path / "tree")
    subprocess.run(["git", "init", "-q"], cwd=root, check=True)
    result = runner.invoke(app, ["log", "../../etc/passwd", "--records", str(root)])
    assert result.exit_code == 2 and "不在记录目录中" in result.stderr
