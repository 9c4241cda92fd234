"""Feature values by hand, and that every feature of origin t reads only months ≤ t."""

import numpy as np

from signalfire.forecast.features import NAMES, feature_cube


def test_robust_level_and_steadiness_by_hand():
    row = np.array([[0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 1e6]], dtype=float)
    L = np.log1p(row)
    cube = feature_cube(row, np.zeros((1, 1)))
    f = {name: cube[0, :, i] for i, name in enumerate(NAMES)}
    # at the last month a single huge month moves the 3-month mean a lot and the 12-month median not at all
    assert np.isclose(f["med12"][-1], np.log(10))
    assert np.isclose(f["mean3"][-1], (2 * np.log(10) + np.log1p(1e6)) / 3)
    # the 6-month median and spread of a steady stretch: log(10) and 0
    assert np.isclose(f["med6"][-2], np.log(10)) and np.isclose(f["sd6"][-2], 0)
    # the 12-month spread at the last month: population sd of eleven log(10) and one log(1e6 + 1)
    assert np.isclose(f["sd12"][-1], np.std(L[0, -12:]))
    # the start pads with the first value: a median over fewer months never sees a made-up zero
    assert f["med12"][0] == 0 and f["sd12"][0] == 0


def test_features_of_an_origin_read_no_later_month():
    rng = np.random.default_rng(0)
    Y = rng.poisson(5, size=(4, 40)).astype(float)
    adj = np.ones((4, 4)) - np.eye(4)
    full = feature_cube(Y, adj)
    for t in (12, 25, 39):
        cut = feature_cube(Y[:, : t + 1], adj)
        assert np.allclose(full[:, : t + 1], cut), t
