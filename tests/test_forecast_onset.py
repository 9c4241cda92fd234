"""Onset risk (forecast/onset.py): the scores' formulas by hand, the events' definitions, and no leakage — changing
any input after the cut-off (deaths, UCDP annual values, ACD conflicts, COW NMC, Archigos leaders) leaves the onset
prediction unchanged, while changing each before the cut-off moves its features (so the check is not vacuous)."""

from __future__ import annotations

import numpy as np
import pytest

from signalfire.demo import demo_files
from signalfire.forecast import models, onset, onset_features
from signalfire.forecast.countries import challenge_countries, parse_month
from signalfire.forecast.inputs import history
from signalfire.sources import get
from signalfire.store.ingest import ingest_file

CUTOFF = "2019-10"


# ------------------------------------------------------------------------------------------- the scores

def test_brier_score_and_skill_by_hand():
    p, y = [0.1, 0.8, 0.0, 0.5], [0, 1, 0, 1]
    assert onset.brier_score(p, y) == pytest.approx((0.01 + 0.04 + 0 + 0.25) / 4)
    # against the base rate 0.5: every case scores 0.25
    assert onset.brier_skill(0.075, onset.brier_score([0.5] * 4, y)) == pytest.approx(1 - 0.075 / 0.25)
    assert np.isnan(onset.brier_skill(0.1, 0.0))


def test_average_precision_by_hand_and_against_sklearn():
    from sklearn.metrics import average_precision_score
    # ranked 0.9 (event), 0.8 (no), 0.7 (event), 0.1 (no): precision 1 at recall ½, 2/3 at recall 1
    assert onset.average_precision([0.9, 0.8, 0.7, 0.1], [1, 0, 1, 0]) == pytest.approx(0.5 * 1 + 0.5 * 2 / 3)
    rng = np.random.default_rng(1)
    p = np.round(rng.random(300), 2)          # with ties
    y = rng.random(300) < p
    assert onset.average_precision(p, y) == pytest.approx(average_precision_score(y, p))
    assert np.isnan(onset.average_precision([0.2, 0.3], [0, 0]))


def test_reliability_bins_by_hand():
    p = [0.0, 0.005, 0.03, 0.04, 0.25, 1.0]
    y = [0, 1, 0, 1, 1, 1]
    bins = onset.reliability(p, y, edges=(0, 0.01, 0.05, 0.5, 1))
    assert [(b["lo"], b["hi"], b["n"]) for b in bins] == [(0, 0.01, 2), (0.01, 0.05, 2), (0.05, 0.5, 1), (0.5, 1, 1)]
    assert bins[0]["predicted"] == pytest.approx(0.0025) and bins[0]["observed"] == 0.5
    assert bins[1]["predicted"] == pytest.approx(0.035) and bins[1]["observed"] == 0.5
    assert bins[3]["predicted"] == 1.0 and bins[3]["observed"] == 1.0     # the last bin is closed


def test_quiet_onset_and_benchmarks_by_hand():
    Y = np.zeros((3, 30))
    Y[0, 10] = 26           # 26 deaths at column 10: not quiet until 12 months later
    Y[1, 20] = 100          # an onset of ≥100 after column 17
    Y[2, 18:20] = 25        # 25 is quiet (≤ 25) and is an onset at 25 (≥ 25)
    assert onset.quiet(Y, 17).tolist() == [False, True, True]
    assert onset.quiet(Y, 22).tolist() == [True, False, True]
    assert onset.onset(Y, 17, 25).tolist() == [False, True, True]
    assert onset.onset(Y, 17, 100).tolist() == [False, True, False]
    assert onset.benchmark("conflictology", Y[:, :21], 25, 0.1).tolist() == [1 / 12, 1 / 12, 2 / 12]
    assert onset.benchmark("base_rate", Y, 25, 0.1).tolist() == [0.1] * 3
    draws = np.zeros((1, 3, 4))
    draws[0, 1, :2] = 30                       # two of four paths reach 30 in month 2
    assert onset.draws_risk(draws, 25).tolist() == [0.5]


# ------------------------------------------------------------------------------------------- no leakage

def _inputs(store):
    """ACD conflict-years, COW NMC values and Archigos spells for a few countries, before and after the cut-off."""
    store.sql("""INSERT INTO conflicts (conflict_id, year, location_iso3, intensity_level)
                 VALUES (1, 2005, 'NOR', 1), (1, 2016, 'NOR', 2), (2, 2019, 'SWE', 1), (2, 2021, 'SWE, FIN', 2)""")
    store.sql("""INSERT INTO country_year (source, country_iso3, year, measure, value)
                 SELECT 'cow-nmc', c, y, m, 1000 + y FROM (VALUES ('NOR'), ('SWE')) AS a(c),
                 range(1990, 2023) AS b(y), (VALUES ('tpop'), ('cinc')) AS d(m)""")
    store.sql("""INSERT INTO leaders (source, spell_id, country_iso3, start_date, end_date, entry) VALUES
                 ('archigos', 'NOR-1', 'NOR', DATE '2013-10-16', DATE '2021-10-14', 'Regular'),
                 ('archigos', 'NOR-2', 'NOR', DATE '2021-10-14', DATE '2022-12-31', 'Regular'),
                 ('archigos', 'SWE-1', 'SWE', DATE '2014-10-03', DATE '2022-12-31', 'Irregular')""")


