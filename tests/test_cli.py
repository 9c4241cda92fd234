"""The command line as users and scripts drive it: JSON summaries, exports, clear errors, never a traceback."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq
import pytest
from cli_support import run_cli


def run(*args, check=True):
    """In-process (tests/cli_support.py): the same main() on the same arguments, without a new interpreter."""
    return run_cli(*args, check=check)


@pytest.fixture(scope="module")
def loaded(tmp_path_factory):
    path = tmp_path_factory.mktemp("cli") / "cli.duckdb"
    ged = __import__("conftest").shared_path("ucdp/ged_ukraine_2014-2023.csv")
    # one real process: `python -m signalfire.cli` as scripts call it (its __main__, its JSON on a pipe)
    proc = run_cli("ingest", "ucdp-ged", ged, "--store", path, "--json", real=True)
    return path, json.loads(proc.stdout)


def test_ingest_json_has_integer_counts(loaded):
    _, summary = loaded
    for key in ("read", "new", "updated", "unchanged", "quarantined"):
        assert isinstance(summary[key], int)
    assert summary["read"] == 3883 == summary["new"] + summary["updated"] + summary["unchanged"] + \
        summary["quarantined"]


def test_reingest_says_nothing_changed(loaded):
    path, _ = loaded
    ged = __import__("conftest").shared_path("ucdp/ged_ukraine_2014-2023.csv")
    proc = run("ingest", "ucdp-ged", ged, "--store", path)
    assert "nothing changed" in proc.stdout


def test_events_csv_export_with_filters(loaded, tmp_path):
    path, _ = loaded
    out = tmp_path / "ukr.csv"
    run("events", "--store", path, "--country", "UKR", "--since", "2022-02-24", "--until", "2022-12-31",
        "--format", "csv", "--output", out)
    frame = pd.read_csv(out)
    assert "fatalities_best" in frame.columns and len(frame) > 0
    assert frame.date_start.min() >= "2022-02-24" and frame.date_start.max() <= "2022-12-31"
    assert set(frame.country_iso3) == {"UKR"}


def test_events_bbox_parquet_and_geojson(loaded, tmp_path):
    path, _ = loaded
    bbox = "37,47,39,49"  # around Donetsk
    run("events", "--store", path, "--bbox", bbox, "--format", "parquet", "--output", tmp_path / "e.parquet")
    table = pq.read_table(tmp_path / "e.parquet").to_pandas()
    assert len(table) > 0
    assert table.longitude.between(37, 39).all() and table.latitude.between(47, 49).all()
    run("events", "--store", path, "--bbox", bbox, "--format", "geojson", "--output", tmp_path / "e.geojson")
    doc = json.loads((tmp_path / "e.geojson").read_text())
    assert doc["type"] == "FeatureCollection" and len(doc["features"]) == len(table)
    lon, lat = doc["features"][0]["geometry"]["coordinates"]
    assert 37 <= lon <= 39 and 47 <= lat <= 49


def test_events_table_and_status(loaded):
    path, _ = loaded
    proc = run("events", "--store", path, "--country", "UKR", "--limit", "5")
    assert "3,883 match" in proc.stdout
    proc = run("status", "--store", path)
    assert "ucdp-ged" in proc.stdout and "CC BY 4.0" in proc.stdout


@pytest.mark.parametrize("args, message", [
    (["ingest", "no-such-source", "x.csv"], "unknown source 'no-such-source'"),
    (["ingest", "ucdp-ged", "/nonexistent/file.csv"], "no such file"),
    (["events", "--since", "yesterday"], "is not a date"),
    (["events", "--bbox", "1,2,3"], "W,S,E,N"),
    (["events", "--format", "xlsx"], "use table, csv, parquet or geojson"),
    (["forecast", "evaluate", "--draws", "5"], "Invalid value for '--draws'"),
    (["forecast", "evaluate", "--lead", "3"], "Invalid value for '--lead'"),
    (["events", "--limit", "-5"], "Invalid value for '--limit'"),
    (["quarantine", "--limit", "0"], "Invalid value for '--limit'"),
    (["events", "--country", ","], "--country: ',' names no country"),      # had meant every event
    (["events", "--source", " , "], "--source: ' , ' names no source"),
])
def test_errors_are_clear(loaded, args, message):
    path, _ = loaded
    proc = run(*args, "--store", path, check=False)
    assert proc.returncode == 2
    assert message in proc.stderr


@pytest.mark.parametrize("command", ["status", "events", "quarantine"])
def test_reading_a_store_that_is_not_there_creates_nothing(tmp_path, command):
    missing = tmp_path / "typo" / "store.duckdb"
    proc = run(command, "--store", missing, check=False)
    assert proc.returncode == 2 and f"no store at {missing}" in proc.stderr
    assert not missing.parent.exists()


def test_serve_rejects_a_port_out_of_range():
    proc = run("serve", "--port", "99999", check=False)
    assert proc.returncode == 2 and "Invalid value for '--port'" in proc.stderr


def test_wrong_file_for_adapter_is_a_clear_error(loaded, tmp_path):
    path, _ = loaded
    bad = tmp_path / "not_ged.csv"
    bad.write_text("a,b,c\n1,2,3\n")
    proc = run("ingest", "ucdp-ged", bad, "--store", path, check=False)
    assert proc.returncode == 2
    assert "not_ged.csv, line 1: missing required column(s) id, type_of_violence, best" in proc.stderr


def test_quarantine_list_and_show(tmp_path):
    store = tmp_path / "q.duckdb"
    bad = tmp_path / "ged_bad.csv"
    src = __import__("conftest").shared_path("ucdp/ged_v23_1_sample1000.csv")
    lines = src.read_text().splitlines()
    header = lines[0].split(",")
    broken = lines[1].replace(",2013-01-03,2013-01-03,", ",2013-13-45,2013-01-03,")
    bad.write_text("\n".join([lines[0], broken, lines[2]]) + "\n")
    summary = json.loads(run("ingest", "ucdp-ged", bad, "--store", store, "--json").stdout)
    assert (summary["read"], summary["new"], summary["quarantined"]) == (2, 1, 1)
    proc = run("quarantine", "--store", store)
    assert "quarantine (1 records)" in proc.stdout and "date_start" in proc.stdout
    from signalfire.store.database import Store
    with Store(store, read_only=True) as s:
        reason = s.df("SELECT reason FROM quarantine").reason[0]
    assert reason == "ged_bad.csv, line 2, column date_start: not a date: '2013-13-45'"
    proc = run("quarantine", "--store", store, "--show", "1:line 2")
    assert "2013-13-45" in proc.stdout and "date_start" in proc.stdout
    assert len(header) == 49


def test_a_piped_table_keeps_whole_cells(tmp_path):
    """Out to a pipe (no terminal, no $COLUMNS) a table is as wide as its cells: the reason reads on one line, as
    grep or a file wants it, not folded into Rich's 80 columns and cut with '…'."""
    store = tmp_path / "q.duckdb"
    bad = tmp_path / "a_rather_long_file_name_of_events_2013.csv"
    lines = __import__("conftest").shared_path("ucdp/ged_v23_1_sample1000.csv").read_text().splitlines()
    bad.write_text("\n".join([lines[0], lines[1].replace(",2013-01-03,2013-01-03,", ",2013-13-45,2013-01-03,")]))
    run("ingest", "ucdp-ged", bad, "--store", store)
    # a real process on a pipe, its environment given whole: under pytest a child's C environment holds COLUMNS=80
    # though os.environ has none (some library sets it below Python), so inheriting it would test nothing
    env = {k: v for k, v in os.environ.items() if k != "COLUMNS"}
    proc = subprocess.run([sys.executable, "-m", "signalfire.cli", "quarantine", "--store", str(store)],
                          capture_output=True, text=True, env=env, timeout=300, check=True)
    assert f"{bad.name}, line 2, column date_start: not a date: '2013-13-45'" in proc.stdout
    assert "…" not in proc.stdout


