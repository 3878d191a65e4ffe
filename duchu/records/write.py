"""Writing into a records tree: ``duchu init`` and ``duchu new``, the only writers there are.

Files are created exclusively (``open(..., "x")``): an existing file is never overwritten,
and of two ``duchu new`` racing for one path exactly one wins. What is written is valid as
written -- ``duchu check`` passes on it -- and filled from what the records already know.
After ``init_tree``, ``duchu init`` installs the client hooks (pre-commit, pre-merge-commit,
``duchu.hooks.install``), which check what is being committed, not the edits left unstaged.

Records made from what a user typed or the records hold (names, leaders, members) are
written by a YAML emitter, never by pasting text into a template: a name such as
``[试点] 市局: #1`` must come back as exactly that name, not as a list, a mapping or a
comment. Each record is read back before it is written (and again from the disk after),
and anything that would not come back exactly, or that ``duchu check`` would refuse, is
refused instead of written.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from duchu.errors import DuchuError, ScaffoldError, os_reason
from duchu.git.run import init_repository
from duchu.problems import Ref, candidates_arg
from duchu.records.ballot_counts import BALLOT_COLUMN, INVALID_COLUMN
from duchu.records.checks import first_start
from duchu.records.identity import invisible_in
from duchu.records.models import Group, Meeting, MeetingKind, Notice, Unit
from duchu.records.tree import CAMPAIGN_FILE, ID_PATTERN, Tree

CACHE_FOLDER = ".duchu-cache"


def write_new(path: Path, text: str | bytes, exists: str = "file-exists") -> None:
    """Create ``path`` with ``text``; refuse (with the message ``exists``) if it exists,
    atomically, by the OS. A fault of the disk half way (full, over a quota or ``ulimit
    -f``) removes what was created and is one line naming the file."""
    make_folder(path.parent)
    data = text.encode("utf-8") if isinstance(text, str) else text
    try:
        flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)  # never a link
        descriptor = os.open(path, flags, 0o666)
    except FileExistsError:
        raise ScaffoldError(exists, path=path) from None
    except OSError as err:
        raise ScaffoldError("cannot-write", path=path, reason=os_reason(err)) from None
    try:
        try:
            view = memoryview(data)
            while view:
                view = view[os.write(descriptor, view) :]
        finally:
            os.close(descriptor)
    except OSError as err:
        path.unlink(missing_ok=True)  # created above, by this process: nothing half written
        raise ScaffoldError("cannot-write", path=path, reason=os_reason(err)) from None
    except BaseException:
        path.unlink(missing_ok=True)
        raise


def make_folder(folder: Path) -> None:
    """Make ``folder`` and any folder above it that is missing. Where something other than
    a folder stands in the way (a file ``meetings/2014-10``, a dangling link) say which and
    what it is: the OS says only "exists" or "not a directory", naming neither."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except (FileExistsError, NotADirectoryError):
        for step in (*reversed(folder.parents), folder):
            if os.path.lexists(step) and not step.is_dir():
                kind = "link" if step.is_symlink() else "file" if step.is_file() else "special"
                raise ScaffoldError(
                    "not-a-folder", path=step, what=Ref(f"what-is-{kind}")
                ) from None
        raise


# --- duchu init ----------------------------------------------------------------------------------

