"""Numbers and dates, one way on every page (the Jinja filters registered in ``pages.py``).

Numbers follow the page's language (Babel/CLDR: ``12,192`` in English, ``12 192`` in Polish); dates and
months are ISO 8601 in every language (``2023-02-28``, ``2023-02``).  ``static/js/format.mjs`` is the twin
for charts and maps: change both together.  docs/UI.md lists which filter to use where.
"""

from __future__ import annotations

import datetime as dt
import math

from babel.dates import format_date
from babel.numbers import format_decimal, format_percent

from signalfire.web import i18n

MINUS = "\u2212"


def _number(value) -> float | None:
    if value is None or value == "":
        return None
    try:
        out = float(value)
    except (TypeError, ValueError):
        return None
    return out if math.isfinite(out) else None


def _pattern(digits: int) -> str:
    return "#,##0" + ("." + "0" * digits if digits > 0 else "")


def precision(value: float) -> int:
    """Sensible decimals: none from 100 up, one from 1 to 100, two below 1 (0 is 0)."""
    size = abs(value)
    if size >= 100 or size == 0 or float(value).is_integer():
        return 0
    return 1 if size >= 1 else 2


def fmt_int(value) -> str:
    """A whole number with thousands separators (rounded); '' for a missing value."""
    number = _number(value)
    if number is None:
        return ""
    return format_decimal(round(number), format="#,##0", locale=i18n.current.get()).replace("-", MINUS)


def fmt_num(value, digits: int | None = None) -> str:
    """A measure: thousands separators and sensible precision (``digits`` fixes the decimals)."""
    number = _number(value)
    if number is None:
        return ""
    digits = precision(number) if digits is None else digits
    if abs(number) >= 1e15:    # beyond what a count of deaths or events can be (Babel's decimal context gives up
        return f"{number:.3g}".replace("-", MINUS)   # near 1e308: the page had answered 500)
    text = format_decimal(round(number, digits), format=_pattern(digits), locale=i18n.current.get())
    return text.replace("-", MINUS)


def fmt_signed(value, digits: int | None = None) -> str:
    """A change: always signed (+12, −3.5, 0)."""
    number = _number(value)
    if number is None:
        return ""
    text = fmt_num(abs(number), digits)
    if text.strip("0.,\u00a0 ") == "":
        return text
    return ("+" if number > 0 else MINUS) + text


def fmt_pct(value, digits: int = 0) -> str:
    """A share or probability (0–1) as a percentage; a value above 0 that rounds to 0 shows as '<1%'."""
    number = _number(value)
    if number is None:
        return ""
    lang = i18n.current.get()
    step = 10 ** -(digits + 2)
    if 0 < number < step / 2:
        return "<" + format_percent(step, format="#,##0" + ("." + "0" * digits if digits else "") + "%", locale=lang)
    return format_percent(number, format=_pattern(digits) + "%", locale=lang).replace("-", MINUS)


def _as_date(value):
    if isinstance(value, (dt.date, dt.datetime)):
        return value
    if isinstance(value, str) and value:
        try:
            return dt.datetime.fromisoformat(value)
        except ValueError:
            return None
    return None


def fmt_date(value) -> str:
    """An ISO date (2023-02-28); strings that are not dates are shown as they are."""
    if value is None:
        return ""
    d = _as_date(value)
    if d is None:
        return str(value)
    return d.date().isoformat() if isinstance(d, dt.datetime) else d.isoformat()


def fmt_datetime(value) -> str:
    """An ISO date and time to the minute (2023-02-28 14:05), as stored (UTC)."""
    d = _as_date(value)
    if d is None:
        return "" if value is None else str(value)
    if not isinstance(d, dt.datetime):
        return d.isoformat()
    return d.strftime("%Y-%m-%d %H:%M")


def fmt_month(value) -> str:
    """A month as ISO YYYY-MM (from a date, a datetime or a 'YYYY-MM…' string)."""
    d = _as_date(value)
    if d is not None:
        return f"{d.year:04d}-{d.month:02d}"
    return "" if value is None else str(value)[:7]


def fmt_month_name(value) -> str:
    """A month spelled out in the page's language, for headings (February 2023 / luty 2023)."""
    d = _as_date(value)
    if d is None:
        try:
            d = dt.date.fromisoformat(str(value)[:7] + "-01")
        except ValueError:
            return "" if value is None else str(value)
    lang = i18n.current.get()
    return format_date(d if isinstance(d, dt.date) else d.date(), "LLLL y", locale=lang)


FILTERS = {"int": fmt_int, "num": fmt_num, "signed": fmt_signed, "pct": fmt_pct, "date": fmt_date,
           "datetime": fmt_datetime, "month": fmt_month, "month_name": fmt_month_name}
