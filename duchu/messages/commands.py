"""The catalogue's words of the commands: the command line, tallies, workbooks, ``init``, ``new``
and ``log``, the hooks, reports, status and the site. Part of ``duchu.messages.CATALOGUE``."""

from __future__ import annotations

COMMANDS: dict[str, dict[str, str]] = {
    # --- command line ------------------------------------------------------------------------
    "severity-error": {"zh": "error", "en": "error"},
    "severity-warning": {"zh": "warning", "en": "warning"},
    "more-problems": {
        "zh": "{path}: …及另外 {count} 个问题（每个文件只列前 {shown} 个；--format json 列出全部）",
        "en": "{path}: …and {count} more problems (a file lists its first {shown}; "
        "--format json lists them all)",
        "en-one": "{path}: …and {count} more problem (a file lists its first {shown}; "
        "--format json lists them all)",
    },
    "check-summary": {
        "zh": "{problems}（{errors}，{warnings}），共 {files}",
        "en": "{problems} ({errors}, {warnings}) in {files}",
    },
    "n-problems": {"zh": "{count} 个问题", "en": "{count} problems", "en-one": "{count} problem"},
    "n-errors": {"zh": "{count} 个错误", "en": "{count} errors", "en-one": "{count} error"},
    "n-warnings": {"zh": "{count} 个警告", "en": "{count} warnings", "en-one": "{count} warning"},
    "n-files": {"zh": "{count} 个文件", "en": "{count} files", "en-one": "{count} file"},
    "tree-has-errors": {
        "zh": "记录中有 {errors} 个错误，请先改正（duchu check 可查看全部问题）",
        "en": "the records have {errors} errors: fix them first (duchu check lists every problem)",
    },
    "no-records": {
        "zh": "找不到记录目录：{path} 下没有 campaign.yaml（可用 --records 或 DUCHU_RECORDS 指定）",
        "en": "no records tree: {path} holds no campaign.yaml (use --records or DUCHU_RECORDS)",
    },
    "no-such-path": {
        "zh": "{path} 不在记录目录中",
        "en": "{path} is not inside the records tree",
    },
    "bad-lang": {
        "zh": "--lang 只能是 zh 或 en，不能是 '{lang}'",
        "en": "--lang must be zh or en, not '{lang}'",
    },
    "bad-choice": {
        "zh": "{option} 只能是 {choices}，不能是 '{value}'",
        "en": "{option} must be one of {choices}, not '{value}'",
    },
    "no-such-name": {
        "zh": "没有{what}“{text}”（可选：{candidates}）",
        "en": "no {what} '{text}' (candidates: {candidates})",
    },
    "no-such-name-none": {"zh": "没有{what}“{text}”", "en": "no {what} '{text}'"},
    "ambiguous-name": {
        "zh": "“{text}”可指多个{what}：{candidates}；请用 id 指定",
        "en": "'{text}' names more than one {what}: {candidates}; give the id",
    },
    "what-name-unit": {"zh": "单位", "en": "unit"},
    "what-name-group": {"zh": "督导组", "en": "group"},
    "what-name-phase": {"zh": "环节", "en": "phase"},
    "what-name-action": {"zh": "规定动作", "en": "action"},
    "what-name-kind": {"zh": "会议类型", "en": "meeting kind"},
    "name-with-id": {"zh": "{name}（{id}）", "en": "{name} ({id})"},
    "names-more": {"zh": "等{count}个", "en": ", and {count} more"},
    "names-none": {"zh": "无", "en": "none"},
    "by-group-excludes": {
        "zh": "--by group 按督导组汇总，不能与 {option} 同用",
        "en": "--by group sums up by group and cannot be used with {option}",
    },
    "known-no-records": {
        "zh": "提交 {commit} 中的 {path} 没有 campaign.yaml，不是记录目录",
        "en": "{path} holds no campaign.yaml in commit {commit}: not a records tree",
    },
    "no-such-group": {"zh": "没有督导组 '{id}'", "en": "no group '{id}'"},
    "no-such-unit": {"zh": "没有单位 '{id}'", "en": "no unit '{id}'"},
    "no-such-phase": {"zh": "没有环节 '{id}'", "en": "no phase '{id}'"},
    "loading": {"zh": "读取记录", "en": "Loading records"},
    "internal-error": {
        "zh": "duchu 内部错误：{detail}（请把这条信息和所用命令报告给维护者）",
        "en": "internal error in duchu: {detail} (please report it with the command used)",
    },
    # --- tally ----------------------------------------------------------------------------
    "no-such-meeting": {"zh": "没有会议 '{id}'", "en": "no meeting '{id}'"},
    "meeting-no-appraisal": {
        "zh": "会议 '{id}' 没有民主评议记录",
        "en": "meeting '{id}' has no appraisal",
    },
    "tally-none": {"zh": "没有符合条件的民主评议记录", "en": "no appraisals match"},
    "tally-meeting": {
        "zh": "{date} {unit} {kind}（{id}）",
        "en": "{date} {unit} {kind} ({id})",
    },
    "tally-forms": {
        "zh": "发出 {distributed} 张，收回 {returned} 张，有效 {valid} 张，无效 {invalid} 张",
        "en": "{distributed} handed out, {returned} returned, {valid} valid, {invalid} void",
    },
    "tally-legend": {
        "zh": "分布图：{legend}，空白为未评；差评率达到 {flag_at} 的标记为谈话提醒",
        "en": "bars: {legend}, blank unrated; flagged for a reminder talk at {flag_at} negative",
    },
    "col-subject": {"zh": "评议对象", "en": "Subject"},
    "col-unrated": {"zh": "未评", "en": "Unrated"},
    "col-distribution": {"zh": "分布", "en": "Distribution"},
    "col-positive-rate": {"zh": "好评率", "en": "Positive"},
    "col-negative-rate": {"zh": "差评率", "en": "Negative"},
    "col-flag": {"zh": "标记", "en": "Flag"},
    "flag-mark": {"zh": "⚑ 谈话提醒", "en": "⚑ reminder talk"},
    "compare-title": {
        "zh": "{unit}：{before}（{before_date}）→ {after}（{after_date}）",
        "en": "{unit}: {before} ({before_date}) → {after} ({after_date})",
    },
    "compare-single": {
        "zh": "只有一次民主评议、无法对比的单位：{units}",
        "en": "units with a single appraisal, not compared: {units}",
    },
    # --- workbooks (.xlsx) ---------------------------------------------------------------
    "sheet-units": {"zh": "单位进度", "en": "Units"},
    "sheet-groups": {"zh": "督导组进度", "en": "Groups"},
    "sheet-tally": {"zh": "民主评议汇总", "en": "Appraisals"},
    "sheet-compare": {"zh": "民主评议对比", "en": "Before and after"},
    "sheet-ballots": {"zh": "评议票", "en": "Ballots"},
    "xlsx-title-status": {"zh": "教育实践活动进度", "en": "Campaign progress"},
    "xlsx-title-office": {"zh": "各督导组工作进度", "en": "Progress by group"},
    "xlsx-title-tally": {"zh": "民主评议汇总", "en": "Appraisal tally"},
    "xlsx-title-compare": {"zh": "民主评议前后对比", "en": "Appraisals before and after"},
    "col-finished": {"zh": "已完成", "en": "Done"},
    "col-owed-count": {"zh": "已到期", "en": "Due"},
    "col-lagging-count": {"zh": "滞后单位", "en": "Lagging"},
    "col-units-count": {"zh": "单位数", "en": "Units"},
    "col-delay-median": {"zh": "上报用时中位数（天）", "en": "Report delay, median (days)"},
    "col-delay-max": {"zh": "上报用时最长（天）", "en": "Report delay, longest (days)"},
    "col-last-report-date": {"zh": "最近上报", "en": "Last report"},
    "col-silent-days": {"zh": "未报天数", "en": "Days silent"},
    "sheet-ledger": {"zh": "台账", "en": "Ledger"},
    "ledger-title": {
        "zh": "截至 {as_of} 各单位规定动作台账（{units} 个单位）",
        "en": "Every unit against every action as of {as_of} ({units} units)",
    },
    "ledger-legend": {
        "zh": "按时：按期完成及完成日期；逾期完成：超过期限完成；逾期N天：已过期限尚未完成；"
        "剩N天：临近期限；今日到期：期限即当日、尚未完成；—：不适用。",
        "en": "on time / late: done, with the day; N d overdue: past its deadline, not done; "
        "N d left: due soon; due today: its deadline is the day, not done yet; —: does not apply.",
    },
    "ledger-done": {"zh": "按时 {date}", "en": "on time {date}"},
    "ledger-late": {"zh": "逾期完成 {date}", "en": "late {date}"},
    "ledger-overdue": {"zh": "逾期{days}天", "en": "{days} d overdue"},
    "ledger-due-soon": {"zh": "剩{days}天", "en": "{days} d left"},
    "ledger-due-today": {"zh": "今日到期", "en": "due today"},
    "ledger-open": {"zh": "未到期", "en": "not due"},
    "ledger-waived": {"zh": "免做", "en": "waived"},
    "ledger-not-applicable": {"zh": "—", "en": "—"},
    "col-kind": {"zh": "会议类型", "en": "Kind"},
    "col-meeting": {"zh": "会议", "en": "Meeting"},
    "col-distributed": {"zh": "发出", "en": "Handed out"},
    "col-returned": {"zh": "收回", "en": "Returned"},
    "col-valid": {"zh": "有效", "en": "Valid"},
    "col-invalid": {"zh": "无效", "en": "Void"},
    "col-before-meeting": {"zh": "之前的会议", "en": "Before: meeting"},
    "col-before-date": {"zh": "之前的日期", "en": "Before: date"},
    "col-after-meeting": {"zh": "之后的会议", "en": "After: meeting"},
    "col-after-date": {"zh": "之后的日期", "en": "After: date"},
    "xlsx-tally-legend": {
        "zh": "差评率达到 {flag_at} 的标记为谈话提醒；好评率、差评率按有效且已评的票计算",
        "en": "flagged for a reminder talk at {flag_at} negative; rates are of the rated forms",
    },
    "xlsx-provenance": {
        "zh": "本表依据截至{as_of}的记录生成（duchu）",
        "en": "Drawn by duchu from the records as of {as_of}",
    },
    "xlsx-provenance-git": {
        "zh": "本表依据截至{as_of}的记录生成（duchu；git 提交 {commit}{dirty}）",
        "en": "Drawn by duchu from the records as of {as_of} (git commit {commit}{dirty})",
    },
    "xlsx-provenance-known": {
        "zh": "本表依据截至{as_of}已提交的记录生成（duchu；git 提交 {commit}{dirty}）",
        "en": "Drawn by duchu from the records as committed by {as_of} "
        "(git commit {commit}{dirty})",
    },
    "xlsx-no-commit": {"zh": "尚无提交", "en": "none yet"},
    "xlsx-dirty": {"zh": "，另有未提交的修改", "en": ", with uncommitted changes"},
    "xlsx-needs-output": {
        "zh": "xlsx 格式需要用 -o 指定输出文件（例如 -o 进度.xlsx）",
        "en": "xlsx output needs a file: give -o PATH (e.g. -o status.xlsx)",
    },
    "ballot-pick-title": {"zh": "评议等次", "en": "Rating"},
    "ballot-pick-message": {
        "zh": "请从下拉列表中选择：{ratings}，或留空",
        "en": "pick one of {ratings} from the list, or leave it empty",
    },
    "ballots-written": {
        "zh": "空白评议票表：{path}（每行录入一张票）",
        "en": "empty ballot sheet: {path} (one row per form)",
    },
    "col-before": {"zh": "之前", "en": "Before"},
    "col-after": {"zh": "之后", "en": "After"},
    "col-change": {"zh": "变化", "en": "Change"},
    # --- init, new, log, stale ------------------------------------------------------------
    "file-exists": {
        "zh": "{path} 已存在，不会覆盖（可用 --name 另取文件名）",
        "en": "{path} exists and is never overwritten (use --name for another file name)",
    },
    "init-has-records": {
        "zh": "{path} 里已经有记录（campaign.yaml），不会覆盖",
        "en": "{path} already holds records (campaign.yaml): nothing written",
    },
    "init-not-empty": {
        "zh": "{path} 不是空文件夹：请换一个新的或空的文件夹",
        "en": "{path} is not empty: use a new or empty folder",
    },
    "init-not-folder": {"zh": "{path} 不是文件夹", "en": "{path} is not a folder"},
    "init-done": {
        "zh": "已在 {path} 建立记录库（{files} 个文件），并安装提交和合并前的检查"
        "（pre-commit、pre-merge-commit）",
        "en": "records started in {path} ({files} files), with checks before every commit "
        "and merge (pre-commit, pre-merge-commit)",
    },
    "init-done-no-hooks": {
        "zh": "已在 {path} 建立记录库（{files} 个文件），但没有安装提交前检查",
        "en": "records started in {path} ({files} files), but with no commit check installed",
    },
    "init-hooks-refused": {
        "zh": "未安装钩子：{reason}",
        "en": "hooks not installed: {reason}",
    },
    # (the hooks' words are duchu.messages.hooks)
    "git-no-identity": {
        "zh": "git 还不知道提交人是谁（缺 {missing}）：请先运行 git config --global user.name "
        '"张三" 和 git config --global user.email "zhangsan@example.com"（换成自己的姓名和邮箱）',
        "en": "git does not know who commits ({missing} missing): first run git config --global "
        'user.name "Zhang San" and git config --global user.email "zhangsan@example.com" '
        "(with your own name and e-mail)",
    },
    "init-next": {
        "zh": "下一步：cd {path} && duchu check && git add . && git commit -m 建立记录库",
        "en": "next: cd {path} && duchu check && git add . && git commit -m 'start records'",
    },
    "init-empty-next": {
        "zh": "下一步：\n"
        "  cd {path}\n"
        "  编辑 campaign.yaml：活动名称、年份、各环节的规定动作和时限\n"
        "  duchu new group g1 --name 市委第一督导组 --leader 张某 --members 张某,赵某,钱某\n"
        "  duchu new unit fagaiwei --group g1 --name 市发展和改革委员会 --short 市发改委\n"
        "  duchu check && git add . && git commit -m 建立记录库",
        "en": "next:\n"
        "  cd {path}\n"
        "  edit campaign.yaml: the campaign's name, year, phases, actions and deadlines\n"
        "  duchu new group g1 --name 市委第一督导组 --leader 张某 --members 张某,赵某,钱某\n"
        "  duchu new unit fagaiwei --group g1 --name 市发展和改革委员会 --short 市发改委\n"
        "  duchu check && git add . && git commit -m 'start records'",
    },
    "not-a-folder": {
        "zh": "{path} 是{what}，这里应是文件夹：请把它移走或改名后再试",
        "en": "{path} is {what} where a folder must be: move or rename it, then try again",
    },
    "what-is-file": {"zh": "文件", "en": "a file"},
    "what-is-link": {"zh": "符号链接", "en": "a symbolic link"},
    "what-is-special": {"zh": "设备、管道或套接字", "en": "a device, pipe or socket"},
    "record-exists": {
        "zh": "{path} 已存在，不会覆盖",
        "en": "{path} exists and is never overwritten",
    },
    "empty-value": {
        "zh": "{option} 不能为空",
        "en": "{option} must not be empty",
    },
    "bad-text": {
        "zh": "{option} 含有控制字符或双向控制字符 {code_point}，不能写入记录",
        "en": "{option} holds a control or bidirectional character {code_point}: not written",
    },
    "group-name-taken": {
        "zh": "督导组名称 '{name}' 已被 {id} 使用：名称须唯一，才能代替 id 使用",
        "en": "group name '{name}' is already {id}'s: names must be unique to stand for ids",
    },
    "unit-name-taken": {
        "zh": "单位名称 '{name}' 已被 {id} 使用：名称须唯一，才能代替 id 使用",
        "en": "unit name '{name}' is already {id}'s: names must be unique to stand for ids",
    },
    "scaffold-unreadable": {
        "zh": "{path} 写出后无法原样读回，未写入（请报告这个问题）",
        "en": "{path} would not read back as written: nothing written (please report this)",
    },
    "unit-name-is-id": {
        "zh": "未给出 --name：单位名称暂写为 '{id}'，"
        "请在 {path} 中改为全称（或删除后用 --name 重建）",
        "en": "no --name given: the unit is named '{id}' for now; "
        "put its full name in {path} (or delete it and give --name)",
    },
    "not-a-git-repo": {
        "zh": "{path} 不在 git 仓库中：此功能需要 git（可先运行 git init）",
        "en": "{path} is not in a git repository: this needs git (try git init)",
    },
    "git-failed": {"zh": "git 出错：{detail}", "en": "git failed: {detail}"},
    "git-not-installed": {
        "zh": "找不到 git 程序：此功能需要先安装 git",
        "en": "git is not installed: this needs git",
    },
    "git-unsafe-repo": {
        "zh": "git 拒绝读取 {path}：仓库属于另一个用户。"
        "确认可信后运行 git config --global --add safe.directory {path}",
        "en": "git refuses to read {path}: the repository belongs to another user; "
        "if you trust it: git config --global --add safe.directory {path}",
    },
    "git-no-commits": {
        "zh": "{path} 的 git 仓库还没有任何提交",
        "en": "the git repository at {path} has no commits yet",
    },
    "git-object-missing": {
        "zh": "git 仓库缺少对象 {object}（部分克隆或仓库已损坏）",
        "en": "the git repository lacks object {object} (a partial clone, or damaged)",
    },
    "known-before-first-commit": {
        "zh": "{day} 早于第一次提交（{first}）：那天还没有提交的记录",
        "en": "{day} is before the first commit ({first}): nothing was committed by then",
    },
    "known-shallow": {
        "zh": "浅克隆缺少 {day} 之前的历史：请先运行 git fetch --unshallow",
        "en": "this shallow clone lacks the history before {day}: run git fetch --unshallow",
    },
    "bad-date-option": {
        "zh": "{option} 的日期 '{text}' 无效：{reason}",
        "en": "{option} date '{text}' is not valid: {reason}",
    },
    "log-none": {"zh": "没有相关的提交记录", "en": "no commits touch these records"},
    "log-more": {
        "zh": "另有 {count} 个更早的提交未列出（--limit 0 列出全部）",
        "en": "{count} earlier commits not listed (--limit 0 lists them all)",
        "en-one": "{count} earlier commit not listed (--limit 0 lists them all)",
    },
    "col-date": {"zh": "日期", "en": "Date"},
    "col-author": {"zh": "作者", "en": "Author"},
    "col-commit": {"zh": "提交", "en": "Commit"},
    "col-message": {"zh": "说明", "en": "Message"},
    "col-files": {"zh": "文件", "en": "Files"},
    "col-last-change": {"zh": "最近更新", "en": "Last change"},
    "never-committed": {"zh": "从未提交", "en": "never committed"},
    "stale-days": {"zh": "{days} 天未更新", "en": "{days} days without a change"},
    "unit-stale": {"zh": "久未更新", "en": "stale"},
    # --- report ---------------------------------------------------------------------------
    "template-not-found": {
        "zh": "找不到报告模板 '{name}'（记录库 templates/ 下和内置模板中都没有）",
        "en": "no report template '{name}' (neither in the tree's templates/ nor built in)",
    },
    "template-syntax": {
        "zh": "模板 {file} 第 {line} 行有语法错误：{detail}",
        "en": "template {file}, line {line}: syntax error: {detail}",
    },
    "template-undefined": {
        "zh": "模板 {file} 第 {line} 行用到了不存在的字段：{detail}",
        "en": "template {file}, line {line} uses a field that does not exist: {detail}",
    },
    "template-outside": {
        "zh": "模板 {path} 是指向记录目录之外的链接（{target}），不予读取",
        "en": "the template {path} is a link leading out of the tree ({target}): not read",
    },
    "templates-outside": {
        "zh": "记录库的 templates 文件夹 {path} 指向记录目录之外（{target}），不予读取",
        "en": "the tree's templates folder {path} leads out of the tree ({target}): not read",
    },
    "template-too-much": {
        "zh": "模板 '{name}' 超出了{bound}上限（{limit}），已停止",
        "en": "template '{name}' went past the {bound} limit ({limit}) and was stopped",
    },
    "bound-time": {"zh": "运行时间（秒）", "en": "running time (seconds)"},
    "bound-output": {"zh": "输出长度（字符）", "en": "output size (characters)"},
    "bound-memory": {"zh": "内存（字节）", "en": "memory (bytes)"},
    "bound-depth": {"zh": "嵌套调用层数", "en": "call depth"},
    "errno-EACCES": {"zh": "没有权限", "en": "permission denied"},
    "errno-EPERM": {"zh": "不允许的操作", "en": "operation not permitted"},
    "errno-ENOENT": {"zh": "文件或文件夹不存在", "en": "no such file or folder"},
    "errno-ENOSPC": {"zh": "磁盘空间已满", "en": "no space left on the device"},
    "errno-EROFS": {"zh": "文件系统是只读的", "en": "the file system is read-only"},
    "errno-ENOTDIR": {"zh": "路径中有一段不是文件夹", "en": "part of the path is not a folder"},
    "errno-EISDIR": {"zh": "这是一个文件夹", "en": "it is a folder"},
    "errno-EEXIST": {"zh": "已经存在", "en": "it exists already"},
    "errno-EDQUOT": {"zh": "超出磁盘配额", "en": "disk quota exceeded"},
    "errno-EMFILE": {"zh": "打开的文件太多", "en": "too many open files"},
    "errno-ENAMETOOLONG": {"zh": "文件名太长", "en": "the file name is too long"},
    "errno-ELOOP": {"zh": "符号链接循环", "en": "a loop of symbolic links"},
    "errno-EIO": {"zh": "读写出错（磁盘或设备故障）", "en": "input/output error (disk or device)"},
    "errno-EFBIG": {"zh": "文件太大", "en": "the file is too large"},
    "errno-EXDEV": {"zh": "不能跨文件系统移动", "en": "cannot move across file systems"},
    "output-extension": {
        "zh": "{path} 的扩展名 {extension} 不对应可写的格式（{formats}）：请用相应的扩展名",
        "en": "{path}: the extension {extension} names no format duchu writes ({formats})",
    },
    "output-extension-mismatch": {
        "zh": "{path} 的扩展名与 --format {format} 不符",
        "en": "{path}: the extension does not match --format {format}",
    },
    "output-in-tree": {
        "zh": "{path} 在记录目录之内：输出文件请写到记录目录之外",
        "en": "{path} is inside the records tree: write output outside it",
    },
    "output-not-a-file": {
        "zh": "{path} 已存在且是{what}，不是普通文件：不会写入",
        "en": "{path} exists and is {what}, not a regular file: not written",
    },
    "output-what-link": {"zh": "符号链接", "en": "a symbolic link"},
    "output-what-folder": {"zh": "文件夹", "en": "a folder"},
    "output-what-special": {"zh": "设备、管道或套接字", "en": "a device, pipe or socket"},
    "output-what-file": {"zh": "文件", "en": "a file"},
    "site-renderer-died": {
        "zh": "生成网页的一个进程意外终止（{how}，可能是内存不足）：网页没有写入，请重试",
        "en": "a process rendering the site ended unexpectedly ({how}; out of memory?): "
        "nothing was written, try again",
    },
    "output-exists": {
        "zh": "{path} 已存在：不会覆盖（确需覆盖请加 --force）",
        "en": "{path} exists and is not overwritten (add --force to replace it)",
    },
    "output-read-only": {
        "zh": "{path} 是只读文件：不会覆盖",
        "en": "{path} is read-only: not replaced",
    },
    "output-hard-links": {
        "zh": "{path} 还有其他 {links} 个硬链接：替换它会断开这些链接，不会覆盖",
        "en": "{path} has {links} hard links: replacing it would break them; not replaced",
    },
    "os-error-no-path": {
        "zh": "操作系统拒绝了操作：{reason}",
        "en": "the operating system refused: {reason}",
    },
    "os-error": {
        "zh": "操作系统拒绝了操作：{reason}（{path}）",
        "en": "the operating system refused: {reason} ({path})",
    },
    "template-unsafe": {
        "zh": "模板 '{name}' 试图做不允许的事：{detail}",
        "en": "template '{name}' tried something not allowed: {detail}",
    },
    "template-error": {
        "zh": "模板 '{name}' 出错：{detail}",
        "en": "template '{name}' failed: {detail}",
    },
    "layout-invalid": {
        "zh": "版式文件 {file} 有误：{detail}",
        "en": "layout file {file} is not valid: {detail}",
    },
    "no-groups": {
        "zh": "记录中还没有督导组：先用 duchu new group 建立",
        "en": "the records have no group yet: add one with duchu new group",
    },
    "report-needs-group": {
        "zh": "记录中有多个督导组，请用 --group 指定（现有：{groups}）",
        "en": "the records have several groups: choose one with --group ({groups})",
    },
    "docx-needs-output": {
        "zh": "DOCX 格式需要用 -o 指定输出文件",
        "en": "DOCX output needs a file: give -o PATH",
    },
    "cannot-write": {
        "zh": "无法写入 {path}：{reason}",
        "en": "cannot write {path}: {reason}",
    },
    "report-written": {"zh": "已写入 {path}", "en": "written: {path}"},
    # --- status --------------------------------------------------------------------------------
    "state-done": {"zh": "按时完成", "en": "done"},
    "state-late": {"zh": "逾期完成", "en": "late"},
    "state-overdue": {"zh": "逾期未完成", "en": "overdue"},
    "state-due_soon": {"zh": "临近截止", "en": "due soon"},
    "state-open": {"zh": "未到期", "en": "open"},
    "state-waived": {"zh": "免做", "en": "waived"},
    "status-title": {
        "zh": "截至 {as_of}：{units} 个单位，{lagging} 个滞后",
        "en": "As of {as_of}: units {units}, lagging {lagging}",
    },
    "phase-not-begun": {
        "zh": "提示：“{phase}”环节{start}才开始，截至 {as_of} 尚未开始",
        "en": "note: the phase {phase} starts on {start}, after the as-of date {as_of}",
    },
    "as-of-outside": {
        "zh": (
            "提示：截至日期 {as_of} 远在活动期间（{first}至{last}）之外，"
            "逾期天数等均按这一天计算；可用 --as-of 指定日期"
        ),
        "en": (
            "note: the as-of date {as_of} lies far outside the campaign ({first} to {last}); "
            "days overdue count from it -- give another with --as-of"
        ),
    },
    "office-title": {
        "zh": "截至 {as_of}：{groups} 个督导组、{units} 个单位，{lagging} 个单位滞后{known}",
        "en": "As of {as_of}: groups {groups}, units {units}, lagging {lagging}{known}",
    },
    "office-known": {
        "zh": "（按当日已提交的记录 {commit}）",
        "en": " (as committed by that day: {commit})",
    },
    "office-none": {"zh": "没有督导组", "en": "no groups"},
    "col-units-lagging": {"zh": "滞后/\n单位", "en": "Lagging/\nunits"},
    "col-days-overdue-2": {"zh": "逾期\n天数", "en": "Days\noverdue"},
    "col-last-change-2": {"zh": "最近\n更新", "en": "Last\nchange"},
    "col-owed": {"zh": "应\n完成", "en": "Due"},
    "col-on-time": {"zh": "按时", "en": "On time"},
    "col-late-short": {"zh": "逾期\n完成", "en": "Late"},
    "col-overdue-short": {"zh": "未\n完成", "en": "Over-\ndue"},
    "col-done-share": {"zh": "完成\n率", "en": "Done"},
    "col-attended": {"zh": "督查\n次数", "en": "Visits"},
    "col-report-delay": {"zh": "上报\n用时", "en": "Report\ndelay"},
    "col-due-today": {"zh": "当日\n到期", "en": "Due\ntoday"},
    "col-supervised": {"zh": "督查\n次数", "en": "Super-\nvised"},
    "col-last-report": {"zh": "最近\n上报", "en": "Last\nreport"},
    "col-late-reports": {"zh": "迟报\n次数", "en": "Late\nreports"},
    "last-report-silent": {"zh": "{date} {days}天", "en": "{date} {days} d"},
    "office-legend": {
        "zh": (
            "应完成：截至当日已到期的规定动作（含当日到期、尚未完成的）；"
            "督查次数：督导组出席的督查类会议（未标明督查类时为出席的全部会议，截至当日）；"
            "最近上报：最近一次提交会议记录或完成情况、问题的日期，其后为至今未报的天数；"
            "上报用时：从会议日期到记录提交的天数，中位数/最长。"
        ),
        "en": (
            "Due: actions due by the day (those due that day and not yet done included); "
            "supervised: meetings of supervision kinds the group attended (all it attended "
            "when no kind is marked), to date; last report: the last commit of a meeting "
            "record, a done date or a finding, then the days silent since; report delay: "
            "days from a meeting to the commit of its record, median/longest."
        ),
    },
    "office-legend-late": {
        "zh": "迟报次数：开会后超过 {within} 天才提交记录的会议。",
        "en": "Late reports: meetings recorded more than {within} days after they took place.",
    },
    "report-delay-days": {"zh": "{median}/{max}天", "en": "{median}/{max} d"},
    "office-lagging-units": {"zh": "滞后单位", "en": "Lagging units"},
    "col-unit": {"zh": "单位", "en": "Unit"},
    "col-group": {"zh": "督导组", "en": "Group"},
    "col-state": {"zh": "状态", "en": "State"},
    "col-days-overdue": {"zh": "逾期天数", "en": "Days overdue"},
    "col-overdue": {"zh": "逾期未完成", "en": "Overdue"},
    "col-due-soon": {"zh": "临近截止", "en": "Due soon"},
    "col-progress": {"zh": "已完成/已到期", "en": "Done/due"},
    "col-late": {"zh": "逾期完成", "en": "Done late"},
    "col-problems": {"zh": "问题", "en": "Problems"},
    "col-phase": {"zh": "环节", "en": "Phase"},
    "col-action": {"zh": "事项", "en": "Action"},
    "col-due": {"zh": "期限", "en": "Due"},
    "col-done-on": {"zh": "完成日期", "en": "Done on"},
    "col-note": {"zh": "说明", "en": "Note"},
    "unit-lagging": {"zh": "滞后", "en": "lagging"},
    "unit-due-soon": {"zh": "临近", "en": "due soon"},
    "unit-on-track": {"zh": "正常", "en": "on track"},
    "overdue-item": {"zh": "{action}（逾期 {days} 天）", "en": "{action} ({days} days)"},
    "late-item": {"zh": "{action}（晚 {days} 天）", "en": "{action} ({days} days late)"},
    "due-soon-item": {"zh": "{action}（{due}截止）", "en": "{action} (due {due})"},
    "problem-before": {
        "zh": "{action}早于“{before}”完成",
        "en": "{action} done before '{before}'",
    },
    "status-rest": {
        "zh": "另有 {count} 个单位没有逾期或临近截止的事项（--all 显示全部）",
        "en": "{count} more units have nothing overdue or due soon (--all shows every unit)",
    },
    "status-rest-stale": {
        "zh": "另有 {count} 个单位没有逾期、临近截止或久未更新的情况（--all 显示全部）",
        "en": "{count} more units have nothing overdue, due soon or stale (--all shows every unit)",
    },
    "status-none": {"zh": "没有符合条件的单位", "en": "no units match"},
    "group-actions": {"zh": "督导组事项", "en": "Group actions"},
    "days-left": {"zh": "还有 {days} 天", "en": "{days} days left"},
    "notice-mark": {"zh": "（已{word}）", "en": " ({word} given)"},
    # --- remind (duchu remind, 1.2) --------------------------------------------------------
    "remind-title": {
        "zh": "截至 {as_of}：应发督办 {count} 件",
        "en": "As of {as_of}: {count} notices due",
    },
    "remind-none": {"zh": "没有应发的督办或谈话提醒", "en": "no notice is due"},
    "remind-col-unit": {"zh": "单位", "en": "Unit"},
    "remind-col-level": {"zh": "等级", "en": "Level"},
    "remind-col-about": {"zh": "督办事项", "en": "About"},
    "remind-col-reason": {"zh": "原因", "en": "Why"},
    "remind-col-previous": {"zh": "上次督办", "en": "Previous"},
    "remind-talk": {"zh": "谈话提醒", "en": "reminder talk"},
    "remind-reason-due_soon": {"zh": "还有{days}天到期", "en": "due in {days} days"},
    "remind-reason-due_today": {"zh": "今天到期", "en": "due today"},
    "remind-reason-overdue": {"zh": "逾期{days}天", "en": "overdue {days} days"},
    "remind-reason-unheeded": {
        "zh": "黄色督办已{days}天未办结",
        "en": "not done {days} days after the yellow notice",
    },
    "remind-reason-flagged": {
        "zh": "民主评议差评率达到标准，{days}天未谈话提醒",
        "en": "flagged in an appraisal, no reminder talk for {days} days",
    },
    "remind-previous": {"zh": "{date}{word}", "en": "{word} on {date}"},
    "remind-written": {
        "zh": "已写入 {count} 件督办记录（请核对后提交）：",
        "en": "{count} notice records written (review them, then commit):",
    },
    "remind-written-none": {
        "zh": "没有新的督办记录要写（应发的都已记录）",
        "en": "no new notice record to write (every notice due is on record)",
    },
    "remind-docx-written": {
        "zh": "已生成督办通知单 {path}（{count} 份）",
        "en": "notices written to {path} ({count})",
    },
    "remind-sheet-title": {"zh": "{word}通知单", "en": "{word} notice"},
    "remind-sheet-blue": {
        "zh": "按照{campaign}安排，你单位“{action}”应于{due}前完成，距截止还有{days}天，"
        "目前尚未完成。请抓紧推进，按时完成，并于{reply_by}前将完成情况报送{by}。",
        "en": 'Under the {campaign}, your unit\'s action "{action}" is due on {due}, in {days} '
        "days, and is not done yet. Please complete it on time and report to {by} by {reply_by}.",
    },
    "remind-sheet-yellow": {
        "zh": "按照{campaign}安排，你单位“{action}”应于{due}前完成，现已逾期{days}天仍未完成。"
        "请高度重视，立即整改，于{reply_by}前完成并将有关情况书面报送{by}。",
        "en": 'Under the {campaign}, your unit\'s action "{action}" was due on {due} and is '
        "{days} days overdue. Please complete it and report to {by} in writing by {reply_by}.",
    },
    "remind-sheet-red": {
        "zh": "你单位“{action}”应于{due}前完成，{since}已{yellow}，至今{days}天仍未办结。"
        "现予{word}，请你单位主要负责同志亲自过问，于{reply_by}前办结并书面报告{by}。",
        "en": 'Your unit\'s action "{action}" was due on {due}; a {yellow} notice on {since} '
        "went unheeded for {days} days. It is now under {word}: your unit's head is to see it "
        "done by {reply_by} and report to {by} in writing.",
    },
    "remind-sheet-talk": {
        "zh": "你单位{since}{kind}民主评议中，{subjects}的不满意票比例较高，"
        "达到谈话提醒的标准。按照要求，{by}将会同你单位党组（党委）主要负责同志进行谈话提醒，请做好安排。",
        "en": "In the appraisal at the {kind} on {since}, {subjects} reached the share of "
        "negative ratings that calls for a reminder talk; {by} will hold it with your unit's "
        "Party secretary. Please arrange it.",
    },
    "remind-write-known": {
        "zh": "--write 写入工作目录中的记录，不能与 --known（按已提交的记录）同用",
        "en": "--write writes into the working tree and cannot be used with --known",
    },
    "remind-office": {"zh": "活动办", "en": "the activity office"},
    "days-late": {"zh": "晚 {days} 天", "en": "{days} days late"},
    # --- site (duchu site) ---------------------------------------------------------------------
    "site-written": {
        "zh": "已生成网页 {path}（{pages} 个页面，打开其中的 index.html）",
        "en": "site written to {path} ({pages} pages; open its index.html)",
    },
    "not-utf8-argument": {
        "zh": "{option} 的值不是 UTF-8 文字（终端或脚本用了别的编码，如 GBK）：请改用 UTF-8",
        "en": "the value of {option} is not UTF-8 text (the terminal or script uses another "
        "encoding, such as GBK): use UTF-8",
    },
    "stdout-closed": {
        "zh": "标准输出已关闭（如 >&-），结果无法写出：请把输出重定向到文件或管道",
        "en": "standard output is closed (>&- or the like): nowhere to write; redirect it",
    },
    "site-no-folder": {
        "zh": "-o 后面的文件夹是空的：请写明网页写入哪个文件夹（当前文件夹写 -o .）",
        "en": "-o names no folder: say which folder the site goes into (-o . for this one)",
    },
    "site-not-a-folder": {
        "zh": "{path} 已存在且是{what}，不是文件夹：不会写入",
        "en": "{path} exists and is {what}, not a folder: not written",
    },
    "site-foreign": {
        "zh": "{path} 不是 duchu 上次生成的（{manifest} 中没有它）：不会覆盖或删除，请换一个文件夹",
        "en": "{path} was not written by duchu (its {manifest} does not list it): "
        "not replaced or removed; choose another folder",
    },
    "site-manifest-bad": {
        "zh": "{path} 无法读取或已损坏：不知道哪些文件是 duchu 生成的，不会写入",
        "en": "{path} is unreadable or damaged: duchu cannot tell which files are its own; "
        "not written",
    },
    "site-title": {"zh": "{campaign}督导工作看板", "en": "{campaign}: supervision dashboard"},
    "site-nav-overview": {"zh": "总览", "en": "Overview"},
    "site-nav-appraisals": {"zh": "民主评议", "en": "Appraisals"},
    "site-as-of": {"zh": "截至 {as_of}", "en": "as of {as_of}"},
    "site-prov-as-of": {"zh": "依据截至 {as_of} 的记录", "en": "From the records as of {as_of}"},
    "site-prov-commit": {"zh": "git 提交 {commit}", "en": "git commit {commit}"},
    "site-prov-dirty": {"zh": "另有未提交的修改", "en": "with uncommitted changes"},
    "site-prov-known": {
        "zh": "按当日已提交的记录 {commit}",
        "en": "as committed by that day: {commit}",
    },
    "site-prov-no-git": {"zh": "记录不在 git 仓库中", "en": "the records are not in git"},
    "site-made-by": {"zh": "由 duchu {version} 生成", "en": "made by duchu {version}"},
    "site-sep": {"zh": "，", "en": "; "},
    "site-colon": {"zh": "：", "en": ": "},
    "site-list-sep": {"zh": "、", "en": ", "},
    "site-with-note": {"zh": "{name}（{note}）", "en": "{name} ({note})"},
    "site-groups-heading": {"zh": "各督导组情况", "en": "The groups side by side"},
    "site-col-lagging-bar": {"zh": "滞后单位占比", "en": "Lagging share"},
    "site-col-done-bar": {"zh": "应完成事项", "en": "Due actions"},
    "site-sort-hint": {"zh": "点击表头可排序。", "en": "Click a heading to sort."},
    "site-more-groups": {
        "zh": "这里列出最滞后的 {shown} 个督导组（共 {count} 个），其余见：",
        "en": "The {shown} groups that lag most, of {count}; the rest:",
    },
    "site-more-lagging": {
        "zh": "这里列出前 {shown} 个滞后单位（共 {count} 个），其余见：",
        "en": "The first {shown} of {count} lagging units; the rest:",
    },
    "site-page": {"zh": "第 {page} 页，共 {pages} 页", "en": "page {page} of {pages}"},
    "site-page-n": {"zh": "第 {page} 页", "en": "page {page}"},
    "site-previous": {"zh": "上一页", "en": "previous"},
    "site-next": {"zh": "下一页", "en": "next"},
    "site-filter-group": {"zh": "按督导组筛选", "en": "Filter by group"},
    "site-filter-all": {"zh": "全部", "en": "all"},
    "site-no-lagging": {"zh": "没有滞后的单位。", "en": "No unit is lagging."},
    "site-none": {"zh": "无。", "en": "None."},
    "site-light-lagging": {"zh": "有单位滞后", "en": "a unit lags"},
    "site-light-due_soon": {"zh": "有事项临近截止", "en": "something is due soon"},
    "site-light-on_track": {"zh": "正常", "en": "on track"},
    "site-group-leader": {"zh": "组长", "en": "Leader"},
    "site-group-members": {"zh": "成员", "en": "Members"},
    "site-grid-heading": {"zh": "各单位规定动作完成情况", "en": "Units against actions"},
    "site-grid-hint": {
        "zh": "鼠标停在格子上可看事项、状态和日期；虚线框：办理顺序有问题。",
        "en": "Hover over a cell for the action, its state and dates; dotted: done out of order.",
    },
    "site-glyph-done": {"zh": "完", "en": "✓"},
    "site-glyph-late": {"zh": "迟", "en": "L"},
    "site-glyph-overdue": {"zh": "逾", "en": "!"},
    "site-glyph-due_soon": {"zh": "近", "en": "s"},
    "site-glyph-open": {"zh": "", "en": ""},
    "site-glyph-waived": {"zh": "免", "en": "–"},
    "site-not-applicable": {"zh": "不适用", "en": "does not apply"},
    "site-due-on": {"zh": "期限 {due}", "en": "due {due}"},
    "site-meetings": {"zh": "会议和督导检查", "en": "Meetings and visits"},
    "site-col-title": {"zh": "名称", "en": "Title"},
    "site-col-attended-by": {"zh": "督导组出席", "en": "Attended by"},
    "site-all-units": {"zh": "本组全部单位", "en": "all the group's units"},
    "site-people": {"zh": "参加人数", "en": "People"},
    "site-absent": {"zh": "缺席", "en": "Absent"},
    "site-notes": {"zh": "记录", "en": "Notes"},
    "site-category": {"zh": "类别", "en": "Category"},
    "site-leaders": {"zh": "领导班子", "en": "Leaders"},
    "site-actions-heading": {"zh": "规定动作", "en": "Actions"},
    "site-findings": {"zh": "存在问题和整改情况", "en": "Findings and rectification"},
    "site-col-finding": {"zh": "问题", "en": "Finding"},
    "site-col-found": {"zh": "发现日期", "en": "Found"},
    "site-col-owner": {"zh": "责任人", "en": "Owner"},
    "site-col-rect-due": {"zh": "整改期限", "en": "To be rectified by"},
    "site-finding-open": {"zh": "整改中", "en": "being rectified"},
    "site-finding-overdue": {"zh": "逾期未整改", "en": "overdue"},
    "site-finding-resolved": {"zh": "已整改", "en": "rectified"},
    "site-unrated-blank": {"zh": "空白为未评。", "en": "blank: unrated."},
    "site-compare-heading": {"zh": "活动前后对比", "en": "Before and after"},
    "site-appraisal-summary": {
        "zh": "{meetings} 次民主评议，{flagged} 个评议对象差评率达到 {flag_at}。",
        "en": "{meetings} appraisals; {flagged} subjects at or above {flag_at} negative.",
    },
    "site-flagged-heading": {
        "zh": "差评率达到 {flag_at} 的评议对象（谈话提醒）",
        "en": "Subjects at or above {flag_at} negative (reminder talk)",
    },
    "site-flagged-more": {
        "zh": "这里列出差评率最高的 {shown} 个（共 {count} 个）；各单位页面列出本单位的全部评议。",
        "en": "The {shown} highest of {count}; each unit's page shows all its appraisals.",
    },
    "site-distribution-heading": {"zh": "评议结果分布", "en": "How the ratings fall"},
    "site-distribution-kind": {
        "zh": "{kind}：{meetings} 次评议，{subjects} 个评议对象",
        "en": "{kind}: {meetings} appraisals, {subjects} subjects",
    },
    "site-hist-positive": {
        "zh": "好评率分布（横轴好评率，柱高为评议对象个数）",
        "en": "Positive rates (across: the rate; up: how many subjects)",
    },
    "site-hist-negative": {
        "zh": "差评率分布；虚线为谈话提醒线 {flag_at}",
        "en": "Negative rates; the dashed line is the reminder threshold, {flag_at}",
    },
    "site-flag-line": {"zh": "谈话提醒线 {flag_at}", "en": "reminder threshold {flag_at}"},
    "site-compare-summary": {
        "zh": "{units} 个单位有前后两次评议可对比：{team}好评率上升的 {rose} 个，下降的 {fell} 个，"
        "持平的 {same} 个。",
        "en": "{units} units have a first and a last appraisal: the {team}'s positive rate "
        "rose in {rose}, fell in {fell}, stayed in {same}.",
    },
    "site-col-team-change": {"zh": "{team}好评率变化", "en": "{team}: change of positive rate"},
    "bad-file-name": {
        "zh": "文件名（或所在文件夹名）不是 UTF-8 编码，路径中的 \\x.. 是无法解码的字节："
        "不能作 id，不予读取；请用 UTF-8 重新命名（如 convmv -f gbk -t utf8）",
        "en": "the name of the file (or of a folder above it) is not UTF-8 -- \\x.. in the path "
        "is a byte that cannot be decoded: it cannot be an id and is not read; rename it in "
        "UTF-8 (e.g. convmv -f gbk -t utf8)",
    },
    "unreadable": {
        "zh": "无法读取：{reason}",
        "en": "cannot be read: {reason}",
    },
    "hidden-file": {
        "zh": "文件名以 . 开头，是隐藏文件，duchu 不会读取它：若是记录，请去掉开头的 .",
        "en": "the name starts with '.', so the file is hidden and not read: "
        "if it is a record, remove the leading '.'",
    },
}
