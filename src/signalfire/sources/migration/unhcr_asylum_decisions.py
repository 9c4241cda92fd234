"""UNHCR asylum decisions table, into ``dyad_year`` (see :mod:`signalfire.sources.migration.unhcr`)."""

from __future__ import annotations

from signalfire.sources.migration.unhcr import adapter

ADAPTER = adapter(
    "asylum_decisions", "unhcr-asylum-decisions", "UNHCR asylum decisions table (refugees package asylum_decisions.csv)"
)
read = ADAPTER.read
