"""The firings as an Atom feed (RFC 4287), for any feed reader or another system to subscribe to."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from signalfire.terminal import inert

ATOM = "http://www.w3.org/2005/Atom"


def _text(value) -> str:
    """Text for the feed: control characters (XML 1.0 forbids most of them; ElementTree writes them anyway, and
    a feed with one is no longer XML) and bidi overrides shown escaped, as in the terminal, line breaks kept."""
    return inert(str(value), keep_lines=True)


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
        ET.SubElement(entry, f"{{{ATOM}}}title").text = _text(f"[{f['level']}] {f['title']}")
        ET.SubElement(entry, f"{{{ATOM}}}updated").text = f["fired_at"]
        ET.SubElement(entry, f"{{{ATOM}}}link", href=f"{base_url}/alerts#firing-{f['firing_id']}")
        ET.SubElement(entry, f"{{{ATOM}}}category", term=_text(f["level"]))
        ET.SubElement(entry, f"{{{ATOM}}}summary").text = _text(f"Rule {f['rule']}: {f['subject']}, {f['period']}")
    return ET.tostring(feed, encoding="utf-8", xml_declaration=True)
