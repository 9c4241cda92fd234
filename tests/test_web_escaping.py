"""Request parameters and data values reach the pages as text, never as markup (in-process, no browser).

Jinja's new-style gettext marks what ``_()`` returns as safe markup (interface text is trusted), so a value passed as
``_(value)`` was shown unescaped: ``/missions?source=<a href=…>`` put a live link on the page.  Templates translate
values with the ``|translate`` filter (``web/i18n.py``), which returns plain text that autoescaping escapes."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import quote

import pytest
from conftest import demo_copy
from fastapi.testclient import TestClient
from markupsafe import Markup

from signalfire.web import i18n, rendering
from signalfire.web.app import create_app

TEMPLATES = Path(__file__).resolve().parents[1] / "src" / "signalfire" / "web" / "templates"
PAYLOAD = "<a href=//evil.example>INJ</a>"
ESCAPED = "&lt;a href=//evil.example&gt;INJ"


@pytest.fixture(scope="module")
def client(demo_template, tmp_path_factory):
    app = create_app(demo_copy(demo_template, tmp_path_factory.mktemp("escaping"), "escaping.duckdb"))
    with TestClient(app) as c:
        yield c
    app.state.ds.close()


def _get(client, path: str, **params):
    query = "&".join(f"{k}={quote(v, safe='')}" for k, v in params.items())
    return client.get(f"{path}?{query}", headers={"Accept": "text/html"})


def test_missions_source_is_shown_as_text(client):
    """The reviewer's page: the value came back as a live link. An unknown source is now a 400 (it had answered "no
    deployments recorded"), and its message shows the value as text."""
    page = _get(client, "/missions", source=PAYLOAD)
    assert page.status_code == 400
    assert "<a href=//evil.example>" not in page.text
    assert "&lt;a href" in page.text and "unknown source" in page.text


# pages that echo a request parameter back in their text (through _("…", x=value), |translate or plainly)
ECHOING = [("/missions", "source", "en"), ("/missions", "source", "pl"), ("/terrorism", "source", "en"),
           ("/crises", "search", "en"), ("/neighbourhood", "sort", "en"), ("/compare", "countries", "en"),
           ("/compare", "add", "en"), ("/actors", "actor", "en"), ("/missions/fatalities", "mission", "en"),
           ("/alerts", "message", "en"), ("/unga", "search", "en")]


@pytest.mark.parametrize(("path", "param", "lang"), ECHOING)
def test_echoed_parameters_are_escaped(client, path, param, lang):
    page = _get(client, path, **{param: PAYLOAD, "lang": lang})
    assert page.status_code < 500, path
    assert PAYLOAD not in page.text and "<a href=//evil.example" not in page.text, f"{path}?{param}= unescaped"


def test_translate_filter_is_plain_text_and_still_translates():
    token = i18n.current.set("pl")
    try:
        assert i18n.translate("armed conflict") == "konflikt zbrojny"
        assert not isinstance(i18n.translate(PAYLOAD), Markup)
        assert not isinstance(i18n.translate(Markup("<b>x</b>")), Markup)
        assert i18n.translate(None) == ""
        assert i18n.translate("Level crossed, %% (optional)") == "Przekroczony poziom, % (opcjonalnie)"   # as _() shows it
        assert i18n.translate("50% <off>") == "50% <off>"          # data is never %-formatted: no error on a lone %
        message = i18n.translate("no alert rule %(rule)s", rule="<b>")
        assert message == "nie ma reguły alertu <b>" and not isinstance(message, Markup)
        assert i18n.translate("%(key)s: %(value)s is not a number from %(low)s to %(high)s", key="level", value="x",
                              low=0, high=100) == "level: x nie jest liczbą od 0 do 100"    # a placeholder "value"
        template = rendering.env.from_string('{{ v|translate }} {{ _("Source: %(source)s.", source=v|translate) }}')
        out = template.render(v=PAYLOAD)
        assert "<a" not in out and out.count(ESCAPED) == 2
        assert rendering.env.from_string("{{ v|translate }}").render(v="armed conflict") == "konflikt zbrojny"
    finally:
        i18n.current.reset(token)


def test_briefing_gettext_returns_plain_text():
    """The briefing's _() is a plain function (reports/briefing_render.py), not Jinja's new-style gettext: what it
    returns is a str, which autoescaping escapes, so _(value) in briefing.html shows data as text."""
    from signalfire.reports.briefing_render import translator
    _ = translator("pl")
    assert type(_(PAYLOAD)) is str and type(_("Source: %(source)s.", source=PAYLOAD)) is str


def test_known_label_is_still_translated(client):
    """The deployments page's source label goes through |translate: Polish with ?lang=pl, English without."""
    english = client.get("/missions?country=POL&source=combined").text
    assert "Source: IPI / UN data hub, most detailed source per month." in english
    polish = client.get("/missions?country=POL&source=combined&lang=pl").text
    assert "Źródło: IPI / UN data hub, najbardziej szczegółowe źródło w każdym miesiącu." in polish


def test_no_template_translates_a_variable_with_gettext():
    """_() is for literal interface text only; a value (variable, lookup, expression) goes through |translate."""
    pattern = re.compile(r"(?<![\w.])_\(\s*(?![\"')])")
    found = [f"{path.relative_to(TEMPLATES)}:{n}: {line.strip()[:100]}"
             for path in sorted(TEMPLATES.rglob("*.html"))
             for n, line in enumerate(path.read_text().splitlines(), 1)
             if pattern.search(re.sub(r"\{#.*?#\}", "", line))]
    assert not found, "_() on a value (use |translate):\n" + "\n".join(found)


def test_no_template_marks_text_safe():
    found = [str(path.relative_to(TEMPLATES)) for path in TEMPLATES.rglob("*.html")
             if re.search(r"\|\s*safe\b|autoescape\s+false", path.read_text())]
    assert not found, found
