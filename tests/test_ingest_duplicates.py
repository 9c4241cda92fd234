"""A key repeated within one file: one record is kept, the others are quarantined with the reason."""

from __future__ import annotations

from signalfire.sources import get
from signalfire.store.ingest import ingest_file


def test_concatenated_acled_exports_keep_the_recode(store, tmp_path, fixtures_dir):
    """The original export after its recode in one file: the newer timestamp wins, wherever it stands."""
    original = (fixtures_dir / "acled_export_sample.csv").read_text().splitlines()
    recode = (fixtures_dir / "acled_export_recode.csv").read_text().splitlines()
    assert original[0] == recode[0]
    path = tmp_path / "acled_concatenated.csv"
    path.write_text("\n".join([original[0], *original[1:], *recode[1:]]) + "\n")  # the recode comes last
    result = ingest_file(store, get("acled"), path)
    repeated = len(recode) - 1
    assert result.quarantined == repeated
    assert result.read == result.new + result.quarantined
    kept = store.df("SELECT source_id, source_version, record_ref FROM events WHERE source_id IN "
                    f"({', '.join(repr(line.split(',')[0]) for line in recode[1:])})")
    single = tmp_path / "acled_recode_only.csv"
    single.write_text("\n".join(recode) + "\n")
    from signalfire.warehouse import Warehouse
    with Warehouse(tmp_path / "ref.duckdb") as ref:
        ingest_file(ref, get("acled"), single)
        want = ref.df("SELECT source_id, source_version FROM events")
    assert dict(zip(kept.source_id, kept.source_version)) == dict(zip(want.source_id, want.source_version))
    reasons = list(store.df("SELECT reason FROM quarantine").reason)
    assert all("duplicate key source=acled, source_id=" in r and "kept the record at line" in r for r in reasons)


def test_first_record_is_kept_when_versions_tie(store, tmp_path, shared_data):
    lines = shared_data("ucdp/ged_v23_1_sample1000.csv").read_text().splitlines()
    changed = lines[1].replace(",2013-01-03,2013-01-03,", ",2013-01-04,2013-01-04,")
    path = tmp_path / "ged_v23_1_twice.csv"
    path.write_text("\n".join([lines[0], lines[1], changed]) + "\n")
    result = ingest_file(store, get("ucdp-ged"), path)
    assert (result.new, result.quarantined) == (1, 1)
    assert str(store.df("SELECT date_start FROM events").date_start[0].date()) == "2013-01-03"
    assert "(kept the record at line 2)" in store.df("SELECT reason FROM quarantine").reason[0]
