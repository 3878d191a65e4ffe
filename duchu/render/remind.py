"""(1.2) ``duchu remind`` in words: the table of notices due, and the 督办通知单 -- one a page,
as Markdown that ``duchu.render.docx`` lays out as an official document (title, 发文字号,
主送, the body naming the action and its deadlines, the 落款 of the group that gives it)."""

from __future__ import annotations

from rich.console import Console
from rich.text import Text

from duchu.judge.notices import DueNotice, RemindReport
from duchu.messages import message
from duchu.records.dates import format_date
from duchu.render.table import Column, print_table
from duchu.render.templating import markdown_text


def _md(text: str) -> str:
    """Record text as Markdown that reads as the text it is."""
    return str(markdown_text(text))


LEVEL_STYLE = {"blue": "blue", "yellow": "yellow", "red": "red", "talk": "magenta"}


def level_word(report: RemindReport, notice: DueNotice, lang: str) -> str:
    if notice.level == "talk":
        return message("remind-talk", lang)
    return report.words.get(notice.level, notice.level)


def reason_text(notice: DueNotice, lang: str) -> str:
    if notice.reason == "due_soon" and notice.days == 0:
        return message("remind-reason-due_today", lang)
    return message(f"remind-reason-{notice.reason}", lang, days=notice.days)


def about_text(report: RemindReport, notice: DueNotice) -> str:
    if notice.actions:
        return "、".join(report.action_names.get(a, a) for a in notice.actions)
    return "、".join(notice.subjects)


def previous_text(report: RemindReport, notice: DueNotice, lang: str) -> str:
    previous = notice.previous
    if previous is None:
        return ""
    word = message("remind-talk", lang) if previous.level == "talk" else previous.word
    return message("remind-previous", lang, date=format_date(previous.date, lang), word=word)


def print_remind(console: Console, report: RemindReport, *, lang: str) -> None:
    """The notices due, one row each: unit, grade in the campaign's words, what about, why,
    and the last notice given about it."""
    console.print(
        message(
            "remind-title",
            lang,
            as_of=format_date(report.as_of, lang),
            count=len(report.notices),
        ),
        style="bold",
    )
    if not report.notices:
        console.print(message("remind-none", lang))
        return
    columns = [
        Column(message("remind-col-unit", lang), wrap=False),
        Column(message("remind-col-level", lang), wrap=False),
        Column(message("remind-col-about", lang), prose=True),
        Column(message("remind-col-reason", lang), prose=True),
        Column(message("remind-col-previous", lang)),
    ]
    rows: list[list[Text | str]] = [
        [
            report.unit_labels.get(n.unit, n.unit),
            Text("● " + level_word(report, n, lang), style=LEVEL_STYLE.get(n.level, "")),
            about_text(report, n),
            reason_text(n, lang),
            previous_text(report, n, lang),
        ]
        for n in report.notices
    ]
    print_table(console, columns, rows)


def _giver(report: RemindReport, notice: DueNotice, lang: str) -> str:
    return report.group_names.get(notice.group) or message("remind-office", lang)


def _sheet_body(report: RemindReport, notice: DueNotice, lang: str) -> str:
    by = _giver(report, notice, lang)
    if notice.level == "talk":
        return message(
            "remind-sheet-talk",
            lang,
            since=format_date(notice.since, lang) if notice.since else "",
            kind=report.meeting_kinds.get(notice.meeting or "", ""),
            subjects="、".join(notice.subjects),
            by=by,
        )
    return message(
        f"remind-sheet-{notice.level}",
        lang,
        campaign=report.campaign,
        action=about_text(report, notice),
        due=format_date(notice.due, lang) if notice.due else "",
        days=notice.days,
        reply_by=format_date(notice.reply_by, lang) if notice.reply_by else "",
        since=format_date(notice.since, lang) if notice.since else "",
        yellow=report.words.get("yellow", "yellow"),
        word=report.words.get(notice.level, notice.level),
        by=by,
    )


def notice_sheets_markdown(report: RemindReport, *, lang: str) -> str:
    """The notices as 督办通知单, one a page: Markdown with the markers of
    ``duchu.render.docx`` (``page``, ``number``, ``signature``); every record text escaped."""
    pages = []
    for index, notice in enumerate(report.notices):
        title = message("remind-sheet-title", lang, word=level_word(report, notice, lang))
        lines = ["<!-- page -->", ""] if index else []
        lines += [f"# {_md(title)}", ""]
        if notice.number:
            lines += ["<!-- number -->", "", _md(notice.number), ""]
        unit = report.unit_names.get(notice.unit, notice.unit)
        lines += [_md(f"{unit}：") if lang == "zh" else _md(f"{unit}:"), ""]
        lines += [_md(_sheet_body(report, notice, lang)), ""]
        lines += ["<!-- signature -->", ""]
        lines += [_md(_giver(report, notice, lang)), ""]
        lines += [_md(format_date(report.as_of, "zh")), ""]
        pages.append("\n".join(lines))
    return "\n".join(pages)
