"""What the two user-supplied layouts share: the source URL rule and partial dates."""

from __future__ import annotations

import pandas as pd

from signalfire.sources.validate import Checker

URL = r"https?://[^\s/]+\.[^\s]+"
DATES = ["%Y-%m-%d", "%Y-%m", "%Y"]


def source_url(chk: Checker) -> pd.Series:
    """``source_url``, required on every line and an http(s) address: a line without one is quarantined."""
    url = chk.require("source_url")
    chk.fail(url.notna() & ~url.fillna("").str.fullmatch(URL), "source_url", "not an http(s) URL")
    return url
