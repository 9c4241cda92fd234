"""Rendering a page: the Jinja environment over ``templates/`` (with the interface's gettext and the number and date
filters), what every page's template needs (``page_context``: nav, consent, country names in the page's language,
the data's dates) and ``render`` / ``render_error``.  The dashboard's own pages (``pages.py``,
``pages_analysis.py``) and every stream's page (``streams/``) render through here; nothing here knows a route."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlencode

from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader, select_autoescape

from signalfire import __version__
from signalfire.store.schema import CATEGORIES
from signalfire.web import formatting, i18n, privacy
from signalfire.web.nav import NAV
from signalfire.web.serving import analytics, periods

HERE = Path(__file__).resolve().parent
env = Environment(loader=FileSystemLoader(HERE / "templates"), autoescape=select_autoescape(["html"]),
                  trim_blocks=True, lstrip_blocks=True, extensions=["jinja2.ext.i18n"])
# interface text is wrapped in _("…") (or {% trans %}) in templates; i18n.py picks the catalogue per request.
# _() is for LITERAL text only (what it returns is trusted markup): a value goes through |translate (below)
env.install_gettext_callables(i18n.gettext, i18n.ngettext, newstyle=True)


def compile_templates() -> int:
    """Compile every page template now (Jinja compiles each at its first use: 0.5 s of CPU for the overview's
    first view); the server's start-up warming calls it.  Returns how many were compiled."""
    names = env.list_templates(extensions=["html"])
    for name in names:
        env.get_template(name)
    return len(names)


async def _request_language(request: Request) -> None:
    """The page's language for the whole request (async, so the handler's thread inherits it): text built in
    Python before the template (sparkline labels, source names, change classes) is translated too."""
    i18n.current.set(_language(request)["lang"])


# numbers and dates one way on every page: |int |num |signed |pct |date |datetime |month |month_name (docs/UI.md)
env.filters.update(formatting.FILTERS)
env.globals["nav"] = NAV
env.globals["period_presets"] = periods.preset_links
env.filters["label"] = i18n.label          # a category code as words in the page's language
# a value (not literal text) in the page's language as plain text: _() returns safe markup (new-style gettext),
# so _(value) would show a request parameter or a source's text unescaped; see i18n.translate
env.filters["translate"] = i18n.translate


def _names() -> dict[str, str]:
    from signalfire.geo.borders import country_names
    return country_names()


def _context(request: Request, active: str, **kw) -> dict:
    ds = request.app.state.ds
    sources = analytics.source_names(ds)
    consent = privacy.current_consent(request)
    first = ds.cached("first_event", lambda: ds.scalar("SELECT min(date_start) FROM events"))
    language = _language(request)
    names = _local_names(language["lang"])
    if isinstance(kw.get("iso3"), str) and kw.get("name"):      # a country page's name in the page's language
        kw["name"] = names.get(kw["iso3"], kw["name"])
    return {"request": request, "active": active, "version": __version__, "categories": CATEGORIES,
            "sources": sources, "consent": consent, "names": names,
            "path": request.url.path,
            "next_url": str(request.url.path) + (f"?{request.url.query}" if request.url.query else ""),
            "as_of": analytics.as_of(ds), "data_to": analytics.data_to_local(ds, language["lang"]), "data_first": first,
            **language, **kw}


def _local_names(lang: str) -> dict[str, str]:
    """ISO3 → the country's name in the page's language (CLDR names; Natural Earth's where CLDR has none)."""
    names = _names()
    if lang == i18n.DEFAULT:
        return names
    from signalfire.geo.countries import local_names
    local = local_names(lang)
    return {iso3: local.get(iso3, name) for iso3, name in names.items()}


def _language(request: Request) -> dict:
    """The page's language (?lang=, else the sf_lang cookie with the preferences consent, else English) and the
    header's switch: the same URL in each language."""
    allowed = privacy.allows(request, "preferences")
    lang = i18n.pick(request.query_params.get("lang"), request.cookies.get(i18n.COOKIE), allowed)
    query = {k: v for k, v in request.query_params.items() if k != "lang"}
    links = [{"code": code, "name": name, "current": code == lang,
              "href": request.url.path + "?" + urlencode({**query, "lang": code})} for code, name in
             i18n.LANGUAGES.items()]
    remember = allowed and request.query_params.get("lang", "").lower() in i18n.LANGUAGES
    return {"lang": lang, "languages": links, "remember_lang": remember}


def page_context(request: Request, active: str, **kw) -> dict:
    """What every page's template needs (nav, consent, names, data-to dates), plus the page's own values; a
    stream's page (web/streams/) renders ``render("<stream>/page.html", page_context(request, "<nav key>", …))``."""
    return _context(request, active, **kw)


def _render_text(name: str, ctx: dict) -> str:
    token = i18n.current.set(ctx.get("lang", i18n.DEFAULT))
    try:
        return env.get_template(name).render(**ctx)
    finally:
        i18n.current.reset(token)


def render(name: str, ctx: dict) -> HTMLResponse:
    """The page in the request's language; ``?lang=`` is remembered in a cookie only with the preferences consent
    (like the home country)."""
    response = HTMLResponse(_render_text(name, ctx))
    if ctx.get("remember_lang"):
        response.set_cookie(i18n.COOKIE, ctx["lang"], max_age=privacy.MAX_AGE, samesite="lax", httponly=True)
    return response


def render_error(request: Request, status: int, message: str) -> str:
    try:
        ctx = _context(request, "", status=status, message=message)
    except Exception:  # noqa: BLE001 - the error page must render even when the store cannot be read
        ctx = {"request": request, "active": "", "status": status, "message": message, "categories": CATEGORIES,
               "sources": [], "consent": None, "names": {}, "path": "", "next_url": "/", "as_of": None,
               "version": __version__, "lang": i18n.pick(request.query_params.get("lang"), None, False),
               "languages": []}
    return _render_text("error.html", ctx)
