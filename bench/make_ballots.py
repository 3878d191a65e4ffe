"""Make a records tree whose one meeting has a ballot CSV of N rows (for timing ``tally``).

    python bench/make_ballots.py 1000000 /tmp/ballots
    /usr/bin/time -f "%e s %M KB" duchu tally --records /tmp/ballots --format json

The tree is small and valid; the ballot file is written as WPS saves "CSV UTF-8" (BOM,
CRLF), one in 50 forms void and one in 40 cells left unrated. Rows are pseudo-random with
a fixed seed, so the same N gives the same file and the same tally.
"""

from __future__ import annotations

import random
import sys
from pathlib import Path

LEADERS = ["王某", "李某", "刘某", "陈某", "杨某", "黄某", "周某"]
RATINGS = ["好", "较好", "一般", "差"]
WEIGHTS = [70, 20, 7, 3]


def make(rows: int, root: Path) -> None:
    root.mkdir(parents=True, exist_ok=True)
    (root / "groups").mkdir(exist_ok=True)
    (root / "units").mkdir(exist_ok=True)
    (root / "meetings").mkdir(exist_ok=True)
    (root / "campaign.yaml").write_text(
        "name: 党的群众路线教育实践活动\nyear: 2014\n"
        "meeting_kinds:\n  summary: {name: 总结大会, appraisal: true}\n"
        "appraisal:\n  flag_at: 0.2\n"
        "phases:\n  - {id: summary, name: 总结评估, due: 9月下旬, actions: []}\n",
        encoding="utf-8",
    )
    (root / "groups" / "g1.yaml").write_text("name: 督导组\nmembers: [张某]\n", encoding="utf-8")
    leaders = "".join(f"  - {{name: {name}}}\n" for name in LEADERS)
    (root / "units" / "u1.yaml").write_text(
        f"name: 单位\ngroup: g1\nleaders:\n{leaders}", encoding="utf-8"
    )
    (root / "meetings" / "summary.yaml").write_text(
        f"date: 2014-09-25\nunit: u1\nkind: summary\nappraisal:\n  distributed: {rows}\n"
        "  ballots: summary.csv\n",
        encoding="utf-8",
    )
    rnd = random.Random(rows)
    subjects = ["领导班子", *LEADERS]
    with open(root / "meetings" / "summary.csv", "w", encoding="utf-8-sig", newline="") as out:
        out.write(",".join(["ballot", *subjects, "invalid"]) + "\r\n")
        for number in range(1, rows + 1):
            cells = [
                "" if rnd.random() < 0.025 else rnd.choices(RATINGS, WEIGHTS)[0] for _ in subjects
            ]
            void = "作废" if number % 50 == 0 else ""
            out.write(",".join([str(number), *cells, void]) + "\r\n")


if __name__ == "__main__":
    make(int(sys.argv[1]), Path(sys.argv[2]))
