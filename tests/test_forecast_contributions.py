"""The evaluation says where a window's CRPS came from and separates onsets the series could not announce."""

import numpy as np

from signalfire.forecast.countries import challenge_countries
from signalfire.forecast.evaluation import scores
from signalfire.forecast.evaluation.evaluate import OURS, contributions


def test_contributions_flag_onsets_and_score_the_rest():
    n = len(challenge_countries())
    hist = np.zeros((n, 24))
    hist[1, -12:] = 400.0                      # a war going on at the cut-off
    actual = np.zeros((n, 12))
    actual[0] = 1000.0                         # country 0: quiet before, 1,000 deaths a month in the window
    actual[1] = 300.0
    ours = np.zeros((n, 12, 10))
    ours[1] = np.linspace(0, 100, 10)    # too low: a large share of the CRPS
    conf = np.repeat(hist[:, None, -12:], 12, axis=1)
    crps = {name: scores.crps(actual.reshape(-1), d.reshape(-1, d.shape[2]))
            for name, d in ((OURS, ours), ("conflictology", conf))}
    out = contributions(actual, crps, hist)

    assert out["onsets"] == [challenge_countries()["iso3"][0]]
    rows = {r["iso3"]: r for r in out["countries"]}
    first, second = challenge_countries()["iso3"][:2]
    assert rows[first]["onset"] and not rows[second]["onset"]
    assert rows[first]["deaths_per_month_before"] == 0 and rows[first]["deaths_per_month_window"] == 1000
    # the onset's share of the window's mean CRPS: 12 months of CRPS 1,000 over all n × 12 country-months
    assert np.isclose(rows[first]["crps"], 1000 * 12 / (n * 12), atol=1e-3)
    # without the onset: country 1's CRPS averaged over the other n - 1 countries' 12 months
    c1 = scores.crps(np.full(12, 300.0), ours[1]).sum()
    assert np.isclose(out["crps_without_onsets"][OURS], c1 / ((n - 1) * 12))
    assert np.isclose(out["crps_without_onsets"]["conflictology"], 100 * 12 / ((n - 1) * 12))