INIT_FILES = {
    CAMPAIGN_FILE: """\
# 活动：环节、规定动作和时限。时限可写具体日期（2014-02-28、2014年2月28日）
# 或按旬（9月上旬 = 9月10日前，9月下旬/9月底 = 月底前，7月初 = 7月5日前）。
name: 党的群众路线教育实践活动
issuer: 中共××市委教育实践活动领导小组
year: 2014
warn_days: 7
meeting_kinds:
  coordination: 协调会
  mobilization: {name: 动员大会, appraisal: true}
  democratic_life: 专题民主生活会
  summary: {name: 总结大会, appraisal: true}
appraisal:
  team: 领导班子
  ratings: [好, 较好, 一般, 差]
  positive: [好, 较好]
  negative: [差]
  flag_at: 0.2
phases:
  - id: study
    name: 学习教育、听取意见
    start: 2月中旬
    due: 4月中旬
    actions:
      - {id: plan, name: 审定实施方案和动员讲话稿, due: 2014-02-28}
      - id: mobilization
        name: 召开动员大会
        due: 2014-02-28
        meeting: mobilization
        after: [plan]
      - {id: opinions, name: 深入基层征求意见, due: 4月上旬}
  - id: criticism
    name: 查摆问题、开展批评
    start: 4月下旬
    due: 6月中旬
    actions:
      - {id: talks, name: 谈心谈话全覆盖, due: 5月下旬}
      - {id: materials, name: 对照检查材料审核通过, due: 5月下旬}
      - id: democratic_life
        name: 召开专题民主生活会
        due: 6月上旬
        meeting: democratic_life
        after: [talks, materials]
      - {id: group_report, name: 报送阶段督导报告, due: 6月中旬, by: group}
""",
    "groups/g1.yaml": """\
name: 市委第一督导组
leader: 张某
members: [张某, 赵某, 钱某]
""",
    "units/fagaiwei.yaml": """\
name: 市发展和改革委员会
short: 市发改委
group: g1
category: 综合部门
leaders:
  - {name: 王某, post: 党组书记、主任}
  - {name: 李某, post: 党组成员、副主任}
done:
  plan: 2014-02-20
""",
    "units/jiaotong.yaml": """\
name: 市交通运输局
short: 市交通局
group: g1
category: 窗口服务单位
leaders:
  - {name: 刘某, post: 党委书记、局长}
  - {name: 陈某, post: 党委委员、副局长}
""",
    "meetings/2014-02/fagaiwei-mobilization.yaml": """\
date: 2014-02-26
unit: fagaiwei
kind: mobilization
title: 市发改委党的群众路线教育实践活动动员大会
attended_by: [张某, 赵某]
notes: |
  督导组组长讲话，传达中央、省委、市委精神；会上回收民主评议表。
appraisal:
  distributed: 45
  returned: 43
  invalid: 1
  counts:
    领导班子: {好: 30, 较好: 8, 一般: 3, 差: 1}
    王某: {好: 28, 较好: 10, 一般: 3, 差: 1}
    李某: {好: 25, 较好: 11, 一般: 5, 差: 1}
""",
    ".gitignore": f"# duchu 的缓存，不入库\n{CACHE_FOLDER}/\n",
}


def _holds_anything(folder: Path) -> bool:
    return folder.exists() and any(entry.name != ".git" for entry in folder.iterdir())


# `duchu init --empty`: what an office starts its own tree from -- the campaign to adapt, and
# nothing of the example's groups, units and meetings to delete again.
EMPTY_FILES = (CAMPAIGN_FILE, ".gitignore")


def init_tree(target: Path, *, empty: bool = False) -> list[str]:
    """Write a small working records tree into an empty or new folder (with ``empty``, the
    campaign alone) and make it a git repository; the files written (relative). The client
    hooks are the caller's to install next (``duchu.hooks.install.install_client_hooks``)."""
    if (target / CAMPAIGN_FILE).exists():
        raise ScaffoldError("init-has-records", path=target)
    if target.exists() and not target.is_dir():
        raise ScaffoldError("init-not-folder", path=target)
    if _holds_anything(target):
        raise ScaffoldError("init-not-empty", path=target)
    make_folder(target)
    written = []
    for rel, text in INIT_FILES.items():
        if empty and rel not in EMPTY_FILES:
            continue
        write_new(target / rel, text)
        written.append(rel)
    if not (target / ".git").exists():
        init_repository(target)
    return written


# --- duchu new ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Written:
    path: Path
    rel: str
    ballots: Path | None = None  # the empty ballot sheet written beside a meeting


# Names, leaders and members are text to be shown and printed; ../shared/spec/RECORDS.md refuses
# control characters (C0 but the newline of multi-line fields, DEL, C1) and bidirectional
# overrides, which can make a name look like another on a screen or in a document. What
# `check` would refuse is refused here, naming the option it came from.
_FORBIDDEN = frozenset(
    [*range(0x00, 0x20), 0x7F, *range(0x80, 0xA0), *range(0x202A, 0x202F), *range(0x2066, 0x206A)]
)


