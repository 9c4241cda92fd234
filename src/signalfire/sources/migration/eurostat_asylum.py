"""Eurostat first-time asylum applicants by destination, citizenship, sex and year, into ``dyad_year``.

The tidy re-publication (IOM's ``gdidata`` package, ``eu_asyapp``) of Eurostat's ``migr_asyappctza``: ``geo``
(destination, ISO 3166 alpha-3; ``EU27`` the Union's total), ``t`` (year), ``nat`` (citizenship, alpha-3;
``STL`` stateless, ``OOO`` unknown), ``sex`` (female, male, unknown) and ``n`` (applicants).  Stored with
country_a = citizenship, country_b = destination, measure ``applicants_<sex>``.

Licence: Eurostat, CC BY 4.0 (reuse with acknowledgement of the source).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pandas as pd

from signalfire.sources.base import Adapter, Batch
from signalfire.sources.migration.common import read_tidy, resolve_codes
from signalfire.sources.validate import Checker

VERSION = "1.0"
SOURCE = "eurostat-asylum"
LICENCE = "Eurostat, Asylum applicants (migr_asyappctza), CC BY 4.0: © European Union."
COLUMNS = ["geo", "t", "nat", "sex", "n"]
SEX = {"female": "female", "male": "male", "unknown": "unknown", "total": "total", "F": "female", "M": "male",
       "UNK": "unknown", "T": "total"}


def canonical(chk: Checker) -> pd.DataFrame:
    origin = resolve_codes(chk, "nat")
    destination = resolve_codes(chk, "geo")
    sex = chk.choice("sex", SEX)
    return pd.DataFrame({"source": SOURCE, "country_a_iso3": origin["iso3"], "country_a_gw": origin["gw"],
                         "country_b_iso3": destination["iso3"], "country_b_gw": destination["gw"],
                         "year": chk.number("t", required=True, whole=True, minimum=1900, maximum=2100),
                         "measure": "applicants_" + sex.fillna(""),
                         "value": chk.number("n", required=True, minimum=0)}, index=chk.records.index)


def read(path: Path) -> Iterator[Batch]:
    return read_tidy(path, COLUMNS, "is this Eurostat's asylum applicants table "
                            "(geo, t, nat, sex, n)?", canonical)


ADAPTER = Adapter(name="eurostat-asylum", source=SOURCE, table="dyad_year", version=VERSION,
                  formats="Eurostat asylum applicants by destination, citizenship, sex and year (tidy CSV: geo, t, "
                          "nat, sex, n)", read=read, licence=LICENCE)
