"""The JSON API under ``/api/v1``.

Filters everywhere: ``country``, ``category``, ``source`` (comma-separated lists), ``since``/``until``
(YYYY, YYYY-MM or YYYY-MM-DD) and ``bbox`` (W,S,E,N), parsed by :class:`~signalfire.store.queries.EventFilter`
exactly as the CLI does.  Lists are paginated (``limit`` at most :data:`MAX_PAGE`, ``offset`` at most
:data:`MAX_OFFSET`); every query runs under the store's statement timeout.  Tabular endpoints take
``format=json|csv|geojson|parquet`` for downloads (at most :data:`MAX_EXPORT` rows), streamed a batch at a
time; at most ``DataStore.exports`` downloads run at once (503 with Retry-After beyond).  Errors are
``{"error": {"status": …, "message": …}}``.
"""

from __future__ import annotations

import hmac
from typing import Annotated, Literal

import orjson
import pyarrow as pa
from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response, StreamingResponse
from pydantic import BaseModel, ValidationError

from signalfire.reports.export import iter_bytes, to_bytes
from signalfire.store.queries import EVENT_OUTPUT, EventFilter, cut, short_repr
from signalfire.store.schema import CATEGORIES
from signalfire.web.serving import analytics
from signalfire.web.static_files import packed_response


class ErrorDetail(BaseModel):
    status: int
    message: str


class ErrorBody(BaseModel):
    """Every error the API returns: ``{"error": {"status": …, "message": …}}``."""
    error: ErrorDetail


ERRORS = {status: {"model": ErrorBody, "description": text} for status, text in (
    (400, "A filter value is not valid (the message names it and the valid values)"),
    (404, "No such country, event, run or month (the message says what exists)"),
    (422, "A parameter is out of range or of the wrong type"),
    (503, "The query took too long, or the store is not available"))}

router = APIRouter(prefix="/api/v1", responses=ERRORS)

MAX_PAGE = 1000
MAX_OFFSET = 100_000
MAX_EXPORT = 100_000
EXPORT_BATCH = 10_000     # rows per batch streamed from DuckDB to the client
EXPORT_RETRY_S = 5        # Retry-After of a download refused because every export slot is busy
MEDIA = {"csv": "text/csv; charset=utf-8", "geojson": "application/geo+json",
         "parquet": "application/vnd.apache.parquet", "json": "application/json"}
Format = Annotated[Literal["json", "csv", "geojson", "parquet"],
                   Query(description="json, or a download: csv, geojson (rows with coordinates) or parquet")]
TableFormat = Annotated[Literal["json", "csv", "parquet"],     # tables without coordinates: no geojson
                        Query(description="json, or a download: csv or parquet")]
# patterns: the shape of each filter, documented in the OpenAPI schema; EventFilter.parse checks the values (a 400
# naming the bad one, as the CLI does; a value of the right shape can still be unknown: a code no country has, a
# bbox whose south is north of its north)
DATE = r"^\s*(1[89]\d{2}|20\d{2}|21\d{2}|2200)(-(0[1-9]|1[0-2])(-(0[1-9]|[12]\d|3[01]))?)?\s*$"
NUMBER = r"-?\d{1,3}(\.\d+)?"
NAMES = r"^[^,]+(,[^,]+)*$"
Country = Annotated[str | None, Query(description="Countries, comma-separated: ISO 3166 alpha-3 codes (UKR,POL), "
                                      "alpha-2 codes or English names", json_schema_extra={"pattern": NAMES})]
Category = Annotated[str | None, Query(description="Categories, comma-separated: " + ", ".join(CATEGORIES),
                                       json_schema_extra={"pattern": rf"^\s*(?i:{'|'.join(CATEGORIES)})\s*"
                                                                     rf"(,\s*(?i:{'|'.join(CATEGORIES)})\s*)*$"})]
Source = Annotated[str | None, Query(description="Sources, comma-separated, e.g. ucdp-ged,acled",
                                     json_schema_extra={"pattern": r"^\s*[A-Za-z0-9_-]+\s*(,\s*[A-Za-z0-9_-]+\s*)*$"})]
