"""Time duchu on a generated province-size tree against a bare libyaml parse of its files.

    python bench/run.py 2000            # makes /tmp/duchu-bench-2000 if it is not there
    python bench/run.py 20000 --runs 3

Each round times, side by side: the bare parse (a fresh Python that walks the tree and runs
``yaml.load(f, Loader=yaml.CSafeLoader)`` on every YAML file, one core), then each duchu
command cold (``--no-cache``) and warm (the cache filled by an untimed run before the first
round). Every figure is a whole process, start to exit, output to a pipe that is read and
thrown away; the table gives medians over the rounds and each as a multiple of the bare
parse's median, plus the peak resident memory of the largest process (duchu's own, or one
of its workers). Then ``duchu --version`` against ``python -I -c pass``. Files are in the
operating system's page cache throughout: "cold" is duchu's cache, not the disk's.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from make_tree import make  # noqa: E402 -- bench/ is not a package

BARE_PARSE = """
import os, sys, yaml
for folder, dirs, files in os.walk(sys.argv[1]):
    dirs[:] = [d for d in dirs if not d.startswith(".")]
    for name in files:
        if name.endswith(".yaml"):
            with open(os.path.join(folder, name), "rb") as f:
                yaml.load(f, Loader=yaml.CSafeLoader)
"""
AS_OF = "2014-06-15"
# What each command is asked, as an activity office would ask it of a province's tree.
COMMANDS = {
    "check": ["check"],
    "status": ["status", "--as-of", AS_OF],
    "tally": ["tally", "--format", "json"],
    "report": ["report", "--phase", "study", "--group", "g0001", "--as-of", "2014-04-30"],
}
TARGETS = {  # (command, mode) -> the largest multiple of the bare parse allowed
    ("status", "cold"): 1.5,
    ("status", "warm"): 0.3,
}


# The peak memory of a process is read through a small launcher: on Linux a forked child
# carries its parent's peak (``ru_maxrss``) through exec, so timing a command straight from
# this harness -- which has walked a province's tree -- reported the harness's size (a bare
# `python -c pass` "peaked" at 106 MB). The launcher is a fresh, small process; the command
# it forks starts from the launcher's peak, and wait4 there reports the command's own
# (largest of the command and its workers, as RUSAGE_CHILDREN does for its whole tree).
LAUNCHER = """
import os, sys
report, argv = int(sys.argv[1]), sys.argv[2:]
pid = os.fork()
if pid == 0:
    os.close(report)
    os.execvp(argv[0], argv)
_, status, usage = os.wait4(pid, 0)
os.write(report, str(usage.ru_maxrss).encode())
sys.exit(os.waitstatus_to_exitcode(status))
"""


def timed(argv: list[str]) -> tuple[float, int]:
    """Wall seconds and peak RSS (KiB) of one command: the largest of its own process and
    its workers, measured from a small launcher (see ``LAUNCHER``)."""
    reader, writer = os.pipe()
    started = time.perf_counter()
    process = subprocess.Popen(
        [sys.executable, "-S", "-c", LAUNCHER, str(writer), *argv],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        pass_fds=(writer,),
    )
    os.close(writer)
    assert process.stdout is not None and process.stderr is not None
    process.stdout.read()
    error = process.stderr.read()
    process.wait()
    elapsed = time.perf_counter() - started
    with os.fdopen(reader, "rb") as peak:
        kib = int(peak.read() or b"0")
    if process.returncode not in (0, 1):
        raise SystemExit(f"{' '.join(argv)} exited {process.returncode}: {error.decode()[-500:]}")
    return elapsed, kib


def median_time(samples: list[tuple[float, int]]) -> float:
    return statistics.median(seconds for seconds, _ in samples)


def peak_mb(samples: list[tuple[float, int]]) -> float:
    return max(kib for _, kib in samples) / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("units", type=int)
    parser.add_argument("--tree", type=Path, help="default: /tmp/duchu-bench-UNITS")
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    tree: Path = args.tree or Path(f"/tmp/duchu-bench-{args.units}")
    if not (tree / "campaign.yaml").is_file():
        print(f"making {tree} ({args.units} units) ...", file=sys.stderr)
        make(args.units, tree)
    beside = Path(sys.executable).parent / "duchu"  # the duchu of this Python's environment
    duchu = str(beside) if beside.exists() else shutil.which("duchu") or "duchu"
    python = sys.executable
    yaml_files = sum(1 for _ in tree.rglob("*.yaml"))
    csv_files = sum(1 for _ in tree.rglob("*.csv"))

    timed([duchu, "check", "--records", str(tree)])  # fill the cache: the warm runs read it
    samples: dict[tuple[str, str], list[tuple[float, int]]] = {}
    for round_number in range(args.runs):
        print(f"round {round_number + 1}/{args.runs} ...", file=sys.stderr)
        samples.setdefault(("bare", "parse"), []).append(
            timed([python, "-c", BARE_PARSE, str(tree)])
        )
        for name, command in COMMANDS.items():
            base = [duchu, *command, "--records", str(tree)]
            samples.setdefault((name, "cold"), []).append(timed([*base, "--no-cache"]))
            samples.setdefault((name, "warm"), []).append(timed(base))
    start: dict[str, list[tuple[float, int]]] = {"python": [], "version": []}
    for _ in range(20):
        start["python"].append(timed([python, "-I", "-c", "pass"]))
        start["version"].append(timed([duchu, "--version"]))

    bare = median_time(samples[("bare", "parse")])
    print(f"## {args.units} units: {yaml_files} YAML files, {csv_files} ballot CSVs")
    print(f"median of {args.runs} rounds; python {sys.version.split()[0]}, {os.cpu_count()} cores")
    print()
    print("| command | mode | median s | × bare parse | peak RSS MB | target |")
    print("|---|---|---:|---:|---:|---|")
    print(f"| bare libyaml parse | 1 core | {bare:.2f} | 1.00 | "
          f"{peak_mb(samples[('bare', 'parse')]):.0f} | |")  # fmt: skip
    for (name, mode), runs in samples.items():
        if name == "bare":
            continue
        ratio = median_time(runs) / bare
        target = TARGETS.get((name, mode))
        verdict = "" if target is None else f"≤ {target} {'met' if ratio <= target else 'MISSED'}"
        print(f"| duchu {name} | {mode} | {median_time(runs):.2f} | {ratio:.2f} | "
              f"{peak_mb(runs):.0f} | {verdict} |")  # fmt: skip
    python_start, version = median_time(start["python"]), median_time(start["version"])
    ratio = version / python_start
    print()
    print(f"`duchu --version` {version * 1000:.0f} ms vs `python -I -c pass` "
          f"{python_start * 1000:.0f} ms (median of 20): {ratio:.1f}× "
          f"(target ≤ 5: {'met' if ratio <= 5 else 'MISSED'})")  # fmt: skip
    peak = max(peak_mb(runs) for key, runs in samples.items() if key[0] != "bare")
    print(f"largest duchu process: {peak:.0f} MB (target at 20,000 units ≤ 1024 MB)")


if __name__ == "__main__":
    main()
