"""Windows PCs: every operating-system call that POSIX and Windows do differently lives in
``duchu.platform`` (read from the source); the whole command set gives the same output with
the POSIX-only capabilities switched off there as with them on; with an ``os`` that lacks
the POSIX-only flags no ``AttributeError`` escapes; and each Windows path keeps its promise
(no link followed, the cache under ``%LOCALAPPDATA%``, shown paths '/'-separated)."""

from __future__ import annotations

import ast
import errno
import os
import shutil
import sys
import zipfile
from pathlib import Path

import pytest
from typer.testing import CliRunner

from duchu import platform
from duchu.cli.app import app
from tests.conftest import SAMPLE, copy_tree

PACKAGE = Path(__file__).resolve().parent.parent / "duchu"
runner = CliRunner()
AS_OF = "2014-06-20"

# --- only the layer touches the calls that differ ----------------------------------------------

FORBIDDEN_OS = {
    "O_NOFOLLOW",
    "O_NONBLOCK",
    "O_DIRECTORY",
    "O_CLOEXEC",
    "fork",
    "fwalk",
    "getuid",
    "geteuid",
    "killpg",
    "kill",
    "chown",
    "link",
}
FORBIDDEN_MODULES = {"fcntl", "resource", "ctypes", "signal", "termios", "msvcrt", "winreg"}


def _uses(path: Path) -> list[str]:
    """What in ``path`` is a platform call only ``duchu.platform`` may make."""
    found = []
    shown = (
        path.relative_to(PACKAGE.parent).as_posix()
        if path.is_relative_to(PACKAGE.parent)
        else path.name
    )
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        where = f"{shown}:{getattr(node, 'lineno', 0)}"
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
            if node.value.id == "os" and node.attr in FORBIDDEN_OS:
                found.append(f"{where} os.{node.attr}")
            if node.value.id in FORBIDDEN_MODULES:
                found.append(f"{where} {node.value.id}.{node.attr}")
            if node.value.id == "sys" and node.attr == "platform":
                found.append(f"{where} sys.platform")
            if node.value.id == "os" and node.attr == "name":
                found.append(f"{where} os.name")
        elif isinstance(node, ast.Attribute) and node.attr == "prctl":
            found.append(f"{where} prctl")
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.split(".")[0] in FORBIDDEN_MODULES:
                    found.append(f"{where} import {alias.name}")
        elif isinstance(node, ast.ImportFrom):
            if (node.module or "").split(".")[0] in FORBIDDEN_MODULES:
                found.append(f"{where} from {node.module}")
        elif isinstance(node, ast.keyword) and node.arg == "dir_fd":
            found.append(f"{where} dir_fd=")
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id in ("getattr", "hasattr")
            and len(node.args) >= 2
            and isinstance(node.args[0], ast.Name)
            and node.args[0].id == "os"
            and isinstance(node.args[1], ast.Constant)
            and node.args[1].value in FORBIDDEN_OS
        ):
            found.append(f"{where} {node.func.id}(os, {node.args[1].value!r})")
    return found


def test_only_the_platform_layer_makes_the_calls_that_differ() -> None:
    found = [
        use
        for path in sorted(PACKAGE.rglob("*.py"))
        if path != PACKAGE / "platform.py"
        for use in _uses(path)
    ]
    assert found == []


def test_the_check_sees_a_call_outside_the_layer(tmp_path: Path) -> None:
    # the check itself can fail: each kind of use it looks for is found in a module
    module = tmp_path / "probe.py"
    text = (
        "import os, signal\nfrom ctypes import CDLL\n"
        "os.open('x', os.O_RDONLY | os.O_NOFOLLOW)\nos.fork()\nos.unlink('x', dir_fd=3)\n"
        "getattr(os, 'O_NONBLOCK', 0)\nsignal.SIGKILL\n"
    )
    module.write_text(text, encoding="utf-8")
    found = " ".join(_uses(module))
    for use in (
        "import signal",
        "from ctypes",
        "os.O_NOFOLLOW",
        "os.fork",
        "dir_fd=",
        "'O_NONBLOCK'",
    ):
        assert use in found, (use, found)


