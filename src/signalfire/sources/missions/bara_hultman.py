"""Bara & Hultman, UN and non-UN peacekeeping v2-2019, into ``mission_month`` (long form).

One line per mission, conflict and month (``missionid``, ``mission``, ``conflictid``, ``date``) for UN, regional
(AU, ECOWAS, CIS, …) and international (EU, NATO outside their region, coalitions) operations deployed to civil
conflicts 1993–2016.  ``org`` is the codebook's type of deploying organisation: 1 UN, 2 regional, 3 international
(stored in ``organisation`` as ``UN``, ``regional``, ``international``).  A mission assigned to several conflicts
appears once per conflict with the same counts; the conflict is part of the key (``conflict_id``).  Measures, one
per count column, named ``<personnel>_<series>``: personnel ``troops``, ``police``, ``observers``, ``totals``;
series ``sipri`` (as reported by SIPRI, mostly December), ``iepo`` (the codebook's MAIN VARIABLE: interpolated,
extrapolated, a few manual changes), ``ipo`` (interpolated only), ``ipi`` (IPI's UN figures), ``backward`` (the
year's observed number for every month).  Per the codebook, from 2015 military observers are counted as troops.
``location`` (the conflict country) and its COW code ``ccode`` give ``host_country`` / ``host_iso3``.

Licence: Bara & Hultman (2019), free with citation.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from signalfire.geo.countries import resolve_series
from signalfire.sources.base import Adapter, Batch
from signalfire.sources.delimited import read_records, sniff_delimiter
from signalfire.sources.missions.common import long_values, month_parts
from signalfire.sources.validate import Checker, require_columns

VERSION = "1.0"
SOURCE = "bara-hultman"
LICENCE = ("Bara, Corinne & Lisa Hultman, UN and non-UN peacekeeping dataset v2-2019 (SIPRI, IPI based); free with "
           "citation.")
ORGS = {"1": "UN", "1.0": "UN", "2": "regional", "2.0": "regional", "3": "international", "3.0": "international"}
SERIES = {"SIPRI_{}": "sipri", "{}_iepo": "iepo", "{}_ipo": "ipo", "IPI_{}": "ipi", "{}_backward": "backward"}
MEASURES = {pattern.format(kind): f"{kind}_{series}" for pattern, series in SERIES.items()
            for kind in ("troops", "police", "observers", "totals")}
REQUIRED = ["ccode", "location", "conflictid", "date", "missionid", "mission", "org", *MEASURES]
HINT = "is this the Bara & Hultman UN and non-UN peacekeeping file (v2-2019, 32 columns)?"


def _chunk(path: Path, records, rejects, delim: str) -> Batch:
    chk = Checker(records, path, delim=delim)
    date = chk.date("date", ["%Y-%m-%d"], required=True)
    mission = chk.require("mission").str.strip()
    conflict = chk.number("conflictid", required=True, whole=True, minimum=0)
    org = chk.choice("org", ORGS)
    cow = chk.number("ccode", whole=True, minimum=0)
    host = resolve_series(cow, "cow", date)
    year, month = month_parts(date)
    base = records[[]].assign(source=SOURCE, mission=mission, conflict_id=conflict, year=year, month=month,
                              organisation=org, host_country=chk.text("location"), host_iso3=host["country_iso3"])
    rows, quarantine = long_values(path, records, chk, base, MEASURES, "measure", "value", rejects,
                                   whole=False)
    return Batch(rows, quarantine)


def read(path: Path) -> Iterator[Batch]:
    path = Path(path)
    delim = sniff_delimiter(path)
    for records, rejects in read_records(path, delim=delim):
        require_columns(path, list(records.columns), REQUIRED, HINT)
        yield _chunk(path, records, rejects, delim)


ADAPTER = Adapter(name="bara-hultman", source=SOURCE, table="mission_month", version=VERSION,
                  formats="Bara & Hultman UN and non-UN peacekeeping CSV (v2-2019, 32 columns, 1993-2016)",
                  read=read, licence=LICENCE)
