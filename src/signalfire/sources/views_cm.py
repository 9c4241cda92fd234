"""VIEWS country-month data: UCDP state-based deaths per country and month, as VIEWS publishes it.

Reads

* the VIEWS country-month CSV (``ged_cm.csv``, gz or plain): ``country_id, month_id, country, gwcode, isoab, year,
  month, ucdp_ged_sb_best_sum`` — an unnamed pandas index column may come first;
* the VIEWS prediction challenge parquet files: actuals (``month_id, country_id, outcome``) and feature files
  (``month_id, country_id, ged_sb, …``; ``month_id``/``country_id`` may be the parquet's index).

Each record becomes one ``country_month`` row with measure ``ged_sb_best``, keeping VIEWS's own ``country_id``
(``views_country_id``) beside ISO3 and GW.  VIEWS uses ISO 3166-3 codes for historical states (SUN, YUG, SCG, DDR,
CSK, YMD); the country is resolved from ``isoab`` (then ``gwcode``) at the record's month.  Parquet files carry only
VIEWS ids: they resolve through VIEWS's id table below (the last ISO3/GW VIEWS gives each id).  Month ids follow
VIEWS: 1 = January 1980.

VIEWS keeps a state's old and new id side by side in a transition month (e.g. Sudan 59 and 245 in July 2011):
both records have the same ISO3 and month.  VIEWS counts each event under one of them (in the published file one
is always 0), so the ingest keeps the larger and quarantines the other as a duplicate key, with its reason.

Licence of the data: VIEWS (Uppsala University / PRIO), CC BY-NC 4.0 — non-commercial use, with attribution;
underlying UCDP data CC BY 4.0.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pandas as pd

from signalfire.geo.countries import describe_failure, resolve_series
from signalfire.sources.base import Adapter, Batch, SourceError
from signalfire.sources.delimited import read_records, sniff_delimiter
from signalfire.sources.validate import Checker, require_columns, short_repr

VERSION = "1.0"
MEASURE = "ged_sb_best"
LICENCE = ("VIEWS country-month data (ViEWS/VIEWS, Uppsala University and PRIO), CC BY-NC 4.0: "
           "non-commercial use only, with attribution; built on UCDP GED (CC BY 4.0). Hegre et al. (2019) "
           "ViEWS: A political violence early-warning system, JPR 56(2).")
VALUE_COLUMNS = ("ucdp_ged_sb_best_sum", "outcome", "ged_sb")
PARQUET_CHUNK = 100_000

# VIEWS country_id -> ISO3 and GW code (the last ones VIEWS gives each id), for files that carry ids only.
_IDS = (
    "1:GUY:110 2:SUR:115 3:TTO:52 4:VEN:101 5:WSM:990 6:TON:972 7:ARG:160 8:BOL:145 9:BRA:140 10:CHL:155 "
    "11:ECU:130 12:PRY:150 13:PER:135 14:URY:165 16:GTM:90 17:MEX:70 18:BRB:53 19:DMA:54 20:GRD:55 21:LCA:56 "
    "22:VCT:57 23:DOM:42 24:HTI:41 25:JAM:51 26:BHS:31 27:BLZ:80 28:COL:100 29:CRI:94 30:CUB:40 31:SLV:92 "
    "32:HND:91 33:NIC:93 34:PAN:95 35:ATG:58 36:KNA:60 37:ISL:395 38:IRL:205 39:GBR:200 40:CPV:402 41:CIV:437 "
    "42:GHA:452 43:LBR:450 45:PRT:235 46:ESP:230 47:BFA:439 48:GIN:438 49:GNB:404 50:MLI:432 52:SEN:433 53:SLE:451 "
    "54:GMB:420 55:DJI:522 56:ERI:531 57:ETH:530 58:MNG:712 59:SDN:625 60:IRQ:645 62:JOR:663 63:KAZ:705 64:NOR:385 "
    "65:RUS:365 66:SWE:380 67:DZA:615 69:CMR:471 70:CAF:482 73:TUN:616 74:BEN:434 76:GNQ:411 77:KIR:970 78:NER:436 "
    "79:NGA:475 80:STP:403 81:TGO:461 82:ALB:339 83:BIH:346 84:HRV:344 85:ITA:325 86:MKD:343 87:MLT:338 89:BGR:355 "
    "90:CYP:352 92:GEO:372 93:GRC:350 94:LBN:660 96:TUR:640 97:AUT:305 98:CZE:316 99:DNK:390 100:HUN:310 "
    "101:POL:290 102:SVK:317 103:SVN:349 104:BEL:211 105:FRA:220 107:LUX:212 108:NLD:210 109:CHE:225 110:BLR:370 "
    "111:EST:366 112:FIN:375 113:LVA:367 114:LTU:368 115:MDA:359 116:ROU:360 117:UKR:369 118:MDV:781 119:OMN:698 "
    "120:SOM:520 121:LKA:780 122:TKM:701 123:UZB:704 124:YEM:678 125:ARM:371 126:AZE:373 127:BHR:692 128:IRN:630 "
    "129:KWT:690 130:QAT:694 131:SAU:670 132:ARE:696 133:AFG:700 134:KGZ:703 135:NPL:790 136:PAK:770 137:TJK:702 "
    "138:BGD:771 139:BTN:760 140:BRN:835 142:JPN:740 143:PRK:731 144:PLW:986 145:PHL:840 146:KOR:732 147:KHM:811 "
    "148:LAO:812 149:MMR:775 150:THA:800 151:VNM:816 152:MHL:983 153:FSM:987 154:BWA:571 155:BDI:516 156:RWA:517 "
    "157:ZMB:551 158:ZWE:552 159:COM:581 160:LSO:570 161:MWI:553 162:MOZ:541 163:ZAF:560 164:SWZ:572 165:AGO:540 "
    "166:COG:484 167:COD:490 168:FJI:950 169:GAB:481 170:NAM:565 171:NZL:920 172:MDG:580 173:MUS:590 174:SYC:591 "
    "176:TLS:860 177:AUS:900 178:NRU:971 179:PNG:910 180:SLB:940 181:TUV:973 182:VUT:935 183:CAN:20 184:DEU:260 "
    "185:DEU:260 186:DDR:265 187:CSK:315 188:YUG:345 189:SUN:365 191:ETH:530 192:ZAF:560 196:YEM:678 197:YMD:680 "
    "198:TWN:713 199:CHN:710 205:MYS:820 206:SGP:830 208:IDN:850 209:IDN:850 213:LBY:620 214:TCD:483 218:ISR:666 "
    "220:SYR:652 222:EGY:651 223:IND:750 227:SCG:345 230:SRB:340 231:MNE:341 232:XKX:347 233:SRB:340 234:USA:2 "
    "235:UGA:500 236:TZA:510 237:KEN:501 239:SAU:670 240:YEM:678 242:TZA:510 243:MAR:600 244:MRT:435 245:SDN:625 "
    "246:SSD:626 247:YUG:345 248:SUN:365 250:SUN:365 252:SUN:365 253:SUN:365 254:SUN:365 "
)
VIEWS_IDS: dict[int, tuple[str, int]] = {
    int(i): (iso, int(gw)) for i, iso, gw in (item.split(":") for item in _IDS.split())}


def _is_parquet(path: Path) -> bool:
    with open(path, "rb") as fh:
        return fh.read(4) == b"PAR1"


def _resolve(codes: pd.Series, scheme: str, when: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Resolve each distinct (code, month) pair once: codes repeat every month, resolving per row is slow."""
    frame = pd.DataFrame({"code": codes.values, "when": when.values}, index=codes.index)
    distinct = frame.drop_duplicates().reset_index(drop=True)
    if scheme == "iso3":  # ISO3 codes (incl. ISO 3166-3 historical ones) name one state: no date needed
        codes_only = distinct["code"].drop_duplicates().reset_index(drop=True)
        got = resolve_series(codes_only, scheme)
        lookup = dict(zip(codes_only, zip(got["country_iso3"], got["country_gw"])))
        pairs = frame["code"].map(lambda c: lookup.get(c, (None, None)))
    else:
        distinct = distinct[distinct["when"].notna()].reset_index(drop=True)
        got = resolve_series(distinct["code"], scheme, when=distinct["when"])
        lookup = dict(zip(zip(distinct["code"], distinct["when"]), zip(got["country_iso3"], got["country_gw"])))
        pairs = pd.Series([lookup.get(k, (None, None)) for k in zip(frame["code"], frame["when"])],
                          index=frame.index)
    iso = pairs.map(lambda p: p[0]).astype(object).where(lambda s: s.notna(), None)
    gw = pd.to_numeric(pairs.map(lambda p: p[1]), errors="coerce").astype("Int64")
    return iso, gw


