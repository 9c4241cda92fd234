"""Geo-PKO v2.3 troop types per deployment location (the dashboard's ``TTMap`` and ``FrontMap`` tables), into
``mission_site_types`` (long form: one row per location and published column).

Both tables are aggregates the Geo-PKO dashboard builds from the location dataset (its ``data_wrangling_v.2.3.R``),
one line per ``mission``, ``year``, ``location`` (with ``latitude``, ``longitude``):

* ``TTMap``: ``Infantry`` (the year's mean of ``inf.no``, the infantry troops at the location, whole number) and
  the sums over the year's maps of the support units coded there: ``eng`` (engineering), ``med`` (medical), ``sig``
  (signals), ``av`` (aviation incl. helicopter support), ``riv`` (riverine), ``maint`` (maintenance), ``trans``
  (transport).  The unit counts are summed over every map of the year, so a unit mapped twice counts twice: read
  them as "unit-maps", not distinct units.
* ``FrontMap``: also ``country`` (the host country), ``Infantry`` and ``Reserve`` (the year's mean troops),
  ``NoTroops`` (troops on one map), ``hq`` (0 none, 1 sector, 2 regional, 3 mission headquarters, as coded), the
  dummies ``UNPOL``, ``Med``, ``UNMO`` (the year's maximum) and ``Av`` (aviation units), and ``ave.no.troops`` (the
  year's mean of ``NoTroops``).  A location has one line per distinct ``NoTroops``/``hq`` of the year, so lines can
  repeat the same mission, year, location and coordinates: ``site_seq`` numbers them (1, 2, … in file order).

``measure`` is the column name as published; ``value`` its number (``NA``: NULL, unknown).  Accounting: a record
is one value (line × measure); a line whose mission, year, location or coordinates cannot be read quarantines each
of its values; a value that is not a number (or negative) is quarantined alone.  The host country (FrontMap) is
resolved to ``host_iso3`` where it names a state (``host_iso3`` NULL otherwise, e.g. ``Western Sahara``).

Licence: Geo-PKO, free with citation (Cil, Fjelde, Hultman & Nilsson 2020, JPR 57(2)).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pandas as pd

from signalfire.sources.base import Adapter, Batch
from signalfire.sources.context.long_form import melt
from signalfire.sources.delimited import read_records, sniff_delimiter
from signalfire.sources.missions.common import resolve_names
from signalfire.sources.validate import Checker, require_columns

VERSION = "1.0"
LICENCE = ("Geo-PKO v2.3 (Uppsala University), free with citation: Cil, Fjelde, Hultman & Nilsson (2020) Mapping "
           "blue helmets, JPR 57(2).")
SITE = ["mission", "year", "location", "latitude", "longitude"]
TT_MEASURES = ["Infantry", "eng", "med", "sig", "av", "riv", "maint", "trans"]
FRONT_MEASURES = ["Infantry", "NoTroops", "Reserve", "hq", "UNPOL", "Med", "Av", "UNMO", "ave.no.troops"]


def _chunk(path: Path, source: str, records, rejects, delim: str, measures: list[str], seen: Counter) -> Batch:
    chk = Checker(records, path, delim=delim)
    mission = chk.require("mission")
    year = chk.number("year", required=True, whole=True, minimum=1945, maximum=2100)
    location = chk.require("location")
    lat = chk.number("latitude", required=True, minimum=-90, maximum=90)
    lon = chk.number("longitude", required=True, minimum=-180, maximum=180)
    host = chk.text("country") if "country" in records.columns else pd.Series(None, index=records.index,
                                                                                dtype=object)
    key = (mission.fillna("") + "|" + year.astype("string").fillna("") + "|" + location.fillna("") + "|"
           + lat.astype("string").fillna("") + "|" + lon.astype("string").fillna(""))
    seq = []
    for k in key:
        seen[k] += 1
        seq.append(seen[k])
    resolved = resolve_names(host.fillna("")) if host.notna().any() else pd.DataFrame(
        {"country_iso3": [None] * len(records)}, index=records.index)
    units = pd.DataFrame({
        "source": source, "mission": mission, "year": year, "location": location, "latitude": lat,
        "longitude": lon, "host_country": host, "host_iso3": resolved["country_iso3"].to_numpy(),
        "site_seq": seq}, index=records.index)
    rows, quarantine = melt(chk, units, measures)
    negative = rows["value"] < 0
    if negative.any():
        from signalfire.sources.base import quarantine_frame
        bad = rows[negative]
        quarantine = pd.concat([quarantine, quarantine_frame(pd.DataFrame({
            "record_ref": bad["record_ref"], "column_name": bad["measure"], "raw": bad["value"].astype(str),
            "reason": path.name + ", " + bad["record_ref"] + ", column " + bad["measure"] + ": negative: "
                      + bad["value"].astype(str)}).to_dict("records"))], ignore_index=True)
        rows = rows[~negative]
    return Batch(rows, pd.concat([rejects, quarantine], ignore_index=True))


def reader(source: str, measures: list[str], hint: str):
    def read(path: Path) -> Iterator[Batch]:
        path = Path(path)
        delim = sniff_delimiter(path)
        seen: Counter = Counter()
        for records, rejects in read_records(path, delim=delim):
            require_columns(path, list(records.columns), [*SITE, *measures], hint)
            yield _chunk(path, source, records, rejects, delim, measures, seen)
    return read


def adapter(name: str, measures: list[str], formats: str, hint: str) -> Adapter:
    return Adapter(name=name, source=name, table="mission_site_types", version=VERSION, formats=formats,
                   read=reader(name, measures, hint), licence=LICENCE)
