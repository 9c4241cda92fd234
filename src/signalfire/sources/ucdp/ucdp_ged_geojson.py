"""UCDP Georeferenced Event Dataset (GED), GeoJSON.

Reads GED as a GeoJSON ``FeatureCollection`` of ``Point`` features whose ``properties`` are the GED columns
(``id, relid, year, …, best, high, low, gwnoa, gwnob``; dates like ``2009-02-20T00:00:00``), as UCDP's GeoJSON
exports and their ogr2ogr conversions publish it.  The point's coordinates (``[longitude, latitude]``) give the
event's location.  Plain, gzipped, UTF-8 or (re-saved) Windows-1252 files are accepted.

Events are stored with ``source="ucdp-ged"``: the same id space as the CSV adapter, so an event loaded from the
CSV and from the GeoJSON is one record.  The mapping to canonical columns is the CSV adapter's
(:func:`signalfire.sources.ucdp.ucdp_ged.canonical_rows`); this module only turns features into GED records.

``record_ref`` is ``feature N`` (1-based position in ``features``).  Features that are not objects, have no
``properties`` object, a missing or non-Point geometry, coordinates that are not two numbers, or property values
longer than :data:`MAX_FIELD_CHARS` are quarantined with the reason; so are records the GED mapping rejects.

The file is parsed whole (``json.load``; GED country extracts are a few MB) and yielded in batches of
:data:`BATCH_FEATURES` features, so the frames built from it stay small.

Licence of the data: UCDP, CC BY 4.0 — cite Sundberg & Melander (2013) and Davies et al. (2024).
"""

from __future__ import annotations

import gzip
import json
import math
from collections.abc import Iterator
from pathlib import Path

import pandas as pd

from signalfire.sources.base import Adapter, Batch, SourceError, quarantine_frame
from signalfire.sources.ucdp.ucdp_ged import LICENCE, RENAMES, canonical_rows, require_ged_columns
from signalfire.sources.validate import Checker, version_from_name

VERSION = "1.0"
BATCH_FEATURES = 5_000
MAX_FIELD_CHARS = 100_000


def _load(path: Path) -> dict:
    if not path.is_file():
        raise SourceError(f"{path}: no such file")
    try:
        with open(path, "rb") as fh:
            data = fh.read()
        if data[:2] == b"\x1f\x8b":
            data = gzip.decompress(data)
    except (OSError, EOFError) as exc:
        raise SourceError(f"{path.name}: cannot read the file ({exc})") from None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("cp1252", errors="replace")  # re-saved with Windows/latin-1 bytes
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as exc:
        raise SourceError(f"{path.name}, line {exc.lineno}, column {exc.colno}: not valid JSON ({exc.msg}); "
                          "is this a GeoJSON file (truncated?)") from None
    except RecursionError:
        raise SourceError(f"{path.name}: JSON nested too deeply") from None
    if not isinstance(doc, dict) or doc.get("type") != "FeatureCollection" or not isinstance(
            doc.get("features"), list):
        raise SourceError(f"{path.name}: not a GeoJSON FeatureCollection (expected an object with "
                          "\"type\": \"FeatureCollection\" and a \"features\" list)")
    return doc


def _text(value) -> str:
    """A property value as the text the CSV would hold."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def _feature_problem(feature) -> tuple[str | None, str | None, tuple[float, float] | None]:
    """(column, reason) of what makes a feature unreadable, or (None, None, (lon, lat))."""
    if not isinstance(feature, dict):
        return None, "not a GeoJSON feature object", None
    props = feature.get("properties")
    if not isinstance(props, dict):
        return "properties", "properties missing or not an object", None
    for key, value in props.items():
        if isinstance(value, str) and len(value) > MAX_FIELD_CHARS:
            return key, f"property {key}: longer than {MAX_FIELD_CHARS} characters", None
    geom = feature.get("geometry")
    if not isinstance(geom, dict):
        return "geometry", "geometry missing or null", None
    if geom.get("type") != "Point":
        return "geometry", f"geometry type {str(geom.get('type'))[:40]!r}, expected 'Point'", None
    coords = geom.get("coordinates")
    ok = (isinstance(coords, list) and len(coords) in (2, 3)
          and all(isinstance(c, (int, float)) and not isinstance(c, bool) for c in coords)
          and all(math.isfinite(c) for c in coords))
    if not ok:
        return "geometry", f"coordinates {str(coords)[:80]!r} are not [longitude, latitude] numbers", None
    return None, None, (float(coords[0]), float(coords[1]))


def _batch(path: Path, features: list, start: int, version: str | None) -> Batch:
    good, bad = [], []
    for i, feature in enumerate(features, start=start):
        ref = f"feature {i}"
        column, reason, point = _feature_problem(feature)
        if reason is not None:
            raw = json.dumps(feature, ensure_ascii=False, default=str)
            bad.append({"record_ref": ref, "column_name": column, "raw": raw,
                        "reason": f"{path.name}, {ref}: {reason}"})
            continue
        record = {k: _text(v) for k, v in feature["properties"].items()}
        record["longitude"], record["latitude"] = repr(point[0]), repr(point[1])
        record["record_ref"] = ref
        record["__raw"] = json.dumps(feature, ensure_ascii=False, default=str)
        good.append(record)
    broken = quarantine_frame(bad)
    if not good:
        return Batch(pd.DataFrame(columns=["record_ref"]), broken, source_version=version)
    records = pd.DataFrame(good).fillna("").rename(columns=RENAMES)
    raw = records.pop("__raw")
    chk = Checker(records, path, raw=raw)
    rows = canonical_rows(chk, version)
    rows, rejected = chk.split(rows)
    return Batch(rows, pd.concat([broken, rejected], ignore_index=True), source_version=version)


def read(path: Path) -> Iterator[Batch]:
    path = Path(path)
    features = _load(path)["features"]
    version = version_from_name(path)
    present = set()
    for feature in features:
        if isinstance(feature, dict) and isinstance(feature.get("properties"), dict):
            present.update(feature["properties"])
    if features:
        require_ged_columns(path, sorted(present | {RENAMES.get(p, p) for p in present}))
    for start in range(0, len(features), BATCH_FEATURES):
        chunk = features[start:start + BATCH_FEATURES]
        yield _batch(path, chunk, start + 1, version)
        features[start:start + BATCH_FEATURES] = [None] * len(chunk)  # let the parsed features go


ADAPTER = Adapter(name="ucdp-ged-geojson", source="ucdp-ged", table="events", version=VERSION,
                  formats="UCDP GED GeoJSON FeatureCollection (Point features, GED properties)", read=read,
                  licence=LICENCE)
