"""The canonical schema: one definition of every table's columns, used by adapters, the store and the docs.

``docs/SCHEMA.md`` describes the same tables for people; ``tests/test_schema_doc.py`` keeps the two in step.
Tables fed by adapters (``ADAPTER_TABLES``) have a natural key; an ingest compares each incoming row's
``row_hash`` (over the content columns) with the stored one to count it as new, updated or unchanged.
"""

from __future__ import annotations

from signalfire.store import tables

# Event categories (documented in docs/SCHEMA.md)
CATEGORIES = (
    "armed_conflict",          # battles, state-based and non-state violence, remote violence, CAMEO 18-20
    "violence_against_civilians",  # UCDP one-sided violence, ACLED violence against civilians
    "terrorism",               # GTD incidents
    "unrest",                  # protests and riots, CAMEO 14
    "tension",                 # coercion, threats, force posture: CAMEO 15-17, verbal conflict 10-13
    "cooperation",             # CAMEO 01-09
    "strategic_development",   # ACLED strategic developments
    "cyber",                   # cyber operations
)

DATE_PRECISIONS = ("day", "days", "week", "month", "year", "unknown")
GEO_PRECISIONS = ("exact", "near", "admin2", "admin1", "country", "region", "unknown")

# name -> DuckDB type; order is the column order in the store.
EVENT_COLUMNS: dict[str, str] = {
    "source": "VARCHAR",            # source family: ucdp-ged, acled, gdelt, gtd
    "source_id": "VARCHAR",         # the producer's own id
    "source_version": "VARCHAR",    # release (e.g. 23.1), Candidate/final status, export date
    "category": "VARCHAR",
    "subtype": "VARCHAR",
    "date_start": "DATE",
    "date_end": "DATE",
    "date_precision": "VARCHAR",
    "country_iso3": "VARCHAR",
    "country_gw": "INTEGER",
    "admin1": "VARCHAR",
    "admin2": "VARCHAR",
    "place": "VARCHAR",
    "latitude": "DOUBLE",
    "longitude": "DOUBLE",
    "geo_precision": "VARCHAR",
    "actor1": "VARCHAR",
    "actor2": "VARCHAR",
    "fatalities_best": "INTEGER",
    "fatalities_low": "INTEGER",
    "fatalities_high": "INTEGER",
    "civilian_deaths": "INTEGER",
    "description": "VARCHAR",
    "source_reference": "VARCHAR",
}

CONFLICT_COLUMNS: dict[str, str] = {
    "conflict_id": "INTEGER",
    "year": "INTEGER",
    "location": "VARCHAR",
    "side_a": "VARCHAR",
    "side_a_id": "VARCHAR",
    "side_a_2nd": "VARCHAR",
    "side_b": "VARCHAR",
    "side_b_id": "VARCHAR",
    "side_b_2nd": "VARCHAR",
    "incompatibility": "INTEGER",     # 1 territory, 2 government, 3 both
    "territory_name": "VARCHAR",
    "intensity_level": "INTEGER",     # 1: 25-999 deaths, 2: 1000+
    "cumulative_intensity": "INTEGER",
    "type_of_conflict": "INTEGER",    # 1 extrasystemic, 2 interstate, 3 intrastate, 4 internationalized
    "start_date": "DATE",
    "start_prec": "INTEGER",
    "start_date2": "DATE",
    "start_prec2": "INTEGER",
    "ep_end": "INTEGER",
    "ep_end_date": "DATE",
    "ep_end_prec": "INTEGER",
    "gwno_a": "VARCHAR",
    "gwno_a_2nd": "VARCHAR",
    "gwno_b": "VARCHAR",
    "gwno_b_2nd": "VARCHAR",
    "gwno_loc": "VARCHAR",
    "location_iso3": "VARCHAR",       # ISO3 codes of gwno_loc, comma-separated
    "region": "VARCHAR",
    "version": "VARCHAR",
}

# Country-month and country-year values in long form: one row per (source, country, period, measure).
COUNTRY_MONTH_COLUMNS: dict[str, str] = {
    "source": "VARCHAR",          # e.g. views-cm
    "country_iso3": "VARCHAR",
    "country_gw": "INTEGER",
    "views_country_id": "INTEGER",
    "year": "INTEGER",
    "month": "INTEGER",
    "month_id": "INTEGER",        # VIEWS month id: 1 = January 1980
    "measure": "VARCHAR",         # e.g. ged_sb_best
    "value": "DOUBLE",
}

COUNTRY_YEAR_COLUMNS: dict[str, str] = {
    "source": "VARCHAR",          # e.g. ucdp-cy, ucdp-brd
    "country_iso3": "VARCHAR",
    "country_gw": "INTEGER",
    "year": "INTEGER",
    "measure": "VARCHAR",
    "value": "DOUBLE",
}

# Which columns identify a record of each adapter-fed table.
KEYS: dict[str, tuple[str, ...]] = {
    "events": ("source", "source_id"),
    "conflicts": ("conflict_id", "year"),
    "country_month": ("source", "country_iso3", "month_id", "measure"),
    "country_year": ("source", "country_iso3", "year", "measure"),
    "dyad_year": ("source", "country_a_iso3", "country_b_iso3", "year", "measure"),
}

# Values per pair of countries and year in long form (votes agreement, alliances, flows from origin to destination, …):
# one row per (source, country_a, country_b, year, measure).  Direction, where it matters, is a -> b.
DYAD_YEAR_COLUMNS: dict[str, str] = {
    "source": "VARCHAR",
    "country_a_iso3": "VARCHAR",
    "country_a_gw": "INTEGER",
    "country_b_iso3": "VARCHAR",
    "country_b_gw": "INTEGER",
    "year": "INTEGER",
    "measure": "VARCHAR",
    "value": "DOUBLE",
}

