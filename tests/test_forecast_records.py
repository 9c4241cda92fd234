"""Draws held to the record's rate (qgbm-1.7, forecast/records.py): the rate at which months went past a
country's own record is counted from the history alone, per size of record, nearness to it and horizon; a forecast
keeps at most that share of its draws above the record and sets the others to the record."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from signalfire.forecast import models, records


def test_record_class_by_size_and_nearness():
    k = len(records.NEAR_EDGES) + 1
    # no death ever; 10 at its record (nearness 1); 3,000 with a recent level of 100 (a thirtieth); 9,000 at half
    cls = records.record_class(np.array([0.0, 10.0, 3000.0, 9000.0]), np.array([0.0, 10.0, 100.0, 4500.0]))
    assert cls.tolist() == [0 * k + 0, 1 * k + 3, 4 * k + 0, 5 * k + 3]
    assert records.CLASSES == 6 * k


def test_exceedance_rates_count_months_past_the_record_at_each_horizon(monkeypatch):
    monkeypatch.setattr(records, "MIN_PAIRS", 1)
    # one country: records 0, 5, 10, 10, 20 at months 0-4
    Y = np.array([[0.0, 5.0, 10.0, 3.0, 20.0]])
    rates = records.exceedance_rates(Y, 2)
    recent = records.recent_level(Y)[0]
    np.testing.assert_allclose(recent, [0, 2.5, 5, 6, 11])
    cls = records.record_class(np.maximum.accumulate(Y[0]), recent)
    # horizon 1: 0->5 past (class of month 0), 5->10 past, 10->3 not, 10->20 past
    # horizon 2: 0->10 past, 5->3 not, 10->20 past
    expect1, expect2 = {}, {}
    for t, hit in enumerate([1, 1, 0, 1]):
        expect1.setdefault(cls[t], []).append(hit)
    for t, hit in enumerate([1, 0, 1]):
        expect2.setdefault(cls[t], []).append(hit)
    for c, hits in expect1.items():
        assert rates[c, 0] == pytest.approx(np.mean(hits))
    for c, hits in expect2.items():
        assert rates[c, 1] == pytest.approx(np.mean(hits))


def test_exceedance_rates_never_read_past_the_history():
    rng = np.random.default_rng(0)
    Y = rng.poisson(rng.uniform(0, 300, size=(40, 1))[:, [0] * 200]).astype(float)
    a = records.exceedance_rates(Y[:, :150], 14)
    b = records.exceedance_rates(np.concatenate([Y[:, :150], np.full((40, 50), 1e6)], axis=1)[:, :150], 14)
    np.testing.assert_array_equal(a, b)
    assert ((a >= 0) & (a <= 1)).all()


def test_a_thin_class_takes_its_nearness_rate(monkeypatch):
    """Every class thin (MIN_PAIRS huge) and every nearness thin at each horizon: each class's rate is its nearness's
    share over every size of record with a death and every horizon, counted here pair by pair."""
    monkeypatch.setattr(records, "MIN_PAIRS", 10**9)
    rng = np.random.default_rng(1)
    Y = rng.poisson(rng.uniform(0, 300, size=(6, 1))[:, [0] * 40]).astype(float)
    Y[rng.random(Y.shape) < 0.4] = 0.0
    H = 3
    rates = records.exceedance_rates(Y, H)
    record = np.maximum.accumulate(Y, axis=1)
    recent = records.recent_level(Y)
    k = len(records.NEAR_EDGES) + 1
    hits, seen = np.zeros(k), np.zeros(k)
    for i in range(Y.shape[0]):
        for t in range(Y.shape[1]):
            if record[i, t] < 1:
                continue                       # sizes with a death only
            near = records.record_class(record[i, t], recent[i, t]) % k
            for h in range(1, H + 1):
                if t + h < Y.shape[1]:
                    seen[near] += 1
                    hits[near] += Y[i, t + h] > record[i, t]
    expect = np.divide(hits, seen, out=np.zeros(k), where=seen > 0)
    for c in range(records.CLASSES):
        np.testing.assert_allclose(rates[c], expect[c % k])


def test_hold_to_record_keeps_the_allowed_share_above_the_record():
    n, months, m = 2, 3, 1000
    Y = np.array([[0, 100, 400, 50, 60, 80], [0, 0, 2, 1, 0, 3]], dtype=float)  # records 400 and 3
    draws = np.tile(np.arange(m, dtype=float), (n, months, 1))          # 0 … 999: 599 draws above 400
    rates = np.zeros((records.CLASSES, 5))
    c0 = records.record_class(np.array([400.0]), records.recent_level(Y)[:1, -1])[0]
    c1 = records.record_class(np.array([3.0]), records.recent_level(Y)[1:, -1])[0]
    rates[c0, :] = 0.02                                                   # 20 of 1000 draws may pass 400 …
    rates[c1, 2] = 0.5                                                    # … and 500 may pass 3 at horizon 3
    out = records.hold_to_record(draws, Y, first_horizon=1, rates=rates)
    assert ((out[0] > 400).sum(axis=1) == 20).all()
    np.testing.assert_array_equal(out[0, :, -20:], draws[0, :, -20:])    # the largest draws are kept
    np.testing.assert_array_equal(out[0, :, :401], draws[0, :, :401])    # those at or below the record too
    assert (out[0, :, 401:-20] == 400).all()
    assert ((out[1] > 3).sum(axis=1) == [0, 0, 500]).all()
    # the draws' positions are kept: a shuffled forecast is held the same way, draw by draw
    perm = np.random.default_rng(2).permutation(m)
    np.testing.assert_array_equal(records.hold_to_record(draws[..., perm], Y, 1, rates), out[..., perm])


def test_forecast_holds_draws_to_the_record_rate():
    """A country whose recent level is a fortieth of its record: the model's upper tail, measured from the recent
    level with a steep tail, would pass the record; after the rule no more than the history's share does."""
    rng = np.random.default_rng(1)
    Y = rng.poisson(rng.uniform(0, 40, size=(30, 1))[:, [0] * 120]).astype(float)
    Y[0, 60] = 4000.0                       # one month long ago, far above anything since
    Y[0, -6:] = 100.0
    cfg = models.Config(quantiles=(0.1, 0.5, 0.9), trees=30, horizons_per_origin=2, quiet_keep=1.0,
                        history_share=0.0, offsets=("mean3",), upper_tail=60.0)
    held = models.forecast(Y, np.zeros((30, 30)), horizons=3, draws=400, cfg=cfg)
    free = models.forecast(Y, np.zeros((30, 30)), horizons=3, draws=400,
                           cfg=dataclasses.replace(cfg, hold_to_record=False))
    record = Y.max(axis=1)
    rates = records.exceedance_rates(Y, records.RATE_HORIZONS)[:, :3]
    allowed = np.ceil(rates[records.record_class(record, records.recent_level(Y)[:, -1])] * 400
                      - 1e-9)
    over_held = (held > record[:, None, None]).sum(axis=2)
    over_free = (free > record[:, None, None]).sum(axis=2)
    np.testing.assert_array_equal(over_held, np.minimum(allowed, over_free))
    assert over_free.sum() > over_held.sum()                  # the rule had something to do
    below = free <= record[:, None, None]
    np.testing.assert_array_equal(held[below], free[below])  # draws at or below the record are left alone


