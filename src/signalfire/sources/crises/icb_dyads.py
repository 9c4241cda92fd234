"""International Crisis Behavior dyadic data (``icbdy_v15.csv``) into ``crisis_dyads``.

One line per crisis dyad-year (``crdynum``): the crisis (``crisno``, ``crisname``), the two states (``statea`` /
``stateb`` COW codes, ``namea`` / ``nameb`` ICB codes, ``actnuma`` / ``actnumb`` their crisis-actor numbers, 9999
when the state is not a crisis actor that year), the dyad's start and end dates (``trgyrdy/trgmody/trgdady``,
``trmyrdy/trmmody/trmdady``; days 66/77/88 read to the month) and whether it is still going on (``ongoing``).
A line that cannot be read is quarantined with file, line and column.

Licence: ICB, free with citation (no formal licence).  Cite Hewitt (2003), Dyadic Processes in International
Crises, and the ICB project.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pandas as pd

from signalfire.sources.base import Adapter, Batch
from signalfire.sources.context.cow_codes import resolve_cow_by_year
from signalfire.sources.crises.partial_dates import before, ymd
from signalfire.sources.tabular import check_records, open_records
from signalfire.sources.validate import Checker, require_columns

VERSION = "1.0"
LICENCE = ("International Crisis Behavior (ICB) Project, dyadic data v15: free with citation (no formal licence). "
           "Hewitt (2003), Dyadic processes in international crises, JCR 47(5).")
REQUIRED = ["crisno", "year", "crisname", "statea", "namea", "actnuma", "stateb", "nameb", "actnumb", "trgyrdy",
            "trgmody", "trgdady", "trmyrdy", "trmmody", "trmdady", "ongoing", "crdynum"]


def _canonical(chk: Checker) -> pd.DataFrame:
    year = chk.number("year", required=True, whole=True, minimum=1800, maximum=2100)
    start, start_prec = ymd(chk, "trgyrdy", "trgmody", "trgdady")
    end, end_prec = ymd(chk, "trmyrdy", "trmmody", "trmdady", required=False)
    chk.fail(before(end, end_prec, start, start_prec), "trmyrdy", "the dyad ends before it begins")
    a = chk.number("statea", required=True, whole=True, minimum=1)
    b = chk.number("stateb", required=True, whole=True, minimum=1)
    ongoing = chk.number("ongoing", whole=True, minimum=0, maximum=1)
    return pd.DataFrame({
        "dyad_no": chk.number("crdynum", required=True, whole=True, minimum=1),
        "crisis_no": chk.number("crisno", required=True, whole=True, minimum=1), "year": year,
        "crisis_name": chk.require("crisname"),
        "state_a_cow": a, "state_a_code": chk.text("namea"), "state_a_iso3": resolve_cow_by_year(a, year)["country_iso3"],
        "state_a_actor_no": chk.number("actnuma", whole=True),
        "state_b_cow": b, "state_b_code": chk.text("nameb"), "state_b_iso3": resolve_cow_by_year(b, year)["country_iso3"],
        "state_b_actor_no": chk.number("actnumb", whole=True),
        "start_date": start, "start_precision": start_prec, "end_date": end, "end_precision": end_prec,
        "ongoing": (ongoing == 1).astype("boolean").where(ongoing.notna()),
    })


def read(path: Path) -> Iterator[Batch]:
    path = Path(path)
    names, chunks, delim = open_records(path)
    require_columns(path, names, REQUIRED, "is this the ICB dyadic file (icbdy_v15.csv)?")
    for records, rejects in chunks:
        good, quarantine = check_records(Checker(records, path, delim=delim), _canonical, delim)
        yield Batch(good, pd.concat([rejects, quarantine], ignore_index=True), source_version="15")


ADAPTER = Adapter(name="icb-dyads", source="icb", table="crisis_dyads", version=VERSION,
                  formats="ICB dyadic CSV (icbdy, v15 layout: crisno, year, statea, stateb, … crdynum)",
                  read=read, licence=LICENCE)