def _after(store, cutoff):
    """Rewrite every input after the cut-off (deaths after its month; annual and ACD/NMC values of its year and
    later, which are not over at the cut-off; leaders' spells begun, and end dates, after it)."""
    store.sql("UPDATE country_month SET value = value * 13 + 1000 WHERE month_id > ?", [cutoff])
    store.sql("""INSERT INTO country_year (source, country_iso3, year, measure, value)
                 SELECT 'ucdp-cy', c, y, m, 90000 FROM (VALUES ('NOR'), ('SWE'), ('FIN')) AS a(c),
                 (VALUES (2019), (2020)) AS b(y),
                 (VALUES ('ns_total_deaths_best'), ('os_total_deaths_best')) AS d(m)""")
    store.sql("INSERT INTO conflicts (conflict_id, year, location_iso3, intensity_level) VALUES (3, 2019, 'NOR', 2)")
    store.sql("UPDATE country_year SET value = value * 7 WHERE source = 'cow-nmc' AND year >= 2019")
    store.sql("UPDATE leaders SET end_date = DATE '2020-06-30' WHERE spell_id = 'NOR-1'")
    store.sql("""INSERT INTO leaders (source, spell_id, country_iso3, start_date, end_date, entry) VALUES
                 ('archigos', 'SWE-2', 'SWE', DATE '2019-11-02', DATE '2022-12-31', 'Irregular')""")


def _predict(store, cutoff):
    return onset.predict(store.con, history(store.con, cutoff), onset.FAST)


def test_changing_any_input_after_the_cutoff_changes_nothing(store):
    ingest_file(store, get("views-cm"), next(p for a, p in demo_files() if a == "views-cm"))
    _inputs(store)
    cutoff = parse_month(CUTOFF)
    hist = history(store.con, cutoff)
    first = _predict(store, cutoff)
    cube = onset.features(store.con, hist)
    assert first["quiet"].any() and first.loc[first.quiet, "p_ge25"].notna().all()
    assert (first.loc[~first.quiet, ["p_ge25", "p_ge100"]].isna()).all().all()
    _after(store, cutoff)
    second = _predict(store, cutoff)
    np.testing.assert_array_equal(first[["p_ge25", "p_ge100"]].to_numpy(), second[["p_ge25", "p_ge100"]].to_numpy())
    np.testing.assert_array_equal(cube, onset.features(store.con, history(store.con, cutoff)))


CHANGES = [   # an input changed before the cut-off, and the features of Norway it must move
    ("UPDATE country_month SET value = 20 WHERE month_id = {cutoff} AND country_iso3 = 'NOR'", ["since1"]),
    ("INSERT INTO conflicts (conflict_id, year, location_iso3, intensity_level) VALUES (4, 2018, 'NOR', 2)",
     ["acd_since", "acd_years10"]),
    ("UPDATE country_year SET value = value * 7 WHERE source = 'cow-nmc' AND year = 2018", ["log_pop", "log_cinc"]),
    ("UPDATE leaders SET start_date = DATE '2019-01-01' WHERE spell_id = 'NOR-1'", ["tenure"]),
    ("""INSERT INTO country_year (source, country_iso3, year, measure, value)
        VALUES ('ucdp-cy', 'NOR', 2018, 'ns_total_deaths_best', 500)""", ["ns_year"]),
]


def test_changing_an_input_before_the_cutoff_moves_its_features(store):
    """The leakage check has teeth: each input is read, at the cut-off, when it is changed before it."""
    ingest_file(store, get("views-cm"), next(p for a, p in demo_files() if a == "views-cm"))
    _inputs(store)
    cutoff = parse_month(CUTOFF)
    nor = list(challenge_countries()["iso3"]).index("NOR")
    before = onset.features(store.con, history(store.con, cutoff))
    for change, features in CHANGES:
        store.sql(change.format(cutoff=cutoff))
        after = onset.features(store.con, history(store.con, cutoff))
        for name in features:
            j = onset_features.NAMES.index(name)
            assert before[nor, -1, j] != after[nor, -1, j], (change, name)
        before = after


def test_inputs_absent_give_unknown_features_not_a_failure(store):
    ingest_file(store, get("views-cm"), next(p for a, p in demo_files() if a == "views-cm"))
    cube = onset.features(store.con, history(store.con, parse_month(CUTOFF)))
    for name in ("acd_since", "log_pop", "state_age", "tenure", "leaders5"):
        assert np.isnan(cube[:, :, onset_features.NAMES.index(name)]).all(), name
    assert not np.isnan(cube[:, :, onset_features.NAMES.index("since25")]).any()


