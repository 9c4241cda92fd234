"""Adapters for terrorism aggregates: one module per published format, each exposing ``ADAPTER``."""

from __future__ import annotations

# CLI name -> module (under this package)
MODULES: dict[str, str] = {
    "gtd-country-year": "gtd_country_year",                      # GTD country-year (year, ccode GW, killed, events)
    "gtd-incidents-country-year": "gtd_incidents_country_year",  # GTD incidents per country_txt × year
}
