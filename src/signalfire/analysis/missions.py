"""Queries on the missions stream's tables, shared by the Python API, the REST API, the pages and the briefings.

Functions take a DuckDB connection; :class:`MissionsQueries` exposes them as methods of
:class:`signalfire.warehouse.Warehouse` (``self.con`` is the store's connection).
"""

from __future__ import annotations


class MissionsQueries:
    """The missions stream's methods of ``signalfire.open(...)``."""
