"""``--format json``: documents written as ``json.dumps(..., ensure_ascii=False, indent=2)``
would write them, and the JSON of what only the command line shows (``log``)."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator, Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from duchu.git.history import Commit


def print_json(data: object) -> None:
    """The document as ``json.dumps(data, ensure_ascii=False, indent=2)`` would write it,
    serialised in Rust by pydantic-core: for a province's tally (90 MB of JSON) the
    standard library's indenting encoder, in Python, peaked at 1.3 GB and took seconds.

    A document that is a mapping is written a member at a time, and a member that is a
    list (or any iterator, taken as one) an item at a time: a province's tally was 90 MB
    of JSON made whole in memory, beside the dictionaries it was made of (some 200 MB at
    20,000 units). An item is serialised on its own and indented to its place; a JSON
    text holds no line break but between its tokens, so the indenting is exact."""
    from pydantic_core import to_json

    sys.stdout.flush()
    binary = getattr(sys.stdout, "buffer", None)
    if binary is None:  # a text-only stream (some test harnesses, IDE consoles)

        def write(piece: bytes) -> None:
            sys.stdout.write(piece.decode())

    else:
        write = binary.write
    if isinstance(data, dict) and data:
        before = b"{\n  "
        for key, value in data.items():
            write(before + to_json(key) + b": ")
            _write_member(write, value)
            before = b",\n  "
        write(b"\n}\n")
    else:
        write(to_json(data, indent=2) + b"\n")
    if binary is not None:
        binary.flush()


def _write_member(write: Callable[[bytes], object], value: object) -> None:
    """A member of the document's top mapping, indented two spaces."""
    from pydantic_core import to_json

    if not isinstance(value, (list, Iterator)):
        write(to_json(value, indent=2).replace(b"\n", b"\n  "))
        return
    before = b"[\n    "
    for item in value:
        write(before + to_json(item, indent=2).replace(b"\n", b"\n    "))
        before = b",\n    "
    write(b"[]" if before == b"[\n    " else b"\n  ]")


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