def test_the_layer_imports_only_the_base() -> None:
    tree = ast.parse((PACKAGE / "platform.py").read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("duchu"):
            assert node.module in ("duchu.errors", "duchu.problems", "duchu.paths"), node.module
        if isinstance(node, ast.Import):
            assert not any(alias.name.startswith("duchu") for alias in node.names)


def test_capabilities_on_this_system_and_switched_off() -> None:
    assert platform.detect() == platform.CAN
    assert platform.CAN.no_follow == hasattr(os, "O_NOFOLLOW")
    assert platform.CAN.fork == hasattr(os, "fork")
    assert not any(vars(platform.WITHOUT_POSIX).values())


# --- the whole command set, with the POSIX-only capabilities and without ------------------------


def _zip_parts(path: Path) -> dict[str, bytes]:
    """An xlsx or docx by its parts, less the one that holds when it was written."""
    with zipfile.ZipFile(path) as book:
        return {name: book.read(name) for name in book.namelist() if name != "docProps/core.xml"}


def _files(top: Path) -> dict[str, object]:
    """Every file under ``top`` (of a git folder only the hooks), by content."""
    found: dict[str, object] = {}
    for path in sorted(top.rglob("*")):
        rel = path.relative_to(top).as_posix()
        if "/.git/" in f"/{rel}" and "/.git/hooks/" not in f"/{rel}":
            continue
        if path.is_symlink() or not path.is_file():
            found[rel] = "folder" if path.is_dir() else "other"
        elif rel.startswith("cache/"):  # keyed on each file's inode and times: its name
            found[rel] = "cache"
        elif path.suffix in (".xlsx", ".docx"):
            found[rel] = _zip_parts(path)
        else:
            found[rel] = path.read_bytes()
    return found


def _run_everything(top: Path) -> dict[str, object]:
    """Every command on a copy of the sample (and on a new records repository) at ``top``;
    what each printed and every file written."""
    records = copy_tree(SAMPLE, top / "records")
    out = top / "out"
    out.mkdir()
    r = ["--records", str(records)]
    new = ["--records", str(top / "new")]
    study = ["--phase", "study", "--as-of", "2014-04-20"]
    commands: list[list[str]] = [
        ["check", *r],
        ["check", *r],  # the second from the cache
        ["status", *r, "--as-of", AS_OF],
        ["status", *r, "--as-of", AS_OF, "--by", "group"],
        ["status", *r, "--as-of", AS_OF, "--all", "--format", "xlsx", "-o", str(out / "s.xlsx")],
        ["tally", *r],
        ["tally", *r, "--format", "xlsx", "-o", str(out / "t.xlsx")],
        ["report", *r, "--group", "g2", *study],
        ["report", *r, "--group", "g2", *study, "--format", "docx", "-o", str(out / "r.docx")],
        ["report", *r, *study],
        ["site", *r, "-o", str(out / "site"), "--as-of", AS_OF],
        ["site", *r, "-o", str(out / "site"), "--as-of", AS_OF],  # replacing the first
        ["init", str(top / "new")],
        [
            "new",
            "group",
            "g4",
            "--name",
            "市委第四督导组",
            "--leader",
            "蒋某",
            "--members",
            "沈某",
            *new,
        ],
        ["new", "unit", "minzheng", "--group", "g4", "--name", "市民政局", "--order", "1", *new],
        [
            "new",
            "meeting",
            "--unit",
            "minzheng",
            "--kind",
            "mobilization",
            "--date",
            "2014-02-27",
            *new,
        ],
        ["check", *new],
        ["hook", "install", str(top / "new")],
    ]
    said: dict[str, object] = {}
    for index, args in enumerate(commands):
        result = runner.invoke(app, args)
        said[f"{index} {' '.join(args)}"] = (result.exit_code, result.stdout, result.stderr)
        assert "内部错误" not in result.stderr, (args, result.stderr)
    return {"said": said, "files": _files(top)}


def _fresh(top: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The same folder and an empty cache of its own for each run."""
    shutil.rmtree(top, ignore_errors=True)
    (top / "cache").mkdir(parents=True)
    monkeypatch.setenv("XDG_CACHE_HOME", str(top / "cache"))
    monkeypatch.delenv("DUCHU_NO_CACHE", raising=False)  # the cache is read and written too


def test_every_command_says_and_writes_the_same_without_the_posix_only_calls(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    top = tmp_path / "run"
    monkeypatch.chdir(tmp_path)
    _fresh(top, monkeypatch)
    with_posix = _run_everything(top)
    _fresh(top, monkeypatch)
    monkeypatch.setattr(platform, "CAN", platform.WITHOUT_POSIX)
    without = _run_everything(top)
    assert without["said"] == with_posix["said"]
    assert without["files"] == with_posix["files"]
    said = with_posix["said"]
    assert isinstance(said, dict) and all(code == 0 for code, _, _ in said.values()), said
    files = with_posix["files"]
    assert isinstance(files, dict)
    assert "out/site/index.html" in files and "out/r.docx" in files
    assert any(rel.startswith("cache/duchu/") for rel in files)  # the cache was written


_POSIX_ONLY = ("O_NOFOLLOW", "O_NONBLOCK", "O_DIRECTORY", "fork", "fwalk", "sched_getaffinity")


@pytest.mark.parametrize("looked_again", [True, False])
def test_an_os_without_the_posix_only_flags_raises_no_attribute_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, looked_again: bool
) -> None:
    # what the users' Windows Python is like: os has none of these (looked_again: the
    # layer's capabilities detected on it; else still those of this system)
    for name in _POSIX_ONLY:
        monkeypatch.delattr(os, name, raising=False)
    if looked_again:
        monkeypatch.setattr(platform, "CAN", platform.detect())
        assert not platform.CAN.no_follow and not platform.CAN.fork
    monkeypatch.delenv("DUCHU_NO_CACHE", raising=False)
    monkeypatch.chdir(tmp_path)
    said = _run_everything(tmp_path / "run")["said"]
    assert isinstance(said, dict)
    for args, (code, _, err) in said.items():
        assert code == 0 and "AttributeError" not in err, (args, err)


# --- each Windows path keeps the promise --------------------------------------------------------


@pytest.fixture
def windows_paths(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(platform, "CAN", platform.WITHOUT_POSIX)


@pytest.mark.usefixtures("windows_paths")
def test_no_link_is_opened(tmp_path: Path) -> None:
    target = tmp_path / "target"
    target.write_bytes(b"secret")
    link = tmp_path / "link"
    link.symlink_to(target)
    with pytest.raises(OSError) as raised:
        platform.open_no_follow(link, os.O_RDONLY)
    assert raised.value.errno == errno.ELOOP
    with pytest.raises(OSError) as raised:
        platform.open_read_nonblocking(link, follow=False)
    assert raised.value.errno == errno.ELOOP
    # created exclusively: a link at the name, even one to nothing, is not written through
    dangling = tmp_path / "dangling"
    dangling.symlink_to(tmp_path / "nowhere")
    with pytest.raises(FileExistsError):
        platform.open_no_follow(dangling, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    assert not (tmp_path / "nowhere").exists()
    descriptor = platform.open_read_nonblocking(target, follow=False)  # a file: read
    try:
        assert os.read(descriptor, 10) == b"secret"
    finally:
        os.close(descriptor)


@pytest.mark.usefixtures("windows_paths")
def test_a_file_replaced_between_the_look_and_the_open_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    looked_at = tmp_path / "looked-at"
    looked_at.write_bytes(b"a")
    opened = tmp_path / "opened"
    opened.write_bytes(b"b")
    real_lstat = os.lstat
    monkeypatch.setattr(os, "lstat", lambda path: real_lstat(looked_at))  # then swapped
    with pytest.raises(OSError) as raised:
        platform.open_no_follow(opened, os.O_RDONLY)
    assert raised.value.errno == errno.ELOOP


@pytest.mark.usefixtures("windows_paths")
def test_a_tree_is_removed_without_following_a_link(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "keep.txt").write_text("keep", encoding="utf-8")
    tree = tmp_path / "tree"
    (tree / "a" / "b").mkdir(parents=True)
    (tree / "a" / "b" / "page.html").write_text("x", encoding="utf-8")
    (tree / "a" / "out").symlink_to(outside)
    platform.remove_tree(tree)
    assert not tree.exists() and (outside / "keep.txt").read_text(encoding="utf-8") == "keep"


@pytest.mark.usefixtures("windows_paths")
def test_what_the_posix_only_calls_do_where_there_are_none(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    assert platform.exchange(tmp_path / "a", tmp_path / "b") is False
    assert platform.can_fork() is False
    assert platform.process_context().get_start_method() == "spawn"
    assert platform.set_parent_death_signal() is False
    # no OpenProcess here: cannot tell, so a leftover is kept rather than another's removed
    assert platform.process_alive(2**22 + 12345) is True
    with platform.alarm(0.01, lambda: pytest.fail("no timer without the signal")):
        import time

        time.sleep(0.05)
    with platform.memory_ceiling(1):
        assert len(bytearray(10**6)) == 10**6


def test_the_cache_is_under_local_app_data_on_windows(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from duchu.records.cache import user_cache_folder

    root = tmp_path / "records"
    root.mkdir()
    local = tmp_path / "AppData" / "Local"
    monkeypatch.setenv("LOCALAPPDATA", str(local))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    with monkeypatch.context() as windows:
        windows.setattr(sys, "platform", "win32")
        found = user_cache_folder(root, "records")
        windows.delenv("LOCALAPPDATA")
        unset = user_cache_folder(root, "records")
        windows.setenv("LOCALAPPDATA", str(root / "inside"))
        inside = user_cache_folder(root, "records")
    assert found.parent.parent == local / "duchu" and found.name == "records"
    assert unset.parent.parent == tmp_path / "home" / "AppData" / "Local" / "duchu"
    assert inside.parent.parent == unset.parent.parent  # never inside the tree
    # elsewhere as before: $XDG_CACHE_HOME
    assert user_cache_folder(root, "records").parent.parent == tmp_path / "xdg" / "duchu"


def test_a_written_record_is_named_with_slashes_on_windows(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from duchu.records import write

    monkeypatch.setattr(os, "sep", "\\")
    monkeypatch.setattr(os.path, "relpath", lambda path: "units\\minzheng.yaml")
    assert write.relative(Path("/x/units/minzheng.yaml")) == "units/minzheng.yaml"


@pytest.mark.usefixtures("windows_paths")
def test_without_fork_the_files_are_read_by_spawned_workers(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from duchu.records import parallel, parse
    from duchu.records.load import load_tree

    records = copy_tree(SAMPLE, tmp_path / "records")
    alone = load_tree(records, jobs=1)
    read_here: list[str] = []
    load_file = parse.load_file

    def counted(root: Path, rel_path: str) -> parse.FileResult:
        read_here.append(rel_path)
        return load_file(root, rel_path)

    monkeypatch.setattr(parse, "load_file", counted)  # not in a spawned worker: a new import
    monkeypatch.setattr(parallel, "PARALLEL_MIN_FILES", 1)
    monkeypatch.setattr(parallel, "_CHUNK", 40)
    shared = load_tree(records, jobs=2)
    assert read_here == []  # every file read in a worker, none here
    assert (shared.units, shared.groups, shared.meetings) == (
        alone.units,
        alone.groups,
        alone.meetings,
    )
    assert shared.problems == alone.problems and shared.files == alone.files
