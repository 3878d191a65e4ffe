"""duchu's git layer (duchu.git) in real repositories made in temporary folders: any path
and any author or subject read back exactly; the dates the office view and ``--known``
need; and nothing a repository's own configuration or attributes names is ever run.

Every "nothing runs" test first shows, with plain git, that the trap it sets does fire in
that repository, so a test that passes has shown something.
"""

from __future__ import annotations

import hashlib
import json
import os
import pty
import shutil
import subprocess
import sys
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import pytest
from typer.testing import CliRunner

from duchu.cli.app import app
from duchu.errors import (
    BeforeFirstCommitError,
    GitFailedError,
    GitNotInstalledError,
    GitObjectMissingError,
    NoCommitsError,
    NotAGitRepositoryError,
    ShallowHistoryError,
    UnsafeRepositoryError,
)
from duchu.git import history as githistory
from duchu.git import run as gitrun
from duchu.git import state as gitstate
from duchu.git.history import FileDates, file_dates, history, known_commit, last_changes
from duchu.git.objects import BlobReader, TreeEntry, tree_entries
from duchu.git.state import head_state
from duchu.messages import message
from tests.conftest import build_tree

pytestmark = [
    pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed"),
    pytest.mark.skipif(sys.platform == "win32", reason="POSIX file names and shell scripts"),
]
runner = CliRunner()

# the records root: a sub-folder of the repository, with a space and Chinese in its name
RECORDS = "记录 库"


def git(
    cwd: Path,
    *args: str,
    who: str = "张某",
    when: str = "2014-03-01T10:00:00+08:00",
    check: bool = True,
    env: dict[str, str] | None = None,
) -> subprocess.CompletedProcess[str]:
    """Plain git, as a user would run it: no global or system configuration."""
    full = {
        **os.environ,
        "GIT_AUTHOR_NAME": who,
        "GIT_AUTHOR_EMAIL": "zhang@example.cn",
        "GIT_COMMITTER_NAME": who,
        "GIT_COMMITTER_EMAIL": "zhang@example.cn",
        "GIT_AUTHOR_DATE": when,
        "GIT_COMMITTER_DATE": when,
        "GIT_CONFIG_GLOBAL": os.devnull,
        "GIT_CONFIG_NOSYSTEM": "1",
        **(env or {}),
    }
    for variable in ("GIT_PAGER", "PAGER", "GIT_EXTERNAL_DIFF", "GIT_DIR", "GIT_WORK_TREE"):
        if variable not in (env or {}):
            full.pop(variable, None)
    done = subprocess.run(
        ["git", *args],
        cwd=cwd,
        env=full,
        capture_output=True,
        encoding="utf-8",
        errors="replace",
        check=False,
    )
    if check:
        assert done.returncode == 0, done.stdout + done.stderr
    return done


def new_repo(path: Path, *extra: str) -> Path:
    path.mkdir(parents=True, exist_ok=True)
    git(path, "init", "--quiet", "--initial-branch=main", *extra)
    return path


def write(root: Path, files: dict[str, str | bytes | None]) -> None:
    """Write (text or bytes) or delete (None) files under ``root``."""
    for rel, content in files.items():
        path = root / rel
        if content is None:
            path.unlink()
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")


def commit(
    repo: Path,
    when: str,
    files: dict[str, str | bytes | None] | None = None,
    *,
    subject: str = "记录",
    who: str = "张某",
) -> str:
    """Commit everything (after writing ``files``) at ``when``; the new commit's id."""
    write(repo, files or {})
    git(repo, "add", "-A")
    git(
        repo, "commit", "--quiet", "--no-verify", "--allow-empty", "-m", subject, who=who, when=when
    )
    return head(repo)


def head(repo: Path) -> str:
    return git(repo, "rev-parse", "HEAD").stdout.strip()


def day(text: str) -> date:
    return date.fromisoformat(text)


# --- any path, any author -----------------------------------------------------------------

ODD_NAMES = [
    "units/东城区.yaml",
    "units/a b.yaml",
    "units/q\"uote'.yaml",
    "units/new\nline.yaml",
    "units/*.yaml",  # a literal star: never a glob
    "units/tab\there.yaml",
    "meetings/2014-03/东城区 动员大会.yaml",
]


