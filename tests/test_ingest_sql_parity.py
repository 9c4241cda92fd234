"""The engine's (SQL) ingest path against the row path (the reference): identical events, row hashes, record
references, quarantine rows and run counts on the same files, good and hostile; and the files the SQL path
leaves to the row path (a carriage return inside a field, mixed GDELT layouts) read correctly."""

from __future__ import annotations

import gzip
import io

import pandas as pd
import pytest

from signalfire.sources import get
from signalfire.sources.gdelt import LAYOUTS
from signalfire.store.database import StoreError
from signalfire.store.ingest import ingest_file
from signalfire.warehouse import Warehouse

GED = get("ucdp-ged")
GDELT = get("gdelt")
DEMO_GED = __import__("pathlib").Path(__file__).resolve().parents[1] / "src/signalfire/demo/ged_v23_1_sample1000.csv.gz"
FIXTURES = __import__("pathlib").Path(__file__).resolve().parent / "fixtures"


def _ingest(tmp_path, name, adapter, files, mode):
    """Ingest the files in turn into a fresh store; (results, events, quarantine, runs)."""
    with Warehouse(tmp_path / f"{name}-{mode}.duckdb") as wh:
        results = [ingest_file(wh, adapter, f, mode=mode) for f in files]
        events = wh.df("SELECT * EXCLUDE (run_id) FROM events ORDER BY source, source_id")
        quarantine = wh.df("SELECT record_ref, column_name, raw, reason, run_id, file_name FROM quarantine "
                           "ORDER BY run_id, record_ref, reason")
        runs = wh.df("SELECT rows_read, rows_new, rows_updated, rows_unchanged, rows_quarantined, source_version "
                     "FROM ingest_runs ORDER BY run_id")
    counts = [(r.read, r.new, r.updated, r.unchanged, r.quarantined, r.status) for r in results]
    return counts, events, quarantine, runs


def _same(tmp_path, name, adapter, files, sql="sql"):
    rows = _ingest(tmp_path, name, adapter, files, "rows")
    fast = _ingest(tmp_path, name, adapter, files, sql)
    assert rows[0] == fast[0]
    for a, b in zip(rows[1:], fast[1:]):
        pd.testing.assert_frame_equal(a.reset_index(drop=True), b.reset_index(drop=True))
    return rows


def _ged_frame(n=300):
    return pd.read_csv(DEMO_GED, dtype=str, keep_default_na=False).head(n)


def test_ged_release_rows_are_identical(tmp_path):
    path = tmp_path / "ged_v23_1_part.csv"
    _ged_frame().to_csv(path, index=False)
    counts, events, _q, _r = _same(tmp_path, "ged", GED, [path, path])
    assert counts[0][:2] == (300, 300) and counts[1][-1] == "unchanged"
    assert len(events) == 300 and events.row_hash.notna().all()


def test_ged_odd_and_bad_records_get_the_row_paths_rows_and_reasons(tmp_path):
    frame = _ged_frame(40)
    odd = {0: ("date_start", "1/3/2013 12:00:00 AM"), 1: ("best", "abc"), 2: ("best", ""), 3: ("latitude", "91"),
           4: ("country_id", "999"), 5: ("type_of_violence", "4"), 6: ("date_end", "2001-01-01"),
           7: ("id", "-5"), 8: ("latitude", "NA"), 9: ("where_description", "  padded\u00a0"),
           10: ("side_a", "x" * 50_001), 11: ("low", "1e2"), 12: ("date_start", "2013-02-30"),
           13: ("country_id", "345.0"), 14: ("id", frame.loc[15, "id"]), 16: ("where_prec", "9.0"),
           17: ("dyad_name", "Sudan \u2014 "), 18: ("date_start", "1989-05-10 13:45:10"), 19: ("best", "2.5")}
    for row, (column, value) in odd.items():
        frame.loc[row, column] = value
    path = tmp_path / "ged_odd.csv"
    frame.to_csv(path, index=False)
    counts, _events, quarantine, _r = _same(tmp_path, "odd", GED, [path])
    assert counts[0][4] == len(quarantine) >= 10
    assert any("not a date" in r for r in quarantine.reason)


def test_ged_rejected_lines_and_a_changed_file(tmp_path):
    text = _ged_frame(30).to_csv(index=False).splitlines()
    text[5] = text[5] + ",extra"                                  # too many fields
    text[9] = text[9].split(",", 3)[0]                            # too few
    first = tmp_path / "ged_rejects.csv"
    first.write_text("\n".join(text) + "\n", encoding="utf-8")
    changed = _ged_frame(30)
    changed.loc[20, "best"] = "77"
    second = tmp_path / "ged_rejects_v2.csv"
    changed.to_csv(second, index=False)
    counts, _events, quarantine, _r = _same(tmp_path, "rej", GED, [first, second])
    assert counts[0][4] == 2 and counts[1][2] >= 1
    assert set(quarantine.record_ref[quarantine.run_id == 1]) == {"line 6", "line 10"}


def test_ged_gzipped_and_latin1_files(tmp_path):
    frame = _ged_frame(20)
    frame.loc[3, "where_description"] = "Tizi Ouzou, près de la côte"
    gz = tmp_path / "ged_gz.csv.gz"
    with gzip.open(gz, "wt", encoding="utf-8") as fh:
        frame.to_csv(fh, index=False)
    latin = tmp_path / "ged_latin1.csv"
    latin.write_bytes(frame.to_csv(index=False).encode("cp1252", errors="replace"))
    _same(tmp_path, "gz", GED, [gz])
    _same(tmp_path, "latin", GED, [latin])


