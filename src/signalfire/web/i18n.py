"""Interface languages: English (the source text) and Polish, from gettext catalogues read with Babel.

Templates wrap interface text in ``_("…")`` (``%(name)s`` placeholders: ``_("Poland's %(what)s", what=x)``);
data values are never wrapped.  ``_()`` takes a literal only: what it returns is trusted markup, so a label held in a
variable is translated with the ``|translate`` filter (:func:`translate`), which returns plain text that autoescaping
escapes.  The catalogues are the ``.po`` files in ``web/locale/<lang>/LC_MESSAGES/``, read once at start (no
compile step: the ``.po`` is the only copy).  The language of a request comes from ``?lang=`` in the URL (works
without consent), else the ``sf_lang`` cookie, which is written only with the ``preferences`` consent (like
``sf_home``), else English.

Extracting the interface text (templates, the labels in ``nav.py``, and the alert rules' error messages in
``alerts/rules.py``) and updating the Polish catalogue::

    pybabel extract -F src/signalfire/web/locale/babel.cfg -o src/signalfire/web/locale/messages.pot src/signalfire/web src/signalfire/alerts
    pybabel update -i src/signalfire/web/locale/messages.pot -d src/signalfire/web/locale --no-fuzzy-matching
"""

from __future__ import annotations

import ast
from contextvars import ContextVar
from functools import cache
from pathlib import Path

LOCALE_DIR = Path(__file__).resolve().parent / "locale"
LANGUAGES = {"en": "English", "pl": "Polski"}
DEFAULT = "en"
COOKIE = "sf_lang"

current: ContextVar[str] = ContextVar("signalfire_lang", default=DEFAULT)


@cache
def catalogue(lang: str) -> dict[str, str]:
    """msgid → translation for ``lang`` (empty for English, the source language, and untranslated entries)."""
    path = LOCALE_DIR / lang / "LC_MESSAGES" / "messages.po"
    if lang == DEFAULT or not path.exists():
        return {}
    from babel.messages.pofile import read_po
    with path.open("rb") as fh:
        cat = read_po(fh, locale=lang)
    out = {}
    for msg in cat:
        if msg.id and msg.string and not msg.fuzzy:
            key = msg.id[0] if isinstance(msg.id, tuple) else msg.id
            out[key] = msg.string[0] if isinstance(msg.string, tuple) else msg.string
            if isinstance(msg.id, tuple):
                out[("plural", msg.id[0])] = msg.string
    return out


def N_(message: str) -> str:
    """Marks text for extraction where it is defined (it is translated where it is shown)."""
    return message


# the event categories (store/schema.py CATEGORIES) as the ``|label`` filter shows them
CATEGORY_LABELS = {
    "armed_conflict": N_("armed conflict"), "violence_against_civilians": N_("violence against civilians"),
    "terrorism": N_("terrorism"), "unrest": N_("unrest"), "tension": N_("tension"),
    "cooperation": N_("cooperation"), "strategic_development": N_("strategic development"), "cyber": N_("cyber"),
}


# an ingest run's status (store/ingest.py), shown on the Data and provenance pages
RUN_STATUS_LABELS = (N_("loaded"), N_("failed"), N_("running"))


def label(value) -> str:
    """A code shown as words in the page's language (armed_conflict → armed conflict / konflikt zbrojny)."""
    text = str(value or "")
    return gettext(CATEGORY_LABELS.get(text, text.replace("_", " ")))


def translate(value, /, **values) -> str:
    """A VALUE shown in the page's language as plain text: the ``|translate`` filter of the templates.

    ``_()`` in a template is for literal interface text only: Jinja's new-style gettext marks what it returns as safe
    markup, so ``_(value)`` would put a request parameter or a source's text into the page unescaped (HTML injection).
    A value held in a variable (a source or type label looked up in a dict, a licence, a change class, a form
    field's label) goes through ``{{ value|translate }}`` instead: it is looked up in the catalogue like ``_()``
    (known labels still show in Polish) but comes back as a plain ``str``, which autoescaping escapes.  Inside
    ``_("… %(x)s", x=value|translate)`` the plain text is escaped as any keyword value is.

    Keyword arguments (any names, ``value`` included) fill ``%(name)s`` placeholders: the text is then a message
    from the code, such as an ``AlertError`` template, never data.  Without them the text is never %-formatted (data
    may hold a lone %); only ``%%`` becomes ``%``, as ``_()`` shows it (``N_()`` labels are written for ``_()``)."""
    if value is None:
        return ""
    text = str(gettext(str(value)))
    return text % values if values else text.replace("%%", "%")


def gettext(message: str) -> str:
    return catalogue(current.get()).get(message, message)


def ngettext(singular: str, plural: str, n: int) -> str:
    forms = catalogue(current.get()).get(("plural", singular))
    if forms:
        return forms[_plural_index(current.get(), n)] or (singular if n == 1 else plural)
    return singular if n == 1 else plural


def _plural_index(lang: str, n: int) -> int:
    if lang == "pl":   # nplurals=3: 1 / 2-4 (not 12-14) / other
        if n == 1:
            return 0
        return 1 if n % 10 in (2, 3, 4) and n % 100 not in (12, 13, 14) else 2
    return 0 if n == 1 else 1


def pick(query_lang: str | None, cookie_lang: str | None, cookie_allowed: bool) -> str:
    """The request's language: the URL's ``lang`` first, then the remembered one (only with consent)."""
    for value in (query_lang, cookie_lang if cookie_allowed else None):
        value = (value or "").strip().lower()
        if value in LANGUAGES:
            return value
    return DEFAULT


def extract_nav(fileobj, keywords, comment_tags, options):
    """Babel extractor for ``nav.py``: every group name and entry label there is interface text."""
    tree = ast.parse(fileobj.read())
    for node in ast.walk(tree):
        if isinstance(node, ast.Tuple) and node.elts and isinstance(node.elts[0], ast.Constant):
            first = node.elts[0].value
            if len(node.elts) == 3 and isinstance(first, str) and first.startswith("/"):
                label = node.elts[1]
                if isinstance(label, ast.Constant) and isinstance(label.value, str):
                    yield label.lineno, None, label.value, []
            elif len(node.elts) == 2 and isinstance(first, str) and isinstance(node.elts[1], ast.List):
                yield node.elts[0].lineno, None, first, []
