"""The forecast's annual covariates: the shipped UCDP excerpt, the store's newer values, and the rule that a year
counts only once it is over."""

from __future__ import annotations

import pandas as pd

from signalfire.forecast import annual
from signalfire.forecast.countries import parse_month


def _frame(rows):
    return pd.DataFrame(rows, columns=["country_iso3", "year", "measure", "value"])


def test_a_month_sees_the_year_before_and_the_last_year_stands_in_after_the_data():
    frame = _frame([("SDN", 2021, "ns_total_deaths_best", 726.0), ("SDN", 2022, "ns_total_deaths_best", 1279.0),
                    ("SDN", 2022, "os_total_deaths_best", 74.0)])
    first = parse_month("2022-01")
    out = annual.monthly(frame, ["SDN", "NOR"], first, 36)  # January 2022 … December 2024
    assert list(out["ns"][0, [0, 11, 12, 23, 24, 35]]) == [726, 726, 1279, 1279, 1279, 1279]
    assert list(out["os"][0, [0, 12, 35]]) == [0, 74, 74]   # no row: no such deaths that year
    assert not out["ns"][1].any() and not out["os"][1].any()


def test_months_before_the_data_begin_are_zero():
    frame = _frame([("COL", 1989, "ns_total_deaths_best", 50.0)])
    out = annual.monthly(frame, ["COL"], parse_month("1989-01"), 24)
    assert list(out["ns"][0, [0, 11, 12, 23]]) == [0, 0, 50, 50]


def test_the_shipped_excerpt_holds_ucdp_values():
    frame = annual.values()
    assert set(frame["measure"]) == set(annual.MEASURES.values())
    sdn = frame[(frame.country_iso3 == "SDN") & (frame.year == 2022)].set_index("measure")["value"]
    # UCDP organized violence v25.1: Sudan 2022, 1,279 non-state and 74 one-sided deaths
    assert sdn.to_dict() == {"ns_total_deaths_best": 1279, "os_total_deaths_best": 74}
    assert frame["year"].min() == 1989 and frame["year"].max() == 2024


def test_the_stores_values_replace_the_excerpts_for_the_years_it_holds(store):
    store.sql("""INSERT INTO country_year (source, country_iso3, year, measure, value) VALUES
                 ('ucdp-cy', 'SDN', 2022, 'ns_total_deaths_best', 1300), ('ucdp-cy', 'SDN', 2025, 'os_total_deaths_best', 7),
                 ('ucdp-brd', 'SDN', 2021, 'ns_total_deaths_best', 5)""")
    frame = annual.values(store.con)
    sdn = frame[frame.country_iso3 == "SDN"].set_index(["year", "measure"])["value"]
    assert sdn[(2022, "ns_total_deaths_best")] == 1300
    assert (2022, "os_total_deaths_best") not in sdn.index     # the store's country-year replaces the excerpt's
    assert sdn[(2025, "os_total_deaths_best")] == 7             # a newer release adds years
    assert sdn[(2021, "ns_total_deaths_best")] == 726           # other sources are not UCDP's country-year data
    out = annual.monthly(frame, ["SDN"], parse_month("2026-01"), 1)
    assert out["os"][0, 0] == 7 and out["ns"][0, 0] == 0
