"""Annual covariates of the forecast: non-state and one-sided violence deaths per country and year (UCDP).

Organized violence other than the state-based kind the model forecasts — fighting between armed groups, killings of
civilians — often goes before or beside a state-based war (Sudan's non-state deaths rose to 1,279 in 2022, the year
before its war).  The values come from UCDP's Country-Year Dataset on Organized Violence: the excerpt shipped in
``data/ucdp_cy_ns_os.csv`` (v25.1, years 1989–2024, built by ``scripts/build_forecast_reference.py``), overridden
by any ``ucdp-cy`` values the store holds (a newer release a user has ingested).

A year's value counts as known only once the year is over: the covariate of a month in year Y is the value of
Y − 1.  Where the data end earlier, the last year the data hold stands in (the model then sees a stale value,
never a future one).  A country without a row in a year had no such deaths in it (UCDP lists every state).

UCDP data, CC BY 4.0: Davies, Engström, Pettersson & Öberg (2025), *Organized violence 1989–2024*, JPR 62(4).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

MEASURES = {"ns": "ns_total_deaths_best", "os": "os_total_deaths_best"}
REFERENCE = Path(__file__).parent / "data" / "ucdp_cy_ns_os.csv"


def last_year_over(month_id):
    """The last calendar year that is over in month ``month_id`` (VIEWS id, 1 = January 1980): the year before the
    month's.  Works on arrays of month ids too."""
    return (month_id - 1) // 12 + 1980 - 1


def values(con=None) -> pd.DataFrame:
    """country_iso3, year, measure, value: the shipped excerpt, with the store's ``ucdp-cy`` values (if any) in
    place of the excerpt's for the country-years the store holds."""
    shipped = pd.read_csv(REFERENCE, dtype={"country_iso3": str, "year": int, "measure": str, "value": float})
    if con is None:
        return shipped
    names = list(MEASURES.values())
    stored = con.execute(
        "SELECT country_iso3, year, measure, value FROM country_year WHERE source = 'ucdp-cy' AND value IS NOT NULL"
        f" AND measure IN ({', '.join('?' * len(names))})", names).df()
    if stored.empty:
        return shipped
    keys = ["country_iso3", "year"]
    # a store that holds a country-year replaces all of the excerpt's values for it (the excerpt keeps only
    # non-zero values, so a value the store lacks for that year is a zero)
    merged = shipped.merge(stored[keys].drop_duplicates(), on=keys, how="left", indicator=True)
    return pd.concat([shipped[(merged["_merge"] == "left_only").to_numpy()], stored], ignore_index=True)


def monthly(frame: pd.DataFrame, iso3: list[str], first_month_id: int, months: int) -> dict[str, np.ndarray]:
    """Each measure as (countries × months) deaths for the months ``first_month_id`` … ``+ months - 1``: the value
    of the year before each month's year (or the last year the data hold, if earlier)."""
    if frame.empty:
        raise ValueError("no annual organized-violence values: the shipped reference data are missing")
    years = last_year_over(first_month_id + np.arange(months))
    last = int(frame["year"].max())
    first = int(frame["year"].min())
    span = np.arange(first, last + 1)
    out = {}
    for key, measure in MEASURES.items():
        table = (frame[frame["measure"] == measure]
                 .pivot_table(index="country_iso3", columns="year", values="value", aggfunc="sum")
                 .reindex(index=iso3, columns=span).fillna(0.0).to_numpy())
        cols = np.clip(years, first, last) - first
        known = years >= first
        out[key] = np.where(known[None, :], table[:, cols], 0.0)
    return out
