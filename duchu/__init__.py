"""duchu (督促/督导): plain-text records for the supervision groups of a Party education campaign.

The package is a library first: ``load_tree`` reads and checks a records tree, ``unit_status``
judges it as of a date. ``duchu.cli.app`` is the thin command line over it.
"""

__version__ = "0.1.0"
