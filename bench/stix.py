"""STIX benchmark: `signalfire ingest stix` of MITRE ATT&CK Enterprise against `stix2.parse`, and the export back.

In one run, on the ATT&CK Enterprise bundle from ``../shared/data/cyber/attack/`` (24,771 objects):

* ``ingest`` — ``store.ingest.ingest_file`` with the ``stix`` adapter into a fresh store (the whole path: read
  and decompress the file, parse, check every object, stage, hash, merge, commit), in-process;
* ``baseline_stix2_parse`` — ``stix2.parse(bundle, allow_custom=True)`` of the same bundle, given the already
  parsed dict (its JSON parsing not counted: the baseline is favoured);
* ``export`` — ``reports.stix.export_bundle`` of everything (``--tlp red``) and its serialisation, then
  ``stix2-validator`` on the exported bundle: every object when ``--validate all``, else (default) the first
  ``--sample`` objects of each type (the validator takes ~30 ms per object: all 24,771 take minutes), and a check
  that the export holds as many objects of each type as the file.

Prints ONE JSON line.  ``speedup`` = baseline seconds / ingest seconds (the issue asks for at least 3).
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("SIGNALFIRE_SHARED_DATA", ROOT.parent / "shared" / "data"))
BUNDLE = SHARED / "cyber" / "attack" / "enterprise-attack-v18.1.json.gz"


def _load(path: Path) -> dict:
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rb") as fh:
        return json.load(fh)


def run(path: Path, validate: str, sample: int) -> dict:
    import stix2
    from stix2validator import ValidationOptions, validate_instance

    from signalfire.reports.stix import Selection, dumps, export_bundle
    from signalfire.sources import get
    from signalfire.store.ingest import ingest_file
    from signalfire.warehouse import Warehouse

    bundle = _load(path)
    expected = Counter(o["type"] for o in bundle["objects"])
    with tempfile.TemporaryDirectory() as tmp:
        wh = Warehouse(Path(tmp) / "bench.duckdb")
        started = time.perf_counter()
        result = ingest_file(wh, get("stix"), path)
        ingest_s = time.perf_counter() - started

        started = time.perf_counter()
        parsed = stix2.parse(bundle, allow_custom=True)
        baseline_s = time.perf_counter() - started
        parsed_n = len(parsed.objects)
        del parsed

        started = time.perf_counter()
        out = export_bundle(wh.con, Selection(tlp="red", incidents=False))
        data = dumps(out)
        export_s = time.perf_counter() - started
        wh.close()
    exported = Counter(o["type"] for o in out["objects"])
    if validate == "all":
        chosen = out["objects"]
    else:
        seen: Counter = Counter()
        chosen = []
        for obj in out["objects"]:
            if seen[obj["type"]] < sample:
                seen[obj["type"]] += 1
                chosen.append(obj)
    options = ValidationOptions(version="2.1")
    started = time.perf_counter()
    invalid = [obj["id"] for obj in chosen if not validate_instance(obj, options).is_valid]
    validate_s = time.perf_counter() - started
    return {
        "bench": "stix", "file": path.name, "objects": len(bundle["objects"]),
        "ingest": {"seconds": round(ingest_s, 3), "objects_per_s": round(result.read / ingest_s),
                   "read": result.read, "new": result.new, "quarantined": result.quarantined},
        "baseline_stix2_parse": {"seconds": round(baseline_s, 3), "objects": parsed_n,
                                 "objects_per_s": round(parsed_n / baseline_s)},
        "speedup": round(baseline_s / ingest_s, 2),
        "export": {"seconds": round(export_s, 3), "objects": len(out["objects"]), "bytes": len(data),
                   "same_counts_by_type": exported == expected,
                   "validated": {"objects": len(chosen), "of": len(out["objects"]),
                                 "mode": "all" if validate == "all" else f"first {sample} of each type",
                                 "invalid": len(invalid), "seconds": round(validate_s, 3)}},
        "python": sys.version.split()[0],
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bundle", type=Path, default=BUNDLE, help="a STIX 2.1 bundle (.json or .json.gz)")
    parser.add_argument("--validate", choices=("sample", "all"), default="sample")
    parser.add_argument("--sample", type=int, default=25, help="objects of each type validated (default 25)")
    args = parser.parse_args(argv)
    if not args.bundle.exists():
        print(f"error: {args.bundle} not found (ATT&CK Enterprise bundle; set SIGNALFIRE_SHARED_DATA)",
              file=sys.stderr)
        return 2
    print(json.dumps(run(args.bundle, args.validate, args.sample)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
