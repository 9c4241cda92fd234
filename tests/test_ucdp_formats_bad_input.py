"""Bad input for the UCDP GeoJSON, ACD, CY and BRD adapters: truncated files, wrong delimiters, latin-1 bytes,
missing columns, garbage and oversized values.  Every run balances (read = new + updated + unchanged +
quarantined) and nothing but SourceError escapes."""

from __future__ import annotations

import csv
import json
import tempfile
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from signalfire.sources import SourceError, get
from signalfire.sources.validate import MISSING
from signalfire.store.ingest import IngestResult, ingest_file

FIXTURES = Path(__file__).resolve().parent / "fixtures"
CSV_ADAPTERS = {"ucdp-acd": "ucdp_acd_official_sample.csv", "ucdp-cy": "ucdp_cy_sample.csv",
                "ucdp-brd": "ucdp_brd_sample.csv"}
GEOJSON = FIXTURES / "ucdp_ged_sample.geojson"
# a required numeric column of each CSV adapter, and the column the adapter names when it is garbage
NUMERIC = {"ucdp-acd": "intensity_level", "ucdp-cy": "sb_total_deaths_best_cy", "ucdp-brd": "bd_best"}
REQUIRED = {"ucdp-acd": "year", "ucdp-cy": "year_cy", "ucdp-brd": "bd_best"}


def _rows(name):
    with open(FIXTURES / CSV_ADAPTERS[name], newline="", encoding="utf-8") as fh:
        return list(csv.reader(fh))


def _write(path, rows, delimiter=","):
    with open(path, "w", newline="", encoding="utf-8") as fh:
        csv.writer(fh, delimiter=delimiter, lineterminator="\n").writerows(rows)
    return path


def _run(store, name, path) -> IngestResult | SourceError:
    """Ingest; SourceError is an acceptable outcome (returned), any other exception fails the test."""
    try:
        result = ingest_file(store, get(name), path)
    except SourceError as exc:
        assert Path(path).name in str(exc)
        return exc
    assert result.read == result.new + result.updated + result.unchanged + result.quarantined
    return result


def _read_all(name, path):
    """Run the adapter alone; check each batch's accounting; returns (rows, quarantine) or the SourceError."""
    try:
        batches = list(get(name).read(path))
    except SourceError as exc:
        return exc
    for b in batches:
        assert b.read == len(b.rows) + len(b.quarantine)
    rows = pd.concat([b.rows for b in batches], ignore_index=True)
    quarantine = pd.concat([b.quarantine for b in batches], ignore_index=True)
    return rows, quarantine


# -- truncated files -----------------------------------------------------------------------------------------

@pytest.mark.parametrize("name", sorted(CSV_ADAPTERS))
def test_truncated_csv_quarantines_the_cut_line(store, tmp_path, name):
    data = (FIXTURES / CSV_ADAPTERS[name]).read_bytes()
    lines = data.split(b"\n")
    cut = len(b"\n".join(lines[:3])) + 1 + len(lines[3]) // 2   # in the middle of line 4
    path = tmp_path / ("cut_" + CSV_ADAPTERS[name])
    path.write_bytes(data[:cut])
    result = _run(store, name, path)
    assert isinstance(result, IngestResult)
    q = store.df("SELECT record_ref, reason FROM quarantine")
    assert "line 4" in set(q.record_ref) or any("line 4" in r for r in q.record_ref)
    assert all(r.startswith(path.name) for r in q.reason)


@pytest.mark.parametrize("name", sorted(CSV_ADAPTERS) + ["ucdp-ged-geojson"])
def test_empty_file_is_a_source_error(store, tmp_path, name):
    path = tmp_path / "empty.csv"
    path.write_bytes(b"")
    assert isinstance(_run(store, name, path), SourceError)


