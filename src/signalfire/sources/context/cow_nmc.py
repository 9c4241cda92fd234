"""Correlates of War National Material Capabilities (``cow_nmc_v6.csv``) into ``country_year`` (long form).

One line per state-year: ``ccode`` (COW code), ``year`` and the six components with the composite index:
``milex`` (military expenditure, thousands of current US$), ``milper`` (military personnel, thousands), ``irst``
(iron and steel production, thousands of tons), ``pec`` (primary energy consumption, thousands of coal-ton
equivalents), ``tpop`` / ``upop`` (total / urban population, thousands) and ``cinc`` (Composite Index of National
Capability, the state's share of the system's capabilities).  Each becomes a measure of source ``cow-nmc`` under
its own name.  Empty cells and COW's ``-9`` are stored as NULL values.

Accounting: a record is one value (line × measure).  A line whose code or year cannot be read, or whose code
does not resolve to a country as of 1 July of its year, quarantines each of its values with the line's reason.

Licence: COW NMC v6.0, free with citation: Singer, Bremer & Stuckey (1972); Greig & Enterline (2021), National
Material Capabilities codebook v6.0.  Distributed in the peacesciencer R package (GPL-2).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pandas as pd

from signalfire.geo.countries import describe_failure
from signalfire.sources.base import Adapter, Batch
from signalfire.sources.context.cow_codes import resolve_cow_by_year
from signalfire.sources.context.long_form import melt
from signalfire.sources.tabular import open_records
from signalfire.sources.validate import Checker, require_columns

VERSION = "1.0"
SOURCE = "cow-nmc"
LICENCE = ("Correlates of War National Material Capabilities v6.0: free with citation. Singer, Bremer & Stuckey "
           "(1972); Greig & Enterline (2021), NMC codebook v6.0.")
MEASURES = ["milex", "milper", "irst", "pec", "tpop", "upop", "cinc"]


def _batch(path: Path, records: pd.DataFrame, rejects: pd.DataFrame, delim: str) -> Batch:
    chk = Checker(records, path, delim=delim)
    code = chk.number("ccode", required=True, whole=True, minimum=1)
    year = chk.number("year", required=True, whole=True, minimum=1800, maximum=2100)
    where = resolve_cow_by_year(code, year)
    chk.fail(where["country_iso3"].isna() & code.notna(), "ccode",
             chk.value("ccode").map(lambda v: describe_failure(v, "cow")))
    units = pd.DataFrame({"source": SOURCE, "country_iso3": where["country_iso3"],
                          "country_gw": where["country_gw"], "year": year})
    rows, quarantine = melt(chk, units, MEASURES, sentinels=(-9,))
    rejects_q = _expand(rejects)
    return Batch(rows, pd.concat([rejects_q, quarantine], ignore_index=True))


def _expand(rejects: pd.DataFrame) -> pd.DataFrame:
    """A line the reader could not split holds one record per measure too."""
    from signalfire.sources.context.long_form import line_quarantine
    return line_quarantine(rejects["record_ref"], rejects["raw"], rejects["reason"], MEASURES)


def read(path: Path) -> Iterator[Batch]:
    path = Path(path)
    names, chunks, delim = open_records(path)
    require_columns(path, names, ["ccode", "year", *MEASURES], "is this a COW National Material Capabilities file?")
    for records, rejects in chunks:
        batch = _batch(path, records, rejects, delim)
        batch.source_version = "6.0"
        yield batch


ADAPTER = Adapter(name="cow-nmc", source=SOURCE, table="country_year", version=VERSION,
                  formats="COW National Material Capabilities CSV (ccode, year, milex, milper, irst, pec, tpop, upop, "
                          "cinc)", read=read, licence=LICENCE)
