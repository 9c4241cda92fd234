"""ACLED (Armed Conflict Location & Event Data) export / API CSV.

Reads the CSV that ACLED's data export tool and API return (``event_id_cnty, event_date, year, time_precision,
disorder_type, event_type, sub_event_type, actor1, …, iso, region, country, admin1, admin2, admin3, location,
latitude, longitude, geo_precision, source, source_scale, notes, fatalities, tags, timestamp``) in any column
order, and the variants seen in the wild: API pages with ``event_date`` as ``dd/mm/yyyy hh:mm:ss`` and extra
``id``/``actor_dyad`` columns, R conversions with ISO dates and floats for integers (``2022.0``), older exports
with ``dd Month yyyy`` dates and pre-2019 event types (``Riots/Protests``, ``Remote violence``,
``Battle-No change of territory``, …).

Required: ``event_id_cnty``, ``event_date``, ``event_type``, ``fatalities`` and a country (``iso`` numeric code,
or ``iso3``, or ``country`` name).

Mapping decisions (see also docs/SCHEMA.md):

* category from ``event_type``: Battles and Explosions/Remote violence → armed_conflict; Violence against
  civilians → violence_against_civilians; Protests, Riots → unrest; Strategic developments →
  strategic_development.  ``subtype`` is ``sub_event_type`` (the legacy event type when there is none).
* ``source_id`` is ``event_id_cnty``; ``source_version`` is ACLED's ``timestamp`` (the record's last
  modification, epoch seconds) as ``YYYY-MM-DDTHH:MM:SSZ``, so a recoded event (same id, newer timestamp)
  updates the stored record and the old version is kept in ``event_revisions``.
* country from ``iso`` (ISO 3166 numeric), falling back to ``iso3`` and then the ``country`` name (ACLED gives
  Kosovo ``iso`` 0); when both ``iso`` and ``country`` resolve and disagree the record is quarantined.
* ``time_precision`` 1/2/3 → day/week/month (ACLED: exact date / a week or weekend / only the month known;
  ``event_date`` stays ACLED's coded date in every case).  ``geo_precision`` 1/2/3 → exact (the town) / near
  (part of a region or near a town) / admin1 (a larger region: ACLED then uses the provincial capital).
* ``civilian_deaths``: ACLED does not split fatalities by victim.  Fatalities of *Violence against civilians*
  events are civilians by ACLED's definition of that event type (unarmed non-combatants are the victims), so
  they are stored as civilian deaths; an event with 0 fatalities has 0 civilian deaths; every other event
  (including Explosions/Remote violence flagged ``civilian_targeting``, whose fatalities may include combatants
  or the attacker) has ``civilian_deaths`` NULL — unknown, not zero.
* ``description`` is ``notes``, ``source_reference`` is ``source``; ``place`` is ``location``.

Licence: ACLED Terms of Use — attribution required, raw data may not be redistributed; the project ships no
ACLED data.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pandas as pd

from signalfire.geo.countries import describe_failure, resolve_series
from signalfire.sources.base import Adapter, Batch, SourceError
from signalfire.sources.tabular import check_records, open_records
from signalfire.sources.validate import TEXT_LIMIT, Checker, require_columns, short_repr

VERSION = "1.0"
LICENCE = ("ACLED — Armed Conflict Location & Event Data (acleddata.com). Use under ACLED's Terms of Use: "
           "cite ACLED (Raleigh et al. 2010, JPR 47(5)); no redistribution of the raw data.")

DATE_FORMATS = ["%Y-%m-%d", "%d/%m/%Y %H:%M:%S", "%d/%m/%Y", "%d %B %Y", "%d-%B-%Y", "%d-%b-%Y", "%d %b %Y",
                "%d-%m-%Y", "%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%dT%H:%M:%SZ"]
TIMESTAMP_FORMATS = ["%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%dT%H:%M:%SZ", "%Y-%m-%d"]

# event_type (lower case) -> category; current types first, then those ACLED used before 2019.
CATEGORY = {
    "battles": "armed_conflict",
    "explosions/remote violence": "armed_conflict",
    "violence against civilians": "violence_against_civilians",
    "protests": "unrest",
    "riots": "unrest",
    "strategic developments": "strategic_development",
    "battle-no change of territory": "armed_conflict",
    "battle-government regains territory": "armed_conflict",
    "battle-non-state actor overtakes territory": "armed_conflict",
    "remote violence": "armed_conflict",
    "riots/protests": "unrest",
    "strategic development": "strategic_development",
    "non-violent transfer of territory": "strategic_development",
    "headquarters or base established": "strategic_development",
}
TIME_PREC = {1: "day", 2: "week", 3: "month"}
GEO_PREC = {1: "exact", 2: "near", 3: "admin1"}
# against corrupted or hostile files (real values are far shorter): one limit for the text of every event adapter
ID_LIMIT = 64   # characters of event_id_cnty (an identifier); text columns: validate.TEXT_LIMIT


def _timestamps(chk: Checker) -> pd.Series:
    """ACLED's ``timestamp`` (epoch seconds; some re-saves give a date-time) as ``YYYY-MM-DDTHH:MM:SSZ``."""
    values = chk.value("timestamp")
    missing = chk.missing(values)
    numbers = pd.to_numeric(values.where(~missing), errors="coerce")
    numbers = numbers.where((numbers >= 0) & (numbers < 32_503_680_000))  # before year 3000
    stamp = pd.to_datetime(numbers, unit="s", errors="coerce")
    for fmt in TIMESTAMP_FORMATS:
        todo = stamp.isna() & ~missing
        if not todo.any():
            break
        stamp[todo] = pd.to_datetime(values[todo], format=fmt, errors="coerce")
    chk.fail(stamp.isna() & ~missing, "timestamp", "not an epoch time in seconds: " + values.map(short_repr))
    return stamp.dt.strftime("%Y-%m-%dT%H:%M:%SZ").where(stamp.notna(), None)


