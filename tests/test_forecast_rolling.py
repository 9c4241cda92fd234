"""The rolling-origin evaluation: the model choice for a window never reads that window's scores nor those of any
window whose months are not all known at its cut-off, and the per-window cache makes a stopped evaluation resume."""

from __future__ import annotations

import json

import numpy as np
import pytest

from signalfire.forecast.evaluation import rolling
from signalfire.forecast.evaluation.evaluate import OURS, REFERENCE

YEARS = list(range(2005, 2024))


class Guarded(dict):
    """Window scores that fail on any read of a window not in ``allowed``, and record the windows read."""

    def __init__(self, data, allowed):
        super().__init__(data)
        self.allowed, self.read = set(allowed), set()

    def __getitem__(self, key):
        if key not in self.allowed:
            raise AssertionError(f"the choice read window {key}, which is not before the scored window")
        self.read.add(key)
        return super().__getitem__(key)


def _scores(crps_ours, crps_ref):
    return {str(y): {OURS: {"crps": a, "ign": 0.5, "mis": 10.0}, REFERENCE: {"crps": b, "ign": 0.6, "mis": 9.0}}
            for y, a, b in zip(YEARS, crps_ours, crps_ref)}


def test_before_is_the_windows_known_at_the_cutoff():
    assert rolling.before(2010, YEARS) == [2005, 2006, 2007, 2008]     # 2009's Nov-Dec come after October 2009
    assert rolling.before(2010, YEARS, lead=2) == [2005, 2006, 2007]  # cut-off October 2008
    assert rolling.before(2006, YEARS) == []
    assert rolling.before(2018, [2018, 2019, 2020]) == []


def test_the_choice_never_reads_the_scored_window():
    rng = np.random.default_rng(0)
    windows = _scores(rng.uniform(1, 10, len(YEARS)), rng.uniform(1, 10, len(YEARS)))
    for year in YEARS:
        allowed = {str(v) for v in YEARS if v <= year - 2}
        guarded = Guarded(windows, allowed)
        chosen, on, means = rolling.choose(guarded, year, YEARS, 1, [OURS, REFERENCE])
        assert guarded.read == allowed and str(year) not in guarded.read and str(year - 1) not in guarded.read
        assert on == sorted(int(v) for v in allowed)
        if on:
            expect = {c: np.mean([windows[str(v)][c]["crps"] for v in on]) for c in (OURS, REFERENCE)}
            assert means == pytest.approx(expect)
            assert chosen == min(expect, key=expect.get)
        else:
            assert chosen == OURS and means == {}   # no earlier window: the default


def test_the_choice_is_the_best_before_not_the_best_on_the_window():
    # the reference wins every window up to 2012, our model every window after: the choice follows with a lag of
    # two windows (the window before is not over at the cut-off) and never picks the winner of the window itself
    ours = [5.0 if y <= 2012 else 1.0 for y in YEARS]
    ref = [4.0 if y <= 2012 else 9.0 for y in YEARS]
    roll = rolling.rolling_choice(_scores(ours, ref), YEARS, 1, [OURS, REFERENCE])
    chosen = {int(y): row["chosen"] for y, row in roll["windows"].items()}
    assert chosen[2005] == chosen[2006] == OURS                       # nothing before them: the default
    assert all(chosen[y] == REFERENCE for y in range(2007, 2015))   # 2013 and 2014 still chosen on 2005-2012 …
    assert chosen[2015] == OURS       # on 2005-2013: a tie (41/9 each), which goes to the earlier candidate
    assert all(chosen[y] == OURS for y in range(2016, 2024))
    assert roll["windows"]["2013"]["crps"] == 9.0                   # the chosen one's score on the window
    assert roll["mean"]["crps"] == pytest.approx(np.mean([r["crps"] for r in roll["windows"].values()]))


