"""Bad input to the UCDP GED CSV adapter: every record is loaded or quarantined with a reason, never lost."""

from __future__ import annotations

import gzip

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from signalfire.sources import get
from signalfire.sources.base import SourceError
from signalfire.store.ingest import ingest_file
from signalfire.warehouse import Warehouse

ADAPTER = get("ucdp-ged")


@pytest.fixture(scope="module")
def sample_lines():
    path = __import__("conftest").shared_path("ucdp/ged_v23_1_sample1000.csv")
    return path.read_text(encoding="utf-8").splitlines()


def _balanced(result):
    return result.read == result.new + result.updated + result.unchanged + result.quarantined


def _reasons(store):
    return list(store.df("SELECT reason FROM quarantine ORDER BY record_ref").reason)


def test_truncated_file_quarantines_the_cut_line(store, tmp_path, sample_lines):
    text = "\n".join(sample_lines[:11])
    cut = text[: len(text) - 200]  # the last record loses its tail
    path = tmp_path / "ged_truncated.csv"
    path.write_text(cut)
    result = ingest_file(store, ADAPTER, path)
    assert _balanced(result) and result.read == 10
    assert result.new == 9 and result.quarantined == 1
    assert "line 11" in _reasons(store)[0]


def test_truncated_gzip_is_a_clear_error(store, tmp_path, sample_lines):
    data = gzip.compress(("\n".join(sample_lines[:200]) + "\n").encode())
    path = tmp_path / "ged.csv.gz"
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(SourceError, match="ged.csv.gz"):
        ingest_file(store, ADAPTER, path)
    assert store.df("SELECT count(*) AS n FROM events").n[0] == 0


def test_semicolon_resave_reads_the_same(store, tmp_path, sample_lines):
    frame = pd.read_csv(__import__("conftest").shared_path("ucdp/ged_v23_1_sample1000.csv"), dtype=str,
                        keep_default_na=False).head(50)
    path = tmp_path / "ged_semicolon.csv"
    frame.to_csv(path, sep=";", index=False)
    result = ingest_file(store, ADAPTER, path)
    assert (result.read, result.new, result.quarantined) == (50, 50, 0)


def test_rows_with_another_delimiter_are_quarantined(store, tmp_path, sample_lines):
    rows = [line.replace(",", ";") for line in sample_lines[1:4]]
    path = tmp_path / "ged_mixed.csv"
    path.write_text("\n".join([sample_lines[0], sample_lines[4], *rows]) + "\n")
    result = ingest_file(store, ADAPTER, path)
    assert (result.read, result.new, result.quarantined) == (4, 1, 3)
    assert all("too few fields (expected 49)" in r for r in _reasons(store))


def test_not_a_ged_file_is_a_clear_error(store, tmp_path):
    path = tmp_path / "ged_pipe.csv"
    path.write_text("id|year|best\n1|2020|3\n")
    with pytest.raises(SourceError, match=r"ged_pipe.csv, line 1: missing required column\(s\) type_of_violence"):
        ingest_file(store, ADAPTER, path)


def test_latin1_bytes_are_read(store, tmp_path, sample_lines):
    lines = sample_lines[:3]
    lines[1] = lines[1].replace("Rami village", "Rämi village")
    path = tmp_path / "ged_latin1.csv"
    path.write_bytes(("\n".join(lines) + "\n").encode("latin-1"))
    result = ingest_file(store, ADAPTER, path)
    assert result.new == 2
    assert "Rämi village" in set(store.df("SELECT place FROM events").place)


def test_missing_required_columns_named(store, tmp_path, sample_lines):
    header = sample_lines[0].split(",")
    keep = [c for c in header if c not in ("best", "type_of_violence")]
    path = tmp_path / "ged_nobest.csv"
    path.write_text(",".join(keep) + "\n")
    with pytest.raises(SourceError, match=r"missing required column\(s\) type_of_violence, best"):
        ingest_file(store, ADAPTER, path)


@pytest.mark.parametrize("column, value, reason", [
    ("best", "many", "column best: not a number: 'many'"),
    ("best", "-4", "column best: below 0: '-4'"),
    ("best", "2.5", "column best: not a whole number: '2.5'"),
    ("latitude", "95", "column latitude: above 90: '95'"),
    ("date_start", "2013-02-30", "column date_start: not a date: '2013-02-30'"),
    ("type_of_violence", "9", "column type_of_violence: not 1, 2 or 3: '9'"),
    ("country_id", "999", "column country_id: unknown Gleditsch–Ward code '999'"),
    ("id", "", "column id: missing value"),
])
def test_garbage_values_are_quarantined_with_line_and_column(store, tmp_path, sample_lines, column, value, reason):
    header = sample_lines[0].split(",")
    frame = pd.read_csv(__import__("conftest").shared_path("ucdp/ged_v23_1_sample1000.csv"), dtype=str,
                        keep_default_na=False).head(5)
    frame.loc[2, column] = value
    path = tmp_path / "ged_garbage.csv"
    frame[header].to_csv(path, index=False)
    result = ingest_file(store, ADAPTER, path)
    assert _balanced(result) and (result.new, result.quarantined) == (4, 1)
    assert _reasons(store) == [f"ged_garbage.csv, line 4, {reason}"]
    raw = store.df("SELECT raw FROM quarantine").raw[0]
    assert value in raw


