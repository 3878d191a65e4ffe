"""Whether a path lies within a folder: the one question behind "duchu reads nothing outside
the tree it was given" (links in the tree, a templates folder, the cache) and "writes
nothing into it" (an output file, the site's folder), asked the same way everywhere."""

from __future__ import annotations

import os
from pathlib import Path


def inside(path: str | Path, folder: str | Path) -> bool:
    """Whether ``path`` is ``folder`` or lies below it, by whole components (``/a/bc`` is
    not inside ``/a/b``), as the two are written: callers pass real paths where links
    matter, or ask ``really_inside``."""
    path, folder = Path(path), Path(folder)
    return path == folder or folder in path.parents


def really_inside(path: str | Path, folder: str | Path) -> bool:
    """``inside`` after following every link in both, as the file system will."""
    return inside(os.path.realpath(path), os.path.realpath(folder))
