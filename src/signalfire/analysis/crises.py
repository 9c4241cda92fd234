"""Queries on the crises stream's tables, shared by the Python API, the REST API, the pages and the briefings.

Functions take a DuckDB connection; :class:`CrisesQueries` exposes them as methods of
:class:`signalfire.warehouse.Warehouse` (``self.con`` is the store's connection).
"""

from __future__ import annotations


class CrisesQueries:
    """The crises stream's methods of ``signalfire.open(...)``."""