def clean_text(option: str, value: str, *, name: bool = True) -> str:
    """``value`` as given, or a ScaffoldError when a record may not hold it (a ``name``, as
    a person's or a group's, may not hold an invisible character either: blank-name)."""
    if not value.strip():
        raise ScaffoldError("empty-value", option=option)
    for char in value:
        if ord(char) in _FORBIDDEN:
            raise ScaffoldError("bad-text", option=option, code_point=f"U+{ord(char):04X}")
        if 0xD800 <= ord(char) <= 0xDFFF:  # a byte of an argument that is not UTF-8
            raise ScaffoldError("not-utf8-argument", option=option)
    invisible = invisible_in(value) if name else None
    if invisible is not None:
        raise ScaffoldError("invisible-in-name", option=option, code_point=invisible)
    return value


def split_names(option: str, value: str) -> list[str]:
    """Names given as one option: separated by ',', '，' or '、' (as people type lists in
    Chinese), blanks around them dropped, each once, in the order given."""
    names: list[str] = []
    for part in value.replace("，", ",").replace("、", ",").split(","):
        name = part.strip()
        if name and name not in names:
            names.append(clean_text(option, name))
    if not names:
        raise ScaffoldError("empty-value", option=option)
    return names


# Where `new` looks up the things its options name, by id. The command line turns a name
# typed where an id goes into the id first (../shared/spec/CLI.md 1.1); these stay the one place
# that says which ids exist.
def find_group(tree: Tree, group_id: str) -> Group:
    group = tree.groups.get(group_id)
    if group is None:
        raise ScaffoldError("no-such-group", id=group_id)
    return group


def find_unit(tree: Tree, unit_id: str) -> Unit:
    unit = tree.units.get(unit_id)
    if unit is None:
        raise ScaffoldError("no-such-unit", id=unit_id)
    return unit


def find_kind(tree: Tree, kind: str) -> MeetingKind:
    campaign = tree.campaign
    assert campaign is not None
    found = campaign.meeting_kinds.get(kind)
    if found is None:
        named = [(k.name, kid) for kid, k in campaign.meeting_kinds.items()]
        raise ScaffoldError("unknown-kind", kind=kind, candidates=candidates_arg(named))
    return found


def _new_id(ident: str) -> str:
    if not ID_PATTERN.fullmatch(ident):
        raise ScaffoldError("bad-id", id=ident)
    return ident


def _free(tree: Tree, rel: str) -> str:
    """``rel``, when no record is there yet: said before anything else about the record,
    so that running one command twice says "exists", not that its name is taken."""
    if (tree.root / rel).exists():
        raise ScaffoldError(_exists_message(rel), path=tree.root / rel)
    return rel


def _exists_message(rel: str) -> str:
    # a meeting's file name is the user's to choose (--name); a group's or unit's is its id
    return "file-exists" if rel.startswith(("meetings/", "notices/")) else "record-exists"


def _unique_name(tree: Tree, kind: str, name: str) -> None:
    """A new group's or unit's name must not be another's: names stand for ids on the
    command line only while exactly one thing has them."""
    if kind == "group":
        taken = {g.name: gid for gid, g in tree.groups.items()}
    else:
        taken = {n: uid for uid, u in tree.units.items() for n in (u.name, u.short) if n}
    if name in taken:
        raise ScaffoldError(f"{kind}-name-taken", name=name, id=taken[name])


# --- emitting records ---


class Guidance(str):
    """A comment line written above the next key: our own words, never a user's."""


Item = tuple[str, Any] | Guidance


class _Block(dict[str, Any]):
    """A record's top-level mapping: always in block style, one key a line."""


def _dumper() -> type[Any]:
    import yaml

    from duchu.records.read import RecordLoader

    class RecordDumper(yaml.SafeDumper):
        """PyYAML's safe emitter, resolving plain scalars as duchu reads them: with no
        timestamps, so ``2014-02-26`` is written plain (as people write it) and still
        read as the text it is; everything else (``010``, ``yes``, ``1:30``, ``~``) is
        quoted exactly when a plain scalar would read as something else."""

        yaml_implicit_resolvers = RecordLoader.yaml_implicit_resolvers

    def block(dumper: yaml.SafeDumper, data: _Block) -> yaml.Node:
        return dumper.represent_mapping("tag:yaml.org,2002:map", data, flow_style=False)

    RecordDumper.add_representer(_Block, block)
    return RecordDumper


