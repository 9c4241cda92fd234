"""The reference forecaster (quantile LightGBM on each country's own history): its features use only the past,
its draws follow each country's level, and `forecast evaluate` scores it as a fifth benchmark."""

from __future__ import annotations

import numpy as np

from signalfire.forecast.evaluation import reference

SMALL = reference.ReferenceConfig(levels=9, years=4)


def _panel():
    rng = np.random.default_rng(3)
    levels = np.r_[np.zeros(10), np.full(10, 5.0), np.full(10, 200.0)]
    return rng.poisson(levels[:, None].repeat(120, axis=1)).astype(float)


def test_features_use_only_the_months_up_to_the_origin():
    Y = _panel()
    L = np.log1p(Y)
    t = 80
    later = L.copy()
    later[:, t + 1:] = 9.0                       # anything after the origin
    np.testing.assert_array_equal(reference.features(L, t), reference.features(later, t))
    f = reference.features(L, t)
    assert f.shape == (30, len(reference.FEATURES) - 1)
    names = reference.FEATURES
    np.testing.assert_allclose(f[:, names.index("lag0")], L[:, t])
    np.testing.assert_allclose(f[:, names.index("lag11")], L[:, t - 11])
    np.testing.assert_allclose(f[:, names.index("mean12")], L[:, t - 11:t + 1].mean(axis=1))
    np.testing.assert_allclose(f[:, names.index("max36")], L[:, t - 35:t + 1].max(axis=1))
    assert (f[:10, names.index("since")] == t + 1).all()     # never a death: the whole history
    assert (f[20:, names.index("since")] == 0).all()         # a death in the origin month itself


def test_draws_follow_each_countrys_level():
    Y = _panel()
    d = reference.forecast(Y, list(range(3, 6)), draws=200, cfg=SMALL)
    assert d.shape == (30, 3, 200)
    assert (d >= 0).all() and (d == np.rint(d)).all()
    assert (np.diff(d, axis=2) >= 0).all()                  # draws sorted along the quantile function
    med = np.median(d, axis=2)
    assert (med[:10] == 0).all()
    assert (np.abs(med[10:20] - 5) <= 3).all()
    assert (np.abs(med[20:] - 200) <= 40).all()


def test_evaluate_scores_the_reference_as_a_fifth_benchmark(tmp_path):
    from signalfire.demo import demo_files
    from signalfire.forecast import models
    from signalfire.forecast.evaluation.evaluate import REFERENCE, best_benchmark_margins, evaluate
    from signalfire.sources import get
    from signalfire.store.ingest import ingest_file
    from signalfire.warehouse import Warehouse
    with Warehouse(tmp_path / "v.duckdb") as wh:
        ingest_file(wh, get("views-cm"), next(p for a, p in demo_files() if a == "views-cm"))
        result = evaluate(wh.con, [2019], draws=50, cfg=models.FAST, ref=SMALL)
    assert result["benchmarks"] == ["zero", "last", "boot", "conflictology", REFERENCE]
    per = result["windows"]["2019"][REFERENCE]
    assert set(per) == {"crps", "ign", "mis", "brier25", "ap25"} and per["crps"] > 0
    assert REFERENCE in result["mean"]
    margins = best_benchmark_margins(result)["2019"]["crps"]
    assert margins["best_benchmark"] <= per["crps"]
