"""Filters: presets relative to the latest data, the filter bar's markup (submit only, everything in the URL) and
the script that must not apply filters on input.  The browser behaviour is in test_web_a11y.py (one server)."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from starlette.datastructures import URL, QueryParams

from signalfire.web.rendering import env
from signalfire.web.serving import periods

STATIC = Path(__file__).resolve().parents[1] / "src" / "signalfire" / "web" / "static" / "js"


def test_presets_end_on_the_latest_data_not_today():
    got = {k: (s, u) for k, s, u in periods.presets(dt.date(2023, 2, 28), dt.date(1989, 1, 1))}
    assert got["week"] == (dt.date(2023, 2, 22), dt.date(2023, 2, 28))
    assert got["month"] == (dt.date(2023, 2, 1), dt.date(2023, 2, 28))       # a whole calendar month
    assert got["quarter"] == (dt.date(2022, 12, 1), dt.date(2023, 2, 28))
    assert got["year"] == (dt.date(2022, 3, 1), dt.date(2023, 2, 28))
    assert got["all"] == (dt.date(1989, 1, 1), dt.date(2023, 2, 28))
    mid = {k: s for k, s, _ in periods.presets("2023-03-15")}
    assert mid["month"] == dt.date(2023, 2, 16) and "all" not in mid           # no first date: no "all"
    assert periods.presets(dt.date(2024, 3, 30))[1][1] == dt.date(2024, 2, 29)  # 31 Feb clamps to 29 Feb
    assert periods.presets(None) == []


class FakeRequest:
    def __init__(self, url: str):
        self.url = URL(url)
        self.query_params = QueryParams(self.url.query)


def render_filters(url: str, **extra) -> str:
    ctx = {"request": FakeRequest(url), "path": "/", "f": {"since": "", "until": "", "category": "", "source": "",
                                                            "measure": "deaths"},
           "categories": ["armed_conflict"], "sources": ["ucdp-ged"], "names": {}, "data_first": dt.date(1989, 1, 1),
           "as_of": dt.date(2023, 2, 28), **extra}
    return env.get_template("_filters.html").render(**ctx)


def test_filter_bar_is_a_get_form_with_a_button_and_preset_links():
    html = render_filters("http://testserver/?category=armed_conflict&page=3&since=2023-02-01&until=2023-02-28",
                          f={"since": "2023-02-01", "until": "2023-02-28", "category": "armed_conflict",
                             "source": "", "measure": "deaths"})
    assert 'method="get"' in html and "data-filters" in html and "data-autosubmit" not in html
    assert re.search(r'<button type="submit"[^>]*id="filters-apply"', html)
    links = re.findall(r'<a class="preset" href="([^"]+)"[^>]*?( aria-current="true")?>', html)
    assert len(links) == 5
    queries = [parse_qs(urlsplit(href.replace("&amp;", "&")).query) for href, _ in links]
    assert all(q["category"] == ["armed_conflict"] and "page" not in q for q in queries)   # other filters kept
    assert queries[1]["since"] == ["2023-02-01"] and queries[1]["until"] == ["2023-02-28"]
    assert [bool(cur) for _, cur in links] == [False, True, False, False, False]          # "last month" is shown


def test_no_script_applies_filters_on_input():
    """No page script submits a form or navigates from a change/input/key event (WCAG 3.2.2)."""
    offenders = []
    for path in sorted(STATIC.glob("*.mjs")) + sorted(STATIC.glob("*.js")):
        text = path.read_text()
        for match in re.finditer(r"addEventListener\(\s*'(change|input|keydown|keyup)'", text):
            body = text[match.end(): match.end() + 400]
            if re.search(r"\.submit\(\)|location\.(assign|replace|href\s*=)|requestSubmit", body):
                offenders.append(f"{path.name}: {match.group(1)}")
    assert not offenders, offenders
