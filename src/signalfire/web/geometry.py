"""World country shapes for the browser maps: Natural Earth 1:50m from :mod:`signalfire.geo.borders`,
simplified and rounded to a small GeoJSON (gzip-served), cached for the life of the process."""

from __future__ import annotations

import json
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
