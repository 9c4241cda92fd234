"""IDMC internal displacements (new displacements per country, year and cause), into ``country_year``.

The tidy re-publication (IOM's ``gdidata`` package, ``idmc_flows``) of IDMC's Global Internal Displacement
Database: ``geo`` (ISO 3166 alpha-3; IDMC's ``AB9`` Abyei Area kept under its code), ``t`` (year), ``cause``
(``conflict`` or the disaster type: flood, storm, earthquake, …) and ``n`` (internal displacements: movements,
not people, in the year).  Stored as measure ``new_displacements_<cause>`` (spaces as ``_``).

Licence: IDMC data, CC BY-NC 4.0 per IDMC's terms (attribution, non-commercial); the project ships none.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pandas as pd

from signalfire.sources.base import Adapter, Batch
from signalfire.sources.migration.common import read_tidy, resolve_codes
from signalfire.sources.validate import Checker

VERSION = "1.0"
SOURCE = "idmc"
LICENCE = "Internal Displacement Monitoring Centre (IDMC), Global Internal Displacement Database; attribution."
COLUMNS = ["geo", "t", "cause", "n"]


def canonical(chk: Checker) -> pd.DataFrame:
    where = resolve_codes(chk, "geo")
    cause = chk.require("cause")
    measure = "new_displacements_" + cause.fillna("").str.lower().str.replace(r"[^a-z0-9]+", "_", regex=True)
    return pd.DataFrame({"source": SOURCE, "country_iso3": where["iso3"], "country_gw": where["gw"],
                         "year": chk.number("t", required=True, whole=True, minimum=1900, maximum=2100),
                         "measure": measure, "value": chk.number("n", required=True, minimum=0)},
                        index=chk.records.index)


def read(path: Path) -> Iterator[Batch]:
    return read_tidy(path, COLUMNS, "is this IDMC's displacement table "
                            "(geo, t, cause, n)?", canonical)


ADAPTER = Adapter(name="idmc", source=SOURCE, table="country_year", version=VERSION,
                  formats="IDMC internal displacements per country, year and cause (tidy CSV: geo, t, cause, n)",
                  read=read, licence=LICENCE)
