"""The dashboard in real headless Chromium (Debian's /usr/bin/chromium, driven by Playwright).

Every test fails if the page requests anything from a host other than 127.0.0.1.  Screenshots go to
artifacts/screenshots/.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from browser_support import SHOTS, Recording, browser_fixture, browser_marks, require_browser
from conftest import demo_copy
from test_web_support import XSS, Server, hostile_ged_file

pytestmark = browser_marks("web")

@pytest.fixture(scope="module")
def server(tmp_path_factory, demo_template):
    require_browser()
    srv = Server(demo_copy(demo_template, tmp_path_factory.mktemp("browser"), "browser.duckdb"))
    yield srv
    srv.stop()


browser = browser_fixture()


class Watch:
    """The module's tab (browser_support.Tabs: cookies and storage cleared) recording requests to other hosts and
    page errors."""

    def __init__(self, browser, base: str):
        self.base = base
        self.context, self.page = browser.tab(1400, 1000)
        self.seen = Recording(self.context, self.page)
        self.foreign, self.errors = self.seen.foreign, self.seen.errors

    def close(self):
        self.seen.stop()
        assert not self.foreign, f"requests to other hosts: {self.foreign}"
        assert not self.errors, f"page errors: {self.errors}"


@pytest.fixture
def watch(browser, server):
    w = Watch(browser, server.base)
    yield w
    w.close()


READ_PIXELS = """() => {
  // read the WebGL map canvas (preserveDrawingBuffer) through a small 2D canvas: 200x120 RGB samples
  const src = document.querySelector('#map canvas');
  const c = document.createElement('canvas');
  c.width = 200; c.height = 120;
  const ctx = c.getContext('2d');
  ctx.drawImage(src, 0, 0, 200, 120);
  const d = ctx.getImageData(0, 0, 200, 120).data;
  const out = [];
  for (let i = 0; i < d.length; i += 4) out.push((d[i] << 16) | (d[i + 1] << 8) | d[i + 2]);
  return out;
}"""


def map_pixels(page) -> list[int]:
    return page.evaluate(READ_PIXELS)


def colour_count(pixels: list[int]) -> int:
    return len(set(pixels))


def wait_map(page):
    page.wait_for_selector("#map[data-painted=true]", timeout=20000)
    page.wait_for_timeout(400)


def shot(page, name: str):
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def test_overview_map_paints_and_filters_change_map_and_table(watch):
    page = watch.page
    page.goto(watch.base + "/?layer=events")          # the events layer (the default is the country-month one)
    wait_map(page)
    before = map_pixels(page)
    assert colour_count(before) > 20                 # a choropleth, not a blank canvas
    ocean = before[-2]                                # bottom-right corner: sea
    assert sum(1 for px in before if px != ocean) > 5000   # most of the map is land, drawn
    shot(page, "overview")
    table_before = page.locator("#top-table tbody").inner_text()
    page.select_option("#f-category", "violence_against_civilians")
    page.click("#filters-apply")                      # filters apply on submit, never on change
    page.wait_for_url("**category=violence_against_civilians**")
    wait_map(page)
    after = map_pixels(page)
    diff = sum(1 for a, b in zip(before, after) if a != b)
    assert diff > 50, "the map did not change with the filter"
    assert page.locator("#top-table tbody").inner_text() != table_before
    assert page.locator("#f-category").input_value() == "violence_against_civilians"
    shot(page, "overview_filtered")


def _map_image(page):
    import io

    import numpy as np
    from PIL import Image
    return np.asarray(Image.open(io.BytesIO(page.locator("#map").screenshot())).convert("RGB")).astype(int)


def test_overview_map_picture_stands_where_the_map_is_drawn(browser, watch):
    """The server's picture of the overview map (geometry.map_picture; the country-month layer and the events
    layer) is in the page, painted with it with or without JavaScript, lies where MapLibre then draws the map
    (desktop and phone width: the same pixels but for the lines' antialiasing), and is gone once the map is drawn."""
    import numpy as np
    ocean = np.array([0xDC, 0xE7, 0xF1])
    for path, width, height in (("/", 1400, 1000), ("/", 390, 844), ("/?layer=events", 1400, 1000)):
        _, still = browser.tab(width, height, java_script_enabled=False)
        still.goto(watch.base + path)
        assert still.evaluate("() => document.querySelector('#map img.map-picture').naturalWidth") == 512
        picture = _map_image(still)
        off_ocean = np.abs(picture - ocean).sum(axis=2)
        assert (off_ocean < 15).mean() > 0.25 and (off_ocean > 40).mean() > 0.2    # sea and countries drawn
        watch.page.set_viewport_size({"width": width, "height": height})
        watch.page.goto(watch.base + path)
        wait_map(watch.page)
        assert watch.page.locator("#map .map-picture").count() == 0
        drawn = _map_image(watch.page)
        assert drawn.shape == picture.shape
        # each pixel of the picture against the map's pixels within 2 px (the two draw lines at sub-pixel offsets)
        h, w, _ = picture.shape
        nearest = np.full((h - 4, w - 4), 10 ** 6)
        for dx in range(-2, 3):
            for dy in range(-2, 3):
                nearest = np.minimum(nearest, np.abs(picture[2:-2, 2:-2] - drawn[2 + dy:h - 2 + dy,
                                                                                  2 + dx:w - 2 + dx]).sum(axis=2))
        far = nearest > 60
        far[:90, -60:] = False                               # MapLibre's zoom buttons (top right)
        assert far.mean() < 0.03, (path, width, far.mean())  # measured: 0.1-0.3% at 1400 px, 1.4% at 390 px
        shot(watch.page, f"overview_map_{width}{'_events' if 'events' in path else ''}")


def test_country_page_map_charts_and_tables(watch):
    page = watch.page
    page.goto(watch.base + "/country/UKR?since=2022-01-01")
    wait_map(page)
    assert colour_count(map_pixels(page)) > 20
    page.wait_for_selector("#chart-category[data-rendered=true] svg", timeout=20000)
    page.wait_for_selector("#chart-source[data-rendered=true] svg", timeout=20000)
    assert page.locator("#chart-category svg .mark-rect path").count() > 5     # bars drawn
    rows = page.locator("#events-table tbody tr")
    assert rows.count() == 25
    assert "Ukraine" in rows.first.inner_text()
    shot(page, "country")
    page.select_option("#f-country", "SYR")
    page.click("form[data-jump] button[type=submit]")
    page.wait_for_url("**/country/SYR**")
    wait_map(page)
    assert "Syria" in page.locator("h1").inner_text()


def test_neighbourhood_watch(watch):
    page = watch.page
    page.goto(watch.base + "/neighbourhood")
    wait_map(page)
    assert colour_count(map_pixels(page)) > 10
    page.wait_for_selector("#chart-ring[data-rendered=true] svg", timeout=20000)
    ring = page.locator("#ring-table").inner_text()
    for name in ("Germany", "Czechia", "Slovakia", "Ukraine", "Belarus", "Lithuania", "Russia"):
        assert name in ring
    shot(page, "neighbourhood")
    page.select_option("#f-home", "DEU")
    page.click("#filters-apply")
    page.wait_for_url("**home=DEU**")
    wait_map(page)
    assert "Germany" in page.locator("h1").inner_text()
    assert "France" in page.locator("#ring-table").inner_text()


def test_data_privacy_and_docs_pages(watch):
    page = watch.page
    page.goto(watch.base + "/data")
    assert "ged_v23_1_sample1000.csv.gz" in page.locator("#runs-table").inner_text()
    shot(page, "data")
    page.goto(watch.base + "/api/docs")
    page.wait_for_selector("#swagger-ui .opblock", timeout=20000)
    assert "/api/v1/events" in page.locator("#swagger-ui").inner_text()
    shot(page, "api_docs")


def test_consent_flow(watch):
    page, context = watch.page, watch.context
    page.goto(watch.base + "/")
    assert page.locator("#consent-banner").is_visible()
    assert context.cookies() == []                           # nothing stored before a choice
    assert page.evaluate("window.localStorage.length + window.sessionStorage.length") == 0
    shot(page, "consent_banner")
    page.click("#consent-accept")
    page.wait_for_load_state()
    assert page.locator("#consent-banner").count() == 0
    assert {c["name"] for c in context.cookies()} == {"sf_consent"}
    # change it later from the footer
    page.click("#cookie-settings")
    page.wait_for_url("**/privacy**")
    assert "accept" in page.locator("#consent-status").inner_text()
    page.uncheck("#purpose-preferences")
    page.click("#consent-save")
    page.wait_for_url("**/privacy**")
    status = page.locator("#consent-status").inner_text()
    assert "choose" in status and "preferences" not in status.split("allowed:")[1]
    shot(page, "privacy")


def test_hostile_event_text_is_inert_in_the_browser(watch, server, tmp_path):
    path = hostile_ged_file(tmp_path / "ged_hostile_v23_1.csv", date="2023-03-03")
    exe = Path(sys.executable).with_name("signalfire")
    done = subprocess.run([str(exe), "ingest", "ucdp-ged", str(path), "--store", str(server.store)],
                          check=False, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    page = watch.page
    page.goto(watch.base + "/")
    wait_map(page)
    assert page.evaluate("window.__xss === undefined")
    first = page.locator("#latest-table tbody tr").first.locator("td.desc").inner_text()
    assert XSS in first                               # shown as text
    assert page.locator("#latest-table img").count() == 0
    shot(page, "hostile_text")
