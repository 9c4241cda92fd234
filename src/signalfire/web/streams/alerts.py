"""API routes and pages for alerts: the rules, their firings (with the evidence) and the Atom feed.

API: ``GET /api/v1/alerts/rules`` (webhook secrets are never shown), ``POST /api/v1/alerts/rules`` (JSON: name, kind,
params, webhook_url, webhook_secret, email_to, smtp_url), ``DELETE /api/v1/alerts/rules/{id}``,
``GET /api/v1/alerts/firings`` (paged like events).  Pages: ``/alerts`` (firings newest first, the rules, a form to
add one) and ``/alerts.atom``.  Writes go through the server's connection under its writer lock, as ingest
hand-offs do; a page's form posts are checked for their Origin by the request guard like every state change.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime

from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import BaseModel, Field

from signalfire.alerts import AlertError, rules
from signalfire.alerts.evaluate import add_rule
from signalfire.store.schema import CATEGORIES
from signalfire.web.api import ERRORS
from signalfire.web.i18n import N_
from signalfire.web.rendering import page_context, render

router = APIRouter()
api = APIRouter(prefix="/api/v1/alerts", tags=["alerts"], responses=ERRORS)

RULE_COLUMNS = "rule_id, name, kind, params, webhook_url, email_to, smtp_url, enabled, created_at, updated_at"
FIRING_COLUMNS = ("firing_id", "rule_id", "rule", "fired_at", "subject", "period", "level", "title", "value",
                  "baseline", "evidence", "trigger")


class RuleIn(BaseModel):
    name: str = Field(max_length=200)
    kind: str = Field(description="events, forecast, new-records, cyber or route")
    params: dict = Field(default_factory=dict, description="the kind's parameters (docs/schema/alerts.md)")
    webhook_url: str | None = Field(None, max_length=2000)
    webhook_secret: str | None = Field(None, max_length=200)
    email_to: str | None = Field(None, max_length=2000)
    smtp_url: str | None = Field(None, max_length=200)


def _rules(ds) -> list[dict]:
    rows = ds.rows(f"SELECT {RULE_COLUMNS} FROM alert_rules ORDER BY rule_id")
    for r in rows:
        r["params"] = json.loads(r["params"])
    return rows


def _firings(ds, limit: int, offset: int, rule_id: int | None = None, level: str | None = None):
    where, params = [], []
    if rule_id is not None:
        where.append("f.rule_id = ?")
        params.append(rule_id)
    if level:
        where.append("f.level = ?")
        params.append(level)
    clause = (" WHERE " + " AND ".join(where)) if where else ""
    total = ds.scalar(f"SELECT count(*) FROM alert_firings f{clause}", params)
    rows = ds.rows(f"""SELECT f.firing_id, f.rule_id, r.name AS rule, f.fired_at, f.subject, f.period, f.level,
                              f.title, f.value, f.baseline, f.evidence, f.trigger
                       FROM alert_firings f LEFT JOIN alert_rules r USING (rule_id){clause}
                       ORDER BY f.fired_at DESC, f.period DESC, f.firing_id LIMIT ? OFFSET ?""",
                   [*params, limit, offset])
    for r in rows:
        r["evidence"] = json.loads(r["evidence"])
        r["fired_at"] = r["fired_at"].isoformat(timespec="seconds") if r["fired_at"] else None
    return total, rows


def _write(request: Request, action):
    """Run ``action(cursor)`` on the server's connection, one writer at a time."""
    ds = request.app.state.ds
    with ds._ingest_lock:
        cur = ds.store.con.cursor()
        try:
            result = action(cur)
        finally:
            cur.close()
    ds.version += 1         # the pages' caches see the change
    return result


def after_commit(ds) -> None:
    """Evaluate the rules on the runs not yet evaluated and send what is due (called in the ingest worker, which
    holds the writer lock, after each hand-off ingest)."""
    from signalfire.alerts.evaluate import after_runs
    cur = ds.store.con.cursor()
    try:
        after_runs(cur)
    finally:
        cur.close()


@api.get("/rules", summary="The alert rules (webhook secrets are never shown)")
def rules_api(request: Request):
    return {"data": _rules(request.app.state.ds)}


@api.post("/rules", status_code=201, summary="Add an alert rule")
def add_rule_api(request: Request, rule: RuleIn):
    try:
        rule_id = _write(request, lambda cur: add_rule(cur, rule.name, rule.kind, rule.params, rule.webhook_url,
                                                        rule.webhook_secret, rule.email_to, rule.smtp_url))
    except AlertError as exc:
        raise HTTPException(400, str(exc)) from None
    return {"rule_id": rule_id}


