"""Traffic Light Protocol markings in STIX 2.1: TLP 1.0 (predefined by STIX 2.1, ``definition_type: tlp``) and
TLP 2.0 (FIRST's 2022 levels, published by OASIS as marking definitions carrying the property extension
``extension-definition--60a3c5c5-0d10-413e-aab3-9e08dde9e88d`` with ``tlp_2_0``).

Levels are ordered: ``clear`` (TLP 1.0 ``white``) < ``green`` < ``amber`` < ``amber+strict`` < ``red``.
"""

from __future__ import annotations

TLP2_EXTENSION = "extension-definition--60a3c5c5-0d10-413e-aab3-9e08dde9e88d"
LEVELS = ("clear", "green", "amber", "amber+strict", "red")
RANK = {level: i for i, level in enumerate(LEVELS)}
RANK["white"] = RANK["clear"]

TLP1 = {  # STIX 2.1 section 7.2.1.4: the predefined TLP 1.0 marking definitions
    "marking-definition--613f2e26-407d-48c7-9eca-b8e91df99dc9": "white",
    "marking-definition--34098fce-860f-48ae-8e50-ebd3cc5e41da": "green",
    "marking-definition--f88d31f6-486f-44da-b317-01333bde0b82": "amber",
    "marking-definition--5e57c739-391a-4eb3-b6be-7d15ca92d5ed": "red",
}
TLP2 = {  # OASIS cti-stix-common-objects, extension-definition-specifications/tlp-2.0
    "marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487": "clear",
    "marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb": "green",
    "marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421": "amber",
    "marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003": "amber+strict",
    "marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1": "red",
}
KNOWN = {**TLP1, **TLP2}
TLP1_CREATED = "2017-01-20T00:00:00.000Z"
TLP2_CREATED = "2022-10-01T00:00:00.000Z"


def level_of_definition(obj: dict) -> str | None:
    """The TLP level a marking-definition object defines (by its content), or None."""
    if obj.get("id") in KNOWN:
        return KNOWN[obj["id"]]
    if obj.get("definition_type") == "tlp" and isinstance(obj.get("definition"), dict):
        level = str(obj["definition"].get("tlp", "")).lower()
        return level if level in RANK else None
    ext = obj.get("extensions")
    if isinstance(ext, dict) and isinstance(ext.get(TLP2_EXTENSION), dict):
        level = str(ext[TLP2_EXTENSION].get("tlp_2_0", "")).lower()
        return level if level in RANK else None
    return None


def highest(refs, levels: dict[str, str]) -> str | None:
    """The strictest TLP level among marking refs (``levels``: marking id -> level), or None."""
    best = None
    for ref in refs or ():
        level = levels.get(ref) if isinstance(ref, str) else None
        if level is not None and (best is None or RANK[level] > RANK[best]):
            best = level
    return "clear" if best == "white" else best


def definition(level: str) -> dict:
    """The TLP 2.0 marking-definition object for a level (as OASIS publishes it)."""
    ident = next(k for k, v in TLP2.items() if v == level)
    return {"type": "marking-definition", "spec_version": "2.1", "id": ident, "created": TLP2_CREATED,
            "name": f"TLP:{level.upper()}",
            "extensions": {TLP2_EXTENSION: {"extension_type": "property-extension", "tlp_2_0": level}}}


def canonical(level: str) -> str:
    """The published TLP 2.0 marking-definition id of a level (TLP 1.0 white is TLP 2.0 clear)."""
    level = "clear" if level == "white" else level
    return next(k for k, v in TLP2.items() if v == level)


def definition1(ident: str) -> dict:
    """STIX 2.1's predefined TLP 1.0 marking-definition object (section 7.2.1.4) for one of its ids."""
    level = TLP1[ident]
    return {"type": "marking-definition", "spec_version": "2.1", "id": ident, "created": TLP1_CREATED,
            "definition_type": "tlp", "name": f"TLP:{level.upper()}", "definition": {"tlp": level}}
