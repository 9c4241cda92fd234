"""UCDP Country-Year Dataset on Organized Violence within Country Borders, into ``country_year`` (long form).

Reads the CSV as UCDP publishes it (``organizedviolencecy_v25_1.csv``: 74 columns, one line per country-year,
``country_id_cy`` a Gleditsch–Ward code, ``year_cy``).  Every numeric column becomes a measure named as the
column without its ``_cy`` suffix: one row per (source ``ucdp-cy``, country, year, measure).  In v25.1 these
are, per violence type (``sb`` state-based, ``sb_intrastate``, ``sb_interstate``, ``ns`` non-state, ``os``
one-sided): ``*_exist``, ``*_dyad_count``, deaths of parties / civilians / unknown, best / high / low totals,
``*_main_govt_inv_incomp`` (government involvement), the one-sided killing measures by perpetrator
(``os_main_govt_*``, ``os_any_govt_*``, ``os_nsgroup_*``, ``os_killings_unknown``) and the
``cumulative_total_deaths_*_in_orgvio`` totals — 58 measures.  Any other column not listed below is read as a
measure too, so nothing in a new release is ignored silently.

Not stored (text): ``country_cy``, ``region_cy``, ``main_govt_name_cy`` (the country is the key), ``version``
(the release, kept as the run's source version), and the list-valued ``*_dyad_ids_cy`` / ``*_dyad_names_cy``
columns (``"724; 726"``, ``NO_DYAD``), which are not numbers; the dyad counts are kept.

Accounting: a record here is one *value* (line × measure), so ``read`` = lines × measure columns.  A value that
is not a number is quarantined alone (its line and column named); a line whose country or year cannot be read,
or that is structurally broken, quarantines each of its values with the line's reason.  Empty cells are stored
as NULL values.

Licence of the data: UCDP, CC BY 4.0 — cite Davies, Engström, Pettersson & Öberg (2025), JPR 62(4).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pandas as pd

from signalfire.geo.countries import describe_failure
from signalfire.sources.base import Adapter, Batch, SourceError, quarantine_frame
from signalfire.sources.delimited import read_records, sniff_delimiter
from signalfire.sources.ucdp.ucdp_acd import resolve_gw_by_year
from signalfire.sources.validate import Checker, require_columns, short_repr, version_from_name

VERSION = "1.0"
SOURCE = "ucdp-cy"
LICENCE = ("UCDP Country-Year Dataset on Organized Violence within Country Borders, CC BY 4.0. Davies, "
           "Engström, Pettersson & Öberg (2025) Organized violence 1989–2024, JPR 62(4).")
KEY = ["country_id_cy", "year_cy"]
TEXT = {"country_cy", "region_cy", "main_govt_name_cy", "version"}
LIST_VALUED = re.compile(r"_dyad_(ids|names)_cy$")


def measure_columns(columns: list[str]) -> list[str]:
    return [c for c in columns if c != "record_ref" and c not in KEY and c not in TEXT
            and not LIST_VALUED.search(c)]


def measure_name(column: str) -> str:
    return re.sub(r"_cy$", "", column)


def _line_quarantine(refs: pd.Series, raws: pd.Series, reasons: pd.Series, columns: pd.Series | None,
                     measures: list[str]) -> pd.DataFrame:
    """One quarantine record per value of each unreadable line."""
    if refs.empty:
        return quarantine_frame()
    base = pd.DataFrame({"record_ref": refs.to_numpy(), "raw": raws.to_numpy(), "why": reasons.to_numpy(),
                         "first": columns.to_numpy() if columns is not None else None})
    out = base.loc[base.index.repeat(len(measures))].reset_index(drop=True)
    out["column_name"] = np.tile(measures, len(base))
    out["reason"] = out["why"] + " (value " + out["column_name"] + " not loaded)"
    return quarantine_frame(out[["record_ref", "column_name", "raw", "reason"]].to_dict("records"))


def _chunk(path: Path, records: pd.DataFrame, rejects: pd.DataFrame, measures: list[str], delim: str) -> Batch:
    rejects_q = _line_quarantine(rejects["record_ref"], rejects["raw"], rejects["reason"], None, measures)
    if records.empty:
        return Batch(pd.DataFrame(columns=["record_ref"]), rejects_q)
    chk = Checker(records, path, delim=delim)
    gw = chk.number("country_id_cy", required=True, whole=True, minimum=0)
    year = chk.number("year_cy", required=True, whole=True, minimum=1800, maximum=2100)
    where = resolve_gw_by_year(gw, year)
    unresolved = where["country_iso3"].isna() & gw.notna()
    chk.fail_each(unresolved, "country_id_cy", chk.value("country_id_cy"), lambda v: describe_failure(v, "gw"))
    bad_line = chk.reasons != ""
    refs = records["record_ref"].astype(str)
    lines_q = _line_quarantine(refs[bad_line], chk.raw_at(records.index[bad_line.to_numpy()]),
                               path.name + ", " + refs[bad_line] + ", " + chk.reasons[bad_line], None, measures)
    good = records.loc[~bad_line]
    if good.empty or not measures:
        return Batch(pd.DataFrame(columns=["record_ref"]), pd.concat([rejects_q, lines_q], ignore_index=True))
    values = good[measures].apply(lambda col: col.astype(str).str.strip())
    long = values.stack().rename("text").reset_index(level=1).rename(columns={"level_1": "column"})
    missing = Checker.missing(long["text"])
    parsed = pd.to_numeric(long["text"].where(~missing), errors="coerce")
    parsed = parsed.where(~np.isinf(parsed))
    garbage = parsed.isna() & ~missing
    bad_cells = long[garbage]
    cells_q = quarantine_frame(pd.DataFrame({
        "record_ref": refs.loc[bad_cells.index].to_numpy(), "column_name": bad_cells["column"].to_numpy(),
        "raw": chk.raw_at(bad_cells.index).to_numpy(),
        "reason": (path.name + ", " + refs.loc[bad_cells.index] + ", column " + bad_cells["column"].to_numpy()
                   + ": not a number: " + bad_cells["text"].map(short_repr).to_numpy()).to_numpy(),
    }).to_dict("records"))
    ok = long[~garbage]
    idx = ok.index
    rows = pd.DataFrame({
        "source": SOURCE,
        "country_iso3": where["country_iso3"].loc[idx].to_numpy(),
        "country_gw": where["country_gw"].loc[idx].to_numpy(),
        "year": year.loc[idx].to_numpy(),
        "measure": ok["column"].map({c: measure_name(c) for c in measures}).to_numpy(),
        "value": parsed[~garbage].to_numpy(dtype=float),
        "record_ref": refs.loc[idx].to_numpy(),
    })
    quarantine = pd.concat([rejects_q, lines_q, cells_q], ignore_index=True)
    return Batch(rows, quarantine)


def read(path: Path) -> Iterator[Batch]:
    path = Path(path)
    delim = sniff_delimiter(path)
    version = version_from_name(path)
    measures = None
    for records, rejects in read_records(path, delim=delim):
        if measures is None:
            present = [c for c in records.columns if c != "record_ref"]
            require_columns(path, present, KEY, "is this a UCDP Country-Year Dataset on Organized Violence file?")
            measures = measure_columns(present)
            if not any(c.endswith("_deaths_best_cy") for c in measures):
                raise SourceError(f"{path.name}, line 1: no death-count columns (e.g. sb_total_deaths_best_cy); "
                                  "is this a UCDP Country-Year Dataset on Organized Violence file?")
        if version is None and "version" in records.columns and len(records):
            version = records["version"].mode().iloc[0] or None
        batch = _chunk(path, records, rejects, measures, delim)
        batch.source_version = version
        yield batch


ADAPTER = Adapter(name="ucdp-cy", source=SOURCE, table="country_year", version=VERSION,
                  formats="UCDP Country-Year Dataset on Organized Violence CSV (v25.1 layout, 74 columns)",
                  read=read, licence=LICENCE)
