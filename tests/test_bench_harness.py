"""The benchmark harness measures what it says (issue 16, item 28): a command's peak memory
is its own, not the harness's, however large the harness has grown."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent.parent / "bench"))

from run import timed  # bench/ is not a package: found through sys.path


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="wait4's ru_maxrss is Linux's")
def test_a_small_commands_peak_is_its_own_after_the_harness_grew() -> None:
    ballast = bytearray(300 * 1024 * 1024)  # the harness after walking a province's tree
    ballast[::4096] = b"x" * len(ballast[::4096])  # touched: resident, not just reserved
    _, small = timed([sys.executable, "-S", "-c", "pass"])
    _, large = timed(
        [
            sys.executable,
            "-S",
            "-c",
            "b = bytearray(120 * 2**20); b[::4096] = b'x' * len(b[::4096])",
        ]
    )
    del ballast
    assert small < 60 * 1024, f"python -c pass peaked at {small // 1024} MB"
    assert 120 * 1024 <= large < 300 * 1024, f"a 120 MB command peaked at {large // 1024} MB"