@api.delete("/rules/{rule_id}", summary="Remove an alert rule (its firings stay)")
def remove_rule_api(request: Request, rule_id: int):
    try:
        _write(request, lambda cur: rules.remove(cur, rule_id))
    except AlertError as exc:
        raise HTTPException(404, str(exc)) from None
    return {"removed": rule_id}


@api.get("/firings", summary="Alert firings, newest first, with their evidence")
def firings_api(request: Request, limit: int = Query(50, ge=1, le=1000), offset: int = Query(0, ge=0, le=10**9),
                rule: int | None = Query(None, ge=1, le=2**31 - 1),
                level: str | None = Query(None, pattern="^(orange|red)$")):
    total, rows = _firings(request.app.state.ds, limit, offset, rule, level)
    nxt = offset + limit if offset + limit < total else None
    return {"total": total, "limit": limit, "offset": offset, "next_offset": nxt, "data": rows}


router.include_router(api)


@router.get("/alerts.atom", include_in_schema=False)
def atom_feed(request: Request):
    from signalfire.alerts.feed import atom
    _, rows = _firings(request.app.state.ds, 100, 0)
    base = str(request.base_url).rstrip("/")
    updated = rows[0]["fired_at"] if rows else datetime.now(UTC).isoformat(timespec="seconds")
    for r in rows:
        r["fired_at"] = (r["fired_at"] or updated) + ("" if (r["fired_at"] or "").endswith("Z") else "Z")
    body = atom(rows, base, updated if updated.endswith("Z") or "+" in updated else updated + "Z")
    return Response(body, media_type="application/atom+xml")


def _page(request: Request, page: int = 1, message: str = "", kind: str = "events", values: dict | None = None,
          error: dict | None = None, status: int = 200):
    from signalfire.sources import all_adapters
    from signalfire.web.streams import alerts_form
    ds = request.app.state.ds
    size = 25
    total, rows = _firings(ds, size, (page - 1) * size)
    try:
        routes = [r["route"] for r in ds.rows("SELECT DISTINCT route FROM route_month ORDER BY 1 LIMIT 500")]
    except Exception:  # noqa: BLE001 - no migration table in this store: no suggestions
        routes = []
    kind = alerts_form.kind_of(kind)
    ctx = page_context(request, "alerts", firings=rows, total=total, page=page, pages=max(1, -(-total // size)),
                       rules=_rules(ds), message=message[:200], kinds=rules.KINDS, kind=kind,
                       kind_labels=alerts_form.KIND_LABELS, form_fields=alerts_form.fields(kind, CATEGORIES),
                       delivery_fields=alerts_form.DELIVERY, name_default=alerts_form.NAME_DEFAULTS[kind],
                       values=values, error=error, adapters=sorted(a.name for a in all_adapters()), routes=routes)
    response = render("alerts/alerts.html", ctx)
    response.status_code = status
    return response


@router.get("/alerts", response_class=HTMLResponse, include_in_schema=False)
def alerts_page(request: Request, page: int = Query(1, ge=1, le=10_000), message: str = "",
                kind: str = Query("events", max_length=20)):
    return _page(request, page, message, kind)


@router.post("/alerts/rules", include_in_schema=False)
async def add_rule_form(request: Request):
    """The page's rule form, of any kind; a wrong value re-renders the page with the error beside the form."""
    from signalfire.web.streams import alerts_form
    form = {k: str(v)[:2000] for k, v in (await request.form()).items()}
    kind = alerts_form.kind_of(form.get("kind"))
    name, hook, mail = (form.get(k, "").strip() for k in ("name", "webhook_url", "email_to"))
    try:
        if not name:
            raise alerts_form.FormError("name", N_("name: a rule needs a name"))
        params = alerts_form.params_from(kind, form)
        rule_id = _write(request, lambda cur: add_rule(cur, name[:200], kind, params, hook or None, None,
                                                        mail or None, None))
    except AlertError as exc:
        field = getattr(exc, "field", None)
        # the page translates the message (its template and values) into its own language
        return _page(request, kind=kind, values=form, status=400,
                     error={"field": field, "message": str(exc), "template": exc.template, "params": exc.params})
    lang = "&lang=pl" if form.get("lang") == "pl" else ""
    return RedirectResponse(f"/alerts?message=rule+{rule_id}+added{lang}", status_code=303)


@router.post("/alerts/rules/{rule_id}/delete", include_in_schema=False)
def remove_rule_form(request: Request, rule_id: int):
    try:
        _write(request, lambda cur: rules.remove(cur, rule_id))
    except AlertError as exc:
        raise HTTPException(404, str(exc)) from None
    return RedirectResponse(f"/alerts?message=rule+{rule_id}+removed", status_code=303)
