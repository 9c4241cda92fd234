"""Any STIX 2.1 bundle (``.json``, or gzip-compressed ``.json.gz``), into ``stix_objects``: every object verbatim.

A record is one object of the bundle's ``objects`` (``record_ref`` ``object N``, 1-based).  Each is kept whole as
JSON text (``object``: its properties in the producer's order, custom ``x_`` properties and custom ``x-`` types
included) beside the columns that index it (id, type, spec_version, created, modified, name, revoked,
created_by_ref, object and granular marking refs, TLP level, relationship ends, external id, aliases).
Versions of an object coexist: the key is (id, version), version being modified (else created, else '').

* STIX 2.1 bundles carry no ``spec_version``; objects without one are read as 2.1 (stored ``spec_version``
  ``2.1``, the object text left as given).  Key order is free.
* A STIX 2.0 bundle (``"spec_version": "2.0"`` on the bundle, or objects saying 2.0) is upgraded, never
  half-loaded: each object gets ``spec_version: "2.1"``; ``labels`` also fill the 2.1 type vocabularies that
  replaced them (``indicator_types``, ``malware_types``, ``tool_types``, ``threat_actor_types``,
  ``report_types``); indicators get ``pattern_type: "stix"``; malware ``is_family: true`` (2.0 malware described
  families).  ``upgraded_from`` says ``2.0``.  Any other bundle ``spec_version`` is refused.
* TLP: TLP 1.0 and 2.0 marking definitions are recognised by their published ids and by content (see
  :mod:`.tlp`), including those defined in the bundle itself; ``tlp`` is the strictest level among the object
  markings, ``tlp_granular`` among the granular ones.
* Quarantined (with the reason): an object that is not a JSON object, has no ``type`` or one that is not a STIX
  type name, no ``id`` or one that is not ``<type>--<UUID>``, a ``created``/``modified`` that is not a STIX
  timestamp (``YYYY-MM-DDTHH:MM:SS[.s+]Z``), ``modified`` before ``created``, or a ``spec_version`` that is
  neither 2.0 nor 2.1.

Parsing uses ``orjson`` when installed, else the standard ``json`` module; columns are built in plain Python (the
``stix2`` library's object model is not used: it is several times slower).
"""

from __future__ import annotations

import datetime as dt
import gzip
import json
import re
from collections.abc import Iterator
from functools import lru_cache
from pathlib import Path

import pandas as pd
import pyarrow as pa

from signalfire.sources.base import Adapter, Batch, SourceError, quarantine_frame
from signalfire.sources.cyber import tlp

try:  # orjson is optional: 5x faster serialisation
    import orjson

    def _dumps(obj) -> str:
        return orjson.dumps(obj).decode()
except ImportError:  # pragma: no cover - depends on the environment
    orjson = None

    def _dumps(obj) -> str:
        return json.dumps(obj, ensure_ascii=False, separators=(",", ":"))

VERSION = "1.0"
SOURCE = "stix"
LICENCE = "As marked by each bundle's producer (MITRE ATT&CK: © The MITRE Corporation, reproduced with its notice)."
CHUNK = 50_000
TYPE_NAME = re.compile(r"^[a-z0-9][a-z0-9-]{1,248}[a-z0-9]$")
UUID = r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"
ID = re.compile(rf"^([a-z0-9][a-z0-9-]+[a-z0-9])--{UUID}$")
TIMESTAMP = re.compile(r"^(\d{4}-\d{2}-\d{2})T([01]\d|2[0-3]):([0-5]\d):([0-5]\d)(\.\d+)?Z$")
UPGRADE_LABELS = {"indicator": "indicator_types", "malware": "malware_types", "tool": "tool_types",
                  "threat-actor": "threat_actor_types", "report": "report_types"}
EXTERNAL_SOURCES = ("mitre-attack", "mitre-mobile-attack", "mitre-ics-attack", "capec", "cve", "mitre-atlas")