def test_odd_paths_come_back_exactly_through_every_function(tmp_path: Path) -> None:
    repo = new_repo(tmp_path / "repo")
    root = repo / RECORDS
    # a sibling whose name starts like the records root's, and a file outside it
    outside = {f"{RECORDS}x/units/东城区.yaml": "x", "README": "x"}
    first = commit(
        repo, "2014-03-01T10:00:00+08:00", {f"{RECORDS}/{n}": "v1\n" for n in ODD_NAMES} | outside
    )
    commit(repo, "2014-03-05T10:00:00+08:00", {f"{RECORDS}/units/东城区.yaml": "v2\n"})
    commit(repo, "2014-03-06T10:00:00+08:00", dict.fromkeys(outside, "y"))  # not the records
    commit(repo, "2014-03-07T10:00:00+08:00", {f"{RECORDS}/units/*.yaml": "v2\n"})

    commits = history(root)
    assert [sorted(c.files) for c in commits] == [
        ["units/*.yaml"],
        ["units/东城区.yaml"],
        sorted(ODD_NAMES),
    ]
    assert [c.commit for c in history(root, ["units/new\nline.yaml"])] == [first]
    # "*" is a file name, not a pattern matching every unit file
    assert [c.files for c in history(root, ["units/*.yaml"])] == [("units/*.yaml",)] * 2
    assert len(history(root, ["units/东城区.yaml"])) == 2

    changed = last_changes(root, day("2014-03-06"))
    assert set(changed) == set(ODD_NAMES)
    assert changed["units/东城区.yaml"] == day("2014-03-05")
    assert changed["units/new\nline.yaml"] == day("2014-03-01")

    dates = file_dates(root, day("2014-12-31"))
    assert set(dates.added) == set(dates.changed) == set(ODD_NAMES)
    assert dates.changed["units/*.yaml"] == day("2014-03-07")

    entries = tree_entries(root, "HEAD")
    assert sorted(e.path for e in entries) == sorted(ODD_NAMES)
    assert {e.mode for e in entries} == {"100644"}
    assert all(e.size == 3 for e in entries)
    assert head_state(root) == (head(repo), False)
    write(repo, {f"{RECORDS}/units/new\nline.yaml": "v9\n"})
    assert head_state(root)[1] is True


def test_the_records_at_the_top_of_the_repository(tmp_path: Path) -> None:
    repo = new_repo(tmp_path / "repo")
    commit(repo, "2014-03-01T10:00:00+08:00", {"units/东城区.yaml": "a\n", "campaign.yaml": "b\n"})
    assert history(repo)[0].files == ("campaign.yaml", "units/东城区.yaml")
    assert sorted(file_dates(repo, day("2014-03-01")).added) == [
        "campaign.yaml",
        "units/东城区.yaml",
    ]
    assert [e.path for e in tree_entries(repo, "HEAD")] == ["campaign.yaml", "units/东城区.yaml"]
    assert head_state(repo) == (head(repo), False)


def test_authors_and_subjects_holding_separators_read_back_exactly(tmp_path: Path) -> None:
    repo = new_repo(tmp_path / "repo")
    who = "张\x1f某\x1e三"
    subject = "建立\x1e记录\x1f库 \"引号\" 'x'"
    made = commit(repo, "2014-03-01T10:00:00+08:00", {"a.yaml": "1\n"}, subject=subject, who=who)
    commit(repo, "2014-03-02T10:00:00+08:00", {"b.yaml": "1\n"}, subject="第二次", who="李某")
    first, second = reversed(history(repo))
    assert (first.commit, first.author, first.message, first.files) == (
        made,
        who,
        subject,
        ("a.yaml",),
    )
    assert first.when == datetime(2014, 3, 1, 10, tzinfo=timezone(timedelta(hours=8)))
    assert (second.author, second.message, second.files) == ("李某", "第二次", ("b.yaml",))


def test_a_repository_that_asks_for_colour_other_encodings_and_follow_is_read_right(
    tmp_path: Path,
) -> None:
    repo = new_repo(tmp_path / "repo")
    commit(repo, "2014-03-01T10:00:00+08:00", {"a.yaml": "1\n"}, subject="建立", who="张某")
    git(repo, "mv", "a.yaml", "b.yaml")
    commit(repo, "2014-03-02T10:00:00+08:00", subject="改名")
    for key, value in [
        ("color.ui", "always"),
        ("color.diff", "always"),
        ("i18n.logOutputEncoding", "GBK"),
        ("log.follow", "true"),
        ("diff.renames", "copies"),
        ("log.decorate", "full"),
        ("format.pretty", "fuller"),
        ("log.showRoot", "false"),
    ]:
        git(repo, "config", key, value)
    plain = git(repo, "log", "-1", "--format=%an", "--name-status").stdout.encode(
        "utf-8", "replace"
    )
    assert "张某".encode() not in plain  # the settings do change what plain git writes
    assert [(c.author, c.message, c.files) for c in history(repo)] == [
        ("张某", "改名", ("a.yaml", "b.yaml")),
        ("张某", "建立", ("a.yaml",)),
    ]
    assert [c.message for c in history(repo, ["b.yaml"])] == ["改名"]  # never --follow
    dates = file_dates(repo, day("2014-03-02"))
    # CLI.md 1.2: a file moved or renamed keeps the date it first arrived (git's rename
    # detection, asked for whatever diff.renames says; never copies)
    assert dates.added == {"b.yaml": day("2014-03-01")}
    assert dates.changed == {"a.yaml": day("2014-03-02"), "b.yaml": day("2014-03-02")}


# --- known_commit -------------------------------------------------------------------------