def _fake_window(calls):
    def score_window(con, year, draws, cfg, frame, lead, ref, data, on_window=None):
        calls.append(year)
        actual, _ = data
        per = {name: {"crps": float(year - 2000 + k), "ign": 0.5, "mis": 10.0, "brier25": 0.1, "ap25": 0.5}
               for k, name in enumerate((OURS, "zero", "last", "boot", "conflictology", REFERENCE))}
        per["contributions"] = {"crps_without_onsets": {OURS: 1.0, "conflictology": 2.0}, "countries": [],
                                "onsets": []}
        return per, {OURS: np.linspace(0, 1, actual.size)}
    return score_window


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    from signalfire.demo import demo_files
    from signalfire.sources import get
    from signalfire.store.ingest import ingest_file
    from signalfire.warehouse import Warehouse
    wh = Warehouse(tmp_path_factory.mktemp("rolling") / "v.duckdb")
    ingest_file(wh, get("views-cm"), next(p for a, p in demo_files() if a == "views-cm"))
    yield wh
    wh.close()


def test_the_cache_resumes_a_stopped_evaluation(store, tmp_path, monkeypatch):
    from signalfire.forecast.evaluation import evaluate as ev
    from signalfire.forecast.evaluation.reference import ReferenceConfig
    calls: list[int] = []
    monkeypatch.setattr(ev, "score_window", _fake_window(calls))
    cache = tmp_path / "rolling.json"
    first = ev.evaluate(store.con, [2010, 2011], ref=ReferenceConfig(), cache=cache)
    assert calls == [2010, 2011] and first["cached_windows"] == []
    saved = json.loads(cache.read_text())
    (entry,) = saved["entries"].values()
    assert sorted(entry["windows"]) == ["2010", "2011"] and entry["key"]["model_version"]
    # "stopped" after 2011: the next run computes only the windows not in the cache, and reads the others back
    calls.clear()
    more = ev.evaluate(store.con, [2010, 2011, 2012], ref=ReferenceConfig(), cache=cache)
    assert calls == [2012] and more["cached_windows"] == [2010, 2011]
    assert more["windows"]["2011"][OURS] == first["windows"]["2011"][OURS]
    assert more["rolling"]["windows"]["2012"]["on"] == [2010]
    assert len(more["pit"][OURS]) == 3 * 191 * 12
    # another configuration (here: without the reference) is another entry, computed anew
    calls.clear()
    ev.evaluate(store.con, [2010], ref=None, cache=cache)
    assert calls == [2010] and len(json.loads(cache.read_text())["entries"]) == 2


def test_the_cache_is_not_used_when_the_data_change(store, tmp_path, monkeypatch):
    from signalfire.forecast.evaluation import evaluate as ev
    calls: list[int] = []
    monkeypatch.setattr(ev, "score_window", _fake_window(calls))
    cache = tmp_path / "rolling.json"
    ev.evaluate(store.con, [2010], cache=cache)
    real = ev.window_data

    def changed(con, year, lead=1):
        actual, hist = real(con, year, lead)
        return actual + 1, hist              # a newer vintage of the actuals
    monkeypatch.setattr(ev, "window_data", changed)
    calls.clear()
    result = ev.evaluate(store.con, [2010], cache=cache)
    assert calls == [2010] and result["cached_windows"] == []


def test_shrink_upper_draws_the_upper_half_towards_the_median():
    from signalfire.forecast.models import shrink_upper
    draws = np.sort(np.random.default_rng(1).poisson(np.exp(np.random.default_rng(2).normal(3, 1.5, (4, 3, 1))),
                                                     size=(4, 3, 200)).astype(float), axis=2)
    np.testing.assert_array_equal(shrink_upper(draws, 1.0), draws)
    out = shrink_upper(draws, 0.5)
    L, m = np.log1p(draws), np.median(np.log1p(draws), axis=2, keepdims=True)
    low = L <= m
    np.testing.assert_array_equal(out[low], draws[low])                    # the lower half and the median kept
    np.testing.assert_allclose(out[~low], np.expm1(m + 0.5 * (L - m))[~low], atol=0.5)   # whole deaths
    assert (out[~low] < draws[~low]).any()
    assert (np.diff(out, axis=2) >= 0).all() and (out <= draws).all() and (out == np.rint(out)).all()


def test_the_windows_chosen_on_are_printed_as_spans():
    from signalfire.forecast.cli.commands import _spans
    assert _spans([2005, 2006, 2007, 2018]) == "2005–2007, 2018"
    assert _spans([2005]) == "2005" and _spans([]) == ""


