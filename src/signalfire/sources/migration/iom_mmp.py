"""IOM Missing Migrants Project incidents, tidy table (IOM's ``gdidata`` package, ``iom_mmp``), into
``migrant_incidents``.

Columns: ``t`` (date of the incident, ``YYYY-MM-DD``), ``m`` (its month), ``type`` (Incident, Split Incident,
Cumulative Incident), ``route`` (IOM's migration route), ``geo`` (country of incident, ISO 3166 alpha-3),
``dead``, ``cause``, ``surv`` (survivors), ``nat`` (countries of origin, comma-separated ISO codes), ``location``,
``lon``, ``lat``.  This table carries no incident id and no count of missing people, so:

* ``incident_id`` is built from the content: the first 16 hex digits of the SHA-256 of the line's fields, then
  ``-N`` for the N-th identical line in the file (IOM records separate single deaths with identical fields, e.g.
  two bodies found by one medical examiner on one day; both are kept).  The same file gives the same ids.
* ``missing`` is NULL (not published in this table); source ``iom-mmp-gdidata`` keeps it apart from the
  producer's own download (``iom-missing-migrants-download``, source ``iom-mmp``) so the two are never summed.

A coordinate outside -90..90 / -180..180 is impossible and quarantines the incident.

Licence: IOM Missing Migrants Project, CC BY 4.0 (cite IOM's Missing Migrants Project).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from pathlib import Path

import pandas as pd

from signalfire.sources.base import Adapter, Batch
from signalfire.sources.delimited import read_records, sniff_delimiter
from signalfire.sources.migration.common import merge_batches, resolve_codes
from signalfire.sources.tabular import check_records
from signalfire.sources.validate import Checker, require_columns

VERSION = "1.0"
SOURCE = "iom-mmp-gdidata"
LICENCE = "IOM Missing Migrants Project, CC BY 4.0: International Organization for Migration."
COLUMNS = ["t", "type", "route", "geo", "dead", "cause", "nat", "location", "lon", "lat"]
CONTENT = ["t", "m", "type", "route", "geo", "dead", "cause", "surv", "nat", "location", "lon", "lat"]
LIMITS = {"location": 5000, "cause": 1000, "route": 500, "type": 200, "nat": 2000}


def content_ids(records: pd.DataFrame, columns: list[str], seen: dict[str, int]) -> pd.Series:
    """A content hash per record, with ``-N`` for its N-th occurrence (``seen`` carries counts across chunks)."""
    present = [c for c in columns if c in records.columns]
    joined = records[present].astype(str).agg("\x1f".join, axis=1)
    out = []
    for text in joined:
        digest = hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]
        seen[digest] = seen.get(digest, 0) + 1
        out.append(f"{digest}-{seen[digest]}")
    return pd.Series(out, index=records.index, dtype=object)


def coordinates(chk: Checker, lat_col: str, lon_col: str) -> tuple[pd.Series, pd.Series]:
    lat = chk.number(lat_col, minimum=-90, maximum=90)
    lon = chk.number(lon_col, minimum=-180, maximum=180)
    return lat, lon


def canonical(chk: Checker, ids: pd.Series) -> pd.DataFrame:
    where = resolve_codes(chk, "geo")
    lat, lon = coordinates(chk, "lat", "lon")
    return pd.DataFrame({
        "source": SOURCE, "incident_id": ids, "incident_type": chk.text("type", LIMITS["type"]),
        "date": chk.date("t", ["%Y-%m-%d"], required=True).dt.date, "region": None,
        "route": chk.text("route", LIMITS["route"]), "country_iso3": where["iso3"], "country_gw": where["gw"],
        "location": chk.text("location", LIMITS["location"]), "latitude": lat, "longitude": lon,
        "dead": chk.number("dead", whole=True, minimum=0), "missing": None,
        "survivors": chk.number("surv", whole=True, minimum=0) if "surv" in chk.records.columns else None,
        "cause": chk.text("cause", LIMITS["cause"]), "origin": chk.text("nat", LIMITS["nat"]),
        "information_source": None, "url": None,
    }, index=chk.records.index)


def read(path: Path) -> Iterator[Batch]:
    path = Path(path)
    delim = sniff_delimiter(path)
    checked = False
    seen: dict[str, int] = {}
    for records, rejects in read_records(path, delim=delim):
        if not checked:
            require_columns(path, list(records.columns), COLUMNS, "is this IOM's Missing Migrants tidy table "
                            "(t, type, route, geo, dead, …, lon, lat)? The producer's own download is "
                            "iom-missing-migrants-download")
            checked = True
        if records.empty:
            yield merge_batches(Batch(pd.DataFrame(columns=["record_ref"])), rejects)
            continue
        chk = Checker(records, path, delim=delim)
        ids = content_ids(records, CONTENT, seen)
        good, quarantine = check_records(chk, lambda c, ids=ids: canonical(c, ids), delim)
        yield merge_batches(Batch(good, quarantine), rejects)


ADAPTER = Adapter(name="iom-missing-migrants", source=SOURCE, table="migrant_incidents", version=VERSION,
                  formats="IOM Missing Migrants incidents, tidy CSV (t, type, route, geo, dead, cause, nat, location, "
                          "lon, lat)", read=read, licence=LICENCE)
