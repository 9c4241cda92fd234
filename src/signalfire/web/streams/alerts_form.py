"""The Alerts page's rule form: one form for every kind of rule, the kind chosen first.

Progressive disclosure without script: a small GET form (``/alerts?kind=forecast#add-rule``) picks the kind, and
the page then shows that kind's fields only, in a POST form that carries the kind as a hidden field.  Every field
arrives as text and is read here, so that a wrong value is shown in the page next to the form (status 400, the
values kept), never as a validation traceback; the rule itself is checked by :func:`signalfire.alerts.rules.check`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from signalfire.alerts import AlertError
from signalfire.web.i18n import N_

KIND_LABELS = {"events": N_("Deaths or events in a place"),
               "forecast": N_("Forecast risk (P(≥25 deaths))"),
               "new-records": N_("New records from a source"),
               "cyber": N_("A new cyber operation against chosen states"),
               "route": N_("Detections on a migration route")}
MEASURE_LABELS = {"deaths": N_("deaths"), "events": N_("events")}


@dataclass(frozen=True)
class Field:
    name: str
    label: str
    kind: str = "text"                # text, number, percent, select, url, email
    required: bool = False
    help: str | None = None
    default: str = ""
    minimum: float | None = None
    maximum: float | None = None
    step: str = "any"
    options: tuple = ()               # select: (value, label) pairs
    datalist: str | None = None       # text: the id of a datalist of suggestions


FIELDS: dict[str, tuple[Field, ...]] = {
    "events": (
        Field("subject", N_("Where"), help=N_("ring:POL for Poland's land neighbours, a country code such as UKR, "
                                              "or codes separated by commas; empty for the world"),
              default="ring:POL"),
        Field("measure", N_("Measure"), "select", options=tuple(MEASURE_LABELS.items()), default="deaths"),
        Field("threshold", N_("Threshold per month"), "number", required=True, minimum=0, step="1", default="1000"),
        Field("category", N_("Category (optional)"), "select", options=()),     # filled from the store's schema
        Field("source", N_("Source (optional)"), datalist="alert-sources",
              help=N_("one source such as ucdp-ged; empty for every source")),
        Field("baseline_months", N_("Baseline months (optional)"), "number", minimum=1, maximum=60, step="1",
              help=N_("with a ratio: fire only when the month reaches that many times the mean of these months")),
        Field("ratio", N_("Ratio to the baseline (optional)"), "number", minimum=0, step="0.1"),
    ),
    "forecast": (
        Field("subject", N_("Countries"), help=N_("ring:POL for Poland's land neighbours, a country code such as "
                                                  "UKR, or codes separated by commas; empty for every country"),
              default="ring:POL"),
        Field("level", N_("Level crossed, %% (optional)"), "percent", minimum=0, maximum=100, step="1",
              help=N_("fires when P(≥25 deaths) rises to this level from below; give a level, a rise or both"),
              default="50"),
        Field("rise", N_("Rise since the previous run, percentage points (optional)"), "percent", minimum=0,
              maximum=100, step="1"),
        Field("months_ahead", N_("Months after the forecast's cut-off"), "number", minimum=1, maximum=36, step="1",
              default="1"),
    ),
    "new-records": (
        Field("source", N_("Source"), required=True, datalist="alert-sources",
              help=N_("the source (adapter) whose new records fire the rule, e.g. ucdp-ged"), default="ucdp-ged"),
        Field("subject", N_("Where (optional)"), help=N_("for events only: a country code, codes separated by "
                                                         "commas or ring:POL; empty for every country")),
    ),
    "cyber": (
        Field("subject", N_("Targeted states"), required=True, default="ring:POL",
              help=N_("the victim states watched: ring:POL for Poland's land neighbours, or codes separated by "
                      "commas such as POL,LTU")),
    ),
    "route": (
        Field("route", N_("Route"), required=True, datalist="alert-routes", default="Eastern Borders Route",
              help=N_("a Frontex route, as Frontex names it")),
        Field("threshold", N_("Detections per month"), "number", required=True, minimum=0, step="1",
              default="1000"),
        Field("baseline_months", N_("Baseline months (optional)"), "number", minimum=1, maximum=60, step="1",
              help=N_("with a ratio: fire only when the month reaches that many times the mean of these months")),
        Field("ratio", N_("Ratio to the baseline (optional)"), "number", minimum=0, step="0.1"),
    ),
}
DELIVERY = (Field("webhook_url", N_("Webhook URL (optional)"), "url"),
            Field("email_to", N_("E-mail (optional)"), "email"))
NAME_DEFAULTS = {"events": N_("Deaths near Poland"), "forecast": N_("Forecast risk near Poland"),
                 "new-records": N_("New UCDP GED records"), "cyber": N_("Cyber operations near Poland"),
                 "route": N_("Eastern Borders Route")}


class FormError(AlertError):
    """A field of the form that cannot be read; ``field`` names it for the page."""

    def __init__(self, field: str, template: str, /, **params):
        super().__init__(template, **params)
        self.field = field


def kind_of(text: str | None) -> str:
    return text if text in FIELDS else "events"


def fields(kind: str, categories) -> tuple[Field, ...]:
    """The kind's fields, the events' category select filled with the store's categories."""
    out = []
    for f in FIELDS[kind]:
        if f.name == "category":
            f = Field(**{**f.__dict__, "options": (("", N_("any category")), *((c, c) for c in categories))})
        out.append(f)
    return tuple(out)


def _number(f: Field, text: str) -> float | None:
    text = text.strip().replace(",", ".")
    if not text:
        if f.required:
            raise FormError(f.name, N_("%(field)s: a value is needed"), field=f.name)
        return None
    try:
        value = float(text)
    except ValueError:
        raise FormError(f.name, N_("%(field)s: %(value)s is not a number"), field=f.name,
                        value=repr(text[:40])) from None
    if not math.isfinite(value) or (f.minimum is not None and value < f.minimum) or \
            (f.maximum is not None and value > f.maximum):
        raise FormError(f.name, N_("%(field)s: %(value)s is outside %(low)s to %(high)s"), field=f.name,
                        value=repr(text[:40]), low=format(f.minimum, "g"),
                        high="∞" if f.maximum is None else format(f.maximum, "g"))
    return int(value) if f.step == "1" and value.is_integer() else value


def params_from(kind: str, form: dict[str, str]) -> dict:
    """The rule's parameters from the form's text fields (FormError naming the field that is wrong)."""
    params: dict = {}
    for f in FIELDS[kind]:
        text = str(form.get(f.name) or "")
        if f.kind in ("number", "percent"):
            value = _number(f, text)
            if value is not None and f.kind == "percent":
                value = round(value / 100, 6)
        else:
            value = text.strip() or None
            if f.required and value is None:
                raise FormError(f.name, N_("%(field)s: a value is needed"), field=f.name)
            if f.options and value is not None and value not in {str(v) for v, _ in f.options} and \
                    f.name != "category":
                raise FormError(f.name, N_("%(field)s: %(value)s is not one of the choices"), field=f.name,
                                value=repr(value[:40]))
        if value is not None:
            params[f.name] = value
    return params
