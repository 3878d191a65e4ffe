"""The words on stderr beside a command's output: a day far outside the campaign, a phase
not begun (judged in ``duchu.judge.asof``), a file written."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from duchu.cli.console import echo
from duchu.messages import message

if TYPE_CHECKING:
    from duchu.judge.asof import Judged
    from duchu.records.tree import Tree


def warn_outside(judged: Judged, lang: str) -> None:
    """A word on stderr when the as-of date lies far outside the campaign: a newcomer's
    first ``duchu status`` of a 2014 tree would otherwise say "逾期 4467 天" unexplained."""
    from duchu.judge.asof import far_outside
    from duchu.records.dates import format_date

    span = far_outside(judged)
    if span is not None:
        echo(
            message(
                "as-of-outside",
                lang,
                as_of=format_date(judged.day, lang),
                first=format_date(span[0], lang),
                last=format_date(span[1], lang),
            ),
            err=True,
        )


def warn_not_begun(tree: Tree, phase_id: str, day: date, lang: str) -> None:
    """A word on stderr when a report is drafted on a phase that has not begun."""
    from duchu.judge.asof import not_begun
    from duchu.records.dates import format_date

    found = not_begun(tree, phase_id, day)
    if found is not None:
        phase, start = found
        echo(
            message(
                "phase-not-begun",
                lang,
                phase=phase.name,
                start=format_date(start, lang),
                as_of=format_date(day, lang),
            ),
            err=True,
        )
