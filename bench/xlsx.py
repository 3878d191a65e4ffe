"""Time the spreadsheets of issue 18 against their plain-text twins.

    python bench/xlsx.py ballots 1000000          # a ballot workbook against its CSV
    python bench/xlsx.py status 20000 --runs 3    # status --format xlsx against JSON

``ballots N``: bench/make_ballots.py writes a tree whose one meeting has N ballots as CSV;
a copy of the tree holds the same ballots as a workbook, made the way a clerk's would be --
by LibreOffice Calc from the CSV when it is installed (shared strings, as Excel and WPS
save), else by XlsxWriter (``--maker xlsxwriter``: inline strings, a bigger sheet to read).
Each round times ``duchu tally --format json --no-cache`` on both, side by side. Targets:
the workbook within 5x the CSV, its peak memory under 200 MB.

``status N``: bench/make_tree.py writes an N-unit tree (or ``--tree DIR``, one it wrote
before, e.g. bench/office.py's); each round times ``duchu status
--all --as-of 2014-06-15`` with ``--format json`` and with ``-o FILE.xlsx`` (every unit a
row in both), warm (the cache filled by an untimed run first). Target: the workbook within
2x the JSON.

Every figure is a whole process, its output read from a pipe, with the peak RSS of the
largest process (bench/run.py's launcher).
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

# Every warm figure here is a command that judges: an answer kept (duchu.answers) is given
# again in about a stat walk's time, which bench/run.py measures on its own.
os.environ["DUCHU_NO_ANSWERS"] = "1"

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from make_ballots import make as make_ballots  # noqa: E402 -- bench/ is not a package
from make_tree import make as make_tree  # noqa: E402
from run import timed  # noqa: E402

DUCHU = [sys.executable, "-m", "duchu"]


def _workbook_by_libreoffice(source: Path, target: Path) -> bool:
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        return False
    with tempfile.TemporaryDirectory() as folder:
        command = [
            soffice,
            f"-env:UserInstallation=file://{folder}/profile",
            "--headless",
            "--infilter=CSV:44,34,76,1",  # comma, double quote, UTF-8, from line 1
            "--convert-to",
            "xlsx",
            "--outdir",
            folder,
            str(source),
        ]
        subprocess.run(command, capture_output=True, timeout=3600, check=False)
        made = Path(folder) / (source.stem + ".xlsx")
        if not made.is_file():
            return False
        shutil.move(made, target)
    return True


def _workbook_by_xlsxwriter(source: Path, target: Path) -> None:
    import csv

    import xlsxwriter

    book = xlsxwriter.Workbook(str(target), {"constant_memory": True})
    sheet = book.add_worksheet()
    with open(source, encoding="utf-8-sig", newline="") as handle:
        for number, row in enumerate(csv.reader(handle)):
            for column, cell in enumerate(row):
                if number and cell.isdigit():
                    sheet.write_number(number, column, int(cell))
                elif cell:
                    sheet.write_string(number, column, cell)
    book.close()


def make_ballot_trees(rows: int, maker: str) -> tuple[Path, Path, str]:
    """The CSV tree and its workbook twin (made once, kept in /tmp)."""
    csv_root = Path(f"/tmp/duchu-ballots-{rows}")
    xlsx_root = Path(f"/tmp/duchu-ballots-{rows}-xlsx-{maker}")
    if not (csv_root / "meetings" / "summary.csv").is_file():
        make_ballots(rows, csv_root)
    sheet = xlsx_root / "meetings" / "summary.xlsx"
    if not sheet.is_file():
        shutil.rmtree(xlsx_root, ignore_errors=True)
        shutil.copytree(csv_root, xlsx_root, ignore=shutil.ignore_patterns("*.csv", ".duchu*"))
        meeting = xlsx_root / "meetings" / "summary.yaml"
        meeting.write_text(
            meeting.read_text(encoding="utf-8").replace("summary.csv", "summary.xlsx"),
            encoding="utf-8",
        )
        source = csv_root / "meetings" / "summary.csv"
        if maker == "libreoffice":
            if not _workbook_by_libreoffice(source, sheet):
                raise SystemExit("LibreOffice Calc could not convert: use --maker xlsxwriter")
        else:
            _workbook_by_xlsxwriter(source, sheet)
    return csv_root, xlsx_root, maker


def ballots(rows: int, runs: int, maker: str) -> None:
    csv_root, xlsx_root, maker = make_ballot_trees(rows, maker)
    command = [*DUCHU, "tally", "--format", "json", "--no-cache", "--records"]
    results: dict[str, list[tuple[float, int]]] = {"csv": [], "xlsx": []}
    for _ in range(runs):
        results["csv"].append(timed([*command, str(csv_root)]))
        results["xlsx"].append(timed([*command, str(xlsx_root)]))
    sheet = xlsx_root / "meetings" / "summary.xlsx"
    print(f"## {rows:,} ballots; workbook by {maker}, {sheet.stat().st_size / 2**20:.1f} MB")
    print(f"median of {runs} rounds; python {sys.version.split()[0]}\n")
    _table(results, "csv", target=5.0, memory_target=200)


def status(units: int, runs: int, tree: Path | None) -> None:
    root = tree or Path(f"/tmp/duchu-bench-{units}")
    if not (root / "campaign.yaml").is_file():
        make_tree(units, root)
    out = Path(tempfile.mkdtemp()) / "status.xlsx"
    base = [*DUCHU, "status", "--all", "--as-of", "2014-06-15", "--records", str(root)]
    json_command = [*base, "--format", "json"]
    xlsx_command = [*base, "-o", str(out), "--force"]
    timed(json_command)  # fill the cache
    results: dict[str, list[tuple[float, int]]] = {"json": [], "xlsx": []}
    for _ in range(runs):
        results["json"].append(timed(json_command))
        results["xlsx"].append(timed(xlsx_command))
    print(f"## status of {units:,} units, warm; workbook {out.stat().st_size / 2**20:.1f} MB")
    print(f"median of {runs} rounds; python {sys.version.split()[0]}\n")
    _table(results, "json", target=2.0, memory_target=None)


def _table(
    results: dict[str, list[tuple[float, int]]],
    baseline: str,
    *,
    target: float,
    memory_target: int | None,
) -> None:
    base = statistics.median(seconds for seconds, _ in results[baseline])
    print("| input | median s | × " + baseline + " | peak RSS MB |")
    print("|---|---:|---:|---:|")
    for name, samples in results.items():
        seconds = statistics.median(s for s, _ in samples)
        peak = max(kib for _, kib in samples) / 1024
        print(f"| {name} | {seconds:.2f} | {seconds / base:.2f} | {peak:.0f} |")
    ratio = statistics.median(s for s, _ in results["xlsx"]) / base
    verdict = "met" if ratio <= target else "NOT met"
    print(f"\nxlsx within {target:g}x {baseline}: {ratio:.2f}x, {verdict}")
    if memory_target is not None:
        peak = max(kib for _, kib in results["xlsx"]) / 1024
        verdict = "met" if peak < memory_target else "NOT met"
        print(f"xlsx peak memory under {memory_target} MB: {peak:.0f} MB, {verdict}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("what", choices=["ballots", "status"])
    parser.add_argument("size", type=int)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--maker", choices=["libreoffice", "xlsxwriter"], default=None)
    parser.add_argument("--tree", type=Path, default=None, help="status: an existing tree")
    args = parser.parse_args()
    if args.what == "ballots":
        maker = args.maker or ("libreoffice" if shutil.which("soffice") else "xlsxwriter")
        ballots(args.size, args.runs, maker)
    else:
        status(args.size, args.runs, args.tree)


if __name__ == "__main__":
    main()
