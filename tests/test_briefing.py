"""Briefings: `signalfire brief` renders an A4 PDF (and HTML) in English and Polish; the PDF's text and pages are
read back with pdftotext and pdftoppm and checked against the store's own figures."""

from __future__ import annotations

import shutil
import subprocess
import sys

import pytest

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
    assert {s["adapter"] for s in b.sources} >= {"ucdp-ged"}
    assert len(b.monthly) == 24 * 8


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils (pdftotext) is not installed: "
                    "scripts/setup.sh --test installs it")
@pytest.mark.parametrize("lang, words", [
    ("en", ["Bottom line", "Poland and its neighbours, February 2022", "Ukraine", "deteriorated", "6,548",
            "Sources", "CC BY 4.0", "Alerts this month"]),
    ("pl", ["W skrócie", "Polska i sąsiedzi, luty 2022", "Ukraina", "pogorszenie", "6 548", "Źródła",
            "CC BY 4.0", "Alerty w tym miesiącu"]),
])
def test_brief_renders_an_a4_pdf_that_reads_back(demo_store, tmp_path, lang, words):
    pdf, page = tmp_path / f"b_{lang}.pdf", tmp_path / f"b_{lang}.html"
    done = subprocess.run([sys.executable, "-m", "signalfire.cli", "brief", "--country", "POL", "--period",
                           "2022-02", "--lang", lang, "--store", str(demo_store), "-o", str(pdf), "--html", str(page)],
                          check=False, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
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


def test_bad_requests_are_clear_errors(demo_store, tmp_path):
    def run(*args):
        return subprocess.run([sys.executable, "-m", "signalfire.cli", "brief", *args, "--store", str(demo_store)],
                              check=False, capture_output=True, text=True, timeout=120)
    for args, message in ((["--period", "2022-2"], "YYYY-MM"), (["--period", "2022-02", "--country", "Atlantis"],
                                                                 "not a country"),
                          (["--period", "2022-02", "--lang", "de"], "choose one of"),
                          (["--period", "2022-02", "-o", str(tmp_path / "no" / "x.pdf")], "existing folder")):
        done = run(*args)
        assert done.returncode == 2 and message in done.stderr and "Traceback" not in done.stderr


def test_the_dashboard_serves_briefings_and_links_them_from_country_pages(demo_store, tmp_path):
    from fastapi.testclient import TestClient

    from signalfire.web.app import create_app
    copy = tmp_path / "copy.duckdb"
    shutil.copyfile(demo_store, copy)
    app = create_app(copy, load_demo=False)
    with TestClient(app) as client:
        page = client.get("/country/POL").text
        assert 'action="/briefing/POL.pdf"' in page
        pdf = client.get("/briefing/POL.pdf?period=2022-02&lang=pl")
        assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
        assert "briefing_POL_2022-02_pl.pdf" in pdf.headers["content-disposition"]
        html = client.get("/briefing/POL.html?period=2022-02").text
        assert "Bottom line" in html and "Ukraine" in html
        assert client.get("/briefing/POL.pdf?period=2022-13").status_code == 400
        assert client.get("/briefing/POL.pdf?period=june").status_code == 422
        assert client.get("/briefing/XXX.html?period=2022-02").status_code == 400
    app.state.ds.close()
