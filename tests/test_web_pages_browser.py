"""The analysts' pages in headless Chromium: the overview's month slider, legends, tooltips on hover and keyboard
focus, the sortable neighbourhood answer with per-country lines, provenance, comparison, admin1, actors; no
horizontal scroll at 390 px; axe-core; screenshots at 1440x900 and 390x844 in artifacts/screenshots/."""

from __future__ import annotations

import re

import pytest
from browser_support import AXE, SHOTS, Recording, browser_fixture, browser_marks, require_browser
from conftest import demo_copy
from test_web_support import Server

pytestmark = browser_marks("pages")

PAGES = {"overview": "/", "neighbourhood": "/neighbourhood?home=POL", "country_ukr": "/country/UKR",
         "country_sdn": "/country/SDN", "compare": "/compare?countries=POL,UKR,BLR,RUS",
         "admin1": "/country/UKR/admin1", "actors": "/actors?actor=Government%20of%20Ukraine", "data": "/data"}


@pytest.fixture(scope="module")
def server(tmp_path_factory, demo_template):
    require_browser()
    srv = Server(demo_copy(demo_template, tmp_path_factory.mktemp("analysis"), "analysis.duckdb"))   # the demo data
    yield srv
    srv.stop()


browser = browser_fixture()


@pytest.fixture
def page_at(browser, server):
    """page_at(width, height) → a page that fails the test on a request to another host or a page error."""
    recordings = []

    def make(width=1440, height=900, bypass_csp=False):
        context, page = browser.tab(width, height, bypass_csp=bypass_csp)     # the module's tab, cleared
        recordings.append(Recording(context, page))
        return page
    yield make
    for seen in recordings:
        seen.stop()
    foreign = [url for seen in recordings for url in seen.foreign]
    errors = [e for seen in recordings for e in seen.errors]
    assert not foreign, f"requests to other hosts: {foreign}"
    assert not errors, f"page errors: {errors}"


def shot(page, name: str):
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def wait_map(page):
    page.wait_for_selector("#map[data-painted=true]", timeout=30000)


def test_overview_month_slider_legend_and_keyboard_tooltips(page_at, server):
    page = page_at()
    page.goto(server.base + "/")
    wait_map(page)
    legend = page.locator("#legend").inner_text()
    assert "no data" in legend and "0" in legend             # no data is its own class, before 0 and the ramp
    before = page.locator("#top-table tbody").inner_text()
    slider = page.locator("#map-month")
    last = slider.get_attribute("value")
    slider.focus()
    for _ in range(3):
        page.keyboard.press("ArrowLeft")
    page.wait_for_function("(m) => document.querySelector('#map').dataset.month !== m", arg=last, timeout=10000)
    wait_map(page)
    month = page.locator("#map-month-out").inner_text()
    assert page.locator("#map-month-label").inner_text() == month
    assert f"m={int(last) - 3}" in page.url
    assert page.locator("#top-table tbody").inner_text() != before
    # keyboard: focusing a country in the table opens the map's tooltip with its name and value
    link = page.locator("#top-table tbody a").first
    name = link.inner_text()
    link.focus()
    tip = page.locator(".maplibregl-popup").first
    tip.wait_for(timeout=5000)
    assert name in tip.inner_text() and "deaths in " + month in tip.inner_text()
    shot(page, "analysis_overview_1440")


def test_overview_hover_tooltip_on_the_map(page_at, server):
    page = page_at()
    page.goto(server.base + "/")
    wait_map(page)
    box = page.locator("#map").bounding_box()
    # sweep the pointer across the map until a country's tooltip shows (land is most of the map)
    for fx, fy in ((0.55, 0.35), (0.5, 0.5), (0.3, 0.4), (0.7, 0.3), (0.6, 0.6)):
        page.mouse.move(box["x"] + box["width"] * fx, box["y"] + box["height"] * fy)
        if page.locator(".maplibregl-popup").count():
            break
    text = page.locator(".maplibregl-popup").first.inner_text()
    assert re.search(r"deaths in \d{4}-\d{2}|no data", text)


def test_overview_map_keyboard_tooltips_on_both_layers(page_at, server):
    """Keyboard access to the map's countries: a table row's focus and Page Down / Page Up on the map itself open
    the tooltip with name and value, read out by a live region; Escape closes it; the text follows the language."""
    page = page_at()
    page.goto(server.base + "/?layer=events")
    wait_map(page)
    tip, live = page.locator(".maplibregl-popup"), page.locator("#map-live")
    rows = page.locator("#top-table tbody a")
    first, second = rows.nth(0).inner_text(), rows.nth(1).inner_text()
    rows.nth(1).focus()
    tip.first.wait_for(timeout=5000)
    assert second in tip.first.inner_text() and "deaths (events loaded)" in tip.first.inner_text()
    assert second in live.inner_text() and "events" in live.inner_text()
    page.locator("#map canvas").focus()
    page.keyboard.press("PageDown")                       # the largest first, as in the table
    page.wait_for_function("(n) => (document.querySelector('.maplibregl-popup') || {}).innerText?.includes(n)",
                           arg=first, timeout=5000)
    assert first in live.inner_text()
    page.keyboard.press("PageDown")
    page.wait_for_function("(n) => (document.querySelector('.maplibregl-popup') || {}).innerText?.includes(n)",
                           arg=second, timeout=5000)
    page.keyboard.press("Escape")
    assert tip.count() == 0
    # the complete country-month layer: the same keys on the map
    page.goto(server.base + "/")
    wait_map(page)
    top = page.locator("#top-table tbody a").first.inner_text()
    month = page.locator("#map-month-out").inner_text()
    page.locator("#map canvas").focus()
    page.keyboard.press("PageDown")
    tip.first.wait_for(timeout=5000)
    assert top in tip.first.inner_text() and f"deaths in {month}" in tip.first.inner_text()
    assert f"deaths in {month}" in live.inner_text()
    # in Polish: the tooltip and the legend are Polish too
    page.goto(server.base + "/?layer=events&lang=pl")
    wait_map(page)
    page.locator("#top-table tbody a").first.focus()
    tip.first.wait_for(timeout=5000)
    assert "wczytane zdarzenia" in tip.first.inner_text() and "events" not in tip.first.inner_text()
    assert "events loaded" not in page.locator("#legend").inner_text()


