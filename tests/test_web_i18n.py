"""The Polish interface: a complete catalogue, pages in Polish with lang="pl", the language remembered in a
cookie only with the preferences consent, and numbers formatted for the language (in-process, no browser)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po
from fastapi.testclient import TestClient

from signalfire.web import formatting, i18n
from signalfire.web.app import create_app

WEB = Path(__file__).resolve().parents[1] / "src" / "signalfire" / "web"
PO = WEB / "locale" / "pl" / "LC_MESSAGES" / "messages.po"
SAME_SITE = {"Origin": "http://testserver"}     # a consent choice is accepted only from this site's pages


def polish():
    with PO.open("rb") as fh:
        return read_po(fh, locale="pl")


def msgid(message) -> str:
    return message.id[0] if isinstance(message.id, tuple) else message.id


def test_catalogue_has_no_empty_or_fuzzy_translation():
    cat = polish()
    assert len(cat) > 100
    empty = [msgid(m) for m in cat if m.id and (not m.string or (isinstance(m.string, tuple) and not all(m.string)))]
    fuzzy = [msgid(m) for m in cat if m.id and m.fuzzy]
    assert not empty, f"{len(empty)} untranslated, e.g. {empty[:5]}"
    assert not fuzzy, f"fuzzy (unchecked) translations: {fuzzy[:5]}"


def test_every_wrapped_string_is_in_the_catalogue():
    """Everything wrapped in _() or N_() in the web layer and the alert rules has a Polish entry: run pybabel extract +
    update (docs/UI.md, section 7) after adding interface text."""
    with (WEB / "locale" / "babel.cfg").open() as fh:
        method_map, options_map = parse_mapping_cfg(fh)
    alerts = WEB.parent / "alerts"          # the alert rules' error messages, shown on the Alerts page
    wanted = {m[2] if isinstance(m[2], str) else m[2][0] for folder in (WEB, alerts) for m in
              extract_from_dir(str(folder), method_map, options_map)}
    assert "no alert rule %(rule)s" in wanted
    known = {msgid(m) for m in polish() if m.id}
    missing = sorted(wanted - known)
    assert not missing, f"{len(missing)} strings without Polish, e.g. {missing[:8]}"


def test_placeholders_survive_translation():
    for m in polish():
        if not m.id:
            continue
        source = " ".join(m.id) if isinstance(m.id, tuple) else m.id
        target = " ".join(m.string) if isinstance(m.string, tuple) else m.string
        assert set(re.findall(r"%\(\w+\)[sd]", source)) == set(re.findall(r"%\(\w+\)[sd]", target)), source
        values = {name: 1 for name in re.findall(r"%\((\w+)\)", source)}
        for text in (m.string if isinstance(m.string, tuple) else (m.string,)):
            text % values            # templates always %-format (a lone % must be %%): this must not raise


@pytest.fixture(scope="module")
def client(tmp_path_factory):
    app = create_app(tmp_path_factory.mktemp("i18n") / "i18n.duckdb")
    with TestClient(app) as c:
        yield c
    app.state.ds.close()


def test_a_page_in_polish(client):
    english = client.get("/neighbourhood").text
    assert '<html lang="en"' in english and "Skip to content" in english
    page = client.get("/neighbourhood?lang=pl")
    assert page.status_code == 200
    assert '<html lang="pl"' in page.text
    for text in ("Przejdź do treści", "Obserwacja sąsiedztwa", "Zastosuj"):
        assert text in page.text
    assert "Skip to content" not in page.text and ">Apply<" not in page.text
    assert "set-cookie" not in page.headers                       # no consent: nothing remembered
    error = client.get("/no-such-page?lang=pl", headers={"Accept": "text/html"})
    assert error.status_code == 404 and '<html lang="pl"' in error.text and "Błąd 404" in error.text


def test_language_is_remembered_only_with_the_preferences_consent(client):
    client.cookies.clear()
    client.post("/privacy/consent", data={"decision": "refuse"}, headers=SAME_SITE, follow_redirects=False)
    page = client.get("/?lang=pl")
    assert "sf_lang" not in page.headers.get("set-cookie", "")
    assert '<html lang="en"' in client.get("/").text                  # not remembered without consent
    client.post("/privacy/consent", data={"decision": "accept"}, headers=SAME_SITE, follow_redirects=False)
    page = client.get("/?lang=pl")
    assert "sf_lang=pl" in page.headers.get("set-cookie", "")
    assert '<html lang="pl"' in client.get("/privacy").text            # remembered
    withdrawn = client.post("/privacy/consent", data={"decision": "refuse"}, headers=SAME_SITE, follow_redirects=False)
    assert 'sf_lang=""' in withdrawn.headers.get("set-cookie", "") or "sf_lang=;" in withdrawn.headers.get(
        "set-cookie", "")
    client.cookies.delete("sf_lang")
    assert '<html lang="en"' in client.get("/").text
    client.cookies.clear()


def test_numbers_follow_the_language_and_dates_stay_iso():
    token = i18n.current.set("en")
    try:
        assert formatting.fmt_int(12192) == "12,192"
        assert formatting.fmt_num(5764.6) == "5,765" and formatting.fmt_num(12.44) == "12.4"
        assert formatting.fmt_num(0.834) == "0.83" and formatting.fmt_num(None) == ""
        # no count is this large; Babel's decimals gave up near 1e308 (a 500 on the Forecasts page)
        assert formatting.fmt_num(float("inf")) == "" and formatting.fmt_num(1.7976931348623157e308) == "1.8e+308"
        assert formatting.fmt_signed(3.5) == "+3.5" and formatting.fmt_signed(-12) == "\u221212"
        assert formatting.fmt_signed(0) == "0"
        assert formatting.fmt_pct(0.123) == "12%" and formatting.fmt_pct(0.001) == "<1%"
        assert formatting.fmt_date("2023-02-28T00:00:00") == "2023-02-28"
        assert formatting.fmt_month("2023-02-28") == "2023-02"
        assert formatting.fmt_month_name("2023-02") == "February 2023"
    finally:
        i18n.current.reset(token)
    token = i18n.current.set("pl")
    try:
        assert formatting.fmt_int(12192) == "12\u00a0192"
        assert formatting.fmt_num(12.44) == "12,4"
        assert formatting.fmt_month_name("2023-02") == "luty 2023"
        assert formatting.fmt_date("2023-02-28") == "2023-02-28"
        assert i18n.label("armed_conflict") == "konflikt zbrojny"
    finally:
        i18n.current.reset(token)


def test_language_choice():
    assert i18n.pick("pl", None, False) == "pl"
    assert i18n.pick(None, "pl", False) == "en"              # a cookie counts only with consent
    assert i18n.pick(None, "pl", True) == "pl"
    assert i18n.pick("xx", None, False) == "en"
    assert i18n.ngettext("%(num)d earlier version", "%(num)d earlier versions", 2) == "%(num)d earlier versions"


# -- no English left on the Polish pages ---------------------------------------------------------------------------
POLISH_PAGES = ["/", "/?layer=events", "/country/POL", "/country/UKR", "/neighbourhood?home=POL", "/forecasts",
                "/compare?countries=POL,UKR,BLR,RUS", "/country/UKR/admin1", "/data", "/privacy"]
# interface text built in Python or once left raw in a template (change classes, the header's data-to labels,
# source and measure labels, the forecasts page, the maps' text)
KNOWN_ENGLISH = ["sharp increase", ">increase<", ">stable<", "no events", "ucdp-ged events", "views-cm country-month",
                 "The latest month against", "(UCDP GED state-based deaths)", "state-based conflict deaths (UCDP",
                 "events loaded (", "per month,", "No forecast stored yet", "Expected deaths", "This month in sum",
                 "Stored runs", "Median (90", "deaths (events loaded)", "circles: colour",
                 "Deaths by country", ">Model <", "step through the countries"]
# words of English interface text that are not Polish words (nor usually data); a hit is an untranslated string
STOPWORDS = {"the", "and", "with", "from", "events", "deaths", "month", "months", "increase", "decrease", "stable",
             "sharp", "loaded", "source", "sources", "since", "until", "country", "countries", "forecast",
             "expected", "highest", "stored", "change", "per", "which", "shows", "before", "after", "none"}
# where data (not interface text) is shown: table cells, code, source text, and the names of sources and files
DATA_TAGS = {"script", "style", "code", "pre", "td", "option", "blockquote", "q", "cite"}


class _Text:
    """Text nodes and aria-label/title attributes of a page, outside the elements that hold data."""

    def __init__(self, html: str):
        from html.parser import HTMLParser
        self.texts: list[str] = []
        stack: list[str] = []
        outer = self
        void = {"br", "img", "input", "meta", "link", "hr", "source", "wbr", "col", "area", "base"}

        class Parser(HTMLParser):
            def handle_starttag(self, tag, attrs):
                attrs = dict(attrs)
                if tag not in DATA_TAGS and not any(t in DATA_TAGS for t in stack):
                    outer.texts += [attrs[a] for a in ("aria-label", "title") if attrs.get(a)]
                if tag not in void:
                    stack.append("code" if attrs.get("translate") == "no" else tag)

            def handle_endtag(self, tag):
                if tag in stack:
                    while stack and stack.pop() != tag:
                        pass

            def handle_data(self, data):
                if data.strip() and not any(t in DATA_TAGS for t in stack):
                    outer.texts.append(data.strip())

        Parser().feed(html)


def test_polish_pages_have_no_english_interface_text(client):
    """Every key page in Polish: none of the known English strings, and no text node (outside data) with an
    English interface word."""
    problems = []
    for path in POLISH_PAGES:
        page = client.get(path + ("&" if "?" in path else "?") + "lang=pl")
        assert page.status_code == 200, path
        problems += [f"{path}: {s!r}" for s in KNOWN_ENGLISH if s in page.text]
        for text in _Text(page.text).texts:
            words = {w.lower() for w in re.findall(r"[A-Za-z_]+", text)}      # table_names are data
            if words & STOPWORDS:
                problems.append(f"{path}: {text[:90]!r} ({', '.join(sorted(words & STOPWORDS))})")
    assert not problems, "English on Polish pages:\n" + "\n".join(dict.fromkeys(problems))