def load_bundle(path: Path) -> dict:
    """The bundle as a dict; a file that is not JSON or not a bundle raises :class:`SourceError`."""
    path = Path(path)
    with open(path, "rb") as fh:
        data = fh.read()
    if data[:2] == b"\x1f\x8b":
        try:
            data = gzip.decompress(data)
        except (OSError, EOFError) as exc:
            raise SourceError(f"{path.name}: damaged gzip file ({exc})") from None
    try:
        doc = orjson.loads(data) if orjson else json.loads(data)
    except ValueError as exc:
        raise SourceError(f"{path.name}: not JSON ({exc}); expected a STIX 2.1 bundle") from None
    if not isinstance(doc, dict) or doc.get("type") != "bundle":
        found = doc.get("type") if isinstance(doc, dict) else type(doc).__name__
        raise SourceError(f"{path.name}: not a STIX bundle (top-level type {found!r}, expected 'bundle')")
    if not isinstance(doc.get("objects", []), list):
        raise SourceError(f"{path.name}: the bundle's 'objects' is not a list")
    version = doc.get("spec_version")
    if version not in (None, "2.0", "2.1"):
        raise SourceError(f"{path.name}: STIX spec_version {version!r} is not supported (2.1; 2.0 is upgraded)")
    return doc


@lru_cache(maxsize=4096)
def _day_ok(day: str) -> bool:
    try:
        dt.date.fromisoformat(day)
        return True
    except ValueError:
        return False


def _timestamp(value) -> tuple[str | None, str | None]:
    """(value for DuckDB, reason) for a STIX timestamp; (None, None) when absent."""
    if value is None:
        return None, None
    match = TIMESTAMP.match(value) if isinstance(value, str) else None
    if not match or not _day_ok(match.group(1)):
        return None, f"not a STIX timestamp (YYYY-MM-DDTHH:MM:SS[.s]Z): {str(value)[:60]!r}"
    fraction = (match.group(5) or ".").ljust(7, "0")[:7]
    return f"{match.group(1)} {match.group(2)}:{match.group(3)}:{match.group(4)}{fraction}", None


def upgrade(obj: dict) -> dict:
    """A STIX 2.0 object as 2.1 (see the module docstring)."""
    out = dict(obj)
    out["spec_version"] = "2.1"
    kind = out.get("type")
    field = UPGRADE_LABELS.get(kind)
    if field and field not in out and isinstance(out.get("labels"), list):
        out[field] = list(out["labels"])
    if kind == "indicator":
        out.setdefault("pattern_type", "stix")
    if kind == "malware":
        out.setdefault("is_family", True)
    return out


def _problem(obj, bundle_version: str | None) -> str | None:
    if not isinstance(obj, dict):
        return f"not a JSON object ({type(obj).__name__})"
    kind = obj.get("type")
    if not isinstance(kind, str) or not kind:
        return "no type"
    if not TYPE_NAME.match(kind) or "--" in kind:
        return f"type {kind[:60]!r} is not a STIX type name (a-z, 0-9, hyphens; 3-250 characters)"
    ident = obj.get("id")
    if not isinstance(ident, str) or not ident:
        return "no id"
    match = ID.match(ident)
    if not match:
        return f"id {ident[:80]!r} is not <type>--<UUID>"
    if match.group(1) != kind:
        return f"id {ident[:80]!r} does not start with its type {kind!r}"
    version = obj.get("spec_version", bundle_version)
    if version not in (None, "2.0", "2.1"):
        return f"spec_version {str(version)[:20]!r} is neither 2.1 nor 2.0"
    return None


def _external_id(refs) -> str | None:
    if not isinstance(refs, list):
        return None
    for ref in refs:
        if isinstance(ref, dict) and ref.get("source_name") in EXTERNAL_SOURCES and ref.get("external_id"):
            return str(ref["external_id"])
    return None


def _strings(value) -> list[str] | None:
    if type(value) is not list:
        return None
    return value if all(type(v) is str for v in value) else [v for v in value if type(v) is str]


def marking_levels(objects: list) -> dict[str, str]:
    """Known TLP marking ids plus the TLP marking definitions in this bundle: id -> level."""
    levels = dict(tlp.KNOWN)
    for obj in objects:
        if isinstance(obj, dict) and obj.get("type") == "marking-definition":
            level = tlp.level_of_definition(obj)
            if level and isinstance(obj.get("id"), str):
                levels[obj["id"]] = level
    return levels