def test_sources_lists_adapters():
    proc = run("sources")
    assert "ucdp-ged" in proc.stdout


def test_events_output_follows_the_file_and_says_what_it_cannot_write(loaded, tmp_path):
    path, _ = loaded
    proc = run("events", "--store", path, "--country", "UKR", "--limit", "3", "--output", tmp_path / "ukr.csv")
    assert pd.read_csv(tmp_path / "ukr.csv").shape[0] == 3               # the format from the suffix
    proc = run("events", "--store", path, "--output", tmp_path / "ukr.txt", check=False)
    assert proc.returncode == 2 and "give --format csv" in proc.stderr and not (tmp_path / "ukr.txt").exists()
    proc = run("events", "--store", path, "--format", "csv", "--limit", "2", "--output", "-")
    assert len(proc.stdout.splitlines()) == 3 and not (tmp_path / "-").exists()   # - is standard output
    proc = run("events", "--store", path, "--format", "csv", "--output", tmp_path, check=False)
    assert proc.returncode == 2 and "is a folder" in proc.stderr


def test_reading_commands_never_change_the_file(loaded, tmp_path):
    import hashlib

    import duckdb
    foreign = tmp_path / "foreign.duckdb"
    with duckdb.connect(str(foreign)) as con:
        con.execute("CREATE TABLE mydata AS SELECT 1 AS x")
    before = hashlib.sha256(foreign.read_bytes()).hexdigest()
    for command in ("status", "events", "quarantine"):
        proc = run(command, "--store", foreign, check=False)
        assert proc.returncode == 2 and "not a Signalfire store" in proc.stderr, command
    assert hashlib.sha256(foreign.read_bytes()).hexdigest() == before
    path, _ = loaded
    assert "quarantine (0 records)" in run("quarantine", "--store", path, "--run", "0").stdout   # run 0, not "all"


