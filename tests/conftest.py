"""Shared helpers: fixture trees are copied to a temporary folder before use, so no test
can change the files under tests/fixtures."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from hypothesis import settings

# CI runs each property's examples in a fixed order, so that a submission lands or fails on
# what it is, not on the draw; locally every run draws anew and can find more.
settings.register_profile("ci", derandomize=True, print_blob=True)
if os.environ.get("CI"):
    settings.load_profile("ci")

FIXTURES = Path(__file__).parent / "fixtures"
BASE = FIXTURES / "base"
BROKEN = FIXTURES / "broken"
SAMPLE = Path(__file__).parent.parent / "records"
# A cache duchu left in a tree (the README's quick start runs `status` on records/ first)
# is not part of it: copies leave it behind.
_NOT_THE_TREE = shutil.ignore_patterns(".duchu-cache")


def copy_tree(source: Path, target: Path) -> Path:
    """A copy of a records tree (links kept as links), without duchu's cache."""
    return Path(shutil.copytree(source, target, symlinks=True, ignore=_NOT_THE_TREE))


def build_tree(
    target: Path, overlay: Path | None = None, files: dict[str, str] | None = None
) -> Path:
    """The base fixture tree, with a broken case's files (and ``files``) laid over it."""
    copy_tree(BASE, target)
    if overlay is not None:
        for source in overlay.rglob("*"):
            if source.is_file() and source.name != "expected.txt":
                destination = target / source.relative_to(overlay)
                destination.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(source, destination)
    for rel, text in (files or {}).items():
        path = target / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return target


def write_tree(target: Path, files: dict[str, str]) -> Path:
    """A tree made only of ``files`` (relative path -> text)."""
    for rel, text in files.items():
        path = target / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return target


@pytest.fixture
def base_tree(tmp_path: Path) -> Path:
    return build_tree(tmp_path / "tree")


@pytest.fixture(autouse=True)
def _own_cache_folder(
    monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """Each test's caches in a folder of its own, never the user's ~/.cache."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path_factory.mktemp("xdg-cache")))


@pytest.fixture(autouse=True)
def _no_cache_by_default(monkeypatch: pytest.MonkeyPatch) -> None:
    """The command line caches into the records tree; tests read their trees cold unless
    they are about the cache (tests/test_cache.py turns it back on)."""
    monkeypatch.setenv("DUCHU_NO_CACHE", "1")
