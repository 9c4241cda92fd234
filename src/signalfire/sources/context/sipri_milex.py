"""SIPRI Military Expenditure Database workbook (``SIPRI-Milex-data-1991-2024.xlsx``) into ``country_year``.

Read as SIPRI publishes it: one worksheet per measure, each with title and note rows above the table, a header
row starting ``Country`` (then ``Notes``, sometimes an empty or ``Reporting year`` column, then one column per
year), countries grouped under region and subregion heading rows (no values: not records), footnote markers in
``Notes``, ``...`` or ``. .`` where data are unavailable and ``xxx`` where the country did not exist.

Measures (source ``sipri-milex``): ``milex_constant_usd_m`` (US$ m. at constant prices and exchange rates of the
base year named in the sheet title; the base year is the run's source version), ``milex_current_usd_m``,
``milex_share_gdp`` and ``milex_share_govt`` (fractions as published: 0.02 is 2 %), ``milex_per_capita_usd``
(current US$).  Other sheets (front page, footnotes) are not read.

Accounting: a record is one year cell of one country row on one measure sheet.  ``...``/``xxx`` cells are stored
as NULL values (SIPRI's "no figure"); a cell that is not a number is quarantined alone; a row whose country does
not resolve (e.g. the ``European Union`` aggregate) quarantines each of its cells with the reason.  The
footnote markers and the cell colours (blue: SIPRI estimate, red: highly uncertain) are not stored.

Licence: SIPRI: free for non-commercial use with citation (no open licence).  The data must not be
redistributed: the project ships no SIPRI data; tests use fixtures in this layout.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pandas as pd

from signalfire.geo.countries import resolve
from signalfire.sources.base import Adapter, Batch, SourceError, quarantine_frame
from signalfire.sources.tabular import _open, is_xlsx
from signalfire.sources.validate import short_repr

VERSION = "1.0"
SOURCE = "sipri-milex"
LICENCE = ("SIPRI Military Expenditure Database: free for non-commercial use with citation (no open licence); "
           "© SIPRI. Source: SIPRI Military Expenditure Database, https://www.sipri.org/databases/milex")
SHEETS = {   # sheet title prefix -> measure
    "Constant": "milex_constant_usd_m",
    "Current US$": "milex_current_usd_m",
    "Share of GDP": "milex_share_gdp",
    "Per capita": "milex_per_capita_usd",
    "Share of Govt": "milex_share_govt",
}
NO_FIGURE = {"...", ". .", "..", "xxx"}
ALIASES = {"Congo, DR": ("iso3", "COD"), "Congo, Republic": ("iso3", "COG")}
AGGREGATES = {"European Union"}


def _measure(title: str) -> str | None:
    return next((m for prefix, m in SHEETS.items() if title.startswith(prefix)), None)


def _year(value) -> int | None:
    if isinstance(value, (int, float)) and not isinstance(value, bool) and float(value).is_integer():
        return int(value) if 1900 <= value <= 2100 else None
    return None


def _country(name: str):
    if name in ALIASES:
        scheme, code = ALIASES[name]
        return resolve(code, scheme)
    return resolve(name)


def _sheet(path: Path, ws, measure: str, found: dict) -> Batch:
    rows, quarantine, read = [], [], 0
    header, years = None, {}
    for number, values in enumerate(ws.iter_rows(values_only=True), start=1):
        values = list(values)
        if header is None:
            if values and isinstance(values[0], str) and values[0].strip() == "Country":
                header = number
                years = {i: y for i, v in enumerate(values) if (y := _year(v)) is not None}
                if not years:
                    raise SourceError(f"{path.name}, sheet {ws.title!r}, row {number}: no year columns in the header")
            elif number == 1 and isinstance(values[0], str):
                found.setdefault("titles", {})[measure] = values[0]
            continue
        name = values[0].strip() if values and isinstance(values[0], str) else ""
        cells = {y: values[i] if i < len(values) else None for i, y in years.items()}
        if not name or all(v is None or (isinstance(v, str) and not v.strip()) for v in cells.values()):
            continue  # blank rows and region headings carry no values
        ref = f"{ws.title}!row {number}"
        raw = ",".join("" if v is None else str(v) for v in values)
        country = None if name in AGGREGATES else _country(name)
        for year, value in cells.items():
            read += 1
            if country is None:
                why = "an aggregate, not a country" if name in AGGREGATES else f"unknown country name {name!r}"
                quarantine.append({"record_ref": ref, "column_name": str(year), "raw": raw,
                                   "reason": f"{path.name}, sheet {ws.title!r}, row {number}: {why} "
                                             f"(value {year} not loaded)"})
                continue
            if isinstance(value, (int, float)) and not isinstance(value, bool):
                number_value = float(value)
            elif value is None or (isinstance(value, str) and value.strip() in NO_FIGURE | {""}):
                number_value = None
            else:
                quarantine.append({"record_ref": ref, "column_name": str(year), "raw": raw,
                                   "reason": f"{path.name}, sheet {ws.title!r}, row {number}, column {year}: "
                                             f"not a number: {short_repr(value)}"})
                continue
            rows.append({"source": SOURCE, "country_iso3": country.iso3, "country_gw": country.gw, "year": year,
                         "measure": measure, "value": number_value, "record_ref": ref})
    if header is None:
        raise SourceError(f"{path.name}, sheet {ws.title!r}: no header row starting 'Country'")
    found.setdefault("years", set()).update(years.values())
    return Batch(pd.DataFrame(rows, columns=["source", "country_iso3", "country_gw", "year", "measure", "value",
                                             "record_ref"]), quarantine_frame(quarantine), read=read)


def _version(found: dict) -> str | None:
    years = sorted(found.get("years", ()))
    title = found.get("titles", {}).get("milex_constant_usd_m", "")
    base = re.search(r"\((\d{4})\)", title)
    span = f"{years[0]}-{years[-1]}" if years else ""
    return f"{span} (constant {base.group(1)} US$)" if base else span or None


def read(path: Path) -> Iterator[Batch]:
    path = Path(path)
    if not is_xlsx(path):
        raise SourceError(f"{path.name}: not an Excel workbook; expected SIPRI's military expenditure .xlsx")
    book = _open(path)
    try:
        sheets = [(ws, _measure(ws.title)) for ws in book.worksheets]
        sheets = [(ws, m) for ws, m in sheets if m]
        if not sheets:
            raise SourceError(f"{path.name}: no sheet named like SIPRI's ({', '.join(SHEETS)}); "
                              f"found {', '.join(ws.title for ws in book.worksheets)}")
        found: dict = {}
        batches = [_sheet(path, ws, measure, found) for ws, measure in sheets]
    finally:
        book.close()
    version = _version(found)
    for batch in batches:
        batch.source_version = version
        yield batch


ADAPTER = Adapter(name="sipri-milex", source=SOURCE, table="country_year", version=VERSION,
                  formats="SIPRI Military Expenditure Database workbook (.xlsx: constant and current US$, share of "
                          "GDP, per capita, share of government spending sheets)",
                  read=read, licence=LICENCE)
