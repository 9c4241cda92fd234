"""Country neighbours from the shipped Natural Earth polygons."""

import shapely

from signalfire.geo.borders import country_names, country_shapes, land_borders, neighbourhood


def test_poland_land_neighbours_include_kaliningrad():
    assert land_borders()["POL"] == {"DEU", "CZE", "SVK", "UKR", "BLR", "LTU", "RUS"}


def test_borders_are_symmetric_and_exclude_self():
    borders = land_borders()
    for iso3, neighbours in borders.items():
        assert iso3 not in neighbours
        for other in neighbours:
            assert iso3 in borders[other], (iso3, other)


def test_known_borders_and_islands():
    borders = land_borders()
    assert borders["ESP"] == {"AND", "FRA", "PRT"}
    assert borders["USA"] == {"CAN", "MEX"}
    assert {"ETH", "DJI", "KEN"} <= borders["SOM"]   # Somaliland is attributed to Somalia
    assert borders["ISL"] == set() and borders["JPN"] == set()
    assert "XKX" in borders["SRB"]


def test_shared_border_polygons_touch():
    shapes = country_shapes()
    for a, b in (("POL", "DEU"), ("POL", "RUS"), ("UKR", "MDA")):
        assert shapely.distance(shapes[a], shapes[b]) < 1e-6


def test_neighbourhood_adds_the_distance_band():
    ring = neighbourhood("POL", distance_km=200)
    assert set(land_borders()["POL"]) <= set(ring)
    # across a narrow strip of land or sea: Hungary (via Slovakia), Sweden and Denmark (Baltic), Latvia
    assert {"HUN", "SWE", "DNK", "LVA"} <= set(ring)
    assert "POL" not in ring
    assert not {"FRA", "USA", "ESP", "ITA"} & set(ring)
    assert neighbourhood("POL", distance_km=0) == sorted(land_borders()["POL"])
    assert set(neighbourhood("GBR", distance_km=100)) >= {"IRL", "FRA"}


def test_shapes_do_not_span_the_antimeridian():
    # a part stretching across the whole map is a ring that crossed +/-180 degrees without being cut
    for iso3 in ("RUS", "FJI", "USA", "NZL", "KIR"):
        for part in country_shapes()[iso3].geoms:
            minx, _, maxx, _ = part.bounds
            assert -180 <= minx and maxx <= 180 and maxx - minx < 180, iso3
    assert country_names()["POL"] == "Poland"


def test_distance_band_counts_far_flung_parts():
    # Chukotka and Alaska face each other across the Bering Strait (~4 km between the Diomedes)
    assert "USA" in neighbourhood("RUS", distance_km=100)
    assert "RUS" in neighbourhood("USA", distance_km=100)
    # French Guiana makes Brazil and Suriname land neighbours of France
    assert {"BRA", "SUR"} <= land_borders()["FRA"]
