"""The cache gives exactly what a cold load gives, through edits, deletions, renames, a
corrupt or foreign cache file, and a tree it cannot write to; and loading on several cores
gives what loading on one does."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

import duchu.problems
import duchu.records.cache
import duchu.records.checks
import duchu.records.parallel
import duchu.records.parse
from duchu.cli.app import app
from duchu.records.cache import CACHE_DIR, cache_file
from duchu.records.load import load_tree
from duchu.records.tree import Tree

from .conftest import BROKEN, SAMPLE, build_tree, copy_tree

HOUR_AGO = time.time() - 3600


def _age(root: Path) -> None:
    """Date every file an hour back: the cache trusts only files older than itself."""
    for path in root.rglob("*"):
        if CACHE_DIR not in path.parts:
            os.utime(path, (HOUR_AGO, HOUR_AGO), follow_symlinks=False)


def _counting_reads(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The record files actually read (not taken from the cache) from now on."""
    read: list[str] = []
    real = duchu.records.parse.load_file

    def counting(root: Path, rel_path: str) -> duchu.records.parse.FileResult:
        read.append(rel_path)
        return real(root, rel_path)

    monkeypatch.setattr(duchu.records.parse, "load_file", counting)
    return read


def _warm_equals_cold(root: Path) -> Tree:
    cold = load_tree(root)
    load_tree(root, use_cache=True)  # fills the cache (or refreshes it)
    warm = load_tree(root, use_cache=True)
    assert warm == cold
    return warm


def _copy(tmp_path: Path, source: Path) -> Path:
    root = tmp_path / "tree"
    copy_tree(source, root)
    _age(root)
    return root


