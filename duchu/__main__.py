"""``python -m duchu``: the same command line as the ``duchu`` script."""

from duchu.launch import main

main()