def _canonical(chk: Checker) -> pd.DataFrame:
    recs = chk.records
    cid = chk.number("country_id", required=True, whole=True, minimum=1)
    mid = chk.number("month_id", required=True, whole=True, minimum=1, maximum=2400)
    value_col = next(c for c in VALUE_COLUMNS if c in recs.columns)
    value = chk.number(value_col, required=True, minimum=0)
    mid_f = mid.astype("float")
    year = ((mid_f - 1) // 12 + 1980)
    month = ((mid_f - 1) % 12 + 1)
    for col, derived in (("year", year), ("month", month)):
        if col in recs.columns:
            given = chk.number(col, whole=True)
            chk.fail(given.notna() & derived.notna() & (given.astype("float") != derived), col,
                     "does not match month_id (month_id 1 = January 1980): " + chk.value(col).map(short_repr))
    when = pd.to_datetime(pd.DataFrame({"year": year, "month": month, "day": 1}), errors="coerce")
    iso = pd.Series(None, index=recs.index, dtype=object)
    gw = pd.Series(pd.NA, index=recs.index, dtype="Int64")
    if "isoab" in recs.columns:
        iso, gw = _resolve(chk.value("isoab"), "iso3", when)
        column, scheme = "isoab", "iso3"
    elif "gwcode" not in recs.columns:  # challenge parquet: VIEWS ids only (maybe a GW column)
        known = cid.map(lambda i: VIEWS_IDS.get(int(i)) if pd.notna(i) else None)
        iso = known.map(lambda k: k[0] if k else None).astype(object)
        gw = pd.to_numeric(known.map(lambda k: k[1] if k else None), errors="coerce").astype("Int64")
        column, scheme = "country_id", None
    gw_col = "gwcode" if "gwcode" in recs.columns else "gleditsch_ward" if "gleditsch_ward" in recs.columns else None
    todo = iso.isna() & when.notna()
    if gw_col and todo.any():
        iso2, gw2 = _resolve(chk.value(gw_col)[todo].str.replace(r"\.0$", "", regex=True), "gw", when[todo])
        iso = iso.where(~todo, iso2.reindex(iso.index))
        gw = gw.where(~todo, gw2.reindex(iso.index))
        if column != "isoab":
            column, scheme = gw_col, "gw"
    failed = iso.isna() & when.notna() & cid.notna()
    if scheme is None:
        chk.fail(failed, column, "unknown VIEWS country_id: " + chk.value(column).map(short_repr))
    else:
        chk.fail(failed, column, chk.value(column).map(lambda v: describe_failure(v, scheme)))
    return pd.DataFrame({
        "source": "views-cm", "country_iso3": iso, "country_gw": gw, "views_country_id": cid,
        "year": year.astype("Int64"), "month": month.astype("Int64"), "month_id": mid,
        "measure": MEASURE, "value": value}, index=recs.index)


def _require(path: Path, columns: list[str]) -> None:
    value = [c for c in VALUE_COLUMNS if c in columns]
    require_columns(path, columns, ["country_id", "month_id"], "is this a VIEWS country-month file?")
    if not value:
        raise SourceError(f"{path.name}, line 1: missing required column ucdp_ged_sb_best_sum (or outcome, ged_sb); "
                          "is this a VIEWS country-month file?")


def _read_csv(path: Path) -> Iterator[Batch]:
    delim = sniff_delimiter(path)
    first = True
    for records, rejects in read_records(path, delim=delim):
        if first:
            _require(path, list(records.columns))
            first = False
        chk = Checker(records, path, delim=delim)
        good, quarantine = chk.split(_canonical(chk))
        yield Batch(good, pd.concat([rejects, quarantine], ignore_index=True))
    if first:
        raise SourceError(f"{path.name}: no records (empty file?)")


def _read_parquet(path: Path) -> Iterator[Batch]:
    import pyarrow.parquet as pq
    try:
        frame = pq.read_table(path).to_pandas()
    except Exception as exc:  # noqa: BLE001 (pyarrow raises several types for broken files)
        raise SourceError(f"{path.name}: cannot read as parquet ({str(exc).splitlines()[0]})") from None
    names = [n for n in (frame.index.names or []) if n]
    if names:
        frame = frame.reset_index()
    _require(path, list(frame.columns))
    keep = [c for c in ("country_id", "month_id", "gleditsch_ward", *VALUE_COLUMNS) if c in frame.columns]
    value_col = next(c for c in VALUE_COLUMNS if c in frame.columns)
    keep = [c for c in keep if c not in VALUE_COLUMNS or c == value_col]
    frame = frame[keep].astype(object).where(frame[keep].notna(), "").astype(str)
    frame.insert(0, "record_ref", [f"row {i + 1}" for i in range(len(frame))])
    for start in range(0, len(frame), PARQUET_CHUNK):
        chunk = frame.iloc[start:start + PARQUET_CHUNK]
        chk = Checker(chunk, path)
        good, quarantine = chk.split(_canonical(chk))
        yield Batch(good, quarantine)


def read(path: Path) -> Iterator[Batch]:
    path = Path(path)
    if _is_parquet(path):
        yield from _read_parquet(path)
    else:
        yield from _read_csv(path)


ADAPTER = Adapter(name="views-cm", source="views-cm", table="country_month", version=VERSION,
                  formats="VIEWS country-month CSV (ged_cm layout, gz or plain) and VIEWS challenge parquet "
                          "(actuals, cm features)", read=read, licence=LICENCE)
