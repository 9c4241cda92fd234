"""What the missions adapters share: country names the reference table lacks, personnel types, wide-to-long.

Several producers publish one line per (mission or contributor) and month with a column per personnel type.  Those
adapters store one row per non-empty value (:func:`long_values`), so a *record* is one non-empty value: ``read``
counts the non-empty value cells (empty cells mean "none reported" and are not records; counts of people must be whole
numbers, interpolated or authorised strengths may have fractions); a line that cannot be
read at all (bad date, unknown country) quarantines each of its values with the line's reason, or one record when
it has none.  A value that is not a count (not a number, negative) is quarantined alone, naming line and column.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from signalfire.geo.countries import describe_failure, resolve_series
from signalfire.sources.base import quarantine_frame
from signalfire.sources.validate import Checker, short_repr

# Producers' spellings the shipped alias table does not hold (checked against the files in this stream).
NAME_ALIASES = {
    "the former yugoslav republic of macedonia": "MKD",
    "germany federal republic of": "DEU",
    "occupied palestinian territory": "PSE",
    "britain": "GBR",
    "drc": "COD",
    "korea": "KOR",            # Geo-PKO: the Republic of Korea's contingents (UNIFIL, UNMISS)
    "korea rok": "KOR",
}

# Canonical personnel types (mission_contributions.personnel_type)
PERSONNEL_TYPES = ("troops", "staff_officers", "experts", "individual_police", "formed_police", "police")
LABELS = {"troops": "Troops", "staff_officers": "Staff officers", "experts": "Experts on mission / observers",
          "individual_police": "Individual police", "formed_police": "Formed police units",
          "police": "Police (not split)"}


def resolve_names(values: pd.Series, when: pd.Series | None = None) -> pd.DataFrame:
    """Country names to ISO3/GW; the aliases above first, then the shared reference (by date when given)."""
    from signalfire.geo.countries import norm
    frame = resolve_series(values, "name", when)
    unresolved = frame["country_iso3"].isna() & values.notna()      # the aliases are looked up for these only
    alias = values[unresolved].astype(str).map(lambda v: NAME_ALIASES.get(norm(v))).reindex(values.index)
    fill = unresolved & alias.notna()
    if fill.any():
        codes = resolve_series(alias[fill], "iso3")
        frame.loc[fill, "country_iso3"] = codes["country_iso3"]
        frame.loc[fill, "country_gw"] = codes["country_gw"]
    return frame


def fail_unresolved(chk: Checker, column: str, names: pd.Series, resolved: pd.DataFrame) -> None:
    bad = resolved["country_iso3"].isna() & names.notna()
    chk.fail_each(bad, column, names, lambda v: describe_failure(v, "name"))


def month_parts(dates: pd.Series) -> tuple[pd.Series, pd.Series]:
    return dates.dt.year.astype("Int64"), dates.dt.month.astype("Int64")


def long_values(path: Path, records: pd.DataFrame, chk: Checker, base: pd.DataFrame, columns: dict[str, str],
                measure: str, value: str, rejects: pd.DataFrame | None = None,
                whole: bool = True) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Melt ``columns`` (file column -> measure name) of the good lines into rows of ``base`` + measure + value.

    ``base`` holds the per-line canonical columns (same index as ``records``); lines with a reason in ``chk`` are
    quarantined value by value.  Returns (rows with record_ref, quarantine).
    """
    refs = records["record_ref"].astype(str)
    texts = pd.DataFrame({c: chk.value(c) for c in columns}, index=records.index)
    present = ~texts.apply(Checker.missing)
    bad_line = chk.reasons != ""
    pieces = []
    if rejects is not None and len(rejects):
        pieces.append(rejects)
    if bad_line.any():
        counts = present[bad_line].sum(axis=1).clip(lower=1)
        idx = counts.index.repeat(counts.to_numpy())
        pieces.append(quarantine_frame(pd.DataFrame({
            "record_ref": refs.loc[idx].to_numpy(), "column_name": chk.first_column.loc[idx].to_numpy(),
            "raw": chk.raw_at(idx).to_numpy(),
            "reason": (path.name + ", " + refs.loc[idx] + ", " + chk.reasons.loc[idx]).to_numpy(),
        }).to_dict("records")))
    good = texts[~bad_line]
    long = good.where(present[~bad_line]).stack().rename("text").reset_index(level=1)
    long = long.rename(columns={long.columns[0]: "column"})
    parsed = pd.to_numeric(long["text"], errors="coerce")
    parsed = parsed.where(~np.isinf(parsed))
    problem = pd.Series("", index=long.index, dtype=object)
    problem[parsed.isna()] = "not a number: "
    problem[parsed.notna() & (parsed < 0)] = "negative count: "
    if whole:
        problem[parsed.notna() & (parsed != np.floor(parsed.fillna(0)))] = "not a whole number: "
    garbage = problem != ""
    if garbage.any():
        bad = long[garbage]
        pieces.append(quarantine_frame(pd.DataFrame({
            "record_ref": refs.loc[bad.index].to_numpy(), "column_name": bad["column"].to_numpy(),
            "raw": chk.raw_at(bad.index).to_numpy(),
            "reason": (path.name + ", " + refs.loc[bad.index] + ", column " + bad["column"] + ": "
                       + problem[garbage] + bad["text"].map(short_repr)).to_numpy(),
        }).to_dict("records")))
    ok = long[~garbage]
    rows = base.loc[ok.index].reset_index(drop=True)
    rows[measure] = ok["column"].map(columns).to_numpy()
    rows[value] = parsed[~garbage].to_numpy(dtype=float)
    rows["record_ref"] = refs.loc[ok.index].to_numpy()
    quarantine = pd.concat(pieces, ignore_index=True) if pieces else quarantine_frame()
    return rows, quarantine
