"""Score functions: hand-computed cases and agreement with properscoring / scikit-learn."""

from __future__ import annotations

import numpy as np
import properscoring as ps
import pytest
from sklearn.metrics import average_precision_score

from signalfire.forecast.evaluation import scores


def test_crps_hand_cases():
    # deterministic forecast: |x - y|
    assert scores.crps([3], [[7]])[0] == pytest.approx(4)
    # draws {0, 10}, y = 0: E|X-y| = 5, E|X-X'| = 5  -> 5 - 2.5 = 2.5
    assert scores.crps([0], [[0, 10]])[0] == pytest.approx(2.5)
    # draws {1, 2, 3}, y = 2: E|X-y| = 2/3, E|X-X'| = (0+1+2+1+0+1+2+1+0)/9 = 8/9 -> 2/3 - 4/9 = 2/9
    assert scores.crps([2], [[1, 2, 3]])[0] == pytest.approx(2 / 9)


def test_crps_matches_properscoring():
    rng = np.random.default_rng(3)
    y = rng.poisson(3, 300) * (rng.random(300) < 0.4) * 7.0
    x = rng.negative_binomial(1, 0.1, (300, 250)) * (rng.random((300, 250)) < 0.5)
    np.testing.assert_allclose(scores.crps(y, x), ps.crps_ensemble(y, x), rtol=1e-10, atol=1e-10)


def test_ignorance_hand_cases():
    # 11 bins, one pseudo-draw each: 8 of 10 draws in y's bin -> -log2(9/21)
    draws = [[0, 0, 0, 0, 0, 0, 0, 0, 30, 2000]]
    assert scores.ignorance([0.2], draws)[0] == pytest.approx(-np.log2(9 / 21))
    # y = 30 falls in [25.5, 50.5): one draw there -> -log2(2/21)
    assert scores.ignorance([30], draws)[0] == pytest.approx(-np.log2(2 / 21))
    # beyond the last edge: bin [1000.5, inf)
    assert scores.ignorance([5000], draws)[0] == pytest.approx(-np.log2(2 / 21))
    # a bin with no draws: -log2(1/21)
    assert scores.ignorance([3], draws)[0] == pytest.approx(-np.log2(1 / 21))


def test_interval_score_hand_cases():
    x = np.arange(101, dtype=float)[None, :]  # 5% and 95% quantiles: 5 and 95
    assert scores.interval([50], x)[0] == pytest.approx(90)
    assert scores.interval([0], x)[0] == pytest.approx(90 + 20 * 5)
    assert scores.interval([100], x)[0] == pytest.approx(90 + 20 * 5)


def test_brier_and_average_precision():
    x = np.array([[0, 30, 30, 30], [0, 0, 0, 25], [0, 0, 0, 0]], dtype=float)
    y = np.array([40, 0, 26])
    np.testing.assert_allclose(scores.brier(y, x), [(0.75 - 1) ** 2, 0.25 ** 2, 1.0])
    rng = np.random.default_rng(5)
    y = rng.poisson(20, 500).astype(float)
    x = rng.poisson(rng.uniform(0, 40, 500)[:, None], (500, 64)).astype(float)
    want = average_precision_score(y >= 25, (x >= 25).mean(axis=1))
    assert scores.average_precision(y, x) == pytest.approx(want)
    assert np.isnan(scores.average_precision([0, 1], [[0], [1]]))


def test_pit_is_uniform_for_a_calibrated_forecast():
    rng = np.random.default_rng(7)
    lam = rng.uniform(0, 30, 4000)
    y = rng.poisson(lam)
    x = rng.poisson(lam[:, None], (4000, 400))
    hist, _ = np.histogram(scores.pit(y, x), bins=10, range=(0, 1))
    assert hist.min() > 300 and hist.max() < 500


def test_summary_keys_and_shape_errors():
    s = scores.summary([0, 30], [[0, 1], [20, 40]])
    assert set(s) == {"crps", "ign", "mis", "brier25", "ap25"}
    with pytest.raises(ValueError):
        scores.crps([1, 2, 3], [[1], [2]])


def test_resample_draws_as_the_challenge_before_ign():
    from scipy.signal import resample
    one = np.array([[0.0], [7.0]])
    assert (scores.resample_draws(one, 1000) == np.repeat(one, 1000, axis=1)).all()
    twelve = np.array([[0, 0, 0, 40, 0, 0, 0, 0, 0, 0, 0, 3.0]])
    out = scores.resample_draws(twelve, 1000)
    assert out.shape == (1, 1000) and out.min() == 0                   # negatives set to 0
    np.testing.assert_allclose(out, np.clip(resample(twelve, 1000, axis=1), 0, None))
    thousand = np.arange(2000.0).reshape(2, 1000)
    np.testing.assert_array_equal(scores.resample_draws(thousand, 1000), thousand)
    # IGN of the same 12 values is lower once they count as 1,000 draws (1 pseudo-draw per bin weighs less)
    y = np.array([0.0])
    assert scores.per_observation(y, twelve, ign_draws=1000)["ign"][0] < scores.ignorance(y, twelve)[0]