@pytest.mark.parametrize("name", ["gdelt_v2_20220301.export.CSV", "gdelt_v2_20220301.export.CSV.zip",
                                  "gdelt_v1_historical_2005.tsv"])
def test_gdelt_fixtures_are_identical(tmp_path, name):
    _same(tmp_path, "g", GDELT, [FIXTURES / name, FIXTURES / name])


def test_gdelt_bad_records_and_rejects(tmp_path):
    lines = (FIXTURES / "gdelt_v2_20220301.export.CSV").read_text(encoding="utf-8").splitlines()
    good = next(f for f in (ln.split("\t") for ln in lines) if f[LAYOUTS[61].index("ActionGeo_CountryCode")])
    out = []
    for i in range(30):
        f = list(good)
        f[0] = str(5_000_000 + i)
        out.append(f)
    idx = {n: i for i, n in enumerate(LAYOUTS[len(good)])}
    for block in ("Actor1Geo", "Actor2Geo", "ActionGeo"):                # no location
        out[1][idx[f"{block}_CountryCode"]] = ""
    out[2][idx["EventRootCode"]] = "99"                                  # not a CAMEO root
    out[3][idx["ActionGeo_Lat"]] = "123.5"                               # latitude out of range
    out[4][idx["SQLDATE"]] = "20221399"                                  # not a date
    out[5][idx["ActionGeo_CountryCode"]] = "ZZ"                          # unknown FIPS
    out[6][idx["GLOBALEVENTID"]] = out[7][idx["GLOBALEVENTID"]]          # duplicate id
    for block in ("Actor1Geo", "Actor2Geo", "ActionGeo"):                # no location and a bad date
        out[8][idx[f"{block}_CountryCode"]] = ""
    out[8][idx["SQLDATE"]] = "x"
    out[9][idx["ActionGeo_CountryCode"]] = ""                            # falls back to Actor1Geo
    out[10][idx["Actor1Name"]] = "NA"
    text = ["\t".join(f) for f in out]
    text[12] = "\t".join(out[12][:20])                                    # too few fields
    path = tmp_path / "20220301.export.CSV"
    path.write_text("\n".join(text) + "\n", encoding="utf-8")
    counts, _events, quarantine, _r = _same(tmp_path, "gbad", GDELT, [path, path])
    assert counts[0][4] == len(quarantine) >= 7
    assert any("no location" in r for r in quarantine.reason)
    assert "line 13" in set(quarantine.record_ref)


def test_mixed_gdelt_layouts_use_the_row_path(tmp_path):
    lines = (FIXTURES / "gdelt_v1_historical_2005.tsv").read_text(encoding="utf-8").splitlines()
    daily = "\t".join(lines[0].split("\t") + ["http://example.org/a"])   # a 58-field line among 57-field ones
    path = tmp_path / "mixed.tsv"
    path.write_text("\n".join([lines[0], daily.replace(lines[0].split("\t")[0], "7777777", 1), *lines[1:]]) + "\n",
                    encoding="utf-8")
    with pytest.raises(StoreError, match="another layout"):
        _ingest(tmp_path, "mixed", GDELT, [path], "sql")
    _same(tmp_path, "mixed", GDELT, [path], sql="auto")


def test_carriage_return_inside_a_quoted_field_is_kept(tmp_path):
    frame = _ged_frame(4)
    frame.loc[1, "where_description"] = "near\rthe river"
    frame.loc[2, "source_article"] = "a\r\nb"
    path = tmp_path / "ged_cr.csv"
    buf = io.StringIO()
    frame.to_csv(buf, index=False)
    path.write_bytes(buf.getvalue().encode("utf-8"))
    with Warehouse(tmp_path / "cr.duckdb") as wh:
        result = ingest_file(wh, GED, path, mode="rows")
        assert (result.read, result.new, result.quarantined) == (4, 4, 0)
        desc = wh.df("SELECT description, source_reference FROM events ORDER BY record_ref")
    assert "near\rthe river" in desc.description[1] and desc.source_reference[2] == "a\r\nb"
    with pytest.raises(StoreError, match="carriage return"):
        _ingest(tmp_path, "cr", GED, [path], "sql")
    _same(tmp_path, "cr", GED, [path], sql="auto")


@pytest.mark.parametrize("size", [3, 40])
def test_mapping_looks_up_short_and_long_tables_alike(size):
    """fastsql.mapping: CASE for a short table, a list lookup from LOOKUP_LIST_FROM entries (and its Spark form,
    run by the Spark parity tests); both give the table's value, the default for a key not in it or NULL."""
    import duckdb

    from signalfire.scale.dialect import to_spark
    from signalfire.sources.fastsql import LOOKUP_LIST_FROM, mapping
    table = {f"k{i:03d}": f"v'{i}" for i in range(size)}
    keys = ["k000", f"k{size - 1:03d}", "k999", "", None]
    values = duckdb.connect().execute(
        f"SELECT {mapping('x', table)}, {mapping('x', table, repr('none'))} FROM unnest(?) t(x)", [keys]).fetchall()
    assert values == [(table.get(k), table.get(k, "none")) for k in keys]
    spark = to_spark(f"SELECT {mapping('x', table)} FROM t")
    assert ("TRY_ELEMENT_AT(MAP_FROM_ARRAYS(" in spark) == (size >= LOOKUP_LIST_FROM)
