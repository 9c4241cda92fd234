"""The country page's timeline across the threat streams (:mod:`signalfire.analysis.timeline`): conflict deaths,
terrorism, cyber operations against the country and displacement, one panel per series on a shared year axis, with
the same figures as a table."""

from __future__ import annotations

from fastapi import APIRouter

from signalfire.analysis.timeline import country_timeline

router = APIRouter()


def country_panel(ds, iso3: str):
    def compute():
        cur = ds.store.con.cursor()
        try:
            return country_timeline(cur, iso3)
        finally:
            cur.close()
    frame = ds.cached(("timeline", iso3, ds.version), compute)
    if frame.empty or frame["series"].nunique() < 2:
        return None            # one series is already on the page: an overlay needs two
    from signalfire.web.i18n import gettext
    frame = frame.assign(label=frame["label"].map(gettext))     # the chart's panel titles in the page's language
    years = sorted(frame["year"].unique())
    table = {s: dict(zip(g["year"], g["value"])) for s, g in frame.groupby("series", sort=False)}
    labels = frame.drop_duplicates("series")[["series", "label", "source"]].to_dict("records")
    return ("timeline/_country.html", {"rows": frame.to_dict("records"), "years": years, "table": table,
                                       "labels": labels})
