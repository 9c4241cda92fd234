"""SIPRI arms transfers (trend-indicator values, TIV) per country and period, from the workbook
``arms-import-export-91-23.xlsx``, into ``country_year``.

The workbook is not SIPRI's own download: it is the World Bank's indicators *Arms exports / Arms imports (SIPRI
trend indicator values)* (``MS.MIL.XPRT.KD``, ``MS.MIL.MPRT.KD``; TIV in units, i.e. SIPRI's TIV millions × 10⁶)
summed by its compiler over four periods.  One sheet, as published: two blank/title rows above a header row
starting ``Country Name`` (``Country Code`` (World Bank, ISO3 for states), ``Indicator Name``, then
``1991-2003($)``, ``1991-2003(%)``, …, ``2020-2023(%)`` and, in the exports block, ``Net Export 1991-2003($)``, …);
an exports block, then a second header row (its ``2010-2019`` columns in the other order) and an imports block.
Columns are read by their header text, block by block, with one validation rule: where a period's ``($)``
column holds only fractions and its ``(%)`` column values above 1000, the labels are swapped (as in the file's
imports block, 2010-2019) and the columns are read by what they hold; the run's source version says so.  Rows without a name or code (stray cells under the table)
are quarantined cell by cell.

Measures (source ``sipri-arms-transfers``), ``year`` = the period's last year (2003, 2009, 2019, 2023): the run's
source version lists the periods (``1991-2003, 2004-2009, 2010-2019, 2020-2023``), so a value of year 2023 is the
sum over 2020–2023.  ``arms_exports_tiv``, ``arms_imports_tiv`` (TIV), ``arms_exports_world_share``,
``arms_imports_world_share`` (fractions of the world total as published: 0.0046 is 0.46 %),
``arms_net_exports_tiv`` (exports − imports, TIV).

Accounting: a record is one non-empty value cell (an empty cell is no figure: not a record, nothing stored); a cell that
is not a number is quarantined alone, as is a share above 1 (the compiler's formula errors, e.g. one imports share
of 1.2); rows whose code is not a state (World Bank aggregates: ``WLD``, ``EUU``, income groups, …) are
quarantined cell by cell with the reason.

Licence: SIPRI Arms Transfers Database, free for non-commercial use with citation (no open licence); not
redistributed: the project's tests write a workbook in this layout.
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
SOURCE = "sipri-arms-transfers"
LICENCE = ("SIPRI Arms Transfers Database (trend-indicator values, via the World Bank's indicators): free for "
           "non-commercial use with citation (no open licence); © SIPRI")
PERIOD = re.compile(r"^(?P<net>Net Export )?(?P<a>\d{4})-(?P<b>\d{4})\((?P<unit>\$|%)\)$")
DIRECTIONS = {"Arms exports (SIPRI trend indicator values)": "exports",
              "Arms imports (SIPRI trend indicator values)": "imports"}
COLUMNS = ["source", "country_iso3", "country_gw", "year", "measure", "value", "record_ref"]


def _header(values: list) -> dict[int, tuple[str | None, str, int, int]] | None:
    """{column index: (net?, unit, first year, last year)} for a header row, else None."""
    if not values or not isinstance(values[0], str) or values[0].strip() != "Country Name":
        return None
    out = {}
    for i, v in enumerate(values):
        match = PERIOD.match(str(v).strip()) if v is not None else None
        if match:
            out[i] = (match["net"], match["unit"], int(match["a"]), int(match["b"]))
    return out


def _measure(direction: str, net, unit: str) -> str | None:
    if net:
        return "arms_net_exports_tiv" if direction == "exports" else None
    return f"arms_{direction}_tiv" if unit == "$" else f"arms_{direction}_world_share"


def _blocks(path: Path, ws, found: set) -> list[tuple[dict, list[tuple[int, list]]]]:
    """The sheet as (header columns, [(row number, values)]) blocks, one per header row."""
    blocks: list[tuple[dict, list]] = []
    for number, values in enumerate(ws.iter_rows(values_only=True), start=1):
        values = list(values)
        header = _header(values)
        if header is not None:
            if not header:
                raise SourceError(f"{path.name}, row {number}: a 'Country Name' header without period columns "
                                  "such as '1991-2003($)'")
            blocks.append((header, []))
            found.update((a, b) for _, _, a, b in header.values())
        elif blocks:
            blocks[-1][1].append((number, values))
    if not blocks:
        raise SourceError(f"{path.name}, sheet {ws.title!r}: no header row starting 'Country Name'; is this the "
                          "arms imports/exports (SIPRI TIV) workbook?")
    return blocks


def _unswap(columns: dict, lines: list[tuple[int, list]], notes: list[str]) -> dict:
    """Validation rule: where a block's ``(…)($)`` column of a period holds only fractions (≤ 1) and its ``(…)(%)``
    column values above 1, the two labels are swapped in the header (the file's imports block, 2010-2019): the
    columns are read by what they hold, and the run's source version says so."""
    fixed = dict(columns)
    for i, (net, unit, a, b) in columns.items():
        if net or unit != "$":
            continue
        other = next((j for j, (n2, u2, a2, b2) in columns.items() if not n2 and u2 == "%" and (a2, b2) == (a, b)),
                     None)
        if other is None:
            continue
        money = [v[i] for _, v in lines if i < len(v) and isinstance(v[i], (int, float))]
        share = [v[other] for _, v in lines if other < len(v) and isinstance(v[other], (int, float))]
        if money and share and max(abs(x) for x in money) <= 1 and max(share) > 1_000:
            fixed[i], fixed[other] = columns[other], columns[i]
            notes.append(f"headers {a}-{b}($) and {a}-{b}(%) swapped in the file, read by their values "
                         f"(rows {lines[0][0]}-{lines[-1][0]})")
    return fixed


def _rows(path: Path, ws, found: set, notes: list[str]) -> Batch:
    rows, quarantine, read = [], [], 0
    for header, lines in _blocks(path, ws, found):
        columns = _unswap(header, lines, notes)
        for number, values in lines:
            read += _line(path, columns, number, values, rows, quarantine)
    return Batch(pd.DataFrame(rows, columns=COLUMNS), quarantine_frame(quarantine), read=read)


def _line(path: Path, columns: dict, number: int, values: list, rows: list, quarantine: list) -> int:
    """Read one sheet row into ``rows``/``quarantine``; returns the number of records (non-empty value cells)."""
    read = 0
    cells = {i: values[i] if i < len(values) else None for i in columns}
    name = str(values[0]).strip() if values and values[0] is not None else ""
    code = str(values[1]).strip() if len(values) > 1 and values[1] is not None else ""
    indicator = str(values[2]).strip() if len(values) > 2 and values[2] is not None else ""
    direction = DIRECTIONS.get(indicator)
    ref = f"row {number}"
    raw = ",".join("" if v is None else str(v) for v in values)
    state = resolve(code, "iso3") if code else None
    why = None
    if not name and not code:
        why = "a row without a country name or code"
    elif direction is None:
        why = f"unknown indicator {short_repr(indicator)}"
    elif state is None:
        why = f"{short_repr(code)} ({name}) is not a state: a World Bank aggregate or an unknown code"
    for i, value in cells.items():
        net, unit, first, last = columns[i]
        measure = _measure(direction, net, unit) if direction else f"column {i + 1}"
        if direction and measure is None:
            continue   # a Net Export column in the imports block: not part of its table
        if value is None or (isinstance(value, str) and not value.strip()):
            continue   # an empty cell: no figure, not a record
        read += 1
        where = f"{path.name}, {ref}, column {first}-{last}({unit})"
        if why:
            quarantine.append({"record_ref": ref, "column_name": f"{first}-{last}", "raw": raw,
                               "reason": f"{path.name}, {ref}: {why} (value {measure} {first}-{last} not loaded)"})
            continue
        if not isinstance(value, (int, float)) or isinstance(value, bool):
            quarantine.append({"record_ref": ref, "column_name": f"{first}-{last}", "raw": raw,
                               "reason": f"{where}: not a number: {short_repr(value)}"})
            continue
        if unit == "%" and not 0 <= value <= 1:
            quarantine.append({"record_ref": ref, "column_name": f"{first}-{last}", "raw": raw,
                               "reason": f"{where}: a share of the world total outside 0-1: {value!r}"})
            continue
        rows.append({"source": SOURCE, "country_iso3": state.iso3, "country_gw": state.gw, "year": last,
                     "measure": measure, "value": float(value), "record_ref": ref})
    return read


def read(path: Path) -> Iterator[Batch]:
    path = Path(path)
    if not is_xlsx(path):
        raise SourceError(f"{path.name}: not an Excel workbook; expected the arms imports/exports (SIPRI TIV) .xlsx")
    book = _open(path)
    try:
        found: set = set()
        notes: list[str] = []
        batch = _rows(path, book.worksheets[0], found, notes)
    finally:
        book.close()
    batch.source_version = "; ".join([", ".join(f"{a}-{b}" for a, b in sorted(found)), *notes])
    yield batch


ADAPTER = Adapter(name="sipri-arms-transfers", source=SOURCE, table="country_year", version=VERSION,
                  formats="Arms imports/exports workbook (SIPRI TIV via World Bank indicators, summed per period: "
                          "Country Name, Country Code, Indicator Name, 1991-2003($), 1991-2003(%), …)",
                  read=read, licence=LICENCE)
