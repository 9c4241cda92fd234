"""Exports in the formats the field uses: CSV, Parquet, GeoJSON (events with coordinates as Points).

Every writer takes Arrow record batches and yields bytes a batch at a time (:func:`iter_bytes`), so a download of
100,000 events streams with flat memory; :func:`to_bytes` is the same for a table that is already in memory.

CSV cells are made safe for spreadsheets (:func:`csv_safe`, OWASP's rule against formula injection): a text cell
that begins with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is written with a leading apostrophe, so
Excel, LibreOffice and Google Sheets show it as text instead of running it (``=HYPERLINK(…)``, ``=cmd|…``).  A text
cell that already begins with an apostrophe gets one more, so the rule is reversible: drop the first character of
any text cell that begins with ``'`` to get the value as published.  Numbers (``-5``) are numbers, never changed.
Every CSV the project writes (API downloads, ``signalfire events --format csv``) goes through this module.
"""

from __future__ import annotations

import io
import json
import math
import sys
from collections.abc import Iterable, Iterator
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

FORMULA_START = "=+-@\t\r"     # OWASP: characters a spreadsheet reads as the start of a formula
CSV_ESCAPE = "'"               # the prefix that makes a cell text (and is itself escaped, so it is reversible)
_NEEDS_PREFIX = "^[=+\\-@\t\r']"


def _is_text(kind: pa.DataType) -> bool:
    return pa.types.is_string(kind) or pa.types.is_large_string(kind) or pa.types.is_dictionary(kind) and (
        pa.types.is_string(kind.value_type) or pa.types.is_large_string(kind.value_type))


def csv_safe_cell(value: str) -> str:
    """One text cell by the rule of :func:`csv_safe` (for writers that are not Arrow-based)."""
    return CSV_ESCAPE + value if value[:1] in FORMULA_START + CSV_ESCAPE and value else value


def csv_safe(data: pa.Table | pa.RecordBatch) -> pa.Table | pa.RecordBatch:
    """``data`` with every text cell that a spreadsheet would read as a formula prefixed with an apostrophe
    (and every cell already starting with one given another); other columns as they are."""
    columns, changed = [], False
    for column in data.columns:
        if _is_text(column.type):
            if pa.types.is_dictionary(column.type):      # written as its text
                column, changed = column.cast(column.type.value_type), True
            flagged = pc.fill_null(pc.match_substring_regex(column, _NEEDS_PREFIX), False)
            if pc.any(flagged).as_py():
                column = pc.if_else(flagged, pc.binary_join_element_wise(CSV_ESCAPE, column, ""), column)
                changed = True
        columns.append(column)
    if not changed:
        return data
    kind = pa.Table if isinstance(data, pa.Table) else pa.RecordBatch
    return kind.from_arrays(columns, names=data.schema.names)


def _jsonable(value):
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return None
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


def geojson_features(table: pa.Table | pa.RecordBatch):
    """Yield GeoJSON Feature dicts; rows without coordinates get a null geometry (as RFC 7946 allows)."""
    for row in table.to_pylist():
        lat, lon = row.get("latitude"), row.get("longitude")
        geometry = None
        if lat is not None and lon is not None and math.isfinite(lat) and math.isfinite(lon):
            geometry = {"type": "Point", "coordinates": [lon, lat]}
        props = {k: _jsonable(v) for k, v in row.items() if k not in ("latitude", "longitude")}
        yield {"type": "Feature", "geometry": geometry, "properties": props}


class _Drain(io.RawIOBase):
    """A write-only file whose bytes are taken out after each batch (for Parquet's writer)."""

    def __init__(self):
        self.parts: list[bytes] = []
        self.size = 0

    def writable(self) -> bool:
        return True

    def write(self, data) -> int:
        data = bytes(data)
        self.parts.append(data)
        self.size += len(data)
        return len(data)

    def tell(self) -> int:
        return self.size

    def take(self) -> bytes:
        out, self.parts = b"".join(self.parts), []
        return out


def iter_bytes(batches: Iterable[pa.RecordBatch], schema: pa.Schema, fmt: str) -> Iterator[bytes]:
    """The export of ``batches`` (of ``schema``) as ``fmt`` (csv, parquet, geojson), a batch at a time."""
    if fmt == "csv":
        sink = io.BytesIO()
        plain = pa.schema([f.with_type(f.type.value_type) if pa.types.is_dictionary(f.type) else f for f in schema])
        with pacsv.CSVWriter(sink, plain) as writer:
            for batch in batches:
                writer.write_batch(csv_safe(batch))
                yield sink.getvalue()
                sink.seek(0)
                sink.truncate()
        if sink.getvalue():
            yield sink.getvalue()
    elif fmt == "parquet":
        drain = _Drain()
        with pq.ParquetWriter(drain, schema) as writer:
            for batch in batches:
                if batch.num_rows:
                    writer.write_batch(batch)
                    yield drain.take()
        yield drain.take()
    elif fmt == "geojson":
        yield b'{"type":"FeatureCollection","features":['
        first = True
        for batch in batches:
            parts = [json.dumps(feature, ensure_ascii=False, allow_nan=False) for feature in geojson_features(batch)]
            if parts:
                yield (("" if first else ",\n") + ",\n".join(parts)).encode()
                first = False
        yield b"]}\n"
    else:
        raise ValueError(f"unknown export format {fmt!r}")


def to_bytes(table: pa.Table, fmt: str) -> bytes:
    return b"".join(iter_bytes(table.to_batches(max_chunksize=10_000), table.schema, fmt))


def write_events(table: pa.Table, fmt: str, output: Path | None, terminal: bool = False) -> int:
    """Write the events to ``output`` (standard output when None); ``terminal``: standard output is a terminal, so a
    text format's control characters and bidi overrides are shown escaped (:mod:`signalfire.terminal`), as the
    tables show them; to a file or a pipe the bytes are the export's own."""
    data = to_bytes(table, fmt)
    if output is None and terminal and fmt != "parquet":
        from signalfire.terminal import inert
        data = inert(data.decode("utf-8"), keep_lines=True).encode("utf-8")
    if output is None:
        sys.stdout.buffer.write(data)
        sys.stdout.buffer.flush()
    else:
        Path(output).parent.mkdir(parents=True, exist_ok=True)
        Path(output).write_bytes(data)
    return table.num_rows
