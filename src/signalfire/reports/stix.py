"""STIX 2.1 out: filtered incidents and stored knowledge objects as one bundle, never above a chosen TLP level.

* **Incidents** (``cyber_incidents``) become ``incident`` objects with standard properties (name, description,
  labels = the normalised type, confidence on STIX's 0–100 scale: high 85, medium 50, low 15, external
  references = the producer's id and links); what STIX 2.1's incident has no property for (dates, sponsor and
  victim states, sectors, response, severity, UN GGE norms) goes in a property extension defined in the bundle
  (``extension-definition`` "Signalfire incident details") — no ``x_`` properties.  Each state is an ``identity``
  (identity_class ``organization``, sector ``government-national``); relationships ``attributed-to`` (incident →
  sponsor), ``targets`` (incident → victim) and ``related-to`` (incident → the ATT&CK group it names).  Ids are
  UUIDv5s of the source and its id, so the same incident has the same id in every export.  Incidents come from
  public sources and are marked TLP:CLEAR (TLP 2.0).
* **Knowledge objects** (``stix_objects``, newest version of each id, revoked ones included) leave as stored,
  except that an object stored without ``spec_version`` leaves through the ingest's 2.0 → 2.1 upgrade
  (``sources.cyber.stix.upgrade``: ``spec_version`` and the properties 2.1 requires, e.g. malware ``is_family``;
  MITRE's ATT&CK objects carry none and lack ``is_family``), and ``created``/``modified`` are written to the
  millisecond (``…:00Z`` → ``…:00.000Z``, as 2.1 requires), so the bundle validates.
* **Markings**: an object leaves when its level — the strictest TLP among its object and granular markings — is
  at most ``tlp``.  An object without any TLP marking counts as ``unmarked`` (default ``amber``: not assumed
  public).  Marking definitions always leave; a relationship or sighting leaves only when every object it joins
  leaves (no reference to a withheld object); so do the identities and marking definitions others refer to.
"""

from __future__ import annotations

import json
import re
import uuid
from dataclasses import dataclass, field

import pandas as pd

from signalfire.analysis import cyber as q
from signalfire.geo.countries import country as country_named
from signalfire.sources.cyber import tlp
from signalfire.sources.cyber.stix import upgrade

try:
    import orjson
except ImportError:  # pragma: no cover
    orjson = None

NAMESPACE = uuid.UUID("6a1f0c52-5b0e-4c6b-9d4e-3e2f7b1c9a10")
CREATED = "2026-01-01T00:00:00.000Z"
IDENTITY_ID = f"identity--{uuid.uuid5(NAMESPACE, 'signalfire')}"
EXTENSION_ID = f"extension-definition--{uuid.uuid5(NAMESPACE, 'incident-details-1.0')}"
CONFIDENCE = {"high": 85, "medium": 50, "low": 15}
SOURCE_NAMES = {"cfr-cyber": "CFR Cyber Operations Tracker", "dcid": "DCID v2.0"}
# the object types of STIX 2.1 (SDOs, SROs, SCOs and the meta objects); a custom type starts with "x-"
STIX_TYPES = frozenset({"attack-pattern", "campaign", "course-of-action", "grouping", "identity", "incident",
    "indicator", "infrastructure", "intrusion-set", "location", "malware", "malware-analysis", "note",
    "observed-data", "opinion", "report", "threat-actor", "tool", "vulnerability", "relationship", "sighting",
    "artifact", "autonomous-system", "directory", "domain-name", "email-addr", "email-message", "file", "ipv4-addr",
    "ipv6-addr", "mac-addr", "mutex", "network-traffic", "process", "software", "url", "user-account",
    "windows-registry-key", "x509-certificate", "language-content", "marking-definition", "extension-definition"})
LINKED = ("source_ref", "target_ref", "sighting_of_ref", "observed_data_refs", "where_sighted_refs")


class ExportError(ValueError):
    """A bad export argument (unknown TLP level, type…): the message says which."""


