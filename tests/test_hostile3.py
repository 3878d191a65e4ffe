"""Hostile input, third round: what an adversarial run found after issue 16's own list --
numbers of thousands of digits, streams closed before duchu starts, a template linked out
of the tree, a cache folder pointed into the tree, line ends in names and arguments, a
meeting ``new`` would date before the campaign, an argument that is not UTF-8. Each is one
problem at its place or one line with exit 2; never an internal error."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from duchu.cli.app import app
from tests.conftest import SAMPLE, copy_tree

runner = CliRunner()
INTERNAL = ("内部错误", "internal error", "Traceback")


def no_internal_error(*texts: str) -> None:
    for text in texts:
        assert not any(word in text for word in INTERNAL), text


@pytest.fixture
def sample(tmp_path: Path) -> Path:
    return copy_tree(SAMPLE, tmp_path / "records")


def replace_in(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


# --- numbers no record holds ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("rel", "old", "new"),
    [
        ("units/fagaiwei.yaml", "order: 3", "order: " + "9" * 5000),  # past Python's 4,300
        ("units/fagaiwei.yaml", "order: 3", "order: " + "9" * 16),
        (
            "meetings/2014-02/fagaiwei-mobilization.yaml",
            "distributed: 45",
            "distributed: 1" + "0" * 3999,
        ),
        (
            "meetings/2014-02/fagaiwei-mobilization.yaml",
            "distributed: 45",
            "distributed: -" + "9" * 20,
        ),
    ],
)
def test_a_number_of_many_digits_is_an_error_at_its_place(
    sample: Path, tmp_path: Path, rel: str, old: str, new: str
) -> None:
    replace_in(sample / rel, old, new)
    line = next(
        n
        for n, text in enumerate((sample / rel).read_text("utf-8").splitlines(), 1)
        if text.strip().startswith(new.strip()[:8])
    )
    for command in (["check"], ["status", "--as-of", "2014-06-20"], ["tally"]):
        result = runner.invoke(app, [*command, "--records", str(sample)])
        no_internal_error(result.stdout, result.stderr)
        assert result.exit_code in (1, 2), result.stdout
    result = runner.invoke(app, ["check", "--records", str(sample)])
    problem_lines = [text for text in result.stdout.splitlines() if text.startswith(f"{rel}:")]
    assert len(problem_lines) == 1 and problem_lines[0].startswith(f"{rel}:{line}:")
    # a problem is one line: the number is quoted by its start, not its 5,000 digits
    assert len(problem_lines[0]) < 300
    out = tmp_path / "tally.xlsx"
    result = runner.invoke(
        app, ["tally", "--records", str(sample), "--format", "xlsx", "-o", str(out)]
    )
    no_internal_error(result.stdout, result.stderr)
    assert result.exit_code == 2 and not out.exists()


def test_a_long_number_written_as_text_is_refused_where_a_number_belongs(sample: Path) -> None:
    replace_in(sample / "units/fagaiwei.yaml", "order: 3", 'order: "' + "9" * 5000 + '"')
    result = runner.invoke(app, ["check", "--records", str(sample)])
    no_internal_error(result.stdout, result.stderr)
    assert result.exit_code == 1 and "units/fagaiwei.yaml:3:" in result.stdout


# --- streams closed before duchu starts -----------------------------------------------------


def run_shell(command: str, cwd: Path, stdin: bytes = b"") -> subprocess.CompletedProcess[str]:
    """duchu as a shell runs it (so that ``>&-`` and ``2>&-`` close its streams), ``stdin``
    given to it; what it wrote, as text."""
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).parent.parent)}
    duchu = f"{sys.executable} -m duchu"
    done = subprocess.run(
        ["sh", "-c", command.replace("duchu", duchu, 1)],
        cwd=cwd,
        input=stdin,
        capture_output=True,
        env=env,
        timeout=120,
        check=False,
    )
    return subprocess.CompletedProcess(
        done.args, done.returncode, done.stdout.decode("utf-8"), done.stderr.decode("utf-8")
    )


@pytest.mark.parametrize(
    "command",
    [
        "check",
        "status --as-of 2014-06-20",
        "status --as-of 2014-06-20 --format json",
        "tally --format json",
        "report --phase study --group g2 --as-of 2014-04-20",
        "-h",
    ],
)
def test_a_closed_stdout_is_one_line_and_exit_2(sample: Path, command: str) -> None:
    done = run_shell(f"duchu --records {sample} {command} >&-", sample.parent)
    no_internal_error(done.stderr)
    assert done.returncode == 2, done.stderr
    assert done.stderr.strip().splitlines() == [
        "标准输出已关闭（如 >&-），结果无法写出：请把输出重定向到文件或管道"
    ]


def test_a_closed_stderr_changes_no_exit_status(sample: Path, tmp_path: Path) -> None:
    # today is far outside the 2014 campaign: a note goes to stderr, which is closed
    done = run_shell(f"duchu --records {sample} status >/dev/null 2>&-", sample.parent)
    assert done.returncode == 0
    site = tmp_path / "site"
    done = run_shell(f"duchu --records {sample} site -o {site} >&- 2>&-", sample.parent)
    assert done.returncode == 0 and (site / "index.html").is_file()  # writes no stdout at all


# --- a template linked out of the tree ------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "command"),
    [
        ("report.md.j2", ["report", "--phase", "study", "--group", "g2"]),
        ("site/site.css", ["site", "-o", "{out}"]),
        ("site/unit.html.j2", ["site", "-o", "{out}"]),
    ],
)
def test_a_template_linked_out_of_the_tree_is_refused_not_passed_over(
    sample: Path, tmp_path: Path, name: str, command: list[str]
) -> None:
    outside = tmp_path / "outside.j2"
    outside.write_text("读到了记录目录之外", encoding="utf-8")
    link = sample / "templates" / name
    link.parent.mkdir(parents=True, exist_ok=True)
    link.symlink_to(outside)
    out = tmp_path / "out"
    args = [part.replace("{out}", str(out)) for part in command]
    result = runner.invoke(app, [*args, "--records", str(sample), "--as-of", "2014-06-20"])
    no_internal_error(result.stdout, result.stderr)
    assert result.exit_code == 2
    assert len(result.stderr.strip().splitlines()) == 1 and "templates" in result.stderr
    assert "读到了记录目录之外" not in result.stdout
    assert not out.exists()


# --- the cache never goes into the tree -----------------------------------------------------


@pytest.mark.parametrize("inside", [".", "sub/cache"])
def test_a_cache_folder_inside_the_tree_is_not_used(
    sample: Path, monkeypatch: pytest.MonkeyPatch, inside: str
) -> None:
    monkeypatch.delenv("DUCHU_NO_CACHE", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(sample / inside))
    monkeypatch.setenv("HOME", str(sample.parent / "home"))
    before = sorted(p.relative_to(sample) for p in sample.rglob("*"))
    for _ in range(2):  # a second run would read what the first wrote
        result = runner.invoke(app, ["status", "--records", str(sample), "--as-of", "2014-06-20"])
        assert result.exit_code == 0, result.stderr
    assert sorted(p.relative_to(sample) for p in sample.rglob("*")) == before
    assert (sample.parent / "home" / ".cache" / "duchu").is_dir()  # the cache went home


def test_with_home_inside_the_tree_too_there_is_no_cache(
    sample: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("DUCHU_NO_CACHE", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(sample))
    monkeypatch.setenv("HOME", str(sample))
    before = sorted(p.relative_to(sample) for p in sample.rglob("*"))
    result = runner.invoke(app, ["status", "--records", str(sample), "--as-of", "2014-06-20"])
    assert result.exit_code == 0, result.stderr
    assert sorted(p.relative_to(sample) for p in sample.rglob("*")) == before


# --- one line stays one line ----------------------------------------------------------------


def test_a_line_end_in_a_file_name_cannot_forge_a_problem_line(sample: Path) -> None:
    forged = "units/a\nFAKE.yaml:1:1: error: forged [x].yaml"
    (sample / forged).write_text("name: 甲\ngroup: nowhere\n", encoding="utf-8")
    result = runner.invoke(app, ["check", "--records", str(sample)])
    no_internal_error(result.stdout, result.stderr)
    assert not any(line.startswith("FAKE") for line in result.stdout.splitlines())
    assert "units/a\\x0aFAKE.yaml" in result.stdout


@pytest.mark.parametrize("option", ["--unit", "--group"])
def test_a_line_end_in_an_argument_stays_in_its_one_line(sample: Path, option: str) -> None:
    result = runner.invoke(
        app, ["status", "--records", str(sample), option, "x\nFAKE: forged\r\u2028y"]
    )
    assert result.exit_code == 2
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr
    assert "x\\x0aFAKE: forged\\x0d\\u2028y" in result.stderr


# --- new writes nothing check would refuse ---------------------------------------------------


def test_new_meeting_before_the_campaign_is_refused_and_nothing_written(sample: Path) -> None:
    before = sorted(p.relative_to(sample) for p in sample.rglob("*"))
    result = runner.invoke(
        app,
        [
            "new",
            "meeting",
            "--records",
            str(sample),
            "--unit",
            "fagaiwei",
            "--kind",
            "mobilization",
            "--date",
            "0001-01-01",
        ],
    )
    assert result.exit_code == 2
    assert "0001-01-01" in result.stderr and "2014-02-11" in result.stderr
    assert sorted(p.relative_to(sample) for p in sample.rglob("*")) == before
    assert runner.invoke(app, ["check", "--records", str(sample)]).exit_code == 0


def test_an_argument_that_is_not_utf8_is_named_as_such(sample: Path) -> None:
    # how Python hands over an argument byte that is not UTF-8 (a GBK terminal's 名)
    result = runner.invoke(
        app,
        ["new", "unit", "u2", "--records", str(sample), "--group", "g1", "--name", "\udcc3\udffb"],
    )
    assert result.exit_code == 2
    assert "--name 的值不是 UTF-8 文字" in result.stderr
    assert not (sample / "units" / "u2.yaml").exists()


# --- dates are written in ASCII digits, whatever the script ---------------------------------


@pytest.mark.parametrize("as_of", ["٢٠١٤-٠٦-٢٠", "۲۰۱۴年۶月۲۰日"])
def test_digits_of_other_scripts_are_refused(sample: Path, as_of: str) -> None:
    result = runner.invoke(app, ["status", "--records", str(sample), "--as-of", as_of])
    assert result.exit_code == 2 and "--as-of" in result.stderr


@pytest.mark.parametrize(
    "as_of",
    ["２０１４年６月２０日", "２０１４－０６－２０", "２０１４-０６-２０", "2014年６月２０日"],
)
def test_full_width_digits_a_chinese_input_method_types_are_read(sample: Path, as_of: str) -> None:
    wide = runner.invoke(app, ["status", "--records", str(sample), "--as-of", as_of])
    plain = runner.invoke(app, ["status", "--records", str(sample), "--as-of", "2014-06-20"])
    assert wide.exit_code == plain.exit_code == 0 and wide.stdout == plain.stdout


def test_full_width_dates_in_records_pass_check(sample: Path) -> None:
    replace_in(
        sample / "meetings/2014-02/fagaiwei-mobilization.yaml",
        "date: 2014-02-",
        "date: ２０１４-０２-",
    )
    result = runner.invoke(app, ["check", "--records", str(sample)])
    assert result.exit_code == 0, result.stdout


def test_an_ideographic_space_in_a_chinese_date_is_still_a_space(sample: Path) -> None:
    spaced = runner.invoke(
        app, ["status", "--records", str(sample), "--as-of", "2014年\u30006月20日"]
    )
    plain = runner.invoke(app, ["status", "--records", str(sample), "--as-of", "2014-06-20"])
    assert spaced.exit_code == plain.exit_code == 0 and spaced.stdout == plain.stdout


# --- a YAML fault is told in the user's language ---------------------------------------------


@pytest.mark.parametrize(
    ("text", "zh", "en"),
    [
        ("name: 甲: 乙\ngroup: g1\n", "请给整个值加引号", "quote a value"),
        ("name: [甲, 乙\ngroup: g1\n", "方括号 [ 没有闭合", "'[' is not closed"),
        ("name: {甲: 1\ngroup: g1\n", "花括号 { 没有闭合", "'{' is not closed"),
        ("name: '甲\ngroup: g1\n", "引号或括号没有闭合", "a quote or a bracket"),
        ("name: @甲\ngroup: g1\n", "值不能以这个字符开头", "cannot start with"),
        ("name: 甲\n---\ngroup: g1\n", "一个文件只能写一份记录", "a file holds one record"),
        ("? [甲]\n: 1\n", "键不能是列表或映射", "a key cannot be a list"),
    ],
)
def test_a_yaml_fault_is_told_in_chinese_not_in_libyamls_english(
    sample: Path, text: str, zh: str, en: str
) -> None:
    (sample / "units" / "broken.yaml").write_text(text, encoding="utf-8")
    for lang, words in (("zh", zh), ("en", en)):
        result = runner.invoke(app, ["check", "--records", str(sample), "--lang", lang])
        assert result.exit_code == 1
        line = next(x for x in result.stdout.splitlines() if x.startswith("units/broken.yaml:"))
        assert words in line and "[yaml-syntax]" in line, line
        if lang == "zh":  # none of libyaml's own words left in a Chinese line
            assert not any(w in line for w in ("found", "expected", "allowed", "while")), line


# --- the server hook fed something other than git's lines ------------------------------------


@pytest.mark.parametrize(
    "fed", [b"garbage\n", b"a b\n", b"0" * 40 + b" " + b"1" * 39 + b" refs/x\n"]
)
def test_the_pre_receive_hook_fed_by_hand_refuses_in_one_line(tmp_path: Path, fed: bytes) -> None:
    bare = tmp_path / "office.git"
    subprocess.run(["git", "init", "-q", "--bare", str(bare)], check=True)
    done = run_shell("duchu hook run pre-receive", bare, stdin=fed)
    stderr = done.stderr
    no_internal_error(stderr)
    assert done.returncode != 0  # the push is refused
    assert len(stderr.strip().splitlines()) == 1 and "pre-receive" in stderr, stderr


# --- form numbers: digits int() cannot read, control characters --------------------------------


@pytest.mark.parametrize(
    ("number", "code"), [("²", None), ("①②", None), ("12\x1b[2J", "control-in-text")]
)
def test_a_csv_form_number_of_odd_characters_is_counted_or_refused_never_a_crash(
    sample: Path, number: str, code: str | None
) -> None:
    sheet = sample / "meetings" / "2014-09" / "jiaotong-summary.csv"
    lines = sheet.read_text(encoding="utf-8-sig").splitlines()
    first = lines[1].split(",", 1)
    lines[1] = f"{number},{first[1]}"
    lines.append(f"{number},{first[1]}")  # written twice: a duplicate warning, not a crash
    sheet.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = runner.invoke(app, ["check", "--records", str(sample)])
    no_internal_error(result.stdout, result.stderr)
    mine = [x for x in result.stdout.splitlines() if x.startswith(str(sheet.relative_to(sample)))]
    assert any("[ballot-duplicate]" in x for x in mine), result.stdout
    if code is not None:
        assert result.exit_code == 1 and any(f"[{code}]" in x for x in mine), result.stdout
        assert "\x1b" not in result.stdout
    tally = runner.invoke(app, ["tally", "--records", str(sample)])
    no_internal_error(tally.stdout, tally.stderr)


# --- what a problem quotes, and what it lists ---------------------------------------------------


def test_a_problem_lists_every_choice_however_long_the_list(sample: Path) -> None:
    """Only a value quoted from a file is shortened: the candidates are listed closest first
    (issue 24: at most ten, the rest counted), so the one meant ('plan', late in the
    campaign) is there to be seen, first."""
    replace_in(
        sample / "meetings/2014-02/zhengfuban-mobilization.yaml",
        "completes: [plan]",
        "completes: [planx]",
    )
    result = runner.invoke(app, ["check", "--records", str(sample)])
    line = next(x for x in result.stdout.splitlines() if "“planx”" in x)
    assert "（可选：审定实施方案和动员讲话稿（plan）" in line, line


# --- a template linked elsewhere inside the tree ------------------------------------------------


def test_a_template_linked_to_a_file_elsewhere_in_the_tree_is_used(sample: Path) -> None:
    shared = sample / "shared"
    shared.mkdir()
    (shared / "report.md.j2").write_text("本组自己的模板 {{ group.name }}\n", encoding="utf-8")
    (sample / "templates").mkdir()
    (sample / "templates" / "report.md.j2").symlink_to(Path("..") / "shared" / "report.md.j2")
    result = runner.invoke(
        app, ["report", "--records", str(sample), "--phase", "study", "--group", "g2"]
    )
    assert result.exit_code == 0, result.stderr
    assert result.stdout.startswith("本组自己的模板")
