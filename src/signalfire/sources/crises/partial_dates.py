"""Dates published as separate year, month and day columns (ICB), where the day (or month) may be missing.

ICB codes a day it does not know exactly as 66, 77 or 88 (and 99): such a date is read to the month."""

from __future__ import annotations

import numpy as np
import pandas as pd

from signalfire.sources.validate import Checker

INEXACT_DAYS = (66, 77, 88, 99)


def ymd(chk: Checker, year: str, month: str, day: str, required: bool = True) -> tuple[pd.Series, pd.Series]:
    """(date, precision) from three columns: a missing day gives the first of the month with precision
    ``month``; a missing month the first of the year (``year``).  Impossible dates fail on the day column."""
    y = chk.number(year, required=required, whole=True, minimum=1800, maximum=2100)
    m = chk.number(month, whole=True, minimum=1, maximum=12)
    d = chk.number(day, whole=True, minimum=1, maximum=99)
    d = d.where(~d.isin(INEXACT_DAYS))
    precision = pd.Series("day", index=y.index, dtype=object)
    precision[d.isna()] = "month"
    precision[m.isna()] = "year"
    precision[y.isna()] = None
    text = (y.astype("string") + "-" + m.fillna(1).astype("string").str.zfill(2) + "-"
            + d.fillna(1).astype("string").str.zfill(2))
    dates = pd.to_datetime(text, format="%Y-%m-%d", errors="coerce")
    impossible = dates.isna() & y.notna() & m.notna()
    chk.fail(impossible, day, "no such date: " + text.fillna("").astype(str))
    return dates, precision


def before(later: pd.Series, later_precision: pd.Series, earlier: pd.Series, earlier_precision: pd.Series) -> pd.Series:
    """Whether ``later`` is certainly before ``earlier``, compared at the coarser of the two precisions."""
    coarse = pd.Series("day", index=later.index, dtype=object)
    for level in ("month", "year"):
        coarse[(later_precision == level) | (earlier_precision == level)] = level
    out = pd.Series(False, index=later.index)
    for level, freq in (("day", "D"), ("month", "M"), ("year", "Y")):
        pick = (coarse == level) & later.notna() & earlier.notna()
        if pick.any():
            out[pick] = np.asarray(later[pick].dt.to_period(freq) < earlier[pick].dt.to_period(freq), dtype=bool)
    return out
