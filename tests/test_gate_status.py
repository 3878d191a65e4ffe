"""``duchu hook status [--server]`` (CLI.md 1.2): whether duchu's hook is the one git runs,
whether it can run, and whether it would refuse an invalid tree -- on real repositories, with
the hooks installed by ``duchu hook install``, then changed the ways a git server changes them
(gitolite's driver linked in its place, ``core.hooksPath``, another Python)."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from duchu import __version__
from duchu.cli.app import app
from duchu.hooks.install import hook_script
from tests import test_hooks
from tests.conftest import SAMPLE, copy_tree
from tests.test_gate_rights import bare_python
from tests.test_hooks import git, make_central

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
runner = CliRunner()


cache = test_hooks.cache  # the hook tests' fixture: caches on, in the test's folder


def status(*args: str) -> tuple[int, list[str]]:
    done = runner.invoke(app, ["--lang", "en", "hook", "status", *args])
    return done.exit_code, done.stdout.splitlines()


def objects_of(repository: Path) -> set[str]:
    return {str(p) for p in (repository / "objects").rglob("*") if p.is_file()}


def test_a_working_gate_holds_all_three_and_writes_nothing(tmp_path: Path, cache: Path) -> None:
    central = make_central(tmp_path)
    before = (objects_of(central), git(central, "for-each-ref").stdout)
    code, lines = status("--server", str(central))
    hook = central / "hooks" / "pre-receive"
    assert lines == [
        f"installed: {hook} is duchu's hook",
        f"can run: {sys.executable} loads duchu {__version__}",
        "refuses invalid records: a trial invalid record (campaign.yaml) was refused by the "
        "hook [yaml-syntax]",
    ]
    assert code == 0
    assert (objects_of(central), git(central, "for-each-ref").stdout) == before
    # in Chinese by default
    done = runner.invoke(app, ["hook", "status", "--server", str(central)])
    assert done.exit_code == 0 and done.stdout.startswith(f"已安装：{hook} 是 duchu 的钩子")
    # an empty repository too (HEAD's branch not there yet)
    empty = tmp_path / "empty.git"
    git(tmp_path, "init", "--quiet", "--bare", str(empty))
    assert runner.invoke(app, ["hook", "install", "--server", str(empty)]).exit_code == 0
    assert status("--server", str(empty))[0] == 0


def test_gitolites_driver_in_place_of_the_hook_is_found(tmp_path: Path, cache: Path) -> None:
    central = make_central(tmp_path)
    hook = central / "hooks" / "pre-receive"
    # what gitolite's repo-specific-hooks does at the next admin push
    local = tmp_path / "gitolite-local" / "hooks"
    (local / "repo-specific").mkdir(parents=True)
    driver = local / "multi-hook-driver"
    driver.write_text("#!/bin/sh\n# gitolite's driver\n", encoding="utf-8")
    ours = local / "repo-specific" / "duchu"
    hook.rename(ours)
    hook.symlink_to(driver)
    code, lines = status("--server", str(central))
    assert code == 1
    assert lines[0] == (
        f"not installed: {hook} is a link to {driver} (what gitolite's repo-specific-hooks puts "
        "there), so pushes go in unchecked by duchu"
    )
    assert lines[1:] == ["not tested: there is no duchu hook to run"]
    # duchu's hook among those the driver runs (option hook.pre-receive = duchu): at work
    (central / "hooks" / "pre-receive.h").mkdir()
    (central / "hooks" / "pre-receive.h" / "duchu").symlink_to(ours)
    code, lines = status("--server", str(central))
    assert lines[0] == f"installed: {ours} is duchu's hook, run by {driver}"
    assert code == 0, lines


def test_someone_elses_hook_or_none_is_not_installed(tmp_path: Path, cache: Path) -> None:
    central = make_central(tmp_path)
    hook = central / "hooks" / "pre-receive"
    text = hook.read_text(encoding="utf-8")
    hook.write_text("#!/bin/sh\nexit 0\n", encoding="utf-8")
    code, lines = status("--server", str(central))
    assert code == 1 and lines[0] == (
        f"not installed: {hook} is not duchu's hook; git runs it instead of duchu's check"
    )
    hook.unlink()
    code, lines = status("--server", str(central))
    assert code == 1 and lines[0].startswith(f"not installed: there is no {hook}")
    # edited, or not executable
    hook.write_text(text.replace("exit 1", "exit 0"), encoding="utf-8")
    hook.chmod(0o755)
    code, lines = status("--server", str(central))
    assert code == 1 and lines[0].startswith(f"not as installed: {hook} was written by another")
    hook.write_text(text, encoding="utf-8")
    hook.chmod(0o644)
    code, lines = status("--server", str(central))
    assert code == 1 and lines[0].startswith(f"not as installed: {hook} is not executable")
    hook.chmod(0o755)
    assert status("--server", str(central))[0] == 0


def test_a_hooks_path_elsewhere_is_found(tmp_path: Path, cache: Path) -> None:
    central = make_central(tmp_path)
    elsewhere = tmp_path / "global-hooks"
    elsewhere.mkdir()
    git(central, "config", "core.hooksPath", str(elsewhere))
    code, lines = status("--server", str(central))
    assert code == 1
    assert lines[0] == (
        f"not installed: core.hooksPath points to {elsewhere}, so git does not run "
        f"{central / 'hooks' / 'pre-receive'}"
    )


def test_a_python_that_cannot_run_duchu(tmp_path: Path, cache: Path) -> None:
    central = make_central(tmp_path)
    hook = central / "hooks" / "pre-receive"
    python = bare_python(tmp_path)
    text = hook.read_text(encoding="utf-8")
    # installed by a Python without duchu's dependencies: exactly duchu's script, which fails
    hook.write_text(hook_script("pre-receive", str(python), ["--lang", "en"]), encoding="utf-8")
    hook.chmod(0o755)
    code, lines = status("--server", str(central))
    assert code == 1 and lines[0] == f"installed: {hook} is duchu's hook"
    assert lines[1].startswith(f"cannot run: {python}: ")
    assert f"{python} is missing the module typer" in lines[1] and len(lines) == 2
    # a Python that is not there
    hook.write_text(hook_script("pre-receive", "/nonexistent/python", []), encoding="utf-8")
    code, lines = status("--server", str(central))
    assert lines[1:] == [
        "cannot run: the hook's Python (/nonexistent/python) does not exist or cannot be run"
    ]
    hook.write_text(text, encoding="utf-8")
    assert status("--server", str(central))[0] == 0


def test_the_client_hooks_of_a_working_repository(tmp_path: Path, cache: Path) -> None:
    repo = tmp_path / "repo"
    root = copy_tree(SAMPLE, repo / "records")
    git(repo, "init", "--quiet")
    code, lines = status("--records", str(root))
    assert code == 1 and lines[-1] == "not tested: there is no duchu hook to run"
    assert runner.invoke(app, ["hook", "install", "--records", str(root)]).exit_code == 0
    code, lines = status("--records", str(root))
    hooks = repo / ".git" / "hooks"
    assert lines == [
        line
        for hook in ("pre-commit", "pre-merge-commit")
        for line in (
            f"installed: {hooks / hook} is duchu's hook",
            f"can run: {sys.executable} loads duchu {__version__}",
            "refuses invalid records: a trial invalid record (campaign.yaml) was refused by "
            "the hook [yaml-syntax]",
        )
    ]
    assert code == 0
    # nothing staged, nothing written: the index is as it was
    assert git(repo, "status", "--porcelain").stdout.startswith("?? records/")
    (hooks / "pre-merge-commit").unlink()
    code, lines = status("--records", str(root))
    assert code == 1 and f"not installed: there is no {hooks / 'pre-merge-commit'}" in lines[3]


def test_status_outside_a_bare_repository_says_so_in_one_line(tmp_path: Path) -> None:
    plain = tmp_path / "plain"
    git(tmp_path, "init", "--quiet", str(plain))
    done = runner.invoke(app, ["hook", "status", "--server", str(plain)])
    assert done.exit_code == 2 and len(done.stderr.strip().splitlines()) == 1


def test_giteas_dispatcher_runs_ours_from_pre_receive_d(tmp_path: Path, cache: Path) -> None:
    central = tmp_path / "central.git"
    git(tmp_path, "init", "--quiet", "--bare", str(central))
    dispatcher = central / "hooks" / "pre-receive"
    dispatcher.write_text("#!/bin/sh\n# gitea: runs hooks/pre-receive.d/*\n", encoding="utf-8")
    dispatcher.chmod(0o755)
    (central / "hooks" / "pre-receive.d").mkdir()
    assert runner.invoke(app, ["hook", "install", "--server", str(central)]).exit_code == 0
    code, lines = status("--server", str(central))
    ours = central / "hooks" / "pre-receive.d" / "duchu"
    assert lines[0] == f"installed: {ours} is duchu's hook, run by {dispatcher}"
    assert code == 0, lines
