"""Wide country-year or dyad-year files (one line per unit, one column per measure) as long rows: one record per
value, so a bad value is quarantined alone and a line whose unit cannot be read quarantines each of its values."""

from __future__ import annotations

import numpy as np
import pandas as pd

from signalfire.sources.base import quarantine_frame
from signalfire.sources.validate import Checker, short_repr


def line_quarantine(refs: pd.Series, raws: pd.Series, reasons: pd.Series, measures: list[str]) -> pd.DataFrame:
    """One quarantine record per value of each unreadable line."""
    if refs.empty:
        return quarantine_frame()
    base = pd.DataFrame({"record_ref": refs.to_numpy(), "raw": raws.to_numpy(), "why": reasons.to_numpy()})
    out = base.loc[base.index.repeat(len(measures))].reset_index(drop=True)
    out["column_name"] = np.tile(measures, len(base))
    out["reason"] = out["why"] + " (value " + out["column_name"] + " not loaded)"
    return quarantine_frame(out[["record_ref", "column_name", "raw", "reason"]].to_dict("records"))


def melt(chk: Checker, units: pd.DataFrame, measures: list[str], sentinels: tuple = ()) -> tuple[pd.DataFrame,
                                                                                                  pd.DataFrame]:
    """(long rows, quarantine) for the records of ``chk`` whose unit columns (``units``, same index) were read:
    lines ``chk`` has failed are quarantined value by value; the others give one row per measure value with the
    unit columns, ``measure``, ``value`` (NULL for an empty cell or a sentinel) and ``record_ref``."""
    records, path = chk.records, chk.path
    refs = records["record_ref"].astype(str)
    bad_line = chk.reasons != ""
    lines_q = line_quarantine(refs[bad_line], chk.raw_at(records.index[bad_line.to_numpy()]),
                              path.name + ", " + refs[bad_line] + ", " + chk.reasons[bad_line], measures)
    good = records.loc[~bad_line]
    if good.empty:
        return pd.DataFrame(columns=[*units.columns, "measure", "value", "record_ref"]), lines_q
    values = good[measures].apply(lambda col: col.astype(str).str.strip())
    long = values.stack().rename("text").reset_index(level=1).rename(columns={"level_1": "measure"})
    missing = Checker.missing(long["text"])
    parsed = pd.to_numeric(long["text"].where(~missing), errors="coerce")
    parsed = parsed.where(~np.isinf(parsed))
    garbage = parsed.isna() & ~missing
    if sentinels:
        parsed = parsed.where(~parsed.isin(sentinels))
    bad = long[garbage]
    cells_q = quarantine_frame(pd.DataFrame({
        "record_ref": refs.loc[bad.index].to_numpy(), "column_name": bad["measure"].to_numpy(),
        "raw": chk.raw_at(bad.index).to_numpy(),
        "reason": (path.name + ", " + refs.loc[bad.index] + ", column " + bad["measure"].to_numpy()
                   + ": not a number: " + bad["text"].map(short_repr).to_numpy()).to_numpy(),
    }).to_dict("records"))
    ok = long[~garbage]
    rows = units.loc[ok.index].reset_index(drop=True)
    rows["measure"] = ok["measure"].to_numpy()
    rows["value"] = parsed[~garbage].to_numpy(dtype=float)
    rows["record_ref"] = refs.loc[ok.index].to_numpy()
    return rows, pd.concat([lines_q, cells_q], ignore_index=True)
