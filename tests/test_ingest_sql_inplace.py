"""The SQL ingest path appends the accepted records straight to ``events`` and settles duplicates, updates and
unchanged rows in place: the same events, revisions, quarantine and counts as the row path (the reference) when the
store already holds other runs, when the file's last record is the only one left to the row code, and when a plan
check sends the file to the row path after the scan (nothing of the SQL attempt stays)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from signalfire.sources import get
from signalfire.store.database import StoreError
from signalfire.store.ingest import ingest_file
from signalfire.warehouse import Warehouse

GED = get("ucdp-ged")
GDELT = get("gdelt")
ROOT = Path(__file__).resolve().parents[1]
DEMO_GED = ROOT / "src/signalfire/demo/ged_v23_1_sample1000.csv.gz"
GDELT_FIXTURE = Path(__file__).resolve().parent / "fixtures" / "gdelt_v2_20220301.export.CSV"


def _ingest(tmp_path, name, adapter, files, mode):
    with Warehouse(tmp_path / f"{name}-{mode}.duckdb") as wh:
        counts = [(r.read, r.new, r.updated, r.unchanged, r.quarantined, r.status)
                  for r in (ingest_file(wh, adapter, f, mode=mode) for f in files)]
        frames = [wh.df("SELECT * EXCLUDE (run_id) FROM events ORDER BY source, source_id"),
                  wh.df("SELECT * EXCLUDE (superseded_at) FROM event_revisions ORDER BY source, source_id, run_id"),
                  wh.df("SELECT record_ref, column_name, raw, reason, run_id, file_name FROM quarantine "
                        "ORDER BY run_id, record_ref, reason"),
                  wh.df("SELECT rows_read, rows_new, rows_updated, rows_unchanged, rows_quarantined, source_version "
                        "FROM ingest_runs ORDER BY run_id"),
                  wh.df("SELECT run_id, count(*) AS n FROM events GROUP BY run_id ORDER BY run_id")]
    return counts, frames


def _same(tmp_path, name, adapter, files, sql="sql"):
    rows = _ingest(tmp_path, name, adapter, files, "rows")
    fast = _ingest(tmp_path, name, adapter, files, sql)
    assert rows[0] == fast[0]
    for a, b in zip(rows[1], fast[1]):
        pd.testing.assert_frame_equal(a.reset_index(drop=True), b.reset_index(drop=True))
    return rows


def _ged(n=300):
    return pd.read_csv(DEMO_GED, dtype=str, keep_default_na=False).head(n)


def test_a_second_file_overlapping_the_stored_rows(tmp_path):
    frame = _ged(300)
    first = tmp_path / "ged_v23_1_a.csv"
    frame.head(200).to_csv(first, index=False)
    second = frame.iloc[100:300].copy()
    second.loc[second.index[:5], "best"] = "999"                          # 5 updated
    second.loc[second.index[10], "date_start"] = "not a date"             # quarantined (stored row stays)
    dupe = second.iloc[[150]].assign(best="7")                            # a key repeated within the file
    second = pd.concat([second, dupe])
    path = tmp_path / "ged_v23_1_b.csv"
    second.to_csv(path, index=False)
    counts, frames = _same(tmp_path, "overlap", GED, [first, path])
    assert counts[1][:4] == (201, 100, 5, 94) and counts[1][4] == 2
    assert len(frames[1]) == 5                                            # the 5 replaced rows in event_revisions


def test_only_the_last_record_is_left_to_the_row_code(tmp_path):
    frame = _ged(50)
    frame.loc[49, "latitude"] = "91"
    path = tmp_path / "ged_last.csv"
    frame.to_csv(path, index=False)
    counts, frames = _same(tmp_path, "last", GED, [path])
    assert counts[0][:2] == (50, 49) and set(frames[2].record_ref) == {"line 51"}


def test_an_empty_dyad_name_sends_the_file_to_the_row_path_after_the_scan(tmp_path):
    frame = _ged(30)
    frame.loc[3, "dyad_name"] = ""
    path = tmp_path / "ged_no_dyad.csv"
    frame.to_csv(path, index=False)
    with pytest.raises(StoreError, match="without dyad_name"):
        _ingest(tmp_path, "dyad", GED, [path], "sql")
    counts, frames = _same(tmp_path, "dyad", GED, [path], sql="auto")
    assert counts[0][:2] == (30, 30) and frames[4].n.tolist() == [30]


def test_gdelt_into_a_store_holding_ged(tmp_path):
    ged = tmp_path / "ged_v23_1_part.csv"
    _ged(40).to_csv(ged, index=False)
    with Warehouse(tmp_path / "mixed.duckdb") as wh:
        ingest_file(wh, GED, ged, mode="rows")
        first = ingest_file(wh, GDELT, GDELT_FIXTURE, mode="sql")
        again = ingest_file(wh, GDELT, GDELT_FIXTURE, mode="sql")
        stored = wh.df("SELECT source, count(*) AS n FROM events GROUP BY source ORDER BY source")
    with Warehouse(tmp_path / "mixed-rows.duckdb") as wh:
        reference = ingest_file(wh, GDELT, GDELT_FIXTURE, mode="rows")
    assert (first.read, first.new, first.quarantined) == (reference.read, reference.new, reference.quarantined)
    assert again.status == "unchanged" and stored.n.tolist() == [first.new, 40]
