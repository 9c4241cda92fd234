"""The four challenge benchmarks, cross-checked against the published benchmark CRPS of every window."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from signalfire.analysis.panel import panel_matrix
from signalfire.demo import demo_files
from signalfire.forecast.countries import challenge_countries, window_months
from signalfire.forecast.evaluation import scores
from signalfire.forecast.evaluation.benchmarks import benchmark
from signalfire.sources import get
from signalfire.store.ingest import ingest_file
from signalfire.warehouse import Warehouse

ZERO = {2018: 24.13, 2019: 23.02, 2020: 32.04, 2021: 87.34, 2022: 120.97, 2023: 53.54}
CONFLICTOLOGY = {2018: 14.48, 2019: 9.15, 2020: 21.34, 2021: 76.85, 2022: 124.00, 2023: 50.36}
# IGN as the organisers' evaluate_submissions.py scores them: every forecaster on 1,000 draws (zero's one draw and
# conflictology's 12 values resampled to 1,000 with scipy.signal.resample, negatives set to 0)
ZERO_IGN = {2018: 1.558, 2019: 1.558, 2020: 1.549, 2021: 1.615, 2022: 1.632, 2023: 1.615}
CONFLICTOLOGY_IGN = {2018: 0.640, 2019: 0.610, 2020: 0.567, 2021: 0.686, 2022: 0.695, 2023: 0.682}


@pytest.fixture(scope="module")
def views_store(tmp_path_factory):
    wh = Warehouse(tmp_path_factory.mktemp("bench") / "views.duckdb")
    ingest_file(wh, get("views-cm"), next(p for a, p in demo_files() if a == "views-cm"))
    yield wh
    wh.close()


def test_challenge_country_list():
    cc = challenge_countries()
    assert len(cc) == 191 and cc.iso3.is_unique and cc.country_id.is_unique
    assert dict(zip(cc.iso3, cc.country_id))["SSD"] == 246 and dict(zip(cc.iso3, cc.country_id))["UKR"] == 117


@pytest.mark.parametrize("year", sorted(ZERO))
def test_zero_and_conflictology_match_the_challenge(views_store, shared_data, year):
    cc = challenge_countries()
    cutoff, months = window_months(year)
    hist = panel_matrix(views_store.con, list(cc.iso3), cutoff - 23, cutoff)
    actuals = pd.read_parquet(shared_data(f"views/challenge_actuals/cm_actuals_{year}.parquet")).reset_index()
    act = (actuals.pivot(index="country_id", columns="month_id", values="outcome")
           .reindex(cc.country_id)[months].to_numpy(float))
    assert not np.isnan(act).any()
    y = act.reshape(-1)
    zero = benchmark("zero", hist, 12)
    conf = benchmark("conflictology", hist, 12)
    assert conf.shape == (191, 12, 12)
    assert round(scores.crps(y, zero.reshape(len(y), -1)).mean(), 2) == ZERO[year]
    assert round(scores.crps(y, conf.reshape(len(y), -1)).mean(), 2) == CONFLICTOLOGY[year]
    for draws, expected in ((zero, ZERO_IGN[year]), (conf, CONFLICTOLOGY_IGN[year])):
        ign = scores.per_observation(y, draws.reshape(len(y), -1), ign_draws=1000)["ign"].mean()
        assert abs(ign - expected) < 5e-4, (year, ign, expected)
    # the store's panel holds the same values as the challenge's actuals
    np.testing.assert_array_equal(panel_matrix(views_store.con, list(cc.iso3), months[0], months[-1]), act)


def test_last_and_boot_draws():
    hist = np.array([[0.0] * 11 + [40.0], [5.0] * 12, [0.0] * 12])
    last = benchmark("last", hist, 3, draws=2000, seed=1)
    assert last.shape == (3, 3, 2000)
    assert abs(last[0].mean() - 40) < 1 and (last[2] == 0).all()
    boot = benchmark("boot", hist, 2, draws=3000, seed=1)
    assert set(np.unique(boot)) <= {0.0, 5.0, 40.0}
    # the pool is all 36 values: 1/36 are 40, 12/36 are 5
    assert abs((boot == 40).mean() - 1 / 36) < 0.01 and abs((boot == 5).mean() - 1 / 3) < 0.02
    with pytest.raises(ValueError):
        benchmark("nope", hist, 1)
