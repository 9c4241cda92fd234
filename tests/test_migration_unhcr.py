"""UNHCR adapters: the four tidy tables (real files in ../shared/data, totals against pandas) and the Refugee Data
Finder download (a fixture of real UNHCR figures, CC BY 4.0, in the download's layout, with invented faulty lines)."""

from __future__ import annotations

import zipfile

import pandas as pd
import pytest

from signalfire.sources import SourceError, get
from signalfire.store.ingest import ingest_file

RDF = "unhcr_rdf_population.csv"
M = "migration/"


def _ingest(store, name, path):
    result = ingest_file(store, get(name), path)
    assert result.read == result.new + result.updated + result.unchanged + result.quarantined
    return result


def _read_all(name, path):
    batches = list(get(name).read(path))
    rows = pd.concat([b.rows for b in batches], ignore_index=True)
    quarantine = pd.concat([b.quarantine for b in batches], ignore_index=True)
    return rows, quarantine, sum(b.read for b in batches)


def _cells(path, columns):
    """Independent reading: every non-empty value cell of the columns, as numbers."""
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    return frame, {c: pd.to_numeric(frame[c].replace("", None)) for c in columns if c in frame.columns}


@pytest.fixture(scope="module")
def real(tmp_path_factory):
    """A store holding the four real UNHCR tables (one ingest each, shared by the tests of this module)."""
    from conftest import shared_path

    from signalfire.warehouse import Warehouse
    paths = {name: shared_path(M + f"unhcr_{name.replace('unhcr-', '').replace('-', '_')}.csv.gz")
             for name in ("unhcr-population", "unhcr-flows", "unhcr-asylum-applications", "unhcr-asylum-decisions")}
    wh = Warehouse(tmp_path_factory.mktemp("unhcr") / "s.duckdb")
    results = {name: _ingest(wh, name, path) for name, path in paths.items()}
    yield wh, paths, results
    wh.close()


@pytest.mark.slow
@pytest.mark.parametrize("name,columns", [
    ("unhcr-population", ["refugees", "asylum_seekers", "returned_refugees", "idps", "returned_idps", "stateless",
                          "ooc", "oip", "hst"]),
    ("unhcr-flows", ["refugees", "asylum_seekers", "refugee_like", "oip"]),
    ("unhcr-asylum-decisions", ["dec_recognized", "dec_other", "dec_rejected", "dec_closed", "dec_total"]),
])
def test_real_tables_totals_match_pandas(real, name, columns):
    wh, paths, results = real
    _, cells = _cells(paths[name], columns)
    values = sum(int(s.notna().sum()) for s in cells.values())
    result = results[name]
    assert (result.read, result.new, result.quarantined) == (values, values, 0)
    got = wh.df("SELECT split_part(measure, '.', 1) AS m, sum(value) AS v, count(*) AS n FROM dyad_year "
                "WHERE source = ? GROUP BY 1", [get(name).source]).set_index("m")
    for column, series in cells.items():
        assert got.loc[column, "n"] == series.notna().sum()
        assert got.loc[column, "v"] == pytest.approx(series.sum())


@pytest.mark.slow
def test_population_ukrainians_in_poland_and_non_country_codes(real):
    wh, paths, _ = real
    frame = pd.read_csv(paths["unhcr-population"])
    want = frame[(frame.coo_iso == "UKR") & (frame.coa_iso == "POL") & frame.year.between(2022, 2023)]
    got = wh.refugees(origin="UKR", asylum="POL", years=(2022, 2023))
    assert got["year"].tolist() == [2022, 2023]
    assert got["refugees"].tolist() == want.sort_values("year")["refugees"].tolist()
    assert got["asylum_seekers"].tolist() == want.sort_values("year")["asylum_seekers"].tolist()
    # stateless and unknown origins stay in the totals under UNHCR's codes
    stateless = wh.df("SELECT sum(value) AS v FROM dyad_year WHERE source = 'unhcr-population' AND measure = "
                      "'stateless' AND country_a_iso3 = 'XXA'").v[0]
    assert stateless == frame.loc[frame.coo_iso == "XXA", "stateless"].sum() > 0


@pytest.mark.slow
def test_flows_keep_unhcrs_own_codes_as_iso_side(real):
    wh, paths, _ = real
    frame = pd.read_csv(paths["unhcr-flows"], dtype=str, keep_default_na=False)
    odd = frame[frame.coo_iso.isin(["UKN", "STA"])]
    assert len(odd) > 0
    stored = wh.df("SELECT DISTINCT country_a_iso3 AS c FROM dyad_year WHERE source = 'unhcr-flows'").c
    assert not set(stored) & {"UKN", "STA"} and {"UNK", "XXA"} <= set(stored)


@pytest.mark.slow
def test_applications_per_year_match_pandas(real):
    wh, paths, results = real
    frame = pd.read_csv(paths["unhcr-asylum-applications"], dtype=str, keep_default_na=False)
    assert (results["unhcr-asylum-applications"].read, results["unhcr-asylum-applications"].new) == (len(frame),) * 2
    frame["applied"] = pd.to_numeric(frame["applied"])
    frame["year"] = pd.to_numeric(frame["year"]).astype(int)
    want = frame[frame.coa_iso == "POL"].groupby("year")["applied"].sum()
    got = wh.asylum_applications(asylum="POL").groupby("year")["applications"].sum()
    pd.testing.assert_series_equal(got, want, check_names=False, check_index_type=False)
    # the procedure codes are part of the measure ('NA' is a code here, not a missing value)
    measures = set(wh.df("SELECT DISTINCT measure FROM dyad_year WHERE source = 'unhcr-asylum-applications'").measure)
    assert any(m.split(".")[2] == "NA" for m in measures)


