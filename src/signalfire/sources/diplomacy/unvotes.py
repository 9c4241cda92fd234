"""UN General Assembly roll-call votes (Erik Voeten's data, the ``unvotes`` layout), into ``unga_votes``.

Reads ``un_votes`` as the ``unvotes`` R package ships it, as CSV (optionally gzipped): ``rcid`` (roll-call id,
written ``3.0`` by the conversion), ``country``, ``country_code`` (ISO alpha-2; empty for the Federal Republic
of Germany, the Yemen Arab Republic and Zanzibar; ``CS`` Czechoslovakia, ``YU`` Yugoslavia, ``DD`` the GDR,
``YD`` South Yemen) and ``vote`` (``yes``, ``no``, ``abstain``; absences are not in the data).  The state is
resolved by its name (the codes are not ISO for the historical states): the Federal Republic of Germany is
stored as DEU (GW 260 then 255, as Germany), the Yemen Arab Republic as YEM; Zanzibar (a UN member from
December 1963 to April 1964, without an ISO code) is quarantined.  One record per line.

Licence of the data: Erik Voeten, "United Nations General Assembly Voting Data", Harvard Dataverse
(hdl:1902.1/12379); the unvotes R package (Robinson), MIT.  Cite Voeten (2013) and Bailey, Strezhnev & Voeten
(2017) JCR 61(2).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pandas as pd

from signalfire.geo.countries import describe_failure, resolve_series
from signalfire.sources.base import Adapter, Batch
from signalfire.sources.validate import Checker, checked_records

VERSION = "1.0"
SOURCE = "unvotes"
LICENCE = ("Erik Voeten, United Nations General Assembly Voting Data (Harvard Dataverse); unvotes R package, MIT. "
           "Cite Bailey, Strezhnev & Voeten (2017), JCR 61(2).")
REQUIRED = ["rcid", "country", "country_code", "vote"]
VOTES = {"yes": "yes", "no": "no", "abstain": "abstain"}
NAME_ISO3 = {"Federal Republic of Germany": "DEU", "Yemen Arab Republic": "YEM", "Czechoslovakia": "CSK",
             "Yugoslavia": "YUG", "German Democratic Republic": "DDR", "Yemen People's Republic": "YMD"}


def resolve_states(names: pd.Series, codes: pd.Series) -> pd.DataFrame:
    """ISO3 and GW of the states as unvotes names them: the fixed names above, else by name, else by ISO2."""
    fixed = names.map(NAME_ISO3)
    by_iso3 = resolve_series(fixed, "iso3")
    by_name = resolve_series(names, "name")
    by_code = resolve_series(codes.where(codes != "", None), "iso2")
    out = by_iso3.copy()
    for other in (by_name, by_code):
        take = out["country_iso3"].isna()
        out.loc[take] = other.loc[take]
    return out


def _chunk(path: Path, records: pd.DataFrame, rejects: pd.DataFrame) -> Batch:
    if records.empty:
        return Batch(pd.DataFrame(columns=["record_ref"]), rejects)
    chk = Checker(records, path)
    rcid = chk.number("rcid", required=True, whole=True, minimum=1)
    name = chk.require("country")
    code = chk.value("country_code")
    vote = chk.choice("vote", VOTES)
    where = resolve_states(name.fillna(""), code)
    chk.fail_each(where["country_iso3"].isna() & name.notna(), "country", name,
                  lambda v: describe_failure(v, "name") + " (no ISO 3166 code)")
    rows = pd.DataFrame({
        "rcid": rcid, "country_iso3": where["country_iso3"], "country_gw": where["country_gw"],
        "country_name": name, "country_code": code.where(code != "", None), "vote": vote,
    }, index=records.index)
    good, quarantine = chk.split(rows)
    return Batch(good, pd.concat([rejects, quarantine], ignore_index=True))


def read(path: Path) -> Iterator[Batch]:
    path = Path(path)
    for records, rejects in checked_records(path, REQUIRED, "is this unvotes' un_votes table (CSV)?", delim=","):
        yield _chunk(path, records, rejects)


ADAPTER = Adapter(name="unvotes", source=SOURCE, table="unga_votes", version=VERSION,
                  formats="unvotes un_votes as CSV or CSV.gz (rcid, country, country_code, vote)",
                  read=read, licence=LICENCE)