ADAPTER_TABLES: dict[str, dict[str, str]] = {
    "events": EVENT_COLUMNS,
    "conflicts": CONFLICT_COLUMNS,
    "country_month": COUNTRY_MONTH_COLUMNS,
    "country_year": COUNTRY_YEAR_COLUMNS,
    "dyad_year": DYAD_YEAR_COLUMNS,
}

# The streams' own tables (store/tables/<stream>.py), each documented in docs/schema/<stream>.md
STREAM_KEEP: dict[str, str] = {}
_STREAM_DDL: list[str] = []
for _module in tables.modules():
    ADAPTER_TABLES.update(_module.TABLES)
    KEYS.update(_module.KEYS)
    STREAM_KEEP.update(_module.KEEP)
    _STREAM_DDL.extend(_module.DDL)

# Columns every adapter-fed table carries beside its content, set by the ingest.
TRACE_COLUMNS: dict[str, str] = {
    "run_id": "INTEGER",          # the ingest run that wrote this version
    "record_ref": "VARCHAR",      # line or record number in that run's file
    "row_hash": "VARCHAR",        # hash of the content columns, for change detection
}

QUARANTINE_COLUMNS: dict[str, str] = {
    "record_ref": "VARCHAR",      # line number (1-based, header is line 1) or record index
    "column_name": "VARCHAR",     # the offending column, if one
    "raw": "VARCHAR",             # the raw record as read (truncated to 10,000 characters)
    "reason": "VARCHAR",
}


def columns_ddl(columns: dict[str, str]) -> str:
    return ",\n    ".join(f"{name} {typ}" for name, typ in columns.items())


def _table(name: str, columns: dict[str, str], extra: dict[str, str] | None = None) -> str:
    cols = dict(columns)
    cols.update(extra or {})
    return f"CREATE TABLE {name} (\n    {columns_ddl(cols)}\n)"


# Migrations: append only.  Each is a list of SQL statements run in one transaction.
MIGRATIONS: list[list[str]] = [
    [
        """CREATE TABLE ingest_runs (
    run_id INTEGER PRIMARY KEY,
    adapter VARCHAR, adapter_version VARCHAR, source VARCHAR, target_table VARCHAR,
    file_name VARCHAR, file_path VARCHAR, file_sha256 VARCHAR, file_bytes BIGINT,
    started_at TIMESTAMP, finished_at TIMESTAMP, status VARCHAR,
    rows_read BIGINT, rows_new BIGINT, rows_updated BIGINT, rows_unchanged BIGINT, rows_quarantined BIGINT,
    source_version VARCHAR, message VARCHAR
)""",
        _table("events", EVENT_COLUMNS, TRACE_COLUMNS),
        _table("event_revisions", EVENT_COLUMNS,
               {**TRACE_COLUMNS, "superseded_by_run": "INTEGER", "superseded_at": "TIMESTAMP"}),
        _table("conflicts", CONFLICT_COLUMNS, TRACE_COLUMNS),
        _table("country_month", COUNTRY_MONTH_COLUMNS, TRACE_COLUMNS),
        _table("country_year", COUNTRY_YEAR_COLUMNS, TRACE_COLUMNS),
        _table("quarantine", QUARANTINE_COLUMNS, {"run_id": "INTEGER", "file_name": "VARCHAR"}),
    ],
    [   # 2: probabilistic forecasts (signalfire.forecast): one run per model and cut-off, summaries + draws
        """CREATE TABLE forecast_runs (
    run_id INTEGER PRIMARY KEY,
    model VARCHAR, model_version VARCHAR,
    cutoff VARCHAR, cutoff_month_id INTEGER, data_last_month_id INTEGER,
    horizons INTEGER, draws INTEGER, countries INTEGER,
    created_at TIMESTAMP, seconds DOUBLE, config VARCHAR
)""",
        """CREATE TABLE forecasts (
    run_id INTEGER, country_id INTEGER, country_iso3 VARCHAR, month_id INTEGER, step INTEGER,
    mean DOUBLE, q05 DOUBLE, q10 DOUBLE, q25 DOUBLE, q50 DOUBLE, q75 DOUBLE, q90 DOUBLE, q95 DOUBLE,
    p_ge25 DOUBLE, draws FLOAT[]
)""",
    ],
    [   # 3: the general dyad-year long table and every stream's tables (store/tables/)
        _table("dyad_year", DYAD_YEAR_COLUMNS, TRACE_COLUMNS),
        *(_table(name, columns, TRACE_COLUMNS) for module in tables.modules() for name, columns in module.TABLES.items()),
        *_STREAM_DDL,
    ],
]

SCHEMA_VERSION = len(MIGRATIONS)


def additive_ddl() -> list[str]:
    """``CREATE TABLE IF NOT EXISTS`` for the general dyad-year table and every stream's tables: run at every
    writable opening (:meth:`signalfire.store.database.Store.migrate`), so a stream table added after a store
    reached its schema version is created there too.  Adding a table needs nothing more; changing the columns of
    an existing one needs a migration appended to MIGRATIONS."""
    statements = [_table(name, columns, TRACE_COLUMNS)
                  for name, columns in ADAPTER_TABLES.items()
                  if name not in ("events", "conflicts", "country_month", "country_year")]
    statements += _STREAM_DDL
    return [stmt.replace("CREATE TABLE ", "CREATE TABLE IF NOT EXISTS ", 1) for stmt in statements]
