"""Time the activity office's view against plain ``status`` on a generated tree in git.

    python bench/office.py 2000             # makes /tmp/duchu-office-2000 if it is not there
    python bench/office.py 20000 --runs 3

The generated tree (bench/make_tree.py) is committed into a git repository in two commits
-- the groups, units and the first half of the meetings "on" 2014-03-01, the rest on
2014-06-10 -- so that ``--known`` as of 2014-06-15 reads the second commit's objects and
``status --by group`` has a history to date its groups' files from. Each round times, side
by side, every figure a whole process with its output read from a pipe:

- ``status`` and ``status --by group``, both cold (``--no-cache``) and warm;
- ``status --known`` cold (its cache folder emptied first) and warm (the second run).

The targets (issue 13): ``--by group`` within 1.1x ``status``; warm ``--known`` within
1.5x warm ``status``; cold ``--known`` within 2x cold ``status``.
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

# Every warm figure here is a command that judges: an answer kept (duchu.answers) is given
# again in about a stat walk's time, which bench/run.py measures on its own.
os.environ["DUCHU_NO_ANSWERS"] = "1"

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from make_tree import make  # noqa: E402 -- bench/ is not a package

AS_OF = "2014-06-15"


def git(top: Path, *args: str, when: str = "2014-03-01T10:00:00+08:00") -> None:
    env = {
        **os.environ,
        "GIT_AUTHOR_NAME": "bench",
        "GIT_AUTHOR_EMAIL": "bench@example.cn",
        "GIT_COMMITTER_NAME": "bench",
        "GIT_COMMITTER_EMAIL": "bench@example.cn",
        "GIT_AUTHOR_DATE": when,
        "GIT_COMMITTER_DATE": when,
        "GIT_CONFIG_GLOBAL": os.devnull,
        "GIT_CONFIG_NOSYSTEM": "1",
    }
    subprocess.run(["git", *args], cwd=top, env=env, check=True, capture_output=True)


def make_repository(units: int, root: Path) -> None:
    """The generated tree, committed in two steps (see the module's docstring)."""
    if (root / ".git").is_dir():
        return
    shutil.rmtree(root, ignore_errors=True)
    make(units, root)
    (root / ".gitignore").write_text(".duchu-cache/\n")
    git(root, "init", "--quiet")
    meetings = sorted(p for p in (root / "meetings").rglob("*") if p.is_file())
    later = meetings[len(meetings) // 2 :]
    kept = root.parent / f"{root.name}-later"
    shutil.rmtree(kept, ignore_errors=True)
    for path in later:
        target = kept / path.relative_to(root)
        target.parent.mkdir(parents=True, exist_ok=True)
        path.rename(target)
    git(root, "add", "--all")
    git(root, "commit", "--quiet", "-m", "first half")
    for path in later:
        path.parent.mkdir(parents=True, exist_ok=True)
        (kept / path.relative_to(root)).rename(path)
    shutil.rmtree(kept)
    git(root, "add", "--all")
    git(root, "commit", "--quiet", "-m", "second half", when="2014-06-10T10:00:00+08:00")


def timed(argv: list[str], env: dict[str, str]) -> float:
    started = time.perf_counter()
    done = subprocess.run(argv, capture_output=True, env=env, check=False)
    elapsed = time.perf_counter() - started
    if done.returncode not in (0, 1):
        raise SystemExit(f"{' '.join(argv)} exited {done.returncode}: {done.stderr[-500:]!r}")
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("units", type=int)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--root", type=Path)
    options = parser.parse_args()
    root = options.root or Path(f"/tmp/duchu-office-{options.units}")
    make_repository(options.units, root)
    duchu = [sys.executable, "-m", "duchu", "--records", str(root)]
    cache_home = Path(f"/tmp/duchu-office-cache-{options.units}")
    env = {**os.environ, "XDG_CACHE_HOME": str(cache_home)}
    env.pop("DUCHU_NO_CACHE", None)
    status = [*duchu, "status", "--as-of", AS_OF]
    cases = {
        ("status", "cold"): [*duchu, "--no-cache", "status", "--as-of", AS_OF],
        ("status --by group", "cold"): [
            *duchu,
            "--no-cache",
            "status",
            "--by",
            "group",
            "--as-of",
            AS_OF,
        ],
        ("status", "warm"): status,
        ("status --by group", "warm"): [*status, "--by", "group"],
        ("status --known", "cold"): [*status, "--known"],
        ("status --known", "warm"): [*status, "--known"],
    }
    timed(status, env)  # fills the working tree's cache for the warm rounds
    samples: dict[tuple[str, str], list[float]] = {case: [] for case in cases}
    for _ in range(options.runs):
        for case, argv in cases.items():
            if case == ("status --known", "cold"):
                for folder in cache_home.glob("duchu/*/known"):
                    shutil.rmtree(folder)
            samples[case].append(timed(argv, env))
    median = {case: statistics.median(values) for case, values in samples.items()}
    files = sum(1 for _ in root.rglob("*.yaml"))
    print(f"## {options.units} units in git: {files} YAML files (median of {options.runs} rounds)")
    print("| command | mode | median s |")
    print("|---|---|---:|")
    for (command, mode), seconds in median.items():
        print(f"| {command} | {mode} | {seconds:.2f} |")
    ratios = [
        ("status --by group / status, cold", "status --by group", "status", "cold", 1.1),
        ("status --by group / status, warm", "status --by group", "status", "warm", 1.1),
        ("status --known / status, warm", "status --known", "status", "warm", 1.5),
        ("status --known / status, cold", "status --known", "status", "cold", 2.0),
    ]
    print("\n| ratio | value | target |")
    print("|---|---:|---|")
    for label, top, bottom, mode, target in ratios:
        value = median[(top, mode)] / median[(bottom, mode)]
        verdict = "met" if value <= target else "MISSED"
        print(f"| {label} | {value:.2f} | <= {target} {verdict} |")


if __name__ == "__main__":
    main()
