"""STIX 2.1 in and out: ATT&CK bundles round-trip (counts by type equal json.load's), custom objects and
properties kept verbatim, TLP 1.0/2.0 and granular markings recognised, a STIX 2.0 bundle upgraded, malformed
objects quarantined with reasons, and exports accepted by stix2-validator with nothing above the chosen TLP."""

from __future__ import annotations

import gzip
import json
from collections import Counter

import pytest
from stix2validator import ValidationOptions, validate_instance, validate_string
from typer.testing import CliRunner

from signalfire.reports.stix import ExportError, Selection, export_bundle
from signalfire.sources import get
from signalfire.sources.base import SourceError
from signalfire.sources.cyber.stix import upgrade
from signalfire.store.ingest import ingest_file

OPTIONS = ValidationOptions(version="2.1")


def _load(path):
    with (gzip.open(path, "rb") if str(path).endswith(".gz") else open(path, "rb")) as fh:
        return json.load(fh)


def _balanced(result):
    assert result.read == result.new + result.updated + result.unchanged + result.quarantined


def _stored_counts(store) -> Counter:
    return Counter(dict(store.df("SELECT type, count(*) AS n FROM stix_objects GROUP BY type").values.tolist()))


def _valid(bundle: dict) -> None:
    result = validate_string(json.dumps(bundle), OPTIONS)
    errors = [str(e) for r in (result if isinstance(result, list) else [result]) for e in r.errors]
    assert result.is_valid, errors[:5]


@pytest.mark.parametrize("name", ["enterprise-attack-v18.1.json.gz", "ics-attack-v18.1.json"])
def test_attack_bundles_load_whole_and_reingest_is_noop(store, shared_data, name):
    path = shared_data(f"cyber/attack/{name}")
    expected = Counter(o["type"] for o in _load(path)["objects"])
    result = ingest_file(store, get("stix"), path)
    _balanced(result)
    assert result.read == sum(expected.values())
    assert (result.new, result.quarantined) == (result.read, 0)
    assert _stored_counts(store) == expected
    again = ingest_file(store, get("stix"), path)
    assert again.status == "unchanged" and again.unchanged == result.read


def test_attack_export_round_trip_counts(store, shared_data):
    path = shared_data("cyber/attack/ics-attack-v18.1.json")
    original = _load(path)["objects"]
    ingest_file(store, get("stix"), path)
    out = export_bundle(store.con, Selection(tlp="red", incidents=False))
    assert Counter(o["type"] for o in out["objects"]) == Counter(o["type"] for o in original)
    by_id = {o["id"]: upgrade(o) for o in original}           # MITRE's ICS bundle says spec_version 2.0
    assert all(o == by_id[o["id"]] for o in out["objects"])       # every object as the producer wrote it
    for obj in out["objects"][:40]:                                 # the validator takes ~30 ms per object
        assert validate_instance(obj, OPTIONS).is_valid, obj["id"]


def test_attack_excerpt_groups_and_validated_export(store, fixtures_dir):
    result = ingest_file(store, get("stix"), fixtures_dir / "cyber" / "attack_excerpt.json")
    assert (result.read, result.quarantined) == (11, 0)
    group = store.attack_group("Fancy Bear")          # an alias
    assert group["group"]["name"] == "APT28" and group["group"]["external_id"] == "G0007"
    assert len(group["techniques"]) == 2 and len(group["software"]) == 1
    assert store.attack_group("g0007")["group"]["name"] == "APT28"
    assert store.stix_objects(type="attack-pattern").shape[0] == 2      # revoked left out by default
    assert store.stix_objects(type="attack-pattern", include_revoked=True).shape[0] == 3
    _valid(export_bundle(store.con, Selection(tlp="red", incidents=False)))


