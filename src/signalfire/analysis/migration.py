"""Queries on the migration stream's tables, shared by the Python API, the REST API, the pages and the briefings.

Functions take a DuckDB connection; :class:`MigrationQueries` exposes them as methods of
:class:`signalfire.warehouse.Warehouse` (``self.con`` is the store's connection).
"""

from __future__ import annotations


class MigrationQueries:
    """The migration stream's methods of ``signalfire.open(...)``."""
