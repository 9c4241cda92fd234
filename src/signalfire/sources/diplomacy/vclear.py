"""ν-CLEAR nuclear proficiency estimates (Smith & Spaniel), into ``country_year`` (long form).

Reads the country-year CSV as the data4ds4da conversion publishes it (20 columns: ``id``, ``ccode`` (COW),
``country_name``, ``year``, then 16 indicators written ``True``/``False``: ``uranium_possession``,
``metallurgical_capability``, ``chemical_capability``, ``nitric_production``, ``electricity_production``,
``nuclear_engineering``, ``explosive_production``, ``non_heavy_water_reactor``, ``heavy_water_reactor``,
``nuclear_test``, ``reprocessing``, ``uranium_enrichment``, ``submarines``, ``weapons_exploration``,
``weapons_pursuit``, ``nuclear_weapons``).  Each indicator becomes a measure (1 true, 0 false) of source
``v-clear``: one row per (country, year, indicator).  The state is resolved from its COW code at the year.

Accounting: a record is one value (line × indicator); a line whose country or year cannot be read quarantines
each of its values; a value that is not True/False is quarantined alone.
Licence of the data: free academic use with citation (Smith & Spaniel 2019, "Introducing ν-CLEAR", CMPS).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pandas as pd

from signalfire.geo.countries import describe_failure
from signalfire.sources.base import Adapter, Batch, quarantine_frame
from signalfire.sources.delimited import read_records
from signalfire.sources.diplomacy.reference import resolve_cow
from signalfire.sources.validate import Checker, require_columns, short_repr

VERSION = "1.0"
SOURCE = "v-clear"
LICENCE = "ν-CLEAR (Smith & Spaniel 2019): free academic use with citation"
KEY = ["ccode", "year"]
TEXT = {"id", "country_name"}
BOOLS = {"true": 1.0, "false": 0.0, "1": 1.0, "0": 0.0}


def _chunk(path: Path, records: pd.DataFrame, rejects: pd.DataFrame, measures: list[str]) -> Batch:
    if records.empty:
        return Batch(pd.DataFrame(columns=["record_ref"]), rejects)
    chk = Checker(records, path)
    cow = chk.number("ccode", required=True, whole=True, minimum=1)
    year = chk.number("year", required=True, whole=True, minimum=1900, maximum=2100)
    when = pd.to_datetime(year.astype("string") + "-07-01", errors="coerce")
    where = resolve_cow(cow, when)
    chk.fail(where["country_iso3"].isna() & cow.notna(), "ccode", cow.map(lambda v: describe_failure(v, "cow")))
    refs = records["record_ref"].astype(str)
    long = records[measures].stack().rename("text").reset_index(level=1).rename(columns={"level_1": "column"})
    long["text"] = long["text"].astype(str).str.strip()
    value = long["text"].str.lower().map(BOOLS)
    line_reason = chk.reasons.loc[long.index]
    bad_value = value.isna()
    reason = line_reason.where(~bad_value, line_reason.map(lambda r: f"{r}; " if r else "") + "column "
                               + long["column"] + ": not True/False: " + long["text"].map(short_repr))
    bad = reason != ""
    q = quarantine_frame(pd.DataFrame({
        "record_ref": refs.loc[long.index[bad]].to_numpy(), "column_name": long.loc[bad, "column"].to_numpy(),
        "raw": chk.raw.loc[long.index[bad]].to_numpy(),
        "reason": (path.name + ", " + refs.loc[long.index[bad]] + ", " + reason[bad]).to_numpy(),
    }).to_dict("records"))
    ok = long[~bad]
    rows = pd.DataFrame({
        "source": SOURCE, "country_iso3": where["country_iso3"].loc[ok.index].to_numpy(),
        "country_gw": where["country_gw"].loc[ok.index].to_numpy(), "year": year.loc[ok.index].to_numpy(),
        "measure": ok["column"].to_numpy(), "value": value[~bad].to_numpy(dtype=float),
        "record_ref": refs.loc[ok.index].to_numpy(),
    })
    return Batch(rows, pd.concat([rejects, q], ignore_index=True))


def read(path: Path) -> Iterator[Batch]:
    path = Path(path)
    measures = None
    for records, rejects in read_records(path, delim=","):
        if measures is None:
            present = [c for c in records.columns if c != "record_ref"]
            require_columns(path, present, [*KEY, "nuclear_weapons"], "is this the ν-CLEAR country-year file?")
            measures = [c for c in present if c not in KEY and c not in TEXT]
        yield _chunk(path, records, rejects, measures)


ADAPTER = Adapter(name="v-clear", source=SOURCE, table="country_year", version=VERSION,
                  formats="ν-CLEAR nuclear proficiency country-year CSV (ccode, year, 16 True/False indicators)",
                  read=read, licence=LICENCE)
