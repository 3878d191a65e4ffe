"""The ``duchu`` script's entry point, which answers ``--version`` before importing anything,
and a question asked before of what has not changed from the answer kept (``duchu.answers``).

A user's shell completion, an editor plugin or a CI step asks ``duchu --version`` often, an
office's scripts ask ``status`` again and again, and every ``git commit`` runs ``check``; each
should cost little more than starting Python and looking at the files. Loading Typer alone
takes several times that, so these are answered here and everything else goes to
``duchu.cli.app``.
"""

from __future__ import annotations

import sys


def main() -> None:
    if sys.argv[1:] == ["--version"]:
        from duchu import __version__

        sys.stdout.write(f"duchu {__version__}\n")
        return
    from duchu.answers import answer

    answer(sys.argv, _run)


def _run() -> None:
    try:
        from duchu.cli.app import main as run_cli
    except ModuleNotFoundError as err:  # a dependency missing from this Python: one line
        from duchu.messages import LANGS, message

        texts = (
            message("missing-module", lang, python=sys.executable, module=err.name)
            for lang in LANGS
        )
        sys.exit("duchu: " + " / ".join(texts))
    run_cli()
