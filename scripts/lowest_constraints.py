"""Writes a pip constraints file that pins every direct dependency of duchu to the lowest
version pyproject.toml allows, so that CI tests the bottom of each range as well as the
newest releases a fresh install picks. These are the ranges a user's install resolves; the
test extras (pytest, the linters, type stubs versioned by date) are the developers' tools
and stay at their newest.

    python scripts/lowest_constraints.py > lowest.txt
    pip install -c lowest.txt -e '.[test]'

A requirement without a lower bound (``>=`` or ``==``) is an error: the range it allows has
no bottom to test.
"""

from __future__ import annotations

import re
import sys
import tomllib
from pathlib import Path

_LOWER = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)\s*(?:\[[^\]]*\])?\s*([^;]*)")


def lowest_pins(pyproject: Path) -> list[str]:
    project = tomllib.loads(pyproject.read_text(encoding="utf-8"))["project"]
    requirements = list(project.get("dependencies", []))
    pins: list[str] = []
    for requirement in requirements:
        match = _LOWER.match(requirement)
        if match is None:
            raise SystemExit(f"cannot read the requirement {requirement!r}")
        name, specifiers = match.groups()
        bounds = [s.strip() for s in specifiers.split(",") if s.strip().startswith((">=", "=="))]
        if not bounds:
            raise SystemExit(f"{requirement!r} has no lower bound to test")
        pins.append(f"{name}=={bounds[0][2:].strip()}")
    return pins


if __name__ == "__main__":
    root = Path(__file__).resolve().parent.parent
    sys.stdout.write("".join(pin + "\n" for pin in lowest_pins(root / "pyproject.toml")))
