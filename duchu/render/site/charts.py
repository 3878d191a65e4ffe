"""The site's charts, drawn by duchu as inline SVG: no chart library, nothing fetched.

Each function takes numbers that ``duchu.judge.status``, ``duchu.judge.office`` or
``duchu.judge.tally`` already computed and returns SVG markup (``markupsafe.Markup``, so a
template puts it in the page as it is). Every text inside -- a subject's name in a tooltip,
a label -- goes through ``escape``: a chart is markup made by duchu, never by a record.
Colours come from the stylesheet by class (``seg-done``, ``seg-negative``, ...), so print
and screen agree and a tree's own stylesheet may change them."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction

from markupsafe import Markup, escape


@dataclass(frozen=True)
class Segment:
    """One part of a stacked bar: its count, its CSS class and its tooltip."""

    count: int
    css: str
    label: str


def _number(value: float) -> str:
    """A coordinate, short: 12 rather than 12.0, 3.33 rather than 3.3333333."""
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return text or "0"


def stacked_bar(
    segments: Sequence[Segment], total: int, *, width: int = 160, height: int = 12, label: str = ""
) -> Markup:
    """A horizontal bar of ``width`` split by ``segments`` over ``total``; what is left of
    the total (unrated forms, say) stays blank. Edges are rounded cumulatively (as the
    terminal's bars are) so the parts always add up to the whole."""
    parts = [
        f'<svg class="bar" viewBox="0 0 {width} {height}" width="{width}" height="{height}"'
        f' role="img" aria-label="{escape(label)}">',
        f'<rect class="bar-bg" x="0" y="0" width="{width}" height="{height}"/>',
    ]
    if total > 0:
        cumulative, drawn = 0, 0.0
        for segment in segments:
            if segment.count <= 0:
                continue
            cumulative += segment.count
            edge = cumulative * width / total
            parts.append(
                f'<rect class="{escape(segment.css)}" x="{_number(drawn)}" y="0"'
                f' width="{_number(edge - drawn)}" height="{height}">'
                f"<title>{escape(segment.label)}</title></rect>"
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