def test_known_commit_between_on_and_before_commits(tmp_path: Path) -> None:
    repo = new_repo(tmp_path / "repo")
    root = repo / RECORDS
    a = commit(repo, "2014-03-01T10:00:00+08:00", {f"{RECORDS}/x.yaml": "1\n"})
    b = commit(repo, "2014-03-05T10:00:00+08:00", {f"{RECORDS}/x.yaml": "2\n"})
    c = commit(repo, "2014-03-10T10:00:00+08:00", {f"{RECORDS}/x.yaml": "3\n"})
    assert known_commit(root, day("2014-03-01")) == a  # on the day
    assert known_commit(root, day("2014-03-04")) == a  # between
    assert known_commit(root, day("2014-03-05")) == b
    assert known_commit(root, day("2014-03-09")) == b
    assert known_commit(root, day("2030-01-01")) == c
    with pytest.raises(BeforeFirstCommitError) as before:
        known_commit(root, day("2014-02-28"))
    text = message(before.value.key, "zh", **before.value.args_)
    assert text.startswith("2014-02-28 早于第一次提交（2014-03-01）")
    assert "2014-03-01" in message(before.value.key, "en", **before.value.args_)


def test_known_commit_goes_by_the_committers_own_calendar_date(tmp_path: Path) -> None:
    repo = new_repo(tmp_path / "repo")
    late = commit(repo, "2014-03-05T23:30:00+08:00", {"x.yaml": "1\n"})
    # 01:00 on the 6th in Beijing is still the 5th in UTC: it is the 6th's commit
    commit(repo, "2014-03-06T01:00:00+08:00", {"x.yaml": "2\n"})
    assert known_commit(repo, day("2014-03-05")) == late
    assert file_dates(repo, day("2014-03-05")).changed == {"x.yaml": day("2014-03-05")}


def test_known_commit_with_dates_out_of_order_takes_the_first_in_history_order(
    tmp_path: Path,
) -> None:
    repo = new_repo(tmp_path / "repo")
    a = commit(repo, "2014-03-01T10:00:00+08:00", {"x.yaml": "1\n"})
    commit(repo, "2014-03-10T10:00:00+08:00", {"x.yaml": "2\n"})
    c = commit(repo, "2014-03-05T10:00:00+08:00", {"x.yaml": "3\n"})  # a clock set wrong
    assert known_commit(repo, day("2014-03-07")) == c
    assert known_commit(repo, day("2014-03-04")) == a
    dates = file_dates(repo, day("2014-03-07"))  # the 10th's commit does not count
    assert dates.changed == {"x.yaml": day("2014-03-05")}
    assert dates.added == {"x.yaml": day("2014-03-01")}


def branch_and_merge(repo: Path, *, main_moves: bool = True) -> dict[str, str]:
    """main: A (03-01) [M1 (03-05)] and the merge (03-08) of side: S (03-03) adding a file."""
    ids = {"A": commit(repo, "2014-03-01T10:00:00+08:00", {"units/a.yaml": "1\n"})}
    git(repo, "checkout", "--quiet", "-b", "side")
    ids["S"] = commit(repo, "2014-03-03T10:00:00+08:00", {"meetings/s.yaml": "s\n"})
    git(repo, "checkout", "--quiet", "main")
    if main_moves:
        ids["M1"] = commit(repo, "2014-03-05T10:00:00+08:00", {"units/a.yaml": "2\n"})
    git(
        repo,
        "merge",
        "--quiet",
        "--no-ff",
        "--no-verify",
        "-m",
        "合并",
        "side",
        when="2014-03-08T10:00:00+08:00",
    )
    ids["M"] = head(repo)
    return ids


def test_known_commit_follows_the_first_parent_line(tmp_path: Path) -> None:
    repo = new_repo(tmp_path / "repo")
    ids = branch_and_merge(repo)
    # the side commit of 03-03 was not on the branch until the merge of 03-08
    assert known_commit(repo, day("2014-03-04")) == ids["A"]
    assert known_commit(repo, day("2014-03-07")) == ids["M1"]
    assert known_commit(repo, day("2014-03-08")) == ids["M"]


def test_known_commit_in_a_shallow_clone(tmp_path: Path) -> None:
    source = new_repo(tmp_path / "source")
    commit(source, "2014-03-01T10:00:00+08:00", {"x.yaml": "1\n"})
    b = commit(source, "2014-03-05T10:00:00+08:00", {"x.yaml": "2\n"})
    c = commit(source, "2014-03-10T10:00:00+08:00", {"x.yaml": "3\n"})
    clone = tmp_path / "clone"
    git(tmp_path, "clone", "--quiet", "--depth", "2", f"file://{source}", str(clone))
    assert known_commit(clone, day("2014-03-12")) == c
    assert known_commit(clone, day("2014-03-06")) == b
    with pytest.raises(ShallowHistoryError) as shallow:
        known_commit(clone, day("2014-03-02"))  # the 03-01 commit was not fetched
    assert "git fetch --unshallow" in message(shallow.value.key, "zh", **shallow.value.args_)
    git(clone, "fetch", "--quiet", "--unshallow")
    with pytest.raises(BeforeFirstCommitError):
        known_commit(clone, day("2014-02-28"))


