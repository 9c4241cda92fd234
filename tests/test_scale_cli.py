"""`signalfire scale export-events` and `scale aggregate` (embedded engine), and their clear errors: a folder that
is not empty, a folder without Parquet, an unknown engine, Spark asked for without pyspark or without Java."""

from __future__ import annotations

import json
import sys

import pytest
from typer.testing import CliRunner

from signalfire.cli import app
from signalfire.demo import demo_files
from signalfire.scale import engine as engines
from signalfire.scale.pipeline import read_aggregate

runner = CliRunner()


@pytest.fixture(scope="module")
def store_file(tmp_path_factory):
    from signalfire.sources import get
    from signalfire.store.ingest import ingest_file
    from signalfire.warehouse import Warehouse
    path = tmp_path_factory.mktemp("scale-cli") / "store.duckdb"
    wh = Warehouse(path)
    adapter, sample = demo_files()[0]   # the 1,000-event GED sample
    ingest_file(wh, get(adapter), sample)
    wh.close()
    return path


def invoke(*args):
    return runner.invoke(app, [str(a) for a in args])


def test_export_then_aggregate(store_file, tmp_path):
    events = tmp_path / "events"
    result = invoke("scale", "export-events", events, "--store", store_file)
    assert result.exit_code == 0, result.output
    assert "1,000 events written" in result.output
    assert (events / "source=ucdp-ged").is_dir()
    again = invoke("scale", "export-events", events, "--store", store_file)
    assert again.exit_code == 2 and "is not empty" in again.output and "Traceback" not in again.output
    assert invoke("scale", "export-events", events, "--store", store_file, "--overwrite").exit_code == 0

    result = invoke("scale", "aggregate", "--events-parquet", events, "--out", tmp_path / "out")
    assert result.exit_code == 0, result.output
    line = json.loads(result.output.strip().splitlines()[-1])
    panel = read_aggregate(tmp_path / "out", "panel")
    assert line["engine"] == "duckdb" and line["rows"]["panel"] == len(panel) > 0
    assert panel.events.sum() == 1000
    # an output that is, or holds, or lies in the events folder: refused, the events intact (it had written a
    # truncated aggregate among the events and left the folder unreadable)
    files = sorted(p.relative_to(events) for p in events.rglob("*"))
    for out in (events, events / "agg", tmp_path):
        bad = invoke("scale", "aggregate", "--events-parquet", events, "--out", out, "--overwrite")
        assert bad.exit_code == 2 and "lies inside the events folder" in bad.output, bad.output
    assert sorted(p.relative_to(events) for p in events.rglob("*")) == files


def test_missing_folder_and_unknown_engine(tmp_path):
    result = invoke("scale", "aggregate", "--events-parquet", tmp_path / "nope", "--out", tmp_path / "out")
    assert result.exit_code == 2 and "no such folder of Parquet events" in result.output
    (tmp_path / "empty").mkdir()
    result = invoke("scale", "aggregate", "--events-parquet", tmp_path / "empty", "--out", tmp_path / "out")
    assert result.exit_code == 2 and "holds no .parquet files" in result.output
    result = invoke("scale", "aggregate", "--events-parquet", tmp_path, "--out", tmp_path / "o", "--engine", "flink")
    assert result.exit_code == 2 and "unknown 'flink'" in result.output


def test_spark_without_pyspark_or_java_is_a_clear_error(tmp_path, monkeypatch):
    args = ("scale", "aggregate", "--events-parquet", tmp_path, "--out", tmp_path / "out", "--engine", "spark")
    monkeypatch.setitem(sys.modules, "pyspark", None)     # an import of pyspark now fails as if not installed
    result = invoke(*args)
    assert result.exit_code == 2 and "pyspark is not installed" in result.output
    assert "signalfire[spark]" in result.output and "Traceback" not in result.output
    monkeypatch.delitem(sys.modules, "pyspark")
    monkeypatch.setattr(engines, "java_available", lambda: False)
    result = invoke(*args)
    assert result.exit_code == 2 and "needs Java" in result.output
