"""The tables of each stream beyond events and the general long tables, one module per stream.

Each module defines ``TABLES``, ``KEYS``, ``KEEP`` and ``DDL`` (see any of them); :mod:`signalfire.store.schema`
merges them into the canonical schema.  A new stream adds its module here.
"""

from __future__ import annotations

from importlib import import_module

STREAMS = ("missions", "treaties", "unga", "crises", "context", "cyber", "migration", "terrorism", "alerts", "wmd")


def modules():
    return [import_module(f"signalfire.store.tables.{name}") for name in STREAMS]
