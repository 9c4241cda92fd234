"""The firings as an Atom feed (RFC 4287), for any feed reader or another system to subscribe to."""

from __future__ import annotations

import xml.etree.ElementTree as ET

ATOM = "http://www.w3.org/2005/Atom"


def atom(firings: list[dict], base_url: str, updated: str) -> bytes:
    """``firings``: dicts with firing_id, fired_at (ISO), title, level, subject, period, rule; newest first."""
    ET.register_namespace("", ATOM)
    feed = ET.Element(f"{{{ATOM}}}feed")
    ET.SubElement(feed, f"{{{ATOM}}}title").text = "Signalfire alerts"
    ET.SubElement(feed, f"{{{ATOM}}}id").text = f"{base_url}/alerts"
    ET.SubElement(feed, f"{{{ATOM}}}updated").text = updated
    ET.SubElement(feed, f"{{{ATOM}}}link", href=f"{base_url}/alerts.atom", rel="self")
    author = ET.SubElement(feed, f"{{{ATOM}}}author")
    ET.SubElement(author, f"{{{ATOM}}}name").text = "Signalfire"
    for f in firings:
        entry = ET.SubElement(feed, f"{{{ATOM}}}entry")
        ET.SubElement(entry, f"{{{ATOM}}}id").text = f"urn:signalfire:firing:{f['firing_id']}"
        ET.SubElement(entry, f"{{{ATOM}}}title").text = f"[{f['level']}] {f['title']}"
        ET.SubElement(entry, f"{{{ATOM}}}updated").text = f["fired_at"]
        ET.SubElement(entry, f"{{{ATOM}}}link", href=f"{base_url}/alerts#firing-{f['firing_id']}")
        ET.SubElement(entry, f"{{{ATOM}}}category", term=f["level"])
        ET.SubElement(entry, f"{{{ATOM}}}summary").text = (f"Rule {f['rule']}: {f['subject']}, {f['period']}")
    return ET.tostring(feed, encoding="utf-8", xml_declaration=True)
