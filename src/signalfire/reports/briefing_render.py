"""A briefing (:mod:`.briefing`) as HTML and as an A4 PDF, in English or Polish.

The interface text is English in the template (``_("…")``) and Polish in the gettext catalogue
``reports/locale/pl/LC_MESSAGES/briefing.po`` (read with Babel).  The PDF is rendered by WeasyPrint in a worker
process that ends with the render: PDF engines keep memory after long tables, and a server must not grow with every
briefing it makes.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup

from signalfire.reports.briefing import Briefing, build

HERE = Path(__file__).resolve().parent
LANGUAGES = ("en", "pl")
MONTHS = {"en": ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
                 "November", "December"],
          "pl": ["styczeń", "luty", "marzec", "kwiecień", "maj", "czerwiec", "lipiec", "sierpień", "wrzesień",
                 "październik", "listopad", "grudzień"]}
RENDER_TIMEOUT_S = 120


class BriefingError(Exception):
    """The briefing could not be made; the message says why."""


@cache
def catalogue(lang: str) -> dict[str, str]:
    path = HERE / "locale" / lang / "LC_MESSAGES" / "briefing.po"
    if lang == "en" or not path.exists():
        return {}
    from babel.messages.pofile import read_po
    with path.open("rb") as fh:
        return {m.id: m.string for m in read_po(fh, locale=lang) if m.id and m.string and not m.fuzzy}


def translator(lang: str):
    table = catalogue(lang)

    def _(text: str, **values) -> str:
        out = table.get(text, text)
        return out % values if values else out
    return _


def number(value, digits: int = 0, lang: str = "en") -> str:
    """Thousands separated (a thin space in Polish, a comma in English)."""
    if value is None:
        return ""
    text = f"{float(value):,.{digits}f}"
    return text.replace(",", "\u202f").replace(".", ",") if lang == "pl" else text


def _month_name(period: str, lang: str) -> str:
    return f"{MONTHS[lang][int(period[5:]) - 1]} {period[:4]}"


def event_coverage_text(b: Briefing, lang: str) -> str:
    """What the event data do not cover in the briefing's month (empty when they cover every country)."""
    _ = translator(lang)
    cov, month = b.coverage, _month_name(b.period, lang)
    if not cov or (cov.get("source") and not cov.get("missing")):
        return ""
    if not cov.get("source"):
        return _("The store holds no event data.")
    values = {"source": cov["source"], "first": cov["first"], "last": cov["last"], "month": month}
    if cov["position"] == "after":
        return _("The event data (%(source)s) in this store cover %(first)s to %(last)s; %(month)s is after them.",
                 **values)
    if cov["position"] == "before":
        return _("The event data (%(source)s) in this store cover %(first)s to %(last)s; %(month)s is before "
                 "them.", **values)
    names = {r["iso3"]: r["name"] for r in b.countries}
    return _("The event data (%(source)s) in this store do not cover %(month)s for %(countries)s.",
             countries=", ".join(names.get(c, c) for c in cov["missing"]), **values)


def coverage_text(b: Briefing, lang: str) -> str:
    """The sentences on what the data cover in the briefing's month: where the event data end or which countries
    they miss, and what the figures are instead (country-month totals) or that none can be given."""
    _ = translator(lang)
    cov, month = b.coverage, _month_name(b.period, lang)
    if not cov or (cov["basis"] == "events" and not cov["missing"]):
        return ""
    parts = [event_coverage_text(b, lang)]
    cm = cov.get("cm")
    names = {r["iso3"]: r["name"] for r in b.countries}
    if cm and cov["basis"] != "events":
        values = {"source": cm["source"], "first": cm["first"], "last": cm["last"], "month": month}
        if cov["basis"] == "country_month":
            parts.append(_("The figures are country-month totals from %(source)s (state-based conflict deaths, UCDP "
                           "GED best estimate), which cover %(first)s to %(last)s.", **values))
        if cm["position"] == "after":
            parts.append(_("The country-month totals (%(source)s) in this store cover %(first)s to %(last)s; "
                           "%(month)s is after them.", **values))
        elif cm["position"] == "before":
            parts.append(_("The country-month totals (%(source)s) in this store cover %(first)s to %(last)s; "
                           "%(month)s is before them.", **values))
        elif cm["missing"]:
            parts.append(_("The country-month totals (%(source)s) in this store do not cover %(month)s for "
                           "%(countries)s.", countries=", ".join(names.get(c, c) for c in cm["missing"]), **values))
    if cov["basis"] is None:
        parts.append(_("No figures can therefore be given for %(month)s.", month=month))
    return " ".join(p for p in parts if p)


