"""GDELT event exports, 1.0 and 2.0: headerless tab-separated files, plain or zipped (``.export.CSV.zip``).

Three layouts, told apart by the number of fields on the first line:

* 57 fields — GDELT 1.0 historical back-files (events before April 2013): 56 event fields + ``DATEADDED``, no
  ``SOURCEURL``;
* 58 fields — GDELT 1.0 daily files: + ``DATEADDED`` (YYYYMMDD) and ``SOURCEURL``;
* 61 fields — GDELT 2.0 15-minute files: ``Actor1Geo_ADM2Code``, ``Actor2Geo_ADM2Code`` and ``ActionGeo_ADM2Code``
  inserted after each ``*_ADM1Code``, ``DATEADDED`` as YYYYMMDDHHMMSS.

A line with another number of fields is quarantined ("too few/many fields"); in GDELT 1.0 files the 57- and
58-field layouts are accepted side by side (they share the first 57 fields; samples mixing back-file and daily
rows exist), a 61-field file takes only 61-field lines.

Mapping (CAMEO ``EventRootCode``): 01–09 cooperation, 10–13 tension (verbal conflict), 14 unrest (protest),
15–17 tension (force posture, reduced relations, coercion), 18–20 armed_conflict; ``subtype`` is the CAMEO
description of ``EventCode`` (``sources/data/cameo.csv``, built by ``scripts/build_cameo.py``).  The country is
``ActionGeo_CountryCode`` (FIPS 10-4), else ``Actor1Geo_CountryCode``, else ``Actor2Geo_CountryCode``; place,
coordinates and precision come from the same geography block.  Events with no geography at all are quarantined
("no location") — GDELT has many; nothing is dropped silently.  GDELT has no fatality counts.

Licence of the data: GDELT Project, free and unrestricted use with citation.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from functools import lru_cache
from importlib import resources
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from signalfire.geo.countries import describe_failure, resolve_series
from signalfire.sources.base import Adapter, Batch, SourceError
from signalfire.sources.delimited import first_line, read_records
from signalfire.sources.validate import TEXT_LIMIT, Checker, short_repr

VERSION = "1.0"
LICENCE = ("GDELT Project (gdeltproject.org), free and unrestricted use with citation: Leetaru, Kalev and Philip "
           "A. Schrodt (2013) GDELT: Global Data on Events, Location and Tone, 1979-2012. ISA Annual Convention. "
           "CAMEO event codes: Schrodt (2012).")

_ACTOR = ["Code", "Name", "CountryCode", "KnownGroupCode", "EthnicCode", "Religion1Code", "Religion2Code",
          "Type1Code", "Type2Code", "Type3Code"]
_EVENT = ["IsRootEvent", "EventCode", "EventBaseCode", "EventRootCode", "QuadClass", "GoldsteinScale",
          "NumMentions", "NumSources", "NumArticles", "AvgTone"]


def _geo(prefix: str, adm2: bool) -> list[str]:
    return [f"{prefix}_{f}" for f in ["Type", "FullName", "CountryCode", "ADM1Code", *(["ADM2Code"] if adm2 else []),
                                      "Lat", "Long", "FeatureID"]]


def _layout(adm2: bool, tail: list[str]) -> list[str]:
    return (["GLOBALEVENTID", "SQLDATE", "MonthYear", "Year", "FractionDate"]
            + [f"Actor1{f}" for f in _ACTOR] + [f"Actor2{f}" for f in _ACTOR] + _EVENT
            + _geo("Actor1Geo", adm2) + _geo("Actor2Geo", adm2) + _geo("ActionGeo", adm2) + tail)


LAYOUTS: dict[int, list[str]] = {
    57: _layout(False, ["DATEADDED"]),
    58: _layout(False, ["DATEADDED", "SOURCEURL"]),
    61: _layout(True, ["DATEADDED", "SOURCEURL"]),
}
LAYOUT_NAMES = {57: "GDELT 1.0 historical (57 fields)", 58: "GDELT 1.0 daily (58 fields)",
                61: "GDELT 2.0 (61 fields)"}
COMPATIBLE = {57: (58,), 58: (57,), 61: ()}   # other field counts read as records in a file of this layout

ROOT_CATEGORY = {**{f"{i:02d}": "cooperation" for i in range(1, 10)},
                 **{f"{i:02d}": "tension" for i in range(10, 14)}, "14": "unrest",
                 **{f"{i:02d}": "tension" for i in range(15, 18)},
                 **{f"{i:02d}": "armed_conflict" for i in range(18, 21)}}
GEO_TYPE = {"1": "country", "2": "admin1", "3": "exact", "4": "exact", "5": "admin1"}
GEO_BLOCKS = ("ActionGeo", "Actor1Geo", "Actor2Geo")


@lru_cache(maxsize=1)
def cameo() -> dict[str, str]:
    """CAMEO event code -> description (root, base and full codes)."""
    with resources.files("signalfire.sources").joinpath("data/cameo.csv").open("r", encoding="utf-8") as fh:
        return {row["code"]: row["description"] for row in csv.DictReader(fh)}


def detect_layout(path: Path) -> int:
    first = first_line(Path(path)).rstrip("\r\n")
    if not first.strip():
        raise SourceError(f"{Path(path).name}, line 1: empty; a GDELT event export has one event per line")
    fields = first.count("\t") + 1
    if fields not in LAYOUTS:
        hint = " (no tabs: is this a GDELT event export?)" if fields == 1 else ""
        raise SourceError(f"{Path(path).name}, line 1: {fields} tab-separated fields; a GDELT event export has 57 "
                          f"(1.0 historical), 58 (1.0 daily) or 61 (2.0){hint}")
    return fields


def _rescue(rejects: pd.DataFrame, layout: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Rejected lines that are complete records in a compatible layout -> (records, remaining rejects)."""
    if not len(rejects) or not COMPATIBLE[layout]:
        return pd.DataFrame(), rejects
    counts = rejects["raw"].astype(str).str.count("\t") + 1
    count_error = rejects["reason"].astype(str).str.contains("fields (expected", regex=False)
    frames = []
    keep = pd.Series(True, index=rejects.index)
    for other in COMPATIBLE[layout]:
        pick = count_error & (counts == other)
        if not pick.any():
            continue
        parts = rejects.loc[pick, "raw"].astype(str).str.split("\t", expand=True)
        parts.columns = LAYOUTS[other]
        parts.insert(0, "record_ref", rejects.loc[pick, "record_ref"].astype(str))
        frames.append(parts)
        keep &= ~pick
    rescued = pd.concat(frames) if frames else pd.DataFrame()
    return rescued, rejects.loc[keep].reset_index(drop=True)