def _country(chk: Checker, dates: pd.Series) -> pd.DataFrame:
    recs = chk.records
    by_code = pd.DataFrame({"country_iso3": pd.Series(pd.NA, index=recs.index, dtype="string"),
                            "country_gw": pd.Series(pd.NA, index=recs.index, dtype="Int64")})
    if "iso" in recs.columns:
        iso = chk.number("iso", whole=True, minimum=0)
        by_code = resolve_series(iso, "isonum", when=dates)[["country_iso3", "country_gw"]]
    if "iso3" in recs.columns:
        alt = resolve_series(chk.value("iso3").where(lambda v: v != "", None), "iso3", when=dates)
        todo = by_code["country_iso3"].isna()
        by_code.loc[todo] = alt.loc[todo, ["country_iso3", "country_gw"]].values
    result = by_code
    if "country" in recs.columns:
        names = chk.value("country")
        by_name = resolve_series(names.where(names != "", None), "name", when=dates)
        both = by_code["country_iso3"].notna() & by_name["country_iso3"].notna()
        clash = both & (by_code["country_iso3"] != by_name["country_iso3"]).fillna(False)
        code = chk.value("iso").where(~chk.missing(chk.value("iso")), "iso3 " + chk.value("iso3"))
        chk.fail(clash, "country", "is " + by_name["country_iso3"].astype(str) + " but iso "
                 + code + " is " + by_code["country_iso3"].astype(str) + ": " + names.map(short_repr))
        todo = by_code["country_iso3"].isna()
        result = by_code.copy()
        result.loc[todo] = by_name.loc[todo, ["country_iso3", "country_gw"]].values
    failed = result["country_iso3"].isna()
    if failed.any():
        has_code = pd.Series(False, index=recs.index)
        why = pd.Series("", index=recs.index, dtype=object)
        for column, scheme in (("iso", "isonum"), ("iso3", "iso3")):
            if column in recs.columns:
                raw = chk.value(column)
                given = ~chk.missing(raw) & ~has_code
                why[given] = raw[given].map(lambda v, s=scheme: describe_failure(v, s))
                has_code |= given
        names = chk.value("country") if "country" in recs.columns else None
        if names is not None:
            name_why = names.map(lambda v: describe_failure(v, "name"))
            why = why.where(~has_code, why + " and " + name_why).where(has_code, name_why)
            chk.fail(failed & ~has_code, "country", why)
        else:
            chk.fail(failed & ~has_code, "iso" if "iso" in recs.columns else "iso3", "missing country code")
        code_column = "iso" if "iso" in recs.columns else "iso3"
        chk.fail(failed & has_code, code_column, why)
    return result


