"""`forecast evaluate --lead 2` scores months 15–26 of a forecast (the far band of the model, which the fan charts
show and the challenge does not score): exactly the draws that a run made two Octobers before the window stores
and that `forecast export` writes for the window when no run has the challenge's cut-off."""

from __future__ import annotations

import numpy as np
import pandas as pd

from signalfire.demo import demo_files
from signalfire.forecast import models
from signalfire.forecast.countries import challenge_countries, parse_month, window_months
from signalfire.forecast.evaluation.evaluate import OURS, evaluate, window_forecasts
from signalfire.forecast.export import export_window
from signalfire.forecast.runs import run
from signalfire.sources import get
from signalfire.store.ingest import ingest_file

CFG = models.Config(quantiles=(0.1, 0.5, 0.9, 0.99), trees=15, horizons_per_origin=1, history_share=0.2)


def test_window_months_with_a_lead():
    assert window_months(2019) == (parse_month("2018-10"), list(range(parse_month("2019-01"),
                                                                     parse_month("2019-12") + 1)))
    cutoff, months = window_months(2019, lead=2)
    assert cutoff == parse_month("2017-10") and months == window_months(2019)[1]
    assert (months[0] - cutoff, months[-1] - cutoff) == (15, 26)


def test_lead_two_scores_what_a_run_two_octobers_before_exports(store, tmp_path):
    ingest_file(store, get("views-cm"), next(p for a, p in demo_files() if a == "views-cm"))
    actual, draws, hist = window_forecasts(store.con, 2019, draws=60, cfg=CFG, benchmarks=("conflictology",),
                                           lead=2)
    assert hist.shape[1] == parse_month("2017-10") - 121 + 1       # history to October 2017, none after
    assert actual.shape == (191, 12) and draws[OURS].shape == (191, 12, 60)

    run(store.con, parse_month("2017-10"), horizons=36, draws=60, cfg=CFG)
    frame = pd.read_parquet(export_window(store.con, 2019, tmp_path))   # no 2018-10 run: the 2017-10 run's months
    order = {c: i for i, c in enumerate(challenge_countries()["country_id"])}
    exported = np.zeros((191, 12, 60))
    exported[frame.country_id.map(order), frame.month_id - window_months(2019)[1][0], frame.draw] = frame.outcome
    np.testing.assert_array_equal(exported, draws[OURS])

    result = evaluate(store.con, [2019], draws=60, cfg=CFG, lead=2)
    assert result["lead"] == 2 and result["months_ahead"] == [15, 26]
    assert np.isfinite(result["windows"]["2019"][OURS]["crps"])
