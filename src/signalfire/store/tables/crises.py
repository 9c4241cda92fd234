"""Store tables for international crises and militarised interstate disputes (ICB, MID) with their actors.

``TABLES``: adapter-fed tables (name -> columns; every one also gets the trace columns run_id, record_ref, row_hash),
``KEYS``: the columns that identify a record of each, ``KEEP``: which record of a repeated key an ingest keeps
(SQL ORDER BY over the staged columns; default: the first in the file), ``DDL``: other tables of this stream
(CREATE TABLE statements).  Documented in ``docs/schema/crises.md``.

ICB publishes its crises actor by actor (``icb2``: one line per crisis actor); a crisis is the ``crisis_no`` its
actors share, so ``crisis_actors`` is the crises table and the queries (``analysis/crises.py``) group it by crisis.
"""

from __future__ import annotations

TABLES: dict[str, dict[str, str]] = {
    "crisis_actors": {                       # ICB actor-level (icb2): one row per crisis actor
        "crisis_no": "INTEGER",              # crisno
        "actor_no": "INTEGER",               # cracno, the crisis-actor number
        "crisis_name": "VARCHAR",            # crisname
        "actor_code": "VARCHAR",             # actor, ICB's three-letter code
        "actor_cow": "INTEGER",              # cracid, COW state code
        "country_iso3": "VARCHAR",
        "country_gw": "INTEGER",
        "system_trigger_date": "DATE",       # systrgyr/mo/da: the crisis begins (first day of the month if no day)
        "system_trigger_precision": "VARCHAR",  # day | month
        "trigger_date": "DATE",              # yrtrig/motrig/datrig: the crisis begins for this actor
        "trigger_precision": "VARCHAR",
        "end_date": "DATE",                  # yrterm/moterm/daterm: the crisis ends for this actor
        "end_precision": "VARCHAR",
        "trigger_type": "INTEGER",           # triggr
        "trigger_label": "VARCHAR",
        "trigger_entity_cow": "INTEGER",     # trigent (COW code; 996-999 are ICB's non-state entities)
        "gravity": "INTEGER",                # gravty: gravity of the threat
        "gravity_label": "VARCHAR",
        "violence_severity": "INTEGER",      # sevvio
        "violence_severity_label": "VARCHAR",
        "violence_centrality": "INTEGER",    # cenvio
        "violence_centrality_label": "VARCHAR",
        "crisis_management": "INTEGER",      # crismg: primary crisis-management technique
        "crisis_management_label": "VARCHAR",
        "mediation": "BOOLEAN",              # crismg = 3 (mediation)
        "global_org": "INTEGER",             # globorg: global organisation involvement (ICB codes)
        "global_org_activity": "INTEGER",    # globact
        "regional_org": "INTEGER",           # regorg
        "regional_org_activity": "INTEGER",  # regact
        "us_involvement": "INTEGER",         # usinv
        "su_involvement": "INTEGER",         # suinv (USSR/Russia)
        "outcome": "INTEGER",                # outcom
        "outcome_label": "VARCHAR",
        "outcome_form": "INTEGER",           # outfor
        "actors_in_crisis": "INTEGER",       # noactr
        "protracted_conflict": "INTEGER",    # pcid (0: not part of one)
    },
    "crisis_dyads": {                        # ICB dyadic (icbdy): one row per crisis dyad and year
        "dyad_no": "INTEGER",                # crdynum
        "crisis_no": "INTEGER",
        "year": "INTEGER",
        "crisis_name": "VARCHAR",
        "state_a_cow": "INTEGER",
        "state_a_code": "VARCHAR",
        "state_a_iso3": "VARCHAR",
        "state_a_actor_no": "INTEGER",       # actnuma (9999: not a crisis actor in this year)
        "state_b_cow": "INTEGER",
        "state_b_code": "VARCHAR",
        "state_b_iso3": "VARCHAR",
        "state_b_actor_no": "INTEGER",
        "start_date": "DATE",                # trgyrdy/trgmody/trgdady
        "start_precision": "VARCHAR",
        "end_date": "DATE",                  # trmyrdy/trmmody/trmdady
        "end_precision": "VARCHAR",
        "ongoing": "BOOLEAN",
    },
    "disputes": {                            # militarised interstate disputes, dispute level (GML MID)
        "source": "VARCHAR",                 # gml-mid
        "dispute_no": "INTEGER",             # dispnum
        "start_year": "INTEGER",
        "start_month": "INTEGER",
        "outcome": "INTEGER",
        "outcome_label": "VARCHAR",
        "settlement": "INTEGER",             # settle
        "settlement_label": "VARCHAR",
        "fatality_level": "INTEGER",         # fatality (-9 missing -> NULL)
        "fatality_label": "VARCHAR",
        "min_duration_days": "INTEGER",
        "max_duration_days": "INTEGER",
        "highest_action": "INTEGER",         # hiact
        "highest_action_label": "VARCHAR",
        "hostility_level": "INTEGER",        # hostlev
        "hostility_label": "VARCHAR",
        "reciprocated": "BOOLEAN",           # recip
    },
}
KEYS: dict[str, tuple[str, ...]] = {
    "crisis_actors": ("crisis_no", "actor_no"),
    "crisis_dyads": ("dyad_no", "year"),
    "disputes": ("source", "dispute_no"),
}
KEEP: dict[str, str] = {}
DDL: list[str] = []