def test_truncated_geojson_names_line_and_column(store, tmp_path):
    data = GEOJSON.read_bytes()
    path = tmp_path / "cut.geojson"
    path.write_bytes(data[: len(data) * 2 // 3])
    err = _run(store, "ucdp-ged-geojson", path)
    assert isinstance(err, SourceError)
    assert "cut.geojson, line " in str(err) and "column" in str(err) and "truncated" in str(err)


# -- wrong delimiter -----------------------------------------------------------------------------------------

@pytest.mark.parametrize("name", sorted(CSV_ADAPTERS))
def test_other_delimiters(store, tmp_path, name):
    reference = _read_all(name, FIXTURES / CSV_ADAPTERS[name])[0]
    tabbed = _read_all(name, _write(tmp_path / "tabbed.tsv", _rows(name), "\t"))[0]
    pd.testing.assert_frame_equal(reference.reset_index(drop=True), tabbed.reset_index(drop=True))
    colon = _write(tmp_path / "colon.csv", _rows(name), ":")
    err = _run(store, name, colon)
    assert isinstance(err, SourceError) and "colon.csv" in str(err)


def test_geojson_adapter_given_a_csv(store):
    err = _run(store, "ucdp-ged-geojson", FIXTURES / "ucdp_acd_official_sample.csv")
    assert isinstance(err, SourceError) and "not valid JSON" in str(err)


def test_geojson_that_is_not_a_feature_collection(store, tmp_path):
    path = tmp_path / "list.geojson"
    path.write_text(json.dumps([{"type": "Feature"}]))
    err = _run(store, "ucdp-ged-geojson", path)
    assert isinstance(err, SourceError) and "FeatureCollection" in str(err)


# -- wrong encoding ------------------------------------------------------------------------------------------

def test_latin1_bytes_are_transcoded(store, tmp_path):
    rows = _rows("ucdp-acd")
    rows[1][1] = "Côte d'Ivoire"
    rows[1][5] = "Forces Républicaines"
    text = "\n".join(",".join(f'"{v}"' for v in r) for r in rows) + "\n"
    path = tmp_path / "acd_latin1.csv"
    path.write_bytes(text.encode("latin-1"))
    result = _run(store, "ucdp-acd", path)
    assert (result.new, result.quarantined) == (8, 0)
    got = store.df("SELECT location, side_b FROM conflicts WHERE conflict_id = 90001 AND year = 2019").iloc[0]
    assert (got.location, got.side_b) == ("Côte d'Ivoire", "Forces Républicaines")


@pytest.mark.parametrize("name, column", [("ucdp-cy", "country_cy"), ("ucdp-brd", "side_b")])
def test_latin1_bytes_in_text_columns_do_not_lose_values(store, tmp_path, name, column):
    rows = _rows(name)
    rows[2][rows[0].index(column)] = "Forces Républicaines de Côte d'Ivoire"
    path = tmp_path / "latin1.csv"
    with open(path, "w", newline="", encoding="latin-1") as fh:
        csv.writer(fh, lineterminator="\n").writerows(rows)
    reference = _read_all(name, FIXTURES / CSV_ADAPTERS[name])[0]
    result = _run(store, name, path)
    assert (result.new, result.quarantined) == (len(reference), 0)


def test_latin1_geojson(store, tmp_path):
    doc = json.loads(GEOJSON.read_text(encoding="utf-8"))
    doc["features"][0]["properties"]["adm_1"] = "Bégoua"
    path = tmp_path / "latin1.geojson"
    path.write_bytes(json.dumps(doc, ensure_ascii=False).encode("latin-1"))
    result = _run(store, "ucdp-ged-geojson", path)
    assert (result.new, result.quarantined) == (3, 0)
    assert store.df("SELECT admin1 FROM events WHERE source_id = '990001'").admin1[0] == "Bégoua"


# -- missing required columns --------------------------------------------------------------------------------

@pytest.mark.parametrize("name", sorted(CSV_ADAPTERS))
def test_missing_required_column(store, tmp_path, name):
    rows = _rows(name)
    drop = rows[0].index(REQUIRED[name])
    path = _write(tmp_path / "dropped.csv", [r[:drop] + r[drop + 1:] for r in rows])
    err = _run(store, name, path)
    assert isinstance(err, SourceError)
    assert "dropped.csv, line 1: missing required column(s)" in str(err) and REQUIRED[name] in str(err)


def test_acd_peacesciencer_layout_missing_columns(store, tmp_path):
    path = _write(tmp_path / "ps.csv", [["conflict_id", "year", "gwno_a", "incompatibility", "intensity_level"],
                                        ["1.0", "1990.0", "2.0", "territory", "1.0"]])
    err = _run(store, "ucdp-acd", path)
    assert isinstance(err, SourceError) and "type_of_conflict" in str(err)


def test_geojson_missing_required_property(store, tmp_path):
    doc = json.loads(GEOJSON.read_text(encoding="utf-8"))
    for f in doc["features"]:
        del f["properties"]["best"]
    path = tmp_path / "nobest.geojson"
    path.write_text(json.dumps(doc))
    err = _run(store, "ucdp-ged-geojson", path)
    assert isinstance(err, SourceError) and "nobest.geojson" in str(err) and "best" in str(err)


def test_cy_without_death_columns(store, tmp_path):
    path = _write(tmp_path / "cy.csv", [["country_id_cy", "year_cy", "country_cy"], ["432", "2020", "Mali"]])
    err = _run(store, "ucdp-cy", path)
    assert isinstance(err, SourceError) and "sb_total_deaths_best_cy" in str(err)


# -- garbage values ------------------------------------------------------------------------------------------

def _not_a_number(text: str) -> bool:
    value = text.strip()
    if value in MISSING:
        return False
    return pd.isna(pd.to_numeric(pd.Series([value]), errors="coerce")[0]) or value.lower() in (
        "inf", "-inf", "+inf", "infinity", "-infinity", "+infinity")


garbage = st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\n\r\x00"),
                  min_size=1, max_size=30).filter(_not_a_number)


@settings(max_examples=15, deadline=None)
@given(name=st.sampled_from(sorted(CSV_ADAPTERS)), line=st.integers(2, 6), value=garbage)
def test_garbage_number_is_quarantined_with_line_and_column(name, line, value):
    rows = _rows(name)
    column = NUMERIC[name]
    rows[line - 1][rows[0].index(column)] = value
    with tempfile.TemporaryDirectory() as tmp:
        out = _read_all(name, _write(Path(tmp) / "garbage.csv", rows))
    assert not isinstance(out, SourceError), out
    rows_out, quarantine = out
    hits = quarantine[quarantine.reason.str.contains(f"garbage.csv, line {line}, ", regex=False)]
    assert any(f"line {line}, column {column}: not a number" in r for r in hits.reason)
    # the other lines' records are all still there
    if name == "ucdp-cy":
        assert len(rows_out) + len(quarantine) == 5 * 58 and len(quarantine) == 1
    elif name == "ucdp-acd":
        assert len(rows_out) == 7 and len(quarantine) == 1


@settings(max_examples=20, deadline=None)
@given(name=st.sampled_from(sorted(CSV_ADAPTERS)), line=st.integers(1, 6), column=st.integers(0, 73),
       value=st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), max_size=40))
