"""UNHCR's tidy tables (the ``refugees`` data package: population, flows, asylum applications and decisions).

Each file has one line per year × country of origin × country of asylum (``coo_iso``, ``coa_iso``: ISO 3166
alpha-3, with UNHCR's ``UNK`` unknown, ``XXA`` stateless, ``TIB`` Tibetan) and one column per figure.  The figures
go to ``dyad_year`` (country_a = origin, country_b = asylum), one row per value, measure = the column's name.
The asylum tables have more than one line per origin × asylum × year — one per procedure type (G government, U
UNHCR, J joint), application type / decision level and whether cases or persons are counted (``app_pc``/
``dec_pc``: P persons, C cases) — so their measure carries those codes: ``applied.G.N.FI.P`` is
``applied`` for procedure G, application type N, decision level FI, counted in persons.

UNHCR's own codes (``coo``, ``coa``) and names are not stored: the ISO codes identify the countries.

Licence: UNHCR Refugee Data Finder, CC BY 4.0 (UNHCR's ``refugees`` R package).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from signalfire.sources.base import Adapter, Batch, SourceError
from signalfire.sources.delimited import read_records, sniff_delimiter
from signalfire.sources.migration.common import long_values, merge_batches, resolve_codes
from signalfire.sources.validate import Checker, require_columns

VERSION = "1.0"
LICENCE = "UNHCR Refugee Data Finder (refugees data package), CC BY 4.0: © UNHCR, the UN Refugee Agency."


@dataclass(frozen=True)
class Table:
    source: str
    measures: tuple[str, ...]          # value columns, stored under their own names
    dims: tuple[str, ...] = ()         # code columns appended to the measure name, in this order
    hint: str = ""


TABLES = {
    "population": Table("unhcr-population", ("refugees", "asylum_seekers", "returned_refugees", "idps",
                                             "returned_idps", "stateless", "ooc", "oip", "hst"),
                        hint="is this UNHCR's population table (refugees, asylum_seekers, idps, …)?"),
    "flows": Table("unhcr-flows", ("refugees", "asylum_seekers", "refugee_like", "oip"),
                   hint="is this UNHCR's flows table (newly displaced across borders per year)?"),
    "asylum_applications": Table("unhcr-asylum-applications", ("applied",),
                                 ("procedure_type", "app_type", "dec_level", "app_pc"),
                                 hint="is this UNHCR's asylum applications table?"),
    "asylum_decisions": Table("unhcr-asylum-decisions", ("dec_recognized", "dec_other", "dec_rejected",
                                                         "dec_closed", "dec_total"),
                              ("procedure_type", "dec_level", "dec_pc"),
                              hint="is this UNHCR's asylum decisions table?"),
}
KEY_COLUMNS = ["year", "coo_iso", "coa_iso"]


def dyad_keys(chk: Checker, source: str, year_col: str, origin_col: str, asylum_col: str) -> pd.DataFrame:
    year = chk.number(year_col, required=True, whole=True, minimum=1900, maximum=2100)
    origin = resolve_codes(chk, origin_col)
    asylum = resolve_codes(chk, asylum_col)
    return pd.DataFrame({"source": source, "country_a_iso3": origin["iso3"], "country_a_gw": origin["gw"],
                         "country_b_iso3": asylum["iso3"], "country_b_gw": asylum["gw"], "year": year},
                        index=chk.records.index)


def read_table(path: Path, table: Table) -> Iterator[Batch]:
    path = Path(path)
    delim = sniff_delimiter(path)
    checked = False
    for records, rejects in read_records(path, delim=delim):
        if not checked:
            present = [c for c in records.columns if c != "record_ref"]
            require_columns(path, present, KEY_COLUMNS + list(table.dims), table.hint)
            if not any(c in present for c in table.measures):
                raise SourceError(f"{path.name}, line 1: none of the value columns {', '.join(table.measures)}; "
                                  + table.hint)
            checked = True
        if records.empty:
            yield merge_batches(Batch(pd.DataFrame(columns=["record_ref"])), rejects)
            continue
        chk = Checker(records, path, delim=delim)
        keys = dyad_keys(chk, table.source, "year", "coo_iso", "coa_iso")
        suffix = None
        if table.dims:
            # the code columns are codes, 'NA' among them (UNHCR's "new applications" level), never missing values
            parts = [records[d].astype(str).str.strip() for d in table.dims]
            for d, values in zip(table.dims, parts):
                chk.fail(values == "", d, "missing value")
            suffix = "." + parts[0]
            for values in parts[1:]:
                suffix = suffix + "." + values
        measures = {c: c for c in table.measures}
        yield merge_batches(long_values(path, chk, keys, measures, suffix), rejects)


def adapter(kind: str, name: str, formats: str) -> Adapter:
    table = TABLES[kind]
    return Adapter(name=name, source=table.source, table="dyad_year", version=VERSION, formats=formats,
                   read=lambda path: read_table(path, table), licence=LICENCE)
