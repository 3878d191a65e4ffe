"""Writing into a records tree: ``duchu init`` and ``duchu new``, the only writers there are.

Files are created exclusively (``open(..., "x")``): an existing file is never overwritten,
and of two ``duchu new`` racing for one path exactly one wins. What is written is valid as
written -- ``duchu check`` passes on it -- and filled from what the records already know.
The pre-commit hook checks what is being committed (the index, exported to a temporary
folder), not the edits left unstaged.
"""

from __future__ import annotations

import os
import shlex
import stat
import sys
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from duchu.errors import ScaffoldError
from duchu.gitrepo import hooks_folder, init_repository
from duchu.loader import CAMPAIGN_FILE, ID_PATTERN, Tree

CACHE_FOLDER = ".duchu-cache"


def write_new(path: Path, text: str) -> None:
    """Create ``path`` with ``text``; refuse if it exists (atomically, by the OS)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        with open(path, "x", encoding="utf-8", newline="\n") as handle:
            handle.write(text)
    except FileExistsError:
        raise ScaffoldError("file-exists", path=path) from None


# --- duchu init ----------------------------------------------------------------------------------

INIT_FILES = {
    CAMPAIGN_FILE: """\
# 活动：环节、规定动作和时限。时限可写具体日期（2014-02-28、2014年2月28日）
# 或按旬（9月上旬 = 9月10日前，9月下旬/9月底 = 月底前，7月初 = 7月5日前）。
name: 党的群众路线教育实践活动
issuer: 中共××市委教育实践活动领导小组
year: 2014
warn_days: 7
meeting_kinds:
  coordination: 协调会
  mobilization: {name: 动员大会, appraisal: true}
  democratic_life: 专题民主生活会
  summary: {name: 总结大会, appraisal: true}
appraisal:
  team: 领导班子
  ratings: [好, 较好, 一般, 差]
  positive: [好, 较好]
  negative: [差]
  flag_at: 0.2
phases:
  - id: study
    name: 学习教育、听取意见
    start: 2月中旬
    due: 4月中旬
    actions:
      - {id: plan, name: 审定实施方案和动员讲话稿, due: 2014-02-28}
      - id: mobilization
        name: 召开动员大会
        due: 2014-02-28
        meeting: mobilization
        after: [plan]
      - {id: opinions, name: 深入基层征求意见, due: 4月上旬}
  - id: criticism
    name: 查摆问题、开展批评
    start: 4月下旬
    due: 6月中旬
    actions:
      - {id: talks, name: 谈心谈话全覆盖, due: 5月下旬}
      - {id: materials, name: 对照检查材料审核通过, due: 5月下旬}
      - id: democratic_life
        name: 召开专题民主生活会
        due: 6月上旬
        meeting: democratic_life
        after: [talks, materials]
      - {id: group_report, name: 报送阶段督导报告, due: 6月中旬, by: group}
""",
    "groups/g1.yaml": """\
name: 市委第一督导组
leader: 张某
members: [张某, 赵某, 钱某]
""",
    "units/fagaiwei.yaml": """\
name: 市发展和改革委员会
short: 市发改委
group: g1
category: 综合部门
leaders:
  - {name: 王某, post: 党组书记、主任}
  - {name: 李某, post: 党组成员、副主任}
done:
  plan: 2014-02-20
""",
    "units/jiaotong.yaml": """\
name: 市交通运输局
short: 市交通局
group: g1
category: 窗口服务单位
leaders:
  - {name: 刘某, post: 党委书记、局长}
  - {name: 陈某, post: 党委委员、副局长}
""",
    "meetings/2014-02/fagaiwei-mobilization.yaml": """\
date: 2014-02-26
unit: fagaiwei
kind: mobilization
title: 市发改委党的群众路线教育实践活动动员大会
attended_by: [张某, 赵某]
notes: |
  督导组组长讲话，传达中央、省委、市委精神；会上回收民主评议表。
appraisal:
  distributed: 45
  returned: 43
  invalid: 1
  counts:
    领导班子: {好: 30, 较好: 8, 一般: 3, 差: 1}
    王某: {好: 28, 较好: 10, 一般: 3, 差: 1}
    李某: {好: 25, 较好: 11, 一般: 5, 差: 1}
