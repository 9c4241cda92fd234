"""IPI Peacekeeping Database, contributor x mission x month detail (the monthly ``update_archive`` files, 73
columns), into ``mission_contributions``.

One line per contributor, mission and month-end (``Date``, ``Contributor``, ``Contributor_ISO-3``, ``Mission``;
then attributes of both, which are not stored) with ``Experts_on_Mission``, ``Formed_Police_Units``,
``Inidividual_Police`` (IPI's spelling), ``Civilian_Police``, ``Troops``, ``Observers`` and ``Total``.  In the
published files ``Civilian_Police`` = formed + individual police and ``Observers`` repeats ``Experts_on_Mission``,
and ``Total`` = experts + civilian police + troops; the two repeated aggregates and the total are not stored (they
would double-count), the four parts are: ``personnel_type`` ``experts``, ``formed_police``, ``individual_police``,
``troops``.  Contributor from ``Contributor_ISO-3`` (checked against the reference table).

Licence: IPI Peacekeeping Database, free with citation.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from signalfire.geo.countries import describe_failure, resolve_series
from signalfire.sources.base import Adapter, Batch
from signalfire.sources.delimited import read_records, sniff_delimiter
from signalfire.sources.missions.common import long_values, month_parts
from signalfire.sources.validate import Checker, require_columns

VERSION = "1.0"
SOURCE = "ipi-contributions-mission"
LICENCE = "IPI Peacekeeping Database (International Peace Institute, Providing for Peacekeeping), free with citation."
TYPES = {"Troops": "troops", "Experts_on_Mission": "experts", "Inidividual_Police": "individual_police",
         "Formed_Police_Units": "formed_police"}
REQUIRED = ["Date", "Contributor", "Contributor_ISO-3", "Mission", *TYPES, "Total"]
HINT = "is this an IPI Peacekeeping Database contributor-mission file (update_archive, 73 columns)?"


def _chunk(path: Path, records, rejects, delim: str) -> Batch:
    chk = Checker(records, path, delim=delim)
    date = chk.date("Date", ["%Y-%m-%d"], required=True)
    iso = chk.require("Contributor_ISO-3")
    where = resolve_series(iso, "iso3")
    chk.fail(where["country_iso3"].isna() & iso.notna(), "Contributor_ISO-3",
             iso.map(lambda v: describe_failure(v, "iso3")))
    mission = chk.require("Mission")
    year, month = month_parts(date)
    base = records[[]].assign(source=SOURCE, contributor=chk.text("Contributor"),
                              contributor_iso3=where["country_iso3"], contributor_gw=where["country_gw"],
                              mission=mission, year=year, month=month, reporting_date=date, user_supplied=False)
    rows, quarantine = long_values(path, records, chk, base, TYPES, "personnel_type", "total", rejects)
    return Batch(rows, quarantine)


def read(path: Path) -> Iterator[Batch]:
    path = Path(path)
    delim = sniff_delimiter(path)
    for records, rejects in read_records(path, delim=delim):
        require_columns(path, list(records.columns), REQUIRED, HINT)
        yield _chunk(path, records, rejects, delim)


ADAPTER = Adapter(name="ipi-contributions-mission", source=SOURCE, table="mission_contributions", version=VERSION,
                  formats="IPI Peacekeeping Database contributor x mission x month CSV (update_archive, 73 columns)",
                  read=read, licence=LICENCE)
