"""Briefings say what the store's data cover: a month the event data do not reach is never reported as 0 deaths
("No deaths were recorded", "unchanged") — the figures come from country-month totals, named as such, or none are
given, and the bottom line says where the data end.  A month before all the data, or one not begun, is a one-line
CLI error.  The demo's event data: a 1,000-event UCDP GED world sample (1989-01 to 2022-12) and a Ukraine excerpt
(2014-01 to 2023-02); its VIEWS country-month totals run to 2023-12."""

from __future__ import annotations

import re
import shutil

import pytest
from cli_support import run_cli

from signalfire.reports.briefing import build, covers, event_coverage

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def forecast_store(tmp_path_factory, demo_template):
    """The demo store with a forecast from 2023-06, as a reviewer made it (signalfire demo; forecast run)."""
    from conftest import demo_copy
    path = demo_copy(demo_template, tmp_path_factory.mktemp("coverage"), "fc.duckdb")
    run_cli("forecast", "run", "--store", path, "--cutoff", "2023-06", "--horizons", "3", "--draws", "12",
            "--config", "fast")
    return path


@pytest.fixture(scope="module")
def events_only_store(forecast_store, tmp_path_factory):
    """The same store without country-month totals: the event files are all there is."""
    from signalfire.warehouse import Warehouse
    path = tmp_path_factory.mktemp("coverage_events") / "events.duckdb"
    shutil.copyfile(forecast_store, path)
    with Warehouse(path) as wh:
        wh.con.execute("DELETE FROM country_month")
    return path


def _open(path):
    from signalfire.warehouse import Warehouse
    return Warehouse(path, read_only=True)


def _text(page: str) -> str:
    """The HTML's words, without its styles and charts."""
    import html
    page = re.sub(r"<style>.*?</style>|<svg.*?</svg>", " ", page, flags=re.DOTALL)
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", page)).split())


def _row(page: str, name: str) -> list[str]:
    """The cells of a country's row in the month's table."""
    section = page[page.index("The month in figures") if "The month in figures" in page else
                   page.index("Miesiąc w liczbach"):page.index('class="figure"')]
    match = re.search(r"<tr[^>]*><td>" + re.escape(name) + r"</td>(.*?)</tr>", section, flags=re.DOTALL)
    assert match, name
    return [_text(c) for c in re.findall(r"<td[^>]*>(.*?)</td>", match.group(1), flags=re.DOTALL)]


def test_the_event_files_coverage_is_read_from_the_store(forecast_store):
    with _open(forecast_store) as wh:
        spans = event_coverage(wh.con, "ucdp-ged")
    assert [(s["first"], s["last"], s["countries"]) for s in spans] == [
        ("1989-01", "2022-12", None), ("2014-01", "2023-02", frozenset({"UKR"}))]
    assert covers(spans, "SYR", "2022-11") and not covers(spans, "SYR", "2023-01")   # the Ukraine file: Ukraine only
    assert covers(spans, "UKR", "2023-02") and not covers(spans, "UKR", "2023-03")
    assert not covers(spans, "SYR", "1988-12")


def test_a_month_after_the_event_data_is_not_reported_as_no_deaths(forecast_store):
    """The reviewer's case: Syria, July 2023. The GED events end before it; VIEWS's country-month totals (the
    forecast's data, listed under Sources) give Syria 75 deaths: the briefing says so, labelled, and never 0."""
    from signalfire.reports.briefing_render import html
    with _open(forecast_store) as wh:
        b = build(wh.con, "SYR", "2023-07")
        views = dict(wh.con.execute("""SELECT country_iso3, value FROM country_month WHERE source = 'views-cm'
                                       AND year = 2023 AND month = 7""").fetchall())
    page = html(b, "en")
    text = _text(page)
    bottom = text[text.index("Bottom line"):text.index("The month in figures")]
    assert "No deaths" not in text and _row(page, "Syria")[0] == "75"
    assert "Syria had the most deaths of Syria and its neighbours in July 2023: 75" in bottom
    assert "The event data (ucdp-ged) in this store cover 1989-01 to 2023-02; July 2023 is after them." in bottom
    assert ("The figures are country-month totals from views-cm (state-based conflict deaths, UCDP GED best "
            "estimate), which cover 1990-01 to 2023-12.") in bottom
    assert "Deaths in 2023-07 from views-cm (country-month totals" in text and ">Events<" not in page
    syria = b.countries[0]
    assert syria["iso3"] == "SYR" and syria["deaths"] == views["SYR"] == 75 and syria["events"] is None
    assert all(r["deaths"] == views[r["iso3"]] for r in b.countries)
    assert "views-cm" in {s["adapter"] for s in b.sources}
    assert b.coverage["basis"] == "country_month" and b.coverage["position"] == "after"
    polish = _text(html(b, "pl"))
    assert ("Dane o zdarzeniach (ucdp-ged) w tym magazynie obejmują okres od 1989-01 do 2023-02; lipiec 2023 wypada "
            "po tym okresie.") in polish
    assert "Podane liczby to sumy kraj-miesiąc z views-cm" in polish and "nie odnotowano" not in polish


