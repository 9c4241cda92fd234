"""Bad input for the ACLED and GTD adapters: every run accounts for every record, only SourceError escapes."""

from __future__ import annotations

import csv
import gzip
import io
import zipfile

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from signalfire.sources import SourceError, get
from signalfire.store.ingest import ingest_file

ACLED = "acled_export_sample.csv"
GTD = "gtd_full_layout_sample.csv"


def _table(fixtures_dir, name) -> pd.DataFrame:
    return pd.read_csv(fixtures_dir / name, dtype=str, keep_default_na=False)


def _write(path, frame: pd.DataFrame, **kw):
    frame.to_csv(path, index=False, **kw)
    return path


def _read_all(adapter, path):
    """(rows, quarantine, read) over all batches, checking each batch's accounting."""
    rows, quarantine, read = [], [], 0
    for batch in get(adapter).read(path):
        assert batch.read == len(batch.rows) + len(batch.quarantine)
        rows.append(batch.rows)
        quarantine.append(batch.quarantine)
        read += batch.read
    return pd.concat(rows, ignore_index=True), pd.concat(quarantine, ignore_index=True), read


def _ingest(store, adapter, path):
    result = ingest_file(store, get(adapter), path)
    assert result.read == result.new + result.updated + result.unchanged + result.quarantined
    return result


