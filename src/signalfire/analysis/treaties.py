"""Queries on the treaties stream's tables, shared by the Python API, the REST API, the pages and the briefings.

Functions take a DuckDB connection; :class:`TreatiesQueries` exposes them as methods of
:class:`signalfire.warehouse.Warehouse` (``self.con`` is the store's connection).
"""

from __future__ import annotations


class TreatiesQueries:
    """The treaties stream's methods of ``signalfire.open(...)``."""
