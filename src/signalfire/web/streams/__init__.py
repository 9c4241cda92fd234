"""One module per stream's API routes and pages, each exposing ``router`` (a FastAPI APIRouter).

Templates live in ``templates/<stream>/``, scripts in ``static/js/<stream>.mjs``.  A new stream adds its module here
and its entry to :mod:`signalfire.web.nav`.
"""

from __future__ import annotations

from importlib import import_module

STREAMS = ("timeline", "missions", "treaties", "unga", "crises", "context", "cyber", "migration", "terrorism",
           "alerts", "wmd",
           "briefings")


def routers():
    return [import_module(f"signalfire.web.streams.{name}").router for name in STREAMS]


def country_panels(ds, iso3: str) -> list[tuple[str, dict]]:
    """The streams' sections of a country page: each stream module may define ``country_panel(ds, iso3)``
    returning ``(template, values)`` (its ``templates/<stream>/_country.html`` and what it shows) or None when it
    has nothing for that country; the country page includes each template with its values as ``panel``.

    The panels show stored data only, so they are computed once per data version and country (together they
    took 0.5 s of CPU per country page)."""
    def compute():
        panels = []
        for name in STREAMS:
            hook = getattr(import_module(f"signalfire.web.streams.{name}"), "country_panel", None)
            panel = hook(ds, iso3) if hook else None
            if panel:
                panels.append(panel)
        return panels
    return ds.cached(("country-panels", iso3), compute)
