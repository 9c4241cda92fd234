"""Bad input to the GDELT adapter: every line is loaded or quarantined with a reason naming line and column."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from signalfire.sources import get
from signalfire.sources.base import SourceError
from signalfire.sources.gdelt import LAYOUTS
from signalfire.store.ingest import ingest_file
from signalfire.warehouse import Warehouse

ADAPTER = get("gdelt")
V2 = LAYOUTS[61]


@pytest.fixture(scope="module")
def lines(request):
    from conftest import FIXTURES
    return (FIXTURES / "gdelt_v2_20220301.export.CSV").read_text(encoding="utf-8").splitlines()


def _balanced(result):
    return result.read == result.new + result.updated + result.unchanged + result.quarantined


def _quarantine(store):
    return store.df("SELECT record_ref, column_name, reason FROM quarantine ORDER BY record_ref")


def _set(line: str, column: str, value: str) -> str:
    parts = line.split("\t")
    parts[V2.index(column)] = value
    return "\t".join(parts)


def _write(tmp_path, lines, name="bad.export.CSV", encoding="utf-8"):
    path = tmp_path / name
    path.write_bytes(("\n".join(lines) + "\n").encode(encoding))
    return path


def test_truncated_last_line(store, tmp_path, lines):
    text = "\n".join(lines[:5])
    path = tmp_path / "cut.export.CSV"
    path.write_text(text[: len(text) - 60])  # the last record loses its tail (and some fields)
    result = ingest_file(store, ADAPTER, path)
    assert _balanced(result) and result.read == 5 and result.new == 4 and result.quarantined == 1
    q = _quarantine(store)
    assert q.record_ref.tolist() == ["line 5"] and "too few fields (expected 61)" in q.reason[0]


def test_wrong_delimiter_is_a_clear_error(store, tmp_path, lines):
    path = _write(tmp_path, [ln.replace("\t", ",") for ln in lines])
    with pytest.raises(SourceError, match=r"line 1: \d+ tab-separated fields"):
        ingest_file(store, ADAPTER, path)
    assert store.df("SELECT count(*) AS n FROM events").n[0] == 0


def test_line_with_other_delimiter_is_quarantined(store, tmp_path, lines):
    path = _write(tmp_path, [lines[0], lines[1].replace("\t", ";"), *lines[2:]])
    result = ingest_file(store, ADAPTER, path)
    assert _balanced(result) and result.quarantined == 2  # the ';' line and the no-location line
    assert "line 2: too few fields" in _quarantine(store).reason[0]


@pytest.mark.parametrize("extra", [1, -1, 3])
def test_wrong_field_count(store, tmp_path, lines, extra):
    parts = lines[2].split("\t")
    bad = "\t".join(parts + ["x"] * extra) if extra > 0 else "\t".join(parts[:extra])
    result = ingest_file(store, ADAPTER, _write(tmp_path, [lines[0], lines[1], bad, lines[3]]))
    assert _balanced(result) and (result.new, result.quarantined) == (3, 1)
    reason = _quarantine(store).reason[0]
    assert "line 3" in reason and ("too many fields" in reason if extra > 0 else "too few fields" in reason)


def test_latin1_bytes_are_read(store, tmp_path, lines):
    path = _write(tmp_path, [_set(lines[0], "Actor1Name", "SÃO TOMÉ"), *lines[1:]], encoding="latin-1")
    result = ingest_file(store, ADAPTER, path)
    assert _balanced(result) and result.new == 5
    actor = store.df("SELECT actor1 FROM events WHERE source_id = '1100000001'").actor1[0]
    assert actor == "SÃO TOMÉ"


@pytest.mark.parametrize("column,value,expect", [
    ("SQLDATE", "20221341", "column SQLDATE: not a date: '20221341'"),
    ("SQLDATE", "yesterday", "column SQLDATE: not a date"),
    ("SQLDATE", "", "column SQLDATE: missing value"),
    ("ActionGeo_Lat", "north", "column ActionGeo_Lat: not a latitude"),
    ("ActionGeo_Lat", "95.5", "column ActionGeo_Lat: not a latitude in -90..90: '95.5'"),
    ("ActionGeo_Long", "-181", "column ActionGeo_Long: not a longitude"),
    ("ActionGeo_Long", "1e999", "column ActionGeo_Long: not a longitude"),
    ("GLOBALEVENTID", "12a", "column GLOBALEVENTID: not a whole number"),
    ("EventRootCode", "27", "column EventRootCode: not a CAMEO root code"),
    ("ActionGeo_CountryCode", "QQ", "column ActionGeo_CountryCode: unknown FIPS 10-4 code 'QQ'"),
    ("DATEADDED", "2022-03-01", "column DATEADDED: not YYYYMMDD"),
])
def test_garbage_values_are_quarantined(store, tmp_path, lines, column, value, expect):
    path = _write(tmp_path, [lines[0], _set(lines[1], column, value), *lines[2:]])
    result = ingest_file(store, ADAPTER, path)
    assert _balanced(result) and result.new == 4 and result.quarantined == 2
    q = _quarantine(store)
    row = q[q.record_ref == "line 2"].iloc[0]
    assert expect in row.reason and row.reason.startswith("bad.export.CSV, line 2, ")
    assert row.column_name == column


def test_oversized_field(store, tmp_path, lines):
    huge = _set(lines[1], "SOURCEURL", "https://example.org/" + "a" * 5_000_000)
    result = ingest_file(store, ADAPTER, _write(tmp_path, [lines[0], huge, *lines[2:]]))
    assert _balanced(result) and result.new == 4 and result.quarantined == 2
    q = _quarantine(store)
    assert "line 2: line longer than" in q[q.record_ref == "line 2"].reason.iloc[0]


def test_duplicate_event_id_is_quarantined(store, tmp_path, lines):
    result = ingest_file(store, ADAPTER, _write(tmp_path, [lines[0], lines[0], *lines[1:]]))
    assert _balanced(result) and result.new == 5 and result.quarantined == 2
    assert "duplicate key" in " ".join(_quarantine(store).reason)


FIELD = st.sampled_from([c for c in V2 if c not in ("SOURCEURL",)])
JUNK = st.text(alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\t\r\n\x00"),
               max_size=12)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(edits=st.lists(st.tuples(st.integers(0, 5), FIELD, JUNK), min_size=1, max_size=6),
       cut=st.integers(0, 400))
def test_random_damage_is_accounted(tmp_path_factory, lines, edits, cut):
    damaged = list(lines)
    for i, col, val in edits:
        damaged[i] = _set(damaged[i], col, val)
    text = "\n".join(damaged) + "\n"
    text = text[: len(text) - cut] if cut < len(text) - len(damaged[0]) else text
    tmp = tmp_path_factory.mktemp("gd")
    path = tmp / "fuzz.export.CSV"
    path.write_text(text, encoding="utf-8")
    with Warehouse(tmp / "s.duckdb") as wh:
        result = ingest_file(wh, ADAPTER, path)
        assert _balanced(result)
        stored = wh.df("SELECT count(*) AS n FROM events").n[0]
        assert stored == result.new
        reasons = wh.df("SELECT reason FROM quarantine").reason
        assert all(r.startswith("fuzz.export.CSV, line ") for r in reasons)
