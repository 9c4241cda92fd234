"""The quantile model's offset members: a conflict at a level never seen in training is forecast near its level
by a member whose target is measured from the recent level, and pulled down by the un-offset member (a tree cannot
predict beyond the targets it saw); a member measured from the 12-month median is not moved by one extreme month;
the ensemble splits the draws between its members."""

from __future__ import annotations

import dataclasses

import numpy as np

from signalfire.forecast import models

CFG = models.Config(quantiles=(0.1, 0.5, 0.9), trees=30, horizons_per_origin=2, quiet_keep=1.0, history_share=0.0,
                    offsets=("", "mean3", "mean12"))


def _panel():
    rng = np.random.default_rng(1)
    Y = rng.poisson(rng.uniform(0, 40, size=(30, 1))[:, [0] * 120]).astype(float)  # steady levels up to ~40
    Y[0, -6:] = 5000.0  # one country far above anything in the past (too recent to be a training target)
    return Y, np.zeros((30, 30))


def test_offset_member_follows_an_unprecedented_level():
    Y, adj = _panel()
    plain = np.expm1(models.fit_predict_quantiles(Y, adj, 3, CFG)[0, :, 1])
    offset = np.expm1(models.fit_predict_quantiles(Y, adj, 3, CFG, "mean3")[0, :, 1])
    assert (plain < 200).all()                      # bounded by the training targets
    assert (offset > 1000).all() and (offset < 20000).all()  # near the country's own level
    # for the steady countries both members agree within a factor of 2
    steady_plain = models.fit_predict_quantiles(Y, adj, 3, CFG)[1:, 0, 1]
    steady_off = models.fit_predict_quantiles(Y, adj, 3, CFG, "mean3")[1:, 0, 1]
    assert np.abs(steady_plain - steady_off).mean() < np.log(2)


def test_ensemble_splits_draws_between_members():
    Y, adj = _panel()
    d = models.forecast(Y, adj, horizons=3, draws=101, cfg=CFG)
    assert d.shape == (30, 3, 101) and (d >= 0).all()
    big = d[0, 0]
    # three members, a third of the draws each: the 3-month-offset member's draws are near the new level, the
    # un-offset member's far below it (the 12-month member sits in between: half its window is the old level)
    assert 0.25 < (big > 1000).mean() < 0.45
    assert 0.25 < (big < 200).mean() < 0.45


def test_median_member_is_not_moved_by_one_extreme_month():
    Y, adj = _panel()
    Y[0, -6:] = 40.0
    Y[0, -1] = 100000.0   # one month far above the country's level (like Ethiopia, October 2022)
    median = np.expm1(models.fit_predict_quantiles(Y, adj, 3, CFG, "med12")[0, :, 1])
    mean3 = np.expm1(models.fit_predict_quantiles(Y, adj, 3, CFG, "mean3")[0, :, 1])
    assert (median < 200).all()          # near the usual level of ~40
    assert (mean3 > 5 * median).all()    # the 3-month mean carries the spike forward


def test_a_month_is_forecast_the_same_however_many_months_a_run_asks_for():
    # the evaluation asks for 14 months, `forecast run` (whose export the hidden window scores) for 36: the months
    # both cover must come from the same model, so the evaluation scores exactly what a run exports
    Y, adj = _panel()
    short = models.fit_predict_quantiles(Y, adj, 3, CFG, "mean3")
    long = models.fit_predict_quantiles(Y, adj, 36, CFG, "mean3")
    assert long.shape[1] == 36
    np.testing.assert_array_equal(short, long[:, :3])
    # months 1-14 come from a model trained on horizons 1-14, months 15-36 from one trained on 1-36
    assert models.horizon_bands(36, CFG) == [(1, 14, 14), (15, 36, 36)]
    assert models.horizon_bands(20, CFG) == [(1, 14, 14), (15, 20, 36)]
    for months in (17, 20):  # also part-way through the months where the second band's forecast is blended in
        np.testing.assert_array_equal(models.fit_predict_quantiles(Y, adj, months, CFG, "mean3"), long[:, :months])


def test_the_second_band_is_blended_in_without_a_step():
    Y, adj = _panel()
    blended = models.fit_predict_quantiles(Y, adj, 36, CFG, "mean3")
    raw = models.fit_predict_quantiles(Y, adj, 36, dataclasses.replace(CFG, blend_months=0), "mean3")
    np.testing.assert_array_equal(blended[:, :14], raw[:, :14])      # the scored months are never changed
    np.testing.assert_array_equal(blended[:, 20:], raw[:, 20:])      # after the 6 blended months: the far model
    # month 15 is 6/7 the near model's month 14 and 1/7 the far model's own month 15
    np.testing.assert_allclose(blended[:, 14], raw[:, 13] * 6 / 7 + raw[:, 14] / 7)


def test_progress_is_reported_as_each_fit_finishes(monkeypatch):
    # `forecast run` shows a progress bar over the fits: one per member and band of horizons (3 × 2 here).  Each fit
    # waits until the bar has been shown (0 of 6): a report made only once all fits are done would fail here
    import threading
    Y, adj = _panel()
    shown, waited, calls = threading.Event(), [], []
    fit = models._fit_band

    def gated(*args, **kwargs):
        waited.append(shown.wait(timeout=20))
        return fit(*args, **kwargs)

    def progress(done, total):
        calls.append((done, total))
        shown.set()

    monkeypatch.setattr(models, "_fit_band", gated)
    d = models.forecast(Y, adj, horizons=20, draws=24, cfg=CFG, progress=progress)
    assert calls == [(k, 6) for k in range(7)] and waited == [True] * 6
    np.testing.assert_array_equal(d, models.forecast(Y, adj, horizons=20, draws=24, cfg=CFG))  # nothing else changes


def test_no_draw_exceeds_the_largest_month_on_record():
    Y, adj = _panel()
    wide = dataclasses.replace(CFG, upper_tail=50.0)   # a steep upper tail: exp of a long linear tail explodes
    d = models.forecast(Y, adj, horizons=3, draws=400, cfg=wide)
    assert models.tail_bound(Y) == 5000.0
    assert d.max() == 5000.0                         # reached by the escalating country, never passed
    assert (d <= Y.max()).all()
    assert models.tail_bound(np.zeros((2, 5))) == 1.0


def test_forced_row_wise_histograms_give_the_same_forecast_as_either_layout():
    """The fits force LightGBM's row-wise histograms (skipping the timing test it runs at every fit to choose): the
    draws are the same as with the column-wise layout and as with LightGBM's own choice, to the last digit."""
    rng = np.random.default_rng(3)
    Y = rng.poisson(rng.uniform(0, 60, size=(25, 1))[:, [0] * 100]).astype(float)
    Y[rng.random(Y.shape) < 0.3] = 0.0
    Y[:5] = 0.0                                            # quiet countries: their kept rows carry weights
    cfg = dataclasses.replace(CFG, quiet_keep=0.5, offsets=("", "mean3"))
    forced = models.forecast(Y, np.zeros((25, 25)), horizons=4, draws=50, cfg=cfg)
    for params in ({"force_row_wise": False}, {"force_row_wise": False, "force_col_wise": True}):
        other = models.forecast(Y, np.zeros((25, 25)), horizons=4, draws=50, cfg=dataclasses.replace(cfg, params=params))
        assert np.array_equal(forced, other), params
