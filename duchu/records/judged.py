"""A judgement kept in the user's cache beside the records' (``duchu.records.cache``): a
small JSON document per name, valid only under the key it was written with -- for what
never changes once judged, such as a past week's completion read from a commit (the
site's trend, ``duchu.judge.trend``). Written beside and renamed, never through a link, in
the user's private cache folder; a document that cannot be read or written is simply not
there (the judgement is made again)."""

from __future__ import annotations

import contextlib
import json
import os
from pathlib import Path
from typing import Any

from duchu import platform
from duchu.records.cache import private_folder


def read_judged(folder: Path, name: str, key: str) -> Any:
    """What was kept under ``name`` with ``key``; None when nothing (or something else)."""
    try:
        descriptor = platform.open_no_follow(folder / name, os.O_RDONLY)
        with os.fdopen(descriptor, "rb") as handle:
            kept = json.loads(handle.read(1 << 24))
    except (OSError, ValueError):
        return None
    if not isinstance(kept, dict) or kept.get("key") != key:
        return None
    return kept.get("data")


def write_judged(folder: Path, name: str, key: str, data: Any) -> None:
    """Keep ``data`` under ``name`` with ``key``, replacing what was there."""
    temporary = folder / f"{name}.{os.getpid()}.tmp"
    try:
        private_folder(folder)
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temporary)
        descriptor = platform.open_no_follow(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
            json.dump({"key": key, "data": data}, handle, ensure_ascii=False)
        os.replace(temporary, folder / name)
    except OSError:
        with contextlib.suppress(OSError):
            temporary.unlink(missing_ok=True)