@pytest.mark.slow
def test_population_reingest_is_a_noop(real):
    wh, paths, results = real
    again = _ingest(wh, "unhcr-population", paths["unhcr-population"])
    assert (again.new, again.updated, again.status) == (0, 0, "unchanged")
    assert again.unchanged == results["unhcr-population"].new


@pytest.mark.slow
def test_refugee_data_finder_download_same_figures_as_tidy_table(real, fixtures_dir):
    """The download carries the tidy table's figures under the same source and measures: loading it changes
    nothing."""
    wh, _, _ = real
    result = _ingest(wh, "unhcr-refugee-data-finder", fixtures_dir / RDF)
    assert (result.new, result.updated, result.unchanged, result.quarantined) == (0, 0, 79, 3)


# -- the Refugee Data Finder download layout (fixture: always runs) ---------------------------------------------
def test_rdf_fixture_values_dashes_and_quarantine(store, fixtures_dir):
    result = _ingest(store, "unhcr-refugee-data-finder", fixtures_dir / RDF)
    # 9 good lines x 8 values ('-' in oip is no value) + line 26's 7 readable values; 3 quarantined records
    assert (result.read, result.new, result.quarantined) == (82, 79, 3)
    got = store.refugees(origin="UKR", asylum="POL", years=(2022, 2023))
    assert got["refugees"].tolist() == [958147, 955891] and got["oip"].isna().all()
    assert store.df("SELECT count(*) AS n FROM dyad_year WHERE measure = 'oip'").n[0] == 0
    q = store.df("SELECT record_ref, column_name, reason FROM quarantine ORDER BY record_ref")
    assert q.record_ref.tolist() == ["line 25", "line 26", "line 27"]    # line numbers count the metadata block
    assert "unknown ISO 3166 alpha-3 code 'ZZZ'" in q.reason[0]
    assert q.column_name[1] == "Asylum-seekers" and "not a number: 'about 170'" in q.reason[1]
    assert "too few fields" in q.reason[2]
    stateless = store.df("SELECT value FROM dyad_year WHERE country_a_iso3 = 'XXA' AND measure = 'stateless'")
    assert stateless.value.tolist() == [1446]


def test_rdf_zip_download_and_reingest(store, fixtures_dir, tmp_path):
    zipped = tmp_path / "refugee-data-finder.zip"
    with zipfile.ZipFile(zipped, "w") as zf:
        zf.write(fixtures_dir / RDF, "population.csv")
        zf.writestr("footnotes.csv", '"Footnote","Text"\n"1","invented note"\n')
    first = _ingest(store, "unhcr-refugee-data-finder", zipped)
    assert (first.new, first.quarantined) == (79, 3)
    again = _ingest(store, "unhcr-refugee-data-finder", fixtures_dir / RDF)
    assert (again.new, again.updated, again.unchanged) == (0, 0, 79)


def test_wrong_files_are_source_errors(fixtures_dir, tmp_path):
    with pytest.raises(SourceError, match="Country of origin \\(ISO\\)"):
        _read_all("unhcr-refugee-data-finder", fixtures_dir / "gtd_full_layout_sample.csv")
    origin_only = tmp_path / "origin_only.csv"
    origin_only.write_text('"metadata"\nYear,Country of origin,Country of origin (ISO),Refugees under UNHCR\'s '
                           'mandate\n2022,Ukraine,UKR,5\n')
    with pytest.raises(SourceError, match="Country of asylum \\(ISO\\)"):
        _read_all("unhcr-refugee-data-finder", origin_only)
    with pytest.raises(SourceError, match="coo_iso"):
        _read_all("unhcr-population", fixtures_dir / "frontex_sample.csv")
    with pytest.raises(SourceError, match="frontex_sample.csv, line 1: missing required column.*procedure_type"):
        _read_all("unhcr-asylum-applications", fixtures_dir / "frontex_sample.csv")


def test_tidy_bad_values_quarantined_alone(store, tmp_path):
    path = tmp_path / "population.csv"
    path.write_text("year,coo_name,coo,coo_iso,coa_name,coa,coa_iso,refugees,asylum_seekers\n"
                    "2022.0,Ukraine,UKR,UKR,Poland,POL,POL,958147.0,-5\n"
                    "2022.0,Ukraine,UKR,UKR,Nowhere,NWH,QQQ,1.0,2.0\n"
                    "twenty,Ukraine,UKR,UKR,Poland,POL,POL,3.0,\n")
    result = _ingest(store, "unhcr-population", path)
    assert (result.read, result.new, result.quarantined) == (5, 1, 4)
    reasons = store.df("SELECT reason FROM quarantine ORDER BY reason").reason.tolist()
    assert any("column asylum_seekers: negative: '-5'" in r for r in reasons)
    assert sum("'QQQ'" in r for r in reasons) == 2 and any("column year: not a number" in r for r in reasons)
