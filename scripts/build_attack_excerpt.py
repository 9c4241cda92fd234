"""Build tests/fixtures/cyber/attack_excerpt.json: a small real excerpt of MITRE ATT&CK Enterprise (v18.1).

APT28 (G0007), the first two techniques and the first software it uses, those relationships, one
revoked technique, a tactic, MITRE's identity and its copyright marking — verbatim objects, in a bundle.  ATT&CK
is reproduced under MITRE's licence (tests/fixtures/cyber/ATTACK_NOTICE.txt).

    python scripts/build_attack_excerpt.py ../shared/data/cyber/attack/enterprise-attack-v18.1.json.gz
"""

from __future__ import annotations

import gzip
import json
import sys
from pathlib import Path

OUT = Path(__file__).resolve().parents[1] / "tests" / "fixtures" / "cyber" / "attack_excerpt.json"
GROUPS = ("G0007",)


def main(path: str) -> None:
    with gzip.open(path, "rb") if path.endswith(".gz") else open(path, "rb") as fh:
        bundle = json.load(fh)
    objects = bundle["objects"]
    by_id = {o["id"]: o for o in objects}

    def ext(o):
        return next((r.get("external_id") for r in o.get("external_references", []) if r.get("external_id")), None)

    picked = [o for o in objects if o["type"] in ("identity", "marking-definition")]
    for gid in GROUPS:
        group = next(o for o in objects if o["type"] == "intrusion-set" and ext(o) == gid)
        picked.append(group)
        uses = sorted((o for o in objects if o["type"] == "relationship" and o.get("relationship_type") == "uses"
                       and o["source_ref"] == group["id"] and not o.get("revoked")), key=lambda o: o["target_ref"])
        techniques = [r for r in uses if r["target_ref"].startswith("attack-pattern--")][:2]
        software = [r for r in uses if r["target_ref"].startswith(("malware--", "tool--"))][:1]
        for rel in techniques + software:
            picked += [rel, by_id[rel["target_ref"]]]
    picked.append(next(o for o in objects if o["type"] == "x-mitre-tactic"))
    picked.append(next(o for o in objects if o["type"] == "attack-pattern" and o.get("revoked")))
    unique = list({o["id"]: o for o in picked}.values())
    OUT.write_text(json.dumps({"type": "bundle", "id": bundle["id"], "objects": unique}, separators=(",", ":")) + "\n")
    print(f"{OUT}: {len(unique)} objects, {OUT.stat().st_size:,} bytes")


if __name__ == "__main__":
    main(sys.argv[1])
