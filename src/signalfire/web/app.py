"""The dashboard and API application: ``create_app(store_path)`` returns a FastAPI app holding the store.

Pages are server-rendered (Jinja2, autoescaped: event text from sources is always shown as text); front-end
libraries are served from ``static/vendor`` (copied from npm at set-up), so nothing loads from another host.
"""

from __future__ import annotations

import logging
import secrets
import threading
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.middleware.gzip import GZipMiddleware

from signalfire import __version__
from signalfire.sources.base import SourceError
from signalfire.store.database import StoreError
from signalfire.store.queries import QueryError, cut
from signalfire.web.privacy import ConsentLog, RateLimit, consent_path
from signalfire.web.security import LOOPBACK_HOSTS, RequestGuard, SecurityHeaders
from signalfire.web.serving.datastore import DataStore, QueryTimeout
from signalfire.web.static_files import CompressedStaticFiles

HERE = Path(__file__).resolve().parent
STATIC = HERE / "static"

DESCRIPTION = """Signalfire's read API over the store: events with filters, bounding box and pagination;
monthly series; countries, their shapes and neighbours; sources, ingest runs and quarantined records;
forecasts (runs, a month's map, a country's fan chart, the change since the previous run).
Filters: `country`, `category`, `source` (comma-separated), `since`/`until` (YYYY, YYYY-MM or YYYY-MM-DD),
`bbox` (W,S,E,N). Errors are `{"error": {"status": …, "message": …}}`."""


MAX_MESSAGE = 1000   # characters of an error message (a bad value is echoed cut short: queries.short_repr)


def _error(status: int, message: str) -> JSONResponse:
    if len(message) > MAX_MESSAGE:
        message = message[:MAX_MESSAGE] + "…"
    return JSONResponse({"error": {"status": status, "message": message}}, status_code=status)


def _wants_html(request: Request) -> bool:
    return not request.url.path.startswith("/api/") and "text/html" in request.headers.get("accept", "")


