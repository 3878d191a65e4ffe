"""Time the office's circular and the site against a warm ``status``, side by side (issue 25).

    python bench/report.py 2000                    # makes /tmp/duchu-office-2000 if missing
    python bench/report.py 2000 --runs 5 --code before=/tmp/duchu-before --code after=.

The tree is bench/make_tree.py's, committed in two steps (bench/office.py): the circular
and the site ask git for every file's dates. In each round, for each code, every command
is one whole process (``python -m duchu``, output read from a pipe and thrown away), all
warm -- their caches filled by an untimed run first (``-P``: the folder it is run from is
not put before ``PYTHONPATH``):

- ``status --as-of 2014-06-15``;
- ``report --phase study --as-of 2014-06-15`` without ``--group``: the office's circular;
- ``site -o DIR --as-of 2014-06-15``.

It prints the medians and each as a multiple of the same code's warm ``status`` in the
same rounds; the targets: the circular within 1.5x, the site within 3x. Other processes
may share the CPU: only the ratios of one run are worth comparing. Every command runs
with ``DUCHU_NO_ANSWERS=1``: ``status`` is timed judging, not replaying a stored answer.

``--code LABEL=PATH`` (repeatable) times the duchu package found at PATH (first on
``PYTHONPATH``), each with a cache folder of its own.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from office import AS_OF, make_repository, timed  # noqa: E402 -- bench/ is not a package

PHASE = "study"
TARGETS = {"report (circular)": 1.5, "site": 3.0}


def commands(root: Path, site: Path) -> dict[str, list[str]]:
    """Each figure's arguments after ``python -m duchu --records ROOT``."""
    return {
        "status": ["status", "--as-of", AS_OF],
        "report (circular)": ["report", "--phase", PHASE, "--as-of", AS_OF],
        "site": ["site", "-o", str(site), "--as-of", AS_OF],
    }


def code_env(label: str, path: str | None, units: int) -> dict[str, str]:
    """The environment of one code under test: its package first on the path, its own
    cache folder."""
    env = {k: v for k, v in os.environ.items() if k not in ("DUCHU_NO_CACHE", "DUCHU_LANG")}
    if path is not None:
        env["PYTHONPATH"] = str(Path(path).resolve())
    env["XDG_CACHE_HOME"] = f"/tmp/duchu-report-bench-cache-{label}-{units}"
    # The comparison is against a warm status that judges, not one that replays a stored
    # answer: the cache of whole command answers (status/check) is switched off for every
    # command timed. An environment variable no code reads is harmless.
    env["DUCHU_NO_ANSWERS"] = "1"
    return env


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("units", type=int)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--root", type=Path, help="default: /tmp/duchu-office-UNITS")
    parser.add_argument("--code", action="append", default=[], metavar="LABEL=PATH")
    options = parser.parse_args()
    root: Path = options.root or Path(f"/tmp/duchu-office-{options.units}")
    make_repository(options.units, root)
    codes = {
        label: code_env(label, path, options.units)
        for label, _, path in (spec.partition("=") for spec in options.code)
    } or {"duchu": code_env("duchu", None, options.units)}
    argvs = {
        label: {
            name: [sys.executable, "-P", "-m", "duchu", "--records", str(root), *args]
            for name, args in commands(root, Path(f"/tmp/duchu-report-bench-site-{label}")).items()
        }
        for label in codes
    }
    for label, env in codes.items():  # warm every cache: the timed runs read them
        for argv in argvs[label].values():
            timed(argv, env)
    samples: dict[tuple[str, str], list[float]] = {}
    for round_number in range(options.runs):
        print(f"round {round_number + 1}/{options.runs} ...", file=sys.stderr)
        for name in commands(root, root):
            for label, env in codes.items():
                samples.setdefault((label, name), []).append(timed(argvs[label][name], env))
    load = os.getloadavg()
    print(f"{options.units} units, {options.runs} rounds, load average {load[0]:.1f}")
    print("| command | " + " | ".join(codes) + " |")
    print("|---|" + "---|" * len(codes))
    for name in commands(root, root):
        cells = []
        for label in codes:
            median = statistics.median(samples[(label, name)])
            status = statistics.median(samples[(label, "status")])
            ratio = median / status
            verdict = ""
            if name in TARGETS:
                verdict = f", {ratio:.2f}× {'met' if ratio <= TARGETS[name] else 'MISSED'}"
            cells.append(f"{median:.2f} s{verdict}")
        print(f"| {name} | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