def render(items: Iterable[Item]) -> tuple[str, dict[str, Any]]:
    """A record's text and the data it must read back as. Each key is emitted on its own
    (block style, lists and mappings of plain values in flow style as people write
    ``members: [张某, 赵某]``), so a guidance comment can stand between keys on a line of
    its own, where no value can reach it."""
    import yaml

    dumper = _dumper()
    pieces: list[str] = []
    data: dict[str, Any] = {}
    for item in items:
        if isinstance(item, Guidance):
            assert "\n" not in item and "\r" not in item
            pieces.append(f"# {item}\n")
            continue
        key, value = item
        data[key] = value
        pieces.append(
            yaml.dump(
                _Block({key: value}),
                Dumper=dumper,
                allow_unicode=True,
                sort_keys=False,
                default_flow_style=None,
                width=1 << 16,  # never fold a long name over two lines
            )
        )
    return "".join(pieces), data


def _model(kind: str) -> type[Any]:
    return {"groups": Group, "units": Unit, "meetings": Meeting, "notices": Notice}[kind]


def _verify(text: str, data: dict[str, Any], rel: str) -> Any:
    """The record ``text`` reads back as through duchu's own reader -- the same data, valid
    -- or a ScaffoldError: nothing that would not come back exactly is written."""
    from pydantic import TypeAdapter, ValidationError

    from duchu.records.read import parse_yaml

    parsed = parse_yaml(text, rel)
    if parsed.problems or parsed.data != data:
        raise ScaffoldError("scaffold-unreadable", path=rel)
    try:
        return TypeAdapter(_model(rel.split("/", 1)[0])).validate_python(parsed.data)
    except ValidationError as err:
        raise ScaffoldError("scaffold-unreadable", path=rel) from err


def _write_record(tree: Tree, rel: str, items: Iterable[Item]) -> Written:
    """Emit, verify, create exclusively, and read back from the disk as ``check`` reads it;
    a file that does not read back as intended is removed again."""
    from duchu.records.parse import load_file

    text, data = render(items)
    expected = _verify(text, data, rel)
    path = tree.root / rel
    write_new(path, text, _exists_message(rel))
    result = load_file(tree.root, rel)
    if result.record != expected or any(p.severity == "error" for p in result.problems):
        path.unlink()
        raise ScaffoldError("scaffold-unreadable", path=rel)
    return Written(path, rel)


# --- the records `new` writes ---


def new_group(
    tree: Tree,
    group_id: str,
    name: str,
    leader: str,
    members: list[str] | None = None,
    order: int | None = None,
) -> Written:
    """A group file ``groups/<id>.yaml``. The leader is a member of the group
    (../shared/spec/RECORDS.md lists them among the members): one left out of ``members`` is put
    first."""
    rel = _free(tree, f"groups/{_new_id(group_id)}.yaml")
    name = clean_text("--name", name)
    leader = clean_text("--leader", leader)
    _unique_name(tree, "group", name)
    people = [clean_text("--members", m) for m in members or []]
    if leader not in people:
        people.insert(0, leader)
    items: list[Item] = [("name", name), ("leader", leader), ("members", people)]
    if order is not None:
        items.append(("order", order))
    else:
        items.append(Guidance("order: 在活动办报表中的排序（数字，如 1），可不写"))
    items += [
        Guidance("accounts: git 服务器上可修改本组记录的账号，如 [zhangmou]，可不写"),
        Guidance("本组自己的规定动作完成情况：事项 id: 日期，如 group_plan: 2014-02-18"),
        ("done", {}),
    ]
    return _write_record(tree, rel, items)


