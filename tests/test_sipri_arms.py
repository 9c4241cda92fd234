"""SIPRI arms transfers (TIV per period, into country_year) and the SIPRI Top 100 (arms_company_year): the real
workbooks (skipped when absent: SIPRI may not be redistributed) checked against an independent pandas reading;
always-on tests on workbooks written here in SIPRI's exact layouts (invented numbers): bad rows quarantined with
reasons, the swapped-header rule, re-ingest a no-op, and the REST API equal to the Python API."""

from __future__ import annotations

import re

import openpyxl
import pandas as pd
import pytest
from fastapi.testclient import TestClient

from signalfire.sources import SourceError, get
from signalfire.store.ingest import ingest_file
from signalfire.web.streams.crises import records

HOSTILE = "<script>window.__xss=1</script>"
EXPORTS = "Arms exports (SIPRI trend indicator values)"
IMPORTS = "Arms imports (SIPRI trend indicator values)"
PERIODS = ["1991-2003", "2004-2009", "2010-2019", "2020-2023"]


def transfers_workbook(path):
    """The layout of arms-import-export-91-23.xlsx: title rows, an exports block with net exports, a second header
    whose 2010-2019 ($)/(%) labels are swapped, an imports block; invented numbers."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Sheet1"
    ws.append([None] * 15)
    ws.append([None, None, None, "Totals"])
    ws.append([None, None, None, "Post-Sov", None, "Interbellums", None, "Arab Spring", None, "Global Escalation"])
    head = ["Country Name", "Country Code", "Indicator Name"]
    money = [c for p in PERIODS for c in (f"{p}($)", f"{p}(%)")]
    ws.append(head + money + [f"Net Export {p}($)" for p in PERIODS])
    ws.append(["Poland", "POL", EXPORTS, 800e6, 0.003, 600e6, 0.004, 300e6, 0.001, 900e6, 0.008,
               -500e6, -1900e6, -1200e6, -1000e6])
    ws.append(["Korea, Dem. People's Rep.", "PRK", EXPORTS, 880e6, 0.0029, 120e6, "n/a", 7e6, 0.00002, 13e6,
               0.0001, -465e6, 92e6, 6e6, 13e6])
    ws.append(["World", "WLD", EXPORTS, 300e9, 1, 140e9, 1, 280e9, 1, 110e9, None, 0, 0, 0, 0])
    ws.append([None] * 11 + [0, 0, 0, 0])                                # stray cells under the table
    ws.append([None] * 15)
    swapped = money[:]
    swapped[4], swapped[5] = swapped[5], swapped[4]
    ws.append(head + swapped)
    ws.append(["Poland", "POL", IMPORTS, 1400e6, 0.0046, 2500e6, 0.018, 1500e6, 0.0055, 2000e6, 0.0175])
    ws.append(["Korea, Dem. People's Rep.", "PRK", IMPORTS, 1300e6, 1.2, 32e6, 0.0002, 1e6, 0.000003, 0, 0])
    ws.append(["World", "WLD", IMPORTS, 300e9, 1, 140e9, 1, 280e9, 1, 110e9, None])
    wb.save(path)
    return path


def top100_workbook(path, hostile: bool = False):
    """The layout of SIPRI-Top-100-2002-2023.xlsx: a sheet per year (2023 with a Notes column, 2002 without the
    previous year), three title rows, the header, companies, a Note row and footnotes; invented numbers."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "2023"
    title = ["The SIPRI Top 100 arms-producing and military services companies in the world, 2023 *Note (a)",
             ("Revenue figures are in millions of US$ and are rounded to the nearest $10 million. Dots (. .) "
              "indicate that data is not available."), "Source: SIPRI Arms Industry Database, retrieved December 2024"]
    for t in title:
        ws.append([t])
    ws.append(["Rank (2023) *Note (b)", "Rank (2022)", "Company (c) ", "Notes (2023)", "Country (d)",
               "Arms revenues (2023)", "Arms revenues (2022)", "Total revenues (2023)",
               "Arms revenues as a % of total revenues (2023)",
               "Arms revenues 2022 (constant 2023 prices) note (e)"])
    ws.append([1, 1, "Alpha Arms Corp.", None, "United States", 60000, 59000, 67000, 0.8955, 61000])
    ws.append([2, "-", HOSTILE if hostile else "Vistula Defence", None, "Poland", 2000, 1500, 2300, 0.8696, 1600])
    ws.append([3, 2, "Euromissile", "f", "Trans-European", 5000, ". .", 5000, 1.0, ". ."])
    ws.append(["x", 3, "Broken Rank Ltd", None, "France", 100, 90, 200, 0.5, 95])
    ws.append([5, 4, "Nowhere Works", None, "Atlantis", 100, 90, 200, 0.5, 95])
    ws.append([6, 5, "Text Money plc", None, "United Kingdom", "about 90", 90, 200, 0.5, 95])
    ws.append([None] * 10)
    ws.append([("Note: Percentage shares and changes calculated using the data in this table may not precisely "
                "correspond to those stated due to rounding.")])
    ws.append(["a", "Chinese companies, for which data is deemed reliable, are included from 2015 onwards."])
    ws.append(["b", "Companies are ranked according to the value of their arms revenues in 2023."])
    old = wb.create_sheet("2002 ")
    for t in title:
        old.append([t.replace("2023", "2002")])
    old.append(["Rank (2002)  *Note (b)", "Company (c) ", "Country", "Arms revenues  (2002)",
                "Arms revenues 2002 (constant 2023 prices) note (d)", "Total revenues (2002)",
                "Arms revenues as a % of total revenues (2002)", None, None])
    old.append([1, "Alpha Arms Corp.", "United States", 20000, 35000, 50000, 0.4])
    old.append([2, "Vistula Defence", "Poland", 500, 900, 600, 0.8333])
    old.append(["a", "Although several Chinese arms-producing companies are large enough …"])
    wb.save(path)
    return path


