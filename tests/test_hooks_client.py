"""The client hooks, in real repositories: pre-commit and pre-merge-commit check the tree as
it would be committed, a merge's result included; they go into the repository's own hooks
folder only (never into a global ``core.hooksPath``), never over someone else's hook; and
``.pre-commit-hooks.yaml`` runs the same check for users of the pre-commit framework."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from duchu.cli.app import app
from tests.conftest import SAMPLE, copy_tree
from tests.test_hooks import git, ref

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
runner = CliRunner()
PROJECT = Path(__file__).resolve().parent.parent


@pytest.fixture(autouse=True)
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "cache"
    monkeypatch.setenv("XDG_CACHE_HOME", str(folder))
    return folder


def records_repo(tmp_path: Path, name: str = "records") -> Path:
    """The sample records in a repository of their own, committed, with the hooks."""
    root = copy_tree(SAMPLE, tmp_path / name)
    git(root, "init", "--quiet")
    git(root, "add", "--all")
    git(root, "commit", "--quiet", "-m", "records")
    done = runner.invoke(app, ["hook", "install", str(root), "--lang", "en"])
    assert done.exit_code == 0, done.output
    return root


def hooks_of(root: Path) -> list[str]:
    return sorted(
        p.name for p in (root / ".git" / "hooks").iterdir() if not p.name.endswith(".sample")
    )


def test_install_writes_both_hooks_into_the_repositorys_own_folder(tmp_path: Path) -> None:
    root = records_repo(tmp_path)
    assert hooks_of(root) == ["pre-commit", "pre-merge-commit"]
    for hook in ("pre-commit", "pre-merge-commit"):
        path = root / ".git" / "hooks" / hook
        assert os.access(path, os.X_OK)
        text = path.read_text(encoding="utf-8")
        assert f'-P -c "$launch" hook run {hook} --lang en' in text
    again = runner.invoke(app, ["hook", "install", str(root)])  # its own hooks: replaced
    assert again.exit_code == 0, again.output
    assert "--lang" not in (root / ".git" / "hooks" / "pre-commit").read_text(encoding="utf-8")


def test_a_commit_with_errors_is_refused_and_the_staged_tree_is_what_counts(
    tmp_path: Path,
) -> None:
    root = records_repo(tmp_path)
    head = ref(root, "HEAD")
    unit = root / "units" / "jiaoyu.yaml"
    unit.write_text(unit.read_text(encoding="utf-8").replace("group: g1", "group: zhen9"), "utf-8")
    done = git(root, "commit", "--quiet", "-am", "写错了", check=False)  # -a: a temporary index
    assert done.returncode != 0
    assert "units/jiaoyu.yaml:3:8: error: unknown group 'zhen9'" in done.stderr
    assert "commit refused: the records being committed have 1 errors" in done.stderr
    assert ref(root, "HEAD") == head
    # unstaged, the same edit does not stop another file's commit
    (root / "README.md").write_text("说明\n", encoding="utf-8")
    git(root, "add", "README.md")
    git(root, "commit", "--quiet", "-m", "说明")
    assert ref(root, "HEAD") != head


def test_a_merge_that_breaks_the_tree_is_refused(tmp_path: Path) -> None:
    """Branch a deletes a unit, branch b adds a meeting for it: each is valid, and git
    merges them without a conflict into a tree that is not."""
    root = records_repo(tmp_path)
    git(root, "checkout", "--quiet", "-b", "b")
    meeting = root / "meetings" / "2014-10" / "renshe-visit.yaml"
    meeting.parent.mkdir()
    meeting.write_text("date: 2014-10-08\nunit: renshe\nkind: visit\n", encoding="utf-8")
    git(root, "add", "--all")
    git(root, "commit", "--quiet", "-m", "人社局督导检查")
    git(root, "checkout", "--quiet", "master")
    git(
        root,
        "rm",
        "--quiet",
        "-r",
        "units/renshe.yaml",
        *[str(p.relative_to(root)) for p in (root / "meetings").rglob("renshe-*")],
    )
    git(root, "commit", "--quiet", "-m", "人社局不再列入")
    head = ref(root, "HEAD")
    done = git(root, "merge", "--no-edit", "b", check=False)
    assert done.returncode != 0
    output = done.stdout + done.stderr
    assert "meetings/2014-10/renshe-visit.yaml:2:7: error: unknown unit 'renshe'" in output
    assert "merge refused" in output
    assert ref(root, "HEAD") == head
    git(root, "merge", "--abort")


def test_install_refuses_a_global_hooks_path(tmp_path: Path) -> None:
    root = records_repo(tmp_path)
    shared = tmp_path / "company-hooks"
    shared.mkdir()
    (shared / "pre-commit").write_text("#!/bin/sh\nexit 0\n", encoding="utf-8")
    config = tmp_path / "gitconfig"
    # (with an identity: init would otherwise say how to set one, a line of its own)
    identity = "[user]\n\tname = 张三\n\temail = zhangsan@example.cn\n"
    config.write_text(f"[core]\n\thooksPath = {shared}\n{identity}", encoding="utf-8")
    env = {"GIT_CONFIG_GLOBAL": str(config)}
    for args in (["hook", "install", str(root)], ["init", str(tmp_path / "new")]):
        done = runner.invoke(app, ["--lang", "en", *args], env=env)
        assert "core.hooksPath leads out of the repository" in done.stderr
        assert len(done.stderr.strip().splitlines()) == 1
        assert sorted(p.name for p in shared.iterdir()) == ["pre-commit"]  # left alone
        assert (shared / "pre-commit").read_text(encoding="utf-8") == "#!/bin/sh\nexit 0\n"
        if args[0] == "hook":
            assert done.exit_code == 2
        else:  # init writes the records and the repository, and says why no hook
            assert done.exit_code == 0 and "no commit check installed" in done.stdout
            assert (tmp_path / "new" / "campaign.yaml").is_file()
            assert hooks_of(tmp_path / "new") == []


def test_a_hooks_path_inside_the_repository_is_used(tmp_path: Path) -> None:
    root = records_repo(tmp_path)
    for hook in ("pre-commit", "pre-merge-commit"):
        (root / ".git" / "hooks" / hook).unlink()
    git(root, "config", "core.hooksPath", ".githooks")
    done = runner.invoke(app, ["hook", "install", str(root)])
    assert done.exit_code == 0, done.output
    assert sorted(p.name for p in (root / ".githooks").iterdir()) == [
        "pre-commit",
        "pre-merge-commit",
    ]


def test_someone_elses_hook_is_left_alone_and_nothing_is_installed(tmp_path: Path) -> None:
    root = records_repo(tmp_path)
    (root / ".git" / "hooks" / "pre-commit").unlink()
    (root / ".git" / "hooks" / "pre-merge-commit").unlink()
    theirs = root / ".git" / "hooks" / "pre-merge-commit"
    theirs.write_text("#!/bin/sh\n# lint\nexit 0\n", encoding="utf-8")
    done = runner.invoke(app, ["--lang", "en", "hook", "install", str(root)])
    assert done.exit_code == 2
    assert done.stderr.strip() == (
        f"{theirs} is someone else's hook, left alone: add duchu hook run pre-merge-commit "
        "to it, or move it away and try again"
    )
    assert theirs.read_text(encoding="utf-8") == "#!/bin/sh\n# lint\nexit 0\n"
    assert hooks_of(root) == ["pre-merge-commit"]  # all or nothing: no pre-commit either


def test_duchu_10s_own_hook_is_replaced(tmp_path: Path) -> None:
    root = records_repo(tmp_path)
    old = root / ".git" / "hooks" / "pre-commit"
    old.write_text("#!/bin/sh\n# installed by duchu init: refuse a commit\n", encoding="utf-8")
    assert runner.invoke(app, ["hook", "install", str(root)]).exit_code == 0
    assert "duchu hook run pre-commit" in old.read_text(encoding="utf-8")


def test_records_in_a_sub_folder_of_the_repository(tmp_path: Path) -> None:
    top = tmp_path / "office"
    top.mkdir()
    root = copy_tree(SAMPLE, top / "督导 记录")
    git(top, "init", "--quiet")
    done = runner.invoke(app, ["hook", "install", str(root)])
    assert done.exit_code == 0, done.output
    assert "--prefix '督导 记录'" in (top / ".git" / "hooks" / "pre-commit").read_text("utf-8")
    git(top, "add", "--all")
    git(top, "commit", "--quiet", "-m", "records")
    unit = root / "units" / "jiaoyu.yaml"
    unit.write_text("name: [\n", encoding="utf-8")
    git(top, "add", "--all")
    done = git(top, "commit", "--quiet", "-m", "坏了", check=False)
    assert done.returncode != 0 and "units/jiaoyu.yaml:2:1: error:" in done.stderr


def test_init_installs_the_hooks(tmp_path: Path) -> None:
    done = runner.invoke(app, ["init", str(tmp_path / "new")])
    assert done.exit_code == 0, done.output
    assert hooks_of(tmp_path / "new") == ["pre-commit", "pre-merge-commit"]
    assert "pre-merge-commit" in done.stdout


def test_the_pre_commit_frameworks_hook_runs_the_same_check(tmp_path: Path) -> None:
    hooks = yaml.safe_load((PROJECT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    (hook,) = hooks
    assert hook["id"] == "duchu-check" and hook["language"] == "python"
    assert hook["pass_filenames"] is False and hook["always_run"] is True
    assert set(hook["stages"]) == {"pre-commit", "pre-merge-commit"}
    root = copy_tree(SAMPLE, tmp_path / "records")
    git(root, "init", "--quiet")
    git(root, "add", "--all")
    unit = root / "units" / "jiaoyu.yaml"
    unit.write_text(unit.read_text(encoding="utf-8").replace("group: g1", "group: g9"), "utf-8")
    entry = hook["entry"].split()
    assert entry[0] == "duchu"
    binary = Path(sys.executable).parent / "duchu"
    clean = subprocess.run([binary, *entry[1:]], cwd=root, capture_output=True, text=True)
    assert clean.returncode == 0, clean.stderr  # the bad edit is not staged
    git(root, "add", "--all")
    staged = subprocess.run([binary, *entry[1:]], cwd=root, capture_output=True, text=True)
    assert (
        staged.returncode == 1 and "units/jiaoyu.yaml:3:8: error: 未知的督导组“g9”" in staged.stderr
    )


def test_hooks_run_from_a_python_and_a_repository_whose_paths_have_spaces(tmp_path: Path) -> None:
    """As on Windows, where Python sits in ``C:\\Program Files`` and records in ``我的 文档``:
    the hook names its Python quoted, and a commit with errors is still refused."""
    folder = tmp_path / "Program Files" / "Python 3"
    folder.mkdir(parents=True)
    python = folder / "python"  # this Python, started from there (a link would lose its venv)
    python.write_text(f'#!/bin/sh\nexec "{sys.executable}" "$@"\n', encoding="utf-8")
    python.chmod(0o755)
    root = copy_tree(SAMPLE, tmp_path / "我的 文档" / "督导 记录")
    git(root, "init", "--quiet")
    git(root, "add", "--all")
    git(root, "commit", "--quiet", "-m", "records")
    from duchu.hooks.install import install_client_hooks

    install_client_hooks(root, str(python), "en")
    assert f"python='{python}'" in (root / ".git" / "hooks" / "pre-commit").read_text("utf-8")
    unit = root / "units" / "jiaoyu.yaml"
    unit.write_text(unit.read_text(encoding="utf-8").replace("group: g1", "group: zhen9"), "utf-8")
    # no duchu on PATH: only the Python the hook names can run the check
    done = git(root, "commit", "--quiet", "-am", "写错了", check=False, PATH="/usr/bin:/bin")
    assert done.returncode != 0
    assert "units/jiaoyu.yaml:3:8: error: unknown group 'zhen9'" in done.stderr
