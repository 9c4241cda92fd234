"""Dyadic Cyber Incident and Dispute dataset (DCID) v2.0, incident sheet, into ``cyber_incidents``.

Reads the workbook as published (``DCID_2.0_Release_update_February_2023.xlsx``): its first sheet is the incident
sheet (one row per incident: ``Cyberincidentnum``, ``Dyadpair``, ``StateA``, ``StateB``, ``Name``,
``interactionstartdate``, ``interactionenddate``, ``method``, ``targettype``, ``initiator``, ``cyber_objective``,
``severity``, ``Crit Inf``, ``Supply Ch``, ``Ransomware``, ``Political Objective``, ``Sources1``–``Sources5``…).
The second sheet (campaigns: the ICEWS/CAMEO conventional actions of both sides around each incident) is not
read.  Codes as in the codebook (``dcidv2codebook.pdf``, Maness, Valeriano, Hedgecock, Jensen & Macias 2022):

* sponsor: ``initiator`` (a COW code); victim: the other state of ``Dyadpair`` (the two COW codes written
  together, lower first);
* type, from ``method`` and ``cyber_objective``: method 1 (vandalism) defacement, 2 (DDoS) ddos, 4.1 (logic bomb,
  wiper) data_destruction; otherwise objective 2–3 (short/long-term espionage) espionage, 1 (disruption) and 4
  (degradation) sabotage; ``type_raw`` keeps both codes with their codebook labels;
* sectors: ``targettype`` (private/non-state, government non-military, government military) and the
  critical-infrastructure sector ``Crit Inf`` (CISA's sectors 1–16, 17 other);
* attribution: DCID codes an incident only when state responsibility is verified by government statements or
  security-firm reports (codebook, "responsibility"), so confidence is ``high``; the response is not coded;
* severity: the 0–10 scale; norms: see :mod:`.incidents` (critical infrastructure = ``Crit Inf`` 1–16 except 11,
  government facilities: ministries' networks are not infrastructure "providing services to the public").
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pandas as pd

from signalfire.geo.countries import resolve_series
from signalfire.sources.base import Adapter, Batch, SourceError
from signalfire.sources.cyber.incidents import norm_tags, urls_in
from signalfire.sources.tabular import open_records
from signalfire.sources.validate import Checker

VERSION = "1.0"
SOURCE = "dcid"
LICENCE = ("Dyadic Cyber Incident and Dispute Dataset v2.0, Maness, Valeriano, Hedgecock, Jensen & Macias (2022): "
           "free for academic use with citation.")
REQUIRED = ["Cyberincidentnum", "Dyadpair", "StateA", "StateB", "Name", "interactionstartdate", "method",
            "targettype", "initiator", "cyber_objective", "severity"]
METHODS = {"1": "vandalism", "2": "denial of service", "3": "network intrusion", "4": "network infiltration",
           "4.1": "logic bomb / wiper", "4.2": "virus", "4.3": "worm", "4.4": "keystroke logging"}
OBJECTIVES = {"1": "disruption", "2": "short-term espionage", "3": "long-term espionage", "4": "degradation"}
TARGETS = {"1": "private sector", "2": "government", "3": "military"}
SECTORS = {1: "chemical", 2: "commercial facilities", 3: "communications", 4: "critical manufacturing", 5: "dams",
           6: "defense industrial base", 7: "emergency services", 8: "energy", 9: "financial services",
           10: "food and agriculture", 11: "government facilities", 12: "healthcare and public health",
           13: "information technology", 14: "nuclear", 15: "transportation systems", 16: "water and wastewater",
           17: "other (election infrastructure, academia)"}
DATES = ["%Y-%m-%d", "%Y-%m-%d %H:%M:%S", "%m/%d/%Y", "%Y-%m"]


def _code(value: float) -> str:
    return "" if pd.isna(value) else (f"{value:.1f}".rstrip("0").rstrip(".") if value % 1 else str(int(value)))


def _kind(method: str, objective: str) -> str:
    if method == "1":
        return "defacement"
    if method == "2":
        return "ddos"
    if method == "4.1":
        return "data_destruction"
    return "espionage" if objective in ("2", "3") else "sabotage"


def _victim(dyad: str, initiator: str) -> str | None:
    """The other COW code of a dyad pair written as two codes together (``2365`` = 2 and 365)."""
    if dyad.startswith(initiator) and len(dyad) > len(initiator):
        return dyad[len(initiator):]
    if dyad.endswith(initiator) and len(dyad) > len(initiator):
        return dyad[:-len(initiator)]
    return None


def _rows(path: Path, records: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    chk = Checker(records, path)
    num = chk.number("Cyberincidentnum", required=True, whole=True, minimum=1)
    dyad = chk.number("Dyadpair", required=True, whole=True, minimum=1)
    initiator = chk.number("initiator", required=True, whole=True, minimum=1)
    start = chk.date("interactionstartdate", DATES, required=True)
    end = chk.date("interactionenddate", DATES) if "interactionenddate" in records else pd.Series(pd.NaT,
                                                                                                   index=records.index)
    method = chk.number("method", required=True, minimum=1, maximum=4.4).map(_code)
    objective = chk.number("cyber_objective", required=True, whole=True, minimum=1, maximum=4).map(_code)
    target = chk.number("targettype", whole=True, minimum=1, maximum=3).map(_code)
    severity = chk.number("severity", whole=True, minimum=0, maximum=10)
    crit = chk.number("Crit Inf", whole=True, minimum=0, maximum=17)
    supply = chk.number("Supply Ch", whole=True, minimum=0, maximum=1)
    chk.fail(method.ne("") & ~method.isin(list(METHODS)), "method", "not a DCID method code")
    chk.fail(end.notna() & start.notna() & (end < start), "interactionenddate", "before interactionstartdate")
    init_code = initiator.astype("string").fillna("")
    victim_code = pd.Series([_victim(d, i) if d and i else None for d, i in
                             zip(dyad.astype("string").fillna(""), init_code)], index=records.index, dtype=object)
    chk.fail(init_code.ne("") & dyad.notna() & victim_code.isna(), "initiator",
             "initiator " + init_code + " is not one of the dyad pair " + dyad.astype("string").fillna(""))
    sponsor = resolve_series(init_code.where(init_code != "", None), "cow", when=start)
    victim = resolve_series(victim_code, "cow", when=start)
    chk.fail(init_code.ne("") & sponsor["country_iso3"].isna(), "initiator", "unknown COW code " + init_code)
    chk.fail(victim_code.notna() & victim["country_iso3"].isna(), "Dyadpair",
             "unknown COW code " + victim_code.astype("string").fillna(""))
    rows = []
    for i in records.index:
        kind = _kind(method[i], objective[i])
        sectors = [TARGETS[target[i]]] if target[i] in TARGETS else []
        if pd.notna(crit[i]) and int(crit[i]) in SECTORS:
            sectors.append(SECTORS[int(crit[i])])
        objective_text = chk.value("Political Objective")[i] if "Political Objective" in records else ""
        sources = [chk.value(c)[i] for c in records.columns if c.startswith("Sources")]
        critical = pd.notna(crit[i]) and 1 <= int(crit[i]) <= 16 and int(crit[i]) != 11
        rows.append({
            "source": SOURCE, "source_id": _code(num[i]) if pd.notna(num[i]) else None,
            "name": chk.value("Name")[i] or None, "description": objective_text or None,
            "date_start": None if pd.isna(start[i]) else start[i].date(),
            "date_end": None if pd.isna(end[i]) else end[i].date(), "date_precision": "day",
            "sponsor_iso3": [] if pd.isna(sponsor["country_iso3"][i]) else [sponsor["country_iso3"][i]],
            "sponsor_raw": init_code[i], "victims_raw": victim_code[i],
            "victim_iso3": [] if pd.isna(victim["country_iso3"][i]) else [victim["country_iso3"][i]],
            "sectors": sectors, "sectors_raw": f"targettype {target[i]}; Crit Inf {_code(crit[i])}",
            "type": kind,
            "type_raw": (f"method {method[i]} ({METHODS.get(method[i], '?')}); cyber_objective {objective[i]} "
                         f"({OBJECTIVES.get(objective[i], '?')})"),
            "threat_actor": None, "attribution": "state responsibility verified by DCID's coders",
            "attribution_confidence": "high", "response": None, "response_raw": None,
            "severity": None if pd.isna(severity[i]) else int(severity[i]),
            "norms": norm_tags(kind, sectors, f"{chk.value('Name')[i]} {objective_text}", critical_sector=critical,
                               supply_chain=supply[i] == 1 if pd.notna(supply[i]) else False),
            "urls": urls_in(*sources),
        })
    return chk.split(pd.DataFrame(rows, index=records.index))


def read(path: Path) -> Iterator[Batch]:
    path = Path(path)
    names, chunks, _ = open_records(path)
    missing = [c for c in REQUIRED if c not in names]
    if missing:
        raise SourceError(f"{path.name}, line 1: missing required column(s) {', '.join(missing)}; is this the "
                          "DCID v2.0 workbook (its first sheet, the incident sheet)?")
    for records, rejects in chunks:
        if records.empty:
            yield Batch(pd.DataFrame(columns=["record_ref"]), rejects)
            continue
        rows, quarantine = _rows(path, records)
        yield Batch(rows, pd.concat([rejects, quarantine], ignore_index=True) if len(rejects) else quarantine)


ADAPTER = Adapter(name="dcid", source=SOURCE, table="cyber_incidents", version=VERSION,
                  formats="DCID v2.0 workbook (.xlsx), incident sheet (first sheet)", read=read, licence=LICENCE)
