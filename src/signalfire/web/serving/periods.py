"""Period presets for the filter bar: last week / month / quarter / year / all, relative to the latest data.

A preset ends on the date of the latest data the page shows (not today's date: the data may be months old), and
goes back 7 days, or 1, 3 or 12 months: ``since = (latest + 1 day) − N months``, so a store whose data ends on a
month's last day gets whole calendar months (latest 2023-02-28: month = 2023-02-01…2023-02-28, year =
2022-03-01…2023-02-28).  "All" spans the first to the latest date.  Each preset is a plain link that sets
``since`` and ``until`` in the URL (keeping the page's other filters), so it works without JavaScript and the
view can be shared.
"""

from __future__ import annotations

import calendar
import datetime as dt
from urllib.parse import urlencode

from jinja2 import pass_context

PRESETS = (("week", 0), ("month", 1), ("quarter", 3), ("year", 12), ("all", None))


def _months_back(day: dt.date, months: int) -> dt.date:
    y, m = divmod(day.year * 12 + day.month - 1 - months, 12)
    m += 1
    return dt.date(y, m, min(day.day, calendar.monthrange(y, m)[1]))


def _as_date(value) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str) and value:
        try:
            return dt.date.fromisoformat(value[:10])
        except ValueError:
            return None
    return None


def presets(latest, first=None) -> list[tuple[str, dt.date, dt.date]]:
    """(key, since, until) for each preset ending at ``latest``; "all" only when ``first`` is known."""
    end = _as_date(latest)
    if end is None:
        return []
    start_all = _as_date(first)
    out = []
    for key, months in PRESETS:
        if key == "week":
            since = end - dt.timedelta(days=6)
        elif months is None:
            if start_all is None:
                continue
            since = start_all
        else:
            since = _months_back(end + dt.timedelta(days=1), months)
        out.append((key, since, end))
    return out


@pass_context
def preset_links(context, latest, first=None) -> list[dict]:
    """The presets as links on the current page: the URL's query with ``since``/``until`` replaced (and ``page``
    dropped); ``current`` marks the preset the page shows now."""
    request = context.get("request")
    query = dict(request.query_params) if request is not None else {}
    path = request.url.path if request is not None else ""
    query.pop("page", None)
    f = context.get("f") or {}
    shown = (str(f.get("since") or query.get("since", "")), str(f.get("until") or query.get("until", "")))
    links = []
    for key, since, until in presets(latest, first):
        q = {**query, "since": since.isoformat(), "until": until.isoformat()}
        links.append({"key": key, "since": since.isoformat(), "until": until.isoformat(),
                      "href": f"{path}?{urlencode(q)}", "current": shown == (since.isoformat(), until.isoformat())})
    return links
