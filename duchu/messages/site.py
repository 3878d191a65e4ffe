"""The dashboard's words added in 1.2 (../shared/spec/CLI.md, ``duchu site``): the trend of
completion, the open findings and the place the notices take on the overview."""

from __future__ import annotations

SITE: dict[str, dict[str, str]] = {
    "site-trend-heading": {"zh": "各督导组完成率变化", "en": "Completion over time"},
    "site-trend-caption": {
        "zh": "每周一个点（自活动开始每满7天一点，末点为{as_of}）：按当日已提交的记录，"
        "已到期规定动作的完成率；无点处为当日尚无到期事项。",
        "en": "One point a week (every 7th day from the campaign's start, the last on {as_of}): "
        "the share of due actions done, by the records committed that day; no point where "
        "nothing was due yet.",
    },
    "site-trend-total": {"zh": "全部督导组", "en": "All groups"},
    "site-trend-table": {"zh": "各周完成率（数据表）", "en": "The weekly rates (table)"},
    "site-trend-week": {"zh": "截至", "en": "As of"},
    "site-trend-many": {
        "zh": "督导组较多（{count} 个），图中只画全部督导组合计，各组数值见数据表。",
        "en": "With {count} groups the chart draws all groups together; "
        "each group is in the table.",
    },
    "site-trend-no-git": {
        "zh": "记录不在 git 仓库中，无法读出各周当时已提交的记录，因此没有完成率变化图。",
        "en": "The records are not in a git repository: what was committed week by week "
        "cannot be read, so there is no chart of completion over time.",
    },
    "site-trend-no-commits": {
        "zh": "git 仓库中还没有提交，因此没有完成率变化图。",
        "en": "The git repository has no commits yet: there is no chart of completion over time.",
    },
    "site-trend-not-begun": {
        "zh": "活动尚未开始（{start}），还没有完成率变化。",
        "en": "The campaign has not begun ({start}): no completion over time yet.",
    },
    "site-trend-axis": {"zh": "完成率", "en": "Done"},
    "site-open-findings": {"zh": "未整改的问题", "en": "Open findings"},
    "site-col-overdue-days": {"zh": "逾期天数", "en": "Days overdue"},
    "site-open-findings-more": {
        "zh": "这里列出逾期最久的 {shown} 个（共 {count} 个）；各单位页面列出本单位的全部问题。",
        "en": "The {shown} most overdue of {count}; each unit's page shows all its findings.",
    },
    "site-no-open-findings": {"zh": "没有未整改的问题。", "en": "No finding is open."},
    "site-scroll-hint": {"zh": "表格可左右滑动。", "en": "Tables scroll sideways."},
    # (1.2) the notices (督办) on the overview
    "site-notices": {"zh": "督办情况", "en": "Notices"},
    "site-notices-given": {
        "zh": "截至当日各督导组发出督办和谈话提醒（件）：",
        "en": "Notices given by each group so far: ",
    },
    "site-col-grade": {"zh": "督办等级", "en": "Grade"},
    "site-col-given": {"zh": "督办日期", "en": "Given on"},
    "site-no-notices": {
        "zh": "没有督办后仍未完成的规定动作。",
        "en": "No action under a notice is still undone.",
    },
    "site-notices-more": {
        "zh": "这里列出前 {shown} 项（共 {count} 项）；各单位页面标出本单位的督办。",
        "en": "The first {shown} of {count}; each unit's page marks its own.",
    },
}
