"""The store: migrations, transactions, crash safety, the single-writer lock."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from signalfire.sources import get
from signalfire.sources.base import Adapter, Batch
from signalfire.store.database import SCHEMA_VERSION, Store, StoreError
from signalfire.store.ingest import ingest_file

ROOT = Path(__file__).resolve().parents[1]


def test_migrations_create_schema_once(tmp_path):
    path = tmp_path / "s.duckdb"
    with Store(path) as s:
        assert s.schema_version() == SCHEMA_VERSION
        tables = set(s.df("SELECT table_name FROM information_schema.tables").table_name)
    assert {"events", "event_revisions", "conflicts", "country_month", "country_year", "quarantine",
            "ingest_runs", "schema_version"} <= tables
    with Store(path) as s:  # reopening applies nothing twice
        assert s.df("SELECT count(*) AS n FROM schema_version").n[0] == SCHEMA_VERSION


def test_store_from_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("SIGNALFIRE_STORE", str(tmp_path / "env.duckdb"))
    with Store() as s:
        assert s.path == tmp_path / "env.duckdb"
    assert (tmp_path / "env.duckdb").exists()


def test_newer_schema_is_refused(tmp_path):
    path = tmp_path / "s.duckdb"
    Store(path).close()
    con = duckdb.connect(str(path))
    con.execute("INSERT INTO schema_version VALUES (999, now())")
    con.close()
    with pytest.raises(StoreError, match="newer Signalfire"):
        Store(path)


def _exploding_adapter() -> Adapter:
    """The real GED adapter, failing once all its batches have been staged."""
    real = get("ucdp-ged")

    def read(path):
        yield from real.read(path)
        raise RuntimeError("disk on fire")
    return Adapter(name="ucdp-ged", source="ucdp-ged", table="events", version="test", formats="", read=read)


def test_failed_ingest_leaves_store_as_it_was(store, shared_data):
    path = shared_data("ucdp/ged_v23_1_sample1000.csv")
    ingest_file(store, get("ucdp-ged"), shared_data("ucdp/ged_ukraine_2014-2023.csv"))
    before = store.df("SELECT * FROM events ORDER BY source_id")
    runs_before = store.df("SELECT * FROM ingest_runs")
    with pytest.raises(RuntimeError, match="disk on fire"):
        ingest_file(store, _exploding_adapter(), path)
    pd.testing.assert_frame_equal(before, store.df("SELECT * FROM events ORDER BY source_id"))
    pd.testing.assert_frame_equal(runs_before, store.df("SELECT * FROM ingest_runs"))
    assert store.df("SELECT count(*) AS n FROM quarantine").n[0] == 0


def test_killed_ingest_process_leaves_store_consistent(tmp_path, shared_data):
    """SIGKILL in the middle of an ingest: reopening shows the store as before it began."""
    store_path = tmp_path / "k.duckdb"
    src = shared_data("ucdp/ged_v23_1_sample1000.csv")
    with Store(store_path) as s:
        ingest_file(s, get("ucdp-ged"), shared_data("ucdp/ged_ukraine_2014-2023.csv"))
        n_before = s.df("SELECT count(*) AS n FROM events").n[0]
    marker = tmp_path / "started"
    script = textwrap.dedent(f"""
        import time, pathlib
        from signalfire.sources import get
        from signalfire.sources.base import Adapter
        from signalfire.store.database import Store
        from signalfire.store.ingest import ingest_file
        real = get("ucdp-ged")
        def read(path):
            for batch in real.read(path):
                yield batch
                pathlib.Path({str(marker)!r}).write_text("x")
                time.sleep(60)
        slow = Adapter("ucdp-ged", "ucdp-ged", "events", "t", "", read)
        ingest_file(Store({str(store_path)!r}), slow, {str(src)!r})
    """)
    proc = subprocess.Popen([sys.executable, "-c", script])
    try:
        deadline = time.monotonic() + 60
        while not marker.exists() and time.monotonic() < deadline and proc.poll() is None:
            time.sleep(0.1)
        assert marker.exists(), "the ingest did not start"
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(10)
    finally:
        if proc.poll() is None:
            proc.kill()
    with Store(store_path) as s:
        assert s.df("SELECT count(*) AS n FROM events").n[0] == n_before
        assert s.df("SELECT count(*) AS n FROM ingest_runs WHERE status <> 'loaded'").n[0] == 0
        result = ingest_file(s, get("ucdp-ged"), src)  # and it still works
        assert result.new + result.updated == 1000


def test_second_process_gets_a_clear_message(tmp_path):
    path = tmp_path / "busy.duckdb"
    holder = Store(path)
    try:
        code = f"from signalfire.store.database import Store\nStore({str(path)!r})"
        proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=False)
        assert proc.returncode != 0
        assert "StoreBusy" in proc.stderr and "in use by another Signalfire process" in proc.stderr
    finally:
        holder.close()
    with Store(path) as again:  # once released, it opens
        assert again.schema_version() == SCHEMA_VERSION


def test_batch_accounting_is_enforced():
    with pytest.raises(AssertionError, match="accounting"):
        Batch(pd.DataFrame({"a": [1, 2]}), read=3)
