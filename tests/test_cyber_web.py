"""The cyber REST API returns what the Python API returns (incidents, timeline, matrix, victims, ATT&CK groups,
the STIX bundle), bad arguments are 400s naming the problem, and the pages render with hostile text inert."""

from __future__ import annotations

import json
import re

import pytest
from fastapi.testclient import TestClient
from test_cyber_incidents import _cfr_fixture, _dcid_fixture

from signalfire.reports.stix import Selection, export_bundle
from signalfire.web.streams.cyber import records

CASES = [
    ("/api/v1/cyber/incidents?country=POL&role=victim", "cyber_incidents", {"country": "POL", "role": "victim"}),
    ("/api/v1/cyber/incidents?since=2017&type=espionage", "cyber_incidents", {"since": "2017", "type": "espionage"}),
    ("/api/v1/cyber/timeline?country=RUS&role=sponsor", "cyber_timeline", {"country": "RUS", "role": "sponsor"}),
    ("/api/v1/cyber/matrix", "cyber_matrix", {}),
    ("/api/v1/cyber/victims?source=dcid", "cyber_victims", {"source": "dcid"}),
]


@pytest.fixture(scope="module")
def client(tmp_path_factory):
    """A test client of the app on a store of fixtures, and what the Python API (signalfire.open) returned for
    CASES, the group and the STIX export before the app opened the store (one process holds a file once)."""
    import signalfire
    from signalfire.web.app import create_app
    folder = tmp_path_factory.mktemp("cyber_web")
    path = folder / "web.duckdb"
    fixtures = __import__("conftest").FIXTURES / "cyber"
    with signalfire.open(path) as wh:
        wh.ingest("cfr-cyber", _cfr_fixture(folder))
        wh.ingest("dcid", _dcid_fixture(folder))
        wh.ingest("stix", fixtures / "attack_excerpt.json")
        wh.ingest("stix", fixtures / "custom_tlp_bundle.json")
        expected = {url: records(getattr(wh, method)(**kwargs)) for url, method, kwargs in CASES}
        expected["group"] = wh.attack_group("APT28")
        expected["stix"] = export_bundle(wh.con, Selection(tlp="amber", country="POL"))
    with TestClient(create_app(path)) as c:
        yield c, expected


@pytest.mark.parametrize("url", [case[0] for case in CASES])
def test_api_equals_python_api(client, url):
    c, expected = client
    got = c.get(url)
    assert got.status_code == 200, got.text
    assert got.json()["data"] == expected[url] and got.json()["total"] == len(expected[url]) > 0


def test_group_and_stix_api_equal_python_api(client):
    c, python = client
    got = c.get("/api/v1/cyber/groups/Fancy%20Bear").json()
    expected = python["group"]
    assert got["group"] == expected["group"]
    assert got["techniques"] == records(expected["techniques"])
    assert [i["name"] for i in got["incidents"]] == list(expected["incidents"]["name"])
    assert c.get("/api/v1/cyber/groups/nobody").status_code == 404
    bundle = c.get("/api/v1/cyber/stix?tlp=amber&country=POL")
    assert bundle.headers["content-type"].startswith("application/stix+json")
    direct = python["stix"]
    assert sorted(o["id"] for o in bundle.json()["objects"]) == sorted(o["id"] for o in direct["objects"])
    assert any(o["type"] == "incident" for o in direct["objects"])


@pytest.mark.parametrize("url, text", [
    ("/api/v1/cyber/incidents?country=Atlantis", "unknown country"),
    ("/api/v1/cyber/incidents?type=hacking", "unknown type"),
    ("/api/v1/cyber/incidents?role=bystander&country=POL", "unknown role"),
    ("/api/v1/cyber/incidents?since=yesterday", "not a date"),
    ("/api/v1/cyber/stix?tlp=purple", "unknown TLP level"),
])
def test_bad_arguments_are_400s(client, url, text):
    got = client[0].get(url)
    assert got.status_code == 400 and text in got.json()["error"]["message"]


def test_csv_download_and_pages(client):
    c, _ = client
    csv = c.get("/api/v1/cyber/incidents?country=POL&format=csv")
    assert csv.status_code == 200 and csv.text.splitlines()[0].startswith('"source"')
    for url in ("/cyber", "/cyber?type=defacement&since=2019", "/cyber/country?country=POL", "/cyber/groups",
                "/cyber/groups/APT28", "/country/POL"):
        page = c.get(url, headers={"Accept": "text/html"})
        assert page.status_code == 200, url
    page = c.get("/cyber/groups/APT28", headers={"Accept": "text/html"}).text
    assert "T1560.001" in page or "Archive via Utility" in page


def test_hostile_text_is_inert(client, tmp_path):
    c, _ = client
    html = c.get("/cyber/country?country=POL", headers={"Accept": "text/html"}).text
    assert "<script>alert" not in html
    data = json.loads(html.split('id="rows-series">', 1)[1].split("</script>", 1)[0])
    assert isinstance(data, list)


def test_operation_types_in_polish(client):
    """The types' labels were not in the catalogue: "Espionage" stayed English on /cyber?lang=pl."""
    c, _ = client
    page = c.get("/cyber?lang=pl", headers={"Accept": "text/html"}).text
    assert "Szpiegostwo" in page and ">Espionage<" not in page



@pytest.mark.parametrize("lang, forms", [("en", ("incident", "incidents", "incidents")),
                                         ("pl", ("incydent", "incydenty", "incydentów"))])
def test_incident_counts_take_their_plural_forms(client, lang, forms):
    """"As sponsor 1 incidents" (Polish "1 incydenty") had been the heading for one incident."""
    c, _ = client
    heads = []
    for url in ("/cyber/country?country=POL", "/cyber/country?country=RUS", "/cyber"):
        page = c.get(f"{url}{'&' if '?' in url else '?'}lang={lang}", headers={"Accept": "text/html"}).text
        heads += re.findall(r"<small>([\d,]+) (\w+)</small></h2>", page)
    assert heads
    for count, word in heads:
        n = int(count.replace(",", ""))
        form = 0 if n == 1 else (1 if lang == "pl" and n % 10 in (2, 3, 4) and n % 100 not in (12, 13, 14) else 2)
        assert word == forms[form], (count, word)
