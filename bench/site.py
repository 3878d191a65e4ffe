"""Time ``duchu site`` against a warm ``status`` on a generated tree in git, and measure the
pages it writes.

    python bench/site.py 2000              # uses /tmp/duchu-office-2000 (bench/office.py's)
    python bench/site.py 20000 --runs 3
    python bench/site.py 2000 --commits 20 # a history of 20 weekly commits (the trend's work)

The tree is bench/office.py's: bench/make_tree.py's N units committed in two steps, so the
site's provenance names a commit and its overview dates each group's files. Each round
times, side by side and each as a whole process with its output piped away: a warm
``status`` (the cache filled by an untimed run), a warm ``site`` into a new folder, and a
warm ``site`` replacing its own earlier output (the nightly job's case). Then the sizes:
the overview, the appraisals page, the largest group and unit pages, the median unit page,
every page together. The target (issue 17): the 2,000-unit site within 3x a warm status.

With ``--commits N`` the tree is committed in N weekly steps instead (``make_history``:
the roster first, then the meetings in date order, a share a week), so that the
overview's trend (../shared/spec/CLI.md 1.2) has that many trees to read from git.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
from pathlib import Path

# Every warm figure here is a command that judges: an answer kept (duchu.answers) is given
# again in about a stat walk's time, which bench/run.py measures on its own.
os.environ["DUCHU_NO_ANSWERS"] = "1"

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from make_tree import make  # noqa: E402 -- bench/ is not a package
from office import AS_OF, git, make_repository, timed  # noqa: E402


def make_history(units: int, root: Path, commits: int) -> None:
    """The generated tree committed in ``commits`` weekly steps from 2014-02-12: the
    campaign, groups and units first, then the meeting files, oldest first, in equal shares
    (a week's reports), the last step on 2014-06-10."""
    from datetime import date, timedelta

    if (root / ".git").is_dir():
        return
    shutil.rmtree(root, ignore_errors=True)
    make(units, root)
    (root / ".gitignore").write_text(".duchu-cache/\n")
    git(root, "init", "--quiet")
    meetings = sorted(p for p in (root / "meetings").rglob("*") if p.is_file())
    aside = root.parent / f"{root.name}-aside"
    shutil.rmtree(aside, ignore_errors=True)
    for path in meetings:
        target = aside / path.relative_to(root)
        target.parent.mkdir(parents=True, exist_ok=True)
        path.rename(target)
    steps = max(commits - 1, 1)
    for step in range(commits):
        day = date(2014, 2, 12) + timedelta(days=7 * step)
        if step:
            share = meetings[(step - 1) * len(meetings) // steps : step * len(meetings) // steps]
            for path in share:
                path.parent.mkdir(parents=True, exist_ok=True)
                (aside / path.relative_to(root)).rename(path)
        git(root, "add", "--all")
        git(
            root,
            "commit",
            "--quiet",
            "--allow-empty",
            "-m",
            f"step {step}",
            when=f"{day}T10:00:00+08:00",
        )
    shutil.rmtree(aside)


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
    parser.add_argument("--out", type=Path, help="the site's folder (default: in /tmp)")
    parser.add_argument("--commits", type=int, help="a history of this many weekly commits")
    options = parser.parse_args()
    if options.commits:
        root = options.root or Path(f"/tmp/duchu-history-{options.units}-{options.commits}")
        make_history(options.units, root, options.commits)
    else:
        root = options.root or Path(f"/tmp/duchu-office-{options.units}")
        make_repository(options.units, root)
    out = options.out or Path(f"/tmp/duchu-site-bench-{options.units}")
    duchu = [sys.executable, "-m", "duchu", "--records", str(root)]
    env = {**os.environ, "XDG_CACHE_HOME": f"{out}-cache"}
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
