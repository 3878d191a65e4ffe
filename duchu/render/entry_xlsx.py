"""The entry workbook (台账) of a group, written for Excel and WPS (../shared/spec/CLI.md 1.2).

It words what ``duchu.records.entry_layout`` laid out: a sheet 说明, then one sheet per kind
of record with the records as they are and empty rows to fill in. What a clerk must not
change is locked (the headers, the hidden key and digest columns, the columns that say
which record a row is); the sheets are protected without a password, so WPS and Excel
users are never locked out, only kept from typing over a header by mistake. Units, kinds,
actions, members, leaders and subjects are chosen from drop-down lists on a hidden sheet;
the tree, the group and the fingerprints stand on a very hidden sheet. Dates are date cells
shown 2014年3月5日; text is text (``@``) and always written as a string, so a name that
starts with ``=`` is never a formula. Each sheet prints on A4, fitted to the page's width,
its header row on every page.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from duchu.judge.entry import (
    DIGEST_HEADER,
    EMPTY_ROWS,
    FORMAT_VERSION,
    HIDDEN_COLUMNS,
    KEY_HEADER,
    LISTS_SHEET,
    MARKER,
    META_SHEET,
    Column,
    EntryBook,
    EntrySheet,
)
from duchu.render.xlsx import FONT, FONT_SIZE, close_workbook

DATE_FORMAT = 'yyyy"年"m"月"d"日"'
MAX_WIDTH = 40  # characters, a CJK character counting two
MIN_WIDTH = 8
WIDTHS = {"date": 16, "due": 16, "int": 10, "notes": 40}
GUIDE_WIDTH = 72
DATE_HINT = "可填写 2014-3-5、2014.3.5、2014/3/5 或 2014年3月5日，都能识别。"
DUE_HINT = DATE_HINT + "也可以写“4月底”“9月下旬”。"

GUIDE = [
    "{group}　工作台账（{campaign}）",
    "",
    "怎样填写",
    "1. 每张表一行一条记录：已有的记录照原样列出，下面的空行用来新增。",
    "2. 单位、会议类型、规定动作、督导组成员、评议对象请从下拉列表中选择；"
    "一格写几个名字时，用顿号“、”隔开。",
    "3. 日期可以填写为 2014-3-5、2014.3.5、2014/3/5、2014年3月5日，或者填成日期格式的单元格，"
    "导入时都能识别；不要填写“3月初”之类的文字（“整改时限”可以写“4月底”“9月下旬”）。",
    "4. 缺席的班子成员写成“李某（出差）”，几人之间用分号“；”隔开。",
    "5. “规定动作”表：填写完成日期即为已完成；不需要做的，在“免做理由”中写明理由。"
    "该事项已由会议记录完成的，在“会议记录”列显示，无需重复填写完成日期。",
    "6. “问题整改”表：问题编号可不填，系统自动生成；已有问题的编号不要改动。",
    "7. “民主评议”表：每个评议对象一行，日期、单位、会议类型与“会议”表中那次会议相同，"
    "各等次填写票数；发出、收回、无效张数填在“会议”表中。",
    "8. 表头和每行的编号列已锁定，不用也不能修改；不要合并单元格，不要填写公式。",
    "9. 不需要的行不必删除；删除的行不会删除已有记录。",
    "",
    "填好后保存（.xlsx 格式），原样发回活动办（或督导组联络员），由其导入。",
    "",
    "本表由 duchu 导出；请勿修改表名或隐藏的内容，否则无法导入。",
]


def _display_width(text: str) -> int:
    """Width in characters, a CJK character counting two."""
    return sum(2 if ord(ch) > 0x2E7F else 1 for ch in text)


class _Formats:
    def __init__(self, book: Any) -> None:
        base = {"font_name": FONT, "font_size": FONT_SIZE, "valign": "top"}
        self.header = book.add_format(
            {**base, "bold": True, "bg_color": "#DDEBF7", "border": 1, "text_wrap": True}
        )
        self.hidden = book.add_format({**base, "num_format": "@"})
        self.title = book.add_format({**base, "bold": True, "font_size": 14})
        self.guide = book.add_format({**base, "text_wrap": True})
        self.cells: dict[tuple[str, bool], Any] = {}
        for kind in ("text", "notes", "date", "due", "int", "choice", "multi"):
            for locked in (False, True):
                spec: dict[str, Any] = {**base, "border": 1, "locked": locked}
                if kind in ("date", "due"):
                    spec["num_format"] = DATE_FORMAT
                    spec["align"] = "left"
                elif kind == "int":
                    spec["num_format"] = "0"
                else:
                    spec["num_format"] = "@"  # typed text stays text: no 3-5 made a date
                    spec["text_wrap"] = True
                if locked:
                    spec["bg_color"] = "#F2F2F2"
                self.cells[(kind, locked)] = book.add_format(spec)


def write_entry_workbook(path: Path, entry: EntryBook) -> None:
    """Write the group's entry workbook to ``path`` (a temporary file, renamed over the
    target by ``duchu.render.output`` once it is whole)."""
    import xlsxwriter

    book = xlsxwriter.Workbook(
        str(path),
        {
            "strings_to_numbers": False,
            "strings_to_formulas": False,
            "strings_to_urls": False,
        },
    )
    book.formats[0].set_font_name(FONT)
    book.formats[0].set_font_size(FONT_SIZE)
    book.set_properties(
        {"title": f"{entry.group_name} 工作台账", "author": "duchu", "created": None}
    )
    formats = _Formats(book)
    _guide_sheet(book, entry, formats)
    list_ranges = _list_ranges(entry)
    sheets = [_data_sheet(book, sheet, formats, list_ranges) for sheet in entry.sheets]
    _lists_sheet(book, entry)
    _meta_sheet(book, entry, formats)
    sheets[0].activate()
    close_workbook(book)


def _guide_sheet(book: Any, entry: EntryBook, formats: _Formats) -> None:
    sheet = book.add_worksheet("说明")
    sheet.set_column(0, 0, GUIDE_WIDTH, formats.guide)
    for row, line in enumerate(GUIDE):
        text = line.format(group=entry.group_name, campaign=entry.campaign)
        sheet.write_string(row, 0, text, formats.title if row == 0 else formats.guide)
        # a wrapped line's height is set, as no program works it out when it opens the file
        lines = max(1, -(-_display_width(text) // (GUIDE_WIDTH - 4)))
        sheet.set_row(row, 24 if row == 0 else 16.5 * lines)
    sheet.protect("", {"select_locked_cells": True, "select_unlocked_cells": True})
    _print_setup(sheet, landscape=False, repeat=False, centred=False)


def _list_ranges(entry: EntryBook) -> dict[str, str]:
    ranges = {}
    for index, (name, items) in enumerate(entry.lists.items()):
        if items:
            letter = chr(65 + index)
            ranges[name] = f"='{LISTS_SHEET}'!${letter}$1:${letter}${len(items)}"
    return ranges


def _data_sheet(book: Any, entry: EntrySheet, formats: _Formats, ranges: dict[str, str]) -> Any:
    sheet = book.add_worksheet(entry.name)
    sheet.write_string(0, 0, KEY_HEADER, formats.header)
    sheet.write_string(0, 1, DIGEST_HEADER, formats.header)
    widths = [_display_width(column.header) + 2 for column in entry.columns]
    for index, column in enumerate(entry.columns):
        sheet.write_string(0, HIDDEN_COLUMNS + index, column.header, formats.header)
    for row, ((key, values), digest) in enumerate(zip(entry.rows, entry.digests(), strict=True)):
        sheet.write_string(row + 1, 0, key, formats.hidden)
        sheet.write_string(row + 1, 1, digest, formats.hidden)
        for index, (column, value) in enumerate(zip(entry.columns, values, strict=True)):
            width = _write(sheet, row + 1, HIDDEN_COLUMNS + index, column, value, formats)
            widths[index] = max(widths[index], width)
    last = len(entry.rows) + EMPTY_ROWS
    for row in range(len(entry.rows) + 1, last + 1):
        for index, column in enumerate(entry.columns):
            locked = formats.cells[(column.kind, column.shown_only)]
            sheet.write_blank(row, HIDDEN_COLUMNS + index, None, locked)
    sheet.set_column(0, HIDDEN_COLUMNS - 1, 12, formats.hidden, {"hidden": True})
    for index, column in enumerate(entry.columns):
        width = WIDTHS.get(column.kind) or min(MAX_WIDTH, max(MIN_WIDTH, widths[index] + 1))
        at = HIDDEN_COLUMNS + index
        sheet.set_column(at, at, width)
        _validate(sheet, column, at, last, ranges)
    sheet.set_row(0, 33)
    sheet.freeze_panes(1, HIDDEN_COLUMNS)
    sheet.protect(
        "",
        {
            "format_columns": True,
            "format_rows": True,
            "insert_rows": True,
            "delete_rows": True,
            "select_locked_cells": True,
            "select_unlocked_cells": True,
        },
    )
    _print_setup(sheet, landscape=entry.wide, repeat=True)
    return sheet


def _write(sheet: Any, row: int, at: int, column: Column, value: object, formats: _Formats) -> int:
    """Write one cell of a record; its width in characters."""
    fmt = formats.cells[(column.kind, column.fixed)]
    if value is None or value == "":
        sheet.write_blank(row, at, None, fmt)
        return 0
    if isinstance(value, date):
        sheet.write_datetime(row, at, value, fmt)
        return 16
    if isinstance(value, int) and not isinstance(value, bool):
        sheet.write_number(row, at, value, fmt)
        return len(str(value))
    text = str(value)
    if column.kind == "due":  # a phrase (4月底) kept as words
        fmt = formats.cells[("text", column.fixed)]
    sheet.write_string(row, at, text, fmt)  # never a formula, whatever it starts with
    return max(_display_width(line) for line in text.split("\n"))


def _validate(sheet: Any, column: Column, at: int, last: int, ranges: dict[str, str]) -> None:
    """The drop-down list or the kind of value a column's cells take."""
    if column.choices is not None and column.choices in ranges:
        several = column.kind == "multi" or column.choices == "leaders"
        sheet.data_validation(
            1,
            at,
            last,
            at,
            {
                "validate": "list",
                "source": ranges[column.choices],
                # several names in one cell (、) cannot be a choice of the list
                "error_type": "information" if several else "stop",
                "error_title": "请从列表中选择",
                "error_message": "请从下拉列表中选择；几个名字之间用顿号“、”隔开。",
            },
        )
    elif column.kind == "int":
        sheet.data_validation(
            1,
            at,
            last,
            at,
            {
                "validate": "integer",
                "criteria": ">=",
                "value": 0,
                "error_title": "请填写整数",
                "error_message": "这里填写 0 或正整数。",
            },
        )
    elif column.kind in ("date", "due"):
        # an input message only: a date rule would warn on 2014.4.25 typed as text, which
        # the import reads as well as a date cell
        sheet.data_validation(
            1,
            at,
            last,
            at,
            {
                "validate": "any",
                "input_title": "日期",
                "input_message": DUE_HINT if column.kind == "due" else DATE_HINT,
            },
        )


