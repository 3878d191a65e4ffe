"""The snapshot of a loaded tree (issue 28): a warm command answers byte for byte what a cold
one does -- on generated trees, the sample and broken fixtures, for status, check and tally
-- and the snapshot is never trusted when it is forged, signed with another key, stale, or
would make anything but records and problems."""

from __future__ import annotations

import io
import os
import pickle
import sys
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

import duchu.records.parse
import duchu.records.snapshot
from duchu.cli.app import app
from duchu.records.cache import cache_file
from duchu.records.load import load_tree
from duchu.records.snapshot import KEY_FILE, SNAPSHOT_FILE
from duchu.records.tree import Tree

from .conftest import BROKEN, SAMPLE, build_tree, copy_tree

sys.path.insert(0, str(Path(__file__).parent.parent / "bench"))

from make_tree import make  # bench/ is not a package: found through sys.path

HOUR_AGO = time.time() - 3600
runner = CliRunner()

# What an office asks again and again; each answer compared cold and warm, byte for byte.
QUESTIONS = [
    ["status", "--as-of", "2014-06-15"],
    ["status", "--as-of", "2014-04-20", "--all"],
    ["status", "--as-of", "2014-06-15", "--format", "json"],
    ["status", "--by", "group", "--as-of", "2014-06-15", "--format", "json"],
    ["check"],
    ["check", "--format", "json"],
    ["tally", "--format", "json"],
]


def _age(root: Path) -> None:
    """Date every file an hour back: the caches trust only files older than themselves."""
    for path in root.rglob("*"):
        os.utime(path, (HOUR_AGO, HOUR_AGO), follow_symlinks=False)


def _snapshot(root: Path) -> Path:
    return cache_file(root).parent / SNAPSHOT_FILE


def _key(root: Path) -> Path:
    return cache_file(root).parent.parent.parent / KEY_FILE


def _spy(monkeypatch: pytest.MonkeyPatch) -> tuple[list[str], list[bool]]:
    """The record files read from now on, and whether each snapshot read gave a tree."""
    read: list[str] = []
    kept: list[bool] = []
    real_load, real_read = duchu.records.parse.load_file, duchu.records.snapshot.read

    def counting_load(root: Path, rel_path: str) -> duchu.records.parse.FileResult:
        read.append(rel_path)
        return real_load(root, rel_path)

    def counting_read(*args: object, **kwargs: object) -> Tree | None:
        tree = real_read(*args, **kwargs)  # type: ignore[arg-type]
        kept.append(tree is not None)
        return tree

    monkeypatch.setattr(duchu.records.parse, "load_file", counting_load)
    monkeypatch.setattr(duchu.records.snapshot, "read", counting_read)
    return read, kept


def _answers(root: Path, *extra: str) -> list[tuple[int, bytes, bytes]]:
    found = []
    for question in QUESTIONS:
        result = runner.invoke(app, [*question, "--records", str(root), *extra])
        found.append((result.exit_code, result.stdout_bytes, result.stderr_bytes))
    return found


def _generated(tmp_path: Path, units: int) -> Path:
    root = tmp_path / f"tree-{units}"
    make(units, root)
    return root


