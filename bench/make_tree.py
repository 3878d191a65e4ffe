"""Make a province-size records tree that follows RECORDS.md, for timing duchu.

    python bench/make_tree.py 2000 /tmp/bench-2000

N units in groups of 20 (the last group takes the rest), each unit with about ten meetings
(a coordination meeting, the 动员大会 with its appraisal counts, visits, talks, the
专题民主生活会 and the 总结大会, whose appraisal is a ballot CSV in one unit of ten), its
leaders, done actions -- some late, some never done -- a waiver here and there, and two or
three findings, some still open. The campaign is the sample tree's own. Everything comes
from one seeded generator, so the same N gives the same tree, and the tree checks clean
(``duchu check`` exits 0; its warnings are the ones real records have).
"""

from __future__ import annotations

import random
import shutil
import sys
from datetime import date, timedelta
from pathlib import Path

UNITS_PER_GROUP = 20
HERE = Path(__file__).resolve().parent
CAMPAIGN = HERE.parent / "records" / "campaign.yaml"

SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡"
    "余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯"
    "龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
)
BUREAUS = [
    ("发展和改革局", "发改局", "政府部门"),
    ("教育局", "教育局", "政府部门"),
    ("公安局", "公安局", "窗口服务单位"),
    ("民政局", "民政局", "窗口服务单位"),
    ("财政局", "财政局", "政府部门"),
    ("人力资源和社会保障局", "人社局", "窗口服务单位"),
    ("自然资源局", "自然资源局", "政府部门"),
    ("生态环境局", "环保局", "政府部门"),
    ("住房和城乡建设局", "住建局", "窗口服务单位"),
    ("交通运输局", "交通局", "窗口服务单位"),
    ("水利局", "水利局", "政府部门"),
    ("农业农村局", "农业局", "政府部门"),
    ("商务局", "商务局", "政府部门"),
    ("文化和旅游局", "文旅局", "政府部门"),
    ("卫生健康委员会", "卫健委", "窗口服务单位"),
    ("审计局", "审计局", "政府部门"),
    ("市场监督管理局", "市场监管局", "窗口服务单位"),
    ("统计局", "统计局", "政府部门"),
    ("医疗保障局", "医保局", "窗口服务单位"),
    ("政务服务中心", "政务中心", "窗口服务单位"),
]
POSTS = ["党组书记、局长", "党组成员、副局长", "党组成员、副局长", "党组成员、纪检组长",
         "党组成员、副局长", "党组成员、总工程师", "党组成员、办公室主任"]  # fmt: skip
RATINGS = ["好", "较好", "一般", "差"]
FINDINGS = [
    "集中学习时间难以保证，个别班子成员以工作忙为由缺课",
    "征求意见覆盖面不够广，基层一线和服务对象参与少",
    "审批环节多、时限长，群众反映强烈",
    "文山会海问题仍较突出，以会议贯彻会议",
    "对照检查材料查摆问题不够具体，剖析根源不深",
    "窗口服务态度生硬，群众办事多头跑",
    "公务用车管理制度执行不严",
]
YEAR = 2014
# (action, the day it falls due) for the unit actions done outside meetings
UNIT_DONE = [
    ("plan", date(2014, 2, 28)),
    ("central_study", date(2014, 3, 31)),
    ("opinions", date(2014, 4, 10)),
    ("talks", date(2014, 5, 31)),
    ("materials", date(2014, 5, 31)),
    ("dl_report", date(2014, 6, 20)),
    ("rect_plan", date(2014, 7, 10)),
    ("special", date(2014, 8, 20)),
    ("rules", date(2014, 8, 31)),
    ("summary_report", date(2014, 9, 30)),
]
GROUP_DONE = [
    ("group_plan", date(2014, 2, 18)),
    ("report_study", date(2014, 4, 20)),
    ("report_criticism", date(2014, 6, 20)),
    ("report_final", date(2014, 10, 10)),
]


def person(rnd: random.Random) -> str:
    return rnd.choice(SURNAMES) + "某"


def distinct_people(rnd: random.Random, count: int) -> list[str]:
    names: list[str] = []
    while len(names) < count:
        name = person(rnd)
        if name not in names:
            names.append(name)
    return names


def done_day(rnd: random.Random, due: date) -> date:
    """Mostly on time, a few days late now and then."""
    if rnd.random() < 0.08:
        return due + timedelta(days=rnd.randint(1, 12))
    return due - timedelta(days=rnd.randint(0, 9))


