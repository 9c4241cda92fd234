"""What the migration adapters share: country codes with the producers' non-country codes, wide → long values.

**Codes that are not countries.**  UNHCR, Frontex, Eurostat and IDMC publish figures for groups that are not a
country: ``UNK`` (unknown origin), ``XXA`` and ``STL`` (stateless), ``TIB`` (Tibetan), ``OOO``/``OOS`` (Frontex's
other or unspecified nationalities), ``EU27`` (Eurostat's EU total), ``AB9`` (Abyei Area, IDMC).  Dropping them
would lose real people from every total, so they are kept under the producer's code with no GW code
(:data:`NON_COUNTRIES`; UNHCR's own ``UKN``/``STA``, which its flows table has in a few ISO cells, are stored as
``UNK``/``XXA``); any other code that does not resolve to an ISO 3166 country is quarantined.

**Values.**  The files are wide: one line per origin × asylum × year with a column per population type.  They are
stored long (one row per value), so a *record* here is one reported value.  An empty cell, or UNHCR's ``-``, is
not a reported value (UNHCR: no data for that cell) and is not stored or counted; a value that is not a
non-negative number is quarantined alone, naming its line and column.  A line whose keys cannot be read
quarantines each of its values with the line's reason (one record when it has none); a line the CSV reader cannot
split is one quarantined record.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pandas as pd

from signalfire.geo.countries import describe_failure, resolve_series
from signalfire.sources.base import Batch, quarantine_frame
from signalfire.sources.delimited import sniff_delimiter
from signalfire.sources.validate import MISSING, Checker, checked_records, short_repr

NON_COUNTRIES = {
    "UNK": "Unknown", "XXA": "Stateless", "STL": "Stateless", "TIB": "Tibetan",
    "OOO": "Other or not specified (Frontex)", "OOS": "Other or not specified (Frontex)",
    "EU27": "European Union (27 countries, Eurostat total)", "EU27_2020": "European Union (27 countries)",
    "AB9": "Abyei Area",
}
# UNHCR's own codes where its ISO column should carry the ISO-side code (the flows table has a few)
SAME_AS = {"UKN": "UNK", "STA": "XXA"}
NOT_A_VALUE = {"-"} | MISSING   # empty, NA, … and UNHCR's "-"


def resolve_codes(chk: Checker, column: str, scheme: str = "iso3") -> pd.DataFrame:
    """(iso3, gw) for a column of codes; the producers' non-country codes are kept as they are, gw NULL."""
    values = chk.value(column)
    distinct = pd.Series(values.unique())
    upper = distinct.str.upper().replace(SAME_AS)
    found = resolve_series(upper, scheme)
    iso3 = found["country_iso3"].astype(object).where(found["country_iso3"].notna(),
                                                      upper.where(upper.isin(NON_COUNTRIES.keys())))
    lookup = pd.DataFrame({"iso3": iso3.to_numpy(), "gw": found["country_gw"].to_numpy()}, index=distinct.to_numpy())
    out = lookup.reindex(values.to_numpy())
    out.index = values.index
    absent = values.isin(NOT_A_VALUE)
    chk.fail(absent, column, "missing value")
    bad = out["iso3"].isna() & ~absent
    if bad.any():
        chk.fail(bad, column, values[bad].map(lambda v: describe_failure(v, scheme)).reindex(values.index,
                                                                                              fill_value=""))
    return out.astype({"gw": "Int64"})


def reject_quarantine(rejects: pd.DataFrame) -> pd.DataFrame:
    """The CSV reader's unreadable lines: one quarantined record each."""
    if rejects is None or rejects.empty:
        return quarantine_frame()
    return quarantine_frame(rejects[["record_ref", "column_name", "raw", "reason"]].to_dict("records"))