# -- damaged files -----------------------------------------------------------------------------------------------
@pytest.mark.parametrize("adapter,name", [("acled", ACLED), ("gtd", GTD)])
def test_truncated_file_quarantines_the_cut_record(store, fixtures_dir, tmp_path, adapter, name):
    text = (fixtures_dir / name).read_text(encoding="utf-8")
    lines = text.splitlines(keepends=True)
    cut = tmp_path / name
    # stop in the middle of the 7th record (line 8): too few fields, or an unterminated quote
    partial = lines[7][: len(lines[7]) // 2]
    cut.write_text("".join(lines[:7]) + partial, encoding="utf-8")
    result = _ingest(store, adapter, cut)
    assert (result.read, result.new, result.quarantined) == (7, 6, 1)
    reason = store.df("SELECT reason FROM quarantine").reason[0]
    assert f"{name}, line 8" in reason


@pytest.mark.parametrize("adapter,name", [("acled", ACLED), ("gtd", GTD)])
@pytest.mark.parametrize("sep", [";", "\t"])
def test_other_delimiters_read_the_same(fixtures_dir, tmp_path, adapter, name, sep):
    frame = _table(fixtures_dir, name)
    path = _write(tmp_path / name, frame, sep=sep)
    rows, quarantine, read = _read_all(adapter, path)
    base, _, _ = _read_all(adapter, fixtures_dir / name)
    assert (read, len(quarantine)) == (len(frame), 0)
    pd.testing.assert_frame_equal(rows.drop(columns="record_ref"), base.drop(columns="record_ref"))


def test_a_file_that_is_not_delimited_is_a_source_error(tmp_path):
    path = tmp_path / "notes.txt"
    path.write_text("This is not a CSV file at all\nJust words\n", encoding="utf-8")
    for adapter in ("acled", "gtd"):
        with pytest.raises(SourceError, match="no field delimiter"):
            _read_all(adapter, path)
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    with pytest.raises(SourceError):
        _read_all("acled", empty)


def test_a_headerless_file_is_named_as_such(tmp_path):
    # a GDELT-style file (no header; tab-separated numbers and codes) given to adapters whose files have a header
    path = tmp_path / "20160728.export.tsv"
    rows = ["5\t20160728\t1\t1\tUSA\t38.8973\t-77.0083\t1\t1\t010"] * 3
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    for adapter in ("acled", "ucdp-ged"):
        with pytest.raises(SourceError, match="line 1 looks like data, not a header"):
            _read_all(adapter, path)


def test_wrong_delimiter_gives_missing_columns_not_a_crash(fixtures_dir, tmp_path):
    # a semicolon file whose header happens to hold more commas than semicolons
    frame = _table(fixtures_dir, ACLED)
    frame.columns = [c.replace("_", ",") for c in frame.columns]
    path = _write(tmp_path / "odd.csv", frame, sep=";", quoting=csv.QUOTE_NONE, escapechar="\\")
    with pytest.raises(SourceError, match="missing required column"):
        _read_all("acled", path)


def test_windows_1252_bytes_are_transcoded(store, fixtures_dir, tmp_path):
    frame = _table(fixtures_dir, ACLED)
    frame.loc[9, "location"] = "Córdoba"
    frame.loc[9, "notes"] = "Bus drivers’ rally in Córdoba – invented"
    path = _write(tmp_path / "acled_cp1252.csv", frame, encoding="cp1252")
    result = _ingest(store, "acled", path)
    assert (result.new, result.quarantined) == (10, 0)
    ev = store.df("SELECT place, description FROM events WHERE source_id = 'ARG90010'")
    assert (ev.place[0], ev.description[0]) == ("Córdoba", "Bus drivers’ rally in Córdoba – invented")


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-be"])
def test_utf16_is_a_clear_source_error(fixtures_dir, tmp_path, encoding):
    path = _write(tmp_path / "acled_utf16.csv", _table(fixtures_dir, ACLED), encoding=encoding)
    with pytest.raises(SourceError, match="UTF-16"):
        _read_all("acled", path)


def test_gzip_and_zip_load(fixtures_dir, tmp_path):
    raw = (fixtures_dir / GTD).read_bytes()
    gz = tmp_path / "gtd.csv.gz"
    gz.write_bytes(gzip.compress(raw))
    zipped = tmp_path / "gtd.zip"
    with zipfile.ZipFile(zipped, "w") as zf:
        zf.writestr("globalterrorismdb_0522dist.csv", raw)
    for path in (gz, zipped):
        rows, quarantine, read = _read_all("gtd", path)
        assert (read, len(rows), len(quarantine)) == (10, 10, 0)


def test_header_only_file_reads_nothing(store, fixtures_dir, tmp_path):
    path = tmp_path / "acled_header.csv"
    path.write_text((fixtures_dir / ACLED).read_text(encoding="utf-8").splitlines()[0] + "\n", encoding="utf-8")
    result = _ingest(store, "acled", path)
    assert (result.read, result.new, result.quarantined) == (0, 0, 0)


# -- missing columns ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize("column", ["event_id_cnty", "event_date", "event_type", "fatalities"])
def test_acled_missing_required_column_names_it(fixtures_dir, tmp_path, column):
    path = _write(tmp_path / "acled.csv", _table(fixtures_dir, ACLED).drop(columns=[column]))
    with pytest.raises(SourceError, match=f"line 1: missing required column\\(s\\) {column}"):
        _read_all("acled", path)


def test_acled_needs_some_country_column(fixtures_dir, tmp_path):
    frame = _table(fixtures_dir, ACLED).drop(columns=["iso", "country"])
    with pytest.raises(SourceError, match="iso or country"):
        _read_all("acled", _write(tmp_path / "acled.csv", frame))
    # either one alone is enough, but Kosovo (ACLED iso 0) needs its name
    frame = _table(fixtures_dir, ACLED).drop(columns=["iso"])
    rows, quarantine, _read = _read_all("acled", _write(tmp_path / "acled_names.csv", frame))
    assert (len(rows), len(quarantine)) == (10, 0)
    frame = _table(fixtures_dir, ACLED).drop(columns=["country"])
    rows, quarantine, _read = _read_all("acled", _write(tmp_path / "acled_codes.csv", frame))
    assert (len(rows), len(quarantine)) == (9, 1)
    assert "line 9, column iso: unknown ISO 3166 numeric code '0'" in quarantine.reason[0]


@pytest.mark.parametrize("column,message", [("eventid", "eventid"), ("country_txt", "country_txt")])
def test_gtd_missing_required_column_names_it(fixtures_dir, tmp_path, column, message):
    path = _write(tmp_path / "gtd.csv", _table(fixtures_dir, GTD).drop(columns=[column]))
    with pytest.raises(SourceError, match=f"line 1: missing required column\\(s\\) {message}"):
        _read_all("gtd", path)


def test_gtd_numeric_country_alone_is_explained(fixtures_dir, tmp_path):
    path = _write(tmp_path / "gtd.csv", _table(fixtures_dir, GTD).drop(columns=["country_txt"]))
    with pytest.raises(SourceError, match="START's own code list"):
        _read_all("gtd", path)


# -- garbage values ----------------------------------------------------------------------------------------------
ACLED_GARBAGE = [
    ("fatalities", "abc", "not a number: 'abc'"),
    ("fatalities", "-2", "below 0"),
    ("fatalities", "", "missing value"),
    ("event_date", "2023-02-30", "not a date"),
    ("event_date", "yesterday", "not a date"),
    ("year", "1999", "disagrees with column year"),
    ("event_type", "Picnic", "unknown ACLED event type: 'Picnic'"),
    ("event_id_cnty", "", "missing value"),
    ("iso", "999", "unknown ISO 3166 numeric code '999' and unknown country name 'Narnia'"),
    ("country", "Narnia", "unknown country name 'Narnia'"),
    ("time_precision", "7", "above 3"),
    ("geo_precision", "1.5", "not a whole number"),
    ("latitude", "200", "above 90"),
    ("longitude", "east", "not a number"),
    ("timestamp", "last tuesday", "not an epoch time"),
]


@pytest.mark.parametrize("column,value,message", ACLED_GARBAGE)
def test_acled_garbage_is_quarantined_naming_line_and_column(store, fixtures_dir, tmp_path, column, value,
                                                             message):
    frame = _table(fixtures_dir, ACLED)
    frame.loc[3, column] = value  # line 5 of the file
    if column == "country":
        frame.loc[3, "iso"] = ""  # the name is then all there is
    if column == "iso":
        frame.loc[3, "country"] = "Narnia"  # an unknown code with a known name falls back to the name
    result = _ingest(store, "acled", _write(tmp_path / "acled_bad.csv", frame))
    assert (result.read, result.new, result.quarantined) == (10, 9, 1)
    q = store.df("SELECT * FROM quarantine")
    column = {"year": "event_date"}.get(column, column)  # the date is what disagrees with the year
    assert q.record_ref[0] == "line 5" and q.column_name[0] == column
    assert q.reason[0].startswith(f"acled_bad.csv, line 5, column {column}: ")
    assert message in q.reason[0]
    assert frame.loc[3, "event_id_cnty"] in q.raw[0] or column == "event_id_cnty"


def test_acled_iso_and_name_that_disagree_are_quarantined(store, fixtures_dir, tmp_path):
    frame = _table(fixtures_dir, ACLED)
    frame.loc[0, "country"] = "Somalia"
    _ingest(store, "acled", _write(tmp_path / "acled_bad.csv", frame))
    reason = store.df("SELECT reason FROM quarantine").reason[0]
    assert "line 2, column country: is SOM but iso 404 is KEN: 'Somalia'" in reason


GTD_GARBAGE = [
    ("eventid", "2.01905E+11", "not a GTD event id"),
    ("eventid", "", "missing value"),
    ("iyear", "", "missing value"),
    ("imonth", "13", "above 12"),
    ("iday", "x", "not a number"),
    ("iday", "31", "not a calendar date"),       # 2019-05-31 is fine, see the row chosen below
    ("country_txt", "Atlantis", "unknown country name 'Atlantis'"),
    ("nkill", "-5", "below 0"),
    ("nkill", "many", "not a number"),
    ("latitude", "-91", "below -90"),
    ("specificity", "9", "above 5"),
    ("resolution", "soon", "not a date"),
]


@pytest.mark.parametrize("column,value,message", GTD_GARBAGE)
def test_gtd_garbage_is_quarantined_naming_line_and_column(store, fixtures_dir, tmp_path, column, value,
                                                           message):
    frame = _table(fixtures_dir, GTD)
    row = 3  # line 5: 201906200004, June 2019 (31 June does not exist)
    frame.loc[row, column] = value
    result = _ingest(store, "gtd", _write(tmp_path / "gtd_bad.csv", frame))
    assert (result.read, result.new, result.quarantined) == (10, 9, 1)
    q = store.df("SELECT * FROM quarantine")
    assert q.record_ref[0] == "line 5" and q.column_name[0] == column
    assert q.reason[0].startswith(f"gtd_bad.csv, line 5, column {column}: ") and message in q.reason[0]


def test_gtd_date_from_eventid_when_date_parts_are_absent(fixtures_dir, tmp_path):
    frame = _table(fixtures_dir, GTD).drop(columns=["iyear", "imonth", "iday", "extended", "resolution"])
    frame.loc[0, "eventid"] = "201902300001"  # 30 February
    rows, quarantine, read = _read_all("gtd", _write(tmp_path / "gtd_ids.csv", frame))
    assert (read, len(rows), len(quarantine)) == (10, 9, 1)
    assert "column eventid: not a calendar date: 2019-2-30" in quarantine.reason[0]
    rows = rows.set_index("source_id")
    assert rows.loc["201905000002", "date_precision"] == "month"
    assert str(rows.loc["201905000002", "date_end"]) == "2019-05-31"
    assert rows.loc["201900000003", "date_precision"] == "year"


def test_duplicate_ids_within_a_file_are_quarantined(store, fixtures_dir, tmp_path):
    frame = _table(fixtures_dir, ACLED)
    frame = pd.concat([frame, frame.iloc[[2]]], ignore_index=True)
    result = _ingest(store, "acled", _write(tmp_path / "acled_dup.csv", frame))
    assert (result.read, result.new, result.quarantined) == (11, 10, 1)
    assert "duplicate key" in store.df("SELECT reason FROM quarantine").reason[0]


# -- oversized fields --------------------------------------------------------------------------------------------
def test_oversized_fields_are_quarantined(store, fixtures_dir, tmp_path):
    frame = _table(fixtures_dir, ACLED)
    frame.loc[1, "notes"] = "x" * 60_000          # over the adapter's 50,000-character limit
    frame.loc[2, "notes"] = "y" * 4_500_000       # over the reader's 4 MB line limit
    frame.loc[3, "event_id_cnty"] = "K" * 100
    result = _ingest(store, "acled", _write(tmp_path / "acled_big.csv", frame))
    assert (result.read, result.new, result.quarantined) == (10, 7, 3)
    q = store.df("SELECT record_ref, reason, length(raw) AS n FROM quarantine ORDER BY record_ref")
    reasons = dict(zip(q.record_ref, q.reason))
    assert "line 3, column notes: longer than 50000 characters" in reasons["line 3"]
    assert "line 4: line longer than" in reasons["line 4"]
    assert "line 5, column event_id_cnty: longer than 64 characters" in reasons["line 5"]
    assert q.n.max() <= 10_000  # raw text is truncated in the quarantine


# -- property: any value in any cell --------------------------------------------------------------------------
_cells = st.one_of(st.text(max_size=40), st.sampled_from(["", "NA", "-99", "-999", "1e309", "nan", "0x1F", "１２",
                                                          "2023-13-45", "\"", "a,b", "\n", "9" * 30]))


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_any_cell_value_is_read_or_quarantined(fixtures_dir, tmp_path, data):
    adapter, name = data.draw(st.sampled_from([("acled", ACLED), ("gtd", GTD)]))
    frame = _table(fixtures_dir, name)
    for _ in range(data.draw(st.integers(1, 4))):
        row = data.draw(st.integers(0, len(frame) - 1))
        column = data.draw(st.sampled_from(list(frame.columns)))
        frame.loc[row, column] = data.draw(_cells)
    buffer = io.StringIO()
    frame.to_csv(buffer, index=False)
    path = tmp_path / f"prop_{adapter}.csv"
    path.write_text(buffer.getvalue(), encoding="utf-8")
    try:
        rows, quarantine, read = _read_all(adapter, path)
    except SourceError:
        return
    assert read == len(rows) + len(quarantine)
    assert read >= len(frame) - 1  # a stray newline may split or merge lines, never lose a record silently
    assert quarantine["reason"].str.contains(path.name).all()
    assert rows["source_id"].notna().all() and rows["date_start"].notna().all()
    assert rows["country_iso3"].notna().all()


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(blob=st.binary(max_size=2000))
def test_arbitrary_bytes_never_crash(tmp_path, blob):
    path = tmp_path / "blob.csv"
    path.write_bytes(blob)
    for adapter in ("acled", "gtd"):
        try:
            rows, quarantine, read = _read_all(adapter, path)
        except SourceError:
            continue
        assert read == len(rows) + len(quarantine)


# -- Excel workbooks (START publishes the GTD as .xlsx) ---------------------------------------------------------
def _workbook(frame: pd.DataFrame, path, extra_rows=()):
    openpyxl = pytest.importorskip("openpyxl")
    import datetime as dt
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(list(frame.columns))
    for record in frame.itertuples(index=False):
        cells = []
        for name, value in zip(frame.columns, record):
            if name == "resolution" and value:
                cells.append(dt.datetime.strptime(value, "%Y-%m-%d"))  # Excel keeps dates as dates
            else:
                try:
                    number = float(value)
                    cells.append(int(number) if number.is_integer() and "." not in value else number)
                except ValueError:
                    cells.append(value or None)
        sheet.append(cells)
    for row in extra_rows:
        sheet.append(row)
    book.save(path)
    return path


@pytest.mark.parametrize("adapter,name", [("acled", ACLED), ("gtd", GTD)])
def test_xlsx_reads_like_the_csv(fixtures_dir, tmp_path, adapter, name):
    frame = _table(fixtures_dir, name)
    path = _workbook(frame, tmp_path / name.replace(".csv", ".xlsx"))
    rows, quarantine, read = _read_all(adapter, path)
    base, _, _ = _read_all(adapter, fixtures_dir / name)
    assert (read, len(quarantine)) == (10, 0)
    assert list(rows.record_ref[:2]) == ["row 2", "row 3"]
    pd.testing.assert_frame_equal(rows.drop(columns="record_ref"), base.drop(columns="record_ref"))


def test_xlsx_blank_rows_skipped_and_overlong_rows_quarantined(store, fixtures_dir, tmp_path):
    frame = _table(fixtures_dir, GTD)
    width = len(frame.columns)
    overlong = ["201901010099", 2019, 1, 1] + [None] * (width - 4) + ["stray"]
    bad_value = ["201901020098", 2019, 1, 2, None, 0, None, 153, "Pakistan"] + [None] * (width - 10) + [None]
    bad_value[frame.columns.get_loc("nkill")] = "lots"
    path = _workbook(frame, tmp_path / "globalterrorismdb_0522dist.xlsx",
                     extra_rows=[[None] * width, overlong, bad_value])
    result = _ingest(store, "gtd", path)
    assert (result.read, result.new, result.quarantined, result.source_version) == (12, 10, 2, "2022-05")
    q = store.df("SELECT record_ref, column_name, reason FROM quarantine ORDER BY record_ref")
    assert list(q.record_ref) == ["row 13", "row 14"]  # row 12 was blank
    assert "row 13: too many fields" in q.reason[0]
    assert q.reason[1].startswith("globalterrorismdb_0522dist.xlsx, row 14, column nkill: not a number: 'lots'")


def test_damaged_xlsx_is_a_source_error(fixtures_dir, tmp_path):
    path = _workbook(_table(fixtures_dir, GTD), tmp_path / "gtd.xlsx")
    data = path.read_bytes()
    damaged = tmp_path / "gtd_damaged.xlsx"
    damaged.write_bytes(data[: len(data) // 2] + data[-200:])  # still looks like a zip, members are broken
    with pytest.raises(SourceError):
        _read_all("gtd", damaged)
