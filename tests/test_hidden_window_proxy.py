"""scripts/hidden_window_proxy.py reads an export in the challenge layout and scores it against UCDP's annual totals
(and against the real months where the VIEWS file has them).  An export holding exactly the conflictology benchmark's
draws must score exactly as conflictology does, and on the real 2023 months as the issue's cross-check says (50.36)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd

from signalfire.forecast.countries import challenge_countries, window_months
from signalfire.forecast.evaluation.benchmarks import benchmark

ROOT = Path(__file__).resolve().parents[1]


def test_an_export_of_conflictology_scores_as_conflictology(shared_data, tmp_path):
    views = shared_data("views/ged_cm_sb_1990-2023.csv.gz")
    cy = shared_data("ucdp/organizedviolencecy_v25_1.csv")
    cc = challenge_countries()
    cutoff, months = window_months(2023)
    frame = pd.read_csv(views, usecols=["country_id", "month_id", "ucdp_ged_sb_best_sum"])
    hist = (frame.pivot_table(index="country_id", columns="month_id", values="ucdp_ged_sb_best_sum", aggfunc="sum")
            .reindex(index=cc.country_id, columns=range(121, cutoff + 1)).fillna(0).to_numpy())
    draws = benchmark("conflictology", hist, 12)                      # 191 × 12 × 12
    n, h, d = draws.shape
    export = pd.DataFrame({"month_id": np.tile(np.repeat(months, d), n), "country_id": np.repeat(cc.country_id, h * d),
                           "draw": np.tile(np.arange(d), n * h), "outcome": draws.reshape(-1)})
    out = tmp_path / "cm" / "window=Y2023"
    out.mkdir(parents=True)
    export.sample(frac=1, random_state=0).to_parquet(out / "predictions_2023.parquet")  # order must not matter

    proc = subprocess.run([sys.executable, str(ROOT / "scripts" / "hidden_window_proxy.py"), str(tmp_path),
                           "--window", "2023", "--views", str(views), "--cy", str(cy)],
                          check=False, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    result = json.loads(proc.stdout.strip().splitlines()[-1])
    assert result["flat_proxy"]["ours"] == result["flat_proxy"]["conflictology"]
    assert result["real"]["ours"] == result["real"]["conflictology"] == 50.357
    assert result["flat_proxy"]["zero"] > result["flat_proxy"]["conflictology"] > 0
    assert "window 2023" in proc.stdout and "× conflictology" in proc.stdout
