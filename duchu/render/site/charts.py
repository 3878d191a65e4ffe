"""The site's charts, drawn by duchu as inline SVG: no chart library, nothing fetched.

Each function takes numbers that ``duchu.judge.status``, ``duchu.judge.office`` or
``duchu.judge.tally`` already computed and returns SVG markup (``markupsafe.Markup``, so a
template puts it in the page as it is). Every text inside -- a subject's name in a tooltip,
a label -- goes through ``escape``: a chart is markup made by duchu, never by a record.
Colours come from the stylesheet by class (``seg-done``, ``seg-negative``, ...), so print
and screen agree and a tree's own stylesheet may change them."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import NamedTuple

import markupsafe
from markupsafe import Markup, escape

from duchu.judge.rates import Shift


class Segment(NamedTuple):
    """One part of a stacked bar: how many it counts, its CSS class and its tooltip. (A
    tuple: a site of 2,000 units makes tens of thousands of them, and a frozen dataclass is
    built field by field through ``object.__setattr__``; ``amount``, as a tuple's ``count``
    is its method.)"""

    amount: int
    css: str
    label: str


def _markupsafe_text(text: str) -> str:
    return str(escape(text))


# The characters ``escape`` replaces (``&<>'"``), as a plain ``str``: a bar's tooltip is
# joined into the bar's markup at once, and ``escape`` builds a ``Markup`` for each through
# a Python-level constructor (markupsafe's own C function where it has one under this name)
_text: Callable[[str], str] = getattr(markupsafe, "_escape_inner", _markupsafe_text)


def _number(value: float) -> str:
    """A coordinate, short: 12 rather than 12.0, 3.33 rather than 3.3333333."""
    text = _numbers.get(value)
    if text is None:
        text = f"{value:.2f}".rstrip("0").rstrip(".") or "0"
        if value and value == value:  # not -0.0 (0.0 as a key, written "-0"), nor NaN
            _numbers[value] = text
    return text


# Each coordinate written once: a province's bars are made of a few thousand distinct
# ones (counts over totals of a few hundred forms), drawn hundreds of thousands of times.
_numbers: dict[float, str] = {}


def stacked_bar(
    segments: Sequence[Segment], total: int, *, width: int = 160, height: int = 12, label: str = ""
) -> Markup:
    """A horizontal bar of ``width`` split by ``segments`` over ``total``; what is left of
    the total (unrated forms, say) stays blank. Edges are rounded cumulatively (as the
    terminal's bars are) so the parts always add up to the whole."""
    parts = [
        f'<svg class="bar" viewBox="0 0 {width} {height}" width="{width}" height="{height}"'
        f' role="img" aria-label="{_text(label)}">',
        f'<rect class="bar-bg" x="0" y="0" width="{width}" height="{height}"/>',
    ]
    if total > 0:
        cumulative, drawn = 0, 0.0
        for count, css, tooltip in segments:
            if count <= 0:
                continue
            cumulative += count
            edge = cumulative * width / total
            parts.append(
                f'<rect class="{_text(css)}" x="{_number(drawn)}" y="0"'
                f' width="{_number(edge - drawn)}" height="{height}">'
                f"<title>{_text(tooltip)}</title></rect>"
            )
            drawn = edge
    parts.append("</svg>")
    return Markup("".join(parts))


def histogram(
    counts: Sequence[int],
    edges: Sequence[str],
    *,
    css: Sequence[str] | None = None,
    marker: float | None = None,
    marker_label: str = "",
    label: str = "",
    width: int = 360,
    height: int = 140,
) -> Markup:
    """Vertical bars, one a bin, with the bins' edges written below (``len(edges)`` is
    ``len(counts) + 1``) and each bar's count above it; ``marker`` (a fraction of the axis,
    say the flag threshold) draws a dashed line there."""
    top, bottom, left = 16, 18, 4
    plot_width = width - 2 * left
    plot_height = height - top - bottom
    step = plot_width / max(len(counts), 1)
    highest = max(counts, default=0) or 1
    parts = [
        f'<svg class="chart" viewBox="0 0 {width} {height}" width="{width}" height="{height}"'
        f' role="img" aria-label="{escape(label)}">',
        f'<line class="axis" x1="{left}" y1="{top + plot_height}" x2="{width - left}"'
        f' y2="{top + plot_height}"/>',
    ]
    for index, count in enumerate(counts):
        bar_height = plot_height * count / highest
        x = left + index * step
        y = top + plot_height - bar_height
        cls = css[index] if css is not None else "seg-bin"
        parts.append(
            f'<rect class="{escape(cls)}" x="{_number(x + 1)}" y="{_number(y)}"'
            f' width="{_number(step - 2)}" height="{_number(bar_height)}">'
            f"<title>{escape(edges[index])}–{escape(edges[index + 1])}: {count}</title></rect>"
        )
        if count:
            parts.append(
                f'<text class="count" x="{_number(x + step / 2)}" y="{_number(y - 3)}"'
                f' text-anchor="middle">{count}</text>'
            )
    for index, edge in enumerate(edges):
        if index % 2:  # every other edge: eleven labels would run together
            continue
        anchor = "start" if index == 0 else "end" if index == len(counts) else "middle"
        parts.append(
            f'<text class="tick" x="{_number(left + index * step)}" y="{height - 4}"'
            f' text-anchor="{anchor}">{escape(edge)}</text>'
        )
    if marker is not None:
        x = left + plot_width * marker
        parts.append(
            f'<line class="marker" x1="{_number(x)}" y1="{top - 6}" x2="{_number(x)}"'
            f' y2="{top + plot_height}"><title>{escape(marker_label)}</title></line>'
        )
    parts.append("</svg>")
    return Markup("".join(parts))


@dataclass(frozen=True)
class Pair:
    """One subject's rate before and after (either may be missing: nothing rated)."""

    label: str
    before: Fraction | None
    after: Fraction | None
    before_text: str
    after_text: str


def before_after(
    pairs: Sequence[Pair], *, before_label: str, after_label: str, width: int = 360
) -> Markup:
    """Two thin bars a subject, before above after, on a 0-100% axis: how a unit's rank and
    file saw each leader at the campaign's first appraisal and at its last."""
    row, name_width, label = 26, 90, 40
    bar_width = width - name_width - label
    height = row * len(pairs) + 18
    parts = [
        f'<svg class="chart" viewBox="0 0 {width} {height}" width="{width}" height="{height}"'
        f' role="img" aria-label="{escape(before_label)} / {escape(after_label)}">',
    ]
    for index, pair in enumerate(pairs):
        y = index * row + 4
        parts.append(
            f'<text class="tick" x="0" y="{y + 14}">{escape(_clipped(pair.label, 7))}'
            f"<title>{escape(pair.label)}</title></text>"
        )
        for offset, rate, text, cls, side in (
            (0, pair.before, pair.before_text, "seg-before", before_label),
            (10, pair.after, pair.after_text, "seg-after", after_label),
        ):
            length = float(rate) * bar_width if rate is not None else 0.0
            parts.append(
                f'<rect class="{cls}" x="{name_width}" y="{y + offset}"'
                f' width="{_number(length)}" height="8">'
                f"<title>{escape(pair.label)} {escape(side)}: {escape(text)}</title></rect>"
                f'<text class="count" x="{_number(name_width + length + 3)}"'
                f' y="{y + offset + 8}">{escape(text)}</text>'
            )
    axis_y = len(pairs) * row + 6
    parts.append(
        f'<line class="axis" x1="{name_width}" y1="{axis_y}" x2="{name_width + bar_width}"'
        f' y2="{axis_y}"/>'
        f'<text class="tick" x="{name_width}" y="{axis_y + 11}">0%</text>'
        f'<text class="tick" x="{name_width + bar_width}" y="{axis_y + 11}"'
        f' text-anchor="end">100%</text>'
    )
    parts.append("</svg>")
    return Markup("".join(parts))


def _clipped(text: str, length: int) -> str:
    return text if len(text) <= length else text[: length - 1] + "…"


@dataclass(frozen=True)
class Series:
    """One line of a line chart: its name, a value (0 to 1) or None (no point) at each
    place, each value's text for its tooltip, and its style's number (``LINE_STYLES``)."""

    label: str
    values: Sequence[float | None]
    texts: Sequence[str]
    style: int
    total: bool = False  # the office's whole line: drawn heavier, beneath the groups'


# A line's dash pattern and marker, so that lines tell apart in grey print too; their
# colours are the stylesheet's (``.trend-s0`` ...), by the same number.
LINE_STYLES: tuple[tuple[str, str], ...] = (
    ("", "circle"),
    ("6 3", "square"),
    ("2 3", "triangle"),
    ("8 3 2 3", "diamond"),
    ("", "cross"),
    ("4 2", "circle-open"),
    ("1 2", "square-open"),
    ("10 4", "triangle-open"),
    ("6 2 1 2 1 2", "plus"),
    ("3 3", "diamond-open"),
    ("12 3 3 3", "star"),
    ("5 5", "bar"),
)


def _marker(kind: str, x: float, y: float, cls: str) -> str:
    """A point's marker: a small shape centred on it (an open shape is drawn white-filled)."""
    open_fill = kind.endswith("-open")
    shape = kind.removesuffix("-open")
    fill = ' fill="#fff"' if open_fill else ""
    r = 3.2
    if shape == "circle":
        body = f'<circle cx="{_number(x)}" cy="{_number(y)}" r="{r}"{fill}'
    elif shape == "square":
        body = (
            f'<rect x="{_number(x - r)}" y="{_number(y - r)}" width="{2 * r}"'
            f' height="{2 * r}"{fill}'
        )
    elif shape in ("triangle", "diamond", "star"):
        if shape == "triangle":
            points = [(x, y - r - 0.8), (x + r + 0.4, y + r), (x - r - 0.4, y + r)]
        elif shape == "diamond":
            points = [(x, y - r - 0.8), (x + r + 0.8, y), (x, y + r + 0.8), (x - r - 0.8, y)]
        else:
            points = [(x, y - r - 1), (x + r, y + r), (x - r - 0.6, y - 1), (x + r + 0.6, y - 1)]
            points.append((x - r, y + r))
        joined = " ".join(f"{_number(px)},{_number(py)}" for px, py in points)
        body = f'<polygon points="{joined}"{fill}'
    elif shape == "bar":
        body = (
            f'<rect x="{_number(x - r - 0.6)}" y="{_number(y - 1.3)}" width="{2 * r + 1.2}"'
            f' height="2.6"{fill}'
        )
    else:  # cross, plus: two strokes
        d = r if shape == "plus" else r * 0.8
        if shape == "plus":
            path = (
                f"M{_number(x - d)} {_number(y)}H{_number(x + d)}"
                f"M{_number(x)} {_number(y - d)}V{_number(y + d)}"
            )
        else:
            path = (
                f"M{_number(x - d)} {_number(y - d)}L{_number(x + d)} {_number(y + d)}"
                f"M{_number(x - d)} {_number(y + d)}L{_number(x + d)} {_number(y - d)}"
            )
        body = f'<path class="stroke" d="{path}"'
    return f'{body} class="mark {cls}"'


def line_swatch(style: int, *, total: bool = False) -> Markup:
    """A legend's sample of a line's style: a short stretch with its marker."""
    dash, marker = LINE_STYLES[style % len(LINE_STYLES)]
    cls = "trend-total" if total else f"trend-s{style % len(LINE_STYLES)}"
    dashed = f' stroke-dasharray="{dash}"' if dash and not total else ""
    return Markup(
        f'<svg class="swatch-line {cls}" viewBox="0 0 30 10" width="30" height="10"'
        f' aria-hidden="true"><line class="line" x1="1" y1="5" x2="29" y2="5"{dashed}/>'
        + ("" if total else _marker(marker, 15, 5, "") + "/>")
        + "</svg>"
    )


def line_chart(
    series: Sequence[Series],
    ticks: Sequence[str],
    *,
    label: str,
    axis_label: str = "",
    tick_width: int = 52,
    width: int = 520,
    height: int = 220,
) -> Markup:
    """Lines over 0-100% across ``len(ticks)`` evenly spaced places (weeks), each tick's
    text below its place, thinned so that they never run together (``tick_width``: how wide
    a tick's text is, in the chart's units). A value of None breaks its line there. The SVG
    scales to its container's width (``viewBox``)."""
    top, bottom, left, right = 10, 22, max(34, tick_width // 2 + 4), tick_width // 2 + 4
    plot_w, plot_h = width - left - right, height - top - bottom
    places = len(ticks)
    step = plot_w / (places - 1) if places > 1 else 0.0

    def x_of(i: int) -> float:
        return left + (i * step if places > 1 else plot_w / 2)

    def y_of(value: float) -> float:
        return top + plot_h * (1 - value)

    parts = [
        f'<svg class="chart trend" viewBox="0 0 {width} {height}" width="{width}"'
        f' height="{height}" role="img" aria-label="{escape(label)}"'
        f' preserveAspectRatio="xMinYMin meet">'
    ]
    for tenth in (0, 25, 50, 75, 100):
        y = y_of(tenth / 100)
        parts.append(
            f'<line class="{"axis" if tenth == 0 else "grid"}" x1="{left}" y1="{_number(y)}"'
            f' x2="{width - right}" y2="{_number(y)}"/>'
            f'<text class="tick" x="{left - 4}" y="{_number(y + 3.5)}" text-anchor="end">'
            f"{tenth}%</text>"
        )
    if axis_label:
        parts.append(f"<title>{escape(axis_label)}</title>")
    # every tick's text centred on its place; a tick written only where the one before it
    # is at least a text's width away, and the last always
    every = max(1, math.ceil(tick_width / step)) if places > 1 else 1
    for i, tick in enumerate(ticks):
        last = i == places - 1
        if (i % every and not last) or (not last and places - 1 - i < every):
            continue
        parts.append(
            f'<text class="tick" x="{_number(x_of(i))}" y="{height - 6}"'
            f' text-anchor="middle">{escape(tick)}</text>'
        )
    ordered = sorted(series, key=lambda s: not s.total)  # the whole beneath the groups
    for line in ordered:
        dash, marker = LINE_STYLES[line.style % len(LINE_STYLES)]
        cls = "trend-total" if line.total else f"trend-s{line.style % len(LINE_STYLES)}"
        path, pen_down = [], False
        for i, value in enumerate(line.values):
            if value is None:
                pen_down = False
                continue
            path.append(f"{'L' if pen_down else 'M'}{_number(x_of(i))} {_number(y_of(value))}")
            pen_down = True
        dashed = f' stroke-dasharray="{dash}"' if dash and not line.total else ""
        parts.append(f'<g class="{cls}"><title>{escape(line.label)}</title>')
        if path:
            parts.append(f'<path class="line" d="{"".join(path)}"{dashed}/>')
        for i, value in enumerate(line.values):
            if value is None:
                continue
            tip = f"<title>{escape(line.label)} {escape(ticks[i])}: {escape(line.texts[i])}</title>"
            if line.total:
                parts.append(
                    f'<circle class="mark" cx="{_number(x_of(i))}" cy="{_number(y_of(value))}"'
                    f' r="2">{tip}</circle>'
                )
            else:
                parts.append(
                    _marker(marker, x_of(i), y_of(value), "") + f">{tip}</" + _tag(marker) + ">"
                )
        parts.append("</g>")
    parts.append("</svg>")
    return Markup("".join(parts))


def _tag(marker: str) -> str:
    shape = marker.removesuffix("-open")
    return {
        "circle": "circle",
        "square": "rect",
        "bar": "rect",
        "triangle": "polygon",
        "diamond": "polygon",
        "star": "polygon",
    }.get(shape, "path")


def rating_css(rating: str, positive: list[str], negative: list[str], index: int) -> str:
    """A rating's colour: green for the positive ones (darker first), red for the negative,
    amber between -- the terminal's colours."""
    if rating in positive:
        return "seg-positive" if positive.index(rating) == 0 else "seg-positive2"
    if rating in negative:
        return "seg-negative"
    del index
    return "seg-middle"


def change_css(change: Shift | None, *, good_when_up: bool) -> str:
    if change is None or change.direction == "same":
        return ""
    return "good" if (change.direction == "rose") == good_when_up else "bad"