def counts_block(rnd: random.Random, subjects: list[str], valid: int) -> list[str]:
    lines = ["  counts:"]
    for subject in subjects:
        bad = rnd.choice([0, 0, 1, 1, 2, 3, valid // 4])
        fair = rnd.randint(0, 4)
        fine = rnd.randint(0, valid - bad - fair)
        good = valid - bad - fair - fine
        lines.append(f"    {subject}: {{好: {good}, 较好: {fine}, 一般: {fair}, 差: {bad}}}")
    return lines


def ballots_csv(rnd: random.Random, subjects: list[str], returned: int) -> str:
    rows = [",".join(["ballot", *subjects, "invalid"])]
    for number in range(1, returned + 1):
        cells = ["" if rnd.random() < 0.03 else rnd.choices(RATINGS, [70, 20, 7, 3])[0]
                 for _ in subjects]  # fmt: skip
        rows.append(",".join([str(number), *cells, "作废" if number % 40 == 0 else ""]))
    return "\r\n".join(rows) + "\r\n"


def write(path: Path, lines: list[str]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def make_group(root: Path, number: int, rnd: random.Random) -> tuple[str, list[str]]:
    group_id = f"g{number:04d}"
    members = distinct_people(rnd, 4)
    lines = [
        f"name: 省委第{number}督导组",
        f"leader: {members[0]}",
        f"members: [{', '.join(members)}]",
        "done:",
    ]
    for action, due in GROUP_DONE:
        if rnd.random() < 0.95:
            lines.append(f"  {action}: {{date: {done_day(rnd, due)}, note: 已报省委活动办}}")
    write(root / "groups" / f"{group_id}.yaml", lines)
    return group_id, members


def make_unit(
    root: Path, number: int, group_id: str, members: list[str], rnd: random.Random
) -> None:
    unit_id = f"u{number:05d}"
    full, short, category = BUREAUS[number % len(BUREAUS)]
    county = f"第{number // len(BUREAUS) + 1}县"
    leaders = distinct_people(rnd, rnd.randint(4, 7))
    lagging = rnd.random() < 0.06  # never got round to the later actions
    lines = [
        f"name: {county}{full}",
        f"short: {county}{short}",
        f"group: {group_id}",
        f"category: {category}",
        "leaders:",
        *(f"  - {{name: {name}, post: {POSTS[i]}}}" for i, name in enumerate(leaders)),
        "done:",
    ]
    done: dict[str, date] = {}
    waived = len(leaders) == 4 and rnd.random() < 0.1
    for action, due in UNIT_DONE:
        if action == "special" and category != "窗口服务单位":
            continue
        if action == "central_study" and waived:
            continue
        if lagging and due > date(2014, 6, 30):
            continue
        done[action] = done_day(rnd, due)
        if rnd.random() < 0.2:
            lines.append(f"  {action}: {{date: {done[action]}, note: 经督导组审核通过}}")
        else:
            lines.append(f"  {action}: {done[action]}")
    if waived:
        lines.append("waived:\n  central_study: 班子成员已参加上级党委中心组学习")
    lines.append("findings:")
    for index in range(rnd.randint(2, 3)):
        found = date(2014, 3, 1) + timedelta(days=rnd.randint(0, 120))
        due = found + timedelta(days=rnd.randint(30, 90))
        lines += [
            f"  - id: f{index + 1}",
            f"    text: {rnd.choice(FINDINGS)}",
            f"    found: {found}",
            f"    owner: {rnd.choice(leaders)}",
            f"    due: {due}",
        ]
        if rnd.random() < 0.75:
            lines.append(f"    resolved: {due - timedelta(days=rnd.randint(0, 20))}")
    write(root / "units" / f"{unit_id}.yaml", lines)
    make_meetings(root, unit_id, f"{county}{short}", group_id, members, leaders, done, rnd)
    make_notices(root, number, unit_id, group_id, leaders, done, lagging)


def make_notices(
    root: Path,
    number: int,
    unit_id: str,
    group_id: str,
    leaders: list[str],
    done: dict[str, date],
    lagging: bool,
) -> None:
    """(1.2) The notices a group gave the unit: a blue one before a deadline now and then, a
    yellow one for an action done late, a yellow and then a red one for a lagging unit, a
    reminder talk here and there. Drawn from a generator of their own, so the rest of the
    tree is the same with or without them."""
    rnd = random.Random(number * 7919)
    folder = root / "notices" / group_id

    def notice(
        day: date, level: str, actions: list[str] | None, subjects: list[str] | None
    ) -> None:
        lines = [f"date: {day}", f"unit: {unit_id}", f"level: {level}"]
        if actions:
            lines.append(f"actions: [{', '.join(actions)}]")
        if subjects:
            lines.append(f"subjects: [{', '.join(subjects)}]")
        lines.append(f"by: {group_id}")
        write(folder / f"{day:%Y-%m}" / f"{unit_id}-{level}.yaml", lines)

    if rnd.random() < 0.2:
        notice(date(2014, 5, 28), "blue", ["talks"], None)
    late = [a for a, due in UNIT_DONE if a in done and done[a] > due]
    if late and rnd.random() < 0.5:
        due = dict(UNIT_DONE)[late[0]]
        notice(due + timedelta(days=1), "yellow", [late[0]], None)
    if lagging:
        notice(date(2014, 7, 12), "yellow", ["rect_plan"], None)
        notice(date(2014, 7, 20), "red", ["rect_plan"], None)
    if rnd.random() < 0.05:
        notice(date(2014, 3, 20), "talk", None, [leaders[-1]])


def make_meetings(
    root: Path,
    unit_id: str,
    short: str,
    group_id: str,
    members: list[str],
    leaders: list[str],
    done: dict[str, date],
    rnd: random.Random,
) -> None:
    subjects = ["领导班子", *leaders]
    plan = done.get("plan", date(2014, 2, 25))
    after_talks = max(
        done.get("talks", date(2014, 5, 31)), done.get("materials", date(2014, 5, 31))
    )
    schedule = [
        ("coordination", plan - timedelta(days=rnd.randint(3, 8)), "督导组与党组共同研究实施方案"),
        ("mobilization", plan + timedelta(days=rnd.randint(0, 3)), "组长讲话，回收民主评议表"),
        ("visit", date(2014, 3, rnd.randint(10, 28)), "列席中心组学习，抽查学习笔记"),
        ("talk", date(2014, 4, rnd.randint(1, 25)), "与班子成员逐一谈心谈话"),
        ("visit", date(2014, 5, rnd.randint(5, 25)), "审阅对照检查材料，提出修改意见"),
        ("talk", date(2014, 5, rnd.randint(10, 28)), "听取班子成员整改思路"),
        ("democratic_life", after_talks + timedelta(days=rnd.randint(1, 9)), "全程列席并点评"),
        ("visit", date(2014, 7, rnd.randint(10, 28)), "检查整改方案落实和公示情况"),
        ("visit", date(2014, 8, rnd.randint(10, 28)), "检查建章立制情况"),
        ("summary", date(2014, 9, rnd.randint(15, 26)), "满意度测评"),
    ]  # fmt: skip
    seen: dict[str, int] = {}
    for kind, day, note in schedule:
        if kind == "summary" and "summary_report" not in done:
            continue  # a lagging unit has not held its 总结大会
        seen[kind] = seen.get(kind, 0) + 1
        name = kind if seen[kind] == 1 else f"{kind}-{seen[kind]}"
        folder = root / "meetings" / group_id / f"{day:%Y-%m}"
        attended = rnd.sample(members, rnd.randint(1, len(members)))
        lines = [
            f"date: {day}",
            f"unit: {unit_id}",
            f"kind: {kind}",
            f"title: {short}{note[:6]}",
            f"attended_by: [{', '.join(attended)}]",
        ]
        if kind in {"mobilization", "democratic_life"} and rnd.random() < 0.3:
            lines.append(f"absent:\n  - {{name: {rnd.choice(leaders[1:])}, reason: 外出学习}}")
        lines.append(f"notes: |\n  {note}。")
        if kind in {"mobilization", "summary"}:
            distributed = rnd.randint(40, 90)
            returned = distributed - rnd.randint(0, 4)
            lines += ["appraisal:", f"  distributed: {distributed}"]
            if kind == "summary" and int(unit_id[1:]) % 10 == 0:
                csv_name = f"{unit_id}-{name}.csv"
                folder.mkdir(parents=True, exist_ok=True)
                (folder / csv_name).write_text(
                    ballots_csv(rnd, subjects, returned), encoding="utf-8-sig", newline=""
                )
                lines.append(f"  ballots: {csv_name}")
            else:
                invalid = rnd.randint(0, 2)
                lines += [f"  returned: {returned}", f"  invalid: {invalid}"]
                lines += counts_block(rnd, subjects, returned - invalid)
        write(folder / f"{unit_id}-{name}.yaml", lines)


def make(units: int, root: Path) -> None:
    if root.exists():
        shutil.rmtree(root)
    root.mkdir(parents=True)
    shutil.copyfile(CAMPAIGN, root / "campaign.yaml")
    rnd = random.Random(units)
    groups = max(1, units // UNITS_PER_GROUP)
    for number in range(1, groups + 1):
        group_id, members = make_group(root, number, rnd)
        first = (number - 1) * UNITS_PER_GROUP + 1
        last = units if number == groups else number * UNITS_PER_GROUP
        for unit_number in range(first, last + 1):
            make_unit(root, unit_number, group_id, members, rnd)


if __name__ == "__main__":
    make(int(sys.argv[1]), Path(sys.argv[2]))