def test_known_commit_without_commits_or_outside_git(tmp_path: Path) -> None:
    empty = new_repo(tmp_path / "empty")
    with pytest.raises(NoCommitsError) as none:
        known_commit(empty, day("2014-03-01"))
    assert str(empty) in message(none.value.key, "en", **none.value.args_)
    plain = tmp_path / "plain"
    plain.mkdir()
    with pytest.raises(NotAGitRepositoryError):
        known_commit(plain, day("2014-03-01"))
    with pytest.raises(NotAGitRepositoryError):
        known_commit(tmp_path / "absent", day("2014-03-01"))


# --- file_dates ---------------------------------------------------------------------------


def test_file_dates_added_changed_deleted_and_added_again(tmp_path: Path) -> None:
    repo = new_repo(tmp_path / "repo")
    root = repo / RECORDS
    f, g = f"{RECORDS}/meetings/东城区 会.yaml", f"{RECORDS}/units/g.yaml"
    commit(repo, "2014-03-01T10:00:00+08:00", {f: "1\n", "outside.yaml": "x\n"})
    commit(repo, "2014-03-05T10:00:00+08:00", {f: "2\n", g: "1\n"})
    commit(repo, "2014-03-10T10:00:00+08:00", {f: None})
    commit(repo, "2014-03-15T10:00:00+08:00", {f: "3\n"})
    last = commit(repo, "2014-03-20T10:00:00+08:00", {f: "4\n"})
    name = "meetings/东城区 会.yaml"
    assert file_dates(root, day("2014-02-28")) == FileDates()
    at_12 = file_dates(root, day("2014-03-12"))
    assert at_12.added == {name: day("2014-03-01"), "units/g.yaml": day("2014-03-05")}
    assert at_12.changed == {name: day("2014-03-10"), "units/g.yaml": day("2014-03-05")}
    later = file_dates(root, day("2014-12-31"))
    assert later.added[name] == day("2014-03-01")  # the first addition
    assert later.changed[name] == day("2014-03-20")
    # from an older commit: what the branch had then
    older = file_dates(
        root, day("2014-12-31"), start=git(repo, "rev-parse", f"{last}~2").stdout.strip()
    )
    assert older.changed[name] == day("2014-03-10")


def test_file_dates_counts_a_merged_file_at_the_merge(tmp_path: Path) -> None:
    repo = new_repo(tmp_path / "repo")
    branch_and_merge(repo)
    assert file_dates(repo, day("2014-03-06")).added == {"units/a.yaml": day("2014-03-01")}
    merged = file_dates(repo, day("2014-03-08"))
    assert merged.added == {"units/a.yaml": day("2014-03-01"), "meetings/s.yaml": day("2014-03-08")}
    assert merged.changed == {
        "units/a.yaml": day("2014-03-05"),
        "meetings/s.yaml": day("2014-03-08"),
    }


def test_file_dates_counts_a_merged_file_at_the_merge_when_the_branch_had_not_moved(
    tmp_path: Path,
) -> None:
    repo = new_repo(tmp_path / "repo")
    branch_and_merge(repo, main_moves=False)  # the merge's tree is the side branch's
    merged = file_dates(repo, day("2014-03-31"))
    assert merged.added == {"units/a.yaml": day("2014-03-01"), "meetings/s.yaml": day("2014-03-08")}


def test_file_dates_in_an_empty_repository(tmp_path: Path) -> None:
    assert file_dates(new_repo(tmp_path / "repo"), day("2014-03-01")) == FileDates()


# --- tree_entries and BlobReader ----------------------------------------------------------


def test_tree_entries_include_links_and_submodules_for_the_caller_to_refuse(
    tmp_path: Path,
) -> None:
    repo = new_repo(tmp_path / "repo")
    root = repo / RECORDS
    (repo / RECORDS / "units").mkdir(parents=True)
    (repo / RECORDS / "units" / "链接.yaml").symlink_to("../../secret.yaml")
    first = commit(repo, "2014-03-01T10:00:00+08:00", {f"{RECORDS}/units/东城区.yaml": "12345\n"})
    git(repo, "update-index", "--add", "--cacheinfo", f"160000,{first},{RECORDS}/vendor")
    git(repo, "commit", "--quiet", "-m", "子模块")  # not commit(): add -A would drop it
    later = head(repo)
    blob = git(repo, "rev-parse", f"{first}:{RECORDS}/units/东城区.yaml").stdout.strip()
    assert sorted(tree_entries(root, later), key=lambda e: e.path) == [
        TreeEntry("units/东城区.yaml", "100644", blob, 6),
        TreeEntry(
            "units/链接.yaml",
            "120000",
            git(repo, "rev-parse", f"{first}:{RECORDS}/units/链接.yaml").stdout.strip(),
            len("../../secret.yaml"),
        ),
        TreeEntry("vendor", "160000", first, None),
    ]
    assert [e.path for e in tree_entries(root, first)] == ["units/东城区.yaml", "units/链接.yaml"]
    with pytest.raises(GitFailedError):
        tree_entries(root, "--output=/tmp/x")  # never an option


