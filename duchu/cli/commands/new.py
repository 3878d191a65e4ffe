"""``duchu new``: scaffold a meeting, unit or group record (never over an existing file)."""

from __future__ import annotations

from typing import Annotated

import typer

from duchu.cli.console import echo
from duchu.cli.options import (
    LangOption,
    NoCacheOption,
    RecordsOption,
    check_choice,
    lang_of,
    load_valid,
    parse_day,
    resolved,
)
from duchu.messages import message

NEW_EXAMPLES = """\b
例 / examples:
  duchu new group g4 --name 市委第四督导组 --leader 蒋某 --members 沈某,曹某
  duchu new unit minzheng --group g4 --name 市民政局 --order 1
  duchu new meeting --unit minzheng --kind mobilization --date 2014-02-27
"""
NEW_HELP = "新建记录文件（不覆盖已有文件）/ scaffold a record"

NEW_MEETING_EXAMPLES = """\b
例 / examples:
  duchu new meeting --unit fagaiwei --kind visit --date 2014-05-20
  duchu new meeting --unit 市交通局 --kind 谈心谈话 --date 2014年3月6日
  duchu new meeting --unit 市水利局 --kind summary --date 2014-09-26 \\
      --ballots xlsx   同时写出空白评议票表
"""


def new_meeting_command(
    ctx: typer.Context,
    unit: Annotated[str, typer.Option("--unit", help="单位 id 或名称")],
    kind: Annotated[str, typer.Option("--kind", help="会议类型 id 或名称 / meeting kind")],
    meeting_date: Annotated[str, typer.Option("--date", help="会议日期 / date")],
    name: Annotated[
        str | None,
        typer.Option("--name", help="文件名（不含 .yaml）/ file stem", show_default=False),
    ] = None,
    ballots: Annotated[
        str | None,
        typer.Option(
            "--ballots",
            help="csv|xlsx：同时写出空白评议票表 / also an empty ballot sheet",
            show_default=False,
        ),
    ] = None,
    no_cache: NoCacheOption = False,
    records: RecordsOption = None,
    lang: LangOption = None,
) -> None:
    """新建会议记录 / a new meeting record.

    写入草稿 meetings/YYYY-MM/<单位>-<类型>.yaml（当月第二次为 -2，或 --name 给的文件名），
    督导组成员和单位领导班子（评议对象）已按记录填好；填完后删除 draft 一行才计入统计。
    A draft, filled from the records (members, leaders as subjects): delete its draft line
    once complete. A second one in the month is named -2 (or give --name).
    """
    from duchu.records.write import new_meeting, relative

    language = lang_of(ctx, lang)
    check_choice("--ballots", ballots, ("csv", "xlsx"))
    tree = load_valid(ctx, records, no_cache, lang=lang)
    day = parse_day(meeting_date, tree, "--date")
    unit_id = resolved(tree, "unit", unit, language) or unit
    kind_id = resolved(tree, "kind", kind, language) or kind
    written = new_meeting(tree, unit_id, kind_id, day, name, ballots=ballots, lang=language)
    echo(relative(written.path))
    if written.ballots is not None:
        echo(message("ballots-written", language, path=relative(written.ballots)))


NEW_UNIT_EXAMPLES = """\b
例 / examples:
  duchu new unit wenhua --group g2 --name 市文化广电新闻出版局 \\
      --short 市文广新局 --order 8
  duchu new unit tongji --group g2 --name 市统计局 \\
      --category 窗口服务单位
  duchu new unit minzheng --group g1   名称暂为 id，稍后在文件中补全称
"""


def new_unit_command(
    ctx: typer.Context,
    unit_id: Annotated[str, typer.Argument(help="单位 id（文件名）/ unit id")],
    group: Annotated[str, typer.Option("--group", help="督导组 id 或名称")],
    name: Annotated[
        str | None, typer.Option("--name", help="单位全称 / full name", show_default=False)
    ] = None,
    short: Annotated[
        str | None,
        typer.Option("--short", help="简称，用于表格 / short name", show_default=False),
    ] = None,
    order: Annotated[
        int | None,
        typer.Option("--order", min=1, help="排序 / official order", show_default=False),
    ] = None,
    category: Annotated[
        str | None,
        typer.Option("--category", help="单位类别 / category (applies_to)", show_default=False),
    ] = None,
    no_cache: NoCacheOption = False,
    records: RecordsOption = None,
    lang: LangOption = None,
) -> None:
    """新建单位记录 / a new unit record.

    写入 units/<id>.yaml。未给 --name 时名称暂写为 id，并提示补全称。
    Without --name the unit is named by its id until its full name is written.
    """
    from duchu.records.write import new_unit, relative

    language = lang_of(ctx, lang)
    tree = load_valid(ctx, records, no_cache, lang=lang)
    group_id = resolved(tree, "group", group, language) or group
    written = new_unit(tree, unit_id, group_id, name, short=short, order=order, category=category)
    echo(relative(written.path))
    if name is None:  # a unit named by its id would stand so in every table and report
        echo(
            message("unit-name-is-id", language, id=unit_id, path=relative(written.path)),
            err=True,
        )


NEW_GROUP_EXAMPLES = """\b
例 / examples:
  duchu new group g4 --name 市委第四督导组 --leader 蒋某 --order 4
  duchu new group g5 --name 市委第五督导组 --leader 曾某 \\
      --members 萧某,田某 --order 5
  duchu new group xianzhi6 --name 县直第六督导组 --leader 王某 \\
      --members 李某、刘某
"""


def new_group_command(
    ctx: typer.Context,
    group_id: Annotated[str, typer.Argument(help="督导组 id（文件名）/ group id")],
    name: Annotated[str, typer.Option("--name", help="督导组名称 / the group's name")],
    leader: Annotated[str, typer.Option("--leader", help="组长 / the group's leader")],
    members: Annotated[
        str | None,
        typer.Option(
            "--members",
            help="成员，用逗号或顿号分隔；未列组长时自动加在最前 / members, comma-separated",
            show_default=False,
        ),
    ] = None,
    order: Annotated[
        int | None,
        typer.Option("--order", min=1, help="排序 / order in office tables", show_default=False),
    ] = None,
    no_cache: NoCacheOption = False,
    records: RecordsOption = None,
    lang: LangOption = None,
) -> None:
    """新建督导组记录 / a new group record.

    写入 groups/<id>.yaml；组长总是成员之一，--members 未列组长时自动加在最前。
    The leader is always a member: put first when --members leaves them out.
    """
    from duchu.records.write import new_group, relative, split_names

    lang_of(ctx, lang)
    tree = load_valid(ctx, records, no_cache, lang=lang)
    people = split_names("--members", members) if members is not None else None
    written = new_group(tree, group_id, name, leader, people, order)
    echo(relative(written.path))