def test_scale_spread_scales_both_halves_around_the_median():
    from signalfire.forecast.models import scale_spread
    draws = np.sort(np.random.default_rng(3).poisson(np.exp(np.random.default_rng(4).normal(3, 1.5, (4, 3, 1))),
                                                     size=(4, 3, 201)).astype(float), axis=2)
    np.testing.assert_array_equal(scale_spread(draws, 1.0), draws)
    L, m = np.log1p(draws), np.median(np.log1p(draws), axis=2, keepdims=True)
    for s in (0.8, 1.1):
        out = scale_spread(draws, s)
        np.testing.assert_allclose(out, np.expm1(np.maximum(m + s * (L - m), 0)), atol=0.5)   # whole deaths
        np.testing.assert_allclose(out[:, :, 100], draws[:, :, 100], atol=0.5)                 # the median kept
        assert (np.diff(out, axis=2) >= 0).all() and (out == np.rint(out)).all() and (out >= 0).all()
    narrow, wide = scale_spread(draws, 0.8), scale_spread(draws, 1.1)
    assert (narrow[:, :, -1] <= draws[:, :, -1]).all() and (narrow[:, :, 0] >= draws[:, :, 0]).all()
    assert (wide[:, :, -1] >= draws[:, :, -1]).all()


def test_the_new_candidates_are_chosen_only_on_earlier_windows():
    """The spread variants and the quantile averages go through the same choice: for every window it reads the
    scores of exactly the windows before it, whichever candidate wins."""
    from signalfire.forecast import ensemble
    from signalfire.forecast.evaluation.evaluate import spread_variant
    names = [OURS, spread_variant(0.8), ensemble.name((0.6, 0.4, 0.0)), REFERENCE]
    rng = np.random.default_rng(5)
    windows = {str(y): {n: {"crps": float(rng.uniform(1, 10)), "ign": 0.5, "mis": 10.0} for n in names}
               for y in YEARS}
    roll = rolling.rolling_choice(windows, YEARS, 1, names)
    for year in YEARS:
        allowed = {str(v) for v in YEARS if v <= year - 2}
        guarded = Guarded(windows, allowed)
        chosen, on, _means = rolling.choose(guarded, year, YEARS, 1, names)
        assert guarded.read == allowed
        if on:
            expect = {n: np.mean([windows[str(v)][n]["crps"] for v in on]) for n in names}
            assert chosen == min(expect, key=expect.get) == roll["windows"][str(year)]["chosen"]
            assert roll["windows"][str(year)]["crps"] == windows[str(year)][chosen]["crps"]


def test_variants_are_the_candidates_made_from_a_windows_draws():
    from signalfire.forecast import ensemble
    from signalfire.forecast.evaluation.evaluate import candidates, spread_variant, upper_variant, variants
    from signalfire.forecast.models import SPREAD_SCALES, UPPER_SCALES, scale_spread
    rng = np.random.default_rng(6)
    f = {OURS: rng.poisson(20, (3, 12, 100)).astype(float), REFERENCE: rng.poisson(15, (3, 12, 100)).astype(float),
         "conflictology": rng.poisson(20, (3, 12, 12)).astype(float)}
    out = variants(f)
    assert set(out) == ({upper_variant(s) for s in UPPER_SCALES} | {spread_variant(s) for s in SPREAD_SCALES}
                        | {ensemble.name(w) for w in ensemble.WEIGHTS})
    assert all(v.shape == (3, 12, 100) for v in out.values())
    np.testing.assert_array_equal(out[spread_variant(0.8)], scale_spread(f[OURS], 0.8))
    w = (0.6, 0.2, 0.2)
    np.testing.assert_array_equal(out[ensemble.name(w)], ensemble.quantile_average(
        [f[OURS], f[REFERENCE], f["conflictology"]], w, 100))
    # a candidate some window did not score is left out of the choice
    result = {"windows": {"2010": {n: {} for n in (OURS, *out, REFERENCE)}, "2011": {OURS: {}, REFERENCE: {}}}}
    assert candidates(result) == [OURS, REFERENCE]
