"""Column parsing with per-record reasons, shared by the adapters.

A :class:`Checker` wraps one chunk of string records.  Each ``int``/``float``/``date``/``choice`` call parses
a column, vectorised, and notes for each record that fails why (naming the column and the bad value).
``split()`` then returns the good rows and a quarantine frame whose reasons read like
``ged.csv, line 12, column best: not a whole number: 'abc'``.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd

from signalfire.sources.base import quarantine_frame

MISSING = {"", "NA", "N/A", "NaN", "nan", "NULL", "null", "None", "#N/A"}


class Checker:
    def __init__(self, records: pd.DataFrame, path: Path, raw: pd.Series | None = None, delim: str = ","):
        self.records = records
        self.path = Path(path)
        self.reasons = pd.Series("", index=records.index, dtype=object)
        self.first_column = pd.Series(None, index=records.index, dtype=object)
        content = records.drop(columns=["record_ref"], errors="ignore")
        self.raw = raw if raw is not None else content.astype(str).agg(delim.join, axis=1)

    # -- bookkeeping --------------------------------------------------------------------------------------------
    def fail(self, mask: pd.Series, column: str | None, message: str | pd.Series) -> None:
        mask = mask.fillna(False).astype(bool)
        if not mask.any():
            return
        text = message if isinstance(message, str) else message[mask]
        where = f"column {column}: " if column else ""
        addition = where + (text if isinstance(text, str) else text.astype(str))
        current = self.reasons[mask]
        self.reasons[mask] = np.where(current == "", addition, current + "; " + addition)
        self.first_column[mask & self.first_column.isna()] = column

    def value(self, column: str) -> pd.Series:
        if column not in self.records.columns:
            return pd.Series("", index=self.records.index, dtype=object)
        return self.records[column].astype(str).str.strip()

    @staticmethod
    def missing(values: pd.Series) -> pd.Series:
        return values.isin(MISSING)

    def _bad(self, values: pd.Series, parsed: pd.Series) -> pd.Series:
        return parsed.isna() & ~self.missing(values)

    # -- parsers ------------------------------------------------------------------------------------------------
    def require(self, column: str) -> pd.Series:
        values = self.value(column)
        self.fail(self.missing(values), column, "missing value")
        return values.where(~self.missing(values), None)

    def text(self, column: str, limit: int | None = None) -> pd.Series:
        values = self.value(column)
        out = values.where(~self.missing(values), None)
        if limit is not None:
            too_long = out.str.len() > limit
            self.fail(too_long, column, f"longer than {limit} characters")
        return out

    def number(self, column: str, required: bool = False, minimum: float | None = None,
               maximum: float | None = None, whole: bool = False, sentinels: tuple = ()) -> pd.Series:
        """Parse numbers (``12``, ``12.0``, ``1e3``); sentinel values (e.g. GTD's -99) become missing."""
        values = self.value(column)
        parsed = pd.to_numeric(values.where(~self.missing(values)), errors="coerce")
        parsed = parsed.where(~np.isinf(parsed))
        self.fail(self._bad(values, parsed), column, "not a number: " + values.map(repr))
        if sentinels:
            parsed = parsed.where(~parsed.isin(sentinels))
        if required:
            self.fail(self.missing(values), column, "missing value")
        if whole:
            frac = parsed.notna() & (parsed != np.floor(parsed.fillna(0)))
            self.fail(frac, column, "not a whole number: " + values.map(repr))
        if minimum is not None:
            self.fail(parsed < minimum, column, f"below {minimum:g}: " + values.map(repr))
        if maximum is not None:
            self.fail(parsed > maximum, column, f"above {maximum:g}: " + values.map(repr))
        if whole:
            big = parsed.abs() > 2**31 - 1
            self.fail(big, column, "out of range: " + values.map(repr))
            return parsed.where(~big).round().astype("Int64")
        return parsed

    def date(self, column: str, formats: list[str], required: bool = False) -> pd.Series:
        """Parse dates trying each ``strptime`` format in turn; a value no format reads is a failure."""
        values = self.value(column)
        parsed = pd.Series(pd.NaT, index=values.index, dtype="datetime64[ns]")
        for fmt in formats:
            todo = parsed.isna() & ~self.missing(values)
            if not todo.any():
                break
            parsed[todo] = pd.to_datetime(values[todo], format=fmt, errors="coerce")
        self.fail(self._bad(values, parsed), column, "not a date: " + values.map(repr))
        if required:
            self.fail(self.missing(values), column, "missing value")
        return parsed.dt.normalize()

    def choice(self, column: str, mapping: dict, required: bool = True) -> pd.Series:
        values = self.value(column)
        out = values.map(mapping)
        bad = out.isna() & ~self.missing(values)
        self.fail(bad, column, "unknown value: " + values.map(repr))
        if required:
            self.fail(self.missing(values), column, "missing value")
        return out

    # -- result -------------------------------------------------------------------------------------------------
    def split(self, rows: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
        """(good rows, quarantine frame) — ``rows`` is the canonical frame built from this chunk."""
        bad = self.reasons != ""
        refs = self.records["record_ref"].astype(str)
        quarantine = quarantine_frame(pd.DataFrame({
            "record_ref": refs[bad], "column_name": self.first_column[bad], "raw": self.raw[bad],
            "reason": self.path.name + ", " + refs[bad] + ", " + self.reasons[bad],
        }).to_dict("records"))
        good = rows.loc[~bad].copy()
        good["record_ref"] = refs[~bad]
        return good, quarantine


def version_from_name(path: Path) -> str | None:
    """A release like ``23.1`` from names such as ``ged_v23_1_…`` or ``GEDEvent_v23_1``."""
    match = re.search(r"v(\d{2})[._-](\d+)", Path(path).name, flags=re.IGNORECASE)
    return f"{match.group(1)}.{match.group(2)}" if match else None


def require_columns(path: Path, present: list[str], required: list[str], hint: str = "") -> None:
    from signalfire.sources.base import SourceError
    missing = [c for c in required if c not in present]
    if missing:
        raise SourceError(f"{Path(path).name}, line 1: missing required column(s) {', '.join(missing)}"
                          + (f"; {hint}" if hint else ""))
