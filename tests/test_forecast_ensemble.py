"""Quantile averaging (forecast/ensemble.py): the formula, and the CRPS bound that convexity gives."""

from __future__ import annotations

import numpy as np
import pytest

from signalfire.forecast import ensemble
from signalfire.forecast.evaluation import scores


def test_quantile_function_is_the_sorted_draws_at_the_levels():
    x = np.array([[5.0, 1.0, 3.0, 2.0]])
    assert ensemble.quantile_function(x, 4).tolist() == [[1.0, 2.0, 3.0, 5.0]]
    # 12 values at 24 levels: each value twice, in order (u = (k + ½)/24 → the ⌈u·12⌉-th value)
    v = np.arange(12.0)[::-1][None, :]
    assert ensemble.quantile_function(v, 24).tolist() == [sorted(list(range(12)) * 2)]


def test_quantile_average_is_the_weighted_mean_of_the_quantile_functions():
    a = np.array([[0.0, 10.0, 20.0, 30.0]])
    b = np.array([[100.0, 0.0, 300.0, 200.0]])   # sorted: 0, 100, 200, 300
    out = ensemble.quantile_average([a, b], [3, 1], draws=4)     # weights normalised to 0.75, 0.25
    assert out.tolist() == [[0.0, 32.0, 65.0, 98.0]]     # 0, 32.5, 65, 97.5 rounded half to even (np.rint)
    assert ensemble.quantile_average([a, b], [1, 1], draws=4).tolist() == [[0.0, 55.0, 110.0, 165.0]]
    # a member of 2 draws at 4 levels: its values each twice
    c = np.array([[8.0, 4.0]])
    assert ensemble.quantile_average([a, c], [0.5, 0.5], draws=4).tolist() == [[2.0, 7.0, 14.0, 19.0]]


def test_quantile_average_of_one_member_is_its_sorted_draws_and_weights_are_checked():
    rng = np.random.default_rng(1)
    x = rng.poisson(30, size=(5, 3, 200)).astype(float)
    assert np.array_equal(ensemble.quantile_average([x, x * 7], [1, 0], draws=200), np.sort(x, axis=-1))
    with pytest.raises(ValueError):
        ensemble.quantile_average([x, x], [1, -1])
    with pytest.raises(ValueError):
        ensemble.quantile_average([x, x], [0, 0])
    with pytest.raises(ValueError):
        ensemble.quantile_average([x, x], [1])


def test_crps_of_the_average_is_at_most_the_weighted_mean_of_the_members():
    """CRPS = ∫ pinball loss of Q(u) du, convex in Q(u): CRPS(Σ wᵢ Qᵢ) ≤ Σ wᵢ CRPS(Qᵢ) (before rounding; with
    levels that are the members' own draws the bound holds for the empirical CRPS, up to rounding)."""
    rng = np.random.default_rng(0)
    y = rng.poisson(20, size=300).astype(float)
    members = [rng.negative_binomial(2, 0.05, size=(300, 400)).astype(float),
               rng.poisson(y[:, None] * 2 + 1, size=(300, 400)).astype(float),
               rng.integers(0, 60, size=(300, 400)).astype(float)]
    w = np.array([0.5, 0.3, 0.2])
    comb = ensemble.quantile_average(members, w, draws=400)
    each = np.array([scores.crps(y, m).mean() for m in members])
    assert scores.crps(y, comb).mean() <= w @ each + 0.5      # 0.5: the rounding to whole deaths
    assert scores.crps(y, comb).mean() < each.max()


def test_combinations_names_and_skips_missing_members():
    rng = np.random.default_rng(2)
    f = {"qgbm": rng.poisson(5, size=(2, 3, 50)).astype(float),
         "conflictology": rng.poisson(5, size=(2, 3, 12)).astype(float)}
    out = ensemble.combinations(f, draws=50)
    assert set(out) == {ensemble.name(w) for w in ensemble.WEIGHTS if w[1] == 0}   # no reference given
    assert ensemble.name((0.8, 0.0, 0.2)) == "ensemble-0.8-0-0.2"
    assert all(v.shape == (2, 3, 50) for v in out.values())