def test_ingest_checks_every_file_first_and_reports_what_was_loaded(tmp_path):
    ged = __import__("conftest").shared_path("ucdp/ged_v23_1_sample1000.csv")
    store = tmp_path / "sub" / "new.duckdb"
    proc = run("ingest", "ucdp-ged", ged, tmp_path / "missing.csv", "--store", store, check=False)
    assert proc.returncode == 2 and "missing.csv: no such file" in proc.stderr
    assert not store.parent.exists()                                  # nothing loaded, no store created
    proc = run("ingest", "ucdp-ged", tmp_path, "--store", store, check=False)
    assert proc.returncode == 2 and "is a folder" in proc.stderr
    proc = run("ingest", "ucdp-ged", ged, "--store", store, "--source-version", "  ", check=False)
    assert proc.returncode == 2 and "--source-version is blank" in proc.stderr
    bad = tmp_path / "not_ged.csv"
    bad.write_text("a,b,c\n1,2,3\n")
    proc = run("ingest", "ucdp-ged", ged, bad, "--store", store, "--json", check=False)
    assert proc.returncode == 2 and "1 file(s) listed above were loaded" in proc.stderr
    summary = json.loads(proc.stdout)
    assert [Path(f["file"]).name for f in summary["files"]] == [ged.name] and summary["new"] == 1000


@pytest.mark.parametrize("args", [
    ["events", "--format", "csv", "--output", "{store}"],
    ["events", "--format", "parquet", "--output", "{other}"],
    ["export", "stix", "-o", "{store}"],
    ["brief", "--country", "UKR", "--period", "2022-06", "-o", "{store}"],
    ["brief", "--country", "UKR", "--period", "2022-06", "-o", "{tmp}/b.pdf", "--html", "{store}"],
    ["forecast", "evaluate", "--windows", "2018", "--json", "{store}"],
    ["forecast", "evaluate", "--windows", "2018", "--cache", "{store}"],
])
def test_an_output_never_overwrites_a_store(tmp_path, args):
    """Given the store's own path (or another store's) as the output, a command had replaced the database with its
    export (4.2 MB of records became 1,163 bytes of CSV). Now it refuses before any work, and the store is intact."""
    from signalfire.warehouse import Warehouse
    store, other = tmp_path / "s.duckdb", tmp_path / "other.duckdb"
    for path in (store, other):
        Warehouse(path).close()
    before = {p: p.read_bytes() for p in (store, other)}
    argv = [a.format(store=store, other=other, tmp=tmp_path) for a in args]
    done = run(*argv, "--store", store, check=False)
    assert done.returncode == 2
    assert "is a Signalfire store (a DuckDB database); writing there would destroy it" in done.stderr
    assert {p: p.read_bytes() for p in before} == before


def test_limit_beyond_any_store_is_a_usage_error(tmp_path):
    """A --limit above warehouse.MAX_ROWS had reached DuckDB as an INT128: "unexpected ConversionException", exit 1."""
    from signalfire import cli, warehouse
    assert cli.MAX_ROWS == warehouse.MAX_ROWS
    for command in ("events", "quarantine"):
        done = run(command, "--limit", "99999999999999999999", "--store", tmp_path / "s.duckdb", check=False)
        assert done.returncode == 2 and "Invalid value for '--limit'" in done.stderr + done.stdout