def fast_import_blobs(repo: Path, contents: list[bytes]) -> list[str]:
    """Store ``contents`` as blobs in one go; their ids, computed here."""
    stream = b"".join(b"blob\ndata %d\n%s\n" % (len(c), c) for c in contents)
    done = subprocess.run(
        ["git", "fast-import", "--quiet"], cwd=repo, input=stream, capture_output=True, check=False
    )
    assert done.returncode == 0, done.stderr
    return [hashlib.sha1(b"blob %d\0" % len(c) + c).hexdigest() for c in contents]


def test_blob_reader_streams_many_blobs_and_reads_single_ones(tmp_path: Path) -> None:
    repo = new_repo(tmp_path / "repo")
    contents = [f"id: u{i}\nname: 单位{i}\n".encode() * (i % 7 + 1) for i in range(10000)]
    contents.append(bytes(range(256)) * 2000)  # 512 KB: more than any pipe holds
    contents.append(b"")
    ids = fast_import_blobs(repo, contents)
    with BlobReader(repo) as reader:
        got = list(reader.read_many(ids))
        assert [i for i, _ in got] == ids
        assert [c for _, c in got] == contents
        big = ids[-2]
        assert reader.read(big, 1000) is None  # too large: skipped, and the pipe kept in step
        assert reader.read(ids[5], 1000) == contents[5]
        assert reader.read(big, len(contents[-2])) == contents[-2]
        for _ in reader.read_many(ids):  # leaving a stream early leaves the reader usable
            break
        assert reader.read(ids[7], 1000) == contents[7]
        assert list(reader.read_many(ids[:3])) == list(zip(ids[:3], contents[:3], strict=True))
        with pytest.raises(GitObjectMissingError):
            reader.read("0" * 40, 1000)
        assert reader.read(ids[1], 1000) == contents[1]  # and on it goes
        tree = git(repo, "mktree", env={"GIT_DIR": str(repo / ".git")}).stdout.strip()
        with pytest.raises(GitFailedError):
            reader.read(tree, 1000)  # not a file
        assert reader.read(ids[2], 1000) == contents[2]  # a new process after the failure
        with pytest.raises(ValueError):
            reader.read(ids[1] + "\n" + ids[2], 1000)
        stream = reader.read_many(ids)
        assert next(stream) == (ids[0], contents[0])
    # leaving the reader in the middle of a stream ends its process at once
    assert reader._process is None
    stream.close()


def test_blob_reader_in_a_sha256_repository(tmp_path: Path) -> None:
    repo = new_repo(tmp_path / "repo", "--object-format=sha256")
    commit(repo, "2014-03-01T10:00:00+08:00", {"东城区.yaml": "名称: 东城区\n"})
    (entry,) = tree_entries(repo, "HEAD")
    assert len(entry.blob) == 64
    with BlobReader(repo) as reader:
        assert reader.read(entry.blob, 100) == "名称: 东城区\n".encode()
    assert head_state(repo)[1] is False
    os.utime(repo / "东城区.yaml")  # git can no longer vouch: the content is hashed
    assert head_state(repo)[1] is False
    write(repo, {"东城区.yaml": "名称: 西城区\n"})
    assert head_state(repo)[1] is True


# --- head_state ---------------------------------------------------------------------------


def test_head_state_sees_changes_deletions_and_new_files_under_the_records_only(
    tmp_path: Path,
) -> None:
    repo = new_repo(tmp_path / "repo")
    root = repo / RECORDS
    unit = f"{RECORDS}/units/东城区.yaml"
    write(repo, {".gitignore": "*.bak\n.duchu-cache/\n"})
    made = commit(repo, "2014-03-01T10:00:00+08:00", {unit: "名称: 东城区\n", "outside.txt": "x"})
    assert head_state(root) == (made, False)
    write(repo, {"outside.txt": "changed", "new outside.txt": "x"})
    assert head_state(root) == (made, False)  # not the records
    write(repo, {f"{RECORDS}/units/东城区.yaml.bak": "x", f"{RECORDS}/.duchu-cache/c": "x"})
    assert head_state(root)[1] is False  # ignored
    write(repo, {unit: "名称: 西城区\n"})  # same size, new content
    assert head_state(root)[1] is True
    write(repo, {unit: "名称: 东城区\n"})  # back as committed: hashed, and found the same
    assert head_state(root)[1] is False
    write(repo, {unit: "名称: 东城区\r\n"})  # line endings only (autocrlf checkouts)
    assert head_state(root)[1] is False
    write(repo, {unit: None})
    assert head_state(root)[1] is True
    write(repo, {unit: "名称: 东城区\n", f"{RECORDS}/units/新 单位.yaml": "x"})
    assert head_state(root)[1] is True
    git(repo, "add", f"{RECORDS}/units/新 单位.yaml")  # staged, still not committed
    assert head_state(root)[1] is True
    git(repo, "rm", "--quiet", "--cached", f"{RECORDS}/units/新 单位.yaml")
    (repo / RECORDS / "units" / "新 单位.yaml").unlink()
    assert head_state(root) == (made, False)


