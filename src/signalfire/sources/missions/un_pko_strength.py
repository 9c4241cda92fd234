"""UN peacekeeping authorised vs deployed personnel by mission and month (the "shortfall" data, 35 columns),
into ``mission_month``.

A research compilation from the UN's monthly strength reports and the Security Council's authorisations
(Mandate_Contribute, ``Personnel_shortfall_data``): one line per mission (``mission``) and month (``year``,
``month``) with the host (``missioncountry``, ``missionccode`` a COW code), authorised troops / police / military
observers (``authtroop``, ``authpolice``, ``authmilobs``, ``totalauth``), deployed ones (``troop``, ``police``,
``milobs``, ``total``) and the number of contributors.  Measures: ``authorised_troops``, ``authorised_police``,
``authorised_observers``, ``authorised_total``, ``troops``, ``police``, ``observers``, ``total``, ``contributors``.
The shortfall columns are differences and shares of these and are not stored (compute them from the stored
values); the bookkeeping columns (``monyear``, ``numberofmissions``, ``missionlength1``, …) neither.

Licence: research compilation from UN strength reports; no licence stated; cite the UN DPKO reports.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from signalfire.geo.countries import resolve_series
from signalfire.sources.base import Adapter, Batch
from signalfire.sources.delimited import read_records, sniff_delimiter
from signalfire.sources.missions.common import long_values, resolve_names
from signalfire.sources.validate import Checker, require_columns

VERSION = "1.0"
SOURCE = "un-pko-strength"
LICENCE = ("UN peacekeeping authorised vs deployed strength, mission-month (compiled from UN DPKO monthly strength "
           "reports and Security Council resolutions); no licence stated: cite the UN reports.")
MEASURES = {"authtroop": "authorised_troops", "authpolice": "authorised_police", "authmilobs": "authorised_observers",
            "totalauth": "authorised_total", "troop": "troops", "police": "police", "milobs": "observers",
            "total": "total", "contributors": "contributors"}
REQUIRED = ["mission", "year", "month", *MEASURES]
HINT = "is this the UN peacekeeping authorised vs deployed (shortfall) mission-month file?"


def _chunk(path: Path, records, rejects, delim: str) -> Batch:
    chk = Checker(records, path, delim=delim)
    mission = chk.require("mission")
    year = chk.number("year", required=True, whole=True, minimum=1945, maximum=2100)
    month = chk.number("month", required=True, whole=True, minimum=1, maximum=12)
    cow = chk.number("missionccode", whole=True, minimum=0)
    country = chk.text("missioncountry")
    host = resolve_series(cow, "cow")["country_iso3"]
    host = host.fillna(resolve_names(country)["country_iso3"])     # no COW code on some lines (Mali, Italy)
    base = records[[]].assign(source=SOURCE, mission=mission, conflict_id=0, year=year, month=month,
                              organisation="UN", host_country=country, host_iso3=host)
    rows, quarantine = long_values(path, records, chk, base, MEASURES, "measure", "value", rejects,
                                   whole=False)
    return Batch(rows, quarantine)


def read(path: Path) -> Iterator[Batch]:
    path = Path(path)
    delim = sniff_delimiter(path)
    for records, rejects in read_records(path, delim=delim):
        require_columns(path, list(records.columns), REQUIRED, HINT)
        yield _chunk(path, records, rejects, delim)


ADAPTER = Adapter(name="un-pko-strength", source=SOURCE, table="mission_month", version=VERSION,
                  formats="UN PKO authorised vs deployed personnel, mission-month CSV (35 columns, 1990-2015)",
                  read=read, licence=LICENCE)