@pytest.mark.parametrize(
    "source",
    ["generated-23", "generated-41", "sample", "ballots-missing", "duplicate-id", "unknown-unit"],
)
def test_warm_answers_are_the_cold_ones_byte_for_byte(
    source: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("DUCHU_NO_CACHE")
    if source.startswith("generated-"):
        root = _generated(tmp_path, int(source.split("-")[1]))
    elif source == "sample":
        root = copy_tree(SAMPLE, tmp_path / "tree")
    else:
        root = build_tree(tmp_path / "tree", BROKEN / source)
    _age(root)
    cold = _answers(root, "--no-cache")
    assert not _snapshot(root).exists()
    filling = _answers(root)  # reads every file, writes the cache and the snapshot
    assert _snapshot(root).is_file()
    read, kept = _spy(monkeypatch)
    warm = _answers(root)
    assert read == [] and kept == [True] * len(QUESTIONS)  # every answer from the snapshot
    assert warm == filling == cold


def _loaded_twice(tmp_path: Path) -> tuple[Path, Tree]:
    root = copy_tree(SAMPLE, tmp_path / "tree")
    _age(root)
    cold = load_tree(root)
    load_tree(root, use_cache=True)
    assert _snapshot(root).is_file() and _key(root).is_file()
    return root, cold


def test_the_key_is_the_users_own(tmp_path: Path) -> None:
    root, _ = _loaded_twice(tmp_path)
    info = _key(root).stat()
    assert info.st_mode & 0o777 == 0o600 and info.st_size == 32
    assert _snapshot(root).stat().st_mode & 0o777 == 0o600


def test_an_edited_snapshot_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root, cold = _loaded_twice(tmp_path)
    content = _snapshot(root).read_bytes()
    name = "市水利局".encode()
    assert name in content
    # the same length, another name: a forger's edit (the signature no longer matches)
    _snapshot(root).write_bytes(content.replace(name, "市伪造局".encode()))
    read, kept = _spy(monkeypatch)
    assert load_tree(root, use_cache=True) == cold
    assert kept == [False] and read == []  # refused; the record cache gave every file


@pytest.mark.parametrize("damage", ["other-key", "open-key", "link-key", "no-key", "cut"])
def test_a_snapshot_without_a_sound_key_is_refused(
    damage: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root, cold = _loaded_twice(tmp_path)
    key = _key(root)
    if damage == "other-key":  # a snapshot copied from another account or machine
        key.write_bytes(os.urandom(32))
    elif damage == "open-key":  # readable by others: anyone could sign with it
        key.chmod(0o644)
    elif damage == "link-key":
        elsewhere = tmp_path / "elsewhere.key"
        elsewhere.write_bytes(key.read_bytes())
        elsewhere.chmod(0o600)
        key.unlink()
        key.symlink_to(elsewhere)
    elif damage == "no-key":
        key.unlink()
    else:
        _snapshot(root).write_bytes(_snapshot(root).read_bytes()[:-100])
    _, kept = _spy(monkeypatch)
    assert load_tree(root, use_cache=True) == cold
    assert kept == [False]


def test_a_signed_snapshot_makes_nothing_but_records(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Even signed with the user's key, a snapshot that would call anything but the
    records' own classes is refused before it runs."""
    import hmac

    root, cold = _loaded_twice(tmp_path)
    marker = tmp_path / "ran"

    class Evil:
        def __reduce__(self) -> tuple[object, tuple[str]]:
            return os.system, (f"touch {marker}",)

    written = io.BytesIO()
    pickle.Pickler(written, protocol=5).dump(Evil())
    body = written.getvalue()
    secret = _key(root).read_bytes()
    magic = _snapshot(root).read_bytes().split(b"\n", 1)[0] + b"\n"
    _snapshot(root).write_bytes(magic + hmac.digest(secret, body, "sha256") + body)
    _, kept = _spy(monkeypatch)
    assert load_tree(root, use_cache=True) == cold
    assert kept == [False] and not marker.exists()


@pytest.mark.parametrize("change", ["edit", "new-bad-name", "ballot", "cache-touched"])
def test_a_stale_snapshot_is_a_miss(
    change: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root, _ = _loaded_twice(tmp_path)
    later = HOUR_AGO + 60
    if change == "edit":
        unit = root / "units" / "zhujian.yaml"
        unit.write_text(unit.read_text(encoding="utf-8").replace("住建局", "建设局"), "utf-8")
        os.utime(unit, (later, later))
    elif change == "new-bad-name":  # found by discovery, not a record file: a problem
        (root / "units" / "备份.yml").write_text("name: x\n", encoding="utf-8")
    elif change == "ballot":
        ballot = root / "meetings" / "2014-09" / "jiaotong-summary.csv"
        ballot.write_bytes(ballot.read_bytes() + b"\n")
        os.utime(ballot, (later, later))
    else:  # the record cache rewritten by anyone: the snapshot is of what it gave
        cache_file(root).write_bytes(cache_file(root).read_bytes())
    _, kept = _spy(monkeypatch)
    warm = load_tree(root, use_cache=True)
    assert kept == [False]
    assert warm == load_tree(root)
    assert load_tree(root, use_cache=True) == warm and kept == [False, True]


def test_a_file_changed_as_the_snapshot_was_written_is_a_miss(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root, _ = _loaded_twice(tmp_path)
    written = _snapshot(root).stat().st_mtime_ns
    os.utime(root / "units" / "zhujian.yaml", ns=(written, written))  # the same tick
    _, kept = _spy(monkeypatch)
    assert load_tree(root, use_cache=True) == load_tree(root)
    assert kept[0] is False


@pytest.mark.parametrize("entries", [1, 3, 4096])
def test_a_snapshot_in_many_pieces_gives_the_tree_back(
    entries: int, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The snapshot is written a piece at a time (a memo per piece): whatever the pieces'
    size, the tree comes back equal, in its dictionaries' order, and a meeting's appraisal
    counts are still the very dictionary ``appraisals`` holds, as the load made them."""
    monkeypatch.setattr(duchu.records.snapshot, "_PIECE_ENTRIES", entries)
    root = _generated(tmp_path, 23)
    _age(root)
    cold = load_tree(root)
    load_tree(root, use_cache=True)
    read, kept = _spy(monkeypatch)
    warm = load_tree(root, use_cache=True)
    assert kept == [True] and read == []
    assert warm == cold
    for field in ("groups", "units", "meetings", "appraisals", "meeting_units"):
        assert list(getattr(warm, field)) == list(getattr(cold, field))
    assert [p.code for p in warm.problems] == [p.code for p in cold.problems]
    shared = [
        ident
        for ident, counts in cold.appraisals.items()
        if cold.meetings[ident].appraisal.counts is counts.by_subject  # type: ignore[union-attr]
    ]
    assert shared  # the generated tree has appraisals written as counts
    for ident in shared:
        assert warm.meetings[ident].appraisal.counts is warm.appraisals[ident].by_subject  # type: ignore[union-attr]


def test_a_snapshot_with_a_piece_twice_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A signed snapshot that gives one of the tree's fields whole twice (one of its pieces
    written again) is a miss, not a tree made of the second."""
    import hmac

    real_pieces = duchu.records.snapshot._pieces

    def doubled(state: dict[str, object]) -> object:
        pieces = list(real_pieces(state))
        return [*pieces, next(p for p in pieces if p[1] == "whole")]

    monkeypatch.setattr(duchu.records.snapshot, "_pieces", doubled)
    root, cold = _loaded_twice(tmp_path)
    monkeypatch.setattr(duchu.records.snapshot, "_pieces", real_pieces)
    content = _snapshot(root).read_bytes()
    magic = content.split(b"\n", 1)[0] + b"\n"
    body = content[len(magic) + 32 :]
    assert (
        hmac.digest(_key(root).read_bytes(), body, "sha256")
        == content[len(magic) : len(magic) + 32]
    )
    _, kept = _spy(monkeypatch)
    assert load_tree(root, use_cache=True) == cold
    assert kept == [False]


def test_equal_texts_of_the_records_come_back_as_one(tmp_path: Path) -> None:
    """A snapshot gives a piece's equal texts -- every meeting's kind, a unit's id in each
    of its meetings -- as one object, where each file's parse had made its own."""
    root = _generated(tmp_path, 23)
    _age(root)
    cold = load_tree(root, use_cache=True)
    warm = load_tree(root, use_cache=True)
    assert warm == cold
    for texts in (
        [m.kind for m in cold.meetings.values()],
        [m.unit for m in cold.meetings.values() if m.unit is not None],
    ):
        assert len({id(text) for text in texts}) > len(set(texts))
    for texts in (
        [m.kind for m in warm.meetings.values()],
        [m.unit for m in warm.meetings.values() if m.unit is not None],
    ):
        assert len({id(text) for text in texts}) == len(set(texts)) < len(texts)