def test_head_state_is_not_fooled_by_a_restored_size_and_time(tmp_path: Path) -> None:
    repo = new_repo(tmp_path / "repo")
    commit(repo, "2014-03-01T10:00:00+08:00", {"u.yaml": "a: 1\n"})
    path = repo / "u.yaml"
    before = path.stat()
    path.write_text("a: 2\n", encoding="utf-8")
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))  # ctime still moves
    assert head_state(repo)[1] is True


def test_head_state_counts_a_huge_file_as_changed_without_reading_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    repo = new_repo(tmp_path / "repo")
    commit(repo, "2014-03-01T10:00:00+08:00", {"big.csv": "x" * 100})
    os.utime(repo / "big.csv")  # git no longer vouches for it
    assert head_state(repo)[1] is False
    monkeypatch.setattr(gitstate, "HASH_LIMIT", 99)
    assert head_state(repo)[1] is True


def test_head_state_looks_past_duchus_own_cache(tmp_path: Path) -> None:
    repo = new_repo(tmp_path / "repo")
    made = commit(repo, "2014-03-01T10:00:00+08:00", {f"{RECORDS}/campaign.yaml": "x\n"})
    write(repo, {f"{RECORDS}/.duchu-cache/records.bin": "x"})  # and no .gitignore
    assert head_state(repo / RECORDS) == (made, False)
    write(repo, {f"{RECORDS}/units/.duchu-cache/x.yaml": "x"})  # not the cache
    assert head_state(repo / RECORDS) == (made, True)


def test_head_state_before_the_first_commit(tmp_path: Path) -> None:
    repo = new_repo(tmp_path / "repo")
    assert head_state(repo) == (None, False)
    write(repo, {"units/东城区.yaml": "x"})
    assert head_state(repo) == (None, True)


def test_head_state_and_a_symbolic_link(tmp_path: Path) -> None:
    repo = new_repo(tmp_path / "repo")
    (repo / "link.yaml").symlink_to("target 目标.yaml")
    commit(repo, "2014-03-01T10:00:00+08:00", {"target 目标.yaml": "x\n"})
    assert head_state(repo)[1] is False
    (repo / "link.yaml").unlink()
    (repo / "link.yaml").symlink_to("elsewhere.yaml")
    assert head_state(repo)[1] is True


# --- the command line with Chinese ids and a spaced records folder ------------------------


def records_repo(tmp_path: Path) -> tuple[Path, Path]:
    """A valid records tree in ``记录 库`` inside a repository, with a unit ``东城区``."""
    repo = new_repo(tmp_path / "repo")
    root = build_tree(repo / RECORDS)
    unit = (root / "units" / "a.yaml").read_text(encoding="utf-8").replace("甲单位", "东城区")
    write(root, {"units/东城区.yaml": unit, ".gitignore": ".duchu-cache/\n"})
    commit(repo, "2014-02-20T09:00:00+08:00", subject="建立记录库")
    write(root, {"units/东城区.yaml": unit + "  mobilization: 2014-02-27\n"})
    commit(repo, "2014-03-01T09:00:00+08:00", subject="东城区动员", who="赵某")
    return repo, root


def test_log_and_stale_with_a_chinese_unit_in_a_spaced_folder(tmp_path: Path) -> None:
    _, root = records_repo(tmp_path)
    log = runner.invoke(app, ["log", "东城区", "--records", str(root), "--format", "json"])
    assert log.exit_code == 0, log.output
    commits = json.loads(log.stdout)["commits"]
    assert [(c["author"], c["message"], c["files"]) for c in commits] == [
        ("赵某", "东城区动员", ["units/东城区.yaml"]),
        ("张某", "建立记录库", ["units/东城区.yaml"]),
    ]
    stale = runner.invoke(
        app,
        [
            "status",
            "--stale",
            "30",
            "--as-of",
            "2014-04-15",
            "--records",
            str(root),
            "--format",
            "json",
        ],
    )
    assert stale.exit_code == 0, stale.output
    units = {u["id"]: u for u in json.loads(stale.stdout)["units"]}
    assert (units["东城区"]["last_change"], units["东城区"]["stale"]) == ("2014-03-01", True)
    assert units["a"]["last_change"] == "2014-02-20"


# --- nothing the repository names is run --------------------------------------------------


def trap(tmp_path: Path, name: str, *, passthrough: bool = False) -> tuple[Path, Path]:
    """A script that leaves a marker file when run (and, for filters, copies its input)."""
    marker = tmp_path / f"{name}.ran"
    script = tmp_path / f"{name}.sh"
    tail = "exec cat\n" if passthrough else "cat >/dev/null 2>&1 </dev/null; exit 1\n"
    script.write_text(f"#!/bin/sh\ntouch '{marker}'\n{tail}", encoding="utf-8")
    script.chmod(0o755)
    return script, marker


