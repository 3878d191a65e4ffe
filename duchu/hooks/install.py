"""Installing duchu's hooks: the shell script of each hook, written whole or not at all, into
the repository's own hooks folder only and never over a hook that is not duchu's -- the client
hooks (pre-commit, pre-merge-commit) beside a records tree, the server hook (pre-receive) in a
bare repository. What the hooks check is ``duchu.hooks.gate``'s and ``duchu.hooks.server``'s."""

from __future__ import annotations

import contextlib
import os
import shlex
import stat
import tempfile
from pathlib import Path

from duchu.errors import DuchuError
from duchu.git.objects import is_bare, own_folders
from duchu.git.run import hooks_folder, repository_root
from duchu.messages import LANGS, message
from duchu.paths import inside

# --- installing --------------------------------------------------------------------------------

MARK = "# installed by duchu"  # also in the hooks of duchu 1.0's `init` ("... duchu init")
CLIENT_HOOKS = ("pre-commit", "pre-merge-commit")
SERVER_HOOK = "pre-receive"
_PURPOSE = {
    "pre-commit": "refuse a commit whose records have errors (the index is checked)",
    "pre-merge-commit": "refuse a merge whose result has errors",
    "pre-receive": "refuse a push with records that have errors or that the pusher may not change",
}


# The modules duchu needs (pyproject.toml's dependencies, as imported), looked for before
# anything is imported: a Python without one of them refuses in one line that names it.
NEEDED_MODULES = (
    "duchu",
    "typer",
    "pydantic",
    "pydantic_core",
    "yaml",
    "rich",
    "jinja2",
    "docx",
    "markdown_it",
    "openpyxl",
    "xlsxwriter",
)

# How a hook starts duchu: ``-P``, so nothing of the folder it runs in (a repository's own
# files) is ever imported; and a duchu that cannot even be imported refuses in one line.
_LAUNCH = """import sys
from importlib.util import find_spec
def refuse(text):
    sys.exit("duchu: {refused}: " + " ".join(text.split()))
try:
    for name in {modules}:
        if find_spec(name) is None:
            raise ModuleNotFoundError(name=name)
    from duchu.launch import main
    sys.argv[0] = "duchu"
    main()
except SystemExit:
    raise
except ModuleNotFoundError as err:
    refuse({missing}.format(python=sys.executable, module=err.name))
except BaseException as err:
    refuse(f"{type(err).__name__}: {err}")"""


def missing_module_text() -> str:
    """What a hook says of a module its Python lacks, in both languages (a hook that cannot
    start knows no language), with ``{python}`` and ``{module}`` to fill in."""
    return " / ".join(
        message("hook-missing-module", lang, python="{python}", module="{module}") for lang in LANGS
    )


def launcher(hook: str) -> str:
    """The Python a hook runs: duchu's command line, once every module it needs is there."""
    zh, en = ("推送", "push") if hook == SERVER_HOOK else ("提交", "commit")
    return (
        _LAUNCH.replace("{refused}", f"无法启动，{zh}被拒绝 / cannot start, {en} refused")
        .replace("{modules}", repr(NEEDED_MODULES))
        .replace("{missing}", repr(missing_module_text()))
    )


def hook_script(hook: str, python: str, options: list[str]) -> str:
    """The shell script of one hook: ``duchu hook run HOOK`` with the Python that installed
    it, else the duchu on PATH; when neither is there, or anything fails, the commit or push
    is refused. Arguments given to the script go on to ``hook run`` (``--probe``: ``duchu
    hook status`` asking whether it can start)."""
    run = " ".join(shlex.quote(arg) for arg in ["hook", "run", hook, *options])
    zh, en = ("推送", "push") if hook == SERVER_HOOK else ("提交", "commit")
    return f"""#!/bin/sh
{MARK} hook install: {_PURPOSE[hook]}.
# Reinstall with `duchu hook install`; delete this file to stop checking.
python={shlex.quote(python)}
launch={shlex.quote(launcher(hook))}
if [ -x "$python" ]; then
    exec "$python" -P -c "$launch" {run} "$@"
fi
if command -v duchu >/dev/null 2>&1; then
    exec duchu {run} "$@"
fi
echo "duchu: 找不到 duchu，{zh}被拒绝 / duchu not found: {en} refused" >&2
exit 1
"""


def _ours(path: Path) -> bool:
    """Whether the file at ``path`` is a hook duchu wrote (a link never is)."""
    if path.is_symlink():
        return False
    try:
        with open(path, "rb") as handle:
            head = handle.read(4096)
    except OSError:
        return False
    return MARK.encode() in head


def _write_hook(path: Path, text: str) -> None:
    """Write a hook whole or not at all: a temporary file beside it, made executable, then
    renamed over it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="\n") as file:
            file.write(text)
        mode = stat.S_IRWXU | stat.S_IRGRP | stat.S_IXGRP | stat.S_IROTH | stat.S_IXOTH
        os.chmod(temporary, mode)
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise


def _hooks_folder_of(path: Path) -> Path:
    """The hooks folder git uses for the repository at ``path`` (its top, or a bare
    repository), refused when ``core.hooksPath`` leads it out of the repository."""
    folder = hooks_folder(path)
    if not any(inside(folder, own) for own in own_folders(path)):
        raise DuchuError("hook-path-outside", folder=folder)
    return folder


def _install(targets: dict[Path, str]) -> list[Path]:
    """Write every hook, or none: a hook of someone else's at any target stops all."""
    for target in targets:
        if (target.exists() or target.is_symlink()) and not _ours(target):
            raise DuchuError("hook-foreign", path=target, hook=target.name)
    for target, text in targets.items():
        _write_hook(target, text)
    return list(targets)


def install_client_hooks(root: Path, python: str, lang: str | None = None) -> list[Path]:
    """Install pre-commit and pre-merge-commit into the repository holding the records tree
    ``root``; the hooks check the records at ``root``'s place in the repository."""
    top = repository_root(root)  # NotAGitRepositoryError in a bare repository too
    try:
        prefix = root.resolve().relative_to(top.resolve()).as_posix()
    except ValueError:
        raise DuchuError("not-a-git-repo", path=root) from None
    folder = _hooks_folder_of(top)
    options = ["--prefix", prefix] if prefix != "." else []
    options += ["--lang", lang] if lang else []
    return _install({folder / hook: hook_script(hook, python, options) for hook in CLIENT_HOOKS})


def install_server_hook(repository: Path, python: str, lang: str | None = None) -> list[Path]:
    """Install pre-receive into the bare repository ``repository``: into ``hooks/`` or,
    where the server keeps its own pre-receive that runs every script of
    ``hooks/pre-receive.d/`` (Gitea, Forgejo), as ``hooks/pre-receive.d/duchu``."""
    if not is_bare(repository):
        raise DuchuError("hook-server-not-bare", path=repository)
    folder = _hooks_folder_of(repository)
    dispatched = folder / f"{SERVER_HOOK}.d"
    target = dispatched / "duchu" if dispatched.is_dir() else folder / SERVER_HOOK
    options = ["--lang", lang] if lang else []
    return _install({target: hook_script(SERVER_HOOK, python, options)})