def test_any_cell_replaced_by_anything_only_source_error_escapes(name, line, column, value):
    rows = _rows(name)
    rows[line - 1][column % len(rows[0])] = value
    with tempfile.TemporaryDirectory() as tmp:
        _read_all(name, _write(Path(tmp) / "fuzz.csv", rows))   # asserts per-batch accounting inside


def test_garbage_ingest_accounting(store, tmp_path):
    rows = _rows("ucdp-acd")
    rows[2][rows[0].index("year")] = "19x4"
    rows[3][rows[0].index("type_of_conflict")] = "civil war"
    rows[4][rows[0].index("gwno_loc")] = "432, 99999"
    rows[5][rows[0].index("start_date")] = "2021-13-45"
    result = _run(store, "ucdp-acd", _write(tmp_path / "bad.csv", rows))
    assert (result.read, result.new, result.quarantined) == (8, 4, 4)
    reasons = " | ".join(store.df("SELECT reason FROM quarantine ORDER BY record_ref").reason)
    assert "bad.csv, line 3, column year: not a number: '19x4'" in reasons
    assert "line 4, column type_of_conflict: unknown value: 'civil war'" in reasons
    assert "line 5, column gwno_loc: unknown Gleditsch–Ward code '99999'" in reasons
    assert "line 6, column start_date: not a date: '2021-13-45'" in reasons


def test_cy_garbage_cell_quarantines_only_that_value(store, tmp_path):
    rows = _rows("ucdp-cy")
    rows[1][rows[0].index("os_total_deaths_best_cy")] = "many"
    rows[2][rows[0].index("country_id_cy")] = "9999"
    result = _run(store, "ucdp-cy", _write(tmp_path / "cy.csv", rows))
    assert result.read == 5 * 58 and result.quarantined == 1 + 58 and result.new == 5 * 58 - 59
    q = store.df("SELECT record_ref, column_name, reason FROM quarantine")
    assert q[q.record_ref == "line 2"].column_name.tolist() == ["os_total_deaths_best_cy"]
    assert (q.record_ref == "line 3").sum() == 58
    assert q[q.record_ref == "line 3"].reason.str.contains("unknown Gleditsch–Ward code '9999'").all()


def test_brd_repeated_dyad_year_and_bad_lines(store, tmp_path):
    rows = _rows("ucdp-brd")
    rows.append(list(rows[1]))                             # line 8 repeats line 2's dyad-year
    rows[4][rows[0].index("gwno_battle")] = "436, abc"     # line 5
    rows[5][rows[0].index("bd_high")] = "-5"               # line 6
    result = _run(store, "ucdp-brd", _write(tmp_path / "brd.csv", rows))
    q = store.df("SELECT record_ref, reason FROM quarantine ORDER BY record_ref")
    assert q.record_ref.tolist() == ["line 5", "line 6", "line 8"]
    assert "repeated dyad-year 91001/2019 (first at line 2)" in q.reason[2]
    assert "column gwno_battle: not a list of whole-number codes: '436, abc'" in q.reason[0]
    assert "column bd_high: below 0" in q.reason[1]
    refs = " ".join(store.df("SELECT record_ref FROM country_year").record_ref)
    assert "8" not in refs.replace("2008", "") and result.quarantined == 3


