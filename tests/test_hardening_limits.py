"""Small items of the probe: echoed bad values are cut short in error messages, the browser never sees the
server's file paths, and every event adapter applies the same text-length limit (validate.TEXT_LIMIT)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from fastapi.testclient import TestClient
from test_hardening_support import DEMO

from signalfire.sources import get
from signalfire.store.ingest import ingest_file
from signalfire.warehouse import Warehouse
from signalfire.web.app import create_app

FIXTURES = Path(__file__).resolve().parent / "fixtures"
LIMIT = 50_000           # the documented limit (docs/SCHEMA.md): one for the text of every event adapter
LONG, FINE = "x" * (LIMIT + 1), "y" * 3000     # 3,000 characters: ACLED and GTD quarantined it, UCDP took 100k


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    folder = tmp_path_factory.mktemp("limits")
    rows = pd.read_csv(DEMO / "ged_v23_1_sample1000.csv.gz", dtype=str, keep_default_na=False).head(3)
    rows.to_csv(folder / "ged_small.csv", index=False)
    with Warehouse(folder / "l.duckdb") as wh:
        ingest_file(wh, get("ucdp-ged"), folder / "ged_small.csv")
    app = create_app(folder / "l.duckdb", load_demo=False)
    with TestClient(app, base_url="http://127.0.0.1") as client:
        yield client, folder
    app.state.ds.close()


@pytest.mark.parametrize("params", [
    {"since": "9" * 20_000}, {"until": "2023-" + "1" * 20_000}, {"bbox": "1," * 10_000},
    {"country": "ZZZ," * 5_000}, {"source": "x" * 20_000}, {"category": "c" * 20_000}])
def test_an_error_echoes_a_bad_value_cut_short(served, params):
    client, _ = served
    r = client.get("/api/v1/events", params=params)
    assert r.status_code == 400
    message = r.json()["error"]["message"]
    assert len(message) < 600 and ("…" in message or "more" in message), message[:200]


def test_a_long_path_is_cut_short_in_a_404(served):
    client, _ = served
    for path in ("/api/v1/nothing/" + "a" * 50_000, "/api/v1/events/ucdp-ged/" + "9" * 50_000):
        r = client.get(path)
        assert r.status_code == 404 and len(r.json()["error"]["message"]) < 300


def test_the_browser_sees_file_names_not_paths(served):
    client, folder = served
    runs = client.get("/api/v1/ingest-runs").json()["data"]
    assert runs and all("file_path" not in run for run in runs)
    assert runs[0]["file_name"] == "ged_small.csv" and str(folder) not in str(runs)
    csv = client.get("/api/v1/ingest-runs", params={"format": "csv"}).text
    assert "file_path" not in csv.splitlines()[0] and str(folder) not in csv
    stored = client.app.state.ds.scalar("SELECT file_path FROM ingest_runs")   # kept for the CLI and Python API
    assert stored == str(folder / "ged_small.csv")


def _ged(path: Path, text: str) -> Path:
    rows = pd.read_csv(DEMO / "ged_v23_1_sample1000.csv.gz", dtype=str, keep_default_na=False).head(2)
    rows.loc[rows.index[0], "where_description"] = text
    rows.to_csv(path, index=False)
    return path


def _acled(path: Path, text: str) -> Path:
    rows = pd.read_csv(FIXTURES / "acled_export_sample.csv", dtype=str, keep_default_na=False).head(2)
    rows.loc[rows.index[0], "actor1"] = text
    rows.to_csv(path, index=False)
    return path


def _gtd(path: Path, text: str) -> Path:
    rows = pd.read_csv(FIXTURES / "gtd_full_layout_sample.csv", dtype=str, keep_default_na=False).head(2)
    rows.loc[rows.index[0], "city"] = text
    rows.to_csv(path, index=False)
    return path


def _gdelt(path: Path, text: str) -> Path:
    lines = (FIXTURES / "gdelt_v1_historical_2005.tsv").read_text(encoding="utf-8").splitlines()[:2]
    fields = lines[0].split("\t")
    fields[fields.index("Belgrade, Serbia (general), Serbia")] = text      # ActionGeo_FullName
    path.write_text("\n".join(["\t".join(fields), lines[1]]) + "\n", encoding="utf-8")
    return path


@pytest.mark.parametrize("adapter, write, column, name", [
    ("ucdp-ged", _ged, "where_description", "ged_long.csv"), ("acled", _acled, "actor1", "acled_long.csv"),
    ("gtd", _gtd, "city", "gtd_long.csv"), ("gdelt", _gdelt, "ActionGeo_FullName", "gdelt_long.tsv")])
def test_one_text_limit_for_every_event_adapter(tmp_path, adapter, write, column, name):
    with Warehouse(tmp_path / "t.duckdb") as wh:
        long = ingest_file(wh, get(adapter), write(tmp_path / name, LONG))
        assert (long.read, long.quarantined) == (2, 1)
        reason = wh.df("SELECT reason FROM quarantine").reason.iloc[0]
        assert f"column {column}: longer than {LIMIT} characters" in reason
        fine = ingest_file(wh, get(adapter), write(tmp_path / ("fine_" + name), FINE))
        assert fine.quarantined == 0
        assert wh.con.execute("SELECT count(*) FROM events WHERE strpos(coalesce(actor1, '') || coalesce(place, '')"
                              " || coalesce(description, ''), ?) > 0", [FINE]).fetchone()[0] == 1