def test_custom_objects_markings_and_verbatim_text(store, fixtures_dir):
    path = fixtures_dir / "cyber" / "custom_tlp_bundle.json"
    original = {o["id"]: o for o in json.loads(path.read_text())["objects"]}
    result = ingest_file(store, get("stix"), path)
    assert (result.read, result.new, result.quarantined) == (13, 13, 0)
    rows = store.df("SELECT id, type, spec_version, tlp, tlp_granular, object_marking_refs, granular_marking_refs, "
                    "object, version FROM stix_objects").set_index("id")
    for ident, obj in original.items():
        stored = json.loads(rows.loc[ident, "object"])
        assert stored == obj and list(stored) == list(obj)         # same properties, same key order
    tlp = rows["tlp"].to_dict()
    assert tlp["indicator--6b2e1e8f-3d5c-4f0b-9a7e-2c1d0e9f8a7b"] == "red"            # TLP 2.0 id
    assert tlp["x-example-sensor--2d3e4f5a-6b7c-4d8e-9f0a-1b2c3d4e5f6a"] == "amber"   # TLP 1.0 id
    assert tlp["relationship--0f1e2d3c-4b5a-4968-8776-5a4b3c2d1e0f"] == "clear"       # TLP 1.0 white
    assert tlp["intrusion-set--4f1c6b0e-3c1a-4d7e-9a52-8a1f0c2d3e4f"] == "green"      # beside a statement
    assert tlp["sighting--7c6b5a4d-3e2f-4a1b-8c9d-0e1f2a3b4c5d"] == "amber"           # TLP 2.0 amber
    malware = rows.loc["malware--9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d"]
    assert (malware["tlp"], malware["tlp_granular"]) == ("green", "amber")             # in-bundle TLP definition
    assert list(malware["granular_marking_refs"]) == ["marking-definition--1d2c3b4a-5e6f-4a7b-8c9d-0e1f2a3b4c5d"]
    assert rows.loc["campaign--5a4b3c2d-1e0f-4a9b-8c7d-6e5f4a3b2c1d", "spec_version"] == "2.1"   # none given
    assert rows.loc["ipv4-addr--ff26c055-6336-5bc5-b98d-13d6226742dd", "version"] == ""          # an SCO
    assert store.stix_objects(type="x-example-sensor").shape[0] == 1


def _exported_ids(store, **kw) -> set[str]:
    bundle = export_bundle(store.con, Selection(incidents=False, **kw))
    _valid(bundle)
    return {o["id"] for o in bundle["objects"]}


def test_tlp_filtering_never_lets_a_higher_level_out(store, fixtures_dir):
    ingest_file(store, get("stix"), fixtures_dir / "cyber" / "custom_tlp_bundle.json")
    red = "indicator--6b2e1e8f-3d5c-4f0b-9a7e-2c1d0e9f8a7b"
    amber = {"x-example-sensor--2d3e4f5a-6b7c-4d8e-9f0a-1b2c3d4e5f6a", "sighting--7c6b5a4d-3e2f-4a1b-8c9d-0e1f2a3b4c5d",
             "malware--9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d"}                 # the malware by its granular marking
    unmarked = {"campaign--5a4b3c2d-1e0f-4a9b-8c7d-6e5f4a3b2c1d", "ipv4-addr--ff26c055-6336-5bc5-b98d-13d6226742dd",
                "identity--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f"}
    every = _exported_ids(store, tlp="red")
    assert red in every and amber <= every and unmarked <= every
    at_amber = _exported_ids(store, tlp="amber")
    sighting = "sighting--7c6b5a4d-3e2f-4a1b-8c9d-0e1f2a3b4c5d"
    assert red not in at_amber and amber - {sighting} <= at_amber and unmarked <= at_amber
    # a relationship or sighting joining a withheld object does not leave either
    assert "relationship--0f1e2d3c-4b5a-4968-8776-5a4b3c2d1e0f" not in at_amber        # indicates (from the red one)
    assert sighting not in at_amber                                                     # amber, of the red one
    at_green = _exported_ids(store, tlp="green")
    assert not (amber | unmarked) & at_green and red not in at_green
    assert "intrusion-set--4f1c6b0e-3c1a-4d7e-9a52-8a1f0c2d3e4f" in at_green
    assert "relationship--1a2b3c4d-5e6f-4a1b-9c2d-3e4f5a6b7c8d" not in at_green        # its malware is amber
    at_clear = _exported_ids(store, tlp="clear")
    assert "intrusion-set--4f1c6b0e-3c1a-4d7e-9a52-8a1f0c2d3e4f" not in at_clear
    assert unmarked <= _exported_ids(store, tlp="clear", unmarked="clear")
    with pytest.raises(ExportError, match="unknown TLP level"):
        export_bundle(store.con, Selection(tlp="purple"))
    # a mistyped type or source had exported nothing, silently ("wrote 0 objects", exit 0)
    with pytest.raises(ExportError, match="unknown STIX type.*'foo'"):
        export_bundle(store.con, Selection(types=["intrusion-set", "foo"]))
    with pytest.raises(ExportError, match="unknown incident source 'acled'; expected one of cfr-cyber, dcid"):
        export_bundle(store.con, Selection(source="acled"))
    assert export_bundle(store.con, Selection(types=["x-mitre-tactic"]))["type"] == "bundle"   # custom: allowed