def test_a_month_no_data_cover_gives_no_figures(events_only_store):
    """Without country-month totals nothing covers Syria in July 2023: no table of zeros, a plain statement."""
    from signalfire.reports.briefing_render import html
    with _open(events_only_store) as wh:
        b = build(wh.con, "SYR", "2023-07")
    text = _text(html(b, "en"))
    assert "No deaths" not in text and "unchanged" not in text
    assert ("Bottom line: The event data (ucdp-ged) in this store cover 1989-01 to 2023-02; July 2023 is after them. "
            "No figures can therefore be given for July 2023.") in text
    assert "Months the data do not cover are left out." in text
    polish = _text(html(b, "pl"))
    assert "Dlatego dla okresu lipiec 2023 nie można podać żadnych liczb." in polish
    assert b.bottom_line["worst"] is None and all(r["deaths"] is None and r["change"] is None for r in b.countries)
    syria = {m["month"]: m["deaths"] for m in b.monthly if m["country"] == "SYR"}
    assert syria["2022-12"] is not None and syria["2023-01"] is None and syria["2023-07"] is None
    assert b.coverage["basis"] is None


def test_countries_an_excerpt_does_not_cover_are_not_zeros(events_only_store):
    """January 2023 is inside the event data's span only through the Ukraine excerpt: Ukraine has figures, its
    neighbours are shown as not covered, and the bottom line names them."""
    from signalfire.reports.briefing_render import html
    with _open(events_only_store) as wh:
        b = build(wh.con, "POL", "2023-01")
        ukr = wh.con.execute("""SELECT sum(fatalities_best), count(*) FROM events WHERE country_iso3 = 'UKR'
                                AND strftime(date_start, '%Y-%m') = '2023-01'""").fetchone()
    page = html(b, "en")
    assert _row(page, "Poland") == ["—", "—", "—", "—"]
    text = _text(page)
    assert text.count("The event data (ucdp-ged) in this store do not cover January 2023 for Poland, Belarus") >= 2
    assert "Of the countries with figures for January 2023, Ukraine had the most deaths" in text
    assert "The neighbourhood as a whole" not in text        # no sum over countries the data do not cover
    rows = {r["iso3"]: r for r in b.countries}
    assert (rows["UKR"]["deaths"], rows["UKR"]["events"]) == ukr
    assert rows["POL"]["deaths"] is None and rows["POL"]["change"] is None
    assert b.coverage["basis"] == "events"


@pytest.mark.parametrize("period, message", [("1800-01", "the store's conflict data begin in 1989-01"),
                                             ("1988-12", "the store's conflict data begin in 1989-01"),
                                             ("2199-01", "that month has not begun")])
def test_a_period_outside_all_the_data_is_a_clear_error(forecast_store, tmp_path, period, message):
    target = tmp_path / "b.pdf"
    done = run_cli("brief", "--country", "SYR", "--period", period, "--store", forecast_store, "-o", target,
                   check=False)
    assert done.returncode == 2 and message in done.stderr and not target.exists()
    assert len(done.stderr.strip().splitlines()) == 1, done.stderr


def test_a_covered_month_reports_as_before(forecast_store):
    """February 2022 around Poland: every country is inside the GED sample's span, so the figures are the events'
    as before — Poland's 0 deaths are a real 0, and no coverage sentence is added."""
    from signalfire.reports.briefing_render import bottom_line, html
    with _open(forecast_store) as wh:
        b = build(wh.con, "POL", "2022-02")
        counts = {r[0]: (r[1], r[2]) for r in wh.con.execute(
            """SELECT country_iso3, sum(fatalities_best), count(*) FROM events WHERE source = 'ucdp-ged'
               AND strftime(date_start, '%Y-%m') = '2022-02' GROUP BY 1""").fetchall()}
    for r in b.countries:
        assert (r["deaths"], r["events"]) == counts.get(r["iso3"], (0, 0)), r["iso3"]
    poland = b.countries[0]
    assert (poland["deaths"], poland["baseline"], poland["change"]) == (0, 0, "unchanged")
    assert bottom_line(b, "en", "ucdp-ged") == (
        "Ukraine had the most deaths of Poland and its neighbours in February 2022: 6,548, deteriorated against 11.5 a "
        "month over the six months before. The neighbourhood as a whole: 6,548 deaths, deteriorated.")
    page = html(b, "en")
    assert _row(page, "Poland") == ["0", "0", "0.0", "unchanged"]
    assert "in this store" not in page and "—" not in _text(page[:page.index('class="figure"')])
    assert b.coverage["basis"] == "events" and b.coverage["missing"] == []       # the new record of coverage
