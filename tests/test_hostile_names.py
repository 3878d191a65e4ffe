"""Hostile names and unreadable files in a records tree: a file or folder name that is not
UTF-8, a link that leads back to itself (or nowhere), a file the system will not open, a
hidden file named as a record. Each is one problem at its path -- the path shown with the
bytes that are not UTF-8 escaped, ``units/\\xff.yaml`` -- and every other file is checked as
ever; never an internal error, never the end of the run. The same holds for a tree read from
a commit (``--known``) and for a push the server hook judges."""

from __future__ import annotations

import errno
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from duchu.cli.app import app
from duchu.records.discover import shown_path
from duchu.records.known import load_known_tree
from duchu.records.load import load_tree
from tests.conftest import build_tree

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="POSIX file names and links")
runner = CliRunner()
needs_git = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")

INTERNAL = ("内部错误", "internal error", "Traceback", "UnicodeEncodeError", "操作系统拒绝了操作")
# a unit whose group does not exist: an error in another file, which must still be found
OTHER_ERROR = {"units/c.yaml": "name: 丙单位\ngroup: g9\nleaders: [{name: 陈某, post: 书记}]\n"}
OTHER_LINE = "units/c.yaml:2:8: error"


def no_internal_error(*texts: str) -> None:
    for text in texts:
        assert not any(word in text for word in INTERNAL), text


def write_named(root: Path, rel: bytes, text: str = "name: 某单位\ngroup: g1\n") -> None:
    """Write a file whose path (relative to ``root``) is given as bytes, any bytes."""
    path = os.fsencode(root) + b"/" + rel
    try:
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "wb") as handle:
            handle.write(text.encode("utf-8"))
    except OSError as err:  # a file system that holds UTF-8 names only (ZFS utf8only, ...)
        pytest.skip(f"the file system refuses a name that is not UTF-8: {err}")


def link_named(root: Path, rel: bytes, target: bytes) -> None:
    path = os.fsencode(root) + b"/" + rel
    os.makedirs(os.path.dirname(path), exist_ok=True)
    try:
        os.symlink(target, path)
    except OSError as err:
        pytest.skip(f"the file system refuses a name that is not UTF-8: {err}")


def shown(rel: bytes) -> str:
    """A path as duchu shows it: bytes that are not UTF-8 escaped."""
    return rel.decode("utf-8", "backslashreplace")


def check(root: Path, *args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, ["check", "--records", str(root), *args])
    no_internal_error(result.stdout, result.stderr)
    return result.exit_code, result.stdout, result.stderr


def problems_json(root: Path, *args: str) -> list[dict[str, object]]:
    code, out, _ = check(root, "--format", "json", *args)
    assert code in (0, 1), out
    found: list[dict[str, object]] = json.loads(out)["problems"]
    return found


