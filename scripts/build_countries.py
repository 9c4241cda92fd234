"""Build the country reference tables shipped in ``signalfire/geo/data``.

Run from the repository root with ``../shared/data`` beside it::

    python scripts/build_countries.py

It writes two CSV files:

* ``countries.csv`` — one row per (code system assignment, validity period): ISO 3166 alpha-3/alpha-2/numeric,
  Gleditsch–Ward, Correlates of War and FIPS 10-4 codes with an English name and the dates between which the
  assignment holds.  Historical states carry their ISO 3166-3 codes (YUG, SCG, SUN, DDR, CSK, YMD) as VIEWS does,
  Kosovo carries the user-assigned XKX.
* ``aliases.csv`` — normalised English names and spellings used by UCDP, ACLED, GTD, VIEWS and others, each
  pointing to an ISO3 code.

Only factual code assignments and names are taken from the inputs (countrycode's codelist, the Gleditsch–Ward
state list); no regular expressions or other expressive content is copied.
"""

from __future__ import annotations

import csv
import sys
import unicodedata
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared" / "data" / "geo"
OUT = ROOT / "src" / "signalfire" / "geo" / "data"

# Historical states and time-split codes: (iso3, iso2, isonum, gw, cow, fips, name, valid_from, valid_to)
HISTORICAL = [
    ("YUG", "YU", 891, 345, 345, "", "Yugoslavia", "1918-12-01", "1992-04-26"),
    ("SCG", "CS", 891, 345, 345, "YI", "Serbia and Montenegro", "1992-04-27", "2006-06-04"),
    ("SRB", "RS", 688, 345, 345, "RI", "Serbia", "2006-06-05", "9999-12-31"),  # UCDP keeps GW 345
    ("SUN", "SU", 810, 365, 365, "", "Soviet Union", "1922-12-30", "1991-12-25"),
    ("DDR", "DD", 278, 265, 265, "", "German Democratic Republic", "1949-10-05", "1990-10-02"),
    ("CSK", "CS", 200, 315, 315, "", "Czechoslovakia", "1918-10-28", "1992-12-31"),
    ("YMD", "YD", 720, 680, 680, "", "Yemen People's Republic", "1967-11-30", "1990-05-21"),
    ("XKX", "XK", None, 347, 347, "KV", "Kosovo", "2008-02-17", "9999-12-31"),
    ("XRV", "", None, 817, 817, "", "Republic of Vietnam", "1954-05-01", "1975-04-30"),
    ("XZZ", "", None, 511, 511, "", "Zanzibar", "1963-12-19", "1964-04-26"),
]
# Codes whose holder changed: the modern row is limited to the period after the split.
MODERN_FROM = {"RUS": "1991-12-26", "SRB": "2006-06-05"}
# GW codes the code list leaves empty for a current ISO code (Yemen, Vietnam, and GW's microstates list).
GW_OVERRIDE = {"YEM": 678, "VNM": 816, "DMA": 54, "GRD": 55, "LCA": 56, "VCT": 57, "ATG": 58, "KNA": 60,
               "MCO": 221, "LIE": 223, "SMR": 331, "AND": 232, "STP": 403, "SYC": 591, "VUT": 935, "KIR": 970,
               "NRU": 971, "TON": 972, "TUV": 973, "MHL": 983, "PLW": 986, "FSM": 987, "WSM": 990}
# FIPS 10-4 codes the code list leaves empty (GDELT geocodes with them); Gaza Strip has its own FIPS code.
FIPS_OVERRIDE = {"SSD": "OD", "CUW": "UC", "SXM": "NN", "MAF": "RN"}
EXTRA_FIPS = {"GZ": "PSE"}

