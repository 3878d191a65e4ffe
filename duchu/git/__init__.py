"""Git, through its command line: the audit trail of a records tree.

Every commit to the records is a change with an author and a date; duchu reads that history
(``duchu log``, ``status --stale``, the office view's ``last_change`` and
``report_delay_days``, the provenance line of reports), reads a past commit's files without
checking anything out (``--known``) and starts repositories (``duchu init``). Nothing else
in duchu runs git.

Two promises hold for every git command run here:

- Any path and any text comes through unchanged: output is NUL-separated (``-z``,
  ``%x00``), paths are never C-quoted, and pathspecs are literal, so Chinese ids, spaces,
  quotes, newlines, ``*`` or an author name holding a control character all work.
- Nothing that a repository's own configuration or attributes names is ever run. A records
  tree received from someone may carry a ``.git/config`` naming programs (an fsmonitor
  hook, a pager, an external diff, a signature verifier, filters, hooks, a remote to fetch
  missing objects from). Every invocation overrides those settings on the command line
  (``_SAFE_CONFIG``, which outranks every configuration file, included ones too), blocks
  every transport (``GIT_ALLOW_PROTOCOL``), and only commands that never run filters are
  used: the dirty check of ``head_state`` hashes the working files itself instead of
  asking ``git status``.
- What is read is each commit's own objects: ``refs/replace/`` refs and graft files are
  ignored (``--no-replace-objects``, ``GIT_NO_REPLACE_OBJECTS``, an empty
  ``GIT_GRAFT_FILE``), so neither the server hook nor ``--known`` can be shown one commit in
  place of another.

Outside a repository the functions raise ``NotAGitRepositoryError`` (``GitNotInstalledError``,
a kind of it, without git), and the command line says so in one line; every other command
works as before.

The layer's modules: ``run`` (running git safely), ``history`` (commits and file dates),
``objects`` (reading a commit's files, what a push brings) and ``state`` (the working tree
against HEAD).
"""
