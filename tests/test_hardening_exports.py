"""Downloads stream from DuckDB a batch at a time (never a whole table in the server's memory) and only a few run
at once: beyond that, a clear 503 with Retry-After.  The load numbers are in bench/exports.py."""

from __future__ import annotations

import io
import threading

import pandas as pd
import pyarrow.parquet as pq
import pytest
from conftest import demo_copy
from fastapi.testclient import TestClient

from signalfire.web import api
from signalfire.web.app import create_app


@pytest.fixture(scope="module")
def client(tmp_path_factory, demo_template):
    app = create_app(demo_copy(demo_template, tmp_path_factory.mktemp("exports")))    # the demo data: ~4,900 events
    with TestClient(app, base_url="http://127.0.0.1") as c:
        yield c
    app.state.ds.close()


def test_downloads_stream_in_batches(client, monkeypatch):
    ds = client.app.state.ds
    monkeypatch.setattr(api, "EXPORT_BATCH", 500)
    total = client.get("/api/v1/events", params={"limit": 1}).json()["total"]
    assert total > 2000
    for fmt in ("csv", "geojson", "parquet"):
        with client.stream("GET", "/api/v1/events", params={"format": fmt},
                           headers={"Accept-Encoding": "identity"}) as r:
            assert r.status_code == 200 and r.headers["X-Total-Count"] == str(total)
            chunks = list(r.iter_raw())
        body = b"".join(chunks)
        rows = (len(pd.read_csv(io.BytesIO(body))) if fmt == "csv" else pq.read_table(io.BytesIO(body)).num_rows
                if fmt == "parquet" else len(__import__("json").loads(body)["features"]))
        assert rows == total, fmt
        assert len(chunks) >= total // 500, fmt           # one chunk (or more) per batch of 500 rows
    assert ds.exports.acquire(blocking=False)               # every slot was given back
    ds.exports.release()


def test_too_many_downloads_at_once_get_503_with_retry_after(client):
    ds = client.app.state.ds
    taken = 0
    while ds.exports.acquire(blocking=False):                # every slot busy (downloads in flight)
        taken += 1
    try:
        assert taken >= 1
        for url in ("/api/v1/events?format=geojson", "/api/v1/quarantine?format=csv", "/api/v1/ingest-runs?format=csv"):
            r = client.get(url)
            assert r.status_code == 503 and r.headers["Retry-After"] == str(api.EXPORT_RETRY_S), url
            assert "too many downloads" in r.json()["error"]["message"]
        assert client.get("/api/v1/events", params={"limit": 5}).status_code == 200   # JSON pages still answer
    finally:
        for _ in range(taken):
            ds.exports.release()
    assert client.get("/api/v1/events?format=csv&country=UKR").status_code == 200


def test_concurrent_downloads_are_bounded(client):
    """More downloads at once than slots: each is served or refused with 503, none fails, and the slots come back."""
    codes, lock = [], threading.Lock()

    def one(i):
        r = client.get("/api/v1/events", params={"format": ("csv", "geojson")[i % 2]})
        with lock:
            codes.append(r.status_code)
    threads = [threading.Thread(target=one, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert set(codes) <= {200, 503} and 200 in codes
    ds = client.app.state.ds
    assert all(ds.exports.acquire(blocking=False) for _ in range(2))
    ds.exports.release()
    ds.exports.release()