# Spellings seen in UCDP, ACLED, GTD, VIEWS, GDELT and UNHCR files that the code list does not carry.
EXTRA_ALIASES = {
    "Serbia (Yugoslavia)": "SRB", "Yugoslavia": "YUG", "Serbia-Montenegro": "SCG", "Serbia and Montenegro": "SCG",
    "Russia (Soviet Union)": "RUS", "Soviet Union": "SUN", "USSR": "SUN", "Kosovo": "XKX",
    "DR Congo (Zaire)": "COD", "DR Congo": "COD", "Democratic Republic of Congo": "COD", "Zaire": "COD",
    "Democratic Republic of the Congo": "COD", "Congo, DRC": "COD", "Congo (Kinshasa)": "COD",
    "Republic of Congo": "COG", "Congo": "COG", "Congo (Brazzaville)": "COG", "Republic of the Congo": "COG",
    "Ivory Coast": "CIV", "Cote d'Ivoire": "CIV", "Côte d'Ivoire": "CIV",
    "Myanmar (Burma)": "MMR", "Burma": "MMR", "Cambodia (Kampuchea)": "KHM", "Kampuchea": "KHM",
    "Yemen (North Yemen)": "YEM", "North Yemen": "YEM", "South Yemen": "YMD", "Yemen People's Republic": "YMD",
    "Zimbabwe (Rhodesia)": "ZWE", "Rhodesia": "ZWE", "Madagascar (Malagasy)": "MDG",
    "Vietnam (North Vietnam)": "VNM", "North Vietnam": "VNM", "South Vietnam": "XRV", "Republic of Vietnam": "XRV",
    "Bosnia-Herzegovina": "BIH", "Bosnia and Herzegovina": "BIH", "Bosnia": "BIH",
    "Macedonia, FYR": "MKD", "Macedonia": "MKD", "North Macedonia": "MKD", "FYR Macedonia": "MKD",
    "Czech Republic": "CZE", "Czechia": "CZE", "Czechoslovakia": "CSK",
    "East Germany (GDR)": "DDR", "East Germany": "DDR", "West Germany (FRG)": "DEU", "West Germany": "DEU",
    "German Democratic Republic": "DDR", "German Federal Republic": "DEU",
    "United States": "USA", "United States of America": "USA", "USA": "USA",
    "United Kingdom": "GBR", "UK": "GBR", "Great Britain": "GBR",
    "Iran": "IRN", "Syria": "SYR", "Laos": "LAO", "Libya": "LBY", "Tanzania": "TZA", "Russia": "RUS",
    "South Korea": "KOR", "North Korea": "PRK", "Korea, Republic of": "KOR",
    "Korea, People's Republic of": "PRK", "Moldova": "MDA", "Bolivia": "BOL", "Venezuela": "VEN",
    "Vietnam": "VNM", "Viet Nam": "VNM", "Brunei": "BRN", "Taiwan": "TWN", "Palestine": "PSE",
    "West Bank and Gaza Strip": "PSE", "Palestinian Territory": "PSE", "West Bank": "PSE", "Gaza Strip": "PSE",
    "eSwatini": "SWZ", "Eswatini": "SWZ", "Swaziland": "SWZ", "Cape Verde": "CPV", "Cabo Verde": "CPV",
    "East Timor": "TLS", "Timor-Leste": "TLS", "Timor Leste": "TLS",
    "Gambia": "GMB", "The Gambia": "GMB", "Bahamas": "BHS", "The Bahamas": "BHS",
    "Turkey": "TUR", "Turkiye": "TUR", "Türkiye": "TUR",
    "Micronesia": "FSM", "Federated States of Micronesia": "FSM",
    "St. Kitts and Nevis": "KNA", "St. Lucia": "LCA", "St. Vincent and the Grenadines": "VCT",
    "Sao Tome and Principe": "STP", "São Tomé and Príncipe": "STP",
    "Hong Kong": "HKG", "Macau": "MAC", "Macao": "MAC", "Vatican City": "VAT", "Holy See": "VAT",
    "Western Sahara": "ESH", "Guinea-Bissau": "GNB", "Equatorial Guinea": "GNQ", "Central African Republic": "CAF",
    "Slovak Republic": "SVK", "Kyrgyz Republic": "KGZ", "Kyrgyzstan": "KGZ", "Trinidad and Tobago": "TTO",
    "Antigua and Barbuda": "ATG", "Solomon Islands": "SLB", "Marshall Islands": "MHL", "New Hebrides": "VUT",
    "Rwanda": "RWA", "Zaire (Democratic Republic of Congo)": "COD", "Falkland Islands": "FLK",
    "French Guiana": "GUF", "Guadeloupe": "GLP", "Martinique": "MTQ", "New Caledonia": "NCL",
    "International": "", "Serbia": "SRB", "Montenegro": "MNE", "South Sudan": "SSD", "Sudan": "SDN",
    # ACLED country list (acledR acled_countries) and GTD country_txt spellings
    "Bailiwick of Guernsey": "GGY", "Bailiwick of Jersey": "JEY", "Saint-Martin": "MAF",
    "United States Minor Outlying Islands": "UMI", "People's Republic of the Congo": "COG",
}


