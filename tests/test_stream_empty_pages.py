"""Stream pages on a store without their data (in-process, no browser): a header page answers 200 with an empty
state naming what to ingest, in the page's language; no '–' stands for a missing period; empty tables and maps
say so (issue #11's conventions, docs/UI.md)."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from signalfire.web.app import create_app

HTML = {"Accept": "text/html"}


@pytest.fixture(scope="module")
def client(tmp_path_factory):
    app = create_app(tmp_path_factory.mktemp("empty") / "empty.duckdb", load_demo=False)
    with TestClient(app) as c:
        yield c
    app.state.ds.close()


@pytest.mark.parametrize("path", ["/treaties", "/treaties/not-joined", "/treaties/country/POL"])
def test_treaty_pages_without_data_say_what_to_load(client, path):
    page = client.get(path, headers=HTML)
    assert page.status_code == 200
    assert "signalfire ingest manytreaties FILE" in page.text and "No treaty data is loaded" in page.text
    polish = client.get(path + "?lang=pl", headers=HTML)
    assert polish.status_code == 200 and "nie wczytano danych o traktatach" in polish.text
    assert "No treaty data" not in polish.text


def test_treaty_actions_without_the_instrument_list_say_only_that(tmp_path):
    """With manytreaties loaded but not the instrument list, the pages had said "No treaty data is loaded"."""
    from pathlib import Path

    from signalfire.warehouse import Warehouse
    store = tmp_path / "actions.duckdb"
    with Warehouse(store) as wh:
        wh.ingest("manytreaties", Path(__file__).parent / "fixtures" / "manytreaties_parties_sample.csv")
    app = create_app(store, load_demo=False)
    with TestClient(app) as c:
        page = c.get("/treaties", headers=HTML).text
        polish = c.get("/treaties?lang=pl", headers=HTML).text
        api = c.get("/api/v1/treaties/instruments")
    app.state.ds.close()
    assert "Part of the treaty data is loaded" in page and "No treaty data is loaded" not in page
    assert "signalfire ingest treaty-instruments FILE" in page and "ingest manytreaties FILE" not in page
    assert "instruments.csv" in page
    assert "Część danych o traktatach jest już w magazynie" in polish
    assert api.status_code == 404 and "missing now: treaty-instruments" in api.json()["error"]["message"]


@pytest.mark.parametrize("path", ["/unga", "/unga/agreement", "/unga/roll-calls/3"])
def test_unga_pages_without_data_say_what_to_load(client, path):
    page = client.get(path + "?lang=pl", headers=HTML)
    assert page.status_code == 200
    assert "signalfire ingest unvotes-roll-calls FILE" in page.text
    assert "nie wczytano głosowań Zgromadzenia Ogólnego ONZ" in page.text and "No UN General" not in page.text


def test_the_api_still_answers_404_without_data(client):
    assert client.get("/api/v1/treaties/instruments").status_code == 404
    assert client.get("/api/v1/unga/resolutions").status_code == 404


def test_no_dash_for_a_missing_period(client):
    cyber = client.get("/cyber?lang=pl", headers=HTML).text
    assert "Okres: –" not in cyber and "Period: –" not in cyber and "Brak danych dla mapy" in cyber
    assert 'id="victims-map"' not in cyber                      # a note, not an empty map box
    fatalities = client.get("/missions/fatalities", headers=HTML).text
    assert "– to –" not in fatalities and 'class="empty">–<' not in fatalities
    assert fatalities.count("No fatalities recorded for this selection.") >= 3   # chart note + three tables
    sites = client.get("/missions/map?lang=pl", headers=HTML).text
    assert "Uppsala), –." not in sites and "Uppsali), –." not in sites
    assert 'data-legend-title="Żołnierze w miejscu:"' in sites and 'data-unknown="wielkość nieznana"' in sites


def test_interface_words_around_licences_are_polish(client):
    for path, english in [("/crises", "free with citation"), ("/disputes", "free with citation"),
                          ("/wmd", "free academic use with citation"),
                          ("/context/POL", "Not redistributed by Signalfire")]:
        page = client.get(path + "?lang=pl", headers=HTML)
        assert page.status_code == 200, path
        assert english not in page.text and "bezpłatn" in page.text, path     # the licence note, in Polish
    deployments = client.get("/missions?lang=pl", headers=HTML).text
    assert ">połączone<" in deployments and ">combined<" not in deployments
