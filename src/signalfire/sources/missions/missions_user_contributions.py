"""User-supplied contributions: a country's personnel in a mission no dataset here holds (e.g. in NATO's enhanced
Forward Presence or KFOR, an EU operation, the Global Coalition against Daesh), into ``mission_contributions`` with
``user_supplied`` true.

A CSV the analyst writes (layout in ``docs/schema/missions.md``): ``mission`` (acronym, as in the user missions
file or any dataset), ``contributor_iso3``, ``date`` (``YYYY-MM`` or ``YYYY-MM-DD``: the date the figure refers
to), ``personnel_type`` (``troops``, ``staff_officers``, ``experts``, ``individual_police``, ``formed_police``,
``police``), ``male``, ``female``, ``total`` (``total`` alone, or ``male`` and ``female``; when all three are
given, total must be male + female), ``source_url`` (required: quarantined without) and ``note``.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pandas as pd

from signalfire.geo.countries import describe_failure, resolve_series
from signalfire.sources.base import Adapter, Batch
from signalfire.sources.delimited import read_records, sniff_delimiter
from signalfire.sources.missions.common import PERSONNEL_TYPES, month_parts
from signalfire.sources.missions.user import DATES, source_url
from signalfire.sources.validate import Checker, require_columns

VERSION = "1.0"
SOURCE = "missions-user-contributions"
LICENCE = "Supplied by the user; each row cites its source in source_url."
REQUIRED = ["mission", "contributor_iso3", "date", "personnel_type", "total", "source_url"]
HINT = "is this a user-supplied contributions file (see docs/schema/missions.md)?"


def _chunk(path: Path, records, rejects, delim: str) -> Batch:
    chk = Checker(records, path, delim=delim)
    mission = chk.require("mission")
    iso = chk.require("contributor_iso3")
    where = resolve_series(iso.str.upper(), "iso3")
    chk.fail(where["country_iso3"].isna() & iso.notna(), "contributor_iso3",
             iso.map(lambda v: describe_failure(v, "iso3")))
    date = chk.date("date", DATES[:2], required=True)
    kind = chk.choice("personnel_type", {t: t for t in PERSONNEL_TYPES})
    male = chk.number("male", whole=True, minimum=0)
    female = chk.number("female", whole=True, minimum=0)
    total = chk.number("total", whole=True, minimum=0)
    both = male.notna() & female.notna()
    chk.fail(total.notna() & both & (total != male + female), "total", "is not male + female")
    total = total.fillna((male + female).where(both))
    chk.fail(total.isna(), "total", "missing value (give total, or male and female)")
    year, month = month_parts(date)
    rows = records[[]].assign(source=SOURCE, contributor=where["country_name"], contributor_iso3=where["country_iso3"],
                              contributor_gw=where["country_gw"], mission=mission, year=year, month=month,
                              reporting_date=date, personnel_type=kind, male=male, female=female, total=total,
                              user_supplied=True, source_url=source_url(chk), source_record_id=chk.text("note"))
    good, quarantine = chk.split(rows)
    return Batch(good, pd.concat([rejects, quarantine], ignore_index=True))


def read(path: Path) -> Iterator[Batch]:
    path = Path(path)
    delim = sniff_delimiter(path)
    for records, rejects in read_records(path, delim=delim):
        require_columns(path, list(records.columns), REQUIRED, HINT)
        yield _chunk(path, records, rejects, delim)


ADAPTER = Adapter(name="missions-user-contributions", source=SOURCE, table="mission_contributions", version=VERSION,
                  formats="user-supplied contributions CSV (docs/schema/missions.md; a source_url on every line)",
                  read=read, licence=LICENCE)