def _location(chk: Checker, adm2: bool):
    """(country resolution frame, chosen geo block per record) — ActionGeo, else Actor1Geo, else Actor2Geo."""
    n = len(chk.records)
    code = pd.Series("", index=chk.records.index, dtype=object)
    block = np.full(n, "", dtype=object)
    for geo in GEO_BLOCKS:
        vals = chk.value(f"{geo}_CountryCode")
        take = (code == "").to_numpy() & (vals != "").to_numpy()
        code = code.where(~take, vals)
        block[take] = geo
    uniq = pd.Series(code.unique())
    resolved = resolve_series(uniq.where(uniq != "", None), "fips").set_axis(uniq.to_numpy())
    where = resolved.reindex(code.to_numpy()).set_axis(chk.records.index)
    nowhere = code == ""
    chk.fail(nowhere, "ActionGeo_CountryCode",
             "no location (ActionGeo, Actor1Geo and Actor2Geo country codes are all empty)")
    failed = where["country_iso3"].isna() & ~nowhere
    if failed.any():
        bad = pd.Series(code[failed].unique())
        reasons = dict(zip(bad, bad.map(lambda v: describe_failure(v, "fips"))))
        col = pd.Series(block, index=chk.records.index) + "_CountryCode"
        for geo in GEO_BLOCKS:
            sel = failed & (col == f"{geo}_CountryCode")
            chk.fail(sel, f"{geo}_CountryCode", code[sel].map(reasons).reindex(code.index).fillna(""))
    return where, pd.Series(block, index=chk.records.index)


def _pick(chk: Checker, block: pd.Series, field: str, limit: int | None = None) -> pd.Series:
    """The text of ``field`` in the chosen geo block of each record (ActionGeo's when none was chosen); with
    ``limit``, a longer value is a failure naming its column."""
    out = chk.value(f"ActionGeo_{field}")
    chosen = pd.Series(f"ActionGeo_{field}", index=out.index)
    for geo in GEO_BLOCKS[1:]:
        sel = block == geo
        if sel.any():
            out = out.where(~sel, chk.value(f"{geo}_{field}"))
            chosen = chosen.where(~sel, f"{geo}_{field}")
    if limit is not None:
        too_long = out.str.len() > limit
        for column in chosen[too_long].unique():
            chk.fail(too_long & (chosen == column), column, f"longer than {limit} characters")
    return out


def _coordinate(chk: Checker, block: pd.Series, field: str, limit: float) -> pd.Series:
    """Latitude/longitude of the chosen geo block, checked to lie within +-limit; bad values name their column."""
    text = _pick(chk, block, field)
    empty = text == ""
    value = pd.to_numeric(text.where(~empty), errors="coerce")
    bad = (value.isna() & ~empty) | (value.abs() > limit)
    if bad.any():
        label = "latitude" if field == "Lat" else "longitude"
        for geo in GEO_BLOCKS:
            sel = bad & ((block == geo) | ((block == "") & (geo == "ActionGeo")))
            message = (f"not a {label} in -{limit:g}..{limit:g}: " + text[sel].map(short_repr)).reindex(text.index)
            chk.fail(sel, f"{geo}_{field}", message.fillna(""))
    return value.where(~bad)


