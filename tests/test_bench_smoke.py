"""Smoke run of the ingest benchmark: it runs end to end and prints one JSON line with the expected fields."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.slow
def test_bench_ingest_prints_one_json_line(shared_data):
    shared_data("gdelt/gdelt1_events_20160728_sample.tsv")
    proc = subprocess.run([sys.executable, str(ROOT / "bench" / "ingest.py"), "--rows", "20000",
                           "--naive-rows", "5000"], capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    lines = [ln for ln in proc.stdout.splitlines() if ln.strip()]
    assert len(lines) == 1
    result = json.loads(lines[0])
    assert result["rows"] == 20000
    for fmt in ("ged", "gdelt"):
        part = result[fmt]
        assert part["rows"] == 20000
        assert part["ingest"]["read"] == 20000
        assert part["ingest"]["new"] + part["ingest"]["quarantined"] == 20000
        assert part["ingest"]["peak_rss_mb"] > 0
        assert part["floor_duckdb_read_csv"]["rows"] == 20000
        for key in ("ingest", "floor_duckdb_read_csv", "naive_pandas_loop"):
            assert part[key]["seconds"] > 0 and part[key]["rows_per_s"] > 0
        assert part["naive_pandas_loop"]["measured_rows"] == 5000
        assert part["naive_pandas_loop"]["scaled_linearly"] is True
        assert part["ratio_ingest_to_floor"] > 0