def test_transfers_fixture_layout_swap_and_quarantine(store, tmp_path):
    path = transfers_workbook(tmp_path / "arms-import-export-91-23.xlsx")
    result = ingest_file(store, get("sipri-arms-transfers"), path)
    # records: exports POL 12 + PRK 12 (one 'n/a') + WLD 11 (one empty share) + 4 stray cells; imports POL 8 +
    # PRK 8 (one share of 1.2) + WLD 7.  Quarantined: 1 + 11 + 4 + 1 + 7
    assert (result.read, result.new, result.quarantined) == (62, 38, 24)
    assert "2010-2019($) and 2010-2019(%) swapped" in result.source_version
    reasons = " | ".join(store.df("SELECT reason FROM quarantine")["reason"])
    assert "row 6, column 2004-2009(%): not a number: 'n/a'" in reasons
    assert "row 12, column 1991-2003(%): a share of the world total outside 0-1: 1.2" in reasons
    assert "'WLD' (World) is not a state" in reasons and "a row without a country name or code" in reasons
    pol = store.arms_transfers("POL").set_index("period")
    assert pol.loc["2010-2019", "arms_imports_tiv"] == 1500e6            # read by its value, not its label
    assert pol.loc["2010-2019", "arms_imports_world_share"] == 0.0055
    assert pol.loc["1991-2003", "arms_net_exports_tiv"] == -500e6 and list(pol["year"]) == [2003, 2009, 2019, 2023]
    assert ingest_file(store, get("sipri-arms-transfers"), path).status == "unchanged"


def test_top100_fixture_layouts_and_quarantine(store, tmp_path):
    path = top100_workbook(tmp_path / "SIPRI-Top-100-2002-2023.xlsx")
    result = ingest_file(store, get("sipri-top100"), path)
    assert (result.read, result.new, result.quarantined) == (8, 5, 3)
    assert result.source_version == "constant 2023 US$"
    reasons = " | ".join(store.df("SELECT reason FROM quarantine")["reason"])
    assert "sheet '2023', row 8: column rank: not a whole number: 'x'" in reasons
    assert "row 9: column country: unknown country name 'Atlantis'" in reasons
    assert "row 10: column arms_revenue_usd_m: not a number: 'about 90'" in reasons
    pol = store.arms_companies("POL")
    assert pol[["year", "rank", "arms_revenue_usd_m"]].values.tolist() == [[2023, 2, 2000], [2002, 2, 500]]
    assert pd.isna(pol["rank_previous"].iloc[0])                        # SIPRI's dash: not in the previous list
    euro = store.df("SELECT * FROM arms_company_year WHERE company = 'Euromissile'").iloc[0]
    assert euro["country_iso3"] is None and pd.isna(euro["arms_revenue_previous_usd_m"]) and euro["notes"] == "f"
    assert store.df("SELECT total_revenue_usd_m FROM arms_company_year WHERE year = 2002 AND rank = 1")\
        .iloc[0, 0] == 50000                                            # the 2002 sheet's own column order
    assert ingest_file(store, get("sipri-top100"), path).status == "unchanged"
    with pytest.raises(SourceError, match="Rank"):
        ingest_file(store, get("sipri-top100"), transfers_workbook(tmp_path / "other.xlsx"))