@pytest.fixture(params=["cold", "cache"])
def cache_or_not(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Every check here runs with the cache off and on (the first report of this crash was
    in the cache's fingerprint of the files), twice when on: cold, then from the cache."""
    if request.param == "cache":
        monkeypatch.delenv("DUCHU_NO_CACHE", raising=False)
    return str(request.param)


# --- names that are not UTF-8 ---------------------------------------------------------------

BAD_NAMES = [
    b"units/\xff.yaml",  # a byte no UTF-8 text holds
    b"units/\xd6\xd0\xce\xc4.yaml",  # 中文 in GBK, as a Windows zip leaves it
    b"groups/\xc0\xaf.yaml",  # an overlong encoding of '/'
    b"meetings/2014-02/a\xe5\xa4.yaml",  # a character cut short
    b"meetings/\xff/x.yaml",  # the folder's name, not the file's
    b"meetings/2014-03/\xb9\xa4\xd7\xf7/\xd6\xd0.yaml",  # two folders deep, GBK
]


@pytest.mark.parametrize("rel", BAD_NAMES)
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_name_that_is_not_utf8_is_one_error_at_its_path(
    tmp_path: Path, rel: bytes, lang: str, cache_or_not: str
) -> None:
    root = build_tree(tmp_path / "tree", files=OTHER_ERROR)
    write_named(root, rel)
    for _ in range(2 if cache_or_not == "cache" else 1):
        code, out, _ = check(root, "--lang", lang)
        assert code == 1, out
        lines = out.splitlines()
        mine = [line for line in lines if line.startswith(f"{shown(rel)}:1:1: error: ")]
        assert len(mine) == 1 and mine[0].endswith("[bad-file-name]"), out
        said = "文件名（或所在文件夹名）不是 UTF-8 编码" if lang == "zh" else "is not UTF-8"
        assert said in mine[0]
        assert any(line.startswith(OTHER_LINE) for line in lines), out  # the rest is checked
        assert "\\x" in shown(rel) and "\udcff" not in out


@pytest.mark.parametrize("rel", BAD_NAMES[:1] + BAD_NAMES[4:5])
def test_a_name_that_is_not_utf8_in_json(tmp_path: Path, rel: bytes, cache_or_not: str) -> None:
    root = build_tree(tmp_path / "tree", files=OTHER_ERROR)
    write_named(root, rel)
    found = problems_json(root)
    ours = [p for p in found if p["code"] == "bad-file-name"]
    assert ours == [
        {
            "path": shown(rel),
            "line": 1,
            "column": 1,
            "severity": "error",
            "code": "bad-file-name",
            "message": ours[0]["message"],
        }
    ]
    assert any(p["code"] == "unknown-group" and p["path"] == "units/c.yaml" for p in found)
    # the output is UTF-8 text (CliRunner would have failed on a lone surrogate)
    assert "\\x" in str(ours[0]["path"])


def test_a_bad_name_is_never_an_id_nor_counted(tmp_path: Path) -> None:
    root = build_tree(tmp_path / "tree")
    write_named(root, b"units/\xff.yaml")
    tree = load_tree(root)
    assert set(tree.units) == {"a", "b"} and not tree.broken_units
    assert [(p.path, p.code) for p in tree.problems] == [("units/\\xff.yaml", "bad-file-name")]
    assert tree.files == 7  # the seven files of the base tree, and not this one


def test_files_that_are_no_records_may_have_any_name(tmp_path: Path) -> None:
    root = build_tree(tmp_path / "tree")
    write_named(root, b"units/\xff.txt", "说明")
    write_named(root, b"meetings/2014-02/\xff.csv", "ballot\n")  # no meeting names it
    write_named(root, b"\xff/README", "说明")
    write_named(root, b"templates/\xff.md", "说明")
    code, out, _ = check(root)
    assert code == 0 and "0 个问题" in out, out


def test_another_spelling_with_a_bad_name_is_warned_with_its_name_escaped(tmp_path: Path) -> None:
    root = build_tree(tmp_path / "tree")
    write_named(root, b"units/\xff.yml")
    code, out, _ = check(root)
    assert code == 0
    assert out.startswith("units/\\xff.yml:1:1: warning: ") and "[ignored-file]" in out


def test_a_link_with_a_good_name_out_to_a_bad_one_shows_the_target_escaped(
    tmp_path: Path,
) -> None:
    root = build_tree(tmp_path / "tree")
    outside = os.fsencode(tmp_path) + b"/out\xff"
    os.makedirs(outside)
    link_named(root, b"units/c.yaml", outside + b"/c.yaml")
    code, out, _ = check(root)
    assert code == 1
    assert out.startswith("units/c.yaml:1:1: error: ") and "[outside-tree]" in out
    (found,) = load_tree(root).problems
    assert dict(found.args)["target"].endswith("/out\\xff/c.yaml")


def test_a_ballot_file_whose_real_name_is_not_utf8(tmp_path: Path) -> None:
    root = build_tree(tmp_path / "tree")
    folder = root / "meetings" / "2014-02"
    data = (folder / "b-mob.csv").read_bytes()
    (folder / "b-mob.csv").unlink()
    write_named(root, b"meetings/2014-02/\xff.csv", data.decode("utf-8"))
    os.symlink(b"\xff.csv", os.fsencode(folder / "b-mob.csv"))
    code, out, _ = check(root)
    assert code == 1
    assert out.startswith("meetings/2014-02/\\xff.csv:1:1: error: ") and "[bad-file-name]" in out


def test_a_records_root_whose_name_is_not_utf8(tmp_path: Path, cache_or_not: str) -> None:
    parent = os.fsencode(tmp_path) + b"/\xff"
    try:
        os.makedirs(parent)
    except OSError as err:
        pytest.skip(f"the file system refuses a name that is not UTF-8: {err}")
    root = build_tree(Path(os.fsdecode(parent)) / "records", files=OTHER_ERROR)
    code, out, _ = check(root)
    assert code == 1 and out.startswith(OTHER_LINE), out


def test_shown_path() -> None:
    assert shown_path("units/a.yaml") == "units/a.yaml"
    assert shown_path("units/甲.yaml") == "units/甲.yaml"
    assert shown_path(os.fsdecode(b"units/\xff\xfe.yaml")) == "units/\\xff\\xfe.yaml"
    assert shown_path("x\ud800") == "x\\ud800"  # a surrogate no file system gives


# --- files the system will not read ---------------------------------------------------------


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_record_that_links_to_itself_is_an_error_at_it(
    tmp_path: Path, lang: str, cache_or_not: str
) -> None:
    root = build_tree(tmp_path / "tree", files=OTHER_ERROR)
    (root / "units" / "evil.yaml").symlink_to("evil.yaml")
    (root / "meetings" / "2014-02" / "ping.yaml").symlink_to("pong.yaml")
    (root / "meetings" / "2014-02" / "pong.yaml").symlink_to("ping.yaml")
    code, out, _ = check(root, "--lang", lang)
    assert code == 1, out
    reason = (
        "无法读取：符号链接循环" if lang == "zh" else "cannot be read: a loop of symbolic links"
    )
    for rel in ("units/evil.yaml", "meetings/2014-02/ping.yaml", "meetings/2014-02/pong.yaml"):
        assert f"{rel}:1:1: error: {reason} [unreadable]" in out.splitlines()
    assert any(line.startswith(OTHER_LINE) for line in out.splitlines()), out


def test_a_ballot_file_that_links_to_itself_is_an_error_at_it(
    tmp_path: Path, cache_or_not: str
) -> None:
    root = build_tree(tmp_path / "tree", files=OTHER_ERROR)
    ballots = root / "meetings" / "2014-02" / "b-mob.csv"
    ballots.unlink()
    ballots.symlink_to("b-mob.csv")
    code, out, _ = check(root)
    assert code == 1, out
    assert "meetings/2014-02/b-mob.csv:1:1: error: 无法读取：符号链接循环 [unreadable]" in out
    assert any(line.startswith(OTHER_LINE) for line in out.splitlines()), out


def test_a_folder_or_a_link_to_nothing_where_a_record_belongs(tmp_path: Path) -> None:
    root = build_tree(tmp_path / "tree")
    (root / "units" / "x.yaml").mkdir()
    (root / "groups" / "gone.yaml").symlink_to("nowhere.yaml")
    (root / "meetings" / "2014-02" / "gone.yaml").symlink_to("nowhere.yaml")
    assert [(p["path"], p["code"]) for p in problems_json(root, "--lang", "en")] == [
        ("groups/gone.yaml", "unreadable"),
        ("meetings/2014-02/gone.yaml", "unreadable"),
        ("units/x.yaml", "unreadable"),
    ]
    messages = [p["message"] for p in problems_json(root, "--lang", "en")]
    assert messages == [
        "cannot be read: no such file or folder",
        "cannot be read: no such file or folder",
        "cannot be read: it is a folder",
    ]


def test_a_file_the_system_refuses_to_open_is_an_error_at_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = build_tree(tmp_path / "tree", files=OTHER_ERROR)
    refused = f"{root}/units/b.yaml"
    real_open = os.open

    def open_but_b(path: Any, *args: Any, **kwargs: Any) -> int:
        if os.fspath(path) == refused:
            raise PermissionError(errno.EACCES, "Permission denied", refused)
        return real_open(path, *args, **kwargs)

    monkeypatch.setattr(os, "open", open_but_b)
    code, out, _ = check(root)
    assert code == 1, out
    assert "units/b.yaml:1:1: error: 无法读取：没有权限 [unreadable]" in out.splitlines()
    assert any(line.startswith(OTHER_LINE) for line in out.splitlines()), out
    # b is a unit that exists: its meeting is not also an "unknown unit"
    assert "unknown-unit" not in out


def test_a_records_folder_the_system_refuses_is_an_error_at_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = build_tree(tmp_path / "tree")
    refused = f"{root}/meetings/2014-02"
    real_scandir = os.scandir

    def scandir_but(*args: Any) -> Any:
        if args and args[0] == refused:
            raise PermissionError(errno.EACCES, "Permission denied", refused)
        return real_scandir(*args)

    monkeypatch.setattr(os, "scandir", scandir_but)
    code, out, _ = check(root)
    assert code == 1, out
    assert out.splitlines()[0] == "meetings/2014-02:1:1: error: 无法读取：没有权限 [unreadable]"


# --- hidden files -----------------------------------------------------------------------------


def test_a_hidden_file_named_as_a_record_is_a_warning(tmp_path: Path) -> None:
    root = build_tree(
        tmp_path / "tree",
        files={
            "units/.hidden.yaml": "name: 隐藏\ngroup: g1\n",
            "units/...yaml": "name: 点\ngroup: g1\n",
            "groups/.g2.yml": "name: 第二组\n",
            "meetings/2014-02/.c-mob.yaml": "date: 2014-02-26\nunit: a\nkind: mobilization\n",
        },
    )
    found = problems_json(root)
    assert [(p["path"], p["code"], p["severity"]) for p in found] == [
        ("groups/.g2.yml", "hidden-file", "warning"),
        ("meetings/2014-02/.c-mob.yaml", "hidden-file", "warning"),
        ("units/...yaml", "hidden-file", "warning"),
        ("units/.hidden.yaml", "hidden-file", "warning"),
    ]
    code, out, _ = check(root)
    assert code == 0
    assert "units/.hidden.yaml:1:1: warning: 文件名以 . 开头，是隐藏文件" in out
    assert check(root, "--strict")[0] == 1
    assert "hidden" not in " ".join(load_tree(root).units)  # never read


def test_what_editors_and_systems_leave_stays_quiet(tmp_path: Path) -> None:
    root = build_tree(
        tmp_path / "tree",
        files={
            ".git/config": "[core]\n",
            ".DS_Store": "x",
            "units/.DS_Store": "x",
            "units/._a.yaml": "x",  # macOS on a USB stick or a share
            "units/.a.yaml.swp": "x",  # vim
            "units/.~lock.a.yaml#": "x",  # LibreOffice
            "meetings/.old/x.yaml": "date: 2014-02-26\n",  # a hidden folder
            "meetings/2014-02/.trash/y.yaml": "x",
        },
    )
    (root / "units" / ".#a.yaml").symlink_to("user@host.1234:1700000000")  # Emacs's lock
    (root / "units" / ".cache.yaml").mkdir()  # a hidden folder, whatever its name
    code, out, _ = check(root)
    assert code == 0 and out.startswith("0 个问题"), out


# --- the same from a commit (--known) and in a push (the server hook) -------------------------


def git(cwd: Path, *args: str, when: str = "2014-03-01T10:00:00+08:00") -> str:
    env = {
        **os.environ,
        "GIT_AUTHOR_NAME": "张某",
        "GIT_AUTHOR_EMAIL": "zhang@example.cn",
        "GIT_COMMITTER_NAME": "张某",
        "GIT_COMMITTER_EMAIL": "zhang@example.cn",
        "GIT_AUTHOR_DATE": when,
        "GIT_COMMITTER_DATE": when,
        "GIT_CONFIG_GLOBAL": os.devnull,
        "GIT_CONFIG_NOSYSTEM": "1",
    }
    done = subprocess.run(["git", *args], cwd=cwd, env=env, capture_output=True, check=False)
    assert done.returncode == 0, done.stderr
    return done.stdout.decode("utf-8", "replace").strip()


def hostile_tree(root: Path) -> Path:
    """The base tree with one of everything here, and an error elsewhere."""
    build_tree(
        root,
        files={
            **OTHER_ERROR,
            "units/.hidden.yaml": "name: 隐藏\ngroup: g1\n",
            "units/x.yaml/inside.txt": "a folder named as a record\n",
        },
    )
    write_named(root, b"units/\xff.yaml")
    write_named(root, b"meetings/\xff/x.yaml", "date: 2014-02-26\nunit: a\nkind: mobilization\n")
    write_named(root, b"units/\xd6\xd0.yml")
    (root / "units" / "evil.yaml").symlink_to("evil.yaml")
    (root / "groups" / "gone.yaml").symlink_to("nowhere.yaml")
    ballots = root / "meetings" / "2014-02" / "b-mob.csv"
    ballots.unlink()
    ballots.symlink_to("b-mob.csv")
    return root


EXPECTED = [
    ("groups/gone.yaml", "unreadable"),
    ("meetings/2014-02/b-mob.csv", "unreadable"),
    ("meetings/\\xff/x.yaml", "bad-file-name"),
    ("units/.hidden.yaml", "hidden-file"),
    ("units/\\xd6\\xd0.yml", "ignored-file"),
    ("units/\\xff.yaml", "bad-file-name"),
    ("units/c.yaml", "unknown-group"),
    ("units/evil.yaml", "unreadable"),
    ("units/x.yaml", "unreadable"),
]


@needs_git
def test_a_commit_reads_as_the_folder_does(tmp_path: Path) -> None:
    root = hostile_tree(tmp_path / "tree")
    git(root, "init", "--quiet")
    git(root, "add", "--all")
    git(root, "commit", "--quiet", "-m", "记录")
    on_disk = load_tree(root)
    known = load_known_tree(root, git(root, "rev-parse", "HEAD"))
    assert [(p.path, p.code) for p in on_disk.problems] == EXPECTED
    assert [(p.path, p.code, p.severity, p.message("zh")) for p in known.problems] == [
        (p.path, p.code, p.severity, p.message("zh")) for p in on_disk.problems
    ]


@needs_git
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_known_names_the_problems_of_the_commit(
    tmp_path: Path, lang: str, cache_or_not: str
) -> None:
    root = hostile_tree(tmp_path / "tree")
    git(root, "init", "--quiet")
    git(root, "add", "--all")
    git(root, "commit", "--quiet", "-m", "记录")
    # the working tree put right since: only the commit has them
    for folder in ("units", "meetings", "groups"):
        shutil.rmtree(root / folder)
    build_tree(tmp_path / "clean")
    for folder in ("units", "meetings", "groups"):
        shutil.copytree(tmp_path / "clean" / folder, root / folder, symlinks=True)
    git(root, "add", "--all")
    git(root, "commit", "--quiet", "-m", "改正", when="2014-03-10T10:00:00+08:00")
    assert check(root)[0] == 0
    for _ in range(2 if cache_or_not == "cache" else 1):
        result = runner.invoke(
            app,
            ["status", "--records", str(root), "--known", "--as-of", "2014-03-02", "--lang", lang],
        )
        no_internal_error(result.stdout, result.stderr)
        assert result.exit_code == 2, result.output
        lines = result.stderr.splitlines()
        for path, code in EXPECTED:
            assert any(
                line.startswith(f"{path}:") and line.endswith(f"[{code}]") for line in lines
            ), (path, result.stderr)


@needs_git
def test_the_server_hook_refuses_a_bad_name_as_any_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tests.test_hooks import clone, commit, git_env, make_central, ref

    monkeypatch.delenv("DUCHU_NO_CACHE", raising=False)  # as on a server
    central = make_central(tmp_path)
    work = clone(central, tmp_path / "work")
    before = ref(central)
    write_named(work, b"units/\xff.yaml", "name: 某单位\ngroup: g2\n")
    (work / "units" / "evil.yaml").symlink_to("evil.yaml")
    (work / "units" / ".hidden.yaml").write_text("name: 隐藏\ngroup: g1\n", encoding="utf-8")
    jiaotong = work / "units" / "jiaotong.yaml"  # g2's: the pusher may not change it
    jiaotong.write_text(jiaotong.read_text(encoding="utf-8") + "# 改\n", encoding="utf-8")
    change = commit(work)
    # a ref and an account whose names are not UTF-8 either (git and the environment allow
    # them); what git says back holds those bytes too, so it is read as bytes
    done = subprocess.run(
        ["git", "push", "origin", "HEAD:master", "HEAD:refs/heads/x\udcff"],
        cwd=work,
        env=git_env("cl\udcff"),
        capture_output=True,
        check=False,
    )
    told = done.stderr.decode("utf-8", "backslashreplace")
    assert done.returncode != 0 and "pre-receive hook declined" in told
    assert ref(central) == before
    no_internal_error(told)
    assert "remote: units/\\xff.yaml:1:1: error:" in told and "[bad-file-name]" in told
    assert "remote: units/evil.yaml:1:1: error:" in told and "[unreadable]" in told
    assert "refs/heads/x\\xff" in told
    # the pusher is nobody's: named, escaped; the file that is no record belongs to nobody
    assert f"remote: units/jiaotong.yaml: error: commit {change[:8]}" in told
    assert "account cl\\xff is not" in told
    assert "remote: units/\\xff.yaml: error: commit" not in told
    assert ref(central, "refs/heads/x\udcff") is None