Since = Annotated[str | None, Query(description="First date: YYYY, YYYY-MM or YYYY-MM-DD (years 1800-2200)",
                                    json_schema_extra={"pattern": DATE})]
Until = Annotated[str | None, Query(description="Last date: YYYY, YYYY-MM or YYYY-MM-DD (years 1800-2200)",
                                    json_schema_extra={"pattern": DATE})]
Bbox = Annotated[str | None, Query(description="W,S,E,N in degrees (-180..180, -90..90, S <= N); W > E crosses "
                                   "the antimeridian",
                                   json_schema_extra={"pattern": f"^{NUMBER},{NUMBER},{NUMBER},{NUMBER}$"})]

# the downloads each `format` gives, documented beside the JSON (OpenAPI: one 200 response, several media types)
_BINARY = {"schema": {"type": "string", "format": "binary"}}
DOWNLOADS = {200: {"description": "JSON, or the download in the format asked for", "content": {
    "text/csv": _BINARY, "application/geo+json": {"schema": {"type": "object"}},
    "application/vnd.apache.parquet": _BINARY}}}
TABLE_DOWNLOADS = {200: {"description": "JSON, or the download in the format asked for", "content": {
    "text/csv": _BINARY, "application/vnd.apache.parquet": _BINARY}}}


def _ds(request: Request):
    return request.app.state.ds


def event_filter(country=None, category=None, source=None, since=None, until=None, bbox=None) -> EventFilter:
    return EventFilter.parse(country or None, category or None, source or None, since or None, until or None,
                             bbox or None)


def table_response(table: pa.Table, fmt: str, name: str, total: int | None = None) -> Response:
    """A download of ``table`` as CSV, GeoJSON (rows with latitude/longitude become points) or Parquet.  With
    ``total`` (the rows matching), the headers say how many matched and whether the download holds fewer."""
    if fmt == "geojson" and "latitude" not in table.column_names:
        raise HTTPException(400, f"{name} has no coordinates: download it as csv or parquet")
    data = to_bytes(table, fmt)
    headers = {"Content-Disposition": f'attachment; filename="{name}.{fmt}"'}
    if total is not None:
        headers["X-Total-Count"] = str(total)
        if total > table.num_rows:
            headers["X-Signalfire-Truncated"] = (f"the first {table.num_rows:,} of {total:,} rows: narrow the "
                                                 "filters, or use the CLI or Python API for all")
    return Response(data, media_type=MEDIA[fmt], headers=headers)


def stream_download(ds, sql: str, params: list | None, fmt: str, name: str, total: int | None = None,
                    shown: int | None = None) -> StreamingResponse:
    """A download of a query's rows streamed a batch at a time from DuckDB (memory stays flat whatever its size).
    At most ``ds.exports`` run at once: when all are busy the answer is 503 with Retry-After, not a queue that
    grows the server's memory.  ``total``: rows matching; ``shown``: rows the download holds (for the headers)."""
    if not ds.exports.acquire(blocking=False):
        raise HTTPException(503, "too many downloads at once: try again in a few seconds",
                            headers={"Retry-After": str(EXPORT_RETRY_S)})
    try:
        cur = ds.execute(sql, params)
        reader = cur.to_arrow_reader(EXPORT_BATCH)
        if fmt == "geojson" and "latitude" not in reader.schema.names:
            cur.close()
            raise HTTPException(400, f"{name} has no coordinates: download it as csv or parquet")
    except BaseException:
        ds.exports.release()
        raise

    def body():
        try:
            yield from iter_bytes(reader, reader.schema, fmt)
        finally:
            cur.close()
            ds.exports.release()
    headers = {"Content-Disposition": f'attachment; filename="{name}.{fmt}"'}
    if total is not None:
        headers["X-Total-Count"] = str(total)
        if shown is not None and total > shown:
            headers["X-Signalfire-Truncated"] = (f"the first {shown:,} of {total:,} rows: narrow the "
                                                 "filters, or use the CLI or Python API for all")
    return StreamingResponse(body(), media_type=MEDIA[fmt], headers=headers)


