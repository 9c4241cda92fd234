"""Queries on the alerts stream's tables, shared by the Python API, the REST API, the pages and the briefings.

Functions take a DuckDB connection; :class:`AlertsQueries` exposes them as methods of
:class:`signalfire.warehouse.Warehouse` (``self.con`` is the store's connection).
"""

from __future__ import annotations


class AlertsQueries:
    """The alerts stream's methods of ``signalfire.open(...)``."""
