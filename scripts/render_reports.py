#!/usr/bin/env python3
"""Render every phase's reports of a records tree to DOCX, PDF and PNG, to be looked at.

For each phase of the campaign: the group's summary (``duchu report --phase P --group G``)
and, when the tree has several groups, the office's circular (``duchu report --phase P``);
each DOCX is converted by LibreOffice (``soffice --headless --convert-to pdf``) and each PDF
page by poppler (``pdftoppm -r 60 -png``). Prints the page count of every document.

    scripts/render_reports.py                       # the sample in records/, group g2
    scripts/render_reports.py --as-of 2014-04-20 --out /tmp/render
    scripts/render_reports.py --records ~/督导记录 --group g1

Run by hand, or in CI where LibreOffice is installed; needs ``soffice``, ``pdfinfo`` and
``pdftoppm`` on the PATH and duchu importable by this Python.
"""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import yaml

PROJECT = Path(__file__).resolve().parent.parent


def duchu(*args: str) -> None:
    """Run duchu with this Python; its notes (warnings) go to stderr as they come."""
    subprocess.run([sys.executable, "-m", "duchu", *args], check=True)


def to_pdf(documents: list[Path], folder: Path) -> None:
    """Convert with LibreOffice, in a profile of its own: a LibreOffice already running
    for the user would take the job over (or refuse it)."""
    with tempfile.TemporaryDirectory(prefix="duchu-soffice-") as profile:
        subprocess.run(
            [
                "soffice",
                f"-env:UserInstallation={Path(profile).as_uri()}",
                "--headless",
                "--convert-to",
                "pdf",
                "--outdir",
                str(folder),
                *map(str, documents),
            ],
            check=True,
            stdout=subprocess.DEVNULL,
        )


def pages(pdf: Path) -> int:
    info = subprocess.run(["pdfinfo", str(pdf)], check=True, capture_output=True, text=True)
    found = re.search(r"^Pages:\s+(\d+)", info.stdout, re.MULTILINE)
    if found is None:
        raise SystemExit(f"pdfinfo gave no page count for {pdf}")
    return int(found[1])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=Path, default=PROJECT / "records")
    parser.add_argument("--group", default="g2")
    parser.add_argument("--as-of", help="passed on to duchu report")
    parser.add_argument("--out", type=Path, default=PROJECT / "out" / "render")
    parser.add_argument("--resolution", type=int, default=60, help="PNG pixels per inch")
    options = parser.parse_args()
    missing = [tool for tool in ("soffice", "pdfinfo", "pdftoppm") if shutil.which(tool) is None]
    if missing:
        print(f"not installed: {', '.join(missing)}", file=sys.stderr)
        return 2

    campaign = yaml.safe_load((options.records / "campaign.yaml").read_text(encoding="utf-8"))
    phases = [str(phase["id"]) for phase in campaign["phases"]]
    several_groups = len(list((options.records / "groups").glob("*.yaml"))) > 1
    out: Path = options.out
    out.mkdir(parents=True, exist_ok=True)
    common = ["--records", str(options.records), "--force"]
    if options.as_of:
        common += ["--as-of", options.as_of]

    documents: list[Path] = []
    for phase in phases:
        target = out / f"{phase}.docx"
        duchu("report", *common, "--phase", phase, "--group", options.group, "-o", str(target))
        documents.append(target)
        if several_groups:
            target = out / f"{phase}-circular.docx"
            duchu("report", *common, "--phase", phase, "-o", str(target))
            documents.append(target)

    to_pdf(documents, out)
    print(f"{'document':<28} pages")
    for document in documents:
        pdf = document.with_suffix(".pdf")
        for old in out.glob(f"{document.stem}-*.png"):
            old.unlink()
        subprocess.run(
            ["pdftoppm", "-r", str(options.resolution), "-png", str(pdf), str(out / document.stem)],
            check=True,
        )
        print(f"{document.name:<28} {pages(pdf)}")
    print(f"PDF and PNG pages in {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
