"""Queries on the context stream's tables, shared by the Python API, the REST API, the pages and the briefings.

Functions take a DuckDB connection; :class:`ContextQueries` exposes them as methods of
:class:`signalfire.warehouse.Warehouse` (``self.con`` is the store's connection).
"""

from __future__ import annotations


class ContextQueries:
    """The context stream's methods of ``signalfire.open(...)``."""
