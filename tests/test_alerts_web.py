"""Alerts in the API and on the page: rules added and removed over the API and the page's form, firings paged with
their evidence, the Atom feed parses, webhook secrets never leave, a hand-off ingest is followed by evaluation."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from signalfire.web.app import create_app

GED = Path(__file__).resolve().parents[1] / "src" / "signalfire" / "demo" / "ged_ukraine_2014-2023.csv.gz"
ATOM = "{http://www.w3.org/2005/Atom}"


@pytest.fixture
def client(tmp_path):
    app = create_app(tmp_path / "w.duckdb", load_demo=False)
    with TestClient(app) as c:
        yield c
    app.state.ds.close()


def test_rules_over_the_api_then_firings_after_an_ingest(client):
    bad = client.post("/api/v1/alerts/rules", json={"name": "x", "kind": "events", "params": {"subject": "ATLANTIS"}})
    assert bad.status_code == 400 and "unknown country" in bad.json()["error"]["message"]
    made = client.post("/api/v1/alerts/rules", json={
        "name": "ring", "kind": "events", "params": {"subject": "ring:POL", "threshold": 1000},
        "webhook_url": "http://127.0.0.1:9/none", "webhook_secret": "top-secret"})
    assert made.status_code == 201
    rules = client.get("/api/v1/alerts/rules").json()["data"]
    assert rules[0]["params"] == {"subject": "ring:POL", "threshold": 1000, "measure": "deaths"}
    assert "top-secret" not in client.get("/api/v1/alerts/rules").text
    ds = client.app.state.ds
    job = ds.submit_ingest("ucdp-ged", [str(GED)])           # a hand-off ingest, as `signalfire ingest` makes it
    for _ in range(600):
        if ds.job(job.id).status in ("done", "failed"):
            break
        import time
        time.sleep(0.1)
    assert ds.job(job.id).status == "done"
    page = client.get("/api/v1/alerts/firings?limit=2").json()
    assert page["total"] >= 3 and len(page["data"]) == 2 and page["next_offset"] == 2
    feb = client.get("/api/v1/alerts/firings?limit=100").json()["data"]
    assert any(f["period"] == "2022-02" and f["level"] == "red" and f["evidence"]["events"] for f in feb)
    # the receiver at port 9 is down: the delivery waits in the outbox, not lost
    pending = ds.scalar("SELECT count(*) FROM alert_outbox WHERE status = 'pending' AND attempts = 1")
    assert pending == page["total"]
    html = client.get("/alerts", headers={"accept": "text/html"}).text
    assert "2022-02" in html and "ring:POL" in html
    feed = ET.fromstring(client.get("/alerts.atom").content)
    entries = feed.findall(f"{ATOM}entry")
    assert len(entries) == page["total"] and entries[0].find(f"{ATOM}title").text.startswith("[")
    assert client.delete("/api/v1/alerts/rules/1").status_code == 200
    assert client.delete("/api/v1/alerts/rules/1").status_code == 404
    assert client.get("/api/v1/alerts/firings").json()["total"] == page["total"]     # firings stay


def test_the_pages_form_adds_and_removes_a_rule(client):
    origin = {"origin": "http://testserver"}
    r = client.post("/alerts/rules", data={"name": "<script>x</script>", "subject": "UKR", "threshold": "10",
                                            "measure": "deaths"}, headers=origin, follow_redirects=False)
    assert r.status_code == 303
    html = client.get("/alerts").text
    assert "&lt;script&gt;x&lt;/script&gt;" in html and "<script>x</script>" not in html
    assert client.post("/alerts/rules", data={"name": "x", "subject": "NOWHERE", "threshold": "1"},
                       headers=origin).status_code == 400
    assert client.post("/alerts/rules/1/delete", headers=origin, follow_redirects=False).status_code == 303
    assert client.get("/api/v1/alerts/rules").json()["data"] == []


FORMS = {   # kind: (the form's fields, the rule's stored params)
    "events": ({"subject": "UKR,BLR", "measure": "events", "threshold": "5", "category": "armed_conflict",
                "source": "ucdp-ged", "baseline_months": "6", "ratio": "1.5"},
               {"subject": "UKR,BLR", "measure": "events", "threshold": 5, "category": "armed_conflict",
                "source": "ucdp-ged", "baseline_months": 6, "ratio": 1.5}),
    "forecast": ({"subject": "ring:POL", "level": "40", "rise": "", "months_ahead": "3"},
                 {"subject": "ring:POL", "level": 0.4, "months_ahead": 3}),
    "new-records": ({"source": "ucdp-ged", "subject": ""}, {"source": "ucdp-ged"}),
    "cyber": ({"subject": "POL,LTU"}, {"subject": "POL,LTU"}),
    "route": ({"route": "Eastern Borders Route", "threshold": "100", "baseline_months": "", "ratio": ""},
              {"route": "Eastern Borders Route", "threshold": 100}),
}


@pytest.mark.parametrize("kind", list(FORMS))
def test_the_form_adds_a_rule_of_every_kind(client, kind):
    fields, stored = FORMS[kind]
    page = client.get(f"/alerts?kind={kind}").text
    form = page[page.index('id="rule-form"'):page.index("</form>", page.index('id="rule-form"'))]
    assert f'name="kind" value="{kind}"' in form
    for name in fields:                                      # the kind's fields, and only these, are shown
        assert f'name="{name}"' in form, name
    others = {n for k, (f, _) in FORMS.items() if k != kind for n in f} - set(fields)
    assert not any(f'name="{n}"' in form for n in others)
    r = client.post("/alerts/rules", data={"kind": kind, "name": f"a {kind} rule", **fields,
                                           "email_to": "analyst@example.org"},
                    headers={"origin": "http://testserver"}, follow_redirects=False)
    assert r.status_code == 303, r.text[:300]
    rule = client.get("/api/v1/alerts/rules").json()["data"][-1]
    assert (rule["kind"], rule["name"], rule["params"], rule["email_to"]) == (kind, f"a {kind} rule", stored,
                                                                               "analyst@example.org")


@pytest.mark.parametrize("kind, fields, words", [
    ("forecast", {"subject": "ring:POL", "level": "abc"}, "level: &#39;abc&#39; is not a number"),
    ("forecast", {"subject": "ring:POL", "level": "", "rise": ""}, "needs level"),
    ("forecast", {"subject": "ring:POL", "level": "150"}, "level: &#39;150&#39; is outside 0 to 100"),
    ("new-records", {"source": ""}, "source: a value is needed"),
    ("cyber", {"subject": "ATLANTIS"}, "unknown country"),
    ("route", {"route": "Eastern Borders Route", "threshold": "100", "ratio": "2"}, "needs both"),
    ("events", {"threshold": "1", "name": ""}, "a rule needs a name"),
])
def test_a_wrong_value_is_shown_beside_the_form_with_the_values_kept(client, kind, fields, words):
    data = {"kind": kind, "name": "kept <b>name</b>", **fields}
    r = client.post("/alerts/rules", data=data, headers={"origin": "http://testserver"}, follow_redirects=False)
    assert r.status_code == 400 and "text/html" in r.headers["content-type"]
    assert 'role="alert"' in r.text and words in r.text and "Traceback" not in r.text
    assert f'name="kind" value="{kind}"' in r.text                       # the same kind's form, again
    if data["name"]:
        assert 'value="kept &lt;b&gt;name&lt;/b&gt;"' in r.text
    assert client.get("/api/v1/alerts/rules").json()["data"] == []


def test_the_form_refuses_a_cross_site_post_and_speaks_polish(client):
    r = client.post("/alerts/rules", data={"kind": "cyber", "name": "x", "subject": "POL"},
                    headers={"origin": "http://evil.example"}, follow_redirects=False)
    assert r.status_code == 403 and client.get("/api/v1/alerts/rules").json()["data"] == []
    r = client.post("/alerts/rules", data={"kind": "cyber", "name": "x", "subject": "POL"}, follow_redirects=False)
    assert r.status_code == 403 and "no Origin" in r.text                  # a form needs this site's page
    assert client.get("/api/v1/alerts/rules").json()["data"] == []
    page = client.get("/alerts?kind=route&lang=pl").text
    assert "Rodzaj reguły" in page and 'name="lang" value="pl"' in page
    r = client.post("/alerts/rules", data={"kind": "cyber", "name": "x", "subject": "POL", "lang": "pl"},
                    headers={"origin": "http://testserver"}, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"].endswith("&lang=pl")


@pytest.mark.parametrize("kind, fields, words", [
    ("forecast", {"subject": "ring:POL", "level": "abc"}, "level: &#39;abc&#39; nie jest liczbą"),
    ("forecast", {"subject": "ring:POL", "level": "", "rise": ""}, "reguła prognozy wymaga pola level"),
    ("cyber", {"subject": "ATLANTIS"}, "nieznany kraj &#39;ATLANTIS&#39;: użyj kodu ISO3"),
    ("events", {"threshold": "1", "name": ""}, "name: reguła wymaga nazwy"),
])
def test_a_wrong_value_is_explained_in_the_pages_language(client, kind, fields, words):
    form = client.get(f"/alerts?kind={kind}&lang=pl").text
    assert 'method="post" action="/alerts/rules?lang=pl"' in form          # the Polish page posts in Polish
    data = {"kind": kind, "name": "a rule", "lang": "pl", **fields}
    r = client.post("/alerts/rules?lang=pl", data=data, headers={"origin": "http://testserver"},
                    follow_redirects=False)
    assert r.status_code == 400 and 'lang="pl"' in r.text
    assert words in r.text, r.text[r.text.find('role="alert"'):][:400]
    api = client.post("/api/v1/alerts/rules", json={"name": "x", "kind": "cyber", "params": {"subject": "ATLANTIS"}})
    assert api.status_code == 400 and "unknown country 'ATLANTIS'" in api.json()["error"]["message"]   # API: English
