"""Correlates of War state codes to ISO3 and Gleditsch–Ward codes as of a year (shared by the COW-coded adapters:
ICB, NMC, ATOP)."""

from __future__ import annotations

import pandas as pd

from signalfire.geo.countries import resolve_series


def resolve_cow_by_year(codes: pd.Series, years: pd.Series) -> pd.DataFrame:
    """``country_iso3``/``country_gw`` for COW codes as of 1 July of each year (same index as ``codes``)."""
    codes = pd.to_numeric(codes, errors="coerce")
    years = pd.to_numeric(years, errors="coerce")
    when = pd.to_datetime(years.astype("Int64").astype(str) + "-07-01", errors="coerce")
    found = resolve_series(codes.astype("Int64"), "cow", when=when)
    return found[["country_iso3", "country_gw"]]