COLUMNS = ("id", "version", "type", "spec_version", "created", "modified", "name", "revoked", "created_by_ref",
           "object_marking_refs", "granular_marking_refs", "tlp", "tlp_granular", "relationship_type", "source_ref",
           "target_ref", "external_id", "aliases", "bundle_id", "upgraded_from", "object", "record_ref")


def _row(obj: dict, number: int, bundle_id, bundle_version, levels) -> tuple[tuple | None, tuple | None]:
    """The object's column values (in COLUMNS order), or (column, reason) when it is malformed."""
    upgraded = None
    get = obj.get
    if get("spec_version", bundle_version) == "2.0":
        obj, upgraded = upgrade(obj), "2.0"
        get = obj.get
    created, why = _timestamp(get("created"))
    if why:
        return None, ("created", why)
    modified, why = _timestamp(get("modified"))
    if why:
        return None, ("modified", why)
    if created and modified and modified < created:
        return None, ("modified", f"modified {obj['modified']} is before created {obj['created']}")
    granular = get("granular_markings")
    granular_refs = None
    if granular:
        granular_refs = [g.get("marking_ref") for g in granular if isinstance(g, dict) and g.get("marking_ref")] \
            if isinstance(granular, list) else None
    markings = get("object_marking_refs")
    if markings is not None:
        markings = _strings(markings)
    aliases = get("aliases") or get("x_mitre_aliases")
    if aliases is not None:
        aliases = _strings(aliases)
    name = get("name")
    refs = get("external_references")
    return (obj["id"], modified or created or "", obj["type"], get("spec_version") or "2.1", created, modified,
            name if type(name) is str else None, bool(get("revoked", False)), get("created_by_ref"), markings,
            granular_refs or None, tlp.highest(markings, levels) if markings else None,
            tlp.highest(granular_refs, levels) if granular_refs else None, get("relationship_type"),
            get("source_ref"), get("target_ref"), _external_id(refs) if refs else None, aliases, bundle_id,
            upgraded, _dumps(obj), f"object {number}"), None


LISTS = {"object_marking_refs", "granular_marking_refs", "aliases"}


def _column(name: str, values: tuple) -> pa.Array:
    """One column as an Arrow array; values of an unexpected JSON type (a number where text belongs) as text."""
    try:
        return pa.array(values)
    except (pa.ArrowInvalid, pa.ArrowTypeError):
        if name in LISTS:
            return pa.array([None if v is None else [str(x) for x in v] for v in values], pa.list_(pa.string()))
        return pa.array([None if v is None else v if isinstance(v, str) else json.dumps(v) for v in values],
                        pa.string())


def _frame(rows: list[tuple]) -> pd.DataFrame:
    """The rows as an Arrow-backed DataFrame (built column by column in C; the ingest reads it back zero-copy)."""
    if not rows:
        return pd.DataFrame(columns=["record_ref"])
    table = pa.table({name: _column(name, values) for name, values in zip(COLUMNS, zip(*rows))})
    return table.to_pandas(types_mapper=pd.ArrowDtype)


def read(path: Path) -> Iterator[Batch]:
    path = Path(path)
    doc = load_bundle(path)
    objects = doc.get("objects", [])
    bundle_id, bundle_version = doc.get("id"), doc.get("spec_version")
    levels = marking_levels(objects)
    rows, bad = [], []
    for number, obj in enumerate(objects, start=1):
        reason = _problem(obj, bundle_version)
        column = None
        row = None
        if reason is None:
            row, failure = _row(obj, number, bundle_id, bundle_version, levels)
            if failure:
                column, reason = failure
        if reason:
            raw = _dumps(obj) if isinstance(obj, (dict, list)) else repr(obj)
            bad.append({"record_ref": f"object {number}", "column_name": column, "raw": raw,
                        "reason": f"{path.name}, object {number}: {reason}"})
        else:
            rows.append(row)
        if len(rows) + len(bad) >= CHUNK:
            yield Batch(_frame(rows), quarantine_frame(bad), source_version=bundle_version)
            rows, bad = [], []
    if rows or bad or not objects:
        yield Batch(_frame(rows), quarantine_frame(bad), source_version=bundle_version)


ADAPTER = Adapter(name="stix", source=SOURCE, table="stix_objects", version=VERSION,
                  formats="STIX 2.1 bundle (.json or .json.gz; STIX 2.0 bundles are upgraded)", read=read,
                  licence=LICENCE)
