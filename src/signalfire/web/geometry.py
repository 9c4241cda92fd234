"""World country shapes for the browser maps: Natural Earth 1:50m from :mod:`signalfire.geo.borders`,
simplified and rounded to a small GeoJSON (gzip-served), cached for the life of the process; and the world map
drawn from them as SVG (:func:`map_picture`), which the overview shows until MapLibre has drawn its map."""

from __future__ import annotations

import json
import math
from functools import lru_cache

import shapely
from shapely.geometry import mapping

from signalfire.geo.borders import country_names, country_shapes

SKIP = {"ATA"}   # Antarctica: no events, and its ring around the pole does not draw in Web Mercator


def _rounded(coords, digits: int):
    if isinstance(coords[0], (int, float)):
        return [round(coords[0], digits), round(coords[1], digits)]
    return [_rounded(c, digits) for c in coords]


@lru_cache(maxsize=4)
def countries_geojson(tolerance: float = 0.02, digits: int = 3) -> bytes:
    names = country_names()
    features = []
    for iso3, shape in sorted(country_shapes().items()):
        if iso3 in SKIP:
            continue
        simple = shapely.simplify(shape, tolerance, preserve_topology=True)
        if simple.is_empty:
            continue
        geom = mapping(simple)
        features.append({"type": "Feature", "id": iso3,
                         "properties": {"iso3": iso3, "name": names.get(iso3, iso3)},
                         "geometry": {"type": geom["type"], "coordinates": _rounded(geom["coordinates"], digits)}})
    return json.dumps({"type": "FeatureCollection", "features": features}, separators=(",", ":")).encode()


DETAIL = {"low": (0.15, 2), "high": (0.02, 3)}   # simplification tolerance (degrees) and decimals


@lru_cache(maxsize=4)
def countries_geojson_gzip(detail: str = "low") -> bytes:
    """The shapes gzip-compressed once (served as is to clients that accept gzip)."""
    import gzip
    return gzip.compress(countries_geojson(*DETAIL[detail]), compresslevel=6, mtime=0)


def bounds(iso3: str) -> list[float] | None:
    shape = country_shapes().get(iso3)
    if shape is None:
        return None
    main = max(shape.geoms, key=lambda p: p.area)
    return [round(v, 3) for v in main.bounds]


@lru_cache(maxsize=1)
def label_points() -> dict[str, list[float]]:
    """ISO3 -> [lon, lat] of a point inside the country's largest polygon (where a map's tooltip for the country
    opens when its row in a table gets keyboard focus)."""
    out = {}
    for iso3, shape in country_shapes().items():
        main = max(getattr(shape, "geoms", [shape]), key=lambda p: p.area)
        point = main.representative_point()
        out[iso3] = [round(point.x, 3), round(point.y, 3)]
    return out


def union_bounds(codes) -> list[float] | None:
    """The bounds of the largest polygons of several countries together (W, S, E, N)."""
    boxes = [b for b in (bounds(c) for c in codes) if b]
    if not boxes:
        return None
    return [min(b[0] for b in boxes), min(b[1] for b in boxes), max(b[2] for b in boxes), max(b[3] for b in boxes)]


# -- the world map drawn on the server (SVG) ---------------------------------------------------------------------
# The overview's map as a picture (an <img> of /map/overview.svg or /map/events.svg in the map's box), seen about
# 0.5 s after the page's first paint: MapLibre draws under it and the picture is removed once the interactive map
# is drawn (software WebGL takes ~2-3 s on 2 cores).  Without JavaScript the picture is the map.  The palette and
# the class breaks are static/js/mapstyle.mjs's and maps.mjs's (tests/test_web_map_picture.py reads those files
# and checks they agree).
OCEAN = "#dce7f1"
BORDER = "#b9c2cc"
NODATA = "#a3abb5"
ZERO = "#fbf7ef"
RAMP = ("#fee8c8", "#fdd49e", "#fdbb84", "#fc8d59", "#ef6548", "#d7301f", "#990000")
FILL_OPACITY = 0.95      # the map's 'fill' layer
MIN_ZOOM = 0.5           # maps.mjs's newMap: its least zoom, and its view before a fit
DEFAULT_CENTRE, DEFAULT_ZOOM = (15, 25), 1.2
TILE = 512               # MapLibre's world width in px at zoom 0
MAX_LAT = 85.051129


def class_breaks(values) -> list[int]:
    """maps.mjs ``breaks``: class breaks at the powers of the data's maximum (at least 1), above 1, each once."""
    top = max([1, *values])
    out: list[int] = []
    for i in range(1, len(RAMP)):
        b = math.floor(top ** (i / len(RAMP)) + 0.5)      # Math.round
        if b not in out:
            out.append(b)
    return [b for b in out if b > 1]