@dataclass
class Selection:
    tlp: str = "clear"
    unmarked: str = "amber"
    country: str | None = None
    role: str = "any"
    since: str | None = None
    until: str | None = None
    incident_type: str | None = None
    source: str | None = None
    types: list[str] = field(default_factory=list)   # STIX types to export; empty: incidents + every stored type
    incidents: bool = True

    def check(self) -> None:
        for name in ("tlp", "unmarked"):
            value = getattr(self, name).lower()
            if value not in tlp.RANK:
                raise ExportError(f"unknown TLP level {value!r} for {name}; expected one of {', '.join(tlp.LEVELS)}")
            setattr(self, name, "clear" if value == "white" else value)
        if self.source not in (None, "") and self.source not in q.SOURCES:
            raise ExportError(f"unknown incident source {self.source!r}; expected one of {', '.join(q.SOURCES)}")
        unknown = [t for t in self.types if t not in STIX_TYPES and not t.startswith("x-")]
        if unknown:     # a mistyped type had exported nothing, silently ("wrote 0 objects")
            raise ExportError(f"unknown STIX type(s) {', '.join(map(repr, unknown))}; STIX 2.1 types are e.g. "
                              "incident, intrusion-set, attack-pattern, malware, tool, relationship (custom ones "
                              "start with x-)")

    @property
    def filters_incidents(self) -> bool:
        return any(v not in (None, "") for v in (self.country, self.since, self.until, self.incident_type,
                                                   self.source))


def _uuid5(*parts: str) -> str:
    return str(uuid.uuid5(NAMESPACE, "|".join(parts)))


def _ts(value) -> str:
    stamp = pd.Timestamp(value)
    return stamp.strftime("%Y-%m-%dT%H:%M:%S.") + f"{stamp.microsecond // 1000:03d}Z"


def _loads(text: str) -> dict:
    return orjson.loads(text) if orjson else json.loads(text)


def _signalfire() -> list[dict]:
    identity = {"type": "identity", "spec_version": "2.1", "id": IDENTITY_ID, "created": CREATED,
                "modified": CREATED, "name": "Signalfire", "identity_class": "system"}
    extension = {"type": "extension-definition", "spec_version": "2.1", "id": EXTENSION_ID,
                 "created_by_ref": IDENTITY_ID, "created": CREATED, "modified": CREATED,
                 "name": "Signalfire incident details", "version": "1.0",
                 "description": "Dates, states, sectors, attribution, response and UN GGE norms of a cyber incident.", "extension_types": ["property-extension"],
                 "schema": ("Properties of a cyber incident as coded by its source dataset: first_seen, last_seen "
                            "(dates), incident_type (espionage, sabotage, ddos, defacement, data_destruction, "
                            "financial_theft, doxing), type_as_published, sponsor_states and victim_states (ISO "
                            "3166 alpha-3), sectors, attribution, attribution_confidence, response, severity "
                            "(DCID 0-10), un_gge_2015_norms (A/70/174 paragraph 13 letters).")}
    return [identity, extension]


def state_identity(iso3: str) -> dict:
    found = country_named(iso3)
    return {"type": "identity", "spec_version": "2.1", "id": f"identity--{_uuid5('state', iso3)}",
            "created_by_ref": IDENTITY_ID, "created": CREATED, "modified": CREATED,
            "name": found.name if found else iso3, "identity_class": "organization",
            "sectors": ["government-national"],
            "external_references": [{"source_name": "ISO 3166-1 alpha-3", "external_id": iso3}],
            "object_marking_refs": [next(k for k, v in tlp.TLP2.items() if v == "clear")]}


def _relationship(kind: str, source: str, target: str, created: str) -> dict:
    return {"type": "relationship", "spec_version": "2.1", "id": f"relationship--{_uuid5(kind, source, target)}",
            "created_by_ref": IDENTITY_ID, "created": created, "modified": created, "relationship_type": kind,
            "source_ref": source, "target_ref": target,
            "object_marking_refs": [next(k for k, v in tlp.TLP2.items() if v == "clear")]}


def _clean(value):
    if isinstance(value, float) and pd.isna(value):
        return None
    if hasattr(value, "tolist"):
        return value.tolist()
    return value


