"""DNS rebinding and forged consent: the server answers only to its allowed host names, refuses state-changing
requests from other sites' pages, needs an Origin for a consent choice and limits how many a client records."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
import typer
from fastapi.testclient import TestClient
from test_web_support import free_port

from signalfire.web.app import create_app

SITE = "http://127.0.0.1:8000"


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    application = create_app(tmp_path_factory.mktemp("rebind") / "r.duckdb", load_demo=False)
    yield application
    application.state.ds.close()


@pytest.mark.parametrize("host, status", [
    ("127.0.0.1:8000", 200), ("localhost:8000", 200), ("[::1]:8000", 200), ("LOCALHOST", 200),
    ("attacker.example", 400), ("attacker.example:8000", 400), ("127.0.0.1.attacker.example", 400),
    ("localhost@attacker.example", 400), ("[::1", 400), ("", 400)])
def test_only_allowed_host_names_are_served(app, host, status):
    with TestClient(app, base_url=SITE) as client:
        for path in ("/api/v1/sources", "/api/v1/ingest-runs", "/"):
            r = client.get(path, headers={"Host": host})
            assert r.status_code == status, (host, path)
            if status == 400:
                assert "data" not in r.text and "--allowed-host" in r.text or not host
                assert r.headers["X-Content-Type-Options"] == "nosniff"


def test_the_allow_list_is_the_servers(tmp_path):
    application = create_app(tmp_path / "a.duckdb", load_demo=False,
                             allowed_hosts=["127.0.0.1", "localhost", "::1", "analyst.example"])
    try:
        with TestClient(application, base_url=SITE) as client:
            assert client.get("/api/v1/sources", headers={"Host": "analyst.example:8000"}).status_code == 200
            assert client.get("/api/v1/sources", headers={"Host": "testserver"}).status_code == 400
    finally:
        application.state.ds.close()


def test_serve_allowed_host_option(tmp_path):
    from signalfire.web.commands import allowed_hosts
    assert allowed_hosts("127.0.0.1", []) == ["127.0.0.1", "localhost", "::1", "127.0.0.1"]
    assert "::" not in allowed_hosts("::", ["pc.local"]) and "pc.local" in allowed_hosts("::", ["pc.local"])
    with pytest.raises(typer.BadParameter):
        allowed_hosts("127.0.0.1", ["evil.example/path"])
    port = free_port()
    store = tmp_path / "served.duckdb"
    exe = Path(sys.executable).with_name("signalfire")
    proc = subprocess.Popen([str(exe), "serve", "--store", str(store), "--port", str(port), "--no-demo",
                             "--no-forecast", "--allowed-host", "analyst.example"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        def status(host):
            req = urllib.request.Request(f"http://127.0.0.1:{port}/api/v1/sources", headers={"Host": host})
            try:
                with urllib.request.urlopen(req, timeout=5) as r:
                    return r.status
            except urllib.error.HTTPError as exc:
                return exc.code
        deadline = time.time() + 60
        while True:
            try:
                first = status(f"127.0.0.1:{port}")
                break
            except OSError:
                assert time.time() < deadline and proc.poll() is None, "server did not start"
                time.sleep(0.3)
        assert first == 200
        assert status(f"analyst.example:{port}") == 200
        assert status(f"attacker.example:{port}") == 400
        assert status("testserver") == 400              # the test client's name is for in-process apps only
    finally:
        proc.terminate()
        proc.wait(timeout=20)


def _consents(app) -> int:
    with sqlite3.connect(app.state.consent.path) as con:
        return con.execute("SELECT count(*) FROM consent").fetchone()[0]


def test_consent_needs_this_sites_origin(app):
    with TestClient(app, base_url=SITE) as client:
        before = _consents(app)
        r = client.post("/privacy/consent", data={"decision": "accept"}, follow_redirects=False)
        assert r.status_code == 403 and "Origin" in r.text                 # no Origin: refused (was accepted)
        for origin in ("http://attacker.example", "http://attacker.example:8000", "null"):
            r = client.post("/privacy/consent", data={"decision": "accept"}, headers={"Origin": origin},
                            follow_redirects=False)
            assert r.status_code == 403, origin
        assert _consents(app) == before
        r = client.post("/privacy/consent", data={"decision": "refuse"}, headers={"Origin": SITE},
                        follow_redirects=False)
        assert r.status_code == 303
        r = client.post("/privacy/consent", data={"decision": "refuse"}, headers={"Referer": SITE + "/privacy"},
                        follow_redirects=False)
        assert r.status_code == 303                                            # a browser that sends only Referer
        assert _consents(app) == before + 2


def test_other_sites_cannot_post_anywhere(app):
    with TestClient(app, base_url=SITE) as client:
        r = client.post("/api/v1/_internal/ingest", content=b"{}", headers={"Origin": "http://attacker.example"})
        assert r.status_code == 403 and "another site" in r.json()["error"]["message"]


def test_consent_is_rate_limited_per_client(tmp_path):
    application = create_app(tmp_path / "c.duckdb", load_demo=False)
    try:
        with TestClient(application, base_url=SITE) as client:
            codes = [client.post("/privacy/consent", data={"decision": "refuse"}, headers={"Origin": SITE},
                                 follow_redirects=False) for _ in range(25)]
        assert [r.status_code for r in codes] == [303] * 20 + [429] * 5
        assert 1 <= int(codes[-1].headers["Retry-After"]) <= 60
        assert _consents(application) == 20
    finally:
        application.state.ds.close()


def test_rate_limit_window():
    from signalfire.web.privacy import RateLimit
    now = [0.0]
    limit = RateLimit(limit=2, window_s=10, clock=lambda: now[0])
    assert limit.hit("a") is None and limit.hit("a") is None and limit.hit("b") is None
    assert limit.hit("a") == 10
    now[0] = 10.5
    assert limit.hit("a") is None
