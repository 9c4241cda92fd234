"""IOM Missing Migrants Project download (the project's "Download data" CSV or Excel), into ``migrant_incidents``.

Headers as IOM publishes them (names changed between releases; each alias below is accepted):

* id: ``Main ID`` (else ``Incident ID``, ``Web ID``) — IOM's own incident identifier;
* ``Incident Date`` (older: ``Reported Date``), written ``Thu, 01/01/2026 - 12:00`` (weekday, month/day/year,
  time) in the CSV, or a date cell in the workbook;
* ``Number Dead`` / ``Number of Dead``, ``Minimum Estimated Number of Missing``, ``Number of Survivors``;
* ``Coordinates`` / ``Location Coordinates``: ``lat, lon`` in one field;
* ``Incident Type``, ``Region of Incident``, ``Migration Route``, ``Country of Incident`` (a name),
  ``Location of Incident`` / ``Location of death`` / ``Location Description``, ``Cause of Death``,
  ``Country of Origin``, ``Information Source``, ``URL``.

Required: an id, a date, the dead and missing counts and the coordinates.  An empty count is NULL (IOM leaves
it blank when there is nothing to report).  An impossible coordinate (latitude beyond ±90, longitude beyond
±180, or a field that is not two numbers) quarantines the incident, as does a date that is not one.
``Country of Incident`` is resolved by name when it names a country; seas and regions ("Mediterranean") leave
the country NULL, with the place kept in ``location``.

Licence: IOM Missing Migrants Project, CC BY 4.0.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pandas as pd

from signalfire.geo.countries import resolve_series
from signalfire.sources.base import Adapter, Batch, SourceError
from signalfire.sources.migration.common import merge_batches
from signalfire.sources.migration.iom_mmp import LICENCE, LIMITS
from signalfire.sources.tabular import check_records, open_records
from signalfire.sources.validate import Checker

VERSION = "1.0"
SOURCE = "iom-mmp"
ALIASES = {
    "id": ["Main ID", "Incident ID", "Web ID"],
    "date": ["Incident Date", "Reported Date"],
    "dead": ["Number Dead", "Number of Dead"],
    "missing": ["Minimum Estimated Number of Missing"],
    "coordinates": ["Coordinates", "Location Coordinates"],
    "survivors": ["Number of Survivors"],
    "type": ["Incident Type"],
    "region": ["Region of Incident", "Region of incident"],
    "route": ["Migration Route", "Migration route"],
    "country": ["Country of Incident"],
    "location": ["Location of Incident", "Location of death", "Location Description"],
    "cause": ["Cause of Death"],
    "origin": ["Country of Origin"],
    "information_source": ["Information Source"],
    "url": ["URL"],
}
REQUIRED = ("id", "date", "dead", "missing", "coordinates")
DATE_FORMATS = ["%a, %m/%d/%Y - %H:%M", "%m/%d/%Y - %H:%M", "%m/%d/%Y", "%Y-%m-%d", "%Y-%m-%d %H:%M:%S"]


def columns_of(path: Path, names: list[str]) -> dict[str, str]:
    found = {}
    for key, aliases in ALIASES.items():
        for alias in aliases:
            if alias in names:
                found[key] = alias
                break
    missing = [ALIASES[k][0] for k in REQUIRED if k not in found]
    if missing:
        raise SourceError(f"{path.name}, line 1: missing required column(s) {', '.join(missing)}; is this IOM's "
                          "Missing Migrants Project download?")
    return found


def split_coordinates(chk: Checker, column: str) -> tuple[pd.Series, pd.Series]:
    """``lat, lon`` in one field → two numbers; anything else, or an impossible position, fails the record."""
    raw = chk.value(column)
    absent = chk.missing(raw)
    parts = raw.str.extract(r"^\s*(-?\d+(?:\.\d+)?)\s*,\s*(-?\d+(?:\.\d+)?)\s*$")
    lat, lon = pd.to_numeric(parts[0]), pd.to_numeric(parts[1])
    chk._fail_values(lat.isna() & ~absent, column, "not 'latitude, longitude': ", raw)
    impossible = (lat.abs() > 90) | (lon.abs() > 180)
    chk._fail_values(impossible.fillna(False), column, "impossible coordinate (latitude within ±90, longitude "
                     "within ±180): ", raw)
    chk.fail(absent, column, "missing value")
    return lat, lon


def canonical(chk: Checker, cols: dict[str, str]) -> pd.DataFrame:
    def text(key):
        return chk.text(cols[key], LIMITS.get(key, 2000)) if key in cols else None

    def count(key):
        return chk.number(cols[key], whole=True, minimum=0) if key in cols else None

    ids = chk.require(cols["id"])
    dates = chk.date(cols["date"], DATE_FORMATS, required=True)
    lat, lon = split_coordinates(chk, cols["coordinates"])
    country = text("country")
    where = resolve_series(country, "name") if country is not None else None
    return pd.DataFrame({
        "source": SOURCE, "incident_id": ids.str.replace(r"\.0$", "", regex=True), "incident_type": text("type"),
        "date": dates.dt.date, "region": text("region"), "route": text("route"),
        "country_iso3": where["country_iso3"] if where is not None else None,
        "country_gw": where["country_gw"] if where is not None else None,
        "location": text("location"), "latitude": lat, "longitude": lon,
        "dead": count("dead"), "missing": count("missing"), "survivors": count("survivors"),
        "cause": text("cause"), "origin": text("origin"), "information_source": text("information_source"),
        "url": text("url"),
    }, index=chk.records.index)


def read(path: Path) -> Iterator[Batch]:
    path = Path(path)
    names, chunks, delim = open_records(path)
    cols = columns_of(path, names)
    for records, rejects in chunks:
        if records.empty:
            yield merge_batches(Batch(pd.DataFrame(columns=["record_ref"])), rejects)
            continue
        chk = Checker(records, path, raw=pd.Series("", index=records.index, dtype=object), delim=delim)
        good, quarantine = check_records(chk, lambda c: canonical(c, cols), delim)
        yield merge_batches(Batch(good, quarantine), rejects)



ADAPTER = Adapter(name="iom-missing-migrants-download", source=SOURCE, table="migrant_incidents", version=VERSION,
                  formats="IOM Missing Migrants Project download (CSV or .xlsx: Main ID, Incident Date, Number Dead, "
                          "Minimum Estimated Number of Missing, Coordinates 'lat, lon', …)", read=read,
                  licence=LICENCE)