def rows_table(rows: list[dict], columns: tuple[str, ...]) -> pa.Table:
    """``rows`` as a table; with no rows, its ``columns`` all the same, so an empty download still has its header."""
    return pa.Table.from_pylist(rows) if rows else pa.table({c: pa.array([], pa.string()) for c in columns})


# -- events -----------------------------------------------------------------------------------------------------
@router.get("/events", summary="Events matching the filters, newest first", responses=DOWNLOADS)
def events(request: Request, country: Country = None, category: Category = None,
           source: Source = None, since: Since = None, until: Until = None,
           bbox: Bbox = None,
           limit: int = Query(100, ge=1, le=MAX_PAGE, description="Events per JSON page (downloads hold every "
                              f"matching event, up to {MAX_EXPORT:,}: see the X-Total-Count header)"),
           offset: int = Query(0, ge=0, le=MAX_OFFSET, description="Start of the JSON page"),
           format: Format = "json"):
    ds = _ds(request)
    flt = event_filter(country, category, source, since, until, bbox)
    if format != "json":
        total = analytics.count_events(ds, flt)
        return stream_download(ds, *analytics.page_query(flt, EVENT_OUTPUT, MAX_EXPORT, 0, ds), format, "events",
                               total=total, shown=min(total, MAX_EXPORT))
    rows, total = analytics.event_page(ds, flt, EVENT_OUTPUT, limit, offset)
    return json_response(_page(total, limit, offset, rows))


def json_response(content) -> Response:
    """``content`` as JSON, the bytes FastAPI's own encoder gives for the store's values (dates as ISO strings),
    by orjson: FastAPI's ``jsonable_encoder`` took ~15 ms of CPU for a page of 100 events, orjson 0.1 ms.  Other
    types go through ``jsonable_encoder`` one value at a time."""
    return Response(orjson.dumps(content, default=jsonable_encoder), media_type="application/json")


def _page(total: int, limit: int, offset: int, rows: list[dict]) -> dict:
    """One page of a paged endpoint (events, ingest runs, quarantine), all in the same shape."""
    nxt = offset + limit if offset + limit < total and offset + limit <= MAX_OFFSET else None
    return {"total": total, "limit": limit, "offset": offset, "next_offset": nxt, "data": rows}


@router.get("/events/{source}/{source_id:path}",
            summary="One event with its revision history (the id may hold a /)")
def event(request: Request, source: str, source_id: str):
    ds = _ds(request)
    current = ds.rows("SELECT * EXCLUDE (row_hash) FROM events WHERE source = ? AND source_id = ?",
                      [source, source_id])
    if not current:
        raise HTTPException(404, f"no event {cut(f'{source}/{source_id}')}")
    revisions = ds.rows("SELECT * EXCLUDE (row_hash) FROM event_revisions WHERE source = ? AND source_id = ? "
                        "ORDER BY superseded_at DESC", [source, source_id])
    run = ds.rows("SELECT run_id, adapter, file_name, file_sha256, finished_at, source_version FROM ingest_runs "
                  "WHERE run_id = ?", [current[0]["run_id"]])
    return {"event": current[0], "ingest_run": run[0] if run else None, "revisions": revisions}


@router.get("/map/grid", summary="Events binned on a lon/lat grid, as GeoJSON points (for clustered maps)")
def map_grid(request: Request, country: Country = None, category: Category = None,
             source: Source = None, since: Since = None, until: Until = None,
             bbox: Bbox = None, cell: float = Query(0.1, ge=0.01, le=5.0)):
    flt = event_filter(country, category, source, since, until, bbox)
    return Response(analytics.grid_json(_ds(request), flt, cell_deg=cell), media_type="application/json")


