"""Record ids that hold a ``/`` (ACLED's ``event_id_cnty`` is free text) load and can be looked up."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from fastapi.testclient import TestClient

from signalfire.sources import get
from signalfire.store.ingest import ingest_file
from signalfire.warehouse import Warehouse
from signalfire.web.app import create_app

FIXTURES = Path(__file__).resolve().parent / "fixtures"
IDS = ["KEN90001/2", "KEN/90002/", "KEN 90003/a b"]


@pytest.fixture(scope="module")
def client(tmp_path_factory):
    folder = tmp_path_factory.mktemp("ids")
    rows = pd.read_csv(FIXTURES / "acled_export_sample.csv", dtype=str, keep_default_na=False).head(3)
    rows["event_id_cnty"] = IDS
    rows.to_csv(folder / "acled_slash.csv", index=False)
    with Warehouse(folder / "ids.duckdb") as wh:
        assert ingest_file(wh, get("acled"), folder / "acled_slash.csv").new == 3
    app = create_app(folder / "ids.duckdb", load_demo=False)
    with TestClient(app, base_url="http://127.0.0.1") as c:
        yield c
    app.state.ds.close()


@pytest.mark.parametrize("source_id", IDS)
def test_an_id_with_a_slash_can_be_looked_up(client, source_id):
    from urllib.parse import quote
    for path in (quote(source_id, safe="/"), quote(source_id, safe="")):   # as written, and fully encoded
        r = client.get(f"/api/v1/events/acled/{path}")
        assert r.status_code == 200, (path, r.text)
        assert r.json()["event"]["source_id"] == source_id


def test_an_unknown_id_is_still_a_404(client):
    r = client.get("/api/v1/events/acled/KEN90001/3")
    assert r.status_code == 404 and "no event acled/KEN90001/3" in r.json()["error"]["message"]
