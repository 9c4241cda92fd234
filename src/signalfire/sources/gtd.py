"""START Global Terrorism Database (GTD), incident CSV.

Reads START's GTD layout (``eventid, iyear, imonth, iday, approxdate, extended, resolution, country,
country_txt, region, region_txt, provstate, city, latitude, longitude, specificity, …, summary, …,
attacktype1_txt, …, targtype1_txt, …, target1, …, gname, …, nkill, nkillus, nkillter, nwound, …, scite1, …``)
and
narrower extracts that keep only some of those columns (e.g. an R ``write.csv`` with an unnamed index column and
no date parts).  Columns are found by name; extra columns are ignored.

Required: ``eventid`` and ``country_txt`` (GTD's numeric ``country`` is START's own code list, not ISO or GW, so
the name is used).  Without ``iyear``/``imonth``/``iday`` the date comes from the event id, whose first eight
digits are ``YYYYMMDD`` (START's codebook), with the same unknown-part rules.

Mapping decisions:

* every incident is category ``terrorism``; ``subtype`` is ``attacktype1_txt``; ``actor1`` is ``gname`` (the
  perpetrator group), ``actor2`` is ``target1`` (the named target) or else ``targtype1_txt``.
* dates: GTD codes an unknown month or day as 0.  Day 0 → ``date_precision`` month, the event spans the month
  (``date_start`` the 1st, ``date_end`` the last day); month 0 → precision year, spanning the year.  An
  extended incident (``extended`` 1) with a ``resolution`` date ends on that date.
* unknowns: START uses -99 (and -9 for yes/no fields) for unknown; extracts also carry -999.  These become NULL,
  never numbers.  ``fatalities_best`` is ``nkill`` (victims and perpetrators, as GTD counts them); NULL when
  unknown.
* ``civilian_deaths``: GTD does not say which victims were civilians (``nkill - nkillter`` are victims, but
  they include police and soldiers), so it is 0 when nobody was killed and NULL otherwise.
* ``geo_precision`` from ``specificity``: 1 → exact, 2–3 → admin2 (centroid of the smallest sub-national
  region), 4 → admin1, 5 → country.  ``admin1`` is ``provstate``, ``place`` is ``city``.
* ``description`` is ``summary``; ``source_reference`` is ``scite1``; ``source_version`` is the release from
  START's file name (``globalterrorismdb_0522dist`` → 2022-05) when it has one.

Licence: GTD (START, University of Maryland) — non-commercial use, no redistribution; the project ships no GTD
data.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pandas as pd

from signalfire.geo.countries import describe_failure, resolve_series
from signalfire.sources.base import Adapter, Batch, SourceError
from signalfire.sources.tabular import check_records, open_records
from signalfire.sources.validate import TEXT_LIMIT, Checker, require_columns, short_repr

VERSION = "1.0"
LICENCE = ("Global Terrorism Database, National Consortium for the Study of Terrorism and Responses to Terrorism "
           "(START), University of Maryland. Non-commercial use; no redistribution of the data.")

UNKNOWN = (-99, -9, -999)
SPECIFICITY = {1: "exact", 2: "admin2", 3: "admin2", 4: "admin1", 5: "country"}
RESOLUTION_FORMATS = ["%Y-%m-%d", "%m/%d/%Y", "%Y-%m-%d %H:%M:%S", "%m/%d/%Y %H:%M"]
EVENTID = re.compile(r"^(\d{4})(\d{2})(\d{2})(\d{4,})(?:\.0+)?$")


def release_from_name(path: Path) -> str | None:
    """START's release in names like ``globalterrorismdb_0522dist.csv`` (May 2022) as ``2022-05``."""
    match = re.search(r"globalterrorismdb_(\d{2})(\d{2})dist", Path(path).name, flags=re.IGNORECASE)
    return f"20{match.group(2)}-{match.group(1)}" if match else None


def _dates(chk: Checker, id_parts: pd.DataFrame) -> tuple[pd.Series, pd.Series, pd.Series]:
    """(start, end, precision) from iyear/imonth/iday, or from the event id when those are absent."""
    recs = chk.records
    if "iyear" in recs.columns:
        year = chk.number("iyear", required=True, whole=True, minimum=1900, maximum=2100)
        month = chk.number("imonth", whole=True, minimum=0, maximum=12) if "imonth" in recs.columns else None
        day = chk.number("iday", whole=True, minimum=0, maximum=31) if "iday" in recs.columns else None
        month = month.fillna(0) if month is not None else pd.Series(0, index=recs.index, dtype="Int64")
        day = day.fillna(0) if day is not None else pd.Series(0, index=recs.index, dtype="Int64")
        column = "iday"
    else:
        year, month, day = id_parts["year"], id_parts["month"], id_parts["day"]
        chk.fail(year.notna() & ((month > 12) | (day > 31)).fillna(False), "eventid",
                 "digits 5-8 are not a month and day: " + chk.value("eventid").map(short_repr))
        column = "eventid"
    ok = year.notna() & (month <= 12).fillna(False) & (day <= 31).fillna(False)
    first = pd.to_datetime(pd.DataFrame({"year": year.where(ok), "month": month.where(ok).clip(lower=1),
                                         "day": day.where(ok).clip(lower=1)}).astype("float"), errors="coerce")
    chk.fail(ok & first.isna(), column, "not a calendar date: " + year.astype(str) + "-"
             + month.astype(str) + "-" + day.astype(str))
    year_only = (month == 0).fillna(False)
    month_only = (day == 0).fillna(False) & ~year_only
    end = first.copy()
    end[month_only] = first[month_only] + pd.offsets.MonthEnd(0)
    end[year_only] = first[year_only] + pd.offsets.YearEnd(0)
    precision = pd.Series("day", index=recs.index, dtype=object)
    precision[month_only] = "month"
    precision[year_only] = "year"
    if "resolution" in recs.columns:
        resolved = chk.date("resolution", RESOLUTION_FORMATS)
        extended = chk.number("extended", whole=True, sentinels=UNKNOWN) if "extended" in recs.columns else None
        use = resolved.notna() & (extended == 1).fillna(False) if extended is not None else resolved.notna()
        chk.fail(use & (resolved < first), "resolution", "before the incident's date: "
                 + chk.value("resolution").map(short_repr))
        end[use & (resolved >= end)] = resolved[use & (resolved >= end)]
    return first, end, precision


