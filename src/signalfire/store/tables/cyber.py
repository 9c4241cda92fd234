"""Store tables for cyber operations (CFR, DCID) and STIX 2.1 objects (bundles, ATT&CK).

``TABLES``: adapter-fed tables (name -> columns; every one also gets the trace columns run_id, record_ref, row_hash),
``KEYS``: the columns that identify a record of each, ``KEEP``: which record of a repeated key an ingest keeps
(SQL ORDER BY over the staged columns; default: the first in the file), ``DDL``: other tables of this stream
(CREATE TABLE statements).  Documented in ``docs/schema/cyber.md``.

One row per incident in ``cyber_incidents``: an incident has several sponsor and victim states, so they are lists
(``VARCHAR[]``); the per-state rows (sponsor -> victim pairs, a country's incidents) are ``unnest`` queries in
``analysis/cyber.py``.  ``stix_objects`` keeps every STIX object verbatim (``object``, JSON text) beside the
columns that index it; versions of one object (same ``id``, another ``modified``) coexist: the key is
(``id``, ``version``), ``version`` being ``modified`` (normalised text), else ``created`` (marking definitions
are never versioned), else ``''`` (cyber observables have neither), so that no key column is NULL.
"""

from __future__ import annotations

CYBER_INCIDENT_COLUMNS: dict[str, str] = {
    "source": "VARCHAR",                  # cfr-cyber | dcid
    "source_id": "VARCHAR",               # the producer's identity of the incident
    "source_version": "VARCHAR",
    "name": "VARCHAR",
    "description": "VARCHAR",
    "date_start": "DATE",
    "date_end": "DATE",
    "date_precision": "VARCHAR",          # day | month
    "sponsor_iso3": "VARCHAR[]",
    "sponsor_raw": "VARCHAR",
    "victim_iso3": "VARCHAR[]",
    "victims_raw": "VARCHAR",
    "sectors": "VARCHAR[]",
    "sectors_raw": "VARCHAR",
    "type": "VARCHAR",                    # espionage | sabotage | ddos | defacement | data_destruction | ...
    "type_raw": "VARCHAR",
    "threat_actor": "VARCHAR",
    "attribution": "VARCHAR",
    "attribution_confidence": "VARCHAR",  # high | medium | low | unknown
    "response": "VARCHAR",
    "response_raw": "VARCHAR",
    "severity": "INTEGER",
    "norms": "VARCHAR[]",                 # UN GGE 2015 (A/70/174) paragraph 13 norms, e.g. 13(f)
    "urls": "VARCHAR[]",                  # the producer's source links
}

STIX_OBJECT_COLUMNS: dict[str, str] = {
    "id": "VARCHAR",
    "version": "VARCHAR",                 # modified as 'YYYY-MM-DD HH:MM:SS.ffffff', else created, else ''
    "type": "VARCHAR",
    "spec_version": "VARCHAR",
    "created": "TIMESTAMP",
    "modified": "TIMESTAMP",
    "name": "VARCHAR",
    "revoked": "BOOLEAN",
    "created_by_ref": "VARCHAR",
    "object_marking_refs": "VARCHAR[]",
    "granular_marking_refs": "VARCHAR[]",
    "tlp": "VARCHAR",                     # clear | green | amber | amber+strict | red (object markings), else NULL
    "tlp_granular": "VARCHAR",            # the highest TLP among the granular markings, else NULL
    "relationship_type": "VARCHAR",
    "source_ref": "VARCHAR",
    "target_ref": "VARCHAR",
    "external_id": "VARCHAR",
    "aliases": "VARCHAR[]",
    "bundle_id": "VARCHAR",
    "upgraded_from": "VARCHAR",           # '2.0' when the ingest upgraded a STIX 2.0 object
    "object": "VARCHAR",                  # the object as JSON text
}

TABLES: dict[str, dict[str, str]] = {
    "cyber_incidents": CYBER_INCIDENT_COLUMNS,
    "stix_objects": STIX_OBJECT_COLUMNS,
}
KEYS: dict[str, tuple[str, ...]] = {
    "cyber_incidents": ("source", "source_id"),
    "stix_objects": ("id", "version"),
}
KEEP: dict[str, str] = {}
DDL: list[str] = []
