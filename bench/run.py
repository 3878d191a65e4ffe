"""Time duchu against the floors any tool pays: starting Python, a stat walk of the tree, a
bare libyaml parse of its files -- and print every target of issue 28 met or missed.

    python bench/run.py 2000                       # makes /tmp/duchu-bench-2000 if missing
    python bench/run.py 20000 --runs 3
    python bench/run.py 2000 --code before=/tmp/duchu-old --code after=.   # side by side

Each round times, side by side: the floors (a fresh Python that walks the tree and runs
``yaml.load(f, Loader=yaml.CSafeLoader)`` on every YAML file, one core; a fresh Python that
walks it and stats every file, as a warm duchu must at least do), then each duchu command
cold (``--no-cache``), warm (the caches filled by an untimed run before the first round: the
same question asked again is answered from the answer kept, ``duchu.answers``) and judged
(warm, but with ``DUCHU_NO_ANSWERS=1``: the records come from the cache and the snapshot and
are judged and printed anew -- what a new question of an unchanged tree costs).
Then the start-up: ``python -I -c pass``, ``duchu --version`` and ``--help``, and ``status``
and ``check`` of the sample tree (``records/``, warm). Every figure is a whole process,
start to exit, the ``duchu`` script as a user runs it, output to a pipe that is read and
thrown away; the tables give medians and each as a multiple of its floor's median, with
the peak resident memory of the largest process (duchu's own, or one of its workers).

``--code LABEL=PATH`` (repeatable) times the duchu package found at PATH (put first on
``PYTHONPATH``), each with a cache folder of its own, in the same rounds: before and after
a change, measured side by side on the same machine at the same moment. Files are in the
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
# The least a warm run can do: learn that no file changed, by one stat of each.
STAT_WALK = """
import os, sys
def walk(folder):
    with os.scandir(folder) as entries:
        for entry in entries:
            if entry.name.startswith("."):
                continue
            if entry.is_dir(follow_symlinks=False):
                walk(entry.path)
            else:
                entry.stat()
