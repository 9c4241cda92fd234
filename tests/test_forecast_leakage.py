"""No leakage: changing any data after the cut-off leaves the forecast unchanged (and changing data before it
does change it, so the check is not vacuous).  Annual data count as known only once their year is over."""

from __future__ import annotations

import numpy as np
import pytest

from signalfire.demo import demo_files
from signalfire.forecast import models
from signalfire.forecast.countries import parse_month
from signalfire.forecast.runs import run
from signalfire.sources import get
from signalfire.store.ingest import ingest_file

CFG = models.Config(quantiles=(0.1, 0.5, 0.9, 0.99), trees=15, horizons_per_origin=1, history_share=0.2)


def _draws(store, run_id):
    rows = store.df("SELECT country_id, month_id, draws FROM forecasts WHERE run_id = ? "
                    "ORDER BY country_id, month_id", [run_id])
    return np.stack([np.asarray(d) for d in rows.draws])


def test_changing_data_after_the_cutoff_changes_nothing(store):
    ingest_file(store, get("views-cm"), next(p for a, p in demo_files() if a == "views-cm"))
    cutoff = parse_month("2019-10")
    first = _draws(store, run(store.con, cutoff, horizons=6, draws=60, cfg=CFG))
    # rewrite every value after the cut-off, add events after it too
    store.sql("UPDATE country_month SET value = value * 13 + 1000 WHERE month_id > ?", [cutoff])
    store.sql("""INSERT INTO events (source, source_id, category, subtype, date_start, date_end, country_iso3,
                 fatalities_best) VALUES ('ucdp-ged', 'x1', 'armed_conflict', 'state_based', DATE '2019-11-02',
                 DATE '2019-11-02', 'NOR', 5000)""")
    second = _draws(store, run(store.con, cutoff, horizons=6, draws=60, cfg=CFG))
    np.testing.assert_array_equal(first, second)
    # the check has teeth: a change at the cut-off month does move the forecast
    store.sql("UPDATE country_month SET value = 5000 WHERE month_id = ? AND country_iso3 = 'NOR'", [cutoff])
    third = _draws(store, run(store.con, cutoff, horizons=6, draws=60, cfg=CFG))
    assert not np.array_equal(first, third)
    runs = store.df("SELECT cutoff, model_version, horizons, draws FROM forecast_runs")
    assert list(runs.cutoff) == ["2019-10"] * 3 and (runs.model_version == models.VERSION).all()


def test_cutoff_after_the_data_is_a_clear_error(store):
    from signalfire.forecast.inputs import ForecastError
    with pytest.raises(ForecastError, match="ingest"):
        run(store.con, parse_month("2019-10"), cfg=CFG)


def _annual(store, year, value):
    """Store ucdp-cy non-state and one-sided deaths of every challenge country in ``year`` (they replace the
    shipped excerpt's values for those country-years)."""
    store.sql("""INSERT INTO country_year (source, country_iso3, year, measure, value)
                 SELECT 'ucdp-cy', iso3, ?, m, ? FROM (SELECT DISTINCT country_iso3 AS iso3 FROM country_month),
                 (VALUES ('ns_total_deaths_best'), ('os_total_deaths_best')) AS t(m)""", [year, value])


def test_annual_data_count_only_once_their_year_is_over(store):
    ingest_file(store, get("views-cm"), next(p for a, p in demo_files() if a == "views-cm"))
    cutoff = parse_month("2019-10")
    first = _draws(store, run(store.con, cutoff, horizons=6, draws=60, cfg=CFG))
    # the year of the cut-off is not over at the cut-off: its values (and later years') must not matter
    for year in (2019, 2020, 2023):
        _annual(store, year, 90000)
    second = _draws(store, run(store.con, cutoff, horizons=6, draws=60, cfg=CFG))
    np.testing.assert_array_equal(first, second)
    # the year before it is known at the cut-off: changing it moves the forecast
    _annual(store, 2018, 90000)
    third = _draws(store, run(store.con, cutoff, horizons=6, draws=60, cfg=CFG))
    assert not np.array_equal(first, third)


def test_a_run_records_the_last_year_of_annual_data_it_saw(store, monkeypatch):
    import json

    from signalfire.forecast import annual
    ingest_file(store, get("views-cm"), next(p for a, p in demo_files() if a == "views-cm"))
    run_id = run(store.con, parse_month("2019-10"), horizons=3, draws=24, cfg=CFG)
    config = json.loads(store.df("SELECT config FROM forecast_runs WHERE run_id = ?", [run_id]).config[0])
    assert config["annual_covariates_to"] == 2018 and config["seed"] == CFG.seed
    # data that end before the last year that is over: the run records the stale year, not the wanted one
    shipped = annual.values()
    monkeypatch.setattr(annual, "values", lambda con=None: shipped[shipped.year <= 2016])
    run_id = run(store.con, parse_month("2019-10"), horizons=3, draws=24, cfg=CFG)
    config = json.loads(store.df("SELECT config FROM forecast_runs WHERE run_id = ?", [run_id]).config[0])
    assert config["annual_covariates_to"] == 2016