def incident_objects(frame: pd.DataFrame, stamps: dict, groups: pd.DataFrame, group_ids: dict) -> list[dict]:
    """STIX objects for incident rows (incidents, state identities, relationships)."""
    clear = next(k for k, v in tlp.TLP2.items() if v == "clear")
    out, states = [], {}
    named = groups.groupby(["source", "source_id"])["group"].apply(list).to_dict() if len(groups) else {}
    for row in frame.to_dict("records"):
        row = {k: _clean(v) for k, v in row.items()}
        ident = f"incident--{_uuid5(row['source'], row['source_id'])}"
        created = stamps.get((row["source"], row["source_id"]), CREATED)
        details = {"extension_type": "property-extension"}
        for key, value in (("first_seen", row["date_start"]), ("last_seen", row["date_end"])):
            if value is not None and not pd.isna(value):
                details[key] = pd.Timestamp(value).strftime("%Y-%m-%d")
        for key, value in (("incident_type", row["type"]), ("type_as_published", row["type_raw"]),
                           ("sponsor_states", row["sponsor_iso3"]), ("victim_states", row["victim_iso3"]),
                           ("sectors", row["sectors"]), ("attribution", row["threat_actor"]),
                           ("attribution_confidence", row["attribution_confidence"]),
                           ("response", row["response"]), ("severity", row["severity"]),
                           ("un_gge_2015_norms", row["norms"])):
            if value not in (None, [], ""):
                details[key] = int(value) if key == "severity" else value
        refs = [{"source_name": SOURCE_NAMES.get(row["source"], row["source"]), "external_id": row["source_id"]}]
        refs += [{"source_name": "source", "url": url} for url in (row["urls"] or [])]
        incident = {"type": "incident", "spec_version": "2.1", "id": ident, "created_by_ref": IDENTITY_ID,
                    "created": created, "modified": created, "name": row["name"] or row["source_id"]}
        if row["description"]:
            incident["description"] = row["description"]
        if row["type"]:
            incident["labels"] = [row["type"]]
        if row["attribution_confidence"] in CONFIDENCE:
            incident["confidence"] = CONFIDENCE[row["attribution_confidence"]]
        incident.update(external_references=refs, object_marking_refs=[clear], extensions={EXTENSION_ID: details})
        out.append(incident)
        for kind, codes in (("attributed-to", row["sponsor_iso3"]), ("targets", row["victim_iso3"])):
            for code in codes or []:
                states.setdefault(code, state_identity(code))
                out.append(_relationship(kind, ident, states[code]["id"], created))
        for group in named.get((row["source"], row["source_id"]), []):
            if group in group_ids:
                out.append(_relationship("related-to", ident, group_ids[group], created))
    return [*states.values(), *out]


def _levels(con) -> dict[str, str]:
    levels = dict(tlp.KNOWN)
    for ident, text in con.execute("SELECT id, object FROM stix_objects WHERE type = 'marking-definition'").fetchall():
        level = tlp.level_of_definition(_loads(text))
        if level:
            levels[ident] = level
    return levels


def _knowledge(con, sel: Selection, named_groups: set[str]) -> list[dict]:
    clauses, params = ["true"], []
    if sel.types:
        clauses.append(f"type IN ({', '.join('?' * len(sel.types))})")
        params += sel.types
    elif sel.filters_incidents:   # incident filters: only the ATT&CK groups the chosen incidents name
        clauses.append("(type = 'marking-definition' OR (type = 'intrusion-set' AND list_contains(?, name)))")
        params.append(sorted(named_groups))
    where = " AND ".join(f"({c})" for c in clauses)
    rows = con.execute(f"""SELECT type, object_marking_refs, granular_marking_refs, object FROM stix_objects
        WHERE {where} QUALIFY row_number() OVER (PARTITION BY id ORDER BY version DESC) = 1
        ORDER BY type = 'relationship', id""", params).fetchall()
    levels = _levels(con)
    # a TLP marking defined under another id than the published ones is not valid STIX 2.1: its references
    # leave as the published TLP 2.0 definition of the same level, and the definition itself stays behind
    local = {ident: tlp.canonical(level) for ident, level in levels.items() if ident not in tlp.KNOWN}
    limit, unmarked = tlp.RANK[sel.tlp], sel.unmarked
    kept = []
    for kind, marks, granular, text in rows:
        if kind != "marking-definition":
            level = tlp.highest([*(marks or []), *(granular or [])], levels) or unmarked
            if tlp.RANK[level] > limit:
                continue
        obj = _loads(text)
        if obj.get("id") in local:
            continue
        if obj.get("id") in tlp.TLP1:     # the published text (an upgraded 2.0 copy lacks its 2.1 name)
            obj = tlp.definition1(obj["id"])
        if local:
            _remark(obj, local)
        kept.append(_millis(upgrade(obj) if "spec_version" not in obj else obj))
    return kept


