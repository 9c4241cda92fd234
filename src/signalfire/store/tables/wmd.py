"""Store tables for weapons of mass destruction and their delivery: missile tests and nuclear fuel-cycle facilities.

``TABLES``: adapter-fed tables (name -> columns; every one also gets the trace columns run_id, record_ref, row_hash),
``KEYS``: the columns that identify a record of each, ``KEEP``: which record of a repeated key an ingest keeps
(SQL ORDER BY over the staged columns; default: the first in the file), ``DDL``: other tables of this stream
(CREATE TABLE statements).  Documented in ``docs/schema/wmd.md``.

Nuclear proficiency (ν-CLEAR) and nuclear cooperation agreements are in the general ``country_year`` and
``dyad_year`` tables (see ``docs/schema/treaties.md``); what has an identity (a test, a facility) is here.
"""

from __future__ import annotations

TABLES: dict[str, dict[str, str]] = {
    "missile_tests": {                       # CNS/NTI: one row per missile test or space launch
        "source": "VARCHAR",                 # cns-missile-tests
        "test_id": "VARCHAR",                # <ISO3>-<sha1 of the line's fields, 12 hex>-<n>
        "country_iso3": "VARCHAR",           # the testing state (from the file name)
        "launch_date": "DATE",
        "missile_name": "VARCHAR",
        "missile_type": "VARCHAR",           # SRBM, MRBM, IRBM, ICBM, SLBM, SLV, … (DPRK missile_type, Iran family)
        "launch_authority": "VARCHAR",
        "facility_name": "VARCHAR",
        "facility_location": "VARCHAR",
        "other_name": "VARCHAR",
        "facility_latitude": "DOUBLE",
        "facility_longitude": "DOUBLE",
        "landing_location": "VARCHAR",
        "apogee_km": "DOUBLE",
        "distance_travelled_km": "DOUBLE",
        "test_confirmed": "BOOLEAN",
        "test_successful": "BOOLEAN",        # NULL: unknown
        "in_operational_use": "BOOLEAN",     # Iran only
        "additional_information": "VARCHAR",
        "sources": "VARCHAR",
    },
    "nuclear_facilities": {                  # Nuclear Latency v1.2: one row per enrichment/reprocessing facility
        "source": "VARCHAR",                 # nuclear-latency
        "facility_id": "VARCHAR",            # <ccode>:<facility_name>
        "country_iso3": "VARCHAR",
        "country_gw": "INTEGER",
        "ccode": "INTEGER",
        "country_name": "VARCHAR",
        "facility_name": "VARCHAR",
        "enr_type": "VARCHAR",               # reprocessing, centrifuge, gaseous diffusion, laser, EMIS, …
        "size": "VARCHAR",                   # laboratory, pilot, commercial
        "construction_start": "INTEGER",
        "construction_end": "INTEGER",
        "operation_start": "INTEGER",
        "operation_end": "INTEGER",
        "operation2_start": "INTEGER",
        "operation2_end": "INTEGER",
        "facility_ambiguity": "BOOLEAN",
        "covert": "BOOLEAN",
        "iaea": "BOOLEAN",
        "regional": "BOOLEAN",
        "military": "BOOLEAN",
        "military_ambiguity": "BOOLEAN",
        "multinational": "BOOLEAN",
        "foreign_assistance": "BOOLEAN",
        "foreign_assistance_ambiguity": "BOOLEAN",
    },
}
KEYS: dict[str, tuple[str, ...]] = {"missile_tests": ("source", "test_id"),
                                    "nuclear_facilities": ("source", "facility_id")}
KEEP: dict[str, str] = {}
DDL: list[str] = []
