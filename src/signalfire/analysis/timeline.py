"""One timeline per country across the threat streams, per year: state-based conflict deaths (the country-month
series), terrorism incidents (GTD), cyber operations against the country (CFR, DCID) and displacement (UNHCR:
people from the country abroad, people hosted in it).  Each series keeps its own unit and source; the country page
draws them one above the other on a shared time axis."""

from __future__ import annotations

import pandas as pd

from signalfire.analysis.cyber import incidents_timeline
from signalfire.analysis.migration import country_series
from signalfire.analysis.terrorism import terrorism

SERIES = {
    "conflict": ("State-based conflict deaths", "UCDP via VIEWS country-month"),
    "terrorism": ("Terrorism incidents", "GTD"),
    "cyber": ("Cyber operations against it", "CFR, DCID"),
    "abroad": ("Refugees and others from it abroad", "UNHCR"),
    "hosted": ("Refugees and others hosted", "UNHCR"),
}


def country_timeline(con, iso3: str) -> pd.DataFrame:
    """Columns: series (a key of SERIES), label, source, year, value — only series with data."""
    parts = []
    deaths = con.execute("""SELECT year, sum(value) FROM country_month WHERE country_iso3 = ? AND
                            measure = 'ged_sb_best' GROUP BY year ORDER BY year""", [iso3]).fetchall()
    parts.append(pd.DataFrame(deaths, columns=["year", "value"]).assign(series="conflict"))
    terror = terrorism(con, iso3)
    if not terror.empty:   # one source: the one covering most years (incidents are not summed across sources)
        best = terror.groupby("source")["year"].nunique().idxmax()
        parts.append(terror[terror.source == best][["year", "incidents"]]
                     .rename(columns={"incidents": "value"}).assign(series="terrorism"))
    cyber = incidents_timeline(con, iso3, role="victim")
    if not cyber.empty:
        parts.append(cyber.groupby("year", as_index=False)["incidents"].sum()
                     .rename(columns={"incidents": "value"}).assign(series="cyber"))
    moved = country_series(con, iso3)
    for key in ("abroad", "hosted"):
        part = moved[moved.measure == key]
        if not part.empty:
            parts.append(part.groupby("year", as_index=False)["value"].sum().assign(series=key))
    frame = pd.concat([p for p in parts if not p.empty], ignore_index=True) if any(len(p) for p in parts) else \
        pd.DataFrame(columns=["year", "value", "series"])
    frame["label"] = frame["series"].map(lambda s: SERIES[s][0])
    frame["source"] = frame["series"].map(lambda s: SERIES[s][1])
    frame["year"] = frame["year"].astype(int)
    frame["value"] = frame["value"].astype(float)
    return frame[["series", "label", "source", "year", "value"]].sort_values(["series", "year"]).reset_index(drop=True)
