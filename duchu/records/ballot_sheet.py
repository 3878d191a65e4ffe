"""The empty ballot sheet of ``duchu new meeting --ballots xlsx``: a record file written into
the tree beside its meeting, for the forms to be typed into. (The CSV kind is one header
line, written by ``duchu.records.write``.)"""

from __future__ import annotations

from pathlib import Path
from typing import BinaryIO

from duchu.messages import message

# as in duchu's other workbooks (``duchu.render.xlsx``)
FONT = "宋体"  # in every Chinese Windows, WPS and (by substitution) LibreOffice
FONT_SIZE = 11


def _display_width(text: str) -> int:
    """Width in characters of the default font, a CJK character counting two: counted from
    the UTF-8 length (CJK takes three bytes, ASCII one)."""
    if text.isascii():
        return len(text)
    return (len(text.encode("utf-8")) + len(text)) // 2


def write_ballot_template(
    path: Path | BinaryIO,
    header: list[str],
    ratings: list[str],
    subjects: int,
    *,
    lang: str,
    rows: int = 1000,
) -> None:
    """An empty ballot sheet: the header (form number, the subjects, invalid) frozen, and in
    every subject column of the first ``rows`` rows a list of the campaign's ratings to pick
    from, so a form typed in cannot hold anything else."""
    import xlsxwriter

    book = xlsxwriter.Workbook(
        str(path) if isinstance(path, Path) else path,
        {"strings_to_numbers": False, "strings_to_formulas": False, "strings_to_urls": False},
    )
    book.formats[0].set_font_name(FONT)
    book.formats[0].set_font_size(FONT_SIZE)
    font = {"font_name": FONT, "font_size": FONT_SIZE}
    bold = book.add_format({"bold": True, "bg_color": "#D9E1F2", "bottom": 1, **font})
    text = book.add_format({"num_format": "@", **font})  # typed in as text, never a number
    sheet = book.add_worksheet(message("sheet-ballots", lang))
    for column, name in enumerate(header):
        sheet.write_string(0, column, name, bold)
        sheet.set_column(column, column, max(_display_width(name) + 4, 10), text)
    sheet.freeze_panes(1, 0)
    if subjects and len(",".join(ratings)) <= 255:  # Excel's limit for a list written out
        sheet.data_validation(
            1,
            1,
            rows,
            subjects,
            {
                "validate": "list",
                "source": ratings,
                "ignore_blank": True,
                "error_type": "stop",
                "error_title": message("ballot-pick-title", lang),
                "error_message": message("ballot-pick-message", lang, ratings="、".join(ratings)),
            },
        )
    book.close()
