"""What the hooks say: installing them, a refused commit or push (each refusal with what the
pusher may do), a hook that cannot start, and ``duchu hook status``. Part of
``duchu.messages.CATALOGUE``."""

from __future__ import annotations

HOOKS: dict[str, dict[str, str]] = {
    "hook-installed": {"zh": "已安装 {path}", "en": "installed {path}"},
    "hook-bad-input": {
        "zh": "pre-receive 钩子收到的不是 git 的推送说明（“{line}”）："
        "这个钩子应由 git 在推送时运行",
        "en": "the pre-receive hook was given something other than git's push lines "
        "('{line}'): git runs this hook on a push",
    },
    "hook-path-outside": {
        "zh": "core.hooksPath 指向仓库之外（{folder}），不在那里写入钩子，以免影响别的仓库；"
        "要用本仓库自己的钩子目录：git config core.hooksPath .git/hooks（裸仓库为 hooks）",
        "en": "core.hooksPath leads out of the repository ({folder}): no hook written there, "
        "where it would act on other repositories; to use this repository's own folder: "
        "git config core.hooksPath .git/hooks (hooks in a bare repository)",
    },
    "hook-foreign": {
        "zh": "{path} 已有别的钩子，未改动：请在其中加入 duchu hook run {hook}，或移走后重试",
        "en": "{path} is someone else's hook, left alone: add duchu hook run {hook} to it, "
        "or move it away and try again",
    },
    "hook-server-not-bare": {
        "zh": "{path} 不是裸仓库：--server 装在各组推送到的中心仓库（git init --bare）",
        "en": "{path} is not a bare repository: --server is for the central repository the "
        "groups push to (git init --bare)",
    },
    "hook-staged-no-records": {
        "zh": "要提交的内容中 {path} 下没有 campaign.yaml，不是记录目录：提交被拒绝",
        "en": "what is being committed holds no campaign.yaml at {path}: commit refused",
    },
    "commit-refused": {
        "zh": "提交被拒绝：要提交的记录有 {errors} 个错误，改正并 git add 后再提交",
        "en": "commit refused: the records being committed have {errors} errors; "
        "fix them, git add, and commit again",
    },
    "merge-refused": {
        "zh": "合并被拒绝：合并后的记录有 {errors} 个错误；改正并 git add 后用 git commit 完成合并",
        "en": "merge refused: the merged records have {errors} errors; fix them, git add, "
        "and finish the merge with git commit",
    },
    "hook-failed-commit": {
        "zh": "duchu 检查时出错，提交被拒绝：{detail}",
        "en": "duchu failed while checking, commit refused: {detail}",
    },
    "hook-failed-push": {
        "zh": "duchu 检查推送时出错，推送被拒绝：{detail}",
        "en": "duchu failed while checking the push, push refused: {detail}",
    },
    "push-not-a-commit": {
        "zh": "{ref} 要指向的对象 {object} 不是提交",
        "en": "{ref} would point to {object}, which is not a commit",
    },
    "push-no-records": {
        "zh": "{ref} 要指向的提交 {object} 中没有 campaign.yaml，不是记录目录",
        "en": "{ref} would point to commit {object}, which holds no campaign.yaml: "
        "not a records tree",
    },
    # --- a refused push: what is wrong, and what the pusher may do ----------------------------
    "push-tree-errors": {
        "zh": "{ref}（{commit}）的记录有这次推送带来的错误（改正后提交，再推送）：",
        "en": "the records of {ref} ({commit}) have errors this push brings "
        "(fix them, commit, and push again):",
    },
    "push-not-your-group": {
        "zh": "{change}改动了督导组 {groups} 的记录，账号 {pusher} 不是该组的账号；{who}",
        "en": "{change} changes records of group {groups}, and account {pusher} is not one "
        "of that group's; {who}",
    },
    "push-office-only": {
        "zh": "{change}改动了活动办的方案文件；{who}",
        "en": "{change} changes the office's campaign file; {who}",
    },
    "push-group-rights": {
        "zh": "{change}改动了督导组 {groups} 的账号（accounts）或排序（order），"
        "这两项由活动办维护；{who}",
        "en": "{change} changes the accounts or the order of group {groups}, which the office "
        "keeps; {who}",
    },
    "push-replace-office-only": {
        "zh": "推送 {ref}：替换引用（refs/replace/）会改变别人读到的提交；{who}",
        "en": "pushing {ref}: a replace ref (refs/replace/) changes what others read of a "
        "commit; {who}",
    },
    "push-delete-office-only": {
        "zh": "删除 {ref}：{who}",
        "en": "deleting {ref}: {who}",
    },
    "push-no-pusher": {
        "zh": "记录库设置了账号（accounts），但不知道推送者是谁：{variables} 都没有设置；"
        "请通过服务器的登录（gitolite、GitLab、Gitea、网页服务器）推送，"
        "或由服务器管理员为每个密钥设置 DUCHU_PUSHER",
        "en": "the records name accounts, but who is pushing is unknown: none of {variables} "
        "is set; push through the server's login (gitolite, GitLab, Gitea, a web server), "
        "or have its administrator set DUCHU_PUSHER for each key",
    },
    "push-no-default-branch": {
        "zh": "新建 {ref}：HEAD 指向的 {groups} 不存在，新分支无从判断谁可以推送；"
        "请服务器管理员把 HEAD 指向记录所在的分支（git symbolic-ref HEAD refs/heads/master）",
        "en": "creating {ref}: HEAD names {groups}, which does not exist, so a new branch has "
        "nothing to be judged by; have the server's administrator point HEAD at the records' "
        "branch (git symbolic-ref HEAD refs/heads/master)",
    },
    "push-change-commit": {"zh": "提交 {commit} ", "en": "commit {commit}"},
    "push-change-rewrite": {
        "zh": "非快进更新 {commit}（丢弃了别人的提交）",
        "en": "the update {commit} (not a fast-forward: it drops commits)",
    },
    "push-then": {"zh": "；", "en": "; "},
    "push-rebase-first": {
        "zh": "先取回并变基：git pull --rebase，再推送（不要 --force）",
        "en": "fetch and rebase first: git pull --rebase, then push (without --force)",
    },
    "push-who-groups": {
        "zh": "可以修改的是{groups}，或活动办（{office}）",
        "en": "it may be changed by {groups}, or by the office ({office})",
    },
    "push-who-groups-all": {
        "zh": "可以修改的是同时属于{groups}的账号，或活动办（{office}）",
        "en": "it may be changed by an account of each of {groups}, or by the office ({office})",
    },
    "push-who-office": {
        "zh": "只有活动办（{office}）可以这样做",
        "en": "only the office ({office}) may do this",
    },
    "push-who-group": {
        "zh": "督导组 {group}（{name}{accounts}）",
        "en": "group {group} ({name}{accounts})",
    },
    "push-who-named": {"zh": "{name}，", "en": "{name}; "},
    "push-who-accounts": {"zh": "账号 {accounts}", "en": "accounts {accounts}"},
    "push-who-none": {"zh": "没有设置账号", "en": "no accounts set"},
    "push-who-or": {"zh": "、", "en": ", "},
    "push-refused": {
        "zh": "duchu：推送被拒绝（{problems}），所有分支和标签都没有更新",
        "en": "duchu: push refused ({problems}): no branch or tag was updated",
    },
    # --- a hook that cannot start -------------------------------------------------------------
    "missing-module": {
        "zh": "{python} 缺少模块 {module}：请把 duchu 安装到这个 Python 中"
        "（{python} -m pip install duchu）",
        "en": "{python} is missing the module {module}: install duchu into that Python "
        "({python} -m pip install duchu)",
    },
    "hook-missing-module": {
        "zh": "{python} 缺少模块 {module}：请把 duchu 安装到这个 Python 中"
        "（{python} -m pip install duchu），或用装有 duchu 的 Python 重新安装钩子",
        "en": "{python} is missing the module {module}: install duchu into that Python "
        "({python} -m pip install duchu), or reinstall the hook with a Python that has it",
    },
    # --- duchu hook status --------------------------------------------------------------------
    "status-hook-installed": {
        "zh": "已安装：{path} 是 duchu 的钩子",
        "en": "installed: {path} is duchu's hook",
    },
    "status-hook-dispatched": {
        "zh": "已安装：{path} 是 duchu 的钩子，由 {driver} 调用",
        "en": "installed: {path} is duchu's hook, run by {driver}",
    },
    "status-hook-missing": {
        "zh": "未安装：没有 {path}，git 不做检查；请运行 duchu hook install{server}",
        "en": "not installed: there is no {path}, so git checks nothing; run "
        "duchu hook install{server}",
    },
    "status-hook-foreign": {
        "zh": "未安装：{path} 不是 duchu 的钩子，git 运行它而不是 duchu 的检查",
        "en": "not installed: {path} is not duchu's hook; git runs it instead of duchu's check",
    },
    "status-hook-link": {
        "zh": "未安装：{path} 是指向 {target} 的链接（gitolite 的 repo-specific-hooks "
        "会这样替换），推送不经 duchu 检查",
        "en": "not installed: {path} is a link to {target} (what gitolite's repo-specific-hooks "
        "puts there), so pushes go in unchecked by duchu",
    },
    "status-hook-elsewhere": {
        "zh": "未安装：core.hooksPath 指向 {folder}，git 不运行 {path}",
        "en": "not installed: core.hooksPath points to {folder}, so git does not run {path}",
    },
    "status-hook-stale": {
        "zh": "未装好：{path} 由别的版本的 duchu 写入或被改过；"
        "请重新运行 duchu hook install{server}",
        "en": "not as installed: {path} was written by another duchu or edited since; run "
        "duchu hook install{server} again",
    },
    "status-hook-not-executable": {
        "zh": "未装好：{path} 不可执行，git 不会运行它；请重新运行 duchu hook install{server}",
        "en": "not as installed: {path} is not executable, so git does not run it; run "
        "duchu hook install{server} again",
    },
    "status-runs": {
        "zh": "能运行：{python} 能载入 duchu {version}",
        "en": "can run: {python} loads duchu {version}",
    },
    "status-no-python": {
        "zh": "不能运行：钩子用的 Python（{python}）不存在或不可执行",
        "en": "cannot run: the hook's Python ({python}) does not exist or cannot be run",
    },
    "status-cannot-run": {
        "zh": "不能运行：{python}：{detail}",
        "en": "cannot run: {python}: {detail}",
    },
    "status-untested": {
        "zh": "未检验：没有 duchu 的钩子可运行",
        "en": "not tested: there is no duchu hook to run",
    },
    "status-refuses": {
        "zh": "会拒绝有错误的记录：试写的坏记录（{path}）被钩子拒绝 [{code}]",
        "en": "refuses invalid records: a trial invalid record ({path}) was refused by the "
        "hook [{code}]",
    },
    "status-accepts": {
        "zh": "不会拒绝有错误的记录：试写的坏记录（{path}）被钩子接受了（退出码 {code}）",
        "en": "does not refuse invalid records: a trial invalid record ({path}) was accepted "
        "by the hook (exit {code})",
    },
    "status-refuses-wrongly": {
        "zh": "不能确认会拒绝有错误的记录：钩子拒绝了试写的坏记录，但没有指出它的错误"
        "（退出码 {code}）：{detail}",
        "en": "cannot tell it refuses invalid records: the hook refused the trial invalid "
        "record without naming its error (exit {code}): {detail}",
    },
    "status-trial-failed": {
        "zh": "未检验是否会拒绝有错误的记录：无法写出试用的记录：{detail}",
        "en": "not tested whether it refuses invalid records: the trial record could not be "
        "made: {detail}",
    },
}