def test_neighbourhood_sorts_and_draws_one_line_per_country(page_at, server):
    page = page_at()
    page.goto(server.base + "/neighbourhood?home=POL")
    page.wait_for_selector("#chart-ring-lines[data-rendered=true] svg", timeout=30000)
    assert "Ukraine" in page.locator("#answer-text").inner_text()
    legend = page.locator("#chart-ring-lines").inner_text()
    for name in ("Poland", "Ukraine", "Belarus", "Russia"):
        assert name in legend
    page.click("#ring-answer thead a.sort:has-text('Trend')")
    page.wait_for_url("**sort=trend**")
    assert page.locator("#ring-answer th[aria-sort]").text_content().strip().startswith("Trend")
    assert page.locator("#ring-answer .spark").count() >= 8
    wait_map(page)
    assert "size = number of events" in page.locator(".map-panel .legend").inner_text()
    shot(page, "analysis_neighbourhood_1440")


def test_provenance_page_from_the_events_table(page_at, server):
    page = page_at()
    page.goto(server.base + "/country/UKR")
    page.locator("#events-table td.prov a").first.click()
    page.wait_for_url("**/events/ucdp-ged/**")
    assert "File SHA-256" in page.locator("#origin").inner_text()
    assert ".csv.gz" in page.locator("#origin").inner_text()
    assert page.locator("#json-link").get_attribute("href").startswith("/api/v1/events/ucdp-ged/")
    shot(page, "analysis_provenance_1440")


def test_compare_and_admin1_charts(page_at, server):
    page = page_at()
    page.goto(server.base + "/compare?countries=POL,UKR,BLR,RUS")
    page.wait_for_selector("#chart-compare[data-rendered=true] svg", timeout=30000)
    assert page.locator("#compare-table tbody tr").count() == 4
    page.fill("#compare-add", "Syria")
    page.click("#compare-form button[type=submit]")
    page.wait_for_url("**add=Syria**")
    assert page.locator("#compare-table tbody tr").count() == 5
    shot(page, "analysis_compare_1440")
    page.goto(server.base + "/country/UKR/admin1")
    page.wait_for_selector("#chart-admin1[data-rendered=true] svg", timeout=30000)
    # counts on an integer axis: no fractional tick labels
    ticks = page.locator("#chart-admin1 .role-axis-label text").all_text_contents()
    assert ticks and not any(re.search(r"\.\d", t) for t in ticks)
    shot(page, "analysis_admin1_1440")


def test_sparse_country_shows_a_message_not_a_broken_chart(page_at, server):
    page = page_at()
    page.goto(server.base + "/country/POL")
    page.wait_for_selector("#chart-category[data-rendered=empty]", timeout=30000)
    assert "No events in this period" in page.locator("#chart-category").inner_text()
    assert "0.000000" not in page.content()


def _checked_in_a11y() -> set[str]:
    from test_web_a11y import pages_to_check
    return set(pages_to_check())


# test_web_a11y checks these URLs with the same checks (no sideways scroll at 390 px, axe at 1440 px, after the maps
# and charts have settled): checked once, there
ONLY_HERE = [name for name, url in PAGES.items() if url not in _checked_in_a11y()]


def test_every_page_here_is_checked_at_both_widths_here_or_in_the_a11y_module():
    assert set(ONLY_HERE) == {"country_sdn", "admin1"}
    assert all(PAGES[name] in _checked_in_a11y() for name in PAGES if name not in ONLY_HERE)


@pytest.mark.parametrize("name", ONLY_HERE)
def test_390_px_without_sideways_scroll_axe_and_screenshots(page_at, server, name):
    page = page_at(390, 844)
    page.goto(server.base + PAGES[name])
    page.wait_for_load_state("networkidle")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"{PAGES[name]} is {width} px wide at 390"
    shot(page, f"analysis_{name}_390")
    desk = page_at(1440, 900, bypass_csp=True)     # bypass only to inject axe-core; CSP is tested elsewhere
    desk.goto(server.base + PAGES[name])
    desk.wait_for_load_state("networkidle")
    shot(desk, f"analysis_{name}_1440")
    if not AXE.exists():
        pytest.skip("node_modules/axe-core is not installed (npm install): axe not run")
    desk.add_script_tag(path=str(AXE))
    result = desk.evaluate("async () => (await axe.run(document, {resultTypes: ['violations']})).violations"
                           ".filter(v => ['serious', 'critical'].includes(v.impact))"
                           ".map(v => ({id: v.id, n: v.nodes.length, where: v.nodes.slice(0, 3).map(n => n.target.join(' '))}))")
    assert result == [], f"{PAGES[name]}: {result}"
