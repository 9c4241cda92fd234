"""One module per stream's API routes and pages, each exposing ``router`` (a FastAPI APIRouter).

Templates live in ``templates/<stream>/``, scripts in ``static/js/<stream>.mjs``.  A new stream adds its module here
and its entry to :mod:`signalfire.web.nav`.
"""

from __future__ import annotations

from importlib import import_module

STREAMS = ("missions", "treaties", "unga", "crises", "context", "cyber", "migration", "terrorism", "alerts")


def routers():
    return [import_module(f"signalfire.web.streams.{name}").router for name in STREAMS]