walk(sys.argv[1])
"""
AS_OF = "2014-06-15"
# What each command is asked, as an activity office would ask it of a province's tree.
COMMANDS = {
    "check": ["check"],
    "status": ["status", "--as-of", AS_OF],
    "status --by group": ["status", "--by", "group", "--format", "json", "--as-of", AS_OF],
    "tally": ["tally", "--format", "json"],
    "report": ["report", "--phase", "study", "--group", "g0001", "--as-of", "2014-04-30"],
}
SAMPLE = HERE.parent / "records"
START = {  # the start-up figures, each against `python -I -c pass`
    "--version": ["--version"],
    "--help": ["--help"],
    "status (sample)": ["status", "--records", str(SAMPLE), "--as-of", "2014-04-20"],
    "check (sample)": ["check", "--records", str(SAMPLE)],
}
# issue 28's targets: (figure, mode) -> (floor, largest multiple of it)
TREE_TARGETS = {
    **{(name, "warm"): ("stat walk", 2.0) for name in ("check", "status", "status --by group")},
    **{(name, "cold"): ("bare parse", 0.5) for name in ("check", "status", "status --by group")},
}
START_TARGETS = {"--version": 3.0, "--help": 3.0, "status (sample)": 9.0, "check (sample)": 9.0}
SAMPLE_MS = 100  # status and check of the sample, wall
PEAK_MB = 500  # every command at 20,000 units


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

Sample = tuple[float, int]  # wall seconds, peak RSS KiB


def timed(argv: list[str], env: dict[str, str] | None = None) -> Sample:
    """Wall seconds and peak RSS (KiB) of one command: the largest of its own process and
    its workers, measured from a small launcher (see ``LAUNCHER``)."""
    reader, writer = os.pipe()
    started = time.perf_counter()
    process = subprocess.Popen(
        [sys.executable, "-S", "-c", LAUNCHER, str(writer), *argv],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        pass_fds=(writer,),
        env=env,
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


def median_time(samples: list[Sample]) -> float:
    return statistics.median(seconds for seconds, _ in samples)


def peak_mb(samples: list[Sample]) -> float:
    return max(kib for _, kib in samples) / 1024


def verdict(ratio: float, limit: float) -> str:
    return f"{ratio:.2f}× {'met' if ratio <= limit else 'MISSED'}"


def code_env(label: str, path: str | None, units: int) -> dict[str, str]:
    """The environment of one code under test: its package first on the path, its own
    cache folder (two versions of duchu would otherwise replace each other's cache)."""
    env = {k: v for k, v in os.environ.items() if k not in ("DUCHU_NO_CACHE", "DUCHU_LANG")}
    if path is not None:
        env["PYTHONPATH"] = str(Path(path).resolve())
        env["XDG_CACHE_HOME"] = f"/tmp/duchu-bench-cache-{label}-{units}"
    return env


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("units", type=int)
    parser.add_argument("--tree", type=Path, help="default: /tmp/duchu-bench-UNITS")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--start-runs", type=int, default=20, help="rounds of the start-up")
    parser.add_argument("--code", action="append", default=[], metavar="LABEL=PATH")
    parser.add_argument("--no-cold", action="store_true", help="warm runs and floors only")
    parser.add_argument(
        "--no-judged", action="store_true", help="without the judged runs (DUCHU_NO_ANSWERS=1)"
    )
    parser.add_argument(
        "--commands", help="which of them, comma-separated (default: all): " + ", ".join(COMMANDS)
    )
    args = parser.parse_args()
    tree: Path = args.tree or Path(f"/tmp/duchu-bench-{args.units}")
    if not (tree / "campaign.yaml").is_file():
        print(f"making {tree} ({args.units} units) ...", file=sys.stderr)
        make(args.units, tree)
    beside = Path(sys.executable).parent / "duchu"  # the duchu script of this environment
    duchu = str(beside) if beside.exists() else shutil.which("duchu") or "duchu"
    python = sys.executable
    codes = {
        label: code_env(label, path, args.units)
        for label, _, path in (spec.partition("=") for spec in args.code)
    } or {"duchu": code_env("duchu", None, args.units)}
    yaml_files = sum(1 for _ in tree.rglob("*.yaml"))
    csv_files = sum(1 for _ in tree.rglob("*.csv"))
    modes = [mode for mode in ("cold", "warm", "judged") if not (
        (mode == "cold" and args.no_cold) or (mode == "judged" and args.no_judged)
    )]  # fmt: skip
    chosen = args.commands.split(",") if args.commands else list(COMMANDS)
    commands = {name: COMMANDS[name] for name in chosen}

    for env in codes.values():  # fill the caches: the warm runs read them
        timed([duchu, "check", "--records", str(tree)], env)
        timed([duchu, "check", "--records", str(SAMPLE)], env)
        for command in commands.values():  # and keep each answer
            timed([duchu, *command, "--records", str(tree)], env)
        for command in START.values():
            timed([duchu, *command], env)
    floors: dict[str, list[Sample]] = {"bare parse": [], "stat walk": []}
    samples: dict[tuple[str, str, str], list[Sample]] = {}
    for round_number in range(args.runs):
        print(f"round {round_number + 1}/{args.runs} ...", file=sys.stderr)
        floors["bare parse"].append(timed([python, "-c", BARE_PARSE, str(tree)]))
        floors["stat walk"].append(timed([python, "-c", STAT_WALK, str(tree)]))
        for name, command in commands.items():
            for mode in modes:
                for label, env in codes.items():
                    argv = [duchu, *command, "--records", str(tree)]
                    argv += ["--no-cache"] if mode == "cold" else []
                    judged = {**env, "DUCHU_NO_ANSWERS": "1"} if mode == "judged" else env
                    samples.setdefault((label, name, mode), []).append(timed(argv, judged))
    start: dict[tuple[str, str], list[Sample]] = {}
    for _ in range(args.start_runs):
        start.setdefault(("python", "python -I -c pass"), []).append(
            timed([python, "-I", "-c", "pass"])
        )
        for name, command in START.items():
            for label, env in codes.items():
                start.setdefault((label, name), []).append(timed([duchu, *command], env))

    print(f"## {args.units} units: {yaml_files} YAML files, {csv_files} ballot CSVs")
    print(f"medians of {args.runs} rounds (start-up: {args.start_runs}); "
          f"python {sys.version.split()[0]}, {os.cpu_count()} cores, "
          f"load average at the end {os.getloadavg()[0]:.1f}")  # fmt: skip
    print()
    floor = {name: median_time(runs) for name, runs in floors.items()}
    print("| command | mode | code | median s | × bare parse | × stat walk | peak RSS MB |")
    print("|---|---|---|---:|---:|---:|---:|")
    for name, runs in floors.items():
        print(f"| {name} | floor | | {floor[name]:.3f} | {floor[name] / floor['bare parse']:.2f} "
              f"| {floor[name] / floor['stat walk']:.2f} | {peak_mb(runs):.0f} |")  # fmt: skip
    for (label, name, mode), runs in samples.items():
        seconds = median_time(runs)
        print(f"| duchu {name} | {mode} | {label} | {seconds:.3f} "
              f"| {seconds / floor['bare parse']:.2f} | {seconds / floor['stat walk']:.2f} "
              f"| {peak_mb(runs):.0f} |")  # fmt: skip
    python_start = median_time(start[("python", "python -I -c pass")])
    print()
    print("| start-up | code | median ms | × `python -I -c pass` | peak RSS MB |")
    print("|---|---|---:|---:|---:|")
    for (label, name), runs in start.items():
        seconds = median_time(runs)
        print(f"| {name} | {label if label != 'python' else ''} | {seconds * 1000:.1f} "
              f"| {seconds / python_start:.2f} | {peak_mb(runs):.0f} |")  # fmt: skip

    print()
    print("| target | " + " | ".join(codes) + " |")
    print("|---|" + "---|" * len(codes))
    for (name, mode), (floor_name, limit) in TREE_TARGETS.items():
        if mode not in modes or name not in commands:
            continue
        cells = [
            verdict(median_time(samples[(label, name, mode)]) / floor[floor_name], limit)
            for label in codes
        ]
        print(f"| {mode} `{name}` ≤ {limit}× {floor_name} | " + " | ".join(cells) + " |")
    for name, limit in START_TARGETS.items():
        ratios = [median_time(start[(label, name)]) / python_start for label in codes]
        cells = [verdict(ratio, limit) for ratio in ratios]
        print(f"| `{name}` ≤ {limit:g}× `python -I -c pass` | " + " | ".join(cells) + " |")
    for name in ("status (sample)", "check (sample)"):
        cells = []
        for label in codes:
            ms = median_time(start[(label, name)]) * 1000
            cells.append(f"{ms:.0f} ms {'met' if ms <= SAMPLE_MS else 'MISSED'}")
        print(f"| `{name}` ≤ {SAMPLE_MS} ms | " + " | ".join(cells) + " |")
    cells = []
    for label in codes:
        peak = max(peak_mb(runs) for key, runs in samples.items() if key[0] == label)
        cells.append(f"{peak:.0f} MB {'met' if peak <= PEAK_MB else 'MISSED'}")
    print(f"| largest process ≤ {PEAK_MB} MB (at 20,000 units) | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
