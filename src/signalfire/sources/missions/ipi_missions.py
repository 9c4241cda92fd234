"""IPI Peacekeeping Database, UN missions by month (``data_mission.csv``), into ``mission_month`` (long form).

The International Peace Institute's Providing for Peacekeeping database, compiled from the UN's monthly
contribution reports: one line per mission and month-end (``Date``, ``Mission``), with the mission's host country
(``Country of Mission``, ``Country of Mission ISO-3``), headquarters and its coordinates, membership flags of the
host, ``Number of Contributors`` and the deployed ``Troops``, ``Police``, ``Observers`` and ``Total``.  Measures:
``contributors``, ``troops``, ``police``, ``observers``, ``total``; ``NA`` cells are not records (see
:mod:`.common`).

Known upstream error, corrected here and documented: the column ``Mission HQ Longitude`` holds the latitude and
``Mission HQ Latitude`` the longitude (Tegucigalpa is given as "Longitude" 14.1, "Latitude" -87.2167), so they are
stored swapped back.

Licence: IPI Peacekeeping Database, free with citation (International Peace Institute, Providing for
Peacekeeping Database, www.providingforpeacekeeping.org).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from signalfire.sources.base import Adapter, Batch
from signalfire.sources.delimited import read_records, sniff_delimiter
from signalfire.sources.missions.common import long_values, month_parts
from signalfire.sources.validate import Checker, require_columns

VERSION = "1.0"
SOURCE = "ipi-missions"
LICENCE = "IPI Peacekeeping Database (International Peace Institute, Providing for Peacekeeping), free with citation."
MEASURES = {"Number of Contributors": "contributors", "Troops": "troops", "Police": "police",
            "Observers": "observers", "Total": "total"}
REQUIRED = ["Date", "Mission", "Country of Mission ISO-3", *MEASURES]
HINT = "is this the IPI Peacekeeping Database mission file (data_mission.csv)?"


def _chunk(path: Path, records, rejects, delim: str) -> Batch:
    chk = Checker(records, path, delim=delim)
    date = chk.date("Date", ["%Y-%m-%d"], required=True)
    mission = chk.require("Mission")
    iso = chk.text("Country of Mission ISO-3")
    chk.fail(iso.notna() & ~iso.fillna("").str.fullmatch(r"[A-Z]{3}"), "Country of Mission ISO-3",
             "not an ISO 3166 alpha-3 code")
    lat = chk.number("Mission HQ Longitude", minimum=-90, maximum=90)     # swapped upstream, see above
    lon = chk.number("Mission HQ Latitude", minimum=-180, maximum=180)
    year, month = month_parts(date)
    base = records[[]].assign(source=SOURCE, mission=mission, conflict_id=0, year=year, month=month,
                              organisation="UN", host_country=chk.text("Country of Mission"), host_iso3=iso,
                              hq=chk.text("Mission HQ"), hq_latitude=lat, hq_longitude=lon)
    rows, quarantine = long_values(path, records, chk, base, MEASURES, "measure", "value", rejects,
                                   whole=False)
    return Batch(rows, quarantine)


def read(path: Path) -> Iterator[Batch]:
    path = Path(path)
    delim = sniff_delimiter(path)
    for records, rejects in read_records(path, delim=delim):
        require_columns(path, list(records.columns), REQUIRED, HINT)
        yield _chunk(path, records, rejects, delim)


ADAPTER = Adapter(name="ipi-missions", source=SOURCE, table="mission_month", version=VERSION,
                  formats="IPI Peacekeeping Database mission-month CSV (data_mission.csv, 22 columns)",
                  read=read, licence=LICENCE)
