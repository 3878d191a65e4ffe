"""Loading a records tree: discovery, reading, validation and checks, all problems collected.

``load_tree(root)`` never stops at the first problem. Each file goes through one pipeline
(read, decode, parse, validate) and yields its record or its problems; then the checks of
``duchu.checks`` run over everything that loaded; last, problems are given their line and
column -- composing again only the files that have problems -- and sorted by file and line.
A record that failed validation still counts as existing, so one typo in a unit file does
not also make every meeting of that unit an "unknown unit".
"""

from __future__ import annotations

import difflib
import os
import re
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from duchu.appraisal import Counts, read_ballots
from duchu.models import Campaign, Group, Meeting, Unit
from duchu.problems import Problem, Ref, Severity, problem
from duchu.yamlio import decode, full_width_colons, locate, parse_yaml

# Letters (Chinese too), digits, '-', '_' and '.'; a meeting id has '/'-separated segments.
ID_PATTERN = re.compile(r"[^\W][\w.-]*|_[\w.-]*")
CAMPAIGN_FILE = "campaign.yaml"
# A record is a page or two of text; a file far larger is a mistake or an attack.
MAX_FILE_BYTES = 4 * 1024 * 1024


class NoRecordsError(Exception):
    """The folder is not a records tree (it holds no campaign.yaml)."""

    def __init__(self, path: Path) -> None:
        super().__init__(str(path))
        self.path = path


@dataclass
class Tree:
    """Everything loaded from a records tree, and every problem found in it."""

    root: Path
    campaign: Campaign | None = None
    groups: dict[str, Group] = field(default_factory=dict)
    units: dict[str, Unit] = field(default_factory=dict)
    meetings: dict[str, Meeting] = field(default_factory=dict)
    # meeting id -> the counts of its appraisal (from ``counts`` or its ballot file)
    appraisals: dict[str, Counts] = field(default_factory=dict)
    # ids of records that exist but did not validate: references to them are not errors
    broken_groups: set[str] = field(default_factory=set)
    broken_units: set[str] = field(default_factory=set)
    problems: list[Problem] = field(default_factory=list)
    files: int = 0
    # decoded text of each file read, kept only while loading to position problems
    texts: dict[str, str] = field(default_factory=dict, repr=False)

    @property
    def group_ids(self) -> set[str]:
        return set(self.groups) | self.broken_groups

    @property
    def unit_ids(self) -> set[str]:
        return set(self.units) | self.broken_units

    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]


def group_path(group_id: str) -> str:
    return f"groups/{group_id}.yaml"


def unit_path(unit_id: str) -> str:
    return f"units/{unit_id}.yaml"


def meeting_path(meeting_id: str) -> str:
    return f"meetings/{meeting_id}.yaml"


# --- discovery ------------------------------------------------------------------------------


@dataclass
class Discovered:
    """The record files of a tree (relative POSIX paths) and problems met finding them."""

    files: list[str] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)


def _inside(real: Path, root_real: Path) -> bool:
    return real == root_real or root_real in real.parents


def _walk(root: Path, rel: str, recursive: bool, found: Discovered, seen: set[Path]) -> None:
    folder = root / rel
    root_real = root.resolve()
    try:
        entries = sorted(os.scandir(folder), key=lambda entry: entry.name)
    except OSError:
        return
    for entry in entries:
        if entry.name.startswith("."):
            continue
        rel_path = f"{rel}/{entry.name}"
        if entry.is_symlink():
            real = Path(os.path.realpath(entry.path))
            if not _inside(real, root_real):
                found.problems.append(
                    problem(rel_path, "outside-tree", line=1, column=1, target=str(real))
                )
                continue
        if entry.is_dir():
            real = Path(os.path.realpath(entry.path))
            if recursive and real not in seen:
                seen.add(real)
                _walk(root, rel_path, recursive, found, seen)
        elif entry.name.endswith(".yaml"):
            if entry.is_file():
                found.files.append(rel_path)
            else:  # a pipe or device would block or never end: never opened
                found.problems.append(problem(rel_path, "not-a-file", line=1, column=1))
        elif entry.name.endswith(".yml"):
            found.problems.append(
                problem(rel_path, "yml-extension", severity=Severity.WARNING, line=1, column=1)
            )


