"""Store tables for peacekeeping and other missions: missions, mission-months, contributions, fatalities, deployment sites.

``TABLES``: adapter-fed tables (name -> columns; every one also gets the trace columns run_id, record_ref, row_hash),
``KEYS``: the columns that identify a record of each, ``KEEP``: which record of a repeated key an ingest keeps
(SQL ORDER BY over the staged columns; default: the first in the file), ``DDL``: other tables of this stream
(CREATE TABLE statements).  Documented in ``docs/schema/missions.md``.
"""

from __future__ import annotations

TABLES: dict[str, dict[str, str]] = {}
KEYS: dict[str, tuple[str, ...]] = {}
KEEP: dict[str, str] = {}
DDL: list[str] = []
