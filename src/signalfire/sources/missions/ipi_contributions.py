"""IPI Peacekeeping Database, each contributor's UN personnel by month (no mission split), into
``mission_contributions``.

The IPI publishes one CSV per contributing country (``ppp_files/countries/<Country>.csv``: ``Date``, ``Troops``,
``Police``, ``Experts``: month-end totals over all UN missions, from the UN's monthly contribution reports); the
file read here is those files concatenated with a ``Contributor`` column in front, as in ``../shared/data``.  A
file of one country without ``Contributor`` is read too, the country taken from the file name (``Poland.csv``).

Rows: one per non-empty value, ``personnel_type`` ``troops``, ``police`` (individual and formed police together)
or ``experts`` (military experts on mission / observers), ``total`` the count, ``mission`` ``ALL`` (all UN
missions).  Contributor names resolve to ISO3 (by date, for predecessor states); an unknown name quarantines the
line.

Licence: IPI Peacekeeping Database, free with citation.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pandas as pd

from signalfire.sources.base import Adapter, Batch
from signalfire.sources.delimited import read_records, sniff_delimiter
from signalfire.sources.missions.common import fail_unresolved, long_values, month_parts, resolve_names
from signalfire.sources.validate import Checker, require_columns

VERSION = "1.0"
SOURCE = "ipi-contributions"
LICENCE = "IPI Peacekeeping Database (International Peace Institute, Providing for Peacekeeping), free with citation."
TYPES = {"Troops": "troops", "Police": "police", "Experts": "experts"}
ALL_MISSIONS = "ALL"
HINT = "is this an IPI Peacekeeping Database contributor file (Contributor, Date, Troops, Police, Experts)?"


def _chunk(path: Path, records, rejects, delim: str) -> Batch:
    chk = Checker(records, path, delim=delim)
    date = chk.date("Date", ["%Y-%m-%d"], required=True)
    if "Contributor" in records.columns:
        names = chk.require("Contributor")
    else:
        names = pd.Series(path.stem.replace("_", " "), index=records.index, dtype=object)
    where = resolve_names(names, date)
    fail_unresolved(chk, "Contributor", names, where)
    year, month = month_parts(date)
    base = records[[]].assign(source=SOURCE, contributor=names, contributor_iso3=where["country_iso3"],
                              contributor_gw=where["country_gw"], mission=ALL_MISSIONS, year=year, month=month,
                              reporting_date=date, user_supplied=False)
    rows, quarantine = long_values(path, records, chk, base, TYPES, "personnel_type", "total", rejects)
    return Batch(rows, quarantine)


def read(path: Path) -> Iterator[Batch]:
    path = Path(path)
    delim = sniff_delimiter(path)
    for records, rejects in read_records(path, delim=delim):
        require_columns(path, list(records.columns), ["Date", *TYPES], HINT)
        yield _chunk(path, records, rejects, delim)


ADAPTER = Adapter(name="ipi-contributions", source=SOURCE, table="mission_contributions", version=VERSION,
                  formats="IPI Peacekeeping Database contributor-month CSV (Contributor, Date, Troops, Police, Experts)",
                  read=read, licence=LICENCE)
