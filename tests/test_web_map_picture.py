"""The overview map drawn on the server (``geometry.map_picture``): its palette and class breaks are the browser
map's (read from ``mapstyle.mjs`` and ``maps.mjs`` and run in Node), its colours are those of the month's data that
the page gives the browser map, and its markup holds only numbers and the palette.  Where it lies against
MapLibre's map: ``test_web_browser``."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from html import unescape
from pathlib import Path

import pytest
from conftest import demo_copy
from fastapi.testclient import TestClient

from signalfire.web import geometry
from signalfire.web.app import create_app

JS = Path(geometry.__file__).parent / "static" / "js"


@pytest.fixture(scope="module")
def client(tmp_path_factory, demo_template):
    with TestClient(create_app(demo_copy(demo_template, tmp_path_factory.mktemp("picture")))) as c:
        yield c
        c.app.state.ds.warmed.wait(120)        # the start-up warming done before the store closes


def _js_constant(name: str) -> str | list[str]:
    text = (JS / "mapstyle.mjs").read_text()
    value = re.search(rf"export const {name} = (.+?);", text).group(1)
    return re.findall(r"'(#[0-9a-f]{6})'", value) if value.startswith("[") else value.strip("'")


def test_the_palette_is_the_browser_maps():
    assert geometry.OCEAN == _js_constant("OCEAN")
    assert geometry.BORDER == _js_constant("BORDER")
    assert geometry.NODATA == _js_constant("NODATA")
    assert geometry.ZERO == _js_constant("ZERO")
    assert list(geometry.RAMP) == _js_constant("RAMP")
    maps = (JS / "maps.mjs").read_text()
    assert f"'fill-opacity': {geometry.FILL_OPACITY}" in maps
    assert f"minZoom: {geometry.MIN_ZOOM}" in maps
    x, y = geometry.DEFAULT_CENTRE
    assert f"center: [{x}, {y}], zoom: {geometry.DEFAULT_ZOOM}" in maps
    assert "padding: 10" in maps and "- 8" in maps and "-58" in maps and "78" in maps   # fit_bounds' numbers


SAMPLES = [[0], [1], [3, 0, 2], [7], [100, 5, 0], [999], [1000], [12345, 3], [2_479_615], [0.4, 80.5]]


@pytest.mark.skipif(shutil.which("node") is None, reason="Node.js is installed by the set-up (npm)")
def test_breaks_and_colours_equal_maps_mjs():
    """maps.mjs's own ``breaks`` and ``stepColour`` (cut from the file), with MapLibre's ``step`` evaluated as its
    specification says (the output of the last stop at or below the input), against the Python twins."""
    source = (JS / "maps.mjs").read_text()
    functions = [re.search(rf"^function {name}\(.*?^}}$", source, flags=re.DOTALL | re.MULTILINE).group(0)
                 for name in ("breaks", "stepColour")]
    probe = [0, 0.5, 1, 2, 3, 9, 10, 31, 99, 100, 101, 1000, 5000, 2_479_615]
    script = "\n".join([
        f"const RAMP = {json.dumps(list(geometry.RAMP))}, NODATA = '{geometry.NODATA}', ZERO = '{geometry.ZERO}';",
        *functions,
        ("function step(expr, v) { let out = expr[2]; for (let i = 3; i < expr.length; i += 2) if (v >= expr[i]) "
         "out = expr[i + 1]; return out; }"),
        f"const samples = {json.dumps(SAMPLES)}, probe = {json.dumps(probe)};",
        ("console.log(JSON.stringify(samples.map((s) => { const stops = breaks(s); const e = stepColour(stops); "
         "return [stops, probe.map((v) => step(e, v)), step(e, -1)]; })));")])
    out = json.loads(subprocess.run(["node", "--input-type=module", "-e", script], capture_output=True, text=True,
                                    check=True).stdout)
    for sample, (stops, colours, missing) in zip(SAMPLES, out):
        assert geometry.class_breaks(sample) == stops, sample
        assert [geometry.step_colour(v, stops) for v in probe] == colours, sample
        assert geometry.step_colour(None, stops) == missing == geometry.NODATA


def test_the_picture_is_numbers_and_the_palette_only():
    svg = geometry.map_picture({"POL": geometry.RAMP[3], "UKR": "#990000"}).decode()
    assert svg.startswith('<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 512 512"') and svg.endswith("</svg>")
    fills = re.findall(r'<path fill="([^"]+)" d="([^"]+)"/>', svg)
    assert len(fills) == len(geometry.country_paths()) > 200
    assert {f for f, _ in fills} == {geometry.RAMP[3], "#990000", geometry.NODATA}
    assert all(re.fullmatch(r"[Mlz0-9 .\-e]+", d) for _, d in fills)
    assert "<script" not in svg and "href" not in svg
    style = geometry.map_placement([10, 40, 40, 60])
    assert re.fullmatch(r"(--[a-z]+:-?[0-9.]+(px)?;?)+", style)
    # without a view: the map's default centre and zoom (the world at least as wide as the zoom makes it)
    default = geometry.map_placement(None)
    assert "--fw:0;--fh:0;" in default and f"--least:{512 * 2 ** geometry.DEFAULT_ZOOM:.1f}px" in default


def test_paths_are_the_shapes_projected():
    """A country's path starts at its first ring's first point, in MapLibre's world pixels at zoom 0."""
    shapes = json.loads(geometry.countries_geojson(*geometry.DETAIL["low"]))["features"]
    pol = next(f for f in shapes if f["id"] == "POL")
    coords = pol["geometry"]["coordinates"]
    first = (coords[0][0] if pol["geometry"]["type"] == "MultiPolygon" else coords[0])[0]
    x, y = geometry.mercator(*first)
    mx, my = map(float, re.match(r"M(\S+) (\S+?)[lz]", geometry.country_paths()["POL"]).groups())
    assert abs(mx - x) <= 0.05 and abs(my - y) <= 0.05
    assert geometry.mercator(-180, 0) == (0, 256) and geometry.mercator(180, 0)[0] == 512
    assert geometry.mercator(0, 89.9)[1] == geometry.mercator(0, 85.051129)[1]      # clamped as Web Mercator is


