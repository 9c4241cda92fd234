"""International Crisis Behavior (ICB) actor-level data (``icb2v15.csv``) into ``crisis_actors``.

ICB publishes its crises one line per crisis actor (``icb2``, 95 columns): the crisis (``crisno``, ``crisname``,
the system trigger date ``systrgyr/mo/da``), the actor (``cracno``, ``cracid`` its COW code, ``actor`` ICB's
three-letter code), when the crisis began and ended for it (``yrtrig…``, ``yrterm…``; an empty end is a
crisis still going on; days 66/77/88 are ICB's codes for a day not known exactly: read to the month), the trigger, the gravity
of the threat, the severity and centrality of violence, the crisis-management technique (``crismg``; 3 is
mediation), global and regional organisations' involvement (``globorg``, ``globact``, ``regorg``, ``regact``,
kept as ICB's codes), the superpowers' involvement and the outcome.  Codes are kept with a label where the ICB
codebook's meaning is listed below; other codes keep an empty label.

A line whose identity, dates or codes cannot be read is quarantined with the file, line and column named.
The actor's COW code resolves to ISO3/GW as of the year of its trigger; a code that does not resolve (e.g. a
state absent from the shipped code table) keeps NULL country codes rather than losing the crisis.

Licence: ICB, free with citation (no formal licence).  Cite Brecher, Wilkenfeld et al., International Crisis
Behavior Data Codebook, Version 15 (2023).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pandas as pd

from signalfire.sources.base import Adapter, Batch
from signalfire.sources.context.cow_codes import resolve_cow_by_year
from signalfire.sources.crises.partial_dates import before, ymd
from signalfire.sources.tabular import check_records, open_records
from signalfire.sources.validate import Checker, require_columns

VERSION = "1.0"
LICENCE = ("International Crisis Behavior (ICB) Project, v15: free with citation (no formal licence). Brecher, "
           "Wilkenfeld, Beardsley, James & Quinn, International Crisis Behavior Data Codebook, Version 15.")
REQUIRED = ["crisno", "cracno", "cracid", "actor", "crisname", "systrgyr", "systrgmo", "systrgda", "yrtrig",
            "motrig", "datrig", "yrterm", "moterm", "daterm", "triggr", "gravty", "sevvio", "cenvio", "crismg",
            "outcom"]

TRIGGER = {1: "verbal act", 2: "political act", 3: "economic act", 4: "external change",
           5: "other non-violent act", 6: "internal challenge to regime or elite", 7: "non-violent military act",
           8: "indirect violent act", 9: "violent act"}
GRAVITY = {0: "economic threat", 1: "limited military threat", 2: "political threat", 3: "territorial threat",
           4: "threat to influence", 5: "threat of grave damage", 6: "threat to existence", 7: "other"}
SEVERITY = {1: "no violence", 2: "minor clashes", 3: "serious clashes", 4: "full-scale war"}
CENTRALITY = {1: "no violence", 2: "minor", 3: "important", 4: "preeminent"}
MANAGEMENT = {1: "negotiation", 2: "adjudication or arbitration", 3: "mediation",
              4: "multiple, not including violence", 5: "non-military pressure", 6: "non-violent military",
              7: "multiple, including violence", 8: "violence"}
OUTCOME = {1: "victory", 2: "compromise", 3: "stalemate", 4: "defeat"}


def _label(codes: pd.Series, labels: dict[int, str]) -> pd.Series:
    return codes.map(lambda v: labels.get(int(v)) if pd.notna(v) else None)


def _canonical(chk: Checker) -> pd.DataFrame:
    crisis = chk.number("crisno", required=True, whole=True, minimum=1)
    actor_no = chk.number("cracno", required=True, whole=True, minimum=1)
    cow = chk.number("cracid", required=True, whole=True, minimum=1)
    name = chk.require("crisname")
    code = chk.require("actor")
    system, system_prec = ymd(chk, "systrgyr", "systrgmo", "systrgda")
    trigger, trigger_prec = ymd(chk, "yrtrig", "motrig", "datrig")
    end, end_prec = ymd(chk, "yrterm", "moterm", "daterm", required=False)
    chk.fail(before(end, end_prec, trigger, trigger_prec), "yrterm", "the crisis ends before it begins for this actor")
    triggr = chk.number("triggr", whole=True, minimum=1, maximum=9)
    gravity = chk.number("gravty", whole=True, minimum=0, maximum=7)
    severity = chk.number("sevvio", whole=True, minimum=1, maximum=4)
    centrality = chk.number("cenvio", whole=True, minimum=1, maximum=4)
    management = chk.number("crismg", whole=True, minimum=1, maximum=8)
    outcome = chk.number("outcom", whole=True, minimum=1)
    where = resolve_cow_by_year(cow, trigger.dt.year)
    return pd.DataFrame({
        "crisis_no": crisis, "actor_no": actor_no, "crisis_name": name, "actor_code": code, "actor_cow": cow,
        "country_iso3": where["country_iso3"], "country_gw": where["country_gw"],
        "system_trigger_date": system, "system_trigger_precision": system_prec,
        "trigger_date": trigger, "trigger_precision": trigger_prec, "end_date": end, "end_precision": end_prec,
        "trigger_type": triggr, "trigger_label": _label(triggr, TRIGGER),
        "trigger_entity_cow": chk.number("trigent", whole=True),
        "gravity": gravity, "gravity_label": _label(gravity, GRAVITY),
        "violence_severity": severity, "violence_severity_label": _label(severity, SEVERITY),
        "violence_centrality": centrality, "violence_centrality_label": _label(centrality, CENTRALITY),
        "crisis_management": management, "crisis_management_label": _label(management, MANAGEMENT),
        "mediation": (management == 3).astype("boolean").where(management.notna()),
        "global_org": chk.number("globorg", whole=True), "global_org_activity": chk.number("globact", whole=True),
        "regional_org": chk.number("regorg", whole=True), "regional_org_activity": chk.number("regact", whole=True),
        "us_involvement": chk.number("usinv", whole=True), "su_involvement": chk.number("suinv", whole=True),
        "outcome": outcome, "outcome_label": _label(outcome, OUTCOME),
        "outcome_form": chk.number("outfor", whole=True), "actors_in_crisis": chk.number("noactr", whole=True),
        "protracted_conflict": chk.number("pcid", whole=True),
    })


def read(path: Path) -> Iterator[Batch]:
    path = Path(path)
    names, chunks, delim = open_records(path)
    require_columns(path, names, REQUIRED, "is this the ICB actor-level file (icb2v15.csv)?")
    for records, rejects in chunks:
        good, quarantine = check_records(Checker(records, path, delim=delim), _canonical, delim)
        yield Batch(good, pd.concat([rejects, quarantine], ignore_index=True), source_version="15")


ADAPTER = Adapter(name="icb-crises", source="icb", table="crisis_actors", version=VERSION,
                  formats="ICB actor-level CSV (icb2, v15 layout: crisno, cracno, cracid, actor, … 95 columns)",
                  read=read, licence=LICENCE)