def discover(root: Path) -> Discovered:
    """campaign.yaml, groups/*.yaml, units/*.yaml and meetings/**/*.yaml, in name order."""
    found = Discovered()
    campaign = root / CAMPAIGN_FILE
    if campaign.is_symlink() and not _inside(campaign.resolve(), root.resolve()):
        found.problems.append(
            problem(CAMPAIGN_FILE, "outside-tree", line=1, column=1, target=campaign.resolve())
        )
    else:
        found.files.append(CAMPAIGN_FILE)
    _walk(root, "groups", False, found, set())
    _walk(root, "units", False, found, set())
    _walk(root, "meetings", True, found, {(root / "meetings").resolve()})
    return found


# --- validation problems ----------------------------------------------------------------------

_EXPECT_BY_TYPE = {
    "string_type": "expect-text",
    "string_too_short": "expect-text",
    "int_type": "expect-integer",
    "int_from_float": "expect-integer",
    "float_type": "expect-number",
    "list_type": "expect-list",
    "dict_type": "expect-mapping",
    "model_type": "expect-mapping",
    "model_attributes_type": "expect-mapping",
    "bool_type": "expect-bool",
    "literal_error": "expect-choice",
    "too_short": "expect-list",
}


def _fields_of(model: type[BaseModel], loc: tuple[str | int, ...]) -> list[str]:
    """The keys a model accepts at ``loc`` (for "did you mean" hints on unknown keys)."""
    current: Any = model
    for part in loc:
        if isinstance(part, int) or current is None:
            continue
        info = getattr(current, "model_fields", {}).get(part)
        if info is not None:  # otherwise ``part`` is a key of a dict field: stay on its model
            current = _model_in(info.annotation)
    return list(getattr(current, "model_fields", {}))


