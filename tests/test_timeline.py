"""The country page's timeline across the streams: conflict deaths and terrorism incidents per year for Ukraine,
each from its own source, the same figures in the chart's data and its table."""

from __future__ import annotations

import pandas as pd
from fastapi.testclient import TestClient

from signalfire.analysis.timeline import country_timeline
from signalfire.demo import load_demo
from signalfire.sources import get
from signalfire.store.ingest import ingest_file
from signalfire.warehouse import Warehouse


def test_conflict_and_terrorism_on_one_timeline(tmp_path, shared_data):
    gtd = shared_data("terrorism/gtd_incidents_country_year_1970-2020.csv")
    path = tmp_path / "t.duckdb"
    with Warehouse(path) as wh:
        load_demo(wh)
        ingest_file(wh, get("gtd-incidents-country-year"), gtd)
        frame = country_timeline(wh.con, "UKR")
        deaths = wh.con.execute("""SELECT sum(value) FROM country_month WHERE country_iso3 = 'UKR'
                                   AND measure = 'ged_sb_best' AND year = 2022""").fetchone()[0]
    assert set(frame.series) == {"conflict", "terrorism"}
    conflict = frame[frame.series == "conflict"].set_index("year").value
    assert conflict[2022] == deaths > 0
    raw = pd.read_csv(gtd)
    ukraine = raw[raw.country_txt == "Ukraine"].set_index("iyear").incidents      # the file's own rows
    terror = frame[frame.series == "terrorism"].set_index("year").value
    assert terror[2014] == ukraine[2014] > 0 and terror.sum() == ukraine.sum()
    from signalfire.web.app import create_app
    app = create_app(path, load_demo=False)
    with TestClient(app) as client:
        html = client.get("/country/UKR").text
    app.state.ds.close()
    panel = html.split('id="threat-timeline"')[1].split("</section>")[0]
    assert 'id="timeline-data"' in panel and "Terrorism incidents" in panel and "(GTD)" in panel
    assert "<td>2014</td>" in panel and f"{int(ukraine[2014]):,}" in panel
