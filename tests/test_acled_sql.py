"""ACLED's SQL plan (``sources/acled_sql.py``) against the row path (the reference): identical events, row hashes,
record references, quarantine rows and run counts, on the invented fixtures in ACLED's layouts, on hostile files
(every value the adapter quarantines, every date and number style it reads, odd countries, malformed lines,
Windows-1252 bytes, gzip, other delimiters) and on ACLED's real extracts when ../shared/data has them.  Also: the
SQL itself accepts the ordinary records (they do not reach the row code) and words the unknown event type."""

from __future__ import annotations

import csv
import gzip
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from signalfire.sources import acled_sql, get
from signalfire.sources.delimited import plain_file
from signalfire.store import fast_ingest
from signalfire.store.ingest import ingest_file
from signalfire.warehouse import Warehouse

ACLED = get("acled")
FIXTURES = Path(__file__).resolve().parent / "fixtures"


def test_the_store_lists_the_plan():
    assert fast_ingest.PLANS["acled"] == "signalfire.sources.acled_sql"
    assert fast_ingest.plan_module(ACLED) == "signalfire.sources.acled_sql"


def _ingest(tmp_path, name, files, mode):
    with Warehouse(tmp_path / f"{name}-{mode}.duckdb") as wh:
        results = [ingest_file(wh, ACLED, f, mode=mode) for f in files]
        events = wh.df("SELECT * EXCLUDE (run_id) FROM events ORDER BY source, source_id")
        quarantine = wh.df("SELECT record_ref, column_name, raw, reason, run_id, file_name FROM quarantine "
                           "ORDER BY run_id, record_ref, reason")
        runs = wh.df("SELECT rows_read, rows_new, rows_updated, rows_unchanged, rows_quarantined, source_version "
                     "FROM ingest_runs ORDER BY run_id")
        revisions = wh.df("SELECT source_id, source_version, fatalities_best, row_hash FROM event_revisions "
                          "ORDER BY source_id, source_version")
    counts = [(r.read, r.new, r.updated, r.unchanged, r.quarantined, r.status) for r in results]
    return counts, events, quarantine, runs, revisions


def _same(tmp_path, name, files):
    """Both paths on the same files (mode 'sql' raises instead of falling back to the row path)."""
    rows = _ingest(tmp_path, name, files, "rows")
    fast = _ingest(tmp_path, name, files, "sql")
    assert rows[0] == fast[0]
    for a, b in zip(rows[1:], fast[1:]):
        pd.testing.assert_frame_equal(a.reset_index(drop=True), b.reset_index(drop=True))
    return rows


def _status(path, by_record=False) -> dict:
    """How the plan's SQL classes the file's records: ok (mapped in SQL), q (reason worded in SQL), s (suspect:
    left to the row code); counts, or each record's class by its place in the file (``by_record``)."""
    plan = acled_sql.plan(path)
    with plain_file(path) as plain:
        scan = fast_ingest._scan_sql(plain, plan)      # numbered here by the records' order in the file
        sql = plan.select(f"SELECT row_number() OVER () - 1 AS seq, * EXCLUDE (seq) FROM ({scan})")
        st = "CASE WHEN _ok THEN 'ok' WHEN _reason IS NOT NULL THEN 'q' ELSE 's' END"
        query = f"SELECT seq, {st} FROM ({sql})" if by_record else f"SELECT {st}, count(*) FROM ({sql}) GROUP BY 1"
        return dict(duckdb.sql(query).fetchall())


def _table(name="acled_export_sample.csv") -> pd.DataFrame:
    return pd.read_csv(FIXTURES / name, dtype=str, keep_default_na=False)


# -- ordinary files: every record mapped by SQL, identical to the row path ---------------------------------------
@pytest.mark.parametrize("name", ["acled_export_sample.csv", "acled_legacy_export_sample.csv"])
def test_fixtures_are_identical_and_mapped_in_sql(tmp_path, name):
    counts, events, quarantine, _runs, _rev = _same(tmp_path, "fx", [FIXTURES / name, FIXTURES / name])
    assert counts[0][4] == 0 and counts[1][-1] == "unchanged" and len(quarantine) == 0
    assert events.row_hash.str.fullmatch("[0-9a-f]{32}").all()
    assert _status(FIXTURES / name) == {"ok": len(_table(name))}


