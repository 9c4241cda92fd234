"""Country resolution across code schemes, historical states and Kosovo; unknowns are never guessed."""

from __future__ import annotations

import pandas as pd
import pytest

from signalfire.geo.countries import describe_failure, resolve, resolve_series


@pytest.mark.parametrize("value, scheme, when, iso3, gw", [
    ("POL", "iso3", None, "POL", 290),
    ("PL", "iso2", None, "POL", 290),
    (616, "isonum", None, "POL", 290),
    ("616.0", "isonum", None, "POL", 290),
    (290, "gw", None, "POL", 290),
    (290, "cow", None, "POL", 290),
    ("PL", "fips", None, "POL", 290),
    ("UP", "fips", None, "UKR", 369),          # FIPS is not ISO: UP is Ukraine
    ("RS", "fips", None, "RUS", 365),
    (345, "gw", "1985-06-01", "YUG", 345),      # Yugoslavia
    (345, "gw", "1999-04-01", "SCG", 345),      # Serbia and Montenegro
    (345, "gw", "2010-01-01", "SRB", 340),      # UCDP keeps 345 for Serbia
    (365, "gw", "1989-05-01", "SUN", 365),
    (365, "gw", "2022-03-01", "RUS", 365),
    (265, "gw", None, "DDR", 265),
    (347, "gw", None, "XKX", 347),
    ("Kosovo", "name", None, "XKX", 347),
    ("XKX", "iso3", None, "XKX", 347),
    ("DR Congo (Zaire)", "name", None, "COD", 490),
    ("Côte d’Ivoire", "name", None, "CIV", 437),
    ("Russia (Soviet Union)", "name", None, "RUS", 365),
    ("bosnia-herzegovina", "name", None, "BIH", 346),
    (678, "gw", None, "YEM", 678),
    (816, "gw", None, "VNM", 816),
])
def test_resolves(value, scheme, when, iso3, gw):
    found = resolve(value, scheme, when)
    assert found is not None and (found.iso3, found.gw) == (iso3, gw)


@pytest.mark.parametrize("value, scheme", [("Narnia", "name"), (999, "gw"), ("ZZ", "fips"), ("", "name"),
                                           (None, "iso3"), ("abc", "gw"), ("Congo-ish", "name")])
def test_unknowns_are_not_guessed(value, scheme):
    assert resolve(value, scheme) is None
    assert describe_failure(value, scheme)


def test_series_resolution_by_date_keeps_index():
    values = pd.Series([345, 345, 369, 999], index=[10, 11, 12, 13])
    when = pd.Series(pd.to_datetime(["1991-01-01", "2008-01-01", "2014-01-01", "2014-01-01"]), index=values.index)
    out = resolve_series(values, "gw", when=when)
    assert list(out.index) == [10, 11, 12, 13]
    assert list(out.country_iso3.fillna("-")) == ["YUG", "SRB", "UKR", "-"]


def test_unknown_scheme_is_an_error():
    with pytest.raises(ValueError, match="unknown country code scheme"):
        resolve("POL", "iso4")
