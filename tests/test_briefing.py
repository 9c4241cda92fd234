"""Briefings: `signalfire brief` renders an A4 PDF (and HTML) in English and Polish; the PDF's text and pages are
read back with pdftotext and pdftoppm and checked against the store's own figures."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from cli_support import run_cli

from signalfire.reports.briefing import build, change_class, parse_period
from signalfire.store.queries import QueryError

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def demo_store(tmp_path_factory):
    from signalfire.alerts import rules
    from signalfire.alerts.evaluate import evaluate_pending, evaluate_run
    from signalfire.demo import load_demo
    from signalfire.warehouse import Warehouse
    path = tmp_path_factory.mktemp("brief") / "demo.duckdb"
    with Warehouse(path) as wh:
        load_demo(wh)
        rules.add(wh.con, "Poland's neighbours", "events", {"subject": "ring:POL", "threshold": 1000})
        evaluate_pending(wh.con)
        evaluate_run(wh.con, "manual", None)          # the rule was added after the demo's runs
    return path


def test_change_marks_and_period():
    assert change_class(30, 10) == "deteriorated" and change_class(12, 10) == "unchanged"
    assert change_class(0, 30) == "improved" and change_class(5, 8) == "unchanged"   # under 10 deaths: unchanged
    assert parse_period("2024-06")[1].isoformat() == "2024-06-30"
    for bad in ("2024-6", "June", "2024-13"):
        with pytest.raises(QueryError):
            parse_period(bad)


def test_chart_numbers_follow_the_briefing_language():
    """The axes write thousands as the text does: "12,000" in English, "12\u202f000" in Polish."""
    import re

    from signalfire.reports.briefing_charts import _svg
    spec = {"data": {"values": [{"x": "a", "y": 7000.5}, {"x": "b", "y": 12000}]}, "mark": "bar",
            "encoding": {"x": {"field": "x", "type": "nominal"}, "y": {"field": "y", "type": "quantitative"}}}
    ticks = {lang: re.findall(r">([0-9][^<]*)</text>", _svg(dict(spec), "test", lang)) for lang in ("en", "pl")}
    assert "12,000" in ticks["en"] and "12\u202f000" in ticks["pl"]
    assert not any("," in t for t in ticks["pl"])


def test_figures_come_from_the_store(demo_store):
    from signalfire.warehouse import Warehouse
    with Warehouse(demo_store, read_only=True) as wh:
        b = build(wh.con, "Poland", "2022-02")
        ukr = wh.con.execute("""SELECT sum(fatalities_best), count(*) FROM events WHERE source = 'ucdp-ged'
                                AND country_iso3 = 'UKR' AND strftime(date_start, '%Y-%m') = '2022-02'""").fetchone()
    assert b.iso3 == "POL" and [r["iso3"] for r in b.countries] == ["POL", "BLR", "CZE", "DEU", "LTU", "RUS", "SVK",
                                                                   "UKR"]
    row = next(r for r in b.countries if r["iso3"] == "UKR")
    assert (row["deaths"], row["events"]) == (ukr[0], ukr[1]) and row["change"] == "deteriorated"
    assert b.bottom_line["worst"]["iso3"] == "UKR"
    assert any(a["period"] == "2022-02" for a in b.alerts)
    with Warehouse(demo_store, read_only=True) as wh:
        syria = build(wh.con, "SYR", "2022-02")
    assert syria.alerts == []          # Poland's neighbours' alerts are no Syria briefing's (they had been listed)
    assert {s["adapter"] for s in b.sources} >= {"ucdp-ged"}
    assert len(b.monthly) == 24 * 8


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils (pdftotext) is not installed: "
                    "scripts/setup.sh --test installs it")
@pytest.mark.parametrize("lang, words", [
    ("en", ["Bottom line", "Poland and its neighbours, February 2022", "Ukraine", "deteriorated", "6,548",
            "Sources", "CC BY 4.0", "Alerts this month", "No deployment data in the store.",
            "Elected terms: 1996–1997, 2018–2019. Not a member of the Council in 2022."]),
    ("pl", ["W skrócie", "Polska i sąsiedzi, luty 2022", "Ukraina", "pogorszenie", "6 548", "Źródła",
            "CC BY 4.0", "Alerty w tym miesiącu", "Kadencje niestałego członka: 1996–1997, 2018–2019."]),
])
def test_brief_renders_an_a4_pdf_that_reads_back(demo_store, tmp_path, lang, words):
    pdf, page = tmp_path / f"b_{lang}.pdf", tmp_path / f"b_{lang}.html"
    run_cli("brief", "--country", "POL", "--period", "2022-02", "--lang", lang, "--store", demo_store, "-o", pdf,
            "--html", page, real=lang == "en")       # the English one a real process, as a cron job runs it
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], check=True, capture_output=True, text=True).stdout
    flat = " ".join(text.split())
    for word in words:
        assert word.replace("\u202f", " ") in flat.replace("\u202f", " "), word
    info = subprocess.run(["pdfinfo", str(pdf)], check=True, capture_output=True, text=True).stdout
    assert "595.276 x 841.89 pts (A4)" in info
    pages = int(next(line.split()[-1] for line in info.splitlines() if line.startswith("Pages:")))
    assert 1 <= pages <= 4
    subprocess.run(["pdftoppm", "-r", "40", "-png", "-f", "1", "-l", "1", str(pdf), str(tmp_path / "p")], check=True)
    image = next(tmp_path.glob("p*.png"))
    assert image.stat().st_size > 5000                           # a page with a map and tables, not a blank one
    html = page.read_text()
    assert html.count("<svg") >= 2 and f'lang="{lang}"' in html
    assert "General Assembly" not in flat and "Zgromadzenia Ogólnego" not in flat     # no UN votes in this store


def test_bad_requests_are_clear_errors(demo_store, tmp_path):
    def run(*args):
        return run_cli("brief", *args, "--store", demo_store, check=False)
    for args, message in ((["--period", "2022-2"], "YYYY-MM"), (["--period", "2022-02", "--country", "Atlantis"],
                                                                 "not a country"),
                          (["--period", "2022-02", "--lang", "de"], "choose one of"),
                          (["--period", "2022-02", "-o", str(tmp_path / "no" / "x.pdf")], "existing folder")):
        done = run(*args)
        assert done.returncode == 2 and message in done.stderr


def test_the_dashboard_serves_briefings_and_links_them_from_country_pages(demo_store, tmp_path):
    from fastapi.testclient import TestClient

    from signalfire.web.app import create_app
    copy = tmp_path / "copy.duckdb"
    shutil.copyfile(demo_store, copy)
    app = create_app(copy, load_demo=False)
    with TestClient(app) as client:
        page = client.get("/country/POL").text
        assert 'action="/briefing/POL.pdf"' in page
        ring = client.get("/neighbourhood?home=POL").text                 # and from the neighbourhood page
        assert 'action="/briefing/POL.pdf"' in ring and 'formaction="/briefing/POL.html"' in ring
        pdf = client.get("/briefing/POL.pdf?period=2022-02&lang=pl")
        assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
        assert "briefing_POL_2022-02_pl.pdf" in pdf.headers["content-disposition"]
        html = client.get("/briefing/POL.html?period=2022-02").text
        assert "Bottom line" in html and "Ukraine" in html
        assert client.get("/briefing/POL.pdf?period=2022-13").status_code == 400
        assert client.get("/briefing/POL.pdf?period=june").status_code == 422
        assert client.get("/briefing/XXX.html?period=2022-02").status_code == 400
    app.state.ds.close()


FIXTURES = Path(__file__).resolve().parent / "fixtures"
ENGAGEMENT = (("unvotes-roll-calls", "unvotes_roll_calls_sample.csv"), ("unvotes", "unvotes_votes_sample.csv"),
              ("icb-crises", "briefing/icb2_poland_excerpt.csv"),
              ("ipi-contributions", "briefing/ipi_contributions_poland.csv"))


@pytest.fixture(scope="module")
def engaged_store(demo_store, tmp_path_factory):
    """The demo store plus UN votes (Voeten's layout), ICB crisis actors and IPI contributions (small files in the
    producers' layouts, tests/fixtures/), for a briefing on Poland in November 2019."""
    from signalfire.warehouse import Warehouse
    path = tmp_path_factory.mktemp("engaged") / "engaged.duckdb"
    shutil.copyfile(demo_store, path)
    with Warehouse(path) as wh:
        for adapter, name in ENGAGEMENT:
            wh.ingest(adapter, FIXTURES / name)
    return path


def test_crisis_codebook_labels_follow_the_language(engaged_store):
    """ICB's gravity and outcome labels are ICB's English codebook values in the store; the Polish briefing says
    them in Polish (briefing.po)."""
    from signalfire.reports.briefing_render import catalogue, html
    from signalfire.sources.crises.icb_actors import GRAVITY, OUTCOME
    from signalfire.warehouse import Warehouse
    with Warehouse(engaged_store, read_only=True) as wh:
        b = build(wh.con, "POL", "2019-11")
    item = b.engagement["crises"]["items"][0]
    assert item["gravity"] in GRAVITY.values() and item["outcome"] in OUTCOME.values()
    polish = catalogue("pl")
    assert all(label in polish for label in (*GRAVITY.values(), *OUTCOME.values()))
    assert f"gravity: {item['gravity']}" in html(b, "en")
    assert f"{polish[item['gravity']]}" in html(b, "pl") and f": {item['gravity']}" not in html(b, "pl")


def test_engagement_figures_come_from_the_store(engaged_store, demo_store):
    from signalfire.warehouse import Warehouse
    with Warehouse(engaged_store, read_only=True) as wh:
        e = build(wh.con, "POL", "2019-11").engagement
        sources = {s["adapter"] for s in build(wh.con, "POL", "2019-11").sources}
    assert e["deployed"] == {"month": "2019-11", "in_period": True, "total": 245, "source": "ipi-contributions",
                             "by_type": {"troops": 230, "experts": 12, "police": 3}}
    assert e["unga"]["year"] == 2019 and e["unga"]["roll_calls"] == 4
    assert [(p["iso3"], round(p["coincidence"], 3)) for p in e["unga"]["partners"]] == [
        ("DEU", 0.75), ("RUS", 0.667), ("USA", 0.625)]      # (1+.5+1+.5)/4, (0+0+1)/3, (1+0+.5+1)/4 by hand
    assert e["unsc"]["terms"] == [(1996, 1997), (2018, 2019)] and e["unsc"]["sitting"]
    assert [c["name"] for c in e["crises"]["items"]] == ["BORDER TEST"] and e["crises"]["data_to"] == 2019
    assert sources >= {"ucdp-ged", "unvotes", "icb-crises", "ipi-contributions"}
    with Warehouse(engaged_store, read_only=True) as wh:
        later = build(wh.con, "POL", "2025-06").engagement        # years after every fixture's data end
    assert later["unga"]["year"] == 2019 and not later["unga"]["in_period"]
    assert later["crises"]["items"] == [] and later["crises"]["latest"]["name"] == "BORDER TEST"
    assert later["deployed"]["month"] is None and later["deployed"]["latest_month"] == "2019-11"
    with Warehouse(demo_store, read_only=True) as wh:             # events only: the parts are left out
        bare = build(wh.con, "POL", "2019-11").engagement
    assert (bare["deployed"], bare["unga"], bare["crises"]) == (None, None, None) and bare["unsc"]["terms"]


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils (pdftotext) is not installed: "
                    "scripts/setup.sh --test installs it")
