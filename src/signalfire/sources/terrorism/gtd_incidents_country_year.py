"""GTD incidents per country and year (``country_txt, iyear, incidents``: GTD's country names, every country ×
year with zeros), into ``country_year`` as source ``gtd-incidents-country-year``, measure ``incidents``.

Countries are GTD's names resolved by year (``East Germany (GDR)``, ``Soviet Union``, ``Czechoslovakia`` … to the
state of the time).  GTD's ``International`` (incidents on international territory) is no country and is
quarantined, as is any name that does not resolve.

GTD's table lists every name in every year, so a country that changed its name has two lines per year ("Zaire"
and "Democratic Republic of the Congo", "West Germany (FRG)" and "Germany", "Rhodesia" and "Zimbabwe", …),
which resolve to the same country-year.  Their counts are added (in 1997 both names have incidents): the line
with the larger count keeps the sum, the other is quarantined with a reason naming that line and how many
incidents it added, so nothing is counted twice and nothing is lost.  (Lines are grouped within a chunk of the
reader, 250,000 lines: GTD's table has about 10,000.)

Licence: GTD (START, University of Maryland), non-commercial use, no redistribution: the project ships none.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from signalfire.geo.countries import describe_failure, resolve_series
from signalfire.sources.base import Adapter
from signalfire.sources.terrorism.common import LICENCE, read_country_year
from signalfire.sources.validate import Checker

VERSION = "1.0"
SOURCE = "gtd-incidents-country-year"
MEASURES = {"incidents": "incidents"}


def keys(chk: Checker) -> pd.DataFrame:
    year = chk.number("iyear", required=True, whole=True, minimum=1900, maximum=2100)
    names = chk.require("country_txt")
    when = pd.to_datetime(year.astype("string") + "-07-01", errors="coerce")
    where = resolve_series(names, "name", when=when)
    bad = where["country_iso3"].isna() & names.notna()
    chk.fail(bad, "country_txt", chk.value("country_txt").map(
        lambda v: "GTD's 'International' (international territory) is no country" if v == "International"
        else describe_failure(v, "name")))
    _merge_renamed(chk, where["country_iso3"], year)
    return pd.DataFrame({"source": SOURCE, "country_iso3": where["country_iso3"], "country_gw": where["country_gw"],
                         "year": year}, index=chk.records.index)


def _merge_renamed(chk: Checker, iso3: pd.Series, year: pd.Series) -> None:
    """Lines of one country-year under two names: the larger keeps the sum, the other is quarantined."""
    recs = chk.records
    counts = pd.to_numeric(recs["incidents"], errors="coerce")
    ok = (chk.reasons == "") & iso3.notna() & year.notna() & counts.notna()
    frame = pd.DataFrame({"iso3": iso3, "year": year, "n": counts})[ok]
    dup = frame[frame.duplicated(["iso3", "year"], keep=False)]
    for _, group in dup.groupby(["iso3", "year"]):
        keep = group["n"].idxmax()
        total = group["n"].sum()
        recs.loc[keep, "incidents"] = f"{total:g}"
        for other in group.index.drop(keep):
            chk.fail(pd.Series(recs.index == other, index=recs.index), "country_txt",
                     f"same country-year as {recs.loc[keep, 'record_ref']} ({recs.loc[keep, 'country_txt']!r}); "
                     f"its {group.loc[other, 'n']:g} incidents are added to that line's count")


def read(path: Path):
    return read_country_year(path, ["country_txt", "iyear", "incidents"], "is this GTD's incidents per country "
                             "and year table (country_txt, iyear, incidents)?", MEASURES, keys)


ADAPTER = Adapter(name="gtd-incidents-country-year", source=SOURCE, table="country_year", version=VERSION,
                  formats="GTD incidents per country and year (country_txt, iyear, incidents)", read=read,
                  licence=LICENCE)