def test_api_equals_python_api(store, tmp_path):
    from signalfire.web.app import create_app
    from signalfire.web.streams.context import country_panel
    ingest_file(store, get("sipri-arms-transfers"), transfers_workbook(tmp_path / "t.xlsx"))
    ingest_file(store, get("sipri-top100"), top100_workbook(tmp_path / "top.xlsx", hostile=True))
    transfers, companies, year = store.arms_transfers("POL"), store.arms_companies("POL"), store.arms_companies()
    store.con.execute("CHECKPOINT")
    with TestClient(create_app(store.path, load_demo=False)) as client:
        assert client.get("/api/v1/context/POL/arms-transfers").json()["data"] == records(transfers)
        assert client.get("/api/v1/context/POL/arms-companies").json()["data"] == records(companies)
        body = client.get("/api/v1/context/arms-companies").json()
        assert body["data"] == records(year) and body["edition"] == "constant 2023 US$"
        assert {r["year"] for r in body["data"]} == {2023}
        assert client.get("/api/v1/context/XXX/arms-transfers").status_code == 404
        page = client.get("/context/POL")
        assert page.status_code == 200 and "2010-2019" in page.text and HOSTILE not in page.text
        assert "&lt;script&gt;" in page.text
        _, values = country_panel(client.app.state.ds, "POL")
        assert values["transfers"]["period"] == "2020-2023" and values["companies"]["year"] == 2023


# -- the real workbooks ----------------------------------------------------------------------------------------
def test_real_top100_against_pandas(store, shared_data):
    path = shared_data("military/SIPRI-Top-100-2002-2023.xlsx")
    result = ingest_file(store, get("sipri-top100"), path)
    assert result.read == result.new + result.quarantined and result.quarantined == 0
    sheets = pd.read_excel(path, sheet_name=None, header=3)
    expected = {}
    for frame in sheets.values():
        year = int(re.search(r"\d{4}", str(frame.columns[0])).group())
        arms = next(c for c in frame.columns if re.fullmatch(rf"Arms revenues\s+\({year}\)", str(c).strip()))
        rows = frame[pd.to_numeric(frame.iloc[:, 0], errors="coerce").notna()]
        expected[year] = (len(rows), pd.to_numeric(rows[arms], errors="coerce").sum())
    stored = store.df("SELECT year, count(*) AS n, sum(arms_revenue_usd_m) AS s FROM arms_company_year GROUP BY year")
    assert {int(r.year): (r.n, r.s) for r in stored.itertuples()} == expected
    assert result.read == sum(n for n, _ in expected.values()) == 2200
    pol = store.arms_companies("POL")
    assert set(pol["company"]) == {"PGZ", "Bumar Group"}
    assert ingest_file(store, get("sipri-top100"), path).status == "unchanged"


def test_real_transfers_against_pandas(store, shared_data):
    path = shared_data("military/arms-import-export-91-23.xlsx")
    result = ingest_file(store, get("sipri-arms-transfers"), path)
    assert result.read == result.new + result.quarantined
    raw = pd.read_excel(path, header=None)
    table = raw.iloc[4:]                    # under the title rows (Totals, Post-Sov, …) and the first header
    assert result.read == int(table[table[2] != "Indicator Name"].iloc[:, 3:15].notna().sum().sum())
    imports = raw[(raw[1] == "POL") & (raw[2] == IMPORTS)].iloc[0]
    exports = raw[(raw[1] == "POL") & (raw[2] == EXPORTS)].iloc[0]
    pol = store.arms_transfers("POL").set_index("period")
    # the imports block's values sit at the same positions as the exports block's (its 2010-2019 labels swapped)
    assert pol["arms_imports_tiv"].tolist() == [imports[i] for i in (3, 5, 7, 9)]
    assert pol["arms_exports_tiv"].tolist() == [exports[i] for i in (3, 5, 7, 9)]
    assert pol["arms_net_exports_tiv"].tolist() == [exports[i] for i in (11, 12, 13, 14)]
    states = set(store.df("SELECT DISTINCT country_iso3 FROM country_year")["country_iso3"])
    block = raw[(raw[2] == IMPORTS) & raw[1].isin(states)]
    stored = store.df("SELECT year, sum(value) AS s FROM country_year WHERE measure = 'arms_imports_tiv' "
                      "GROUP BY year ORDER BY year")["s"].tolist()
    assert stored == [block[i].sum() for i in (3, 5, 7, 9)]
    assert ingest_file(store, get("sipri-arms-transfers"), path).status == "unchanged"