# -- aggregates -------------------------------------------------------------------------------------------------
@router.get("/series", summary="Monthly events and deaths by category or source", responses=TABLE_DOWNLOADS)
def series(request: Request, country: Country = None, category: Category = None,
           source: Source = None, since: Since = None, until: Until = None,
           bbox: Bbox = None, by: Literal["category", "source"] = "category", format: TableFormat = "json"):
    flt = event_filter(country, category, source, since, until, bbox)
    rows = analytics.monthly_series(_ds(request), flt, by=by)
    if format != "json":
        return table_response(rows_table(rows, ("month", "series", "events", "deaths")), format, f"series_by_{by}")
    return {"by": by, "data": rows}


@router.get("/countries/summary", summary="Events and deaths per country (the choropleth's values)",
            responses=DOWNLOADS)
def country_summary(request: Request, category: Category = None, source: Source = None,
                    since: Since = None, until: Until = None, country: Country = None,
                    format: Format = "json"):
    flt = event_filter(country, category, source, since, until)
    rows = analytics.by_country(_ds(request), flt)
    if format == "geojson":   # the choropleth as drawn: country polygons with their values
        import json as _json

        from signalfire.web.geometry import DETAIL, countries_geojson
        shapes = _json.loads(countries_geojson(*DETAIL["high"]))
        values = {r["iso3"]: r for r in rows}
        for feature in shapes["features"]:
            row = values.get(feature["properties"]["iso3"], {})
            feature["properties"].update(events=row.get("events", 0), deaths=row.get("deaths", 0))
        return Response(_json.dumps(shapes, separators=(",", ":")).encode(), media_type=MEDIA["geojson"],
                        headers={"Content-Disposition": 'attachment; filename="countries_summary.geojson"'})
    if format != "json":
        return table_response(rows_table(rows, ("iso3", "events", "deaths")), format, "countries_summary")
    return {"data": rows}


@router.get("/movers", summary="Countries whose latest month departs most from their 12-month baseline")
def movers(request: Request, category: Category = None, source: Source = None,
           until: Until = None, measure: Literal["events", "deaths"] = "deaths",
           limit: int = Query(10, ge=1, le=100)):
    flt = event_filter(None, category, source, None, until)
    return analytics.movers(_ds(request), flt, measure=measure, limit=limit)


# -- countries --------------------------------------------------------------------------------------------------
@router.get("/countries", summary="Countries with their names and whether events are stored for them")
def countries(request: Request):
    from signalfire.geo.borders import country_names
    ds = _ds(request)
    counts = analytics.country_counts(ds)
    names = country_names()
    return {"data": [{"iso3": iso3, "name": name, "events": int(counts.get(iso3, 0))}
                     for iso3, name in sorted(names.items())]}


@router.get("/countries/shapes.geojson", summary="Country polygons (Natural Earth 1:50m, simplified)",
            responses={200: {"description": "GeoJSON FeatureCollection", "content": {
                "application/geo+json": {"schema": {"type": "object"}}}}})
def country_shapes(request: Request, detail: Literal["low", "high"] = "low"):
    """``low``: simplified to ~5 km (world maps); ``high``: ~2 km (country and neighbourhood maps)."""
    from signalfire.web.geometry import DETAIL, countries_geojson, countries_geojson_gzip
    return packed_response(request, countries_geojson(*DETAIL[detail]), countries_geojson_gzip(detail),
                           "application/geo+json")


@router.get("/countries/{iso3}/neighbours", summary="Land neighbours and the distance-band ring")
def neighbours(iso3: str, distance_km: float = Query(200, ge=0, le=2000)):
    from signalfire.geo.borders import country_names, land_borders, neighbourhood
    iso3 = iso3.upper()
    try:
        ring = neighbourhood(iso3, distance_km=distance_km)
    except KeyError:
        raise HTTPException(404, f"unknown country {short_repr(iso3)} (use ISO 3166 alpha-3, e.g. POL)") from None
    names = country_names()
    land = land_borders().get(iso3, set())
    return {"iso3": iso3, "name": names.get(iso3, iso3), "distance_km": distance_km,
            "land_borders": sorted(land),
            "ring": [{"iso3": c, "name": names.get(c, c), "land_border": c in land} for c in ring]}


