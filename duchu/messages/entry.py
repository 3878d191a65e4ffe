"""The catalogue's words about the entry workbook (``duchu export`` / ``duchu import``, CLI.md
1.2): the problems of its cells, the refusals of a workbook that cannot be imported, and what
an import says. Part of ``duchu.messages.CATALOGUE``."""

from __future__ import annotations

ENTRY: dict[str, dict[str, str]] = {
    # --- cells ---------------------------------------------------------------------------
    "entry-formula": {
        "zh": "这一格是公式：台账只能填写数值或文字，请把公式换成它的值",
        "en": "this cell holds a formula: write its value instead",
    },
    "entry-merged": {
        "zh": "合并单元格 {range}：台账不能合并单元格，请取消合并",
        "en": "merged cells {range}: the workbook has no merged cells; unmerge them",
    },
    "entry-header": {
        "zh": "表头被改动：这一列应是“{header}”，请勿增删或移动列",
        "en": "the header was changed: this column is '{header}'; "
        "do not add, remove or move columns",
    },
    "entry-cell-kind": {
        "zh": "这一格的内容“{value}”不是日期、数字或文字",
        "en": "this cell holds '{value}', which is no date, number or text",
    },
    "entry-number-for-date": {
        "zh": "这里应填日期，却是数字 {value}：请填写为 2014-3-5 或 2014年3月5日",
        "en": "a date belongs here, but the cell holds the number {value}: write 2014-03-05",
    },
    "entry-not-whole": {
        "zh": "这里应填 0 或正整数，却是“{value}”",
        "en": "a whole number belongs here, not '{value}'",
    },
    "entry-bad-date": {
        "zh": "日期“{value}”有误：{reason}",
        "en": "the date '{value}' is wrong: {reason}",
    },
    "entry-unknown-name": {
        "zh": "没有名为“{value}”的一项；可选：{candidates}{hint}",
        "en": "nothing is called '{value}'; candidates: {candidates}{hint}",
    },
    "entry-unknown-unit": {
        "zh": "本督导组没有名为“{value}”的单位；可选：{candidates}{hint}",
        "en": "this group has no unit called '{value}'; candidates: {candidates}{hint}",
    },
    "entry-hint-separator": {
        "zh": "（多个姓名请用“、”分隔）",
        "en": " (separate several names with '、')",
    },
    "entry-hint-none": {
        "zh": "",
        "en": "",
    },
    "entry-ambiguous-name": {
        "zh": "名称“{value}”对应不止一项：{candidates}",
        "en": "'{value}' names more than one thing: {candidates}",
    },
    "entry-foreign-unit": {
        "zh": "“{value}”不是本督导组联系的单位",
        "en": "'{value}' is not a unit of this group",
    },
    "entry-not-this-action": {
        "zh": "“{value}”不是这张表的规定动作或督导组事项",
        "en": "'{value}' is not an action this sheet takes",
    },
    "entry-required": {
        "zh": "这一格必须填写",
        "en": "this cell must be filled in",
    },
    "entry-duplicate-row": {
        "zh": "这一行与上面的一行是同一条记录，请合并为一行",
        "en": "this row is the same record as a row above it: keep one",
    },
    "entry-record-gone": {
        "zh": "这一行的记录（{key}）已不在记录库中：请重新导出台账",
        "en": "the record of this row ({key}) is no longer in the tree: export the workbook again",
    },
    "entry-not-member": {
        "zh": "{value} 不是本督导组成员",
        "en": "{value}: not a member of this group",
    },
    "entry-fixed-changed": {
        "zh": "已有记录的这一格不能修改（“{value}”）：要新增，请在下面的空行填写",
        "en": "this cell of an existing record cannot change ('{value}'): add a new row instead",
    },
    "entry-note-without-date": {
        "zh": "填写了说明却没有完成日期",
        "en": "a note without a date",
    },
    "entry-no-such-meeting": {
        "zh": "找不到这一日期、单位和类型的会议：请先在“会议”表中填写这次会议",
        "en": "no meeting of this date, unit and kind: add it to the sheet 会议 first",
    },
    "entry-several-meetings": {
        "zh": "这一日期、单位和类型有不止一次会议，无法确定是哪一次",
        "en": "several meetings have this date, unit and kind: which one is meant is unclear",
    },
    "entry-conflict": {
        "zh": "冲突：{record} 在导出台账之后已被修改，而台账也改了它；请重新导出后再填写",
        "en": "conflict: {record} changed in the tree since the export, and the workbook "
        "changes it too; export again and fill that in",
    },
    "entry-cannot-edit": {
        "zh": "{record} 无法按这一行修改：{detail}",
        "en": "{record} cannot be changed as this row says: {detail}",
    },
    # --- refusals: the workbook as a whole -----------------------------------------------
    "entry-not-workbook": {
        "zh": "{file}：{detail}",
        "en": "{file}: {detail}",
    },
    "entry-damaged": {
        "zh": "{file} 已损坏，无法读取（{detail}）",
        "en": "{file} is damaged and cannot be read ({detail})",
    },
    "entry-foreign": {
        "zh": "{file} 不是 duchu 导出的工作台账，无法导入（请用 duchu export 导出的表格填写）",
        "en": "{file} is not an entry workbook duchu exported: it cannot be imported",
    },
    "entry-sheet-missing": {
        "zh": "{file} 缺少工作表“{sheet}”，无法导入（请勿删除或改名工作表）",
        "en": "{file} has no sheet '{sheet}': it cannot be imported",
    },
    "entry-too-many-rows": {
        "zh": "{file} 的工作表“{sheet}”超过 {limit} 行，不是一个督导组的台账，不予读取",
        "en": "the sheet '{sheet}' of {file} has more than {limit} rows: not a group's workbook",
    },
    "entry-other-tree": {
        "zh": "{file} 是从另一个记录库导出的，不能导入这里",
        "en": "{file} was exported from another records tree: it cannot be imported here",
    },
    "entry-other-group": {
        "zh": "{file} 是督导组 {group} 的台账，这个记录库中没有这个督导组",
        "en": "{file} is the workbook of group {group}, which this tree does not have",
    },
    "entry-outside": {
        "zh": "{path} 会写到记录库之外（链接），不予写入",
        "en": "{path} would be written outside the records tree (a link): refused",
    },
    "entry-no-file": {
        "zh": "找不到文件 {file}",
        "en": "no such file: {file}",
    },
    # --- what an import says -------------------------------------------------------------
    "import-author-needs-commit": {
        "zh": "--author 只能与 --commit 一起使用",
        "en": "--author goes with --commit",
    },
    "import-refused": {
        "zh": "有 {errors} 个问题，什么也没有写入",
        "en": "{errors} problems: nothing was written",
    },
    "import-kept": {
        "zh": "= {sheet}：{key}（工作台账中已删去这一行，记录保留）",
        "en": "= {sheet}: {key} (deleted from the workbook; the record is kept)",
    },
    "import-removed": {
        "zh": "删除（原为 {old}）",
        "en": "removed (was {old})",
    },
    "import-removals": {
        "zh": "其中 {count} 处删除了原有内容，请核对",
        "en": "{count} of them remove what was there: check them",
        "en-one": "{count} of them removes what was there: check it",
    },
    "import-count": {
        "zh": "共 {count} 处改动",
        "en": "{count} changes",
    },
    "import-count-dry": {
        "zh": "共 {count} 处改动，未写入（--dry-run）",
        "en": "{count} changes, nothing written (--dry-run)",
    },
    "import-committed": {
        "zh": "已提交：{commit}",
        "en": "committed: {commit}",
    },
}