def new_unit(
    tree: Tree,
    unit_id: str,
    group: str,
    name: str | None = None,
    *,
    short: str | None = None,
    order: int | None = None,
    category: str | None = None,
) -> Written:
    """A unit file ``units/<id>.yaml`` in ``group``, valid as written. Without ``name`` the
    unit is named by its id, for the user to correct (the command line says so)."""
    find_group(tree, group)
    rel = _free(tree, f"units/{_new_id(unit_id)}.yaml")
    shown = clean_text("--name", name) if name is not None else unit_id
    _unique_name(tree, "unit", shown)
    items: list[Item] = [("name", shown)]
    if short is not None:
        short = clean_text("--short", short)
        _unique_name(tree, "unit", short)
        items.append(("short", short))
    else:
        items.append(Guidance("short: 简称，用于表格，如 市发改委"))
    if order is not None:
        items.append(("order", order))
    else:
        items.append(Guidance("order: 在本组单位中的排序（数字，如 3），可不写"))
    items.append(("group", group))
    if category is not None:
        items.append(("category", clean_text("--category", category, name=False)))
    else:
        items.append(
            Guidance("category: 单位类别，如 窗口服务单位（规定动作的 applies_to 按它区分）")
        )
    items += [
        Guidance("领导班子成员，按排序，如："),
        Guidance("  - {name: 王某, post: 党组书记、主任}"),
        ("leaders", []),
        Guidance("会议之外完成的规定动作：事项 id: 日期，如 plan: 2014-02-20"),
        ("done", {}),
    ]
    return _write_record(tree, rel, items)


def _members_first_leader(group: Group | None) -> list[str]:
    if group is None:
        return []
    leader = [group.leader] if group.leader else []
    return [*leader, *(m for m in group.members if m not in leader)]


def new_meeting(
    tree: Tree,
    unit_id: str,
    kind: str,
    day: date,
    name: str | None = None,
    *,
    ballots: str | None = None,
    lang: str = "zh",
) -> Written:
    """A draft meeting file (``draft: true`` first, with a comment telling the clerk to
    delete the line once the record is complete, ../shared/spec/RECORDS.md 1.2) at
    ``meetings/YYYY-MM/<unit>-<kind>.yaml`` -- ``<unit>-<kind>-2`` and on for a further one
    in the month (``next_free_stem``) -- or ``<name>.yaml``, with the group's members to
    keep or strike and, when the kind takes an appraisal, the team and the unit's leaders as
    subjects with every rating at zero. With ``ballots``
    ("csv" or "xlsx") the appraisal names an empty ballot sheet written beside the record
    (``Written.ballots``), whose header is the form number, the subjects and ``invalid``."""
    campaign = tree.campaign
    assert campaign is not None
    unit = find_unit(tree, unit_id)
    meeting_kind = find_kind(tree, kind)
    start = first_start(campaign)
    if start is not None and day < start:  # check would refuse the record written
        raise DuchuError("meeting-before-campaign", date=day.isoformat(), start=start.isoformat())
    folder = f"meetings/{day.year:04d}-{day.month:02d}"  # strftime gives year 1 as "1"
    stem = _new_id(name) if name else next_free_stem(tree, folder, f"{unit_id}-{kind}", ballots)
    items: list[Item] = [
        Guidance("草稿：记录填写完整后，请删除下面 draft 这一行；删除前本记录不计入任何统计"),
        ("draft", True),
        ("date", day.isoformat()),
        ("unit", unit_id),
        ("kind", kind),
        ("title", f"{unit.label}{meeting_kind.name}"),
        Guidance("督导组成员：只保留实际到会的"),
        ("attended_by", _members_first_leader(tree.groups.get(unit.group))),
        Guidance("缺席的班子成员及原因，如 - {name: 李某, reason: 出差}"),
        ("absent", []),
        Guidance("people: 谈话、座谈、走访的人次（如 12），可不写"),
        Guidance("notes: 会议情况；多行时写 notes: | 后另起一行，每行缩进两格"),
    ]
    rel = f"{folder}/{stem}.yaml"
    scheme = campaign.appraisal
    subjects = [scheme.team, *(leader.name for leader in unit.leaders)]
    if ballots is not None:
        sheet = f"{stem}.{ballots}"
        items += [
            Guidance(
                f"民主评议：每张票在 {sheet} 中录入一行，收回、无效张数由票表得出；请填发出张数"
            ),
            ("appraisal", {"distributed": 0, "ballots": sheet}),
        ]
        sheet_path = tree.root / _free(tree, f"{folder}/{sheet}")
        _free(tree, rel)
        header = [BALLOT_COLUMN, *subjects, INVALID_COLUMN]
        _write_ballot_sheet(sheet_path, ballots, header, scheme.ratings, len(subjects), lang)
        try:
            written = _write_record(tree, rel, items)
        except BaseException:
            sheet_path.unlink(missing_ok=True)
            raise
        return Written(written.path, written.rel, sheet_path)
    if meeting_kind.appraisal:
        items += [
            Guidance("民主评议：填写张数和各等次票数，或改用 ballots: 文件名.csv"),
            (
                "appraisal",
                {
                    "distributed": 0,
                    "returned": 0,
                    "invalid": 0,
                    "counts": {s: dict.fromkeys(scheme.ratings, 0) for s in subjects},
                },
            ),
        ]
    return _write_record(tree, rel, items)


