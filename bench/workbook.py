"""Time the entry workbook of issue 24 against a warm ``duchu check`` of the same tree.

    python bench/workbook.py 2000 --runs 3

bench/make_tree.py writes an N-unit tree (or ``--tree DIR``, one it wrote before); its
largest group is the one whose workbook is timed. Each round times, side by side, as whole
processes: ``duchu check`` (warm: the cache filled by an untimed run first), ``duchu export
--group G -o FILE.xlsx``, ``duchu import FILE.xlsx`` of the workbook as exported (every row
read, compared, and found untouched), and ``duchu import --dry-run`` of the workbook with
a clerk's edits (a date in each unit's row of 规定动作 and ten new meetings). Target: export
and import each within 2x the warm check.
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import sys
import tempfile
from collections import Counter
from pathlib import Path

# Every warm figure here is a command that judges: an answer kept (duchu.answers) is given
# again in about a stat walk's time, which bench/run.py measures on its own.
os.environ["DUCHU_NO_ANSWERS"] = "1"

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from make_tree import make as make_tree  # noqa: E402 -- bench/ is not a package
from run import timed  # noqa: E402

DUCHU = [sys.executable, "-m", "duchu"]


def largest_group(root: Path) -> tuple[str, int]:
    groups: Counter[str] = Counter()
    for unit in (root / "units").glob("*.yaml"):
        found = re.search(r"(?m)^group:\s*(\S+)", unit.read_text(encoding="utf-8"))
        if found:
            groups[found.group(1)] += 1
    return groups.most_common(1)[0]


def edited_copy(book: Path, target: Path) -> None:
    """The workbook as a clerk returns it: dates filled in, new meetings added."""
    import openpyxl

    workbook = openpyxl.load_workbook(book)
    actions = workbook["规定动作"]
    for row in range(2, actions.max_row + 1, 8):
        if actions.cell(row, 1).value:
            actions.cell(row, 5, "2014-03-18")
    meetings = workbook["会议"]
    first_unit = workbook["_lists"]["A1"].value
    free = next(r for r in range(2, meetings.max_row + 2) if not meetings.cell(r, 3).value)
    for offset in range(10):
        meetings.cell(free + offset, 3, f"2014-04-{offset + 1:02d}")
        meetings.cell(free + offset, 4, first_unit)
        meetings.cell(free + offset, 5, "督导检查")
    workbook.save(target)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("units", type=int)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--tree", type=Path, default=None)
    args = parser.parse_args()
    root = args.tree or Path(f"/tmp/duchu-bench-{args.units}")
    if not (root / "campaign.yaml").is_file():
        make_tree(args.units, root)
    group, size = largest_group(root)
    folder = Path(tempfile.mkdtemp())
    book, edited = folder / "group.xlsx", folder / "edited.xlsx"
    records = ["--records", str(root)]
    check = [*DUCHU, "check", *records]
    export = [*DUCHU, "export", *records, "--group", group, "-o", str(book), "--force"]
    untouched = [*DUCHU, "import", *records, str(book)]
    changed = [*DUCHU, "import", *records, str(edited), "--dry-run"]
    timed(check)  # fill the cache
    timed(export)
    edited_copy(book, edited)
    results: dict[str, list[tuple[float, int]]] = {
        "check (warm)": [],
        "export": [],
        "import, untouched": [],
        "import --dry-run, edited": [],
    }
    for _ in range(args.runs):
        results["check (warm)"].append(timed(check))
        results["export"].append(timed(export))
        results["import, untouched"].append(timed(untouched))
        results["import --dry-run, edited"].append(timed(changed))
    print(f"## entry workbook of group {group} ({size} units) in a {args.units:,}-unit tree")
    print(f"median of {args.runs} rounds; python {sys.version.split()[0]}\n")
    base = statistics.median(s for s, _ in results["check (warm)"])
    print("| command | median s | × check | peak RSS MB |")
    print("|---|---:|---:|---:|")
    for name, samples in results.items():
        seconds = statistics.median(s for s, _ in samples)
        peak = max(kib for _, kib in samples) / 1024
        print(f"| {name} | {seconds:.2f} | {seconds / base:.2f} | {peak:.0f} |")
    worst = max(
        statistics.median(s for s, _ in v) for k, v in results.items() if k != "check (warm)"
    )
    verdict = "met" if worst / base <= 2 else "NOT met"
    print(f"\nexport and import within 2x a warm check: {worst / base:.2f}x, {verdict}")


if __name__ == "__main__":
    main()
