"""The notebook API never shows a raw library traceback for bad input: it raises the project's errors
(QueryError for a bad value, StoreError for a store problem) with messages that name Python parameters."""

from __future__ import annotations

import pytest

import signalfire
from signalfire.store.database import StoreError
from signalfire.store.queries import QueryError


@pytest.fixture(scope="module")
def path(tmp_path_factory):
    """A store with the shipped GED demo file."""
    from signalfire.demo import demo_files
    path = tmp_path_factory.mktemp("api_errors") / "api.duckdb"
    with signalfire.open(path) as wh:
        for adapter, file in demo_files():
            if adapter == "ucdp-ged":
                wh.ingest(adapter, file)
    return path


@pytest.fixture
def wh(path):
    with signalfire.open(path) as w:
        yield w


def test_bbox_takes_a_tuple_or_list_of_four_numbers(wh):
    as_text = wh.events(bbox="22,44,40,52")
    assert len(as_text) > 0
    for bbox in ((22, 44, 40, 52), [22.0, 44.0, 40.0, 52.0]):
        frame = wh.events(bbox=bbox)
        assert frame.equals(as_text)
    assert frame.latitude.between(44, 52).all() and frame.longitude.between(22, 40).all()


@pytest.mark.parametrize("bbox", [(22, 44, 40), (22, 44, 40, "x"), (22, 44, 40, float("nan")), (0, 60, 10, 50)])
def test_bad_bbox_is_a_clear_error_without_cli_wording(wh, bbox):
    with pytest.raises(QueryError, match="bbox") as err:
        wh.events(bbox=bbox)
    assert "--" not in str(err.value)


def test_filter_errors_name_the_parameter_not_the_cli_option(wh):
    with pytest.raises(QueryError, match="not a date") as err:
        wh.events(since="last week")
    assert "--since" not in str(err.value) and "since" in str(err.value)


@pytest.mark.parametrize("limit", [-1, 0, 10**20, 2.5, "10", True])
def test_bad_limit_is_a_clear_error(wh, limit):
    with pytest.raises(QueryError, match="limit"):
        wh.events(limit=limit)


def test_limit_and_offset_page_through_events(wh):
    first = wh.events(limit=5)
    second = wh.events(limit=5, offset=5)
    both = wh.events(limit=10)
    assert len(first) == len(second) == 5
    assert list(both.source_id) == list(first.source_id) + list(second.source_id)
    assert len(wh.events(offset=5)) == len(wh.events()) - 5
    for offset in (-1, 10**20, "x"):
        with pytest.raises(QueryError, match="offset"):
            wh.events(offset=offset)


@pytest.mark.parametrize("run_id", ["x", 1.5, -1, 10**20])
def test_quarantine_needs_a_whole_run_id(wh, run_id):
    with pytest.raises(QueryError, match="run_id"):
        wh.quarantine(run_id)


def test_quarantine_of_a_run(wh):
    run_id = int(wh.runs().run_id.iloc[0])
    frame = wh.quarantine(run_id)
    assert set(frame.run_id) <= {run_id}


def test_unknown_panel_measure_lists_the_valid_ones(wh):
    with pytest.raises(QueryError, match="ged_sb_best") as err:
        wh.panel(measure="nope")
    assert "nope" in str(err.value)
    assert len(wh.panel(measure="ged_sb_best")) > 0


def test_ingest_into_a_read_only_store_is_a_store_error(path):
    from signalfire.demo import demo_files
    file = next(f for adapter, f in demo_files() if adapter == "ucdp-ged")
    with signalfire.open(path, read_only=True) as ro:
        runs = len(ro.runs())
        with pytest.raises(StoreError, match="opened read-only"):
            ro.ingest("ucdp-ged", file)
        assert len(ro.runs()) == runs


def test_country_takes_any_iterable_of_strings(wh):
    ukr = wh.events(country="UKR")
    assert len(ukr) > 0
    for value in ({"UKR"}, ["UKR"], ("UKR",), frozenset(["ukr"])):
        assert wh.events(country=value).equals(ukr)
    both = wh.events(country={"UKR", "SYR"})
    assert len(both) == len(wh.events(country="UKR,SYR")) >= len(ukr)
    assert len(wh.events(category={"armed_conflict"})) == len(wh.events(category="armed_conflict"))


@pytest.mark.parametrize("country", [369, 3.5, ["UKR", 369], {"UKR": 1}])
def test_non_string_country_is_a_clear_error(wh, country):
    with pytest.raises(QueryError, match="country") as err:
        wh.events(country=country)
    assert "--" not in str(err.value)
