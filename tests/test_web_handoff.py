"""Ingest while serving: the CLI hands the ingest to the running server, which keeps answering meanwhile."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from conftest import demo_copy
from test_web_support import Server, big_ged_file, hostile_ged_file

from signalfire.web.handoff import handoff_ingest, running_server, server_file, server_url

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def server(tmp_path_factory, demo_template):
    srv = Server(demo_copy(demo_template, tmp_path_factory.mktemp("handoff"), "served.duckdb"))
    yield srv
    srv.stop()
    assert not server_file(srv.store).exists()       # removed on exit


def test_dashboard_answers_during_ingest_and_shows_new_data_after_commit(server, tmp_path):
    before = server.get_json("/api/v1/events?limit=1")["total"]
    big = big_ged_file(tmp_path / "ged_big_v23_1.csv", copies=3)
    info = running_server(server.store)
    assert info and info["port"] == server.port
    job = {}
    worker = threading.Thread(target=lambda: job.update(handoff_ingest(info, "ucdp-ged", [big], poll_s=0.05)))
    worker.start()
    during, latencies = [], []
    while worker.is_alive():
        t0 = time.perf_counter()
        total = server.get_json("/api/v1/events?limit=1")["total"]
        page = server.get_json("/api/v1/countries/summary")     # an aggregate too
        latencies.append(time.perf_counter() - t0)
        if worker.is_alive():
            during.append(total)
            assert page["data"]
        time.sleep(0.05)
    worker.join()
    assert job["status"] == "done", job
    added = job["results"][0]["new"]
    assert added == 3 * 3883
    # the server kept answering while the ingest ran, and readers only ever saw a committed snapshot: the old
    # one until the commit (the client learns of the commit a poll later, so the new total may show up too)
    assert during.count(before) >= 3
    assert set(during) <= {before, before + added}
    assert server.get_json("/api/v1/events?limit=1")["total"] == before + added   # new data after commit
    assert max(latencies) < 5


def test_cli_ingest_hands_off_to_the_running_server(server, tmp_path):
    path = hostile_ged_file(tmp_path / "ged_cli_v23_1.csv", n=2, date="2023-03-02")
    exe = Path(sys.executable).with_name("signalfire")
    out = subprocess.run([str(exe), "ingest", "ucdp-ged", str(path), "--store", str(server.store), "--json"],
                         capture_output=True, text=True, timeout=120, check=False)
    assert out.returncode == 0, out.stderr
    payload = json.loads(out.stdout)
    assert (payload["read"], payload["new"]) == (2, 2)
    latest = server.get_json("/api/v1/events?limit=2")["data"]
    assert {e["date_start"] for e in latest} == {"2023-03-02"}
    # without a live server, a busy store still gives the clear StoreBusy message (not a hang)
    missing = subprocess.run([str(exe), "ingest", "ucdp-ged", str(tmp_path / "nope.csv"), "--store",
                              str(server.store)], capture_output=True, text=True, timeout=60,
                             check=False)
    assert missing.returncode == 2 and "no such file" in missing.stderr


def test_the_handoff_reaches_the_server_on_its_own_address_family():
    assert server_url({"host": "127.0.0.1", "port": 8000}) == "http://127.0.0.1:8000"
    assert server_url({"host": "0.0.0.0", "port": 8000}) == "http://127.0.0.1:8000"
    assert server_url({"host": "::1", "port": 8765}) == "http://[::1]:8765"     # `serve --host ::1`
    assert server_url({"host": "::", "port": 8765}) == "http://[::1]:8765"
