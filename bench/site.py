"""Time ``duchu site`` against a warm ``status`` on a generated tree in git, and measure the
pages it writes.

    python bench/site.py 2000              # uses /tmp/duchu-office-2000 (bench/office.py's)
    python bench/site.py 20000 --runs 3

The tree is bench/office.py's: bench/make_tree.py's N units committed in two steps, so the
site's provenance names a commit and its overview dates each group's files. Each round
times, side by side and each as a whole process with its output piped away: a warm
``status`` (the cache filled by an untimed run), a warm ``site`` into a new folder, and a
warm ``site`` replacing its own earlier output (the nightly job's case). Then the sizes:
the overview, the appraisals page, the largest group and unit pages, the median unit page,
every page together. The target (issue 17): the 2,000-unit site within 3x a warm status.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from office import AS_OF, make_repository, timed  # noqa: E402 -- bench/ is not a package


def sizes(site: Path) -> dict[str, str]:
    """The pages' sizes, in KB (what a browser must read to show each)."""

    def kb(size: float) -> str:
        return f"{size / 1024:,.0f} KB"

    units = sorted((p.stat().st_size for p in (site / "units").iterdir()), reverse=True)
    groups = sorted((p.stat().st_size for p in (site / "groups").iterdir()), reverse=True)
    pages = list(site.rglob("*.html"))
    total = sum(p.stat().st_size for p in site.rglob("*") if p.is_file())
    listed = [p for p in site.glob("*.html") if p.name not in ("index.html", "appraisals.html")]
    return {
        "pages": f"{len(pages):,}",
        "overview (index.html)": kb((site / "index.html").stat().st_size),
        "further overview pages": f"{len(listed)}, largest "
        + (kb(max(p.stat().st_size for p in listed)) if listed else "—"),
        "appraisals.html": kb((site / "appraisals.html").stat().st_size),
        "largest group page": kb(groups[0]),
        "largest unit page": kb(units[0]),
        "median unit page": kb(statistics.median(units)),
        "manifest": kb((site / ".duchu-site.json").stat().st_size),
        "everything": f"{total / 1024 / 1024:,.1f} MB",
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("units", type=int)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--root", type=Path)
    options = parser.parse_args()
    root = options.root or Path(f"/tmp/duchu-office-{options.units}")
    make_repository(options.units, root)
    out = Path(f"/tmp/duchu-site-bench-{options.units}")
    duchu = [sys.executable, "-m", "duchu", "--records", str(root)]
    env = {**os.environ, "XDG_CACHE_HOME": f"/tmp/duchu-site-bench-cache-{options.units}"}
    env.pop("DUCHU_NO_CACHE", None)
    status = [*duchu, "status", "--as-of", AS_OF]
    site = [*duchu, "site", "--as-of", AS_OF, "-o", str(out)]
    timed(status, env)  # fills the cache for the warm rounds
    samples: dict[str, list[float]] = {"status": [], "site, new folder": [], "site, again": []}
    for _ in range(options.runs):
        samples["status"].append(timed(status, env))
        shutil.rmtree(out, ignore_errors=True)
        # Each round starts from a settled disk: the harness's own deletion of the last
        # site (and that site's 33 MB still being written back) is not charged to the next
        # command -- on this VM it added up to a second to a run.
        os.sync()
        samples["site, new folder"].append(timed(site, env))
        os.sync()
        samples["site, again"].append(timed(site, env))
    base = statistics.median(samples["status"])
    print(f"## {options.units} units, as of {AS_OF}: median of {options.runs} rounds")
    print(f"python {sys.version.split()[0]}, {os.cpu_count()} cores\n")
    print("| command | median s | × warm status | target |")
    print("|---|---:|---:|---|")
    for name, values in samples.items():
        ratio = statistics.median(values) / base
        target = ""
        if name != "status" and options.units <= 2000:
            target = "≤ 3 " + ("met" if ratio <= 3 else "NOT met")
        print(f"| duchu {name} | {statistics.median(values):.2f} | {ratio:.2f} | {target} |")
    print("\n| what | size |\n|---|---:|")
    for name, value in sizes(out).items():
        print(f"| {name} | {value} |")


if __name__ == "__main__":
    main()