""",
    ".gitignore": f"# duchu 的缓存，不入库\n{CACHE_FOLDER}/\n",
}

HOOK_MARK = "# installed by duchu init"


def pre_commit_hook(python: str) -> str:
    """A hook that runs ``duchu check`` on the index: the files as they will be committed."""
    return f"""#!/bin/sh
{HOOK_MARK}: refuse a commit whose records have errors.
# It checks what is staged (exported to a temporary folder), not unstaged edits.
set -u
top=$(git rev-parse --show-toplevel) || exit 1
tmp=$(mktemp -d "${{TMPDIR:-/tmp}}/duchu-precommit.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT INT TERM
git checkout-index --all --prefix="$tmp/" || exit 1
python={shlex.quote(python)}
if [ -x "$python" ]; then
    "$python" -m duchu check --records "$tmp"
elif command -v duchu >/dev/null 2>&1; then
    duchu check --records "$tmp"
else
    echo "duchu: not found; install it or remove .git/hooks/pre-commit" >&2
    exit 1
fi
"""


def _holds_anything(folder: Path) -> bool:
    return folder.exists() and any(entry.name != ".git" for entry in folder.iterdir())


def init_tree(target: Path, python: str = sys.executable) -> list[str]:
    """Write a small working records tree into an empty or new folder, make it a git
    repository and install the pre-commit hook. Returns the files written."""
    if (target / CAMPAIGN_FILE).exists():
        raise ScaffoldError("init-has-records", path=target)
    if target.exists() and not target.is_dir():
        raise ScaffoldError("init-not-folder", path=target)
    if _holds_anything(target):
        raise ScaffoldError("init-not-empty", path=target)
    target.mkdir(parents=True, exist_ok=True)
    written = []
    for rel, text in INIT_FILES.items():
        write_new(target / rel, text)
        written.append(rel)
    if not (target / ".git").exists():
        init_repository(target)
    hook = hooks_folder(target) / "pre-commit"
    hook.parent.mkdir(parents=True, exist_ok=True)
    if hook.exists() and HOOK_MARK not in hook.read_text(encoding="utf-8", errors="replace"):
        raise ScaffoldError("hook-exists", path=hook)
    hook.write_text(pre_commit_hook(python), encoding="utf-8")
    hook.chmod(hook.stat().st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)
    return written


# --- duchu new ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Written:
    path: Path
    rel: str


def new_meeting(tree: Tree, unit_id: str, kind: str, day: date, name: str | None = None) -> Written:
    """A meeting file at ``meetings/YYYY-MM/<unit>-<kind>.yaml`` (or ``<name>.yaml``),
    with the group's members to keep or strike and, when the kind takes an appraisal, the
    team and the unit's leaders as subjects with every rating at zero."""
    campaign = tree.campaign
    assert campaign is not None
    unit = tree.units.get(unit_id)
    if unit is None:
        raise ScaffoldError("no-such-unit", id=unit_id)
    meeting_kind = campaign.meeting_kinds.get(kind)
    if meeting_kind is None:
        raise ScaffoldError("unknown-kind", kind=kind, kinds=", ".join(campaign.meeting_kinds))
    stem = name or f"{unit_id}-{kind}"
    if not ID_PATTERN.fullmatch(stem):
        raise ScaffoldError("bad-id", id=stem)
    rel = f"meetings/{day:%Y-%m}/{stem}.yaml"
    group = tree.groups.get(unit.group)
    members = [
        *([group.leader] if group and group.leader else []),
        *(m for m in (group.members if group else []) if m != (group.leader if group else None)),
    ]
    lines = [
        f"date: {day.isoformat()}",
        f"unit: {unit_id}",
        f"kind: {kind}",
        f"title: {unit.label}{meeting_kind.name}",
        f"attended_by: [{', '.join(members)}]    # 督导组成员：只保留实际到会的",
        "absent: []                  # 缺席的班子成员，如 - {name: 李某, reason: 出差}",
        "notes: |",
        "  ",
    ]
    if meeting_kind.appraisal:
        scheme = campaign.appraisal
        zeros = ", ".join(f"{rating}: 0" for rating in scheme.ratings)
        lines += [
            "appraisal:                  # 民主评议：填写张数和票数，或改用 ballots: 文件名.csv",
            "  distributed: 0",
            "  returned: 0",
            "  invalid: 0",
            "  counts:",
            *(
                f"    {subject}: {{{zeros}}}"
                for subject in [scheme.team, *(leader.name for leader in unit.leaders)]
            ),
        ]
    write_new(tree.root / rel, "\n".join(lines) + "\n")
    return Written(tree.root / rel, rel)


def new_unit(tree: Tree, unit_id: str, group: str, name: str | None = None) -> Written:
    """A unit file ``units/<id>.yaml`` in ``group``, valid as written."""
    if group not in tree.groups:
        raise ScaffoldError("no-such-group", id=group)
    if not ID_PATTERN.fullmatch(unit_id):
        raise ScaffoldError("bad-id", id=unit_id)
    rel = f"units/{unit_id}.yaml"
    text = "\n".join(
        [
            f"name: {name or unit_id}",
            f"group: {group}",
            "# short: 简称，用于表格",
            "# category: 单位类别，用于 applies_to",
            "leaders:                    # 领导班子成员，按排序，如 - {name: 王某, post: 党组书记}",
            "  []",
            "done: {}                    # 会议之外完成的规定动作：事项 id: 日期",
            "",
        ]
    )
    write_new(tree.root / rel, text)
    return Written(tree.root / rel, rel)


def relative(path: Path) -> str:
    """A path as the user will want to see it: relative to the current folder if inside."""
    try:
        return os.path.relpath(path)
    except ValueError:
        return str(path)