def test_recode_updates_and_keeps_the_revision_identically(tmp_path):
    counts, events, _q, _runs, revisions = _same(
        tmp_path, "recode", [FIXTURES / "acled_export_sample.csv", FIXTURES / "acled_export_recode.csv"])
    assert counts[1][:4] == (2, 0, 1, 1)
    assert list(revisions.source_id) == ["KEN90001"]
    assert events.set_index("source_id").loc["KEN90001", "source_version"] == "2023-04-09T00:26:40Z"


@pytest.mark.parametrize("name", ["acled_ukraine_extract_1000.csv", "acled_argentina_2022-06.csv"])
def test_real_extracts_are_identical_and_mapped_in_sql(tmp_path, shared_data, name):
    """ACLED's API page (dd/mm/yyyy hh:mm:ss dates, extra id/actor_dyad columns) and an R conversion (2022.0)."""
    path = shared_data(f"acled/{name}")
    counts, events, _q, _runs, _rev = _same(tmp_path, "real", [path])
    assert counts[0][1] == len(events) > 300
    assert _status(path) == {"ok": counts[0][0]}


# -- hostile files ------------------------------------------------------------------------------------------------
# (column, value): each row of the hostile file changes one field of a real-layout record (several change more)
ODD = [
    ("fatalities", "abc"), ("fatalities", "-2"), ("fatalities", ""), ("fatalities", "2.0"), ("fatalities", "1e1"),
    ("fatalities", "2.5"), ("fatalities", "99999999999"),
    ("event_date", "2023-02-30"), ("event_date", "yesterday"), ("event_date", "14/03/2023 00:00:00"),
    ("event_date", "14/03/2023 23:59:60"), ("event_date", "14/03/2023"), ("event_date", "14 March 2023"),
    ("event_date", "14 march 2023"), ("event_date", "14 Mar 2023"), ("event_date", "2023-03-14T10:11:12Z"),
    ("event_date", "2023-03-14 10:11:12"), ("event_date", "2023-3-14"), ("event_date", "31/02/2023"),
    ("event_date", " 2023-03-14"), ("year", "1999"), ("year", "2023.0"), ("year", "NA"), ("year", "3000"),
    ("event_type", "Picnic"), ("event_type", "Bob's picnic"), ("event_type", "battles"), ("event_type", "NA"),
    ("event_type", "Battles "), ("event_type", "P" * 90), ("event_type", "Riots/Protests"),
    ("event_type", "Grève"), ("event_id_cnty", ""), ("event_id_cnty", "K" * 65), ("event_id_cnty", " KEN1"),
    ("iso", "999"), ("iso", "404.0"), ("iso", "abc"), ("iso", "-4"), ("iso", "NA"), ("iso", "0"),
    ("country", "Somalia"), ("country", "Narnia"), ("country", "KENYA"), ("country", "ken"),
    ("country", "Côte d'Ivoire"), ("country", "Kenya\u00a0"),
    ("time_precision", "7"), ("time_precision", "2.0"), ("time_precision", ""), ("time_precision", "0"),
    ("geo_precision", "1.5"), ("geo_precision", "3"), ("geo_precision", "NA"),
    ("latitude", "200"), ("latitude", "NA"), ("latitude", "-0.0"), ("latitude", "1e1"), ("latitude", ""),
    ("latitude", "0.00012"), ("longitude", "east"), ("longitude", "-180"), ("longitude", "180.5"),
    ("timestamp", "last tuesday"), ("timestamp", ""), ("timestamp", "1679000000.0"),
    ("timestamp", "2023-03-16 20:53:20"), ("timestamp", "4200000000"), ("timestamp", "-5"),
    ("sub_event_type", ""), ("sub_event_type", "NA"), ("notes", "x" * 50_001), ("notes", "  padded\u00a0"),
    ("notes", 'he said "no", then\nleft'), ("notes", "Tizi Ouzou, près de la côte"), ("actor1", "NULL"),
    ("location", "Córdoba"), ("admin1", "\tLamu"),
]

