"""Answers from monthly series: a change class per country (like ACLED's change levels), a trend, and sparklines.

The rule (shown on the Neighbourhood page and in docs/UI.md): compare the latest month with the mean of the six
months before it.

* **no events** — the latest month and the six before it are all 0;
* **stable** — the latest month is within ±5 of the six-month mean (fewer than 5 deaths or events either way is
  noise), or between 0.8 and 1.25 times it;
* **increase** / **decrease** — at least 1.25 times the mean / at most 0.8 times it;
* **sharp increase** / **sharp decrease** — at least 2 times the mean (or anything ≥5 after six empty months) /
  at most half of it.

The trend is the slope of a least-squares line through the last twelve months (per month, per month).
"""

from __future__ import annotations

from html import escape

from markupsafe import Markup

from signalfire.web.i18n import N_, gettext

BASE_MONTHS = 6
TREND_MONTHS = 12
NOISE = 5.0
# the class names are the keys (CSS: cls-sharp-increase) and the English text; templates show them with _()
CLASSES = (N_("sharp increase"), N_("increase"), N_("stable"), N_("decrease"), N_("sharp decrease"),
           N_("no events"), N_("no data"))
RULE = N_("The latest month against the mean of the 6 months before it: sharp increase ≥ 2×, increase ≥ 1.25×, "
          "decrease ≤ 0.8×, sharp decrease ≤ 0.5×, otherwise stable; a difference under 5 is stable; "
          "no events when all 7 months are 0. Trend: slope of a straight line through the last 12 months.")
WHAT = {"deaths": N_("deaths"), "events": N_("events")}


def change_class(values: list[float]) -> dict:
    """{last, base (mean of the 6 months before), change (last − base), ratio, cls} for a monthly series."""
    last = float(values[-1]) if values else 0.0
    prev = [float(v) for v in values[-1 - BASE_MONTHS:-1]]
    base = sum(prev) / len(prev) if prev else 0.0
    diff = last - base
    ratio = last / base if base > 0 else None
    if last == 0 and not any(prev):
        cls = "no events"
    elif abs(diff) < NOISE:
        cls = "stable"
    elif base == 0 or last >= 2 * base:
        cls = "sharp increase"
    elif last >= 1.25 * base:
        cls = "increase"
    elif last <= 0.5 * base:
        cls = "sharp decrease"
    elif last <= 0.8 * base:
        cls = "decrease"
    else:
        cls = "stable"
    return {"last": last, "base": round(base, 1), "change": round(diff, 1),
            "ratio": round(ratio, 2) if ratio is not None else None, "cls": cls}


def trend(values: list[float]) -> float:
    """Least-squares slope of the last :data:`TREND_MONTHS` values (units per month)."""
    ys = [float(v) for v in values[-TREND_MONTHS:]]
    n = len(ys)
    if n < 2:
        return 0.0
    mx, my = (n - 1) / 2, sum(ys) / n
    num = sum((i - mx) * (y - my) for i, y in enumerate(ys))
    den = sum((i - mx) ** 2 for i in range(n))
    return round(num / den, 1)


def sparkline(values: list[float], width: int = 96, height: int = 24, label: str = "") -> Markup:
    """A small inline SVG polyline of ``values`` (server-rendered: no script, CSP-safe).  Only numbers and the
    escaped ``label`` go into the markup."""
    vals = [float(v) for v in values] or [0.0]
    top = max(vals) or 1.0
    n = len(vals)
    step = (width - 4) / max(1, n - 1)
    pts = " ".join(f"{2 + i * step:.1f},{height - 2 - (v / top) * (height - 4):.1f}" for i, v in enumerate(vals))
    lx, ly = pts.split(" ")[-1].split(",")
    return Markup(f'<svg class="spark" width="{width}" height="{height}" viewBox="0 0 {width} {height}" role="img" '
            f'aria-label="{escape(label)}"><polyline fill="none" stroke="currentColor" stroke-width="1.5" '
            f'points="{pts}"/><circle cx="{lx}" cy="{ly}" r="2" fill="currentColor"/></svg>')


def _collate(name: str) -> tuple[str, str]:
    """A name's alphabetical key in any of the interface's languages: letters without their accents (Łotwa
    beside Litwa, Słowacja before Szwecja), then the name itself."""
    import unicodedata
    plain = unicodedata.normalize("NFKD", name.casefold().replace("ł", "l"))
    return "".join(c for c in plain if not unicodedata.combining(c)), name


SORTS = {"deaths": lambda r: (-r["last"], _collate(r["name"])), "change": lambda r: (-r["change"], _collate(r["name"])),
         "trend": lambda r: (-r["trend"], _collate(r["name"])), "name": lambda r: (_collate(r["name"]),)}


def answer_rows(series: dict[str, list[float]], countries: list[str], names: dict[str, str],
                first_label: str, last_label: str, what: str, sort: str = "deaths") -> list[dict]:
    """One row per country: name, values, the change class, trend and sparkline, sorted by ``sort``."""
    rows = []
    for iso3 in countries:
        values = series.get(iso3)
        name = names.get(iso3, iso3)
        if values is None:
            rows.append({"iso3": iso3, "name": name, "values": [], "last": -1.0, "base": None, "change": 0.0,
                         "ratio": None, "cls": "no data", "trend": 0.0, "spark": "", "total": 0.0})
            continue
        rows.append({"iso3": iso3, "name": name, "values": values, **change_class(values), "trend": trend(values),
                     "total": sum(values),
                     "spark": sparkline(values, label=gettext("%(name)s: %(what)s per month, %(first)s to %(last)s") % {
                         "name": name, "what": gettext(WHAT.get(what, what)), "first": first_label,
                         "last": last_label})})
    return sorted(rows, key=SORTS.get(sort, SORTS["deaths"]))