def canonical_rows(chk: Checker) -> pd.DataFrame:
    recs = chk.records
    ids = chk.require("event_id_cnty")
    chk.text("event_id_cnty", limit=ID_LIMIT)
    date = chk.date("event_date", DATE_FORMATS, required=True)
    if "year" in recs.columns:
        year = chk.number("year", whole=True, minimum=1900, maximum=2100)
        chk.fail(date.notna() & year.notna() & (date.dt.year != year), "event_date",
                 "year " + date.dt.year.astype("Int64").astype(str) + " disagrees with column year "
                 + year.astype(str) + ": " + chk.value("event_date").map(short_repr))
    etype = chk.value("event_type")
    category = etype.str.lower().map(CATEGORY)
    chk.fail(category.isna() & ~chk.missing(etype), "event_type", "unknown ACLED event type: " + etype.map(short_repr))
    chk.fail(chk.missing(etype), "event_type", "missing value")
    subtype = chk.text("sub_event_type", limit=TEXT_LIMIT)
    subtype = subtype.fillna(etype.where(~chk.missing(etype), None))
    fatalities = chk.number("fatalities", required=True, whole=True, minimum=0)
    tprec, gprec = (chk.number(c, whole=True, minimum=1, maximum=3) if c in recs.columns else None
                    for c in ("time_precision", "geo_precision"))
    lat = chk.number("latitude", minimum=-90, maximum=90)
    lon = chk.number("longitude", minimum=-180, maximum=180)
    where = _country(chk, date)
    version = _timestamps(chk) if "timestamp" in recs.columns else None
    vac = category == "violence_against_civilians"
    civilians = pd.Series(pd.NA, index=recs.index, dtype="Int64")
    civilians = civilians.mask(vac, fatalities).mask((fatalities == 0).fillna(False), 0)
    return pd.DataFrame({
        "source": "acled",
        "source_id": ids,
        "source_version": version,
        "category": category,
        "subtype": subtype,
        "date_start": date.dt.date,
        "date_end": date.dt.date,
        "date_precision": tprec.map(TIME_PREC).fillna("unknown") if tprec is not None else "day",
        "country_iso3": where["country_iso3"],
        "country_gw": where["country_gw"],
        "admin1": chk.text("admin1", limit=TEXT_LIMIT),
        "admin2": chk.text("admin2", limit=TEXT_LIMIT),
        "place": chk.text("location", limit=TEXT_LIMIT),
        "latitude": lat,
        "longitude": lon,
        "geo_precision": gprec.map(GEO_PREC).fillna("unknown") if gprec is not None else "unknown",
        "actor1": chk.text("actor1", limit=TEXT_LIMIT),
        "actor2": chk.text("actor2", limit=TEXT_LIMIT),
        "fatalities_best": fatalities,
        "fatalities_low": None,
        "fatalities_high": None,
        "civilian_deaths": civilians,
        "description": chk.text("notes", limit=TEXT_LIMIT),
        "source_reference": chk.text("source", limit=TEXT_LIMIT),
    }, index=recs.index)


def check_header(path: Path, present: list[str]) -> None:
    require_columns(path, present, ["event_id_cnty", "event_date", "event_type", "fatalities"],
                    "is this an ACLED export or API CSV?")
    if not {"iso", "iso3", "country"} & set(present):
        raise SourceError(f"{Path(path).name}, line 1: missing required column(s) iso or country "
                          "(an ACLED file names its country by ISO numeric code or by name)")


def read(path: Path) -> Iterator[Batch]:
    path = Path(path)
    names, chunks, delim = open_records(path)
    check_header(path, names)
    for records, rejects in chunks:
        if records.empty:
            yield Batch(records.iloc[:, :1], rejects)
            continue
        chk = Checker(records, path, raw=pd.Series("", index=records.index, dtype=object), delim=delim)
        good, quarantine = check_records(chk, canonical_rows, delim)
        yield Batch(good, pd.concat([rejects, quarantine], ignore_index=True))


ADAPTER = Adapter(name="acled", source="acled", table="events", version=VERSION,
                  formats="ACLED export/API CSV or .xlsx (any column order; API, R and legacy date styles)", read=read,
                  licence=LICENCE)

__all__ = ["ADAPTER", "CATEGORY", "canonical_rows", "read"]
