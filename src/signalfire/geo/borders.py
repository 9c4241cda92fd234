"""Country polygons and neighbours from Natural Earth.

The package ships Natural Earth's 1:50m admin-0 countries as TopoJSON (``data/countries-50m.topo.json``, from
npm ``world-atlas`` 2.0.2; Natural Earth is public domain, the TopoJSON build is ISC-licensed by Mike Bostock).
Features are keyed by ISO 3166 numeric codes, mapped here to ISO3 through the shipped reference table.  A few
Natural Earth units without an ISO code are attributed as the event sources code them: Somaliland to Somalia,
Northern Cyprus to Cyprus, the Indian Ocean Territories to Australia, Kosovo to XKX; Siachen Glacier (disputed)
to none.

* :func:`country_shapes` decodes the TopoJSON (a small decoder: quantised, delta-encoded arcs) into shapely
  geometries, one per ISO3.
* :func:`land_borders` finds neighbours from the topology itself: in TopoJSON two polygons that share a boundary
  share the *same arc*, so countries sharing an arc share a land border (coastlines belong to one country only).
* :func:`neighbourhood` adds a distance band: countries whose territory lies within ``distance_km`` of the home
  country's territory (measured per part of the home country in a local equirectangular projection centred on
  that part, on shapes simplified to ~1 km: accurate to a few per cent within a few hundred kilometres of
  parts of ordinary size; for the largest parts, e.g. mainland Russia, distances far from the part's centre
  are distorted more).
"""

from __future__ import annotations

import json
import math
from functools import lru_cache
from importlib import resources

import numpy as np
import shapely
import shapely.affinity
from shapely.geometry import MultiPolygon, Polygon

TOPOJSON = "data/countries-50m.topo.json"

# Natural Earth units without an ISO 3166 numeric code, by their name in the TopoJSON.
UNCODED = {"Somaliland": "SOM", "N. Cyprus": "CYP", "Indian Ocean Ter.": "AUS", "Kosovo": "XKX",
           "Siachen Glacier": None}

DEFAULT_DISTANCE_KM = 200.0
KM_PER_DEG_LAT = 110.574
KM_PER_DEG_LON_EQUATOR = 111.320


@lru_cache(maxsize=1)
def _topology() -> dict:
    with resources.files("signalfire.geo").joinpath(TOPOJSON).open("rb") as fh:
        return json.load(fh)


@lru_cache(maxsize=1)
def _isonum_to_iso3() -> dict[int, str]:
    from signalfire.geo.countries import reference
    table = reference()
    current = table[table["valid_to"] >= table["valid_to"].max()].dropna(subset=["isonum"])
    return {int(num): iso3 for num, iso3 in zip(current["isonum"], current["iso3"])}


def _feature_iso3(geometry: dict) -> str | None:
    if "id" in geometry:
        return _isonum_to_iso3().get(int(geometry["id"]))
    return UNCODED.get(geometry.get("properties", {}).get("name"))


@lru_cache(maxsize=1)
def _arcs() -> list[np.ndarray]:
    """Every arc as an (n, 2) array of longitude/latitude (undoing quantisation and delta encoding)."""
    topo = _topology()
    transform = topo.get("transform")
    arcs = []
    for arc in topo["arcs"]:
        points = np.asarray(arc, dtype=float)
        if transform:
            points = np.cumsum(points, axis=0) * transform["scale"] + transform["translate"]
        arcs.append(points)
    return arcs


def _ring(indices: list[int]) -> np.ndarray:
    arcs = _arcs()
    parts = []
    for k, index in enumerate(indices):
        points = arcs[index] if index >= 0 else arcs[~index][::-1]
        parts.append(points if k == 0 else points[1:])
    ring = np.concatenate(parts)
    # a few rings cross the antimeridian (a jump of ~360 degrees between two vertices): make them continuous;
    # _split_antimeridian then cuts the polygon at +/-180 degrees
    jumps = np.diff(ring[:, 0])
    if np.abs(jumps).max(initial=0) > 180 and ring[:, 1].min() > -89.9:   # not Antarctica's edge along the pole
        ring = ring.copy()
        ring[1:, 0] += np.cumsum(np.where(jumps > 180, -360.0, np.where(jumps < -180, 360.0, 0.0)))
    return ring


def _split_antimeridian(polygon: Polygon) -> list[Polygon]:
    minx, _, maxx, _ = polygon.bounds
    if minx >= -180 and maxx <= 180:
        return [polygon]
    pieces = []
    for shift in (-360.0, 0.0, 360.0):
        window = shapely.box(-180 - shift, -90, 180 - shift, 90)
        piece = shapely.intersection(polygon, window)
        if not piece.is_empty:
            piece = shapely.affinity.translate(piece, xoff=shift)
            pieces.extend(p for p in getattr(piece, "geoms", [piece]) if isinstance(p, Polygon))
    return pieces


def _polygons(geometry: dict) -> list[list[list[int]]]:
    if geometry["type"] == "Polygon":
        return [geometry["arcs"]]
    if geometry["type"] == "MultiPolygon":
        return geometry["arcs"]
    return []


def _arc_ids(geometry: dict) -> set[int]:
    return {i if i >= 0 else ~i for poly in _polygons(geometry) for ring in poly for i in ring}