def _fullmatch(values: pd.Series, pattern: str) -> pd.Series:
    """``values.str.fullmatch(pattern)`` for a column of str, run by Arrow (no Python call per value)."""
    arr = pa.array(values.to_numpy(dtype=object), type=pa.string())
    hit = pc.match_substring_regex(arr, f"^(?:{pattern})$").to_numpy(zero_copy_only=False)
    return pd.Series(hit, index=values.index)


def _text(values: pd.Series) -> pd.Series:
    return values.where(values != "", None)


def canonical_rows(chk: Checker, layout: int) -> pd.DataFrame:
    recs = chk.records
    adm2 = layout == 61
    ids = chk.value("GLOBALEVENTID")
    chk.fail(ids == "", "GLOBALEVENTID", "missing value")
    chk.fail(~_fullmatch(ids, r"\d{1,19}") & (ids != ""), "GLOBALEVENTID",
             "not a whole number: " + ids.map(short_repr))
    date = chk.date("SQLDATE", ["%Y%m%d"], required=True)
    root = chk.value("EventRootCode")
    category = root.map(ROOT_CATEGORY)
    chk.fail(category.isna(), "EventRootCode", "not a CAMEO root code 01-20: " + root.map(short_repr))
    table = cameo()
    code = chk.value("EventCode")
    subtype = code.map(table)
    for fallback in ("EventBaseCode", "EventRootCode"):
        subtype = subtype.fillna(chk.value(fallback).map(table))
    chk.fail(subtype.isna() & category.notna(), "EventCode", "unknown CAMEO event code: " + code.map(short_repr))
    where, block = _location(chk, adm2)
    lat = _coordinate(chk, block, "Lat", 90)
    lon = _coordinate(chk, block, "Long", 180)
    place = _text(_pick(chk, block, "FullName", limit=TEXT_LIMIT))
    admin1 = _text(_pick(chk, block, "ADM1Code", limit=TEXT_LIMIT))
    admin2 = _text(_pick(chk, block, "ADM2Code", limit=TEXT_LIMIT)) if adm2 else None
    geo_type = _pick(chk, block, "Type")
    added = chk.value("DATEADDED")
    bad_added = ~_fullmatch(added, r"\d{8}(\d{6})?") & (added != "")
    chk.fail(bad_added, "DATEADDED", "not YYYYMMDD or YYYYMMDDHHMMSS: " + added.map(short_repr))
    actor1, actor2 = chk.text("Actor1Name", limit=TEXT_LIMIT), chk.text("Actor2Name", limit=TEXT_LIMIT)
    return pd.DataFrame({
        "source": "gdelt",
        "source_id": ids,
        "source_version": added.where(added != "", None),
        "category": category,
        "subtype": subtype,
        "date_start": date.dt.date,
        "date_end": date.dt.date,
        "date_precision": "day",
        "country_iso3": where["country_iso3"],
        "country_gw": where["country_gw"],
        "admin1": admin1,
        "admin2": admin2,
        "place": place,
        "latitude": lat,
        "longitude": lon,
        "geo_precision": geo_type.map(GEO_TYPE).fillna("unknown"),
        "actor1": actor1,
        "actor2": actor2,
        "fatalities_best": None,
        "description": _description(actor1, actor2, subtype),
        "source_reference": chk.text("SOURCEURL", limit=TEXT_LIMIT) if "SOURCEURL" in recs.columns else None,
    }, index=recs.index)


def _description(actor1: pd.Series, actor2: pd.Series, subtype: pd.Series) -> pd.Series:
    """``ACTOR1 → ACTOR2: event description`` (missing parts left out)."""
    a1, a2 = actor1.fillna(""), actor2.fillna("")
    who = a1.where(a2 == "", a1 + " → " + a2).where(a1 != "", a2)
    text = subtype.fillna("")
    out = who.where(text == "", who + ": " + text).where(who != "", text)
    return out.where(out != "", None)


def read(path: Path) -> Iterator[Batch]:
    path = Path(path)
    layout = detect_layout(path)
    names = LAYOUTS[layout]
    for records, rejects in read_records(path, delim="\t", header=False, names=names, quote=""):
        rescued, rejects = _rescue(rejects, layout)
        if len(rescued):
            records = pd.concat([records, rescued], ignore_index=True).fillna("")
        chk = Checker(records, path, delim="\t")
        rows = canonical_rows(chk, layout)
        good, quarantine = chk.split(rows)
        yield Batch(good, pd.concat([rejects, quarantine], ignore_index=True) if len(rejects) else quarantine)


ADAPTER = Adapter(name="gdelt", source="gdelt", table="events", version=VERSION,
                  formats="GDELT 1.0 (57/58 fields) and 2.0 (61 fields) event exports, TSV, plain or zipped",
                  read=read, licence=LICENCE)