def _remark(obj: dict, local: dict[str, str]) -> None:
    refs = obj.get("object_marking_refs")
    if isinstance(refs, list):
        obj["object_marking_refs"] = list(dict.fromkeys(local.get(r, r) for r in refs))
    for granular in obj.get("granular_markings") or []:
        if isinstance(granular, dict) and granular.get("marking_ref") in local:
            granular["marking_ref"] = local[granular["marking_ref"]]


def _definitions(objects: list[dict]) -> list[dict]:
    """The TLP 2.0 marking definitions the objects refer to but the bundle lacks (TLP 1.0's are predefined)."""
    have = {o["id"] for o in objects}
    wanted = []
    for obj in objects:
        refs = list(obj.get("object_marking_refs") or [])
        refs += [g.get("marking_ref") for g in obj.get("granular_markings") or [] if isinstance(g, dict)]
        wanted += [r for r in refs if r in tlp.TLP2 and r not in have and r not in wanted]
    return [tlp.definition(tlp.TLP2[r]) for r in wanted]


_COARSE = re.compile(r"^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(\d{1,2}))?Z$")


def _millis(obj: dict) -> dict:
    """``created``/``modified`` written to the millisecond (2.1 requires it; ``…:00Z`` → ``…:00.000Z``, the
    same instant)."""
    for key in ("created", "modified"):
        value = obj.get(key)
        match = _COARSE.match(value) if isinstance(value, str) else None
        if match:
            obj[key] = f"{match.group(1)}.{(match.group(2) or '').ljust(3, '0')}Z"
    return obj


def _closed(objects: list[dict]) -> list[dict]:
    """Drop objects that join a withheld object (relationships, sightings), until none does."""
    ids = {o["id"] for o in objects}
    while True:
        keep = []
        for obj in objects:
            refs = []
            for key in LINKED:
                value = obj.get(key)
                refs += value if isinstance(value, list) else ([value] if value else [])
            if all(r in ids for r in refs):
                keep.append(obj)
        if len(keep) == len(objects):
            return keep
        objects, ids = keep, {o["id"] for o in keep}


def export_bundle(con, sel: Selection | None = None) -> dict:
    """The bundle (a dict) for a selection; see the module docstring for what leaves."""
    sel = sel or Selection()
    sel.check()
    objects: list[dict] = []
    named: set[str] = set()
    want_incidents = sel.incidents and (not sel.types or "incident" in sel.types)
    if want_incidents:
        frame = q.cyber_incidents(con, sel.country, sel.role, sel.since, sel.until, sel.incident_type, sel.source)
        stamps = {(s, i): _ts(t) for s, i, t in con.execute(
            "SELECT c.source, c.source_id, r.started_at FROM cyber_incidents c JOIN ingest_runs r USING (run_id)"
        ).fetchall()}
        groups = q.incident_groups(con, frame) if len(frame) else pd.DataFrame(columns=["source", "source_id",
                                                                                       "group"])
        named = set(groups["group"])
        group_ids = dict(con.execute("SELECT name, id FROM stix_objects WHERE type = 'intrusion-set'").fetchall())
        if tlp.RANK["clear"] <= tlp.RANK[sel.tlp]:
            objects += _signalfire() + [tlp.definition("clear")] + incident_objects(frame, stamps, groups, group_ids)
    knowledge = _knowledge(con, Selection(**{**sel.__dict__, "types": [t for t in sel.types if t != "incident"]}),
                           named) if (not sel.types or set(sel.types) - {"incident"}) else []
    seen = {o["id"] for o in objects}
    objects += [o for o in knowledge if o["id"] not in seen]
    objects = _closed(objects)
    objects += _definitions(objects)
    return {"type": "bundle", "id": f"bundle--{uuid.uuid4()}", "objects": objects}


def dumps(bundle: dict, indent: bool = False) -> bytes:
    if orjson:
        return orjson.dumps(bundle, option=orjson.OPT_INDENT_2 if indent else 0)
    return json.dumps(bundle, ensure_ascii=False, indent=2 if indent else None).encode()