@pytest.mark.parametrize("lang, words", [
    ("en", ["Engagement of Poland", ("Personnel deployed to UN peace operations in 2019-11: 245 (troops 230, "
            "experts 12, police 3)."), "Source: ipi-contributions.",
            "Closest partners in UN General Assembly votes, 2019", "Germany 75% 4", "Russia 67% 3",
            "Source: unvotes (Voeten, UNGA voting data).", "Elected terms: 1996–1997, 2018–2019.",
            "A member of the Council in 2019.", "International crises, 2014–2019", ("BORDER TEST (2018-11-25 – "
            "2019-02-20)"), "Source: icb-crises (International Crisis Behavior; data to 2019)."]),
    ("pl", ["Zaangażowanie: Polska", ("Personel skierowany do operacji pokojowych ONZ w 2019-11: 245 (żołnierze "
            "230, eksperci 12, policja 3)."), "Źródło: ipi-contributions.",
            "Najbliżsi partnerzy w głosowaniach Zgromadzenia Ogólnego ONZ, 2019", "Niemcy 75% 4", "Rosja 67% 3",
            "Członek Rady w 2019 r.", "Kryzysy międzynarodowe, 2014–2019", "BORDER TEST",
            "Źródło: icb-crises (International Crisis Behavior; dane do 2019 r.)."]),
])
def test_engagement_section_reads_back_from_the_pdf(engaged_store, tmp_path, lang, words):
    pdf = tmp_path / f"e_{lang}.pdf"
    run_cli("brief", "--country", "POL", "--period", "2019-11", "--lang", lang, "--store", engaged_store, "-o", pdf)
    text = subprocess.run(["pdftotext", str(pdf), "-"], check=True, capture_output=True, text=True).stdout
    # in reading order; a name broken after its hyphen at a line's end comes back without it ("ipicontributions")
    flat = " ".join(text.split()).replace("-", "")
    for word in words:
        assert word.replace("-", "") in flat, word
    for adapter in ("unvotes", "icbcrises", "ipicontributions"):      # each also listed in the sources section
        assert flat.count(adapter) >= 2, adapter
