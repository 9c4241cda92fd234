"""UNHCR flows table, into ``dyad_year`` (see :mod:`signalfire.sources.migration.unhcr`)."""

from __future__ import annotations

from signalfire.sources.migration.unhcr import adapter

ADAPTER = adapter(
    "flows", "unhcr-flows", "UNHCR flows table (refugees package flows.csv: newly displaced across borders per year)"
)
read = ADAPTER.read