@lru_cache(maxsize=1)
def country_names() -> dict[str, str]:
    """ISO3 -> the Natural Earth short name (first unit of that country)."""
    names: dict[str, str] = {}
    for geometry in _topology()["objects"]["countries"]["geometries"]:
        iso3 = _feature_iso3(geometry)
        if iso3 and iso3 not in names:
            names[iso3] = geometry.get("properties", {}).get("name", iso3)
    return names


@lru_cache(maxsize=1)
def country_shapes() -> dict[str, MultiPolygon]:
    """ISO3 -> the country's territory as one shapely MultiPolygon (lon/lat, WGS 84)."""
    parts: dict[str, list[Polygon]] = {}
    for geometry in _topology()["objects"]["countries"]["geometries"]:
        iso3 = _feature_iso3(geometry)
        if not iso3:
            continue
        for poly in _polygons(geometry):
            rings = [_ring(r) for r in poly]
            polygon = Polygon(rings[0], rings[1:])
            if not polygon.is_valid:
                polygon = shapely.make_valid(polygon)
            for part in getattr(polygon, "geoms", [polygon]):
                if isinstance(part, Polygon):
                    parts.setdefault(iso3, []).extend(_split_antimeridian(part))
    return {iso3: MultiPolygon([p for p in polys if isinstance(p, Polygon) and not p.is_empty])
            for iso3, polys in parts.items()}


@lru_cache(maxsize=1)
def land_borders() -> dict[str, set[str]]:
    """ISO3 -> the ISO3 codes of the countries sharing a land border with it (from shared TopoJSON arcs)."""
    owners: dict[int, set[str]] = {}
    for geometry in _topology()["objects"]["countries"]["geometries"]:
        iso3 = _feature_iso3(geometry)
        if not iso3:
            continue
        for arc in _arc_ids(geometry):
            owners.setdefault(arc, set()).add(iso3)
    borders: dict[str, set[str]] = {iso3: set() for iso3 in country_shapes()}
    for countries in owners.values():
        for iso3 in countries:
            borders.setdefault(iso3, set()).update(countries - {iso3})
    return borders


def _local_projection(lon0: float, lat0: float):
    """A function projecting lon/lat arrays to km in an equirectangular plane centred on (lon0, lat0)."""
    kx = KM_PER_DEG_LON_EQUATOR * math.cos(math.radians(lat0))

    def project(coords: np.ndarray) -> np.ndarray:
        # shift the whole part by a multiple of 360 degrees (never single vertices, which would tear a part
        # that straddles the seam opposite the centre across the whole plane)
        dlon = coords[:, 0] - lon0
        dlon = dlon - 360.0 * np.round(np.median(dlon) / 360.0)
        return np.column_stack([dlon * kx, (coords[:, 1] - lat0) * KM_PER_DEG_LAT])
    return project


@lru_cache(maxsize=1)
def _parts_index():
    """Every part of every country, simplified to ~1 km (distances change by less than that), in an STRtree."""
    owners, parts = [], []
    for iso3, shape in country_shapes().items():
        for part in shape.geoms:
            simple = shapely.simplify(part, 0.01, preserve_topology=True)
            if isinstance(simple, Polygon) and not simple.is_empty:
                owners.append(iso3)
                parts.append(simple)
    return owners, parts, shapely.STRtree(parts)


@lru_cache(maxsize=256)
def _within(iso3: str, distance_km: float) -> tuple[str, ...]:
    """Countries with a part within ``distance_km`` of any part of ``iso3``: each home part is measured in a
    projection centred on itself, so a country's far-flung parts (Chukotka, overseas territories) count too."""
    owners, parts, tree = _parts_index()
    pad_lat = distance_km / KM_PER_DEG_LAT + 0.5
    found: set[str] = set()
    for home in (p for o, p in zip(owners, parts) if o == iso3):
        lon0, lat0 = home.centroid.x, home.centroid.y
        project = _local_projection(lon0, lat0)
        home_km = shapely.transform(home, project)
        minx, miny, maxx, maxy = home.bounds
        widest = max(abs(miny - pad_lat), abs(maxy + pad_lat))
        coslat = math.cos(math.radians(min(widest, 89.0)))
        pad_lon = min(180.0, distance_km / (KM_PER_DEG_LON_EQUATOR * max(coslat, 1e-3)) + 0.5)
        boxes = [shapely.box(minx - pad_lon + shift, miny - pad_lat, maxx + pad_lon + shift, maxy + pad_lat)
                 for shift in (-360.0, 0.0, 360.0)]
        for index in sorted({int(i) for box in boxes for i in tree.query(box)}):
            other = owners[index]
            if other == iso3 or other in found:
                continue
            if shapely.distance(home_km, shapely.transform(parts[index], project)) <= distance_km:
                found.add(other)
    return tuple(sorted(found))


def neighbourhood(iso3: str, distance_km: float = DEFAULT_DISTANCE_KM) -> list[str]:
    """The ring around a country: its land neighbours plus every country within ``distance_km`` of its
    main territory (sea neighbours, near-neighbours), sorted; the country itself is not included."""
    iso3 = iso3.upper()
    shapes = country_shapes()
    if iso3 not in shapes:
        raise KeyError(f"{iso3!r} has no polygon in the shipped Natural Earth countries")
    ring = set(land_borders().get(iso3, set()))
    if distance_km and distance_km > 0:
        ring.update(_within(iso3, float(distance_km)))
    ring.discard(iso3)
    return sorted(ring)