def sign_head(repo: Path) -> None:
    """Replace HEAD by the same commit with a (bogus) signature: enough for git to ask the
    signature program about it."""
    raw = git(repo, "cat-file", "commit", "HEAD").stdout
    header, _, body = raw.partition("\n\n")
    signature = "gpgsig -----BEGIN PGP SIGNATURE-----\n \n -----END PGP SIGNATURE-----"
    signed = f"{header}\n{signature}\n\n{body}"
    object_id = subprocess.run(
        ["git", "hash-object", "-t", "commit", "-w", "--stdin"],
        cwd=repo,
        input=signed,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    git(repo, "update-ref", "HEAD", object_id)


def run_every_function(root: Path) -> None:
    """Every public function of the git layer, on the records at ``root``."""
    assert gitrun.repository_root(root)
    assert history(root) and history(root, ["units/东城区.yaml"])
    assert history(root, limit=1) and githistory.commit_count(root, ["units/东城区.yaml"])
    assert last_changes(root, day("2030-01-01"))
    assert file_dates(root, day("2030-01-01")).added
    known = known_commit(root, day("2030-01-01"))
    entries = tree_entries(root, known)
    with BlobReader(root) as reader:
        assert len(list(reader.read_many([e.blob for e in entries if e.mode != "160000"])))
    os.utime(root / "units" / "东城区.yaml")  # so head_state must look at the content
    head_state(root)
    gitrun.hooks_folder(root)


def run_every_command(root: Path) -> None:
    """The commands that use the git layer."""
    for args in (
        ["log", "东城区"],
        ["log", "--limit", "1"],
        ["status", "--stale", "30", "--as-of", "2014-04-15"],
        ["report", "--phase", "study", "--as-of", "2014-04-15"],
    ):
        done = runner.invoke(app, [*args, "--records", str(root)])
        assert done.exit_code == 0, (args, done.output)


# each trap: how to set it (config lines, .gitattributes) and a plain git command it fires on
TRAPS = {
    "fsmonitor": (["core.fsmonitor={script}"], "", ["ls-files", "--others"]),
    "fsmonitor-included": (["include.path={config}"], "", ["ls-files", "--others"]),
    "signature": (
        ["log.showSignature=true", "gpg.program={script}"],
        "",
        ["log", "-1"],
    ),
    "external-diff": (["diff.external={script}"], "", ["diff", "HEAD~1"]),
    "textconv": (["diff.trap.textconv={script}"], "*.yaml diff=trap\n", ["diff"]),
    "clean-filter": (
        ["filter.trap.clean={script}", "filter.trap.smudge=cat"],
        "*.yaml filter=trap\n",
        ["diff"],
    ),
    "filter-process": (["filter.trap.process={script}"], "*.yaml filter=trap\n", ["diff"]),
    "hooks": (["core.hooksPath={hooks}"], "", ["hook", "run", "pre-commit"]),
}


def set_trap(tmp_path: Path, repo: Path, root: Path, name: str) -> Path:
    settings, attributes, _ = TRAPS[name]
    script, marker = trap(tmp_path, name, passthrough="filter" in name)
    hooks = tmp_path / "hooks"
    hooks.mkdir(exist_ok=True)
    for hook in ("pre-commit", "post-index-change", "post-checkout", "reference-transaction"):
        shutil.copy(script, hooks / hook)
    included = tmp_path / "included.cfg"
    included.write_text(f"[core]\n\tfsmonitor = {script}\n", encoding="utf-8")
    for setting in settings:
        key, _, value = setting.partition("=")
        git(repo, "config", key, value.format(script=script, config=included, hooks=hooks))
    if attributes:
        write(root, {".gitattributes": attributes})
        commit(repo, "2014-03-02T09:00:00+08:00", subject="属性")
    if name == "signature":
        sign_head(repo)
    # the change plain git diffs, which head_state must judge without running anything
    write(root, {"units/东城区.yaml": (root / "units" / "东城区.yaml").read_text() + "# x\n"})
    marker.unlink(missing_ok=True)  # setting the trap with plain git may have fired it
    return marker


@pytest.mark.parametrize("name", sorted(TRAPS))
def test_nothing_the_repository_names_is_run(tmp_path: Path, name: str) -> None:
    repo, root = records_repo(tmp_path)
    marker = set_trap(tmp_path, repo, root, name)
    git(root, *TRAPS[name][2], check=False)
    assert marker.exists(), f"the {name} trap does not fire with plain git"
    marker.unlink()
    run_every_function(root)
    assert not marker.exists()


def test_no_command_runs_anything_with_every_trap_set(tmp_path: Path) -> None:
    repo, root = records_repo(tmp_path)
    # the hooks last: they would stop the plain-git commits that set the others
    markers = [set_trap(tmp_path, repo, root, name) for name in sorted(TRAPS, key="hooks".__eq__)]
    git(repo, "config", "core.pager", str(trap(tmp_path, "pager")[0]))
    git(repo, "config", "core.alternateRefsCommand", str(trap(tmp_path, "alternates")[0]))
    markers += [tmp_path / "pager.ran", tmp_path / "alternates.ran"]
    run_every_command(root)
    run_every_function(root)
    assert [m.name for m in markers if m.exists()] == []


def test_no_pager_runs_even_on_a_terminal(tmp_path: Path) -> None:
    repo, _ = records_repo(tmp_path)
    script, marker = trap(tmp_path, "pager")
    git(repo, "config", "pager.log", str(script))
    git(repo, "config", "core.pager", str(script))

    def on_a_terminal(argv: list[str], env: dict[str, str]) -> None:
        leader, follower = pty.openpty()
        try:
            subprocess.run(
                argv,
                cwd=repo,
                env=env,
                stdin=follower,
                stdout=follower,
                stderr=follower,
                timeout=30,
                check=False,
            )
        finally:
            os.close(follower)
            os.close(leader)

    plain = {k: v for k, v in os.environ.items() if k not in ("GIT_PAGER", "PAGER")}
    on_a_terminal(["git", "log", "-1"], {**plain, "GIT_CONFIG_GLOBAL": os.devnull})
    assert marker.exists(), "the pager trap does not fire with plain git"
    marker.unlink()
    on_a_terminal(*gitrun._command(["log", "-1"]))  # exactly what duchu runs
    assert not marker.exists()


@pytest.mark.parametrize("transport", ["ext", "ssh"])
def test_a_partial_clone_never_fetches_what_it_lacks(tmp_path: Path, transport: str) -> None:
    source = new_repo(tmp_path / "source")
    commit(source, "2014-03-01T10:00:00+08:00", {"units/东城区.yaml": "名称: 东城区\n"})
    git(source, "config", "uploadpack.allowFilter", "true")
    clone = tmp_path / "clone"
    git(
        tmp_path,
        "clone",
        "--quiet",
        "--no-checkout",
        "--filter=blob:none",
        f"file://{source}",
        str(clone),
    )
    script, marker = trap(tmp_path, transport)
    if transport == "ext":
        git(clone, "config", "protocol.ext.allow", "always")
        git(clone, "config", "remote.origin.url", f"ext::sh {script}")
    else:
        git(clone, "config", "core.sshCommand", str(script))
        git(clone, "config", "remote.origin.url", "ssh://example.invalid/records.git")
    # trees came with the clone, blobs did not
    blob = git(clone, "rev-parse", "HEAD:units/东城区.yaml").stdout.strip()
    git(clone, "cat-file", "-p", blob, check=False)
    assert marker.exists(), f"the {transport} trap does not fire with plain git"
    marker.unlink()
    with BlobReader(clone) as reader, pytest.raises(GitObjectMissingError):
        reader.read(blob, 1000)
    with pytest.raises(GitFailedError):  # the sizes (ls-tree -l) are not there either
        tree_entries(clone, "HEAD")
    assert known_commit(clone, day("2014-03-01")) == head(clone)
    assert not marker.exists()


# --- when git cannot be used --------------------------------------------------------------


def fake_git(tmp_path: Path, script: str) -> Path:
    folder = tmp_path / "bin"
    folder.mkdir()
    program = folder / "git"
    program.write_text(f"#!/bin/sh\n{script}\n", encoding="utf-8")
    program.chmod(0o755)
    return folder


def test_a_repository_of_another_user_is_one_clear_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = build_tree(tmp_path / "records")
    refusal = (
        f"echo \"fatal: detected dubious ownership in repository at '{root}'\" >&2\n"
        'echo "To add an exception for this directory, call:" >&2\nexit 128'
    )
    monkeypatch.setenv("PATH", str(fake_git(tmp_path, refusal)))
    with pytest.raises(UnsafeRepositoryError):
        history(root)
    done = runner.invoke(app, ["log", "--records", str(root)])
    assert done.exit_code == 2
    assert done.stderr.strip() == message("git-unsafe-repo", "zh", path=root)
    assert "safe.directory" in done.stderr


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() != 0, reason="needs chown")
def test_git_itself_refusing_another_users_repository(tmp_path: Path) -> None:
    repo, root = records_repo(tmp_path)
    for path in (repo, repo / ".git"):
        os.chown(path, 4242, 4242)
    with pytest.raises(UnsafeRepositoryError):
        history(root)
    done = runner.invoke(app, ["status", "--stale", "30", "--records", str(root)])
    assert done.exit_code == 2 and "safe.directory" in done.stderr


def test_without_git_installed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = build_tree(tmp_path / "records")
    empty = tmp_path / "bin"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))
    with pytest.raises(GitNotInstalledError):
        head_state(root)
    done = runner.invoke(app, ["log", "--records", str(root)])
    assert done.exit_code == 2
    assert done.stderr.strip() == message("git-not-installed", "zh")
    # a report goes on without the provenance of git
    report = runner.invoke(app, ["report", "--phase", "study", "--records", str(root)])
    assert report.exit_code == 0, report.output
