"""Archigos leaders (``archigos_leaders.csv``) into ``leaders``.

Archigos 4.1 as the peacesciencer package distributes it: one line per spell of a leader in office, ``obsid``
(e.g. ``POL-1990``), ``gwcode`` (Gleditsch–Ward), ``leadid`` (the person, the same across spells), ``leader``,
``yrborn``, ``gender``, ``startdate`` / ``enddate`` (ISO dates), ``entry`` (Regular, Irregular, Foreign
Imposition), ``exit`` and ``exitcode`` (how the spell ended).  The GW code resolves to ISO3 as of the start date
(GW 255, Germany to 1945, to DEU).

A line whose id, country or dates cannot be read, or that ends before it starts, is quarantined with file, line
and column named.

Licence: Archigos, free with citation: Goemans, Gleditsch & Chiozza (2009), Introducing Archigos, JPR 46(2).
Distributed in the peacesciencer R package (GPL-2).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pandas as pd

from signalfire.geo.countries import describe_failure, resolve_series
from signalfire.sources.base import Adapter, Batch
from signalfire.sources.tabular import check_records, open_records
from signalfire.sources.validate import Checker, require_columns

VERSION = "1.0"
SOURCE = "archigos"
LICENCE = ("Archigos 4.1: free with citation. Goemans, Gleditsch & Chiozza (2009), Introducing Archigos: a dataset "
           "of political leaders, JPR 46(2).")
GW_ALIASES = {255: "DEU"}   # Germany (Prussia) to 1945: the shipped code table knows Germany as GW 260 only
REQUIRED = ["obsid", "gwcode", "leadid", "leader", "startdate", "enddate"]


def _canonical(chk: Checker) -> pd.DataFrame:
    gw = chk.number("gwcode", required=True, whole=True, minimum=1)
    start = chk.date("startdate", ["%Y-%m-%d"], required=True)
    end = chk.date("enddate", ["%Y-%m-%d"], required=True)
    chk.fail(end < start, "enddate", "the spell ends before it starts")
    where = resolve_series(gw, "gw", when=start).copy()
    for code, iso3 in GW_ALIASES.items():
        pick = (gw == code) & where["country_iso3"].isna()
        if pick.any():
            where.loc[pick, "country_iso3"], where.loc[pick, "country_gw"] = iso3, code
    chk.fail(where["country_iso3"].isna() & gw.notna(), "gwcode",
             chk.value("gwcode").map(lambda v: describe_failure(v, "gw")))
    return pd.DataFrame({
        "source": SOURCE, "spell_id": chk.require("obsid"), "leader_id": chk.require("leadid"),
        "leader": chk.require("leader"), "country_iso3": where["country_iso3"], "country_gw": where["country_gw"],
        "born_year": chk.number("yrborn", whole=True, minimum=1700, maximum=2100),
        "gender": chk.text("gender"), "start_date": start, "end_date": end, "entry": chk.text("entry"),
        "exit": chk.text("exit"), "exit_code": chk.text("exitcode"),
    })


def read(path: Path) -> Iterator[Batch]:
    path = Path(path)
    names, chunks, delim = open_records(path)
    require_columns(path, names, REQUIRED, "is this an Archigos leaders file?")
    for records, rejects in chunks:
        good, quarantine = check_records(Checker(records, path, delim=delim), _canonical, delim)
        yield Batch(good, pd.concat([rejects, quarantine], ignore_index=True), source_version="4.1")


ADAPTER = Adapter(name="archigos", source=SOURCE, table="leaders", version=VERSION,
                  formats="Archigos leaders CSV (obsid, gwcode, leadid, leader, yrborn, gender, startdate, enddate, "
                          "entry, exit, exitcode)", read=read, licence=LICENCE)
