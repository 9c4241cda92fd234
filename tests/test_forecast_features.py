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
    annual = {k: rng.poisson(50, size=(4, 40)).astype(float) for k in ("ns", "os")}
    full = feature_cube(Y, adj, annual)
    for t in (12, 25, 39):
        cut = feature_cube(Y[:, : t + 1], adj, {k: v[:, : t + 1] for k, v in annual.items()})
        assert np.allclose(full[:, : t + 1], cut), t


def test_annual_covariates_are_features_of_the_country_and_its_neighbours():
    Y = np.zeros((3, 24))
    adj = np.array([[0, 1, 0], [1, 0, 1], [0, 1, 0]], dtype=float)
    annual = {"ns": np.array([[9.0] * 24, [0.0] * 24, [99.0] * 24]), "os": np.zeros((3, 24))}
    cube = feature_cube(Y, adj, annual)
    col = {name: cube[:, -1, i] for i, name in enumerate(NAMES)}
    np.testing.assert_allclose(col["ns_year"], np.log1p([9, 0, 99]))
    np.testing.assert_allclose(col["nb_ns_year"], np.log1p([0, 108, 0]))
    # without them the features are unknown to the trees, not a made-up zero
    assert np.isnan(feature_cube(Y, adj)[:, :, NAMES.index("os_year")]).all()
