"""The forecast layer's CLI commands (``signalfire forecast …``), part of the CLI layer on top: ``commands``
(evaluate, run, export, runs, views-import; its ``register(app)`` is called by :mod:`signalfire.cli`), ``onset``
(onset, onset-evaluate, added to the same group) and ``options`` (what both share)."""
