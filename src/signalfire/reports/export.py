"""Exports in the formats the field uses: CSV, Parquet, GeoJSON (events with coordinates as Points)."""

from __future__ import annotations

import io
import json
import math
import sys
from pathlib import Path

import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq


def _jsonable(value):
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


def geojson_features(table: pa.Table):
    """Yield GeoJSON Feature dicts; rows without coordinates get a null geometry (as RFC 7946 allows)."""
    for row in table.to_pylist():
        lat, lon = row.get("latitude"), row.get("longitude")
        geometry = None
        if lat is not None and lon is not None:
            geometry = {"type": "Point", "coordinates": [lon, lat]}
        props = {k: _jsonable(v) for k, v in row.items() if k not in ("latitude", "longitude")}
        yield {"type": "Feature", "geometry": geometry, "properties": props}


def to_bytes(table: pa.Table, fmt: str) -> bytes:
    buf = io.BytesIO()
    if fmt == "csv":
        pacsv.write_csv(table, buf)
    elif fmt == "parquet":
        pq.write_table(table, buf)
    elif fmt == "geojson":
        buf.write(b'{"type":"FeatureCollection","features":[')
        for i, feature in enumerate(geojson_features(table)):
            if i:
                buf.write(b",\n")
            buf.write(json.dumps(feature, ensure_ascii=False).encode())
        buf.write(b"]}\n")
    else:
        raise ValueError(f"unknown export format {fmt!r}")
    return buf.getvalue()


def write_events(table: pa.Table, fmt: str, output: Path | None) -> int:
    data = to_bytes(table, fmt)
    if output is None:
        sys.stdout.buffer.write(data)
        sys.stdout.buffer.flush()
    else:
        Path(output).parent.mkdir(parents=True, exist_ok=True)
        Path(output).write_bytes(data)
    return table.num_rows
