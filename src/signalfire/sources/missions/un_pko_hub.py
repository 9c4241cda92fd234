"""UN Peace and Security Data Hub, peacekeeping contributions (the current layout), into ``mission_contributions``.

The layout the UN publishes today (psdata.un.org): one line per contribution, among other columns
``contribution_id``, ``isocode3`` (contributing country), ``mission_acronym``, ``personnel_type`` (``Troops``,
``Staff Officer``, ``Individual Police``, ``Formed Police Units``, ``Experts on Mission``),
``male_personnel``, ``female_personnel`` and ``last_reporting_date``; the total is male + female.  Other columns
(country and mission names, regions, …) are not needed and not stored.  Rows: ``personnel_type`` mapped to
``troops``, ``staff_officers``, ``individual_police``, ``formed_police``, ``experts``; year and month from
``last_reporting_date``; ``source_record_id`` the ``contribution_id``.  An unknown personnel type, ISO3 code or a
count that is not a whole number quarantines the line.

Licence: United Nations data (UN Peace and Security Data Hub), free to use with attribution under the UN terms.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pandas as pd

from signalfire.geo.countries import describe_failure, resolve_series
from signalfire.sources.base import Adapter, Batch
from signalfire.sources.delimited import read_records, sniff_delimiter
from signalfire.sources.missions.common import month_parts
from signalfire.sources.validate import Checker, require_columns

VERSION = "1.0"
SOURCE = "un-pko-hub"
LICENCE = "United Nations Peace and Security Data Hub (psdata.un.org), UN terms of use, with attribution."
TYPES = {"Troops": "troops", "Staff Officer": "staff_officers", "Staff Officers": "staff_officers",
         "Individual Police": "individual_police", "Formed Police Units": "formed_police",
         "Formed Police Unit": "formed_police", "Experts on Mission": "experts"}
REQUIRED = ["contribution_id", "isocode3", "mission_acronym", "personnel_type", "male_personnel",
            "female_personnel", "last_reporting_date"]
HINT = "is this a UN Peace and Security Data Hub contributions file?"
DATES = ["%Y-%m-%d", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M:%SZ"]


def _chunk(path: Path, records, rejects, delim: str) -> Batch:
    chk = Checker(records, path, delim=delim)
    ident = chk.require("contribution_id")
    iso = chk.require("isocode3")
    where = resolve_series(iso.str.upper(), "iso3")
    chk.fail(where["country_iso3"].isna() & iso.notna(), "isocode3", iso.map(lambda v: describe_failure(v, "iso3")))
    mission = chk.require("mission_acronym")
    kind = chk.choice("personnel_type", TYPES)
    male = chk.number("male_personnel", required=True, whole=True, minimum=0)
    female = chk.number("female_personnel", required=True, whole=True, minimum=0)
    date = chk.date("last_reporting_date", DATES, required=True)
    year, month = month_parts(date)
    name = chk.text("contributing_country") if "contributing_country" in records.columns else where["country_name"]
    rows = records[[]].assign(source=SOURCE, contributor=name, contributor_iso3=where["country_iso3"],
                              contributor_gw=where["country_gw"], mission=mission, year=year, month=month,
                              reporting_date=date, personnel_type=kind, male=male, female=female,
                              total=male + female, user_supplied=False, source_record_id=ident)
    good, quarantine = chk.split(rows)
    return Batch(good, pd.concat([rejects, quarantine], ignore_index=True))

def read(path: Path) -> Iterator[Batch]:
    path = Path(path)
    delim = sniff_delimiter(path)
    for records, rejects in read_records(path, delim=delim):
        require_columns(path, list(records.columns), REQUIRED, HINT)
        yield _chunk(path, records, rejects, delim)


ADAPTER = Adapter(name="un-pko-hub", source=SOURCE, table="mission_contributions", version=VERSION,
                  formats="UN Peace and Security Data Hub contributions CSV (one line per contribution)",
                  read=read, licence=LICENCE)
