"""Export then import, untouched, changes nothing -- over generated small trees (hypothesis):
text that looks like a formula, a number or a date, text with spaces at its ends and line
breaks, dates in both forms, due dates as phrases, meetings of one unit, several or the
whole group, appraisals with and without every rating."""

from __future__ import annotations

import shutil
import tempfile
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import yaml
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from duchu.records.entry_import import export_entry, import_entry
from duchu.records.load import load_tree
from duchu.render.entry_xlsx import write_entry_workbook
from tests.conftest import BASE

SAFE = st.sampled_from(list("甲乙丙丁改革发展党委办公室局科某王李张"))
TRICKY = st.sampled_from(
    [
        "=SUM(A1)",
        "+86",
        "-1",
        "@x",
        "010",
        "2014-03-05",
        "3-5",
        "1e5",
        " 两端空格 ",
        "甲\n乙",
        "TRUE",
    ]
)
TEXT = st.one_of(
    TRICKY,
    st.text(
        alphabet=st.characters(codec="utf-8", categories=["L", "N", "P", "Zs"]),
        min_size=1,
        max_size=12,
    ).filter(lambda t: t.strip()),
)
NAME = st.text(alphabet=SAFE, min_size=1, max_size=3).map(lambda s: s + "某")
START = date(2014, 2, 12)


def day(offset: int, chinese: bool) -> str:
    value = START + timedelta(days=offset)
    return f"{value.year}年{value.month}月{value.day}日" if chinese else value.isoformat()


DAY = st.builds(day, st.integers(0, 120), st.booleans())
DUE = st.one_of(DAY, st.sampled_from(["4月底", "3月下旬", "5月上旬"]))


@st.composite
def trees(draw: st.DrawFn) -> dict[str, Any]:
    members = draw(st.lists(NAME, min_size=1, max_size=3, unique=True))
    units: dict[str, Any] = {}
    for index in range(draw(st.integers(1, 3))):
        leaders = draw(st.lists(NAME, min_size=0, max_size=3, unique=True))
        unit: dict[str, Any] = {"name": f"单位{index}{draw(TEXT)}".replace("\n", ""), "group": "g1"}
        if leaders:
            unit["leaders"] = [{"name": n} for n in leaders]
        if draw(st.booleans()):
            unit["done"] = {"plan": draw(DAY)}
        if draw(st.booleans()):
            unit["done"] = {
                **unit.get("done", {}),
                "mobilization": {"date": draw(DAY), "note": draw(TEXT)},
            }
        if draw(st.booleans()):
            unit["waived"] = {"plan": draw(TEXT)}
            unit.get("done", {}).pop("plan", None)
        findings = []
        for _ in range(draw(st.integers(0, 2))):
            finding = {"text": draw(TEXT), "found": draw(DAY), "due": draw(DUE)}
            if draw(st.booleans()):
                finding["id"] = f"f{len(findings)}"
            if draw(st.booleans()):
                finding["resolved"] = draw(DAY)
            findings.append(finding)
        if findings:
            unit["findings"] = findings
        units[f"u{index}"] = unit
    meetings: dict[str, Any] = {}
    for index in range(draw(st.integers(0, 4))):
        uid = draw(st.sampled_from(sorted(units)))
        meeting: dict[str, Any] = {"date": draw(DAY)}
        form = draw(st.sampled_from(["unit", "units", "group"]))
        if form == "unit" or len(units) == 1:
            meeting["unit"] = uid
        elif form == "units":
            meeting["units"] = sorted(units)
        else:
            meeting["group"] = "g1"
        meeting["kind"] = draw(st.sampled_from(["mobilization", "democratic_life"]))
        if draw(st.booleans()):
            meeting["title"] = draw(TEXT)
        if draw(st.booleans()):
            meeting["attended_by"] = draw(st.lists(st.sampled_from(members), unique=True))
        leaders = [leader["name"] for leader in units[uid].get("leaders", [])]
        if "unit" in meeting and leaders and draw(st.booleans()):
            meeting["absent"] = [{"name": leaders[0], "reason": draw(TEXT)}]
        if draw(st.booleans()):
            meeting["people"] = draw(st.integers(0, 300))
        if draw(st.booleans()):
            meeting["notes"] = draw(TEXT) + "\n"
        if "unit" in meeting and draw(st.booleans()):
            ratings = ["好", "较好", "一般", "差"]
            counts = {
                subject: {r: draw(st.integers(0, 3)) for r in ratings if draw(st.booleans())}
                for subject in ["领导班子", *leaders]
            }
            meeting["appraisal"] = {
                "distributed": 20,
                "returned": 15,
                "invalid": 0,
                "counts": counts,
            }
        meetings[f"2014-03/m{index}"] = meeting
    group = {"name": "第一督导组", "leader": members[0], "members": members}
    if draw(st.booleans()):
        group["done"] = {"report": {"date": draw(DAY), "note": draw(TEXT)}}
    return {"units": units, "meetings": meetings, "group": group}


def write(root: Path, data: dict[str, Any]) -> None:
    shutil.copy(BASE / "campaign.yaml", root / "campaign.yaml")
    for folder in ("groups", "units", "meetings/2014-03"):
        (root / folder).mkdir(parents=True)

    def dump(path: Path, record: Any) -> None:
        path.write_text(yaml.safe_dump(record, allow_unicode=True, sort_keys=False), "utf-8")

    dump(root / "groups/g1.yaml", data["group"])
    for uid, unit in data["units"].items():
        dump(root / f"units/{uid}.yaml", unit)
    for mid, meeting in data["meetings"].items():
        dump(root / f"meetings/{mid}.yaml", meeting)


@settings(
    max_examples=30,
    deadline=None,
    phases=[Phase.explicit, Phase.generate],  # a failure is shown as found: shrinking takes minutes
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(trees())
def test_untouched_workbook_changes_nothing(data: dict[str, Any]) -> None:
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder) / "records"
        root.mkdir()
        write(root, data)
        tree = load_tree(root)
        errors = [p for p in tree.problems if p.severity == "error"]
        if errors:  # a generated tree the rules refuse (a leader twice, ...): not this test's
            return
        book = Path(folder) / "g1.xlsx"
        write_entry_workbook(book, export_entry(tree, "g1"))
        before = {p: p.read_bytes() for p in root.rglob("*.yaml")}
        result = import_entry(tree, book, "g1.xlsx", dry_run=False)
        assert result.problems == []
        assert (result.added, result.changed, result.kept) == ([], [], [])
        assert {p: p.read_bytes() for p in root.rglob("*.yaml")} == before
