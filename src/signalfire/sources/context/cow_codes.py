"""Correlates of War state codes to ISO3 and Gleditsch–Ward codes as of a year (shared by the COW-coded adapters:
ICB, NMC, ATOP).

Two COW codes the shipped code table lacks hold an ISO 3166 code of their own: 260, the German Federal Republic
(1955–1990, ISO DEU, GW 260) and 678, the Yemen Arab Republic (to 1990, ISO YEM, GW 678).  Other historical COW
states (e.g. 300 Austria-Hungary, the German states before 1871) have none and stay unresolved."""

from __future__ import annotations

import pandas as pd

from signalfire.geo.countries import resolve, resolve_series

COW_ALIASES = {260: "DEU", 678: "YEM"}


def resolve_cow_by_year(codes: pd.Series, years: pd.Series) -> pd.DataFrame:
    """``country_iso3``/``country_gw`` for COW codes as of 1 July of each year (same index as ``codes``)."""
    codes = pd.to_numeric(codes, errors="coerce")
    years = pd.to_numeric(years, errors="coerce")
    when = pd.to_datetime(years.astype("Int64").astype(str) + "-07-01", errors="coerce")
    found = resolve_series(codes.astype("Int64"), "cow", when=when)[["country_iso3", "country_gw"]].copy()
    for code, iso3 in COW_ALIASES.items():
        pick = (codes == code) & found["country_iso3"].isna()
        if pick.any():
            country = resolve(iso3, "iso3")
            found.loc[pick, "country_iso3"] = country.iso3
            found.loc[pick, "country_gw"] = country.gw
    return found