def bottom_line(b: Briefing, lang: str, source_name: str) -> str:
    """The briefing in a sentence or three: the country with the most deaths and its change, the neighbourhood's;
    no figure for a country or month the data do not cover (:func:`coverage_text` says what they cover)."""
    _ = translator(lang)
    bl = b.bottom_line
    month = _month_name(b.period, lang)
    basis = b.coverage.get("basis", "events") if b.coverage else "events"
    complete = bl.get("complete", True)
    covered = ", ".join(r["name"] for r in b.countries if r.get("covered", True))
    worst = bl["worst"]
    if basis is None:
        text = ""
    elif worst is None and complete and basis == "events":
        text = _("No deaths or events were recorded in %(name)s or its neighbours in %(month)s (%(source)s).",
                 name=b.name, month=month, source=source_name)
    elif worst is None and complete:
        text = _("No deaths were recorded in %(name)s or its neighbours in %(month)s (%(source)s).",
                 name=b.name, month=month, source=source_name)
    elif worst is None and basis == "events":
        text = _("No deaths or events were recorded in %(month)s in %(countries)s (%(source)s).",
                 countries=covered, month=month, source=source_name)
    elif worst is None:
        text = _("No deaths were recorded in %(month)s in %(countries)s (%(source)s).",
                 countries=covered, month=month, source=source_name)
    else:
        values = {"worst": worst["name"], "name": b.name, "month": month, "deaths": number(worst["deaths"], 0, lang)}
        if worst["baseline"] is not None:
            values.update(change=_(worst["change"]), baseline=number(worst["baseline"], 1, lang))
        if worst["baseline"] is not None and complete:
            text = _("%(worst)s had the most deaths of %(name)s and its neighbours in %(month)s: %(deaths)s, "
                     "%(change)s against %(baseline)s a month over the six months before.", **values)
        elif worst["baseline"] is not None:
            text = _("Of the countries with figures for %(month)s, %(worst)s had the most deaths: %(deaths)s, "
                     "%(change)s against %(baseline)s a month over the six months before.", **values)
        elif complete:
            text = _("%(worst)s had the most deaths of %(name)s and its neighbours in %(month)s: %(deaths)s; the "
                     "data do not cover all six months before, so no change is given.", **values)
        else:
            text = _("Of the countries with figures for %(month)s, %(worst)s had the most deaths: %(deaths)s; the "
                     "data do not cover all six months before, so no change is given.", **values)
    if len(b.countries) > 1 and bl["ring_change"] is not None:
        text += " " + _("The neighbourhood as a whole: %(deaths)s deaths, %(change)s.",
                        deaths=number(bl["ring_deaths"], 0, lang), change=_(bl["ring_change"]))
    return " ".join(t for t in (text.strip(), coverage_text(b, lang)) if t)


def localised(b: Briefing, names: dict[str, str]) -> Briefing:
    """The briefing with the countries' names in the briefing's language."""
    from dataclasses import replace
    rows = [{**r, "name": names.get(r["iso3"], r["name"])} for r in b.countries]
    worst = b.bottom_line["worst"]
    bottom = {**b.bottom_line, "worst": worst and {**worst, "name": names.get(worst["iso3"], worst["name"])}}
    monthly = [{**m, "name": names.get(m["country"], m["name"])} for m in b.monthly]
    return replace(b, name=names.get(b.iso3, b.name), countries=rows, bottom_line=bottom, monthly=monthly)


def html(b: Briefing, lang: str = "en") -> str:
    """The briefing as one self-contained HTML page (styles inline, charts as inline SVG)."""
    from signalfire.geo.borders import country_names
    from signalfire.geo.countries import local_names
    from signalfire.reports.briefing_charts import fan_svg, map_svg, trend_svg
    if lang not in LANGUAGES:
        raise BriefingError(f"language {str(lang)[:10]!r}: choose one of {', '.join(LANGUAGES)}")
    _ = translator(lang)
    env = Environment(loader=FileSystemLoader(HERE / "templates"), autoescape=select_autoescape(["html"]))
    source_name = b.source or _("no event source")
    if b.coverage and b.coverage.get("basis") == "country_month":
        source_name = b.coverage["cm"]["source"]
    fan_country = None
    if b.forecast and b.forecast["next"]:
        fan_country = max(b.forecast["next"], key=lambda f: (f["mean"] or 0))["country"]
    names = {**country_names(), **local_names(lang)}
    b = localised(b, names)
    month_name = _month_name(b.period, lang)
    trend = [m for m in b.monthly if m["deaths"] is not None]
    return env.get_template("briefing.html").render(
        b=b, lang=lang, _=_, names=names, month_name=month_name, source_name=source_name,
        bottom_line=bottom_line(b, lang, source_name), coverage_text=coverage_text(b, lang),
        event_coverage_text=event_coverage_text(b, lang), basis=(b.coverage or {}).get("basis", "events"),
        trend_source=(b.coverage["cm"]["source"] if (b.coverage or {}).get("trend_basis") == "country_month"
                      else b.source or source_name), trend_gaps=(b.coverage or {}).get("gaps", False), has_trend=bool(trend),
        css=Markup((HERE / "templates" / "briefing.css").read_text()),
        fmt=lambda v, d=0: number(v, d, lang), pct=lambda p: "" if p is None else f"{100 * p:.0f}%",
        map_svg=Markup(map_svg(b, _("Deaths"), lang)),
        trend_svg=Markup(trend_svg(b, _("Deaths"), _("Month"), lang)) if trend else None,
        fan_svg=Markup(fan_svg(b, fan_country, _("Deaths"), _("Month"), lang)) if fan_country else None,
        fan_name=names.get(fan_country, fan_country))


def pdf(page: str, out: Path) -> Path:
    """Render the HTML to an A4 PDF at ``out`` in a worker process (``python -m signalfire.reports.pdf_worker``),
    whose memory goes when it ends."""
    import subprocess
    import sys
    import tempfile
    out = Path(out)
    with tempfile.TemporaryDirectory(prefix="signalfire-brief-") as tmp:
        source = Path(tmp) / "briefing.html"
        source.write_text(page, encoding="utf-8")
        try:
            done = subprocess.run([sys.executable, "-m", "signalfire.reports.pdf_worker", str(source), str(out)],
                                  check=False, capture_output=True, text=True, timeout=RENDER_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            raise BriefingError(f"rendering the PDF took over {RENDER_TIMEOUT_S} s and was stopped") from None
    if done.returncode != 0 or not out.exists():
        reason = (done.stderr.strip().splitlines() or ["no message"])[-1][:300]
        raise BriefingError(f"rendering the PDF failed: {reason}")
    return out


def make(con, iso3: str, period: str, lang: str = "en") -> str:
    """The HTML of a briefing straight from the store."""
    return html(build(con, iso3, period), lang)
