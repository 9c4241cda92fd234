"""The filters every front end shares (CLI, Python API, REST API, pages): what users type is read as they mean it,
and what cannot match anything is an error, not an empty result."""

from __future__ import annotations

import datetime as dt

import pytest

from signalfire.store.queries import EventFilter, QueryError


def test_until_a_year_or_month_covers_the_whole_period():
    flt = EventFilter.parse(since="2023", until="2023")
    assert (flt.since, flt.until) == (dt.date(2023, 1, 1), dt.date(2023, 12, 31))
    assert EventFilter.parse(until="2024-02").until == dt.date(2024, 2, 29)      # leap year
    assert EventFilter.parse(until="2023-02").until == dt.date(2023, 2, 28)
    assert EventFilter.parse(since="2023-02", until="2023-02").since == dt.date(2023, 2, 1)
    assert EventFilter.parse(until="2023-02-10").until == dt.date(2023, 2, 10)   # a day is that day


def test_names_codes_and_case_are_read_as_meant():
    flt = EventFilter.parse(country="Ukraine, ua,pol,Türkiye", category="Armed_Conflict", source="UCDP-GED")
    assert flt.countries == ["UKR", "UKR", "POL", "TUR"]
    assert (flt.categories, flt.sources) == (["armed_conflict"], ["ucdp-ged"])


@pytest.mark.parametrize("kwargs, words", [
    ({"country": "UKR,Narnia"}, "unknown 'Narnia'"),
    ({"category": "battles"}, "armed_conflict"),
    ({"source": "ucdp_ged"}, "unknown 'ucdp_ged'; use acled"),
    ({"until": "0001"}, "out of range"),
    ({"since": "2024", "until": "2023"}, "after"),
])
def test_what_cannot_match_is_an_error(kwargs, words):
    with pytest.raises(QueryError, match=words):
        EventFilter.parse(**kwargs)