@settings(max_examples=15, deadline=None)
@given(feature=st.integers(0, 2), broken=st.sampled_from([
    None, {"type": "Point"}, {"type": "LineString", "coordinates": [[0, 0], [1, 1]]},
    {"type": "Point", "coordinates": ["a", 1]}, {"type": "Point", "coordinates": [1]}, "point"]),
    props=st.sampled_from(["keep", None, [], "text"]))
def test_geojson_broken_features_are_quarantined(feature, broken, props):
    doc = json.loads(GEOJSON.read_text(encoding="utf-8"))
    doc["features"][feature]["geometry"] = broken
    if props != "keep":
        doc["features"][feature]["properties"] = props
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "broken.geojson"
        path.write_text(json.dumps(doc))
        rows, quarantine = _read_all("ucdp-ged-geojson", path)
    assert len(rows) == 2 and quarantine.record_ref.tolist() == [f"feature {feature + 1}"]
    assert quarantine.reason[0].startswith(f"broken.geojson, feature {feature + 1}: ")


def test_geojson_garbage_property_names_feature_and_column(store, tmp_path):
    doc = json.loads(GEOJSON.read_text(encoding="utf-8"))
    doc["features"][1]["properties"]["best"] = "lots"
    doc["features"].append("not a feature")
    path = tmp_path / "garbage.geojson"
    path.write_text(json.dumps(doc))
    result = _run(store, "ucdp-ged-geojson", path)
    assert (result.read, result.new, result.quarantined) == (4, 2, 2)
    reasons = store.df("SELECT reason FROM quarantine ORDER BY record_ref").reason.tolist()
    assert reasons == ["garbage.geojson, feature 2, column best: not a number: 'lots'",
                       "garbage.geojson, feature 4: not a GeoJSON feature object"]


# -- oversized fields ----------------------------------------------------------------------------------------

@pytest.mark.parametrize("name", sorted(CSV_ADAPTERS))
def test_oversized_fields(store, tmp_path, name):
    rows = _rows(name)
    rows[3][-2] = "x" * 5_000_000                        # line 4: longer than the 4 MB line limit
    rows[4][rows[0].index(NUMERIC[name])] = "9" * 5_000  # line 5: a number too long to be one
    result = _run(store, name, _write(tmp_path / "big.csv", rows))
    q = store.df("SELECT record_ref, reason, length(raw) AS n FROM quarantine")
    assert q[q.record_ref == "line 4"].reason.str.startswith("big.csv, line 4: line longer than 4000000 bytes").all()
    assert q[q.record_ref == "line 5"].reason.str.contains(f"column {NUMERIC[name]}: not a number").any()
    assert q.n.max() <= 10_000 and result.quarantined == len(q)


def test_geojson_oversized_property(store, tmp_path):
    doc = json.loads(GEOJSON.read_text(encoding="utf-8"))
    doc["features"][2]["properties"]["source_article"] = "y" * 200_000
    path = tmp_path / "big.geojson"
    path.write_text(json.dumps(doc))
    result = _run(store, "ucdp-ged-geojson", path)
    assert (result.new, result.quarantined) == (2, 1)
    q = store.df("SELECT record_ref, column_name, reason, length(raw) AS n FROM quarantine").iloc[0]
    assert (q.record_ref, q.column_name) == ("feature 3", "source_article")
    assert "longer than 100000 characters" in q.reason and q.n <= 10_000


@pytest.mark.parametrize("name", sorted(CSV_ADAPTERS))
def test_header_only_and_all_lines_bad(store, tmp_path, name):
    rows = _rows(name)
    per_line = 58 if name == "ucdp-cy" else 1
    header_only = _run(store, name, _write(tmp_path / "header.csv", rows[:1]))
    assert (header_only.read, header_only.new, header_only.quarantined) == (0, 0, 0)
    all_bad = _run(store, name, _write(tmp_path / "bad.csv", [rows[0]] + [["x"] * len(rows[0])] * 3 + [["1"]]))
    assert (all_bad.read, all_bad.new, all_bad.quarantined) == (4 * per_line, 0, 4 * per_line)


def test_geojson_with_no_readable_feature(store, tmp_path):
    path = tmp_path / "none.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": [1, None, {"type": "Feature"}]}))
    err = _run(store, "ucdp-ged-geojson", path)   # no feature has properties: nothing says this is GED
    assert isinstance(err, SourceError) and "missing required column(s) id" in str(err)
    doc = json.loads(GEOJSON.read_text(encoding="utf-8"))
    doc["features"] = doc["features"][:1] + [1, None, {"type": "Feature"}]
    path.write_text(json.dumps(doc))
    result = _run(store, "ucdp-ged-geojson", path)
    assert (result.read, result.new, result.quarantined) == (4, 1, 3)
