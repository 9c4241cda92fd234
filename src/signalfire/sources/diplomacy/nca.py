"""Nuclear Cooperation Agreements (Fuhrmann), 1951–2003, into ``dyad_year`` (long form).

Reads the dyadic CSV as the data4ds4da conversion publishes it (``ccode1``, ``ccode2`` (COW codes written
``2.0``), ``country1``, ``country2``, ``year``, ``nca`` (1), ``nca_type``: ``comprehensive power``,
``intangibles``, ``research``, ``safety``, ... with ``, restricted`` where the agreement restricts sensitive
technology).  One agreement = one row of source ``nca``: country a = ``ccode1`` (the supplier), b = ``ccode2``,
measure ``nca:<nca_type>``, value ``nca``.  A second agreement of the same type, dyad and year repeats the key
and is quarantined by the ingest, naming the one kept.  Countries are resolved from COW codes at the year.

Licence of the data: free academic use with citation (Fuhrmann 2009, "Spreading Temptation", IS 34(1)).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pandas as pd

from signalfire.geo.countries import describe_failure
from signalfire.sources.base import Adapter, Batch
from signalfire.sources.diplomacy.reference import resolve_cow
from signalfire.sources.validate import Checker, checked_records

VERSION = "1.0"
SOURCE = "nca"
LICENCE = "Nuclear Cooperation Agreements (Fuhrmann 2009): free academic use with citation"
REQUIRED = ["ccode1", "ccode2", "year", "nca", "nca_type"]


def _chunk(path: Path, records: pd.DataFrame, rejects: pd.DataFrame) -> Batch:
    if records.empty:
        return Batch(pd.DataFrame(columns=["record_ref"]), rejects)
    chk = Checker(records, path)
    year = chk.number("year", required=True, whole=True, minimum=1900, maximum=2100)
    when = pd.to_datetime(year.astype("string") + "-07-01", errors="coerce")
    sides = {}
    for col in ("ccode1", "ccode2"):
        code = chk.number(col, required=True, whole=True, minimum=1)
        sides[col] = resolve_cow(code, when)
        chk.fail(sides[col]["country_iso3"].isna() & code.notna(), col,
                 code.map(lambda v: describe_failure(v, "cow")))
    kind = chk.require("nca_type")
    rows = pd.DataFrame({
        "source": SOURCE,
        "country_a_iso3": sides["ccode1"]["country_iso3"], "country_a_gw": sides["ccode1"]["country_gw"],
        "country_b_iso3": sides["ccode2"]["country_iso3"], "country_b_gw": sides["ccode2"]["country_gw"],
        "year": year, "measure": "nca:" + kind.fillna(""),
        "value": chk.number("nca", required=True, minimum=0),
    }, index=records.index)
    good, quarantine = chk.split(rows)
    return Batch(good, pd.concat([rejects, quarantine], ignore_index=True))


def read(path: Path) -> Iterator[Batch]:
    path = Path(path)
    for records, rejects in checked_records(path, REQUIRED, "is this the Nuclear Cooperation Agreements dyadic file?", delim=","):
        yield _chunk(path, records, rejects)


ADAPTER = Adapter(name="nca", source=SOURCE, table="dyad_year", version=VERSION,
                  formats="Nuclear Cooperation Agreements dyadic CSV (ccode1, ccode2, year, nca, nca_type)",
                  read=read, licence=LICENCE)