def norm(name: str) -> str:
    """Normalise a country name for exact lookup: no accents, lower case, single spaces, no punctuation."""
    text = unicodedata.normalize("NFKD", str(name)).encode("ascii", "ignore").decode()
    text = text.lower().replace("&", " and ")
    keep = "".join(ch if ch.isalnum() else " " for ch in text)
    return " ".join(keep.split())


def main() -> int:
    if not SHARED.exists():
        print(f"needs {SHARED}", file=sys.stderr)
        return 1
    codelist = pd.read_csv(SHARED / "countrycode_codelist.csv.gz", keep_default_na=False, na_values=[""])
    rows = []
    historical_iso = {h[0] for h in HISTORICAL} - {"SRB"}
    for rec in codelist.to_dict("records"):
        iso3 = rec.get("iso3c")
        if not isinstance(iso3, str) or iso3 in historical_iso:
            continue
        def code(key, rec=rec):
            val = rec.get(key)
            return "" if pd.isna(val) else int(val)
        rows.append({
            "iso3": iso3, "iso2": rec.get("iso2c") or "", "isonum": code("iso3n"), "gw": code("gwn"),
            "cow": code("cown"), "fips": rec.get("fips") if isinstance(rec.get("fips"), str) else "",
            "name": rec["country.name.en"], "valid_from": MODERN_FROM.get(iso3, "1800-01-01"),
            "valid_to": "9999-12-31", "gw_canonical": code("gwn"),
        })
        if iso3 in GW_OVERRIDE:
            rows[-1]["gw"] = rows[-1]["gw_canonical"] = GW_OVERRIDE[iso3]
        if iso3 in FIPS_OVERRIDE and not rows[-1]["fips"]:
            rows[-1]["fips"] = FIPS_OVERRIDE[iso3]
    for fips, iso3 in EXTRA_FIPS.items():
        rows.extend({**r, "fips": fips} for r in list(rows) if r["iso3"] == iso3)
    for iso3, iso2, isonum, gw, cow, fips, name, start, end in HISTORICAL:
        rows.append({"iso3": iso3, "iso2": iso2, "isonum": isonum if isonum else "", "gw": gw, "cow": cow,
                     "fips": fips, "name": name, "valid_from": start, "valid_to": end,
                     "gw_canonical": 340 if iso3 == "SRB" else gw})
    table = pd.DataFrame(rows).sort_values(["iso3", "valid_from"])
    # Germany: GW 260 (German Federal Republic, continuing as Germany), COW 255.
    OUT.mkdir(parents=True, exist_ok=True)
    table.to_csv(OUT / "countries.csv", index=False, quoting=csv.QUOTE_MINIMAL)

    aliases: dict[str, str] = {}
    name_cols = ["country.name.en", "iso.name.en", "un.name.en", "cow.name", "p4.name", "vdem.name",
                 "cldr.short.en"]
    for rec in codelist.to_dict("records"):
        iso3 = rec.get("iso3c")
        if not isinstance(iso3, str):
            continue
        for col in name_cols:
            val = rec.get(col)
            if isinstance(val, str) and val.strip():
                aliases.setdefault(norm(val), iso3)
    gw = pd.read_csv(SHARED / "gleditsch_ward_states.csv")
    gw_to_iso = {int(r.gw): r.iso3 for r in table.itertuples() if r.gw != "" and r.valid_to == "9999-12-31"}
    for rec in gw.itertuples():
        iso3 = gw_to_iso.get(int(rec.gwcode))
        if iso3:
            aliases.setdefault(norm(rec.country_name), iso3)
    for name, iso3 in EXTRA_ALIASES.items():
        if iso3:
            aliases[norm(name)] = iso3
        else:
            aliases.pop(norm(name), None)
    out = pd.DataFrame(sorted(aliases.items()), columns=["alias", "iso3"])
    out.to_csv(OUT / "aliases.csv", index=False)
    print(f"countries.csv: {len(table)} rows; aliases.csv: {len(out)} aliases")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
