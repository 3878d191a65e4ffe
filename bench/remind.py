"""Time ``duchu remind`` against a warm ``duchu status`` on a generated tree (CLI.md 1.2: the
notices due are judged from what status judges, so remind should cost about as much).

    python bench/remind.py 2000            # makes /tmp/duchu-bench-2000 if it is not there
    python bench/remind.py 2000 --runs 5

Both commands run warm (the cache filled by an untimed ``status`` first), each a whole
process, output to a pipe; the table gives the median of the runs and remind's as a multiple
of status's.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

# Every warm figure here is a command that judges: an answer kept (duchu.answers) is given
# again in about a stat walk's time, which bench/run.py measures on its own.
os.environ["DUCHU_NO_ANSWERS"] = "1"

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from make_tree import make  # noqa: E402 -- bench/ is not a package

AS_OF = "2014-06-15"
COMMANDS = {
    "status": ["status", "--as-of", AS_OF],
    "remind": ["remind", "--as-of", AS_OF],
    "remind json": ["remind", "--as-of", AS_OF, "--format", "json"],
}
TARGET = 1.5  # remind may take at most this multiple of a warm status


def run(root: Path, args: list[str]) -> float:
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "duchu", *args, "--records", str(root)],
        capture_output=True,
        check=False,
    )
    elapsed = time.perf_counter() - started
    if done.returncode not in (0, 1):
        raise SystemExit(done.stderr.decode("utf-8", "replace"))
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("units", type=int)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--root", type=Path, default=None)
    options = parser.parse_args()
    root = options.root or Path(f"/tmp/duchu-bench-{options.units}")
    if not (root / "campaign.yaml").is_file() or not (root / "notices").is_dir():
        make(options.units, root)
    run(root, COMMANDS["status"])  # fill the cache: every figure below is warm
    times: dict[str, list[float]] = {name: [] for name in COMMANDS}
    for _ in range(options.runs):
        for name, args in COMMANDS.items():  # side by side, round by round
            times[name].append(run(root, args))
    status = statistics.median(times["status"])
    print(f"{options.units} units, median of {options.runs} warm runs:")
    for name, values in times.items():
        median = statistics.median(values)
        print(f"  {name:12s} {median:7.2f} s   {median / status:5.2f}x status")
    worst = max(statistics.median(times[n]) for n in COMMANDS if n != "status") / status
    print(f"remind / status: {worst:.2f}x (target <= {TARGET}x)")


if __name__ == "__main__":
    main()
