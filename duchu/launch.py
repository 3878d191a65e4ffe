"""The ``duchu`` script's entry point, which answers ``--version`` before importing anything.

A user's shell completion, an editor plugin or a CI step asks ``duchu --version`` often; it
should cost no more than starting Python. Loading Typer alone takes several times that, so
the bare question is answered here and everything else goes to ``duchu.cli.app``.
"""

from __future__ import annotations

import sys


def main() -> None:
    if sys.argv[1:] == ["--version"]:
        from duchu import __version__

        sys.stdout.write(f"duchu {__version__}\n")
        return
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
