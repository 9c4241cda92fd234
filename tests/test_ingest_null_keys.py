"""A record whose key has a NULL part is updated in place on re-ingest, never stored twice; and a store that lacks
a stream table (made before the table existed) gets it at its next writable opening."""

from __future__ import annotations

import pandas as pd

from signalfire.sources.base import Adapter, Batch
from signalfire.store.ingest import ingest_file
from signalfire.warehouse import Warehouse


def _adapter(value: float) -> Adapter:
    def read(path):
        yield Batch(pd.DataFrame({"source": ["t"], "country_a_iso3": ["POL"], "country_b_iso3": [None],
                                  "year": [2020], "measure": ["m"], "value": [value], "record_ref": ["line 2"]}))
    return Adapter(name="t", source="t", table="dyad_year", version="1", formats="test", read=read)


def test_a_null_key_part_is_updated_not_duplicated(tmp_path):
    f1, f2 = tmp_path / "a.csv", tmp_path / "b.csv"
    f1.write_text("one")
    f2.write_text("two")
    with Warehouse(tmp_path / "s.duckdb") as wh:
        assert ingest_file(wh, _adapter(1.0), f1).new == 1
        second = ingest_file(wh, _adapter(2.0), f2)
        assert (second.new, second.updated) == (0, 1)
        rows = wh.con.execute("SELECT value FROM dyad_year").fetchall()
        assert rows == [(2.0,)]


def test_a_missing_stream_table_is_created_at_the_next_opening(tmp_path):
    path = tmp_path / "s.duckdb"
    with Warehouse(path) as wh:
        wh.con.execute("DROP TABLE alert_rules")
    with Warehouse(path) as wh:
        assert wh.con.execute("SELECT count(*) FROM alert_rules").fetchone()[0] == 0