def _lists_sheet(book: Any, entry: EntryBook) -> None:
    sheet = book.add_worksheet(LISTS_SHEET)
    for index, items in enumerate(entry.lists.values()):
        for row, item in enumerate(items):
            sheet.write_string(row, index, item)
    sheet.hide()
    sheet.protect("")


def _meta_sheet(book: Any, entry: EntryBook, formats: _Formats) -> None:
    sheet = book.add_worksheet(META_SHEET)
    rows: list[list[str]] = [
        [MARKER, FORMAT_VERSION],
        ["tree", entry.tree_key],
        ["campaign", entry.campaign],
        ["group", entry.group_id],
    ]
    rows += [["file", path, mark] for path, mark in entry.fingerprints.items()]
    for data in entry.sheets:
        rows += [["row", data.name, key] for key, _ in data.rows]
    for row, values in enumerate(rows):
        for column, value in enumerate(values):
            sheet.write_string(row, column, value, formats.hidden)
    sheet.very_hidden()
    sheet.protect("")


def _print_setup(sheet: Any, *, landscape: bool, repeat: bool, centred: bool = True) -> None:
    sheet.set_paper(9)  # A4
    if landscape:
        sheet.set_landscape()
    else:
        sheet.set_portrait()
    sheet.fit_to_pages(1, 0)
    sheet.set_margins(left=0.5, right=0.5, top=0.6, bottom=0.6)
    if centred:
        sheet.center_horizontally()
    sheet.set_footer("&C第 &P 页，共 &N 页")
    if repeat:
        sheet.repeat_rows(0)