def test_oversized_field_is_quarantined_not_fatal(store, tmp_path, sample_lines):
    frame = pd.read_csv(__import__("conftest").shared_path("ucdp/ged_v23_1_sample1000.csv"), dtype=str,
                        keep_default_na=False).head(3)
    frame.loc[1, "source_article"] = "x" * 5_000_000  # over the 4 MB line limit
    path = tmp_path / "ged_huge.csv"
    frame.to_csv(path, index=False)
    result = ingest_file(store, ADAPTER, path)
    assert _balanced(result) and result.read == 3 and result.quarantined == 1
    assert "line 3" in _reasons(store)[0] and "longer than" in _reasons(store)[0]
    assert len(store.df("SELECT raw FROM quarantine").raw[0]) <= 10_000


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(values=st.lists(st.text(alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\r\n\x00"),
                               max_size=12), min_size=4, max_size=4))
def test_any_garbage_never_loses_a_record(tmp_path_factory, values):
    base = __import__("conftest").shared_path("ucdp/ged_v23_1_sample1000.csv")
    frame = pd.read_csv(base, dtype=str, keep_default_na=False).head(4)
    for row, (column, value) in enumerate(zip(["best", "date_start", "latitude", "country_id"], values)):
        frame.loc[row, column] = value
    tmp = tmp_path_factory.mktemp("h")
    path = tmp / "ged_fuzz.csv"
    frame.to_csv(path, index=False)
    with Warehouse(tmp / "h.duckdb") as wh:
        result = ingest_file(wh, ADAPTER, path)
        assert result.read == 4 and _balanced(result)
        assert wh.df("SELECT count(*) AS n FROM events").n[0] == result.new
        assert wh.df("SELECT count(*) AS n FROM quarantine").n[0] == result.quarantined


def test_long_bad_value_is_cut_in_the_reason_but_kept_in_raw(store, tmp_path):
    frame = pd.read_csv(__import__("conftest").shared_path("ucdp/ged_v23_1_sample1000.csv"), dtype=str,
                        keep_default_na=False).head(2)
    frame.loc[1, "best"] = "9x" * 3000
    path = tmp_path / "ged_longvalue.csv"
    frame.to_csv(path, index=False)
    result = ingest_file(store, ADAPTER, path)
    assert (result.new, result.quarantined) == (1, 1)
    reason = _reasons(store)[0]
    assert reason.startswith("ged_longvalue.csv, line 3, column best: not a number: '9x9x")
    assert "(6,000 characters)" in reason and len(reason) < 200
    assert "9x" * 3000 in store.df("SELECT raw FROM quarantine").raw[0]


def test_carriage_return_inside_the_header_is_a_clear_error(store, tmp_path):
    path = tmp_path / "ged_cr.csv"
    path.write_bytes(b"id,\rbest,type_of_violence\n1,2,1\n")
    with pytest.raises(SourceError, match=r"ged_cr.csv, line 1: cannot read the header"):
        ingest_file(store, ADAPTER, path)


def test_a_byte_order_mark_is_read_as_excel_writes_it(store, tmp_path, sample_lines):
    # Excel's "CSV UTF-8" starts the file with a UTF-8 byte-order mark: the header is the same header
    path = tmp_path / "ged_excel.csv"
    path.write_bytes(b"\xef\xbb\xbf" + ("\n".join(sample_lines[:6]) + "\n").encode("utf-8"))
    result = ingest_file(store, ADAPTER, path)
    assert (result.read, result.new, result.quarantined) == (5, 5, 0)
    assert store.df("SELECT count(*) AS n FROM events WHERE source_id IS NOT NULL").n[0] == 5


def test_an_empty_file_says_so(store, tmp_path):
    empty = tmp_path / "ged_empty.csv"
    empty.write_bytes(b"")
    with pytest.raises(SourceError, match="the file is empty"):
        ingest_file(store, ADAPTER, empty)
    assert store.df("SELECT count(*) AS n FROM ingest_runs WHERE status = 'loaded'").n[0] == 0