def step_colour(value, stops: list[int]) -> str:
    """maps.mjs ``stepColour``: no value grey, below 1 the pale 'zero', then the ramp from each break on."""
    if value is None or value < 0:
        return NODATA
    if value < 1:
        return ZERO
    colour = RAMP[0]
    for i, b in enumerate(stops):
        if value >= b:
            colour = RAMP[min(i + 1, len(RAMP) - 1)]
    return colour


def mercator(lon: float, lat: float) -> tuple[float, float]:
    """MapLibre's world coordinates (px at zoom 0) of a point."""
    lat = max(-MAX_LAT, min(MAX_LAT, lat))
    y = 180 - math.degrees(math.log(math.tan(math.pi / 4 + math.radians(lat) / 2)))
    return (180 + lon) / 360 * TILE, y / 360 * TILE


def _ring_path(ring) -> str:
    """One ring as path data: the first point absolute, the rest relative, at 0.1 px of zoom 0 (0.2 px on screen
    at the overview's zoom)."""
    points = [mercator(x, y) for x, y in ring]
    ints = [(round(x * 10), round(y * 10)) for x, y in points]
    out, (px, py) = [f"M{ints[0][0] / 10:g} {ints[0][1] / 10:g}"], ints[0]
    for x, y in ints[1:]:
        if (x, y) != (px, py):
            out.append(f"l{(x - px) / 10:g} {(y - py) / 10:g}")
            px, py = x, y
    return "".join(out) + "z"


@lru_cache(maxsize=1)
def country_paths() -> dict[str, str]:
    """ISO3 -> SVG path data of the world maps' shapes (``DETAIL['low']``), projected."""
    out = {}
    for feature in json.loads(countries_geojson(*DETAIL["low"]))["features"]:
        geom = feature["geometry"]
        polygons = geom["coordinates"] if geom["type"] == "MultiPolygon" else [geom["coordinates"]]
        out[feature["id"]] = "".join(_ring_path(ring) for polygon in polygons for ring in polygon)
    return out


def fit_bounds(points) -> list[float] | None:
    """maps.mjs's fitted view of a series' countries: their label points widened by 8 degrees, latitudes within
    -58 and 78 (W, S, E, N); None without points (the map's default view)."""
    pts = list(points)
    if not pts:
        return None
    lons, lats = [p[0] for p in pts], [p[1] for p in pts]
    return [min(lons) - 8, max(-58, min(lats) - 8), max(lons) + 8, min(78, max(lats) + 8)]


def map_picture(colours: dict[str, str], missing: str = NODATA) -> bytes:
    """The world map as an SVG document, the whole Web Mercator world (512 x 512 at zoom 0): every country filled
    with its colour (``missing`` without one).  Only numbers and our own palette go into it."""
    paths = "".join(f'<path fill="{colours.get(iso3, missing)}" d="{d}"/>' for iso3, d in country_paths().items())
    return (f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {TILE} {TILE}" width="{TILE}" height="{TILE}">'
            f'<style>path{{vector-effect:non-scaling-stroke}}</style><g fill-opacity="{FILL_OPACITY}" '
            f'stroke="{BORDER}" stroke-width="0.5">{paths}</g></svg>').encode()


def map_placement(view: list[float] | None) -> str:
    """Where the picture's world goes in the map's box, as MapLibre places its world (``static/css/app.css``,
    ``.map-picture``, does the arithmetic on the box's size): fitted to ``view`` (W, S, E, N) with fitBounds'
    padding, or at the map's default centre and zoom without one; no further out than its minimum zoom, and never
    showing past the world's edges (``renderWorldCopies: false``).  CSS custom properties, numbers only."""
    if view:
        west, south, east, north = view
        x0, y0 = mercator(west, north)
        x1, y1 = mercator(east, south)
        fit = f"--fw:{TILE / max(x1 - x0, 1e-6):.5f};--fh:{TILE / max(y1 - y0, 1e-6):.5f};"
        cx, cy, least = (x0 + x1) / 2, (y0 + y1) / 2, TILE * 2 ** MIN_ZOOM
    else:
        fit = "--fw:0;--fh:0;"
        (cx, cy), least = mercator(*DEFAULT_CENTRE), TILE * 2 ** DEFAULT_ZOOM
    return f"{fit}--least:{least:.1f}px;--cx:{cx / TILE:.5f};--cy:{cy / TILE:.5f}"
