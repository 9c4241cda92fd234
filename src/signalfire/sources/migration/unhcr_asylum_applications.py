"""UNHCR asylum applications table, into ``dyad_year`` (see :mod:`signalfire.sources.migration.unhcr`)."""

from __future__ import annotations

from signalfire.sources.migration.unhcr import adapter

ADAPTER = adapter(
    "asylum_applications",
    "unhcr-asylum-applications",
    "UNHCR asylum applications table (refugees package asylum_applications.csv)",
)
read = ADAPTER.read
