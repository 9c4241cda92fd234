"""CSV formula injection: source text that a spreadsheet would run (``=cmd|…``, ``+``, ``-``, ``@``, tab, CR) is
written with a leading apostrophe in every CSV the project writes (API downloads, the CLI), numbers are left
alone, and the published value is recoverable by dropping that one apostrophe."""

from __future__ import annotations

import io

import pandas as pd
import pyarrow as pa
import pytest
from fastapi.testclient import TestClient
from test_hardening_support import FORMULAS, hostile_ged
from typer.testing import CliRunner

from signalfire.reports.export import to_bytes
from signalfire.sources import get
from signalfire.store.ingest import ingest_file
from signalfire.warehouse import Warehouse
from signalfire.web.app import create_app

FORMULA_START = "=+-@\t\r"     # OWASP: a cell starting with one of these is a formula to a spreadsheet


def recovered(cell):
    """The published value of a CSV cell (the documented reverse of the rule)."""
    return cell[1:] if isinstance(cell, str) and cell.startswith("'") else cell


def dangerous(frame: pd.DataFrame) -> list[str]:
    """Text cells a spreadsheet would read as a formula (a number such as -4 is a number)."""
    cells = frame.select_dtypes(include="object").stack()
    return [c for c in cells if isinstance(c, str) and c and c[0] in FORMULA_START and not _number(c)]


def _number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


@pytest.fixture(scope="module")
def hostile(tmp_path_factory):
    folder = tmp_path_factory.mktemp("csv")
    path = folder / "hostile.duckdb"
    with Warehouse(path) as wh:
        assert ingest_file(wh, get("ucdp-ged"), hostile_ged(folder / "ged_hostile.csv")).new == 10
        stored = wh.events(source="ucdp-ged")
    return path, stored


def test_rule_on_a_table():
    cells = [*FORMULAS, "\r=1+1", "'already quoted", "plain", "", None, "a=b", "-"]
    table = pa.table({"text": cells, "number": list(range(-5, len(cells) - 5)),
                      "label": pa.array(["=1"] * len(cells)).dictionary_encode()})
    frame = pd.read_csv(io.BytesIO(to_bytes(table, "csv")), dtype={"text": object, "label": object},
                        keep_default_na=False, na_values=[])
    assert dangerous(frame) == []
    assert frame["number"].tolist() == list(range(-5, len(cells) - 5))     # -5 is a number, not a formula
    assert [recovered(c) for c in frame["text"]] == [c if c is not None else "" for c in cells]
    assert frame["text"].tolist()[:2] == ["'=cmd|' /C calc'!A0", "'+SUM(1,2)"]
    assert frame["text"].iloc[len(FORMULAS) + 1] == "''already quoted"       # so the rule can be reversed
    assert set(frame["label"]) == {"'=1"}


def test_api_downloads_are_safe_and_recoverable(hostile):
    path, stored = hostile
    app = create_app(path, load_demo=False)
    try:
        with TestClient(app, base_url="http://127.0.0.1") as client:
            for url in ("/api/v1/events?format=csv", "/api/v1/events?format=csv&source=ucdp-ged&limit=5"):
                r = client.get(url)
                assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
                frame = pd.read_csv(io.BytesIO(r.content), dtype=str, keep_default_na=False)
                assert len(frame) == 10 and dangerous(frame) == []
                by_id = frame.set_index("source_id")
                for _, event in stored.iterrows():
                    for column in ("actor1", "description"):
                        assert recovered(by_id.loc[str(event.source_id), column]) == (event[column] or "")
                assert pd.to_numeric(frame["fatalities_best"]).notna().all()
    finally:
        app.state.ds.close()


def test_cli_csv_is_safe(hostile, tmp_path):
    path, stored = hostile
    out = tmp_path / "events.csv"
    result = CliRunner().invoke(__import__("signalfire.cli", fromlist=["app"]).app,
                                ["events", "--store", str(path), "--format", "csv", "--output", str(out)])
    assert result.exit_code == 0, result.output
    frame = pd.read_csv(out, dtype=str, keep_default_na=False)
    assert len(frame) == 10 and dangerous(frame) == []
    assert sorted(recovered(c) for c in frame["actor1"]) == sorted(a or "" for a in stored["actor1"])
    assert sum(c.startswith("'") for c in frame["actor1"]) == len(FORMULAS)