def test_leaders_by_hand():
    import pandas as pd
    frame = pd.DataFrame({"country_iso3": ["NOR", "NOR"], "start_date": pd.to_datetime(["2013-10-16", "2019-06-01"]),
                          "end_date": pd.to_datetime(["2019-06-01", "2019-12-31"]), "entry": ["Regular", "Irregular"]})
    first = parse_month("2019-01")
    tenure, irregular, count = onset_features._leaders(frame, ["NOR", "SWE"], first, 13)   # to January 2020
    # January 2019: the first spell, in office since 16 October 2013
    assert tenure[0, 0] == pytest.approx((np.datetime64("2019-01-31") - np.datetime64("2013-10-16")).astype(int)
                                         / 365.25)
    assert irregular[0, 0] == 0 and irregular[0, 6] == 1
    # leaders who took office in the 5 years (1,826 days) to the month's end: none in January 2019 (the first spell
    # began in 2013), one in July 2019
    assert count[0, 0] == 0 and count[0, 6] == 1
    # after the data's last day (31 December 2019) nobody is known to be in office
    assert np.isnan(tenure[0, 12]) and np.isnan(count[0, 12]) and np.isnan(tenure[1, 0])


def test_a_forecast_run_stores_its_onset_risk(store):
    ingest_file(store, get("views-cm"), next(p for a, p in demo_files() if a == "views-cm"))
    from signalfire.forecast.runs import run
    cfg = models.Config(quantiles=(0.1, 0.5, 0.9, 0.99), trees=10, horizons_per_origin=1)
    run_id = run(store.con, parse_month(CUTOFF), horizons=3, draws=24, cfg=cfg)
    risk = onset.stored(store.con, run_id)
    assert len(risk) == len(challenge_countries()) and (risk.model_version == onset.VERSION).all()
    quiet = risk[risk.quiet]
    assert quiet.p_ge25.between(0, 1).all() and (quiet.p_ge100 <= quiet.p_ge25).all()
    assert list(quiet.p_ge25) == sorted(quiet.p_ge25, reverse=True)
    assert onset.stored(store.con, run_id + 1).empty


def test_the_forecasts_page_and_api_show_the_risk_of_new_conflict(tmp_path):
    import pandas as pd
    from fastapi.testclient import TestClient

    from signalfire.forecast.store import save_forecast
    from signalfire.web.app import create_app
    from signalfire.web.serving.datastore import DataStore
    ds = DataStore(tmp_path / "fc.duckdb", load_demo_if_empty=False)
    ingest_file(ds.store, get("views-cm"), next(p for a, p in demo_files() if a == "views-cm"))
    cc = challenge_countries()
    countries = cc[cc["iso3"].isin(["UKR", "NOR", "MEX"])].reset_index(drop=True)
    run_id = save_forecast(ds.store.con, countries, 527, np.zeros((3, 2, 10)), model="qgbm", model_version="t")
    risk = pd.DataFrame({"country_id": countries["country_id"], "country_iso3": countries["iso3"],
                         "quiet": [r != "UKR" for r in countries["iso3"]], "deaths_max12": [3.0, 0.0, 9000.0]})
    risk["p_ge25"] = np.where(risk.quiet, [0.05, 0.0123, 0.0], np.nan)[:3]
    risk["p_ge100"] = risk["p_ge25"] / 4
    risk["base_ge25"], risk["base_ge100"] = 0.027, 0.008
    onset.save(ds.store.con, run_id, risk)
    ds.version += 1
    with TestClient(create_app(ds=ds)) as client:
        api = client.get("/api/v1/forecasts/onset").json()["data"]
        assert [r["iso3"] for r in api][:2] == [countries["iso3"][0], countries["iso3"][1]]   # quiet, by risk
        assert next(r for r in api if r["iso3"] == "UKR")["p_ge25"] is None
        assert client.get("/api/v1/forecasts/onset?format=csv").text.startswith('"iso3","name","quiet",')
        mapped = client.get("/api/v1/forecasts/map").json()["onset"]
        assert mapped["UKR"]["quiet"] is False and mapped["NOR"]["p_ge25"] == pytest.approx(risk.p_ge25[1])
        html = client.get("/forecasts").text
        table = html.split('id="onset-table"')[1].split("</table>")[0]
        assert "Ukraine" not in table and "Norway" in table and "1.2%" in table    # quiet countries only
        assert 'data-metric="onset"' in html and "2.7%" in html                      # the map choice, base rate
        assert 'aria-pressed="true">Risk of new conflict' in client.get("/forecasts?metric=onset").text
        polish = client.get("/forecasts?lang=pl").text
        assert "Ryzyko nowego konfliktu" in polish
    ds.close()