def _model_in(annotation: Any) -> Any:
    """The model class inside an annotation such as ``list[Annotated[Leader, ...]] | None``."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    inner = [*getattr(annotation, "__args__", ()), getattr(annotation, "__origin__", None)]
    for candidate in inner:
        if candidate is not None and candidate is not annotation:
            found = _model_in(candidate)
            if found is not None:
                return found
    return None


def validation_problems(path: str, model: type[BaseModel], err: ValidationError) -> list[Problem]:
    """One problem per pydantic error, with the stable codes of duchu."""
    found = []
    for error in err.errors(include_url=False):
        loc = tuple(error["loc"])
        kind = error["type"]
        key = str(next((part for part in reversed(loc) if part != "[key]"), ""))
        if kind == "extra_forbidden":
            known = _fields_of(model, loc[:-1])
            close = difflib.get_close_matches(key, known, n=1)
            found.append(
                problem(
                    path,
                    "unknown-key",
                    loc=loc,
                    anchor="key",
                    key=key,
                    suggestion=Ref("suggest-key" if close else ""),
                    close=close[0] if close else "",
                )
            )
        elif kind == "missing":
            found.append(problem(path, "missing-key", loc=loc, anchor="parent", key=key))
        else:
            ctx = error.get("ctx") or {}
            expected = _EXPECT_BY_TYPE.get(kind, "expect-other")
            if kind in {"greater_than_equal", "less_than_equal"}:
                expected = "expect-range"
            found.append(
                problem(
                    path,
                    "bad-value",
                    loc=loc,
                    anchor="key" if loc and loc[-1] == "[key]" else "value",
                    key=key,
                    expected=Ref(expected),
                    detail=error["msg"],
                    choices=str(ctx.get("expected", "")).replace(" or ", ", "),
                    low=ctx.get("ge", ""),
                    high=ctx.get("le", ""),
                )
            )
    return found


# --- loading ----------------------------------------------------------------------------------

_MODELS: dict[str, type[BaseModel]] = {
    "campaign": Campaign,
    "groups": Group,
    "units": Unit,
    "meetings": Meeting,
}


def record_kind(rel_path: str) -> str:
    return "campaign" if rel_path == CAMPAIGN_FILE else rel_path.split("/", 1)[0]


def record_id(rel_path: str) -> str:
    """The id of a record: its file stem, or for a meeting its path under meetings/."""
    without_suffix = rel_path.removesuffix(".yaml")
    return without_suffix.split("/", 1)[1] if "/" in without_suffix else without_suffix


def _valid_id(record_id_text: str) -> bool:
    return all(ID_PATTERN.fullmatch(segment) for segment in record_id_text.split("/"))


# problems after which a file has no data to validate
_UNREADABLE = {
    "yaml-syntax",
    "tab",
    "yaml-tag",
    "full-width-colon",
    "too-deep",
    "yaml-aliases",
    "control-character",
}


@dataclass
class FileResult:
    path: str
    record: BaseModel | None
    text: str | None
    problems: list[Problem]


def load_file(root: Path, rel_path: str) -> FileResult:
    """Read, decode, parse and validate one record file."""
    kind = record_kind(rel_path)
    if kind != "campaign" and not _valid_id(record_id(rel_path)):
        return FileResult(
            rel_path,
            None,
            None,
            [problem(rel_path, "bad-id", line=1, column=1, id=record_id(rel_path))],
        )
    try:
        size = (root / rel_path).stat().st_size
        if size > MAX_FILE_BYTES:
            return FileResult(
                rel_path,
                None,
                None,
                [problem(rel_path, "too-large", line=1, column=1, size=size, limit=MAX_FILE_BYTES)],
            )
        raw = (root / rel_path).read_bytes()
    except OSError as err:
        detail = err.strerror or str(err)
        return FileResult(
            rel_path,
            None,
            None,
            [problem(rel_path, "yaml-syntax", line=1, column=1, detail=detail)],
        )
    text, problems = decode(raw, rel_path)
    if text is None:
        return FileResult(rel_path, None, None, problems)
    parsed = parse_yaml(text, rel_path)
    problems = parsed.problems
    if any(p.code in _UNREADABLE for p in problems):
        return FileResult(rel_path, None, text, problems)
    data = parsed.data
    if data is None:
        problems.append(problem(rel_path, "empty-file", line=1, column=1))
        return FileResult(rel_path, None, text, problems)
    if not isinstance(data, dict):
        found = Ref("found-list" if isinstance(data, list) else "found-text")
        colons = full_width_colons(text, rel_path)
        problems.extend(
            colons or [problem(rel_path, "not-a-mapping", line=1, column=1, found=found)]
        )
        return FileResult(rel_path, None, text, problems)
    model = _MODELS[kind]
    try:
        record = model.model_validate(data)
    except ValidationError as err:
        colons = full_width_colons(text, rel_path)
        problems.extend(colons or validation_problems(rel_path, model, err))
        return FileResult(rel_path, None, text, problems)
    return FileResult(rel_path, record, text, problems)


def _place(tree: Tree) -> None:
    """Give every problem that has a ``loc`` its line and column, then sort them."""
    pending: dict[str, list[Problem]] = defaultdict(list)
    for item in tree.problems:
        if item.line == 0:
            pending[item.path].append(item)
    if not pending:
        tree.problems.sort(key=Problem.sort_key)
        return
    moved: dict[Problem, Problem] = {}
    for path, items in pending.items():
        text = tree.texts.get(path)
        if text is None:  # checks found a problem in a file that loaded cleanly: read it again
            text = _reread(tree.root, path)
        moved.update(locate(text, items))
    tree.problems = sorted((moved.get(p, p) for p in tree.problems), key=Problem.sort_key)


def _reread(root: Path, rel_path: str) -> str:
    try:
        text, _ = decode((root / rel_path).read_bytes(), rel_path)
    except OSError:
        return ""
    return text or ""


def load_tree(root: Path) -> Tree:
    """Load and check every record under ``root``; problems are collected, never raised."""
    from duchu.checks import run_checks

    if not (root / CAMPAIGN_FILE).is_file():
        raise NoRecordsError(root)
    tree = Tree(root=root)
    found = discover(root)
    tree.problems.extend(found.problems)
    for rel_path in found.files:
        result = load_file(root, rel_path)
        tree.files += 1
        tree.problems.extend(result.problems)
        if result.text is not None and (result.problems or result.record is None):
            tree.texts[rel_path] = result.text
        _store(tree, rel_path, result)
    _load_appraisals(tree)
    tree.problems.extend(run_checks(tree))
    _place(tree)
    tree.texts.clear()
    return tree


def _store(tree: Tree, rel_path: str, result: FileResult) -> None:
    kind = record_kind(rel_path)
    record = result.record
    if kind == "campaign":
        tree.campaign = record if isinstance(record, Campaign) else None
        return
    ident = record_id(rel_path)
    if kind == "groups":
        if isinstance(record, Group):
            tree.groups[ident] = record
        else:
            tree.broken_groups.add(ident)
    elif kind == "units":
        if isinstance(record, Unit):
            tree.units[ident] = record
        else:
            tree.broken_units.add(ident)
    elif kind == "meetings" and isinstance(record, Meeting):
        tree.meetings[ident] = record


def _load_appraisals(tree: Tree) -> None:
    """Counts of every appraisal; ballot files are read here, confined to the tree."""
    campaign = tree.campaign
    if campaign is None:
        return
    scheme = campaign.appraisal
    root_real = tree.root.resolve()
    for meeting_id, meeting in tree.meetings.items():
        appraisal = meeting.appraisal
        if appraisal is None:
            continue
        if appraisal.ballots is None:
            if appraisal.counts is not None and appraisal.returned is not None:
                tree.appraisals[meeting_id] = Counts(
                    returned=appraisal.returned,
                    invalid=appraisal.invalid or 0,
                    distributed=appraisal.distributed,
                    by_subject={subject: dict(by) for subject, by in appraisal.counts.items()},
                )
            continue
        if appraisal.counts is not None:
            continue  # counts and ballots both given: an error, and neither is tallied
        path = meeting_path(meeting_id)
        where = ("appraisal", "ballots")
        target = Path(os.path.normpath(tree.root / path)).parent / appraisal.ballots
        real = Path(os.path.realpath(target))
        if not _inside(real, root_real):
            tree.problems.append(
                problem(path, "ballots-outside", loc=where, file=appraisal.ballots)
            )
            continue
        if not real.exists():
            tree.problems.append(
                problem(path, "ballots-missing", loc=where, file=appraisal.ballots)
            )
            continue
        if not real.is_file():  # a pipe or device would block or never end
            tree.problems.append(problem(path, "not-a-file", loc=where))
            continue
        unit = tree.units.get(meeting.unit)
        if unit is None:
            continue  # the unknown unit is reported by the checks
        tree.files += 1
        counts, found = read_ballots(
            real,
            real.relative_to(root_real).as_posix(),
            subjects=[scheme.team, *(leader.name for leader in unit.leaders)],
            team=scheme.team,
            ratings=scheme.ratings,
        )
        tree.problems.extend(found)
        if counts is not None:
            counts.distributed = appraisal.distributed
            tree.appraisals[meeting_id] = counts


def find_root(explicit: Path | None, env_value: str | None, cwd: Path) -> Path:
    """The records tree: ``--records``, else ``DUCHU_RECORDS``, else the nearest folder at or
    above ``cwd`` holding campaign.yaml, else ``./records`` (CLI.md)."""
    if explicit is not None:
        return explicit
    if env_value:
        return Path(env_value)
    for folder in (cwd, *cwd.parents):
        if (folder / CAMPAIGN_FILE).is_file():
            return folder
    return cwd / "records"


def unit_files(tree: Tree, unit_id: str) -> list[str]:
    """A unit's records: its unit file, its meetings and their ballot files (relative)."""
    files = [unit_path(unit_id)]
    for meeting_id, meeting in tree.meetings.items():
        if meeting.unit != unit_id:
            continue
        path = meeting_path(meeting_id)
        files.append(path)
        if meeting.appraisal is not None and meeting.appraisal.ballots is not None:
            ballots = os.path.normpath(Path(path).parent / meeting.appraisal.ballots)
            files.append(Path(ballots).as_posix())
    return files