@pytest.mark.parametrize("case", sorted(p.name for p in BROKEN.iterdir()))
def test_every_broken_fixture_warm_equals_cold(
    case: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = build_tree(tmp_path / "tree", BROKEN / case)
    _age(root)
    cold = load_tree(root)
    load_tree(root, use_cache=True)
    read = _counting_reads(monkeypatch)
    checked = _counting_checks(monkeypatch)
    assert load_tree(root, use_cache=True) == cold
    assert read == []  # every file came from the cache, problems and all
    assert checked == []  # and so did the problems of the checks across files


def _counting_checks(monkeypatch: pytest.MonkeyPatch) -> list[Tree]:
    """The trees the checks across files actually ran over from now on."""
    ran: list[Tree] = []
    real = duchu.records.checks.run_checks

    def counting(tree: Tree) -> list[duchu.problems.Problem]:
        ran.append(tree)
        return real(tree)

    monkeypatch.setattr(duchu.records.checks, "run_checks", counting)
    return ran


def test_checks_run_again_after_any_change(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A change the per-file entries alone would not show -- a unit deleted makes its
    meetings "unknown unit" -- is seen because the checks' fingerprint changed."""
    root = _copy(tmp_path, SAMPLE)
    _warm_equals_cold(root)
    checked = _counting_checks(monkeypatch)
    (root / "units" / "zhujian.yaml").unlink()
    tree = _warm_equals_cold(root)
    assert len(checked) == 2  # the cold load, the load that refilled the cache; not the warm
    assert any(p.code == "unknown-unit" for p in tree.problems)
    checked.clear()
    ballot = root / "meetings" / "2014-09" / "jiaotong-summary.csv"
    ballot.write_bytes(ballot.read_bytes() + b"\n")
    os.utime(ballot, (HOUR_AGO + 60, HOUR_AGO + 60))
    _warm_equals_cold(root)
    assert len(checked) == 2  # a ballot file read again: checked again


@pytest.mark.parametrize(
    "change",
    [
        lambda d: d.__setitem__("checks", ["0" * 64, []]),  # another fingerprint
        lambda d: d["checks"].__setitem__(1, [["bad"]]),
        lambda d: d["checks"].__setitem__(1, "nope"),
        lambda d: d.__setitem__("checks", "nope"),
        # a problem planted for a file that is not in the tree
        lambda d: d["checks"][1].append(
            ["units/ghost.yaml", "bad-id", "error", [], 1, 1, None, "value", None, [], None]
        ),
    ],
)
def test_tampered_checks_are_misses(change: object, tmp_path: Path) -> None:
    root = _copy(tmp_path, SAMPLE)
    (root / "units" / "zhujian.yaml").unlink()  # so that the checks find problems
    _age(root)
    cold = load_tree(root)
    load_tree(root, use_cache=True)
    _tamper(root, change)
    assert load_tree(root, use_cache=True) == cold


def test_sample_warm_equals_cold_and_reads_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = _copy(tmp_path, SAMPLE)
    cold = load_tree(root)
    load_tree(root, use_cache=True)
    assert cache_file(root).is_file()
    assert not (root / CACHE_DIR).exists()  # nothing written into the tree
    read = _counting_reads(monkeypatch)
    warm = load_tree(root, use_cache=True)
    assert warm == cold and read == []
    assert warm.appraisals  # the sample's ballot CSV came back as counts too


def test_edit_delete_and_rename_are_seen(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = _copy(tmp_path, SAMPLE)
    _warm_equals_cold(root)
    read = _counting_reads(monkeypatch)
    # an edit of the same size: only the modification time tells
    unit = root / "units" / "zhujian.yaml"
    text = unit.read_text(encoding="utf-8")
    unit.write_text(text.replace("梁某", "梁某某", 1).replace("宋某", "宋", 1), encoding="utf-8")
    assert len(unit.read_bytes()) == len(text.encode())
    os.utime(unit, (HOUR_AGO + 60, HOUR_AGO + 60))
    load_tree(root, use_cache=True)
    assert read == ["units/zhujian.yaml"]
    tree = _warm_equals_cold(root)
    assert tree.units["zhujian"].leaders[0].name == "梁某某"
    # a deleted unit: its meetings now name an unknown unit, as a cold load says
    (root / "units" / "guihua.yaml").unlink()
    tree = _warm_equals_cold(root)
    assert any(p.code == "unknown-unit" for p in tree.problems)
    # a renamed meeting: a new id, the old one gone
    meeting = next((root / "meetings").rglob("zhengwu-talks.yaml"))
    meeting.rename(meeting.with_name("zhengwu-talks-renamed.yaml"))
    tree = _warm_equals_cold(root)
    assert any(m.endswith("zhengwu-talks-renamed") for m in tree.meetings)
    assert not any(m.endswith("zhengwu-talks") for m in tree.meetings)
    stored = _stored(root)
    assert "units/guihua.yaml" not in stored["units"]
    assert not any(path.endswith("zhengwu-talks.yaml") for path in stored["meetings"])
    assert any(path.endswith("zhengwu-talks-renamed.yaml") for path in stored["meetings"])


def test_a_broken_edit_and_its_fix_are_seen(tmp_path: Path) -> None:
    root = _copy(tmp_path, SAMPLE)
    _warm_equals_cold(root)
    unit = root / "units" / "fagaiwei.yaml"
    good = unit.read_text(encoding="utf-8")
    unit.write_text(good.replace("group: g2", "grop: g2"), encoding="utf-8")
    tree = _warm_equals_cold(root)
    assert {p.code for p in tree.problems} >= {"unknown-key", "missing-key"}
    unit.write_text(good, encoding="utf-8")
    os.utime(unit, (HOUR_AGO + 120, HOUR_AGO + 120))
    assert _warm_equals_cold(root).problems == []


def test_ballot_file_edits_and_leader_changes_are_seen(tmp_path: Path) -> None:
    root = _copy(tmp_path, SAMPLE)
    _warm_equals_cold(root)
    ballots = next(root.rglob("*.csv"))
    lines = ballots.read_text(encoding="utf-8-sig").splitlines()
    ballots.write_text("\n".join(lines[:-5]) + "\n", encoding="utf-8-sig")
    os.utime(ballots, (HOUR_AGO + 60, HOUR_AGO + 60))
    _warm_equals_cold(root)
    # the subjects of a ballot file are the unit's leaders: renaming one changes its counts
    unit = root / "units" / "jiaotong.yaml"
    text = unit.read_text(encoding="utf-8")
    first_leader = text.split("name: ", 2)[2].split(",")[0]
    unit.write_text(text.replace(first_leader, "新某", 1), encoding="utf-8")
    os.utime(unit, (HOUR_AGO + 60, HOUR_AGO + 60))
    tree = _warm_equals_cold(root)
    assert any(p.path.endswith(".csv") for p in tree.problems)


@pytest.mark.parametrize(
    "content",
    [
        b"",
        b"not a cache at all",
        b"\x00\xff" * 100,
        "垃圾\n{".encode(),
        b'KEY\n{"files": [], "ballots": {}}',  # the format before
        b'KEY\n{"campaign": {}, "groups": {}, "units": [], "meetings": {}, "ballots": {}}',
        b'KEY\n{"campaign": {}, "groups": {}, "units": {"units/zhujian.yaml": "x"}, '
        b'"meetings": {}, "ballots": {}}',
        b"KEY\n[1, 2, 3]",
        b'KEY\n{"files": {}, "ballots": {}',  # truncated
    ],
)
def test_corrupt_cache_is_a_miss(
    content: bytes, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = _copy(tmp_path, SAMPLE)
    cold = load_tree(root)
    key = duchu.records.cache.cache_key((root / "campaign.yaml").read_bytes())
    cache_file(root).parent.mkdir(parents=True)
    cache_file(root).write_bytes(content.replace(b"KEY", key))
    assert load_tree(root, use_cache=True) == cold
    read = _counting_reads(monkeypatch)
    assert load_tree(root, use_cache=True) == cold and read == []  # rewritten, whole


def _stored(root: Path) -> dict[str, Any]:
    """The cache's entries as one document: its parts (the lines after the header) merged."""
    document: dict[str, Any] = {}
    for line in cache_file(root).read_bytes().splitlines()[1:]:
        for key, value in json.loads(line).items():
            if isinstance(value, dict):
                document.setdefault(key, {}).update(value)
            else:
                document[key] = value
    return document


def _tamper(root: Path, change: object) -> None:
    """Change the entries, written back as one part (a file of one line is valid too)."""
    path = cache_file(root)
    header = path.read_bytes().split(b"\n", 1)[0]
    document = _stored(root)
    change(document)  # type: ignore[operator]
    path.write_bytes(header + b"\n" + json.dumps(document, ensure_ascii=False).encode())


def _set_record(document: dict, value: object) -> None:  # type: ignore[type-arg]
    document["units"]["units/zhujian.yaml"][2] = value


@pytest.mark.parametrize(
    "change",
    [
        lambda d: _set_record(d, {"name": 5, "group": "g2"}),  # the models refuse it
        lambda d: _set_record(d, {"name": "x", "group": "g2", "evil": True}),
        lambda d: _set_record(d, ["not", "a", "mapping"]),
        lambda d: d["units"]["units/zhujian.yaml"].__setitem__(3, [["bad"]]),
        lambda d: d["units"]["units/zhujian.yaml"].__setitem__(3, [[1] * 11]),
        lambda d: d["units"]["units/zhujian.yaml"].pop(),
        lambda d: next(iter(d["ballots"].values())).__setitem__(5, [1, 2, {"a": {"b": "c"}}]),
        lambda d: next(iter(d["ballots"].values())).__setitem__(6, "nope"),
        # a ballot problem planted for another file
        lambda d: next(iter(d["ballots"].values())).__setitem__(
            6, [["units/x.yaml", "bad-id", "error", [], 1, 1, None, "value", None, [], None]]
        ),
    ],
)
def test_tampered_entries_are_misses(change: object, tmp_path: Path) -> None:
    root = _copy(tmp_path, SAMPLE)
    cold = load_tree(root)
    load_tree(root, use_cache=True)
    _tamper(root, change)
    assert load_tree(root, use_cache=True) == cold


def test_a_planted_problem_for_another_file_is_refused(tmp_path: Path) -> None:
    root = _copy(tmp_path, SAMPLE)
    cold = load_tree(root)
    load_tree(root, use_cache=True)

    def plant(document: dict) -> None:  # type: ignore[type-arg]
        entry = document["units"]["units/zhujian.yaml"]
        entry[3] = [
            ["units/other.yaml", "bad-id", "error", [], 1, 1, None, "value", None, [], None]
        ]

    _tamper(root, plant)
    assert load_tree(root, use_cache=True) == cold


def test_campaign_or_version_change_drops_everything(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = _copy(tmp_path, SAMPLE)
    _warm_equals_cold(root)
    files = load_tree(root).files - 1  # the ballot CSV is not a record file
    read = _counting_reads(monkeypatch)
    monkeypatch.setattr(duchu.records.cache, "__version__", "99.0")
    load_tree(root, use_cache=True)
    assert len(read) == files
    read.clear()
    campaign = root / "campaign.yaml"
    campaign.write_text(campaign.read_text(encoding="utf-8") + "\n# 改\n", encoding="utf-8")
    os.utime(campaign, (HOUR_AGO + 60, HOUR_AGO + 60))
    load_tree(root, use_cache=True)
    assert len(read) == files


def test_files_not_older_than_the_cache_are_read_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A file changed in the clock tick the cache was written in could keep its time."""
    root = _copy(tmp_path, SAMPLE)
    unit = root / "units" / "zhujian.yaml"
    later = time.time_ns() + 100 * 10**9  # changed "after" the cache will be written
    os.utime(unit, ns=(later, later))
    load_tree(root, use_cache=True)
    read = _counting_reads(monkeypatch)
    load_tree(root, use_cache=True)
    assert read == ["units/zhujian.yaml"]  # same size and time as cached, yet read again


def test_a_cache_that_cannot_be_written_is_no_error(tmp_path: Path) -> None:
    root = _copy(tmp_path, SAMPLE)
    cache_file(root).parent.parent.mkdir(parents=True)
    cache_file(root).parent.write_text("a file where the folder should be")
    cold = load_tree(root)
    assert load_tree(root, use_cache=True) == cold
    assert load_tree(root, use_cache=True) == cold


def test_several_processes_load_what_one_does(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = build_tree(tmp_path / "tree", BROKEN / "unknown-unit")
    one = load_tree(root, jobs=1)
    monkeypatch.setattr(duchu.records.parallel, "PARALLEL_MIN_FILES", 1)
    monkeypatch.setattr(duchu.records.parallel, "_CHUNK", 2)
    several = load_tree(root, jobs=2)
    assert several == one and list(several.meetings) == list(one.meetings)
    seen: list[tuple[int, int]] = []
    load_tree(root, jobs=2, progress=lambda done, total: seen.append((done, total)))
    records = sum(1 for _ in root.rglob("*.yaml"))
    assert seen[-1] == (records, records) and len(seen) > 1


def test_cli_caches_unless_told_not_to(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("DUCHU_NO_CACHE")
    runner = CliRunner()
    root = build_tree(tmp_path / "tree", BROKEN / "unknown-key")
    _age(root)
    cold = runner.invoke(app, ["check", "--records", str(root), "--no-cache"])
    assert not cache_file(root).exists()
    assert runner.invoke(app, ["--no-cache", "check", "--records", str(root)]).stdout == cold.stdout
    assert not cache_file(root).exists()
    first = runner.invoke(app, ["check", "--records", str(root)])
    assert cache_file(root).is_file()
    second = runner.invoke(app, ["check", "--records", str(root), "--format", "json"])
    assert first.stdout == cold.stdout and first.exit_code == cold.exit_code == 1
    assert json.loads(second.stdout)["problems"][0]["code"] == "unknown-key"
    monkeypatch.setenv("DUCHU_NO_CACHE", "1")
    cache_file(root).unlink()
    runner.invoke(app, ["check", "--records", str(root)])
    assert not cache_file(root).exists()


def test_a_cache_in_many_parts(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Parts of two entries: every one read back; one damaged part drops the whole cache;
    a file cut between parts loses only the entries after the cut (read again)."""
    monkeypatch.setattr(duchu.records.cache, "PART_SIZE", 2)
    root = _copy(tmp_path, SAMPLE)
    cold = load_tree(root)
    load_tree(root, use_cache=True)
    path = cache_file(root)
    lines = path.read_bytes().splitlines(keepends=True)
    assert len(lines) > 10
    read = _counting_reads(monkeypatch)
    assert load_tree(root, use_cache=True) == cold and read == []

    path.write_bytes(b"".join([*lines[:3], b'{"units": {"units/x.yaml": [1]}}\n', *lines[4:]]))
    assert load_tree(root, use_cache=True) == cold
    assert len(read) == cold.files - 1  # every record file (the ballot CSV is not one)

    read.clear()
    path.write_bytes(b"".join(lines[:5]))  # the header and four parts
    kept = sum(len(entries) for line in lines[1:5] for entries in json.loads(line).values())
    assert 4 < kept <= 8
    assert load_tree(root, use_cache=True) == cold
    assert len(read) == cold.files - 1 - kept


def test_entries_without_problems_share_one_empty_tuple(tmp_path: Path) -> None:
    """A file with no problems keeps one shared empty tuple in the cache, not a list each
    (written and read alike), and the file still says ``[]`` for them: the cache written
    again from such entries is the same file."""
    from duchu.records.cache import RecordCache

    root = build_tree(tmp_path / "tree", BROKEN / "bad-value-text")
    old = time.time() - 3600
    for path in root.rglob("*"):
        os.utime(path, (old, old))
    load_tree(root, use_cache=True)
    written = cache_file(root).read_bytes()
    key = written.split(b"\n", 1)[0]
    cache = RecordCache(root, key)
    entries = [e for kind in cache.files.values() for e in kind.values()]
    assert entries and any(e[3] for e in entries)  # a file with problems keeps its list
    empty = [e for e in entries if not e[3]]
    assert empty and all(type(e[3]) is tuple for e in empty)
    cache.changed = True
    assert cache.save()
    assert cache_file(root).read_bytes() == written