def test_the_overview_picture_colours_the_months_data(client):
    """The picture in the page colours each country as the browser map colours it from the same page's data: one
    scale for the slider's months, the month's value, grey where the series has no value."""
    html = client.get("/?layer=cm&m=2022-03").text
    img = re.search(r'<img class="map-picture" src="([^"]+)" alt="" width="512" height="512" style="([^"]+)">',
                    html)
    assert unescape(img.group(1)).startswith("/map/overview.svg?m=2022-03&v=")
    answer = client.get(unescape(img.group(1)), headers={"Accept-Encoding": "gzip"})
    assert answer.status_code == 200 and answer.headers["content-type"] == "image/svg+xml"
    assert answer.headers["content-encoding"] == "gzip"
    assert client.get("/map/overview.svg?m=2022-03", headers={"Accept-Encoding": "identity"}).content == \
        answer.content                                   # (the client decoded the gzip)
    svg = answer.text
    data = json.loads(unescape(re.search(r'<script type="application/json" id="map-data">(.*?)</script>',
                                         html, flags=re.DOTALL).group(1)))
    index = data["months"].index("2022-03")
    stops = geometry.class_breaks(v for values in data["values"].values() for v in values)
    fills = dict(zip(geometry.country_paths(), re.findall(r'<path fill="([^"]+)"', svg)))
    coloured = 0
    for iso3, fill in fills.items():
        values = data["values"].get(iso3)
        assert fill == (geometry.NODATA if values is None else geometry.step_colour(values[index], stops)), iso3
        coloured += values is not None and values[index] >= 1
    assert coloured >= 10 and fills["UKR"] not in (geometry.NODATA, geometry.ZERO)
    assert unescape(img.group(2)) == geometry.map_placement(geometry.fit_bounds(data["points"].values()))


def test_the_events_layer_picture_colours_the_summary_the_map_fetches(client):
    """The events layer's picture for the page's filters: the countries of ``/api/v1/countries/summary`` (what
    the browser map fetches) coloured by the page's measure, every other country the pale 'zero'."""
    html = client.get("/?layer=events&measure=events&since=2022-01-01&until=2022-12-31").text
    img = re.search(r'<img class="map-picture" src="(/map/events\.svg\?[^"]+)"', html).group(1)
    values = re.search(r'data-values="([^"]+)"', html).group(1)
    rows = client.get(unescape(values)).json()["data"]
    svg = client.get(unescape(img)).text
    assert "measure=events" in unescape(img) and "since=2022-01-01" in unescape(img)
    stops = geometry.class_breaks(r["events"] for r in rows)
    fills = dict(zip(geometry.country_paths(), re.findall(r'<path fill="([^"]+)"', svg)))
    by_iso3 = {r["iso3"]: r["events"] for r in rows}
    assert len(by_iso3) >= 10
    for iso3, fill in fills.items():
        expected = geometry.step_colour(by_iso3[iso3], stops) if iso3 in by_iso3 else geometry.ZERO
        assert fill == expected, iso3
