"""``--format json``: documents written as ``json.dumps(..., ensure_ascii=False, indent=2)``
would write them, and the JSON of what only the command line shows (``log``)."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from duchu.git.history import Commit


def print_json(data: object) -> None:
    """The document as ``json.dumps(data, ensure_ascii=False, indent=2)`` would write it,
    serialised in Rust by pydantic-core: for a province's tally (90 MB of JSON) the
    standard library's indenting encoder, in Python, peaked at 1.3 GB and took seconds."""
    from pydantic_core import to_json

    body = to_json(data, indent=2) + b"\n"
    sys.stdout.flush()
    binary = getattr(sys.stdout, "buffer", None)
    if binary is None:  # a text-only stream (some test harnesses, IDE consoles)
        sys.stdout.write(body.decode())
    else:
        binary.write(body)
        binary.flush()


def log_json(commits: Sequence[Commit], more: int) -> dict[str, Any]:
    """``duchu log --format json``: the commits, newest first, and how many older ones
    ``--limit`` left out."""
    return {
        "commits": [
            {
                "commit": c.commit,
                "date": c.when.isoformat(),
                "author": c.author,
                "email": c.email,
                "message": c.message,
                "files": list(c.files),
            }
            for c in commits
        ],
        "more": more,  # the older commits --limit left out
    }