def test_stix20_bundle_is_upgraded_in_one_transaction(store, fixtures_dir):
    result = ingest_file(store, get("stix"), fixtures_dir / "cyber" / "stix20_bundle.json")
    assert (result.read, result.new, result.quarantined) == (4, 4, 0)
    rows = store.df("SELECT id, type, spec_version, upgraded_from, tlp, object FROM stix_objects").set_index("type")
    assert set(rows["spec_version"]) == {"2.1"} and set(rows["upgraded_from"]) == {"2.0"}
    indicator = json.loads(rows.loc["indicator", "object"])
    assert indicator["pattern_type"] == "stix" and indicator["indicator_types"] == ["malicious-activity"]
    assert json.loads(rows.loc["malware", "object"])["malware_types"] == ["remote-access-trojan"]
    assert rows.loc["indicator", "tlp"] == "green"
    _valid(export_bundle(store.con, Selection(tlp="red", incidents=False)))


def test_malformed_objects_are_quarantined_with_reasons(store, fixtures_dir):
    result = ingest_file(store, get("stix"), fixtures_dir / "cyber" / "malformed_bundle.json")
    _balanced(result)
    assert (result.read, result.new, result.quarantined) == (8, 1, 7)
    reasons = store.df("SELECT record_ref, reason FROM quarantine ORDER BY record_ref").set_index("record_ref")
    expect = {"object 2": "no id", "object 3": "is not <type>--<UUID>", "object 4": "no type",
              "object 5": "is before created", "object 6": "not a STIX timestamp",
              "object 7": "does not start with its type", "object 8": "not a JSON object"}
    for ref, text in expect.items():
        assert text in reasons.loc[ref, "reason"] and "malformed_bundle.json" in reasons.loc[ref, "reason"]


@pytest.mark.parametrize("content, message", [
    ("[1, 2]", "not a STIX bundle"),
    ("{not json", "not JSON"),
    ('{"type": "bundle", "id": "bundle--0e1f2a3b-4c5d-4e6f-8a7b-9c0d1e2f3a4b", "spec_version": "3.0", "objects": []}',
     "not supported"),
    ('{"type": "bundle", "objects": {"a": 1}}', "not a list"),
])
def test_wrong_files_are_clear_errors_and_load_nothing(store, tmp_path, content, message):
    path = tmp_path / "x.json"
    path.write_text(content)
    with pytest.raises(SourceError, match=message):
        ingest_file(store, get("stix"), path)
    assert store.df("SELECT count(*) AS n FROM stix_objects").n[0] == 0


def test_cli_ingest_and_export(tmp_path, fixtures_dir):
    from signalfire.cli import app
    runner = CliRunner()
    db = tmp_path / "s.duckdb"
    done = runner.invoke(app, ["ingest", "stix", str(fixtures_dir / "cyber" / "custom_tlp_bundle.json"),
                               "--store", str(db)])
    assert done.exit_code == 0, done.output
    out = tmp_path / "out.json"
    done = runner.invoke(app, ["export", "stix", "--store", str(db), "--tlp", "amber", "--type",
                               "indicator,intrusion-set,malware", "-o", str(out)])
    assert done.exit_code == 0, done.output
    bundle = json.loads(out.read_text())
    types = {o["type"] for o in bundle["objects"]}
    assert types == {"intrusion-set", "malware", "marking-definition"}                 # the indicator is red
    _valid(bundle)
    bad = runner.invoke(app, ["export", "stix", "--store", str(db), "--tlp", "purple", "-o", str(out)])
    assert bad.exit_code == 2 and "unknown TLP level" in bad.output
    bad = runner.invoke(app, ["export", "stix", "--store", str(db), "--type", "foo", "-o", str(out)])
    assert bad.exit_code == 2 and "unknown STIX type(s) 'foo'" in bad.output
