"""The briefing's map and charts, drawn offline: Vega-Lite specifications rendered to SVG by ``vl-convert``
(no browser, nothing fetched).  Colours keep 3:1 contrast on white; every chart has a table beside it."""

from __future__ import annotations

import json

from signalfire.reports.briefing import Briefing

WIDTH = 640
# numbers on the axes and legends as the briefing's text writes them (briefing_render.number): "6 548" and "1,5"
# in Polish, with the same narrow no-break space
LOCALES = {"en": {"decimal": ".", "thousands": ",", "grouping": [3], "currency": ["$", ""]},
           "pl": {"decimal": ",", "thousands": "\u202f", "grouping": [3], "currency": ["", " zł"]}}
PALETTE = ["#b42318", "#1d4ed8", "#047857", "#7c3aed", "#b45309", "#0e7490", "#be185d", "#4d7c0f"]


def _svg(spec: dict, label: str, lang: str = "en") -> str:
    """The SVG of a Vega-Lite spec, as one image named by ``label`` (the marks carry no ARIA roles of their own, so a
    screen reader meets one labelled image, with the table beside it for the numbers)."""
    import html

    import vl_convert as vlc
    quiet = {"aria": False}
    spec = {"$schema": "https://vega.github.io/schema/vega-lite/v5.json", "background": "white",
            "config": {"font": "DejaVu Sans", "view": {"stroke": None}, "axis": {"labelFontSize": 10, **quiet},
                       "mark": quiet, "legend": quiet, "title": quiet}, **spec}
    svg = vlc.vegalite_to_svg(json.loads(json.dumps(spec, default=float)), format_locale=LOCALES.get(lang, LOCALES["en"]))
    return svg.replace("<svg ", f'<svg role="img" aria-label="{html.escape(label, quote=True)}" ', 1)


def trend_svg(b: Briefing, deaths_label: str, month_label: str, lang: str = "en") -> str:
    """Deaths per month, one line per country with any death in the 24 months (the home country always); the
    months the briefing's data do not cover are left out."""
    shown = {r["country"] for r in b.monthly if (r["deaths"] or 0) > 0} | {b.iso3}
    # a month the data do not cover is left out (no point), never drawn as 0
    values = [r for r in b.monthly if r["country"] in shown and r["deaths"] is not None]
    values = values or [r for r in b.monthly if r["deaths"] is not None]      # the home country not covered
    names = sorted({r["name"] for r in values})
    return _svg({
        "width": WIDTH, "height": 220, "data": {"values": values},
        "mark": {"type": "line", "point": {"size": 18}, "strokeWidth": 2},
        "encoding": {
            "x": {"field": "month", "type": "ordinal", "title": month_label, "axis": {"labelAngle": -45}},
            "y": {"field": "deaths", "type": "quantitative", "title": deaths_label, "axis": {"tickMinStep": 1}},
            "color": {"field": "name", "type": "nominal", "title": None, "scale": {"range": PALETTE},
                      "legend": {"orient": "top", "columns": 4}}}}, f"{deaths_label} / {month_label}: {', '.join(names)}", lang)


def map_svg(b: Briefing, deaths_label: str, lang: str = "en") -> str:
    """The country and its neighbours, the month's events as circles sized by deaths; the view is the country and
    the events with a margin (a neighbour as large as Russia is cut at its edge)."""
    import shapely
    from shapely.geometry import box, mapping

    from signalfire.geo.borders import country_shapes
    shapes = country_shapes()
    home = shapes.get(b.iso3)
    x0, y0, x1, y1 = home.bounds if home is not None else (-180, -60, 180, 80)
    for e in b.events:
        x0, y0, x1, y1 = min(x0, e["lon"]), min(y0, e["lat"]), max(x1, e["lon"]), max(y1, e["lat"])
    pad = max(x1 - x0, y1 - y0, 6.0) * 0.25
    view = box(x0 - pad, max(y0 - pad, -85), x1 + pad, min(y1 + pad, 85))
    features = []
    for r in b.countries:
        shape = shapes.get(r["iso3"])
        if shape is None:
            continue
        simple = shapely.simplify(shape.intersection(view), 0.03, preserve_topology=True)
        if simple.is_empty:
            continue
        features.append({"type": "Feature", "properties": {"name": r["name"], "home": r["home"]},
                         "geometry": mapping(simple)})
    layers = [{"data": {"values": {"type": "FeatureCollection", "features": features},
                        "format": {"type": "json", "property": "features"}},
               "mark": {"type": "geoshape", "stroke": "#475467", "strokeWidth": 0.6},
               "encoding": {"fill": {"condition": {"test": "datum.properties.home", "value": "#fde68a"},
                                     "value": "#f2f4f7"}}}]
    if b.events:
        layers.append({"data": {"values": b.events},
                       "mark": {"type": "circle", "color": "#b42318", "opacity": 0.55, "stroke": "#7a271a"},
                       "encoding": {"longitude": {"field": "lon", "type": "quantitative"},
                                    "latitude": {"field": "lat", "type": "quantitative"},
                                    "size": {"field": "deaths", "type": "quantitative", "title": deaths_label,
                                             "scale": {"range": [12, 600]}, "legend": {"orient": "right"}}}})
    return _svg({"width": WIDTH, "height": 360, "projection": {"type": "mercator"}, "layer": layers},
                f"{deaths_label}, {b.period}: {', '.join(f['properties']['name'] for f in features)}", lang)


def fan_svg(b: Briefing, iso3: str, deaths_label: str, month_label: str, lang: str = "en") -> str | None:
    """The forecast for one country: median and 90% interval per month."""
    if not b.forecast:
        return None
    values = [s for s in b.forecast["series"] if s["country"] == iso3][:12]
    if not values:
        return None
    base = {"data": {"values": values}, "encoding": {"x": {"field": "month", "type": "ordinal", "title": month_label,
                                                            "axis": {"labelAngle": -45}}}}
    return _svg({"width": WIDTH, "height": 200, **base, "layer": [
        {"mark": {"type": "area", "color": "#93c5fd", "opacity": 0.6},
         "encoding": {"y": {"field": "q05", "type": "quantitative", "title": deaths_label},
                      "y2": {"field": "q95"}}},
        {"mark": {"type": "line", "color": "#1d4ed8", "point": True},
         "encoding": {"y": {"field": "q50", "type": "quantitative"}}}]},
        f"{deaths_label}, {iso3}: 50% / 90%, {values[0]['month']}–{values[-1]['month']}", lang)
