"""UCDP Georeferenced Event Dataset (GED), CSV.

Reads the official 49-column CSV (``id, relid, year, active_year, code_status, type_of_violence, …, best, high,
low, gwnoa, gwnob``) as UCDP publishes it, and the variants seen in the wild: files re-saved by Excel
(``M/D/YYYY h:mm:ss AM`` or ``MM/DD/YYYY HH:MM`` dates, Windows-1252 bytes, ``12.0`` for integers), and
narrower extracts that renamed or dropped columns (``best_death``, ``year/month/day`` instead of dates).

Required: an event id, a start date (``date_start`` or ``year``+``month``+``day``), a country (``country_id``
as GW code, or ``country`` name), ``type_of_violence`` and the best fatality estimate.

Licence of the data: UCDP, CC BY 4.0 — cite Sundberg & Melander (2013) and Davies et al. (2024).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pandas as pd

from signalfire.geo.countries import describe_failure, resolve_series
from signalfire.sources.base import Adapter, Batch
from signalfire.sources.delimited import read_records, sniff_delimiter
from signalfire.sources.validate import TEXT_LIMIT, Checker, require_columns, short_repr, version_from_name

VERSION = "1.0"
LICENCE = ("UCDP Georeferenced Event Dataset, CC BY 4.0. Sundberg, Ralph and Erik Melander (2013) Introducing the "
           "UCDP Georeferenced Event Dataset, JPR 50(4); Davies, Pettersson & Öberg (2024), JPR 61(4).")

DATE_FORMATS = ["%Y-%m-%d", "%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M:%S.%f",
                "%m/%d/%Y %I:%M:%S %p", "%m/%d/%Y %H:%M", "%m/%d/%Y"]
VIOLENCE = {"1": ("armed_conflict", "state_based"), "2": ("armed_conflict", "non_state"),
            "3": ("violence_against_civilians", "one_sided"),
            "State-based violence": ("armed_conflict", "state_based"),
            "Non-state violence": ("armed_conflict", "non_state"),
            "One-sided violence": ("violence_against_civilians", "one_sided")}
CATEGORY = {code: kind[0] for code, kind in VIOLENCE.items()}
SUBTYPE = {code: kind[1] for code, kind in VIOLENCE.items()}
DATE_PREC = {1: "day", 2: "days", 3: "week", 4: "month", 5: "year"}
WHERE_PREC = {1: "exact", 2: "near", 3: "admin2", 4: "admin1", 5: "region", 6: "country", 7: "region"}
RENAMES = {"best_death": "best", "low_death": "low", "high_death": "high"}


def canonical_rows(chk: Checker, source_version: str | None) -> pd.DataFrame:
    """Map GED columns (already named as in the official layout) to the canonical event columns."""
    recs = chk.records
    ids = chk.number("id", required=True, whole=True, minimum=0)
    if "date_start" in recs.columns:
        start = chk.date("date_start", DATE_FORMATS, required=True)
        end = chk.date("date_end", DATE_FORMATS) if "date_end" in recs.columns else start
    else:
        year = chk.number("year", required=True, whole=True, minimum=1900, maximum=2100)
        month = chk.number("month", required=True, whole=True, minimum=1, maximum=12)
        day = chk.number("day", required=True, whole=True, minimum=1, maximum=31)
        start = pd.to_datetime(pd.DataFrame({"year": year, "month": month, "day": day}).astype("float"),
                               errors="coerce")
        chk.fail(start.isna() & year.notna() & month.notna() & day.notna(), "day", "not a calendar date")
        end = start
    end = end.fillna(start)
    chk.fail(end < start, "date_end", "before date_start")
    tov = chk.value("type_of_violence").str.replace(r"\.0$", "", regex=True)
    category = tov.map(CATEGORY)
    bad_kind = category.isna()
    if bad_kind.any():
        chk.fail(bad_kind, "type_of_violence", "not 1, 2 or 3: " + tov[bad_kind].map(short_repr))
    best = chk.number("best", required=True, whole=True, minimum=0)
    low = chk.number("low", whole=True, minimum=0) if "low" in recs.columns else None
    high = chk.number("high", whole=True, minimum=0) if "high" in recs.columns else None
    civ = chk.number("deaths_civilians", whole=True, minimum=0) if "deaths_civilians" in recs.columns else None
    lat = chk.number("latitude", minimum=-90, maximum=90)
    lon = chk.number("longitude", minimum=-180, maximum=180)
    if "country_id" in recs.columns:
        gw = chk.number("country_id", whole=True)
        where = resolve_series(gw, "gw", when=start)
        scheme, raw_country = "gw", chk.value("country_id")
    else:
        where = resolve_series(chk.value("country"), "name", when=start)
        scheme, raw_country = "name", chk.value("country")
    failed = where["country_iso3"].isna()
    if failed.any():
        chk.fail(failed, "country_id" if scheme == "gw" else "country",
                 raw_country[failed].map(lambda v: describe_failure(v, scheme)))
    date_prec = chk.number("date_prec", whole=True) if "date_prec" in recs.columns else None
    where_prec = chk.number("where_prec", whole=True) if "where_prec" in recs.columns else None
    version = source_version
    rows = pd.DataFrame({
        "source": "ucdp-ged",
        "source_id": ids.astype("string"),
        "source_version": version,
        "category": category,
        "subtype": tov.map(SUBTYPE),
        "date_start": start,
        "date_end": end,
        "date_precision": date_prec.map(DATE_PREC).fillna("unknown") if date_prec is not None else "day",
        "country_iso3": where["country_iso3"],
        "country_gw": where["country_gw"],
        "admin1": chk.text("adm_1", limit=TEXT_LIMIT),
        "admin2": chk.text("adm_2", limit=TEXT_LIMIT),
        "place": chk.text("where_coordinates", limit=TEXT_LIMIT),
        "latitude": lat,
        "longitude": lon,
        "geo_precision": where_prec.map(WHERE_PREC).fillna("unknown") if where_prec is not None else "unknown",
        "actor1": chk.text("side_a", limit=TEXT_LIMIT),
        "actor2": chk.text("side_b", limit=TEXT_LIMIT),
        "fatalities_best": best,
        "fatalities_low": low,
        "fatalities_high": high,
        "civilian_deaths": civ,
        "description": _description(chk),
        "source_reference": chk.text("source_article", limit=TEXT_LIMIT),
    }, index=recs.index)
    return rows


def _description(chk: Checker) -> pd.Series:
    dyad = chk.text("dyad_name", limit=TEXT_LIMIT)
    if dyad.isna().all():
        dyad = chk.text("conflict_name", limit=TEXT_LIMIT)
    where = chk.text("where_description", limit=TEXT_LIMIT)
    out = dyad.fillna("")
    out = out.where(where.isna(), out + " — " + where.fillna(""))
    return out.str.strip(" —").replace("", None)


def require_ged_columns(path: Path, present: list[str]) -> None:
    """Raise SourceError unless the columns (or GeoJSON properties) a GED record needs are all present."""
    require_columns(path, present, ["id", "type_of_violence", "best"], "is this a UCDP GED file?")
    if "date_start" not in present and "year" not in present:
        require_columns(path, present, ["date_start"])
    if "country_id" not in present and "country" not in present:
        require_columns(path, present, ["country_id"])


def read(path: Path) -> Iterator[Batch]:
    path = Path(path)
    delim = sniff_delimiter(path)
    version = version_from_name(path)
    first = True
    for records, rejects in read_records(path, delim=delim):
        if RENAMES.keys() & set(records.columns):
            records = records.rename(columns=RENAMES)
        if first:
            require_ged_columns(path, list(records.columns))
            first = False
        chk = Checker(records, path, delim=delim)
        rows = canonical_rows(chk, version)
        good, quarantine = chk.split(rows)
        yield Batch(good, pd.concat([rejects, quarantine], ignore_index=True),
                    source_version=version)


ADAPTER = Adapter(name="ucdp-ged", source="ucdp-ged", table="events", version=VERSION,
                  formats="UCDP GED CSV (49-column release layout, Excel re-saves, extracts)", read=read,
                  licence=LICENCE)
