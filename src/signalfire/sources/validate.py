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

VALUE_SHOWN = 80  # characters of a bad value quoted in a quarantine reason (the raw record keeps it all)
TEXT_LIMIT = 50_000  # characters of one text value of an event, in every event adapter: longer is quarantined


def short_repr(value) -> str:
    """``repr`` of a bad value for a message, cut to VALUE_SHOWN characters."""
    text = str(value)
    return repr(text) if len(text) <= VALUE_SHOWN else repr(text[:VALUE_SHOWN]) + f"… ({len(text):,} characters)"


MISSING = {"", "NA", "N/A", "NaN", "nan", "NULL", "null", "None", "#N/A"}


class Checker:
    def __init__(self, records: pd.DataFrame, path: Path, raw: pd.Series | None = None, delim: str = ","):
        self.records = records
        self.path = Path(path)
        self.reasons = pd.Series("", index=records.index, dtype=object)
        self.first_column = pd.Series(None, index=records.index, dtype=object)
        self._raw = raw
        self._delim = delim
        self._values: dict[str, pd.Series] = {}

    @property
    def raw(self) -> pd.Series:
        """The raw text of each record (fields joined by the delimiter), built when first asked for."""
        if self._raw is None:
            self._raw = self._join(self.records.index)
        return self._raw

    @raw.setter
    def raw(self, value: pd.Series) -> None:
        self._raw = value

    def raw_at(self, index) -> pd.Series:
        """The raw text of the records at ``index`` only (joining every record's fields is the slow part of a
        large file's chunk, and only the quarantined ones need it)."""
        return self._raw.loc[index] if self._raw is not None else self._join(index)

    def _join(self, index) -> pd.Series:
        content = self.records.loc[index].drop(columns=["record_ref"], errors="ignore")
        if not len(content):
            return pd.Series([], index=index, dtype=object)
        return content.astype(str).agg(self._delim.join, axis=1)

    def _fail_values(self, mask: pd.Series, column: str, prefix: str, values: pd.Series) -> None:
        """``fail`` with a message ``prefix + repr(value)`` built only for the failing records."""
        self.fail_each(mask, column, values, lambda v: prefix + short_repr(v))

    def fail_each(self, mask: pd.Series, column: str, values: pd.Series, message) -> None:
        """``fail`` with ``message(value)`` called for the failing records' values only."""
        mask = mask.fillna(False).astype(bool)
        if mask.any():
            self.fail(mask, column, values[mask].map(message).reindex(values.index, fill_value=""))

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
        if column not in self._values:
            self._values[column] = _strip(self.records[column].astype(str))
        return self._values[column].copy()

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
        self._fail_values(self._bad(values, parsed), column, "not a number: ", values)
        if sentinels:
            parsed = parsed.where(~parsed.isin(sentinels))
        if required:
            self.fail(self.missing(values), column, "missing value")
        if whole:
            frac = parsed.notna() & (parsed != np.floor(parsed.fillna(0)))
            self._fail_values(frac, column, "not a whole number: ", values)
        if minimum is not None:
            self._fail_values(parsed < minimum, column, f"below {minimum:g}: ", values)
        if maximum is not None:
            self._fail_values(parsed > maximum, column, f"above {maximum:g}: ", values)
        if whole:
            big = parsed.abs() > 2**31 - 1
            self._fail_values(big, column, "out of range: ", values)
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
        self._fail_values(self._bad(values, parsed), column, "not a date: ", values)
        if required:
            self.fail(self.missing(values), column, "missing value")
        return parsed.dt.normalize()

    def choice(self, column: str, mapping: dict, required: bool = True) -> pd.Series:
        values = self.value(column)
        out = values.map(mapping)
        bad = out.isna() & ~self.missing(values)
        self._fail_values(bad, column, "unknown value: ", values)
        if required:
            self.fail(self.missing(values), column, "missing value")
        return out

    # -- result -------------------------------------------------------------------------------------------------
    def split(self, rows: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
        """(good rows, quarantine frame) — ``rows`` is the canonical frame built from this chunk."""
        bad = self.reasons != ""
        refs = self.records["record_ref"].astype(str)
        raw = self._raw[bad] if self._raw is not None else self._join(self.records.index[bad.to_numpy()])
        quarantine = quarantine_frame(pd.DataFrame({
            "record_ref": refs[bad], "column_name": self.first_column[bad], "raw": raw,
            "reason": self.path.name + ", " + refs[bad] + ", " + self.reasons[bad],
        }).to_dict("records"))
        good = rows.loc[~bad].copy() if bad.any() else rows.copy()
        good["record_ref"] = refs[~bad]
        return good, quarantine


# Strings that may carry whitespace str.strip() removes: anything starting or ending with a space, a control
# character (str.isspace() is true for \x1c-\x1f) or a non-ASCII character (Unicode spaces); the rest are left
# alone without a Python call per value.
_EDGE = r"^[\s\x00-\x20\x7f]|[\s\x00-\x20\x7f]$|^[^\x00-\x7f]|[^\x00-\x7f]$"


def _strip(values: pd.Series) -> pd.Series:
    """``values.str.strip()`` for a column of str, vectorised: only values that may need it go through Python."""
    if not len(values):
        return values.str.strip()
    try:
        import pyarrow as pa
        import pyarrow.compute as pc
        arr = pa.array(values.to_numpy(dtype=object), type=pa.string())
        edge = pc.match_substring_regex(arr, _EDGE).to_numpy(zero_copy_only=False)
    except Exception:  # noqa: BLE001 - anything unusual: the plain pandas way
        return values.str.strip()
    if not edge.any():
        return values
    out = values.copy()
    out[edge] = values[edge].str.strip()
    return out


def version_from_name(path: Path) -> str | None:
    """A release like ``23.1`` from names such as ``ged_v23_1_…`` or ``GEDEvent_v23_1``."""
    match = re.search(r"v(\d{2})[._-](\d+)", Path(path).name, flags=re.IGNORECASE)
    return f"{match.group(1)}.{match.group(2)}" if match else None


def checked_records(path: Path, required: list[str], hint: str, *, delim: str | None = None, **options):
    """``delimited.read_records`` (streamed ``(records, quarantine)`` chunks) with the required columns checked on
    the first chunk, so that a file that is not the format fails at once with a clear error naming what is missing.
    ``delim`` is sniffed when not given; ``options`` go to ``read_records`` (``names``, ``chunk_rows``, …)."""
    from signalfire.sources.delimited import read_records, sniff_delimiter
    path = Path(path)
    first = True
    for records, rejects in read_records(path, delim=delim or sniff_delimiter(path), **options):
        if first:
            require_columns(path, [c for c in records.columns if c != "record_ref"], required, hint)
            first = False
        yield records, rejects


def require_columns(path: Path, present: list[str], required: list[str], hint: str = "") -> None:
    from signalfire.sources.base import SourceError
    missing = [c for c in required if c not in present]
    if missing:
        raise SourceError(f"{Path(path).name}, line 1: missing required column(s) {', '.join(missing)}"
                          + (f"; {hint}" if hint else ""))
