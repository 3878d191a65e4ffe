"""duchu.paths: the one test of "inside the tree" every reader and writer of duchu asks."""

from __future__ import annotations

from pathlib import Path

import pytest

from duchu.paths import inside, really_inside


@pytest.mark.parametrize(
    ("path", "folder", "expected"),
    [
        ("/a/b", "/a/b", True),
        ("/a/b/c.yaml", "/a/b", True),
        ("/a/bc", "/a/b", False),  # a sibling that merely starts with the folder's name
        ("/a", "/a/b", False),
        ("/a/b/", "/a/b", True),
    ],
)
def test_inside_is_by_whole_components(path: str, folder: str, expected: bool) -> None:
    assert inside(path, folder) is expected
    assert inside(Path(path), Path(folder)) is expected


def test_really_inside_follows_links_both_ways(tmp_path: Path) -> None:
    tree, elsewhere = tmp_path / "tree", tmp_path / "elsewhere"
    (tree / "units").mkdir(parents=True)
    elsewhere.mkdir()
    (tree / "out").symlink_to(elsewhere)  # lexically inside, really outside
    (tmp_path / "via").symlink_to(tree / "units")  # lexically outside, really inside
    assert inside(tree / "out", tree) and not really_inside(tree / "out" / "x", tree)
    assert not inside(tmp_path / "via", tree) and really_inside(tmp_path / "via" / "x", tree)