def long_values(path: Path, chk: Checker, keys: pd.DataFrame, measures: dict[str, str],
                suffix: pd.Series | None = None) -> Batch:
    """Rows ``keys + measure + value + record_ref`` for each reported value of the ``measures`` columns
    (column -> measure name; ``suffix`` is appended to the name per line); lines ``chk`` failed, quarantined."""
    recs = chk.records
    refs = recs["record_ref"].astype(str)
    cols = [c for c in measures if c in recs.columns]
    texts = {c: chk.value(c) for c in cols}
    present = {c: ~t.isin(NOT_A_VALUE) for c, t in texts.items()}
    bad_line = (chk.reasons != "").to_numpy()
    quarantines = []
    if bad_line.any():
        counts = sum((m.to_numpy() & bad_line).astype(int) for m in present.values()) if cols else 0
        count = pd.Series(np.maximum(counts, 1) if cols else 1, index=recs.index)[bad_line]
        picked = count.index.repeat(count.to_numpy())
        raw = chk.raw.loc[picked] if chk._raw is not None else _raw(recs.loc[picked])
        quarantines.append(quarantine_frame(pd.DataFrame({
            "record_ref": refs.loc[picked].to_numpy(), "column_name": chk.first_column.loc[picked].to_numpy(),
            "raw": raw.to_numpy(),
            "reason": (path.name + ", " + refs.loc[picked] + ", " + chk.reasons.loc[picked]).to_numpy(),
        }).to_dict("records")))
    parts = []
    for column in cols:
        text = texts[column]
        use = present[column].to_numpy() & ~bad_line
        number = _numbers(text.where(use, "nan"))
        wrong = use & ~(np.isfinite(number) & (number >= 0))
        if wrong.any():
            w = recs.index[wrong]
            why = np.where(np.isfinite(number[wrong]), "negative: ", "not a number: ")
            quarantines.append(quarantine_frame(pd.DataFrame({
                "record_ref": refs.loc[w].to_numpy(), "column_name": column, "raw": _raw(recs.loc[w]).to_numpy(),
                "reason": (path.name + ", " + refs.loc[w].to_numpy() + ", column " + column + ": " + why
                           + text.loc[w].map(short_repr).to_numpy()),
            }).to_dict("records")))
        ok = use & ~wrong
        part = keys.loc[ok].reset_index(drop=True)
        name = measures[column]
        part["measure"] = (name + suffix.loc[ok]).to_numpy() if suffix is not None else name
        part["value"] = number[ok]
        part["record_ref"] = refs.loc[ok].to_numpy()
        parts.append(part)
    rows = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=["record_ref"])
    quarantine = pd.concat(quarantines, ignore_index=True) if quarantines else quarantine_frame()
    return Batch(rows, quarantine)


def _numbers(text: pd.Series) -> np.ndarray:
    """Floats from strings (NaN where not a number): numpy's fast parse, pandas' slower one when a value fails."""
    try:
        return text.to_numpy(dtype=object).astype(float)
    except ValueError:
        return pd.to_numeric(text, errors="coerce").to_numpy(dtype=float)


def _raw(records: pd.DataFrame) -> pd.Series:
    content = records.drop(columns=["record_ref"], errors="ignore")
    if not len(content):
        return pd.Series([], index=records.index, dtype=object)
    return content.astype(str).agg(",".join, axis=1)


def merge_batches(first: Batch, rejects: pd.DataFrame) -> Batch:
    """``first`` with the reader's unreadable lines added to its quarantine."""
    extra = reject_quarantine(rejects)
    if extra.empty:
        return first
    return Batch(first.rows, pd.concat([first.quarantine, extra], ignore_index=True),
                 source_version=first.source_version)


def read_tidy(path: Path, columns: list[str], hint: str, canonical) -> Iterator[Batch]:
    """Read a tidy table (one value per line; Frontex, IDMC, Eurostat's layouts): the delimiter sniffed, the
    ``columns`` required, each chunk mapped by ``canonical(chk)`` and checked (``tabular.check_records``), and the
    lines the CSV reader rejected kept in the quarantine."""
    from signalfire.sources.tabular import check_records
    path = Path(path)
    delim = sniff_delimiter(path)
    for records, rejects in checked_records(path, columns, hint, delim=delim):
        if records.empty:
            yield merge_batches(Batch(pd.DataFrame(columns=["record_ref"])), rejects)
            continue
        good, quarantine = check_records(Checker(records, path, delim=delim), canonical, delim)
        yield merge_batches(Batch(good, quarantine), rejects)