def test_a_month_is_held_the_same_however_many_months_a_forecast_asks_for(monkeypatch):
    """A thin class takes its rate pooled over horizons: pooled over the same RATE_HORIZONS whether the draws cover
    14 months (an evaluation window) or 36 (a run, whose export the hidden window scores)."""
    monkeypatch.setattr(records, "MIN_PAIRS", 10**9)     # every class thin: every rate is a pooled one
    rng = np.random.default_rng(4)
    t = np.arange(150)
    Y = rng.poisson(rng.uniform(20, 300, size=(12, 1)) * (1 + t / 40)).astype(float)  # growing: records often passed
    rates14, rates36 = records.exceedance_rates(Y, 14), records.exceedance_rates(Y, 36)
    assert (rates14 != rates36[:, :14]).any()            # pooled over 1-14 and over 1-36 differ
    draws = rng.lognormal(np.log(3 * Y.max(axis=1))[:, None, None], 0.3, size=(12, 36, 500)).round()  # most above
    long = records.hold_to_record(draws, Y, first_horizon=1)
    short = records.hold_to_record(draws[:, :14], Y, first_horizon=1)
    np.testing.assert_array_equal(short, long[:, :14])
    assert (long != draws).any()                                                     # the rule had work to do
    scored = records.hold_to_record(draws[:, 2:14], Y, first_horizon=3)              # months 3-14, as scored
    np.testing.assert_array_equal(scored, long[:, 2:14])
