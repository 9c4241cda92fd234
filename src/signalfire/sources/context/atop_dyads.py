"""ATOP alliance obligations, directed dyad-year (``atop_alliance_dyad_year.csv.gz``) into ``dyad_year``.

The file (ATOP v5 as the peacesciencer package distributes it) has one line per directed dyad-year in which the
two states share at least one alliance: ``ccode1``, ``ccode2`` (COW codes; each pair appears in both directions),
``year`` and five 0/1 columns, whether an alliance obliges ``ccode1`` to ``ccode2`` by: ``atop_defense``
(defence), ``atop_offense`` (offence), ``atop_neutral`` (neutrality), ``atop_nonagg`` (non-aggression),
``atop_consul`` (consultation).  Each becomes a measure of source ``atop`` (country a = ``ccode1``).

Accounting: a record is one value (line × obligation).  A value other than 0/1 is quarantined alone; a line whose
codes or year cannot be read or do not resolve to countries (as of 1 July of the year) quarantines its five
values with the reason.

Licence: ATOP v5.0, free with citation: Leeds, Ritter, Mitchell & Long (2002), Alliance Treaty Obligations and
Provisions, 1815–1944, International Interactions 28.  Distributed in the peacesciencer R package (GPL-2).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pandas as pd

from signalfire.geo.countries import describe_failure
from signalfire.sources.base import Adapter, Batch
from signalfire.sources.context.cow_codes import resolve_cow_by_year
from signalfire.sources.context.long_form import line_quarantine, melt
from signalfire.sources.tabular import open_records
from signalfire.sources.validate import Checker, require_columns

VERSION = "1.0"
SOURCE = "atop"
LICENCE = ("ATOP v5.0 (Alliance Treaty Obligations and Provisions): free with citation. Leeds, Ritter, Mitchell & "
           "Long (2002), International Interactions 28.")
MEASURES = ["atop_defense", "atop_offense", "atop_neutral", "atop_nonagg", "atop_consul"]


def _batch(path: Path, records: pd.DataFrame, rejects: pd.DataFrame, delim: str) -> Batch:
    chk = Checker(records, path, delim=delim)
    a = chk.number("ccode1", required=True, whole=True, minimum=1)
    b = chk.number("ccode2", required=True, whole=True, minimum=1)
    year = chk.number("year", required=True, whole=True, minimum=1800, maximum=2100)
    where_a, where_b = resolve_cow_by_year(a, year), resolve_cow_by_year(b, year)
    for column, code, where in (("ccode1", a, where_a), ("ccode2", b, where_b)):
        chk.fail_each(where["country_iso3"].isna() & code.notna(), column, chk.value(column),
                      lambda v: describe_failure(v, "cow"))
    for measure in MEASURES:
        value = pd.to_numeric(chk.value(measure), errors="coerce")
        chk._fail_values(value.notna() & ~value.isin([0, 1]), measure, "not 0 or 1: ", chk.value(measure))
    units = pd.DataFrame({"source": SOURCE, "country_a_iso3": where_a["country_iso3"],
                          "country_a_gw": where_a["country_gw"], "country_b_iso3": where_b["country_iso3"],
                          "country_b_gw": where_b["country_gw"], "year": year})
    rows, quarantine = melt(chk, units, MEASURES)
    rejects_q = line_quarantine(rejects["record_ref"], rejects["raw"], rejects["reason"], MEASURES)
    return Batch(rows, pd.concat([rejects_q, quarantine], ignore_index=True))


def read(path: Path) -> Iterator[Batch]:
    path = Path(path)
    names, chunks, delim = open_records(path)
    require_columns(path, names, ["ccode1", "ccode2", "year", *MEASURES],
                    "is this ATOP's dyad-year alliance file (atop_alliance_dyad_year)?")
    for records, rejects in chunks:
        batch = _batch(path, records, rejects, delim)
        batch.source_version = "5.0"
        yield batch


ADAPTER = Adapter(name="atop-dyads", source=SOURCE, table="dyad_year", version=VERSION,
                  formats="ATOP directed dyad-year CSV (ccode1, ccode2, year, atop_defense, atop_offense, "
                          "atop_neutral, atop_nonagg, atop_consul; .csv or .csv.gz)", read=read, licence=LICENCE)
