"""The one-pass table (CJK alignment, folding that never cuts), the progress bar (only on
a terminal), and a start-up that imports nothing heavy for ``--version`` and ``--help``."""

from __future__ import annotations

import io
import subprocess
import sys

from hypothesis import given, settings
from hypothesis import strategies as st
from rich.cells import cell_len
from rich.console import Console
from rich.text import Text

from duchu.render.text import Column, loading_progress, print_table


def _render(columns: list[Column], rows: list[list[Text | str]], width: int) -> list[str]:
    stream = io.StringIO()
    print_table(Console(file=stream, width=width, color_system=None), columns, rows)
    return stream.getvalue().splitlines()


def test_cjk_columns_line_up() -> None:
    lines = _render(
        [Column("单位", wrap=False), Column("逾期天数", justify="right"), Column("说明")],
        [["市发改委", "3", "召开动员大会"], ["Planning", "12", Text("late", style="red")]],
        width=80,
    )
    assert lines[0].startswith("  单位       逾期天数   说明")
    assert set(lines[1].strip()) == {"─"}
    # every line is as wide as every other, counting a Chinese character as two cells
    assert len({cell_len(line) for line in lines}) == 1
    three, twelve = lines[2].index("3"), lines[3].index("12")  # right-justified numbers
    assert cell_len(lines[2][:three]) == cell_len(lines[3][:twelve]) + 1
    notes = lines[2].index("召"), lines[3].index("late")
    assert cell_len(lines[2][: notes[0]]) == cell_len(lines[3][: notes[1]])


def test_prose_folds_first_and_headers_never_fold() -> None:
    item = "对照检查材料（晚 3 天）"
    prose = "召开专题民主生活会早于“对照检查材料审核通过”完成，须说明情况"
    lines = _render(
        [Column("逾期完成"), Column("问题", prose=True), Column("很长很长的表头")],
        [[item, prose, ""]],
        width=60,
    )
    assert item in lines[2]  # the short item kept whole; the prose folded
    assert "很长很长的表头" in lines[0]
    assert "".join(line.split("）")[-1].strip() for line in lines[2:]).startswith("召开")
    assert not any(line.strip().startswith(("）", "，")) for line in lines)


cell_lines = st.lists(
    st.text(alphabet="对照检查材料晚天abcXYZ（）12 ", max_size=40), min_size=1, max_size=3
)


@given(
    rows=st.lists(cell_lines, min_size=1, max_size=4),
    width=st.integers(min_value=8, max_value=120),
    prose=st.booleans(),
)
@settings(max_examples=300, deadline=None)
def test_folding_never_cuts_or_loses_text(rows: list[list[str]], width: int, prose: bool) -> None:
    lines = _render([Column("说明", prose=prose)], [["\n".join(row)] for row in rows], width)
    shown = "".join(line for line in lines[2:]).replace(" ", "")
    assert shown == "".join("".join(row) for row in rows).replace(" ", "")
    assert len({cell_len(line) for line in lines}) == 1  # a rectangle, whatever was folded


def test_progress_only_on_a_terminal_and_only_when_slow() -> None:
    piped = io.StringIO()
    with loading_progress(piped, "zh") as progress:
        assert progress is None
    with loading_progress(io.StringIO(), "zh", force_terminal=True, enabled=False) as progress:
        assert progress is None
    terminal = io.StringIO()
    with loading_progress(terminal, "zh", force_terminal=True, after=0) as progress:
        assert progress is not None
        progress(5, 10)
    assert "读取记录" in terminal.getvalue() and "5/10" in terminal.getvalue()
    quick = io.StringIO()
    with loading_progress(quick, "en", force_terminal=True, after=60) as progress:
        assert progress is not None
        progress(10, 10)
    assert quick.getvalue() == ""  # done before a second passed: nothing drawn


HEAVY = ("pydantic", "yaml", "jinja2", "docx", "duchu.records.load", "duchu.records.models")
PROBE = """
import sys
sys.argv = ["duchu", *sys.argv[1:]]
from duchu.launch import main
try:
    main()
except SystemExit:
    pass
print("LOADED", sorted(m for m in {heavy!r} if m in sys.modules), "typer" in sys.modules)
"""


def _loaded_after(*args: str) -> str:
    result = subprocess.run(
        [sys.executable, "-c", PROBE.format(heavy=HEAVY), *args],
        capture_output=True,
        text=True,
        check=True,
    )
    return result.stdout.strip().splitlines()[-1]


def test_version_imports_nothing_but_duchu() -> None:
    assert _loaded_after("--version") == "LOADED [] False"


def test_help_imports_nothing_heavy() -> None:
    assert _loaded_after("--help") == "LOADED [] True"
    # A command's own help: Typer (0.29) builds its option parsers with pydantic, so pydantic
    # comes with Typer there; nothing of duchu's heavy work does.
    assert _loaded_after("status", "--help") in ("LOADED [] True", "LOADED ['pydantic'] True")
