"""The catalogue's words about the records themselves: the problems of reading a file, of the
campaign, of groups and units, of meetings and of appraisals (ballot files and workbooks), keyed
by their stable problem codes. Part of ``duchu.messages.CATALOGUE``."""

from __future__ import annotations

RECORDS: dict[str, dict[str, str]] = {
    # --- reading files -------------------------------------------------------------------
    "encoding": {
        "zh": "文件不是 UTF-8 编码，无法读取",
        "en": "the file is not UTF-8 and cannot be read",
    },
    "hint-gbk": {
        "zh": "看起来是 GBK 编码：请用“另存为 UTF-8”保存",
        "en": "it looks GBK-encoded: save it as UTF-8",
    },
    "hint-utf16": {
        "zh": "看起来是 UTF-16 编码：请用“另存为 UTF-8”保存",
        "en": "it looks UTF-16-encoded: save it as UTF-8",
    },
    "yaml-syntax": {
        "zh": "YAML 格式错误：{detail}",
        "en": "YAML syntax error: {detail}",
    },
    "yaml-problem-colon-in-value": {
        "zh": "此处不能再出现“键: 值”（值里有冒号加空格时，请给整个值加引号）",
        "en": "a key: value is not allowed here (quote a value that holds a colon and a space)",
    },
    "yaml-problem-dash-here": {
        "zh": "此处不能出现以 - 开头的列表项（请检查缩进）",
        "en": "a '- ' list item is not allowed here (check the indentation)",
    },
    "yaml-problem-no-colon": {
        "zh": "缺少冒号：键后面应是半角冒号加一个空格（如 name: 某某）",
        "en": "a colon is missing: a key is followed by ':' and a space (name: x)",
    },
    "yaml-problem-indent": {
        "zh": "缩进不一致：这一行与同一层的键没有对齐",
        "en": "the indentation does not match: this line is not aligned with its level's keys",
    },
    "yaml-problem-list-indent": {
        "zh": "列表的缩进不一致：同一列表的各项应以对齐的 - 开头",
        "en": "the list's indentation does not match: its items start with aligned '- '",
    },
    "yaml-problem-open-bracket": {
        "zh": "方括号 [ 没有闭合（或少了逗号）",
        "en": "a '[' is not closed (or a comma is missing)",
    },
    "yaml-problem-open-brace": {
        "zh": "花括号 {{ 没有闭合（或少了逗号）",
        "en": "a '{{' is not closed (or a comma is missing)",
    },
    "yaml-problem-no-content": {
        "zh": "此处缺少内容",
        "en": "something is missing here",
    },
    "yaml-problem-trailing": {
        "zh": "值后面还有内容：应换行，或以 # 开始注释（值里有这些字符时请加引号）",
        "en": "more follows the value: start a new line or a # comment (or quote the value)",
    },
    "yaml-problem-anchor-name": {
        "zh": "& 或 * 后面应是名称；若是正文内容，请给整个值加引号",
        "en": "'&' or '*' must be followed by a name; quote the value if it is text",
    },
    "yaml-problem-unclosed": {
        "zh": "文件意外结束：有引号或括号没有闭合",
        "en": "the file ends too early: a quote or a bracket is not closed",
    },
    "yaml-problem-bad-start": {
        "zh": "值不能以这个字符开头（如 @、`、%）：请给整个值加引号",
        "en": "a value cannot start with this character (@, `, %): quote the value",
    },
    "yaml-problem-document-marker": {
        "zh": "值里出现了 --- 或 ...，会被当作文档分隔：请给整个值加引号",
        "en": "--- or ... in a value reads as a document marker: quote the value",
    },
    "yaml-problem-two-documents": {
        "zh": "一个文件只能写一份记录：请去掉第二个 ---，或分成两个文件",
        "en": "a file holds one record: remove the second ---, or make two files",
    },
    "yaml-problem-escape": {
        "zh": "双引号里的 \\ 后面是无法识别的转义字符：可改用单引号",
        "en": "an unknown escape after \\ in double quotes: use single quotes instead",
    },
    "yaml-problem-directive": {
        "zh": "无法识别的 % 指令：若是正文内容，请给整个值加引号",
        "en": "an unknown % directive: quote the value if it is text",
    },
    "yaml-problem-tag-handle": {
        "zh": "无法识别的 ! 标记：若是正文内容，请给整个值加引号",
        "en": "an unknown ! tag: quote the value if it is text",
    },
    "yaml-problem-alias": {
        "zh": "引用了没有定义的锚点（*名称）：若是正文内容，请给整个值加引号",
        "en": "an alias (*name) to an anchor never defined: quote the value if it is text",
    },
    "yaml-problem-collection-key": {
        "zh": "键不能是列表或映射（如 [a]: 1）：请改用文字作键",
        "en": "a key cannot be a list or a mapping ([a]: 1): use text as the key",
    },
    "full-width-colon": {
        "zh": "键 '{key}' 后面用了全角冒号“：”，请改为半角冒号“:”加一个空格",
        "en": "key '{key}' is followed by a full-width colon '：': use ':' and a space",
    },
    "tab": {
        "zh": "用 Tab 键缩进了：YAML 只能用空格缩进",
        "en": "a tab is used for indentation: YAML indents with spaces only",
    },
    "duplicate-key": {
        "zh": "键 '{key}' 重复（第 {first} 行已有）：YAML 会悄悄只保留后一个",
        "en": "duplicate key '{key}' (first on line {first}): YAML would silently keep the last",
    },
    "too-deep": {
        "zh": "嵌套超过 {depth} 层，不是正常的记录，不予读取",
        "en": "nested more than {depth} levels deep: not a record, not read",
    },
    "yaml-aliases": {
        "zh": "锚点和别名（&、*）展开后超过 {limit} 个值，不予读取",
        "en": "anchors and aliases (&, *) would expand to more than {limit} values: not read",
    },
    "control-character": {
        "zh": "文件含有控制字符 {code_point}，可能不是文本文件（请另存为 UTF-8 文本）",
        "en": "the file holds control character {code_point}: is it text? (save it as UTF-8 text)",
    },
    "too-large": {
        "zh": "文件有 {size} 字节，超过记录文件上限 {limit} 字节，不予读取",
        "en": "the file has {size} bytes, more than the {limit} a record may have: not read",
    },
    "not-a-file": {
        "zh": "这不是普通文件（设备、管道或套接字），不予读取",
        "en": "not a regular file (a device, pipe or socket): not read",
    },
    "yaml-tag": {
        "zh": "不允许使用 YAML 标签 {tag}",
        "en": "YAML tag {tag} is not allowed",
    },
    "empty-file": {
        "zh": "文件是空的",
        "en": "the file is empty",
    },
    "not-a-mapping": {
        "zh": "文件顶层应是“键: 值”的映射，而不是{found}",
        "en": "the file should be a mapping of 'key: value', not {found}",
    },
    "found-list": {"zh": "列表", "en": "a list"},
    "found-text": {"zh": "一段文字", "en": "a piece of text"},
    "unknown-key": {
        "zh": "未知的键 '{key}'{suggestion}",
        "en": "unknown key '{key}'{suggestion}",
    },
    "suggest-key": {
        "zh": "（是不是 '{close}'？）",
        "en": " (did you mean '{close}'?)",
    },
    "number-form": {
        "zh": "'{value}' 不是普通的十进制数：YAML 会把它读成另一个数，请只写数字（如 10、45）",
        "en": (
            "'{value}' is not a plain decimal number: YAML would read another number; "
            "write digits only (10, 45)"
        ),
    },
    "control-in-text": {
        "zh": "文本中有控制字符或双向控制符 {code_point}：它们能在屏幕和文件上伪装文字，请删除",
        "en": (
            "the text holds control or bidirectional character {code_point}, which can "
            "disguise text on a screen or in a document: remove it"
        ),
    },
    "missing-key": {
        "zh": "缺少必填的键 '{key}'",
        "en": "missing required key '{key}'",
    },
    "bad-value": {
        "zh": "'{key}' 的值不对：{expected}",
        "en": "bad value for '{key}': {expected}",
    },
    "expect-text": {"zh": "应为文字", "en": "expected text"},
    "expect-integer": {"zh": "应为整数", "en": "expected a whole number"},
    "expect-number": {"zh": "应为数字", "en": "expected a number"},
    "expect-list": {"zh": "应为列表", "en": "expected a list"},
    "expect-mapping": {"zh": "应为“键: 值”映射", "en": "expected a mapping of 'key: value'"},
    "expect-bool": {"zh": "应为 true 或 false", "en": "expected true or false"},
    "expect-choice": {"zh": "应为 {choices} 之一", "en": "expected one of {choices}"},
    "expect-range": {"zh": "应在 {low} 到 {high} 之间", "en": "expected between {low} and {high}"},
    "expect-at-least": {"zh": "应不小于 {bound}", "en": "expected {bound} or more"},
    "expect-at-most": {"zh": "应不大于 {bound}", "en": "expected {bound} or less"},
    "expect-above": {"zh": "应大于 {bound}", "en": "expected more than {bound}"},
    "expect-below": {"zh": "应小于 {bound}", "en": "expected less than {bound}"},
    "expect-other": {"zh": "{detail}", "en": "{detail}"},
    "invalid-date": {
        "zh": "'{text}' 不是有效的日期：{reason}",
        "en": "'{text}' is not a valid date: {reason}",
    },
    "date-no-such-month": {"zh": "没有这个月份", "en": "there is no such month"},
    "date-no-such-day": {"zh": "这一天不存在", "en": "there is no such day"},
    "date-needs-year": {"zh": "缺少年份", "en": "the year is missing"},
    "date-phrase-not-allowed": {
        "zh": "这里要写具体日期，不能写旬",
        "en": "an exact day is needed here, not a ten-day period",
    },
    "date-unreadable": {
        "zh": "应写作 2014-02-28 或 2014年2月28日（期限还可写 9月上旬、9月底）",
        "en": "write 2014-02-28 or 2014年2月28日 (deadlines also 9月上旬, 9月底)",
    },
    "bad-id": {
        "zh": "'{id}' 不能作 id（id 即文件名）：只能用字母（含汉字）、数字、-、_ 和 .，"
        "且不能以 - 或 . 开头",
        "en": "'{id}' cannot be an id (an id is a file name): use letters (Chinese too), digits, "
        "-, _ and ., and do not start with - or .",
    },
    "outside-tree": {
        "zh": "符号链接指向记录目录之外（{target}），不予读取",
        "en": "symbolic link leads out of the records tree ({target}): not read",
    },
    "ignored-file": {
        "zh": "文件扩展名不是 .yaml，duchu 不会读取它：请改名为 .yaml",
        "en": "the file does not end in .yaml and is not read: rename it to .yaml",
    },
    # --- campaign --------------------------------------------------------------------------
    "duplicate-id": {
        "zh": "id '{id}' 重复（第 {first} 行已用）",
        "en": "duplicate id '{id}' (already used on line {first})",
    },
    "unknown-after": {
        "zh": "after 中的 '{id}' 不是已定义的事项",
        "en": "'{id}' in after is not a defined action",
    },
    "after-later": {
        "zh": "after 中的 '{id}' 排在本事项之后：只能指向前面的事项",
        "en": "'{id}' in after comes later than this action: name earlier actions only",
    },
    "phase-due-before-start": {
        "zh": "环节截止日期 {due} 早于开始日期 {start}",
        "en": "the phase is due on {due}, before it starts on {start}",
    },
    "due-before-start": {
        "zh": "事项截止日期 {due} 早于所在环节的开始日期 {start}",
        "en": "the action is due on {due}, before its phase starts on {start}",
    },
    "unknown-rating-scheme": {
        "zh": "'{rating}' 不在评议等次 ratings 中（{ratings}）",
        "en": "'{rating}' is not one of the ratings ({ratings})",
    },
    # --- groups and units -----------------------------------------------------------------
    "unknown-group": {
        "zh": "未知的督导组“{group}”（可选：{candidates}）",
        "en": "unknown group '{group}' (candidates: {candidates})",
    },
    "unknown-action": {
        "zh": "“{id}”不是{what}（可选：{candidates}）",
        "en": "'{id}' is not {what} (candidates: {candidates})",
    },
    "what-unit-action": {"zh": "单位事项", "en": "a unit action"},
    "what-group-action": {"zh": "督导组事项（by: group）", "en": "a group action (by: group)"},
    "duplicate-leader": {
        "zh": "领导班子成员 '{name}' 出现两次（第 {first} 行已有）",
        "en": "leader '{name}' is listed twice (first on line {first})",
    },
    "rating-both-ways": {
        "zh": "等次“{rating}”既在 positive 又在 negative 中：一个等次只能是好评或差评之一",
        "en": "rating {rating} is both positive and negative: a rating counts one way only",
    },
    "meeting-before-campaign": {
        "zh": "会议日期 {date} 早于活动第一个环节的开始日期 {start}",
        "en": "the meeting is dated {date}, before the campaign's first phase starts on {start}",
    },
    "done-before-campaign": {
        "zh": "完成日期 {date} 早于活动第一个环节的开始日期 {start}",
        "en": "done on {date}, before the campaign's first phase starts on {start}",
    },
    "no-leaders": {
        "zh": "单位没有列出领导班子成员（leaders）",
        "en": "the unit lists no leaders",
    },
    # --- meetings --------------------------------------------------------------------------
    "unknown-unit": {
        "zh": "未知的单位“{unit}”（可选：{candidates}）",
        "en": "unknown unit '{unit}' (candidates: {candidates})",
    },
    "hint-candidates": {"zh": "可选：{candidates}", "en": "candidates: {candidates}"},
    # --- notices (1.2) --------------------------------------------------------------------
    "notice-no-unit": {
        "zh": "督办记录没有写明单位：请写 unit（一个单位）或 units（几个单位）",
        "en": "the notice names no unit: give unit (one unit) or units (several)",
    },
    "unknown-level": {
        "zh": "未知的督办等级 '{level}'（本活动可用：{levels}）",
        "en": "unknown notice level '{level}' (this campaign has: {levels})",
    },
    "notice-no-actions": {
        "zh": "{level} 级督办没有写 actions：请写明督办的事项",
        "en": "a {level} notice lists no actions: name the actions it is about",
    },
    "notice-no-subjects": {
        "zh": "谈话提醒（talk）没有写 subjects：请写明谈话的领导班子成员",
        "en": "a talk notice lists no subjects: name the leaders talked with",
    },
    "notice-talk-actions": {
        "zh": "谈话提醒（talk）的 actions 不会被读取：谈话对象写在 subjects",
        "en": "a talk notice's actions are not read: the people talked with go in subjects",
    },
    "notice-grade-subjects": {
        "zh": "督办（blue、yellow、red）的 subjects 不会被读取；谈话提醒请另写 level: talk",
        "en": "a graded notice's subjects are not read; a reminder talk is a level: talk notice",
    },
    "notice-action-not-unit": {
        "zh": "'{id}' 不是 {unit} 应办的事项（督导组事项，或不适用于该单位）",
        "en": "'{id}' is not an action {unit} owes (a group action, or not for its category)",
    },
    "notice-before-campaign": {
        "zh": "督办日期 {date} 早于活动第一个环节的开始日期 {start}",
        "en": "the notice is dated {date}, before the campaign's first phase starts on {start}",
    },
    "reply-before-date": {
        "zh": "答复期限 {reply_by} 早于督办日期 {date}",
        "en": "reply_by {reply_by} is before the notice's date {date}",
    },
    "notice-duplicate": {
        "zh": "{unit} 的 {action} 已有同级（{level}）督办 {other}：同一事项同一等级只督办一次",
        "en": "{unit}'s {action} already has a {level} notice ({other}): "
        "one notice a grade for one matter",
    },
    "unknown-kind": {
        "zh": "未知的会议类型“{kind}”（可选：{candidates}）",
        "en": "unknown meeting kind '{kind}' (candidates: {candidates})",
    },
    "same-thing-twice": {
        "zh": "“{text}”与“{other}”指同一{what}（{id}），只能写一次",
        "en": "'{text}' and '{other}' name the same {what} ({id}): give it once",
    },
    "draft-meeting": {
        "zh": "草稿会议记录（draft: true）不计入任何统计：填写完整后删除 draft 这一行",
        "en": "a draft meeting record (draft: true) counts for nothing: "
        "delete the draft line once it is complete",
    },
    "appraisal-empty": {
        "zh": "民主评议是空的（收回 0 张，或各等次票数都是 0）：请填写实际票数",
        "en": "the appraisal is empty (none returned, or every count is 0): "
        "fill in the real numbers",
    },
    "meeting-no-unit": {
        "zh": (
            "会议记录没有写明单位：请写 unit（一个单位）、units（几个单位）"
            "或 group（督导组的全部单位）之一"
        ),
        "en": (
            "the meeting names no unit: give one of unit (one unit), units (several) "
            "or group (all of a group's units)"
        ),
    },
    "meeting-unit-twice": {
        "zh": "{other} 和 {key} 只能写一个",
        "en": "give {other} or {key}, not both",
    },
    "empty-units": {
        "zh": "units 列表是空的：至少写一个单位（全组的会可写 group）",
        "en": "units is empty: name at least one unit (or the group, for all of its units)",
    },
    "duplicate-unit": {
        "zh": "单位 '{unit}' 重复列出",
        "en": "unit '{unit}' is listed twice",
    },
    "appraisal-several-units": {
        "zh": "民主评议只能属于一个单位的会议：几个单位一起开的会请按单位分别记录评议",
        "en": (
            "an appraisal belongs to a meeting of one unit: "
            "record each unit's appraisal in its own meeting"
        ),
    },
    "not-a-member": {
        "zh": "{name} 不是督导组 {group} 的成员",
        "en": "{name} is not a member of group {group}",
    },
    "not-a-leader": {
        "zh": "{name} 不是 {unit} 的领导班子成员",
        "en": "{name} is not a leader of {unit}",
    },
    "absent-no-reason": {
        "zh": "领导班子成员 {name} 缺席，未写原因",
        "en": "leader {name} absent without a reason",
    },
    "missing-appraisal": {
        "zh": "{kind}应当开展民主评议，但没有记录评议结果（appraisal）",
        "en": "a {kind} must carry an appraisal, and this one has none",
    },
    # --- appraisals ------------------------------------------------------------------------
    "counts-and-ballots": {
        "zh": "counts 和 ballots 只能给出一种",
        "en": "give counts or ballots, not both",
    },
    "no-counts": {
        "zh": "民主评议须给出 counts 或 ballots",
        "en": "an appraisal needs counts or ballots",
    },
    "missing-returned": {
        "zh": "按 counts 记录时须写明收回张数 returned",
        "en": "an appraisal with counts needs 'returned'",
    },
    "ballots-with-returned": {
        "zh": "使用 ballots 时 '{key}' 由票据文件得出，不能另写",
        "en": "'{key}' comes from the ballot file and must not be written beside ballots",
    },
    "returned-over-distributed": {
        "zh": "收回 {returned} 张，多于发出的 {distributed} 张",
        "en": "{returned} forms returned, more than the {distributed} handed out",
    },
    "invalid-over-returned": {
        "zh": "无效 {invalid} 张，多于收回的 {returned} 张",
        "en": "{invalid} forms void, more than the {returned} returned",
    },
    "negative-number": {
        "zh": "不能是负数：{value}",
        "en": "must not be negative: {value}",
    },
    "unknown-subject": {
        "zh": "评议对象 '{subject}' 既不是“{team}”也不是该单位的领导班子成员",
        "en": "subject '{subject}' is neither '{team}' nor a leader of the unit",
    },
    "unknown-rating": {
        "zh": "评议等次 '{rating}' 不在 {ratings} 之中",
        "en": "rating '{rating}' is not one of {ratings}",
    },
    "over-valid": {
        "zh": "{subject} 的票数合计 {total}，多于有效票 {valid}",
        "en": "{subject} has {total} ballots counted, more than the {valid} valid",
    },
    "ballots-outside": {
        "zh": "票据文件 '{file}' 在记录目录之外，不予读取",
        "en": "ballot file '{file}' is outside the records tree: not read",
    },
    "ballots-missing": {
        "zh": "找不到票据文件 '{file}'",
        "en": "ballot file '{file}' not found",
    },
    "ballot-cell": {
        "zh": "第 {row} 张票 {subject} 一栏写的是 '{value}'，应为 {ratings} 之一或留空",
        "en": "ballot {row}, column {subject}: '{value}' is not one of {ratings} or empty",
    },
    "ballot-header": {
        "zh": "票据文件的表头列 '{name}' 重复",
        "en": "column '{name}' appears twice in the ballot file's header",
    },
    "ballot-row-length": {
        "zh": "这一行有 {found} 栏，表头有 {expected} 栏",
        "en": "this row has {found} cells and the header {expected}",
    },
    "csv-syntax": {
        "zh": "CSV 格式错误：{detail}",
        "en": "CSV syntax error: {detail}",
    },
    "ballot-empty": {
        "zh": "票据文件没有表头行",
        "en": "the ballot file has no header row",
    },
    "subject-missing": {
        "zh": "评议对象 {subject} 没有计票（没有这一栏或这一项）：漏掉的人在汇总里看不出来",
        "en": "subject {subject} has no count (no column or entry): "
        "a tally would hide the omission",
    },
    "ballot-duplicate": {
        "zh": "票号 {ballot} 重复出现：同一张票是否录入了两次？",
        "en": "form number {ballot} appears again: was one form typed in twice?",
    },
    "ballot-more-problems": {
        "zh": "另有 {count} 个问题未列出（每个票据文件只列前 {shown} 个）",
        "en": "{count} more problems not listed (a ballot file lists its first {shown})",
    },
    "ballot-too-wide": {
        "zh": "表头有 {found} 栏，超过 {limit} 栏：这不是评议票表",
        "en": "the header has {found} columns, more than {limit}: not a ballot sheet",
    },
    "line-too-long": {
        "zh": "这一行超过 {limit} 个字符：这不是评议票表，不予读取",
        "en": "this line is longer than {limit} characters: not a ballot sheet, not read",
    },
    "hint-unclosed-quote": {
        "zh": '这一行的双引号“"”没有配对，其后的内容都被当成了一个格子',
        "en": "a double quote '\"' opened on this line is never closed",
    },
    "csv-is-workbook": {
        "zh": "这是一个 Excel/WPS 工作簿（.xlsx），不是 CSV：请把 ballots 的文件名改为 .xlsx",
        "en": "this is an Excel/WPS workbook (.xlsx), not a CSV: name it .xlsx in ballots",
    },
    "csv-is-old-workbook": {
        "zh": "这是旧版 Excel/WPS 文件（.xls/.et），无法读取：请另存为 .xlsx 或 CSV UTF-8",
        "en": "this is an old Excel/WPS file (.xls/.et) and cannot be read: "
        "save it as .xlsx or CSV UTF-8",
    },
    "ballot-not-text": {
        "zh": "第 {row} 张票 {subject} 一栏是{kind} '{value}'，应为文字 {ratings} 之一或留空",
        "en": "ballot {row}, column {subject}: {kind} '{value}' where one of {ratings} "
        "(as text) or nothing belongs",
    },
    "cell-kind-number": {"zh": "数字", "en": "a number"},
    "cell-kind-date": {"zh": "日期", "en": "a date"},
    "cell-kind-bool": {"zh": "逻辑值", "en": "a truth value"},
    "cell-kind-error": {"zh": "错误值", "en": "an error value"},
    "ballot-formula-cell": {
        "zh": "这一格是公式：评议票只能填写文字，请把公式换成它的值",
        "en": "this cell holds a formula: a ballot holds text; replace it by its value",
    },
    "ballot-no-column": {
        "zh": "这一格 '{value}' 所在的列没有表头",
        "en": "this cell '{value}' stands in a column with no header",
    },
    "xlsx-encrypted": {
        "zh": "工作簿设有打开密码，无法读取：请取消密码后另存为 .xlsx 或 CSV UTF-8",
        "en": "the workbook is password-protected and cannot be read: "
        "remove the password and save it as .xlsx or CSV UTF-8",
    },
    "xlsx-old-format": {
        "zh": "这是旧版 Excel/WPS 文件（.xls/.et），不是 .xlsx：请另存为 .xlsx 或 CSV UTF-8",
        "en": "this is an old Excel/WPS file (.xls/.et), not .xlsx: save it as .xlsx or CSV UTF-8",
    },
    "xlsx-is-text": {
        "zh": "这是一个文本（CSV）文件，只是扩展名为 .xlsx：请另存为 .xlsx 或 CSV UTF-8，"
        "或把文件名改为 .csv",
        "en": "this is a text (CSV) file named .xlsx: save it as .xlsx or CSV UTF-8, "
        "or name it .csv",
    },
    "xlsx-not-workbook": {
        "zh": "不是有效的 .xlsx 工作簿（{detail}）：请另存为 .xlsx 或 CSV UTF-8",
        "en": "not a valid .xlsx workbook ({detail}): save it as .xlsx or CSV UTF-8",
    },
    "xlsx-bomb": {
        "zh": "压缩包声称解压后有 {size} 字节（压缩后 {packed} 字节），不是正常的工作簿，不予读取："
        "请另存为 .xlsx 或 CSV UTF-8",
        "en": "the package claims to unpack {packed} bytes into {size}: not a workbook, "
        "not read; save it as .xlsx or CSV UTF-8",
    },
    "xlsx-not-a-sheet": {
        "zh": "第一张表“{sheet}”不是工作表（图表？）：评议票应放在第一张工作表",
        "en": "the first sheet '{sheet}' is not a worksheet (a chart?): put the ballots first",
    },
    "xlsx-second-sheet": {
        "zh": "工作表“{sheet}”也有内容：评议票只读第一张表，其他表须为空，请删去或移到别的文件",
        "en": "sheet '{sheet}' has something in it too: ballots are read from the first sheet "
        "only, so delete it or move it to another file",
    },
    "xlsx-merged": {
        "zh": "合并单元格 {range}：评议票不能合并单元格，请取消合并",
        "en": "merged cells {range}: a ballot sheet has no merged cells; unmerge them",
    },
    # the hidden sheet of a ballot workbook that holds the ratings its drop-down lists offer
    "sheet-ratings": {"zh": "评议等次", "en": "Ratings"},
    # identity (../shared/spec/RECORDS.md 1.2)
    "id-collision": {
        "zh": "id '{id}' 与 '{other}' 只有大小写或 Unicode 规范化形式不同：{why}",
        "en": "id '{id}' differs from '{other}' only in letter case or Unicode normalization: "
        "{why}",
    },
    "id-collision-file": {
        "zh": "在 Windows 和 macOS 上二者是同一个文件，请改用不同的 id",
        "en": "on Windows and macOS they are one file; give them different ids",
    },
    "id-collision-alike": {
        "zh": "二者极易混淆，请改用不同的 id",
        "en": "one is easily taken for the other; give them different ids",
    },
    "duplicate-name": {
        "zh": "名称“{name}”已是{what} '{other}' 的名称或简称：按名称引用时无法区分",
        "en": "'{name}' is already the name or short name of {what} '{other}': a reference "
        "by it is ambiguous",
    },
    "blank-name": {"zh": "名称无效：{reason}", "en": "bad name: {reason}"},
    "blank-name-spaces": {"zh": "去掉空格后是空的", "en": "it is empty once spaces are removed"},
    "blank-name-invisible": {
        "zh": "含不可见字符 {code_point}（如零宽空格、软连字符），看起来相同的名称会被当作不同",
        "en": "it holds the invisible character {code_point} (a zero-width space, a soft "
        "hyphen ...): names that look alike would differ",
    },
    "invisible-in-name": {
        "zh": "{option} 含不可见字符 {code_point}（如零宽空格、软连字符），名称不能含这类字符",
        "en": "{option} holds the invisible character {code_point} (a zero-width space, a soft "
        "hyphen ...): a name may not",
    },
}
