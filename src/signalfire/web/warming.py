"""Warming: the aggregates every page needs, computed once per data version at start and after each ingest (and,
on large stores, every country page's parts), off the request path so that a first visit finds them ready.

It sits beside the pages, not in ``serving/``, because it warms what the pages and the streams' country panels
ask of ``serving/`` (the Data page's loaded sources, each stream's panel): ``serving/`` itself knows no page."""

from __future__ import annotations

import os
from dataclasses import replace

from signalfire.store.queries import EventFilter
from signalfire.web import streams
from signalfire.web.pages_analysis import loaded_sources, map_picture_gzip
from signalfire.web.serving import country_month, rollup
from signalfire.web.serving.analytics import (
    _data_to_parts,
    as_of,
    by_country,
    count_events,
    country_counts,
    country_summary,
    default_period,
    geo_table,
    latest_events,
    movers,
    source_names,
    sources_summary,
)


def warm(ds) -> None:
    """Compute the aggregates every page needs once per data version (at start and after each ingest) and the
    Data page's per-source spans.  Each step is an optimisation: one that fails (a query stopped by the
    statement timeout) does not stop the others.  The country pages' parts: :func:`warm_countries`."""
    steps = [lambda: [ds.native(t) for t in ds.rollups.tables().values() if t is not None],  # 0.3-1 s each at 5 M
             lambda: as_of(ds), lambda: sources_summary(ds),
             lambda: source_names(ds),
             lambda: country_counts(ds),
             lambda: by_country(ds, default_period(ds, EventFilter())),
             lambda: movers(ds, replace(default_period(ds, EventFilter()), since=None), measure="deaths", limit=10),
             lambda: _data_to_parts(ds),                 # the header's "data to" on every page
             lambda: country_month._all_months(ds),      # the overview map's series (0.2 s of CPU at first use)
             lambda: loaded_sources(ds),                 # the Data page's spans: a scan of every event (0.3 s at 5 M)
             lambda: map_picture_gzip(ds),               # the overview map's picture (its paths: 1.4 s once a process)
             lambda: geo_table(ds),
             lambda: rollup.warm_boxes(ds),            # what chooses a box count's path (see rollup.box_count)
             lambda: load_coordinates(ds)]
    for step in steps:
        try:
            step()
        except Exception:  # noqa: BLE001, S112 (warming is an optimisation; requests compute on demand)
            continue


def load_coordinates(ds) -> None:
    """Read the Z-ordered copy's coordinates once, so that DuckDB holds their blocks in its buffer pool and a first
    bounding box does not pay for loading them (50 M-event store: 1.1 s at start and ~230 MB of the pool; the
    slowest of the bench's off-grid boxes 143-180 ms before, 103 ms after)."""
    if geo := geo_table(ds):
        ds.scalar(f"SELECT sum(latitude + longitude) FROM {geo}")


COUNTRY_PAGE_EVENTS = 25     # events on a country page (pages.PAGE_SIZE)
# the store size from which the country pages are warmed: below it a first visit's 0.2-0.4 s is the lesser cost
# (the demo has 60 countries with events: warming them all took ~15 s of CPU at every start)
WARM_COUNTRIES_FROM = int(os.environ.get("SIGNALFIRE_WARM_COUNTRIES_FROM", "1000000"))


def warm_countries(ds, min_events: int | None = None, limit: int | None = None) -> None:
    """The cached per-country parts of the country page for every country with events, most events first: its
    streams' panels (0.2-0.4 s of CPU per country, whatever the store's size), its event count, first page of
    events and summary.  What a first visit computed is then ready, as the pages' other aggregates are.  Only
    for a store of at least ``min_events`` events (default :data:`WARM_COUNTRIES_FROM`); ``limit``: the busiest
    countries only.  Stops when the data version changes (a newer ingest's warming takes over)."""
    version = ds.version
    counts = country_counts(ds)
    if sum(counts.values()) < (WARM_COUNTRIES_FROM if min_events is None else min_events):
        return
    for iso3, _ in sorted(((k, v) for k, v in counts.items() if k), key=lambda kv: (-kv[1], kv[0]))[:limit]:
        if ds.version != version:
            return
        flt = EventFilter(countries=[iso3])
        for step, args in ((streams.country_panels, (ds, iso3)), (count_events, (ds, flt)),
                           (latest_events, (ds, flt, COUNTRY_PAGE_EVENTS, 0)), (country_summary, (ds, flt))):
            try:
                step(*args)
            except Exception:  # noqa: BLE001, S112 (warming is an optimisation)
                continue
