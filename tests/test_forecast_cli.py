"""`signalfire forecast run/export/evaluate` on a small store, exactly as the hidden-window protocol runs them:
a fresh store, `ingest views-cm FILE` (ending at the cut-off), `forecast run --cutoff`, `forecast export`."""

from __future__ import annotations

import gzip
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest

from signalfire.demo import demo_files
from signalfire.forecast.store import latest_forecast
from signalfire.warehouse import Warehouse


def cli(*args, check=True):
    proc = subprocess.run([sys.executable, "-m", "signalfire.cli", *map(str, args)], capture_output=True,
                          text=True, timeout=300)
    if check:
        assert proc.returncode == 0, proc.stderr + proc.stdout
    return proc


@pytest.fixture(scope="module")
def cut_file(tmp_path_factory):
    """The VIEWS ged_cm file ending at 2019-10 (month_id 478), in its own layout."""
    src = next(p for a, p in demo_files() if a == "views-cm")
    path = tmp_path_factory.mktemp("views") / "ged_cm_to_2019-10.csv.gz"
    with gzip.open(src, "rt") as fh, gzip.open(path, "wt") as out:
        header = fh.readline()
        out.write(header)
        col = header.strip().split(",").index("month_id")
        for line in fh:
            if int(line.split(",")[col]) <= 478:
                out.write(line)
    return path


@pytest.fixture(scope="module")
def ran(tmp_path_factory, cut_file):
    store = tmp_path_factory.mktemp("store") / "fresh.duckdb"
    cli("ingest", "views-cm", cut_file, "--store", store)
    proc = cli("forecast", "run", "--cutoff", "2019-10", "--store", store, "--config", "fast", "--draws", "100")
    return store, proc


def test_run_then_export_in_challenge_layout(ran, tmp_path):
    store, proc = ran
    assert "forecast run 1: 191 countries, 2019-11 to 2022-10" in proc.stdout
    # the shipped annual data reach 2024; at a 2019-10 cut-off only 2018 is over, and the run says so
    assert "one-sided violence deaths (UCDP, per year) known to 2018" in proc.stdout
    assert "missing" not in proc.stdout
    cli("forecast", "export", "--window", "2020", tmp_path / "sub", "--store", store)
    path = tmp_path / "sub" / "cm" / "window=Y2020" / "predictions_2020.parquet"
    frame = pd.read_parquet(path)
    assert list(frame.columns) == ["month_id", "country_id", "draw", "outcome"]
    assert len(frame) == 191 * 12 * 100
    assert sorted(frame.month_id.unique()) == list(range(481, 493))  # 2020-01 … 2020-12
    assert frame.country_id.nunique() == 191 and sorted(frame.draw.unique()) == list(range(100))
    assert (frame.outcome >= 0).all() and frame.outcome.notna().all()
    counts = frame.groupby(["month_id", "country_id"]).size()
    assert (counts == 100).all()
    # the stored summaries agree with the exported draws
    with Warehouse(store, read_only=True) as wh:
        summary = latest_forecast(wh.con, country="SYR")
    syr = frame[(frame.country_id == 220) & (frame.month_id == 481)].outcome
    row = summary[summary.month_id == 481].iloc[0]
    assert row["mean"] == pytest.approx(syr.mean(), rel=1e-5)
    assert row["p_ge25"] == pytest.approx((syr >= 25).mean())
    assert list(summary.month) [:2] == ["2019-11", "2019-12"] and len(summary) == 36


def test_export_without_a_forecast_and_bad_cutoff_are_clear_errors(ran, tmp_path):
    store, _ = ran
    proc = cli("forecast", "export", "--window", "2030", tmp_path / "x", "--store", store, check=False)
    assert proc.returncode == 2 and "no stored forecast covers window 2030" in proc.stderr
    proc = cli("forecast", "run", "--cutoff", "2020-05", "--store", store, check=False)
    assert proc.returncode == 2 and "data end in 2019-10" in proc.stderr
    proc = cli("forecast", "run", "--cutoff", "May 2020", "--store", store, check=False)
    assert proc.returncode == 2 and "YYYY-MM" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_evaluate_needs_the_window_data(ran, tmp_path):
    store, _ = ran
    proc = cli("forecast", "evaluate", "--windows", "2020", "--store", store, check=False)
    assert proc.returncode == 2 and "needs data to 2020-12" in proc.stderr


def test_import_views_published(ran, tmp_path):
    store, _ = ran
    # invented rows in VIEWS's predictions.csv layout (ln(1 + deaths) point forecasts)
    path = tmp_path / "predictions.csv"
    pd.DataFrame({"step": [1, 2, 1], "country_id": [117, 117, 220], "month_id": [479, 480, 479],
                  "step_combined": [0.0, 3.2580965, 1.0]}).to_csv(path, index=False)
    proc = cli("forecast", "import-views", path, "--store", store)
    assert "model views-published" in proc.stdout
    with Warehouse(store, read_only=True) as wh:
        got = wh.df("SELECT f.country_iso3, f.month_id, f.mean, f.p_ge25 FROM forecasts f JOIN forecast_runs r "
                    "USING (run_id) WHERE r.model = 'views-published' ORDER BY 1, 2")
    assert list(got.country_iso3) == ["SYR", "SYR", "UKR", "UKR"]
    assert got["mean"].tolist() == pytest.approx([np.e - 1, 0, 0, 25.0], rel=1e-6)
    bad = tmp_path / "bad.csv"
    bad.write_text("a,b\n1,2\n")
    proc = cli("forecast", "import-views", bad, "--store", store, check=False)
    assert proc.returncode == 2 and "missing column(s) country_id, month_id, step_combined" in proc.stderr
