"""Geo-PKO v2.3 deployment locations by troop contributor (the dashboard's ``TCCMap`` table), into
``mission_sites``.

Geo-PKO (Uppsala University; Cil, Fjelde, Hultman & Nilsson) codes where UN peacekeepers were deployed from the
UN's deployment maps.  The TCCMap table has one line per ``mission``, ``year`` and ``location`` (with ``latitude``,
``longitude``), ``No.TCC`` (the number of troop-contributing countries there) and ``year.overview``, the
contributors with their troop numbers: ``"Finland (300), Ireland (300)"``, ``"Nepal (size unknown)"``.  Each
contributor of a location is a record and a row: ``contributor`` as published, resolved to ISO3 where it names a
state (``CARICOM``, ``Multinational``, ``TCC name unknown``, ``UN`` stay without one), ``troops`` the number (NULL
when the map says "size unknown").  A line whose overview names a different number of contributors than
``No.TCC`` is quarantined (validation rule), as is an entry that is not ``Name (number)``.

The FrontMap and TTMap tables of the same release give troop types per location, not contributors; they are read
by :mod:`.geopko_types` (``geopko-ttmap``, ``geopko-frontmap``) into ``mission_site_types`` (this is the table that
answers "where do a country's people serve").

Licence: Geo-PKO, free with citation (Cil, Fjelde, Hultman & Nilsson 2020, JPR 57(2)).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pandas as pd

from signalfire.sources.base import Adapter, Batch, quarantine_frame
from signalfire.sources.delimited import read_records, sniff_delimiter
from signalfire.sources.missions.common import resolve_names
from signalfire.sources.validate import Checker, require_columns, short_repr

VERSION = "1.0"
SOURCE = "geopko"
LICENCE = ("Geo-PKO v2.3 (Uppsala University), free with citation: Cil, Fjelde, Hultman & Nilsson (2020) Mapping "
           "blue helmets, JPR 57(2).")
REQUIRED = ["mission", "year", "location", "latitude", "longitude", "No.TCC", "year.overview"]
HINT = "is this the Geo-PKO TCCMap table (mission, year, location, latitude, longitude, No.TCC, year.overview)?"
SPLIT = re.compile(r",\s*(?![^()]*\))")
ENTRY = re.compile(r"^(?P<name>.+?)\s*\((?P<size>\d+|size unknown)\)$")


def entries(overview: str) -> list[str]:
    return [part.strip() for part in SPLIT.split(overview)] if overview.strip() else []


def _chunk(path: Path, records, rejects, delim: str) -> Batch:
    chk = Checker(records, path, delim=delim)
    mission = chk.require("mission")
    year = chk.number("year", required=True, whole=True, minimum=1945, maximum=2100)
    location = chk.require("location")
    lat = chk.number("latitude", required=True, minimum=-90, maximum=90)
    lon = chk.number("longitude", required=True, minimum=-180, maximum=180)
    n_tcc = chk.number("No.TCC", required=True, whole=True, minimum=0)
    overview = chk.value("year.overview")
    parts = overview.map(entries)
    counted = parts.map(len)
    chk.fail(n_tcc.notna() & (counted != n_tcc), "year.overview",
             "names " + counted.astype(str) + " contributors but No.TCC is " + n_tcc.astype(str))
    chk.fail(counted == 0, "year.overview", "no contributors listed")
    refs = records["record_ref"].astype(str)
    bad_line = chk.reasons != ""
    pieces = [rejects]
    if bad_line.any():
        idx = counted[bad_line].clip(lower=1)
        idx = idx.index.repeat(idx.to_numpy())
        pieces.append(quarantine_frame(pd.DataFrame({
            "record_ref": refs.loc[idx].to_numpy(), "column_name": chk.first_column.loc[idx].to_numpy(),
            "raw": chk.raw.loc[idx].to_numpy(),
            "reason": (path.name + ", " + refs.loc[idx] + ", " + chk.reasons.loc[idx]).to_numpy()}).to_dict("records")))
    long = parts[~bad_line].explode().rename("entry").to_frame()
    parsed = long["entry"].str.extract(ENTRY)
    broken = parsed["name"].isna()
    if broken.any():
        bad = long[broken]
        pieces.append(quarantine_frame(pd.DataFrame({
            "record_ref": refs.loc[bad.index].to_numpy(), "column_name": "year.overview",
            "raw": chk.raw.loc[bad.index].to_numpy(),
            "reason": (path.name + ", " + refs.loc[bad.index] + ", column year.overview: entry is not "
                       "'Name (number)' or 'Name (size unknown)': " + bad["entry"].map(short_repr)).to_numpy(),
        }).to_dict("records")))
    ok = parsed[~broken]
    idx = ok.index
    names = ok["name"].str.strip().reset_index(drop=True)
    where = resolve_names(names)
    rows = pd.DataFrame({
        "source": SOURCE, "mission": mission.loc[idx].to_numpy(), "year": year.loc[idx].to_numpy(),
        "location": location.loc[idx].to_numpy(), "latitude": lat.loc[idx].to_numpy(),
        "longitude": lon.loc[idx].to_numpy(), "contributor": names.to_numpy(),
        "contributor_iso3": where["country_iso3"].to_numpy(),
        "troops": pd.to_numeric(ok["size"], errors="coerce").astype("Int64").to_numpy(),
        "contributors_at_site": n_tcc.loc[idx].to_numpy(), "record_ref": refs.loc[idx].to_numpy(),
    })
    return Batch(rows, pd.concat(pieces, ignore_index=True))


def read(path: Path) -> Iterator[Batch]:
    path = Path(path)
    delim = sniff_delimiter(path)
    for records, rejects in read_records(path, delim=delim):
        require_columns(path, list(records.columns), REQUIRED, HINT)
        yield _chunk(path, records, rejects, delim)


ADAPTER = Adapter(name="geopko", source=SOURCE, table="mission_sites", version=VERSION,
                  formats="Geo-PKO v2.3 TCCMap CSV (deployment locations by troop contributor, 1994-2024)",
                  read=read, licence=LICENCE)
