"""Tables as producers publish them — delimited text or an Excel workbook — as string records.

:func:`open_records` looks at the file and returns its column names and a stream of ``(records, quarantine)``
chunks: delimited text goes through :func:`signalfire.sources.delimited.read_records` (delimiter sniffed; an
unnamed header cell, as R's ``write.csv`` writes for the row index, becomes ``column_N``), workbooks through
:func:`read_xlsx_records`.  Adapters check the names before they iterate.

Some producers publish workbooks: START distributes the GTD as ``globalterrorismdb_<MMYY>dist.xlsx`` and ACLED's
regional files were ``.xlsx``.  :func:`read_xlsx_records` streams the first worksheet (openpyxl, read-only) in
chunks of string columns named by the header row, with ``record_ref`` ``"row N"`` (the sheet row, header is row
1).  Cells become text the way the CSV export writes them: whole floats without ``.0``, dates as
``YYYY-MM-DD`` (with `` HH:MM:SS`` when there is a time), empty cells as ``''``.  Completely empty rows (Excel
keeps formatted blank rows) are not records and are skipped; a row with values beyond the header's columns is
quarantined.  openpyxl is needed only for workbooks (``pip install openpyxl``).
"""

from __future__ import annotations

import csv
import datetime as dt
import warnings
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pandas as pd

from signalfire.sources.base import SourceError, quarantine_frame
from signalfire.sources.delimited import duplicate_names_error, header_names, read_records, sniff_delimiter

CHUNK_ROWS = 50_000


def open_records(path: Path) -> tuple[list[str], Iterator[tuple[pd.DataFrame, pd.DataFrame]], str]:
    """(column names, chunk stream, delimiter used to join raw text) for a delimited file or a workbook."""
    path = Path(path)
    if is_xlsx(path):
        names = xlsx_header(path)
        return names, read_xlsx_records(path, names), ","
    delim = sniff_delimiter(path)
    names = header_columns(path, delim)
    return names, read_records(path, delim=delim, names=names), delim


def header_columns(path: Path, delim: str) -> list[str]:
    """A delimited file's column names; a header that is not text raises :class:`SourceError`."""
    try:
        names = header_names(path, delim)
    except csv.Error as exc:
        raise SourceError(f"{Path(path).name}, line 1: cannot read the header as delimited text ({exc})") from None
    if any("\x00" in n for n in names):
        raise SourceError(f"{Path(path).name}, line 1: the header holds NUL bytes: the file looks UTF-16 encoded "
                          "or binary; expected UTF-8 or Windows-1252 text (re-save it as UTF-8 CSV)")
    return _named([n.strip().lstrip("\ufeff") for n in names], path)


def _named(names: list[str], path: Path) -> list[str]:
    names = [n or f"column_{i + 1}" for i, n in enumerate(names)]
    if len(set(names)) != len(names):
        raise duplicate_names_error(path, names)
    return names


def raw_text(records: pd.DataFrame, delim: str) -> pd.Series:
    """Each record's fields joined by ``delim`` (the quarantine's ``raw``)."""
    columns = [c for c in records.columns if c != "record_ref"]
    joined = [delim.join(map(str, values)) for values in records[columns].itertuples(index=False, name=None)]
    return pd.Series(joined, index=records.index, dtype=object)


def check_records(chk, canonical, delim: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """``chk.split(canonical(chk))`` with the raw text built only for the records that failed."""
    rows = canonical(chk)
    bad = chk.reasons != ""
    chk.raw = raw_text(chk.records.loc[bad], delim).reindex(chk.records.index, fill_value="")
    return chk.split(rows)


def is_xlsx(path: Path) -> bool:
    """Whether the file is an Office Open XML workbook (a zip with ``xl/workbook.xml``)."""
    try:
        if not zipfile.is_zipfile(path):
            return False
        with zipfile.ZipFile(path) as zf:
            return "xl/workbook.xml" in zf.namelist()
    except zipfile.BadZipFile as exc:
        raise SourceError(f"{Path(path).name}: damaged zip archive or workbook ({exc})") from None
    except OSError:
        return False


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() and abs(value) < 2**53 else repr(value)
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d") if value.time() == dt.time() else value.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def _open(path: Path):
    try:
        import openpyxl
    except ImportError:
        raise SourceError(f"{path.name}: reading Excel workbooks needs openpyxl (pip install openpyxl)") from None
    try:
        with warnings.catch_warnings():   # "no default style": said of workbooks such as SIPRI's, harmless for data
            warnings.filterwarnings("ignore", message="Workbook contains no default style", category=UserWarning)
            book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # noqa: BLE001 (openpyxl raises many kinds for damaged workbooks)
        raise SourceError(f"{path.name}: cannot read the Excel workbook ({type(exc).__name__}: {exc})") from None
    if not book.worksheets:
        raise SourceError(f"{path.name}: the workbook has no worksheet")
    return book


def xlsx_header(path: Path) -> list[str]:
    """The first sheet's header row (unnamed columns become ``column_N``)."""
    path = Path(path)
    book = _open(path)
    try:
        first = next(book.worksheets[0].iter_rows(max_row=1, values_only=True), None)
    finally:
        book.close()
    if first is None:
        raise SourceError(f"{path.name}: the first worksheet is empty")
    names = list(first)
    while names and names[-1] is None:
        names.pop()
    return _named([_text(n).strip() for n in names], path)


def read_xlsx_records(path: Path, names: list[str], chunk_rows: int = CHUNK_ROWS
                      ) -> Iterator[tuple[pd.DataFrame, pd.DataFrame]]:
    """Stream (records, quarantine) chunks from the first sheet; records are strings plus ``record_ref``."""
    path = Path(path)
    book = _open(path)
    width = len(names)
    try:
        rows, refs, rejects = [], [], []
        emitted = False
        for number, values in enumerate(book.worksheets[0].iter_rows(min_row=2, values_only=True), start=2):
            cells = [_text(v) for v in values]
            if not any(c.strip() for c in cells):
                continue
            extra = [c for c in cells[width:] if c.strip()]
            if extra:
                rejects.append({"record_ref": f"row {number}", "column_name": None, "raw": ",".join(cells),
                                "reason": f"{path.name}, row {number}: too many fields (expected {width})"})
            else:
                rows.append((cells + [""] * width)[:width])
                refs.append(f"row {number}")
            if len(rows) + len(rejects) >= chunk_rows:
                yield _chunk(rows, refs, names), quarantine_frame(rejects)
                emitted = True
                rows, refs, rejects = [], [], []
        if rows or rejects or not emitted:
            yield _chunk(rows, refs, names), quarantine_frame(rejects)
    finally:
        book.close()


def _chunk(rows: list[list[str]], refs: list[str], names: list[str]) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=names, dtype=object)
    frame.insert(0, "record_ref", refs)
    return frame