def next_free_stem(tree: Tree, folder: str, base: str, ballots: str | None) -> str:
    """The id a meeting is given when the command line names none: ``<unit>-<kind>``, or for
    a second meeting of that kind for that unit in the month ``<unit>-<kind>-2`` (then -3,
    ...): the first whose record -- and ballot sheet, when one is written -- is not there yet
    (issue 24: a second visit in a month is no refusal). Nothing is ever overwritten: the
    file is still created exclusively."""
    number = 1
    while True:
        stem = _new_id(base if number == 1 else f"{base}-{number}")
        taken = os.path.lexists(tree.root / folder / f"{stem}.yaml") or (
            ballots is not None and os.path.lexists(tree.root / folder / f"{stem}.{ballots}")
        )
        if not taken:
            return stem
        number += 1


def _write_ballot_sheet(
    path: Path, kind: str, header: list[str], ratings: list[str], subjects: int, lang: str
) -> None:
    """An empty ballot sheet, created only where nothing is (as records are)."""
    from duchu.records.ballot_sheet import ballot_csv_text, write_ballot_template

    if kind == "csv":  # its header never a formula (``duchu.records.ballot_sheet``)
        write_new(path, ballot_csv_text(header))
        return
    from io import BytesIO

    data = BytesIO()
    write_ballot_template(data, header, ratings, subjects, lang=lang)
    write_new(path, data.getvalue())


def relative(path: Path) -> str:
    """A path as the user will want to see it: relative to the current folder if inside,
    '/'-separated on every platform (``units/a.yaml``, as the messages name records)."""
    try:
        shown = os.path.relpath(path)
    except ValueError:  # on another drive (Windows)
        shown = str(path)
    return shown.replace(os.sep, "/")


# --- notices (1.2) ---


@dataclass(frozen=True)
class NoticeDraft:
    """A notice to write (``duchu remind --write``): ids, as duchu writes them."""

    day: date
    unit: str
    level: str
    by: str
    actions: tuple[str, ...] = ()
    subjects: tuple[str, ...] = ()
    reply_by: date | None = None


def _free_notice(tree: Tree, day: date, stem: str) -> str:
    """``notices/YYYY-MM/<stem>.yaml``, or ``<stem>-2.yaml``, ``-3`` ...: the first whose id no
    notice has (in any letter case) and no file holds -- a notice is never overwritten."""
    taken = {ident.casefold() for ident in tree.notices}
    folder = f"{day.year:04d}-{day.month:02d}"  # strftime gives year 1 as "1"
    number = 1
    while True:
        ident = f"{folder}/{stem}" if number == 1 else f"{folder}/{stem}-{number}"
        rel = f"notices/{ident}.yaml"
        if ident.casefold() not in taken and not os.path.lexists(tree.root / rel):
            return rel
        number += 1


def new_notice(tree: Tree, draft: NoticeDraft) -> Written:
    """A notice record at ``notices/YYYY-MM/<unit>-<level>[-N].yaml``, for the clerk to review
    and commit; written by the emitter and read back as ``check`` reads it."""
    rel = _free_notice(tree, draft.day, _new_id(f"{draft.unit}-{draft.level}"))
    items: list[Item] = [
        Guidance("由 duchu remind 生成：请核对（可补 number、note）后提交"),
        ("date", draft.day.isoformat()),
        ("unit", draft.unit),
        ("level", draft.level),
    ]
    if draft.actions:
        items.append(("actions", list(draft.actions)))
    if draft.subjects:
        items.append(("subjects", list(draft.subjects)))
    items.append(("by", draft.by))
    if draft.reply_by is not None:
        items.append(("reply_by", draft.reply_by.isoformat()))
    written = _write_record(tree, rel, items)
    tree.notices[rel.removeprefix("notices/").removesuffix(".yaml")] = _verify(*render(items), rel)
    return written
