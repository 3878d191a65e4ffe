"""The layout of a 公文 (``gongwen.yaml``): page, margins, fonts and sizes, validated
(``layout_from``), and the GB/T 9704 character grid they give in Word's units (``Grid``).
Reading the file is ``duchu.records.layout``'s."""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any

from docx.shared import Twips
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from duchu.errors import DuchuError

# Lengths a layout may give: millimetres for the page and margins, points for type; NaN and
# infinities are refused by ``allow_inf_nan`` (a NaN size crashed the writer), and each
# range is wide enough for any real document and too narrow for a mistake to pass.
Millimetres = Annotated[float, Field(ge=0, le=1000, allow_inf_nan=False)]
PageLength = Annotated[float, Field(ge=50, le=2000, allow_inf_nan=False)]
Points = Annotated[float, Field(ge=4, le=200, allow_inf_nan=False)]
Count = Annotated[int, Field(ge=5, le=100)]
FontName = Annotated[str, Field(min_length=1, max_length=100, pattern=r"^[^\x00-\x1f\x7f]+$")]


class Margins(BaseModel):
    model_config = ConfigDict(extra="forbid")
    top: Millimetres
    bottom: Millimetres
    left: Millimetres
    right: Millimetres


class PageSize(BaseModel):
    model_config = ConfigDict(extra="forbid")
    width: PageLength
    height: PageLength


class Layout(BaseModel):
    """The one place the DOCX's fonts, sizes (pt), margins (mm) and grid are written down."""

    model_config = ConfigDict(extra="forbid")
    page: PageSize
    margins: Margins
    chars_per_line: Count = 28  # GB/T 9704 5.2.3
    lines_per_page: Count = 22
    title_font: FontName
    title_size: Points
    body_font: FontName
    body_size: Points
    heading1_font: FontName
    heading2_font: FontName
    latin_font: FontName
    table_font: FontName
    table_size: Points
    page_number_font: FontName
    page_number_size: Points
    page_number_gap: Millimetres = 7.0
    sealed: bool = False
    # Written by duchu 1.0's gongwen.yaml, which users copied into their trees' templates/
    # to change a font: still read, and no longer used (the line pitch now follows from
    # lines_per_page, and the provenance went from the page into the properties).
    line_spacing: Points | None = None
    note_size: Points | None = None

    @model_validator(mode="after")
    def _fits(self) -> Layout:
        if self.margins.left + self.margins.right >= self.page.width - 20:
            raise ValueError("margins leave no room for text across the page")
        if self.margins.top + self.margins.bottom >= self.page.height - 20:
            raise ValueError("margins leave no room for text down the page")
        grid = Grid.of(self)
        # The grid only spaces characters a little closer or apart; a count that would
        # squeeze them to half their size or stretch them to double is a mistake.
        if not 0.5 <= grid.char_pitch / self.body_size <= 2:
            raise ValueError(
                f"{self.chars_per_line} characters of {self.body_size:g} pt "
                "do not fit the width of the text block"
            )
        if grid.line_pitch / 20 < self.body_size:
            raise ValueError(
                f"{self.lines_per_page} lines of {self.body_size:g} pt "
                "do not fit the height of the text block"
            )
        if self.page_number_gap + self.page_number_size * 25.4 / 72 >= self.margins.bottom:
            raise ValueError("the page number does not fit in the bottom margin")
        return self


def _twips(millimetres: float) -> int:
    return round(millimetres * 1440 / 25.4)


@dataclass(frozen=True)
class Grid:
    """The grid of GB/T 9704 5.2.3 -- 22 lines of 28 characters -- in Word's units.

    Word stores the page in twips (1/20 pt). The default layout's text block is 210 - 28 -
    26 = 156 mm = 8845 twips = 442.25 pt wide, and 28 characters of 16 pt need 448 pt: set
    at their size, a line holds 27. Each character is therefore set 0.25 pt closer
    (``w:spacing w:val="-5"`` on the body's runs, the largest whole number of twips that
    is enough: 8845 / 28 = 315.9 twips a character, 320 - 315.9 = 4.1, rounded up to 5):
    28 x 15.75 pt = 441 pt fits. The page is 297 - 37 - 35 = 225 mm = 12756 twips tall;
    over 22 lines that is 579.8 twips a line, rounded down so that 22 fit: 579 twips =
    28.95 pt, the line grid's pitch (``w:docGrid w:type="lines" w:linePitch="579"``) and
    the body's exact line spacing.

    Word's own character grid (``w:type="linesAndChars"``, a character pitch of 15.79 pt
    as ``w:charSpace="-842"``, in 1/4096 pt from the body size) would do the same in Word,
    but LibreOffice (7.4) gives every character that is wider than the grid's pitch two
    pitches: 14 characters a line. So the grid is of lines, and ``char_space`` is written
    with it only so that Word's page setup shows 28 characters if someone switches the
    grid to characters there.
    """

    width: int  # of the text block, twips
    height: int
    line_pitch: int  # twips
    spacing: int  # twips added to each character of the body (negative: closer)
    char_space: int  # 1/4096 pt, from the body size
    char_pitch: float  # points: a body character and its spacing

    @classmethod
    def of(cls, layout: Layout) -> Grid:
        page, margins = layout.page, layout.margins
        width = _twips(page.width) - _twips(margins.left) - _twips(margins.right)
        height = _twips(page.height) - _twips(margins.top) - _twips(margins.bottom)
        pitch = width / layout.chars_per_line  # twips
        spacing = math.floor(pitch - layout.body_size * 20)
        return cls(
            width=width,
            height=height,
            line_pitch=height // layout.lines_per_page,
            spacing=spacing,
            char_space=math.floor((pitch / 20 - layout.body_size) * 4096),
            char_pitch=layout.body_size + spacing / 20,
        )

    def chars(self, count: float) -> Twips:
        """``count`` characters of the body, rounded down so that what follows them on the
        line still fits its whole number of characters."""
        return Twips(math.floor(count * self.char_pitch * 20))


def layout_from(data: dict[str, Any], path: Path) -> Layout:
    """The layout a layout file's mapping gives (``duchu.records.layout.read_layout`` reads
    it); ``layout-invalid`` at ``path`` with the first thing wrong."""
    try:
        return Layout.model_validate(data)
    except ValidationError as err:
        first = err.errors()[0]
        detail = f"{'.'.join(str(p) for p in first['loc'])}: {first['msg']}"
        raise DuchuError("layout-invalid", file=path, detail=detail) from None
