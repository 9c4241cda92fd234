"""Frontex detections of illegal border-crossing by route, nationality and month, into ``route_month``.

The tidy re-publication (IOM's ``gdidata`` package, ``frontex``) of Frontex's monthly "Detections of illegal
border-crossings" table: ``route`` (Eastern Borders Route, Central Mediterranean Route, …), ``type`` (Land/Sea:
Frontex splits some routes by border type), ``nat`` (ISO 3166 alpha-3 nationality, or Frontex's ``STL``
stateless, ``OOO``/``OOS`` other or not specified), ``t`` (``YYYY-MM``) and ``n`` (detections).  One row per line:
measure ``detections``.  A route is not a country, so these do not go into ``country_month``.

Licence: Frontex data (reuse authorised with acknowledgement of the source); re-published by IOM's gdidata
(MIT).  The project ships no Frontex data.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pandas as pd

from signalfire.sources.base import Adapter, Batch
from signalfire.sources.migration.common import read_tidy, resolve_codes
from signalfire.sources.validate import Checker

VERSION = "1.0"
SOURCE = "frontex"
LICENCE = ("Frontex, Detections of illegal border-crossings (monthly), reuse with acknowledgement of the source; "
           "tidy table from IOM's gdidata package.")
COLUMNS = ["route", "type", "nat", "t", "n"]


def canonical(chk: Checker) -> pd.DataFrame:
    nat = resolve_codes(chk, "nat")
    month = chk.date("t", ["%Y-%m"], required=True)
    value = chk.number("n", required=True, minimum=0)
    return pd.DataFrame({"source": SOURCE, "route": chk.require("route"), "route_type": chk.require("type"),
                         "nationality_iso3": nat["iso3"], "nationality_gw": nat["gw"], "month": month.dt.date,
                         "measure": "detections", "value": value}, index=chk.records.index)


def read(path: Path) -> Iterator[Batch]:
    return read_tidy(path, COLUMNS, "is this Frontex's detections table "
                            "(route, type, nat, t, n)?", canonical)


ADAPTER = Adapter(name="frontex", source=SOURCE, table="route_month", version=VERSION,
                  formats="Frontex detections by route, border type, nationality and month (tidy CSV: route, type, "
                          "nat, t, n)", read=read, licence=LICENCE)