# -- sources and provenance -------------------------------------------------------------------------------------
@router.get("/health", summary="Whether the server is up and has warmed its aggregates for the current data")
def health(request: Request):
    """``warm`` turns true once the aggregates every page needs (rollups, source summary, default map) are
    computed for the data loaded at start; until then the first requests may be slower."""
    ds = _ds(request)
    return {"status": "ok", "warm": ds.warmed.is_set(), "data_version": ds.version}


@router.get("/sources", summary="Sources loaded: events, span and versions", responses=TABLE_DOWNLOADS)
def sources(request: Request, format: TableFormat = "json"):
    rows = analytics.sources_summary(_ds(request))
    if format != "json":
        return table_response(rows_table(rows, ("source", "events", "first", "last", "countries", "deaths",
                                                 "versions")), format, "sources")
    return {"data": rows}


@router.get("/ingest-runs", summary="Every ingest run, newest first", responses=TABLE_DOWNLOADS)
def ingest_runs(request: Request, limit: int = Query(100, ge=1, le=MAX_PAGE),
                offset: int = Query(0, ge=0, le=MAX_OFFSET),
                format: TableFormat = "json"):
    ds = _ds(request)
    # the file name only: the server's absolute paths are for the CLI (signalfire status, the Python API)
    sql = f"SELECT * EXCLUDE (file_path) FROM ingest_runs ORDER BY run_id DESC LIMIT {limit} OFFSET {offset}"
    if format != "json":
        return stream_download(ds, sql, None, format, "ingest_runs")
    return _page(ds.scalar("SELECT count(*) FROM ingest_runs"), limit, offset, ds.rows(sql))


@router.get("/quarantine", summary="Quarantined records with their reasons", responses=TABLE_DOWNLOADS)
def quarantine(request: Request, run: int | None = None, limit: int = Query(100, ge=1, le=MAX_PAGE),
               offset: int = Query(0, ge=0, le=MAX_OFFSET), format: TableFormat = "json"):
    ds = _ds(request)
    where, params = ("WHERE run_id = ?", [run]) if run is not None else ("", [])
    cap = MAX_EXPORT if format != "json" else limit
    sql = (f"SELECT run_id, file_name, record_ref, column_name, reason, left(raw, 500) AS raw "
           f"FROM quarantine {where} ORDER BY run_id DESC, record_ref LIMIT {cap} OFFSET {offset}")
    if format != "json":
        return stream_download(ds, sql, params, format, "quarantine")
    return _page(ds.scalar(f"SELECT count(*) FROM quarantine {where}", params), limit, offset, ds.rows(sql, params))


# -- ingest hand-off (localhost only) ---------------------------------------------------------------------------
class IngestRequest(BaseModel):
    adapter: str
    files: list[str]
    source_version: str | None = None


def _check_local(request: Request) -> None:
    client = request.client.host if request.client else ""
    token = request.headers.get("X-Signalfire-Token", "")
    if client not in ("127.0.0.1", "::1", "localhost", "testclient"):
        raise HTTPException(403, "ingest hand-off is accepted from this machine only")
    if not hmac.compare_digest(token, request.app.state.token):
        raise HTTPException(403, "missing or wrong hand-off token (it is in the server file beside the store)")


@router.post("/_internal/ingest", include_in_schema=False, status_code=202)
async def submit_ingest(request: Request):
    """The token is checked before a byte of the body is read (the body is capped by the app's max_body_size)."""
    _check_local(request)
    try:
        body = IngestRequest.model_validate_json(await request.body())
    except ValidationError as exc:
        raise RequestValidationError(exc.errors(include_url=False, include_context=False)) from None
    try:
        job = await run_in_threadpool(_ds(request).submit_ingest, body.adapter, body.files, body.source_version)
    except FileNotFoundError as exc:
        raise HTTPException(400, str(exc)) from None
    return JSONResponse(job.as_dict(), status_code=202)


@router.get("/_internal/ingest/{job_id}", include_in_schema=False)
def ingest_job(request: Request, job_id: str):
    _check_local(request)
    job = _ds(request).job(job_id)
    if job is None:
        raise HTTPException(404, f"no ingest job {job_id}")
    return job.as_dict()
