"""The small reference tables shipped with the diplomacy adapters (``data/``), and reading them.

``instruments.csv`` (instrument identity and the producers' ids that map to each), ``treaty_overrides.csv``,
``ctbt_annex2.csv``, ``unsc_elected_members.csv`` and ``state_groups.csv``: CSV with ``#`` comment lines on
top that say where the rows come from.  :func:`commented_records` reads such a file as records with their line
numbers, so the adapters that load them quarantine a bad row by its line like any other.
"""

from __future__ import annotations

import csv
import io
from fnmatch import fnmatchcase
from functools import lru_cache
from pathlib import Path

import pandas as pd

from signalfire.sources.base import SourceError

DATA = Path(__file__).resolve().parent / "data"
INSTRUMENTS = DATA / "instruments.csv"
OVERRIDES = DATA / "treaty_overrides.csv"
CTBT_ANNEX2 = DATA / "ctbt_annex2.csv"
UNSC_ELECTED = DATA / "unsc_elected_members.csv"
STATE_GROUPS = DATA / "state_groups.csv"


def commented_records(path: Path, required: list[str]) -> tuple[pd.DataFrame, list[dict]]:
    """(records as strings with ``record_ref`` = ``line N``, quarantine dicts for lines with the wrong number of
    fields).  ``#`` lines before the header are comments.  A file without the required columns is a SourceError."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise SourceError(f"{path.name}: cannot read as UTF-8 text ({exc})") from None
    lines = text.splitlines()
    start = 0
    while start < len(lines) and (lines[start].startswith("#") or not lines[start].strip()):
        start += 1
    if start >= len(lines):
        raise SourceError(f"{path.name}: no header line (only comments or nothing)")
    reader = csv.reader(io.StringIO("\n".join(lines[start:])))
    header = [h.strip() for h in next(reader)]
    missing = [c for c in required if c not in header]
    if missing:
        raise SourceError(f"{path.name}, line {start + 1}: missing required column(s) {', '.join(missing)}")
    records, bad = [], []
    for offset, fields in enumerate(reader, start=start + 2):
        if not fields or (len(fields) == 1 and not fields[0].strip()):
            continue
        ref = f"line {offset}"
        if len(fields) != len(header):
            bad.append({"record_ref": ref, "column_name": None, "raw": ",".join(fields),
                        "reason": f"{path.name}, {ref}: {len(fields)} fields, the header has {len(header)}"})
            continue
        records.append({"record_ref": ref, **{h: f.strip() for h, f in zip(header, fields)}})
    return pd.DataFrame(records, columns=["record_ref", *header]), bad


def resolve_cow(codes: pd.Series, when: pd.Series) -> pd.DataFrame:
    """COW codes at a date; codes the COW table lacks (260, the German Federal Republic, 1955-1990; 678, the Yemen
    Arab Republic) resolve as the Gleditsch-Ward codes they equal."""
    from signalfire.geo.countries import resolve_series
    out = resolve_series(codes, "cow", when=when)
    missing = out["country_iso3"].isna() & codes.notna()
    if missing.any():
        out.loc[missing] = resolve_series(codes[missing], "gw", when=when[missing])
    return out


def read_reference(path: Path) -> pd.DataFrame:
    """A shipped reference table as a DataFrame of strings (comments skipped)."""
    records, _ = commented_records(path, [])
    return records.drop(columns=["record_ref"])


@lru_cache(maxsize=1)
def _patterns() -> list[tuple[str, str]]:
    table = read_reference(INSTRUMENTS)
    return [(p.strip(), row.instrument) for row in table.itertuples() for p in row.treaty_ids.split(";") if p.strip()]


def instrument_for(treaty_id: str) -> str | None:
    """The short name of the instrument a producer's id maps to (NPT, CWC, PSI, ...), or None."""
    for pattern, instrument in _patterns():
        if fnmatchcase(treaty_id, pattern):
            return instrument
    return None