def _event_ids(chk: Checker) -> tuple[pd.Series, pd.DataFrame]:
    raw = chk.value("eventid")
    parts = raw.str.extract(EVENTID)
    bad = parts[0].isna() & ~chk.missing(raw)
    chk.fail(bad, "eventid", "not a GTD event id (YYYYMMDD followed by a serial number): " + raw.map(short_repr))
    chk.fail(chk.missing(raw), "eventid", "missing value")
    ids = (parts[0] + parts[1] + parts[2] + parts[3]).where(~bad)
    numbers = pd.DataFrame({"year": pd.to_numeric(parts[0]), "month": pd.to_numeric(parts[1]),
                            "day": pd.to_numeric(parts[2])}, index=raw.index).astype("Int64")
    return ids, numbers


def canonical_rows(chk: Checker, source_version: str | None) -> pd.DataFrame:
    recs = chk.records
    ids, id_parts = _event_ids(chk)
    start, end, precision = _dates(chk, id_parts)
    names = chk.text("country_txt", limit=TEXT_LIMIT)
    where = resolve_series(names, "name", when=start)
    chk.fail_each(where["country_iso3"].isna(), "country_txt", chk.value("country_txt"),
                  lambda v: describe_failure(v, "name"))
    nkill = chk.number("nkill", whole=True, minimum=0, sentinels=UNKNOWN)
    for column in ("nkillter", "nwound"):
        if column in recs.columns:
            chk.number(column, whole=True, minimum=0, sentinels=UNKNOWN)
    lat = chk.number("latitude", minimum=-90, maximum=90)
    lon = chk.number("longitude", minimum=-180, maximum=180)
    spec = chk.number("specificity", whole=True, minimum=1, maximum=5, sentinels=UNKNOWN) \
        if "specificity" in recs.columns else None
    target = chk.text("target1", limit=TEXT_LIMIT)
    target_type = chk.text("targtype1_txt", limit=TEXT_LIMIT)
    civilians = pd.Series(pd.NA, index=recs.index, dtype="Int64").mask((nkill == 0).fillna(False), 0)
    return pd.DataFrame({
        "source": "gtd",
        "source_id": ids,
        "source_version": source_version,
        "category": "terrorism",
        "subtype": chk.text("attacktype1_txt", limit=TEXT_LIMIT),
        "date_start": start.dt.date,
        "date_end": end.dt.date,
        "date_precision": precision,
        "country_iso3": where["country_iso3"],
        "country_gw": where["country_gw"],
        "admin1": chk.text("provstate", limit=TEXT_LIMIT),
        "admin2": None,
        "place": chk.text("city", limit=TEXT_LIMIT),
        "latitude": lat,
        "longitude": lon,
        "geo_precision": spec.map(SPECIFICITY).fillna("unknown") if spec is not None else "unknown",
        "actor1": chk.text("gname", limit=TEXT_LIMIT),
        "actor2": target.fillna(target_type) if target is not None else target_type,
        "fatalities_best": nkill,
        "fatalities_low": None,
        "fatalities_high": None,
        "civilian_deaths": civilians,
        "description": chk.text("summary", limit=TEXT_LIMIT),
        "source_reference": chk.text("scite1", limit=TEXT_LIMIT),
    }, index=recs.index)


def check_header(path: Path, present: list[str]) -> None:
    require_columns(path, present, ["eventid"], "is this a GTD incident file?")
    if "country_txt" not in present:
        hint = (" (GTD's numeric country column is START's own code list; the country_txt name is needed)"
                if "country" in present else "")
        raise SourceError(f"{Path(path).name}, line 1: missing required column(s) country_txt{hint}")


def read(path: Path) -> Iterator[Batch]:
    path = Path(path)
    names, chunks, delim = open_records(path)
    check_header(path, names)
    version = release_from_name(path)
    for records, rejects in chunks:
        if records.empty:
            yield Batch(records.iloc[:, :1], rejects)
            continue
        chk = Checker(records, path, raw=pd.Series("", index=records.index, dtype=object), delim=delim)
        good, quarantine = check_records(chk, lambda c: canonical_rows(c, version), delim)
        yield Batch(good, pd.concat([rejects, quarantine], ignore_index=True), source_version=version)


ADAPTER = Adapter(name="gtd", source="gtd", table="events", version=VERSION,
                  formats="START Global Terrorism Database incidents: CSV or START's .xlsx (full layout or extracts)",
                  read=read, licence=LICENCE)