class HeadAsGet:
    """HEAD on every GET route (link checkers, ``curl -I``, monitors): answered as the GET, without its body."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http" or scope["method"] != "HEAD":
            return await self.app(scope, receive, send)

        async def headers_only(message):
            if message["type"] == "http.response.body":
                message = {**message, "body": b""}
            await send(message)
        await self.app({**scope, "method": "GET"}, receive, headers_only)


MAX_BODY = 1_000_000       # bytes of a request body (the consent form and the ingest hand-off are far smaller)
TEST_CLIENT_HOST = "testserver"   # Starlette's TestClient: in-process only, never a name a browser resolves to us


def _build_routes(app: FastAPI) -> None:
    """Have FastAPI build every route's request handling now: it does so lazily, at a route's first match, which
    cost the first request 0.5-1 s of CPU.  One in-process request that matches no route (a 404) walks them all."""
    import asyncio
    scope = {"type": "http", "http_version": "1.1", "method": "GET", "scheme": "http", "path": "/-/warm-up",
             "raw_path": b"/-/warm-up", "root_path": "", "query_string": b"", "headers": [(b"host", b"127.0.0.1")],
             "client": ("127.0.0.1", 0), "server": ("127.0.0.1", 80)}

    async def receive():
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message):
        return None
    asyncio.run(app(scope, receive, send))


def create_app(store_path: str | Path | None = None, timeout_s: float = 5.0, load_demo: bool = True,
               ds: DataStore | None = None, allowed_hosts=None) -> FastAPI:
    """The app over the store.  ``allowed_hosts``: the host names it answers to (``signalfire serve`` passes the
    loopback names plus its ``--allowed-host`` values); by default the loopback names and the in-process test
    client's name."""
    app = FastAPI(title="Signalfire API", version=__version__, description=DESCRIPTION,
                  docs_url=None, redoc_url=None, openapi_url="/api/v1/openapi.json", max_body_size=MAX_BODY)
    app.state.ds = ds or DataStore(store_path, timeout_s=timeout_s, load_demo_if_empty=load_demo)
    app.state.consent = ConsentLog(consent_path(app.state.ds.path))
    app.state.allowed_hosts = tuple(allowed_hosts) if allowed_hosts is not None else (*LOOPBACK_HOSTS,
                                                                                       TEST_CLIENT_HOST)
    app.state.token = secrets.token_urlsafe(24)
    @app.middleware("http")
    async def catch_all(request: Request, call_next):
        # innermost: an unexpected error becomes an ordinary 500 page or JSON error that still passes through the
        # security headers and keeps the connection (Starlette's own handler answers outside the middleware and
        # then closes the connection)
        try:
            return await call_next(request)
        except Exception as exc:
            logging.getLogger("uvicorn.error").exception("unexpected error on %s %s", request.method,
                                                        request.url.path)
            return page_or_json(request, 500, f"unexpected {type(exc).__name__}: the server logged it")

    # level 6 (zlib's default), not Starlette's 9: a 206 KB page (the overview with its map picture inline, as first
    # tried) took 18 ms against 68 ms of the server's CPU, for 55 KB against 54 KB on the wire
    app.add_middleware(GZipMiddleware, minimum_size=1000, compresslevel=6)
    app.add_middleware(RequestGuard, allowed_hosts=app.state.allowed_hosts, consent_limit=RateLimit())
    app.add_middleware(SecurityHeaders)
    app.add_middleware(HeadAsGet)
    app.mount("/static", CompressedStaticFiles(directory=STATIC), name="static")   # gzipped once, kept

    # warm the country geometry (decoding Natural Earth takes a second or two) off the request path
    from signalfire.web import warming

    def warm():
        from signalfire.web.geometry import countries_geojson_gzip
        countries_geojson_gzip("low")
        countries_geojson_gzip("high")
        try:
            from signalfire.store.queries import _known_countries, _known_sources
            _known_sources()       # imports every adapter (0.4 s of CPU): the first filtered request paid it
            _known_countries()
            from signalfire.web.rendering import compile_templates
            compile_templates()
            _build_routes(app)
            warming.warm(app.state.ds)
            warming.warm_countries(app.state.ds)    # every country page's parts (0.2-0.4 s each), on big stores
        except Exception:  # noqa: BLE001, S110 (warming is an optimisation; requests compute on demand)
            pass
        finally:
            app.state.ds.warmed.set()

    def warm_countries_later(ds):   # after an ingest: in the background, so the hand-off's job ends at its commit
        threading.Thread(target=warming.warm_countries, args=(ds,), daemon=True, name="warm-countries").start()
    app.state.ds.after_commit.append(warming.warm)
    app.state.ds.after_commit.append(warm_countries_later)
    from signalfire.web.streams.alerts import after_commit as alerts_after_commit
    app.state.ds.after_commit.append(alerts_after_commit)    # the alert rules, on what the ingest brought

    from signalfire.web import api, forecast_api, pages, rendering, streams
    app.include_router(api.router)
    app.include_router(forecast_api.router)
    for router in streams.routers():
        app.include_router(router)
    app.include_router(pages.router)

    def page_or_json(request: Request, status: int, message: str):
        if _wants_html(request):
            html = rendering.render_error(request, status, message)
            return HTMLResponse(html, status_code=status)
        return _error(status, message)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException):
        message = exc.detail if isinstance(exc.detail, str) else "request failed"
        if exc.status_code == 404 and message == "Not Found":
            message = f"no such page or endpoint: {cut(request.url.path)}"
        response = page_or_json(request, exc.status_code, message)
        response.headers.update(exc.headers or {})   # e.g. Allow on a 405
        return response

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, exc: RequestValidationError):
        parts = []
        for err in exc.errors():
            where = ".".join(str(x) for x in err.get("loc", []) if x not in ("query", "body", "path"))
            parts.append(f"{where}: {err.get('msg', 'invalid')}" if where else err.get("msg", "invalid"))
        return page_or_json(request, 422, "invalid request: " + "; ".join(parts))

    @app.exception_handler(QueryError)
    async def query_error(request: Request, exc: QueryError):
        return page_or_json(request, 400, str(exc).replace("--", ""))

    @app.exception_handler(QueryTimeout)
    async def timeout_error(request: Request, exc: QueryTimeout):
        return page_or_json(request, 503, str(exc))

    @app.exception_handler(SourceError)
    async def source_error(request: Request, exc: SourceError):
        return page_or_json(request, 400, str(exc))

    @app.exception_handler(StoreError)
    async def store_error(request: Request, exc: StoreError):
        return page_or_json(request, 503, str(exc))

    @app.exception_handler(Exception)
    async def unexpected(request: Request, exc: Exception):
        return page_or_json(request, 500, f"unexpected {type(exc).__name__}: the server logged it")

    # last: the warming builds the middleware stack and the routes, so everything must be registered first
    threading.Thread(target=warm, daemon=True).start()
    return app
