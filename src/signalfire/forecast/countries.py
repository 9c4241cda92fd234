"""The VIEWS prediction challenge's 191 countries (``data/country_list.csv``, VIEWS, CC BY-NC 4.0) with the ISO3 and
GW codes VIEWS gives their ids, and month-id helpers (month_id 1 = January 1980)."""

from __future__ import annotations

from functools import lru_cache
from importlib import resources

import pandas as pd

from signalfire.analysis.panel import month_id, month_label, parse_month  # noqa: F401 - re-exported
from signalfire.sources.views_cm import VIEWS_IDS


@lru_cache(maxsize=1)
def challenge_countries() -> pd.DataFrame:
    """country_id, name, iso3, gw for the 191 countries, in the list's order."""
    with resources.files("signalfire.forecast").joinpath("data/country_list.csv").open("rb") as fh:
        table = pd.read_csv(fh)[["country_id", "name"]]
    table["iso3"] = table["country_id"].map(lambda i: VIEWS_IDS[int(i)][0])
    table["gw"] = table["country_id"].map(lambda i: VIEWS_IDS[int(i)][1])
    return table


def window_months(year: int, lead: int = 1) -> tuple[int, list[int]]:
    """Challenge window ``year``: the cut-off (October of the year before) and the 12 month ids forecast, months
    3–14 after it.  ``lead`` 2 moves the cut-off a year earlier, so the window is months 15–26 of a forecast."""
    first = month_id(year, 1)
    return month_id(year - lead, 10), list(range(first, first + 12))
