"""UNHCR population table, into ``dyad_year`` (see :mod:`signalfire.sources.migration.unhcr`)."""

from __future__ import annotations

from signalfire.sources.migration.unhcr import adapter

ADAPTER = adapter(
    "population",
    "unhcr-population",
    "UNHCR population table (refugees package population.csv: year × origin × asylum, a column per population "
    "type)",
)
read = ADAPTER.read
