"""``python -m duchu``: the same command line as the ``duchu`` script."""

from duchu.cli import main

main()
