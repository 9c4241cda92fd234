"""Store tables for migration and displacement: UNHCR, Frontex, IOM Missing Migrants, IDMC, Eurostat.

``TABLES``: adapter-fed tables (name -> columns; every one also gets the trace columns run_id, record_ref, row_hash),
``KEYS``: the columns that identify a record of each, ``KEEP``: which record of a repeated key an ingest keeps
(SQL ORDER BY over the staged columns; default: the first in the file), ``DDL``: other tables of this stream
(CREATE TABLE statements).  Documented in ``docs/schema/migration.md``.

UNHCR origin × asylum tables and Eurostat applications go into the general ``dyad_year`` table (country_a =
origin, country_b = asylum or destination); IDMC internal displacement into ``country_year``.  Only what has no
country pair shape has a table here: Frontex detections per route and month (a route is not a country) and IOM
Missing Migrants incidents (each an identity with a place and a date).
"""

from __future__ import annotations

TABLES: dict[str, dict[str, str]] = {
    "route_month": {
        "source": "VARCHAR",            # frontex
        "route": "VARCHAR",             # e.g. Eastern Borders Route
        "route_type": "VARCHAR",        # Land / Sea
        "nationality_iso3": "VARCHAR",  # ISO3, or the producer's code for no country (STL stateless, OOO …)
        "nationality_gw": "INTEGER",
        "month": "DATE",                # first day of the month
        "measure": "VARCHAR",           # detections
        "value": "DOUBLE",
    },
    "migrant_incidents": {
        "source": "VARCHAR",            # iom-mmp (producer's download) or iom-mmp-gdidata (tidy re-publication)
        "incident_id": "VARCHAR",
        "incident_type": "VARCHAR",     # Incident, Split Incident, Cumulative Incident
        "date": "DATE",
        "region": "VARCHAR",            # region of incident (IOM's)
        "route": "VARCHAR",             # migration route (IOM's)
        "country_iso3": "VARCHAR",      # country of incident
        "country_gw": "INTEGER",
        "location": "VARCHAR",
        "latitude": "DOUBLE",
        "longitude": "DOUBLE",
        "dead": "INTEGER",
        "missing": "INTEGER",
        "survivors": "INTEGER",
        "cause": "VARCHAR",
        "origin": "VARCHAR",            # country or countries of origin as published (text)
        "information_source": "VARCHAR",
        "url": "VARCHAR",
    },
}
KEYS: dict[str, tuple[str, ...]] = {
    "route_month": ("source", "route", "route_type", "nationality_iso3", "month", "measure"),
    "migrant_incidents": ("source", "incident_id"),
}
KEEP: dict[str, str] = {}
DDL: list[str] = []
