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
    from duchu.cli.app import main as run_cli

    run_cli()