SQL_READS = {
    ("fatalities", "2.0"), ("event_date", "14/03/2023 00:00:00"), ("event_date", "14/03/2023"),
    ("event_date", "14 March 2023"), ("event_date", "2023-03-14T10:11:12Z"), ("event_date", "2023-03-14 10:11:12"),
    ("year", "2023.0"), ("year", "NA"), ("event_type", "battles"), ("event_type", "Riots/Protests"),
    ("iso", "999"), ("iso", "NA"), ("country", "Narnia"), ("country", "KENYA"), ("country", "ken"),
    ("time_precision", "2.0"), ("time_precision", ""), ("geo_precision", "3"), ("geo_precision", "NA"),
    ("latitude", "NA"), ("latitude", "-0.0"), ("latitude", ""), ("latitude", "0.00012"), ("longitude", "-180"),
    ("timestamp", ""), ("timestamp", "1679000000.0"), ("sub_event_type", ""), ("sub_event_type", "NA"),
    ("notes", 'he said "no", then\nleft'), ("notes", "Tizi Ouzou, près de la côte"), ("actor1", "NULL"),
    ("location", "Córdoba"),
}


def _hostile_frame(copies: int = len(ODD) + 12) -> pd.DataFrame:
    base = _table()
    frame = pd.concat([base] * (copies // len(base) + 1), ignore_index=True).head(copies).copy()
    frame["event_id_cnty"] = [f"{c[:3]}9{i:04d}" for i, c in enumerate(frame["event_id_cnty"])]
    for row, (column, value) in enumerate(ODD):
        frame.loc[row, column] = value
        if column == "country":
            frame.loc[row, "iso"] = "404"                    # names against Kenya's code
    frame.loc[ODD.index(("iso", "0")), "country"] = ""      # Kosovo's code without a name: no country
    n = len(ODD)
    frame.loc[n, ["iso", "country", "event_date", "year"]] = ["891", "", "1991-06-01", "1991"]  # Yugoslavia
    frame.loc[n + 1, ["iso", "country", "event_date", "year"]] = ["891", "", "2001-06-01", "2001"]
    frame.loc[n + 2, "event_id_cnty"] = frame.loc[n + 3, "event_id_cnty"]      # repeated id: the newer is kept
    frame.loc[n + 2, "timestamp"] = "1690000000"
    frame.loc[n + 4, ["iso", "country"]] = ["", "Democratic Republic of Congo"]
    frame.loc[n + 5, ["iso", "country"]] = ["", "Bosnia & Herzegovina"]
    frame.loc[n + 6, "event_type"] = "Strategic Developments"
    return frame


def _write(frame: pd.DataFrame, path: Path, sep=",", encoding="utf-8", extra_lines=True, bom=False) -> Path:
    lines = frame.to_csv(index=False, sep=sep).splitlines(keepends=True)
    if extra_lines:
        lines[10] = lines[10].rstrip("\n") + f"{sep}extra\n"              # too many fields
        lines[20] = lines[20].split(sep, 3)[0] + "\n"                   # too few
    text = ("\ufeff" if bom else "") + "".join(lines)
    data = text.encode(encoding, errors="replace")
    if path.suffix == ".gz":
        data = gzip.compress(data)
    path.write_bytes(data)
    return path


def test_hostile_file_gets_the_row_paths_rows_and_reasons(tmp_path):
    path = _write(_hostile_frame(), tmp_path / "acled_hostile.csv")
    counts, events, quarantine, _runs, _rev = _same(tmp_path, "hostile", [path, path])
    read, new, _u, _n, quarantined, _st = counts[0]
    assert read == len(_hostile_frame()) and read == new + quarantined and counts[1][-1] == "unchanged"
    assert quarantined == len(quarantine[quarantine.run_id == 1]) >= 30
    reasons = " | ".join(quarantine.reason)
    for text in ("too many fields", "too few fields", "duplicate key", "not a date", "unknown ACLED event type: 'Picnic'",
                 "unknown ACLED event type: \"Bob's picnic\"", "is SOM but iso 404 is KEN", "longer than 50000",
                 "not an epoch time", "disagrees with column year"):
        assert text in reasons, text
    ev = events.set_index("source_id")
    assert ev.country_iso3.notna().all() and {"YUG", "SCG", "COD", "BIH"} <= set(ev.country_iso3)
    assert events.description.str.contains("then\nleft", na=False).any()
    # what SQL itself reads (the forms acled_sql documents), what it words, and that the rest reach the row code
    plain = _write(_hostile_frame(), tmp_path / "acled_plain.csv", extra_lines=False)
    status = _status(plain, by_record=True)
    assert {ODD[i] for i, s in status.items() if i < len(ODD) and s == "ok"} == SQL_READS
    assert {ODD[i] for i, s in status.items() if i < len(ODD) and s == "q"} == {("event_type", "Picnic")}
    assert all(s == "ok" for i, s in status.items() if i >= len(ODD))


@pytest.mark.parametrize("variant", ["cp1252-semicolon", "gzip-tab-bom"])
def test_hostile_file_encodings_and_delimiters(tmp_path, variant):
    frame = _hostile_frame()
    if variant == "cp1252-semicolon":
        path = _write(frame, tmp_path / "acled_cp1252.csv", sep=";", encoding="cp1252")
    else:
        path = _write(frame, tmp_path / "acled_tab.tsv.gz", sep="\t", bom=True)
    counts, events, _q, _runs, _rev = _same(tmp_path, variant, [path])
    assert counts[0][0] == len(frame) and events.place.eq("Córdoba").any()


def test_api_layout_with_extra_columns_in_another_order(tmp_path):
    frame = _table()
    frame.insert(0, "id", [str(9_000_000 + i) for i in range(len(frame))])
    frame["actor_dyad"] = frame["actor1"] + " - " + frame["actor2"]
    frame["event_date"] = pd.to_datetime(frame["event_date"]).dt.strftime("%d/%m/%Y 00:00:00")
    frame = frame[list(reversed(frame.columns))]
    path = tmp_path / "acled_api.csv"
    frame.to_csv(path, index=False, quoting=csv.QUOTE_ALL)
    _same(tmp_path, "api", [path])
    assert _status(path) == {"ok": len(frame)}


def test_layouts_without_optional_columns(tmp_path):
    """No iso (names only), no country (codes only: Kosovo's iso 0 is quarantined), no timestamp, no year, no
    precisions or coordinates: the row path's defaults."""
    base = _table()
    cases = {"names": ["iso"], "codes": ["country"],
             "bare": ["timestamp", "year", "time_precision", "geo_precision", "latitude", "longitude",
                      "sub_event_type", "admin1", "notes"]}
    for name, drop in cases.items():
        path = tmp_path / f"acled_{name}.csv"
        base.drop(columns=drop).to_csv(path, index=False)
        counts, _events, quarantine, _runs, _rev = _same(tmp_path, name, [path])
        assert counts[0][4] == (1 if name == "codes" else 0) == len(quarantine)


def test_files_the_plan_leaves_to_the_row_path(tmp_path):
    """A workbook and a file the adapter refuses have no plan (the row path reads or words them)."""
    openpyxl = pytest.importorskip("openpyxl")
    book = openpyxl.Workbook()
    for record in [list(_table().columns), *_table().itertuples(index=False)]:
        book.active.append(list(record))
    xlsx = tmp_path / "acled.xlsx"
    book.save(xlsx)
    assert acled_sql.plan(xlsx) is None
    missing = tmp_path / "acled_missing.csv"
    _table().drop(columns=["fatalities"]).to_csv(missing, index=False)
    assert acled_sql.plan(missing) is None
    with Warehouse(tmp_path / "x.duckdb") as wh:
        result = ingest_file(wh, ACLED, xlsx)            # auto: the row path
        assert (result.read, result.new) == (10, 10)
