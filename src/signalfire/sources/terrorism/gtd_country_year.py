"""GTD aggregated to country-year (Jones & Lupu's replication file: ``year, ccode, terror_killed,
terror_events``), into ``country_year`` as source ``gtd-country-year``.

``ccode`` is a Gleditsch–Ward code (260 is Germany throughout, 678 Yemen throughout, as in GW's list; COW would
switch to 255 and 679), resolved by year.  A code that is no state (``2000`` in this file) is quarantined with its
line.  Measures: ``incidents`` (``terror_events``) and ``killed`` (``terror_killed``).  A record is one value.

Licence: GTD (START, University of Maryland), non-commercial use, no redistribution: the project ships none.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from signalfire.geo.countries import describe_failure
from signalfire.sources.base import Adapter
from signalfire.sources.terrorism.common import LICENCE, read_country_year
from signalfire.sources.ucdp.ucdp_acd import resolve_gw_by_year
from signalfire.sources.validate import Checker

VERSION = "1.0"
SOURCE = "gtd-country-year"
MEASURES = {"terror_events": "incidents", "terror_killed": "killed"}


def keys(chk: Checker) -> pd.DataFrame:
    year = chk.number("year", required=True, whole=True, minimum=1900, maximum=2100)
    gw = chk.number("ccode", required=True, whole=True, minimum=0)
    where = resolve_gw_by_year(gw, year)
    bad = where["country_iso3"].isna() & gw.notna()
    chk.fail(bad, "ccode", chk.value("ccode").map(lambda v: describe_failure(v, "gw")))
    return pd.DataFrame({"source": SOURCE, "country_iso3": where["country_iso3"], "country_gw": where["country_gw"],
                         "year": year}, index=chk.records.index)


def read(path: Path):
    return read_country_year(path, ["year", "ccode"] + list(MEASURES), "is this the GTD country-year file "
                             "(year, ccode, terror_killed, terror_events)?", MEASURES, keys)


ADAPTER = Adapter(name="gtd-country-year", source=SOURCE, table="country_year", version=VERSION,
                  formats="GTD country-year aggregates (year, ccode as Gleditsch–Ward, terror_killed, terror_events)",
                  read=read, licence=LICENCE)
