"""What the CFR and DCID adapters share: operation types, sectors, victim states named in text, and the UN GGE
(2015) norm tags.

Types (``TYPES``) follow CFR's tracker vocabulary, normalised to snake case: ``espionage``, ``sabotage``, ``ddos``
(CFR "Denial of service"), ``defacement``, ``data_destruction``, ``financial_theft``, ``doxing``.

Norm tags: the eleven norms of the 2015 UN Group of Governmental Experts report (A/70/174, paragraph 13 (a)–(k)).
An incident bears on a norm by these rules, applied to the normalised type, the sectors and the victims' text
(the words matched are listed in ``CRITICAL_WORDS`` etc.; nothing else is inferred):

* **13(f)** (no ICT activity that intentionally damages critical infrastructure): a disruptive or destructive type
  (sabotage, data destruction, DDoS) against critical infrastructure — a DCID critical-infrastructure sector
  1–16 but 11 (government facilities), or words naming one (energy, power grid, water, hospital, bank, telecom,
  transport, nuclear, …);
* **13(g)** (protect own critical infrastructure) is a duty of the victim state: tagged with 13(f);
* **13(i)** (supply-chain integrity): DCID's supply-chain flag, or "supply chain" / "software update" in the text;
* **13(k)** (no harm to CERTs/CSIRTs): a CERT, CSIRT or emergency response team among the victims;
* **13(e)** (human rights, privacy): doxing, or espionage against civil society (journalists, dissidents,
  activists, NGOs, human-rights groups, the diaspora);
* **13(c)** (no knowingly allowing one's territory to be used) is not derivable from these data and never tagged.
"""

from __future__ import annotations

import re
from functools import lru_cache

from signalfire.geo.countries import norm, reference

TYPES = ("espionage", "sabotage", "ddos", "defacement", "data_destruction", "financial_theft", "doxing")
DISRUPTIVE = {"sabotage", "data_destruction", "ddos"}

CRITICAL_WORDS = ("energy", "power grid", "electric", "power plant", "power company", "utility", "utilities",
                  "water", "dam ", "hospital", "health", "bank", "financial", "stock exchange", "telecom",
                  "telecommunication", "transport", "airport", "airline", "railway", "rail ", "port ", "shipping",
                  "nuclear", "oil", "gas ", "pipeline", "petrochemical", "chemical", "emergency services")
CIVIL_WORDS = ("journalist", "dissident", "activist", "human rights", "ngo", "nongovernmental", "non-governmental",
               "civil society", "diaspora", "opposition", "uyghur", "tibetan", "media")
SUPPLY_WORDS = ("supply chain", "supply-chain", "software update")
CERT_WORDS = re.compile(r"\b(cert|csirt|computer emergency response team|cyber emergency response team)\b", re.IGNORECASE)

# Demonyms and common short forms that name a state in CFR's free-text Victims column (exact words only)
DEMONYMS = {
    "american": "USA", "u.s.": "USA", "us": "USA", "usa": "USA", "united states": "USA", "british": "GBR",
    "uk": "GBR", "u.k.": "GBR", "english": "GBR", "german": "DEU", "french": "FRA", "polish": "POL",
    "ukrainian": "UKR", "russian": "RUS", "belarusian": "BLR", "lithuanian": "LTU", "latvian": "LVA",
    "estonian": "EST", "czech": "CZE", "slovak": "SVK", "hungarian": "HUN", "romanian": "ROU", "italian": "ITA",
    "spanish": "ESP", "dutch": "NLD", "belgian": "BEL", "norwegian": "NOR", "swedish": "SWE", "danish": "DNK",
    "finnish": "FIN", "austrian": "AUT", "swiss": "CHE", "greek": "GRC", "turkish": "TUR", "georgian": "GEO",
    "armenian": "ARM", "azerbaijani": "AZE", "chinese": "CHN", "japanese": "JPN", "south korean": "KOR",
    "north korean": "PRK", "korean": "KOR", "taiwanese": "TWN", "indian": "IND", "pakistani": "PAK",
    "afghan": "AFG", "iranian": "IRN", "iraqi": "IRQ", "israeli": "ISR", "palestinian": "PSE", "saudi": "SAU",
    "emirati": "ARE", "qatari": "QAT", "kuwaiti": "KWT", "lebanese": "LBN", "syrian": "SYR", "egyptian": "EGY",
    "vietnamese": "VNM", "thai": "THA", "philippine": "PHL", "filipino": "PHL", "malaysian": "MYS",
    "indonesian": "IDN", "singaporean": "SGP", "australian": "AUS", "canadian": "CAN", "mexican": "MEX",
    "brazilian": "BRA", "mongolian": "MNG", "kazakh": "KAZ", "uzbek": "UZB", "tibetan": "CHN", "hong kong": "HKG",
    "south korea": "KOR", "north korea": "PRK", "russia": "RUS", "iran": "IRN", "taiwan": "TWN", "vietnam": "VNM",
    "the netherlands": "NLD", "czech republic": "CZE", "moldovan": "MDA", "montenegrin": "MNE", "serbian": "SRB",
}


@lru_cache(maxsize=1)
def _name_pattern() -> tuple[re.Pattern, dict[str, str]]:
    """One regex over every normalised country name and alias (at least 4 characters) and the demonyms."""
    from signalfire.geo.countries import _aliases  # the shipped alias table, normalised names -> ISO3
    names = {a: iso for a, iso in _aliases().items() if len(a) >= 4}
    ref = reference()
    for iso3, name in zip(ref["iso3"], ref["name"]):
        if isinstance(name, str) and len(norm(name)) >= 4:
            names.setdefault(norm(name), iso3)
    for word, iso3 in DEMONYMS.items():
        names.setdefault(norm(word), iso3)
    alternatives = sorted(names, key=len, reverse=True)
    pattern = re.compile(r"\b(" + "|".join(re.escape(a) for a in alternatives) + r")\b")
    return pattern, names


def states_named(text: str | None) -> list[str]:
    """ISO3 codes of the states a free text names (exact names, aliases or demonyms; in order, no repeats)."""
    if not text:
        return []
    pattern, names = _name_pattern()
    found: list[str] = []
    for match in pattern.finditer(norm(text)):
        iso3 = names[match.group(1)]
        if iso3 not in found:
            found.append(iso3)
    return found


def _has(text: str, words) -> bool:
    return any(w in text for w in words)


def norm_tags(kind: str | None, sectors: list[str], text: str, critical_sector: bool = False,
              supply_chain: bool = False) -> list[str]:
    """The UN GGE 2015 norms an incident bears on (see the module docstring for the rules)."""
    low = f" {text.lower()} " if text else " "
    tags = []
    critical = critical_sector or _has(low, CRITICAL_WORDS)
    if kind == "doxing" or (kind == "espionage" and ("civil society" in sectors or _has(low, CIVIL_WORDS))):
        tags.append("13(e)")
    if kind in DISRUPTIVE and critical:
        tags += ["13(f)", "13(g)"]
    if supply_chain or _has(low, SUPPLY_WORDS):
        tags.append("13(i)")
    if CERT_WORDS.search(text or ""):
        tags.append("13(k)")
    return tags


URL = re.compile(r"https?://\S+")


def urls_in(*texts: str | None) -> list[str]:
    out: list[str] = []
    for text in texts:
        for url in URL.findall(text or ""):
            if url not in out:
                out.append(url)
    return out
