"""Small files written in the producers' layouts for the crises and context tests (no test here).

SIPRI's terms forbid redistribution, so its workbook is never shipped: :func:`sipri_workbook` writes one in the
published layout.  The others are tiny files in ICB's, GML MID's, ATOP's and Archigos's CSV layouts, with
hostile text where a page must keep it inert.
"""

from __future__ import annotations

XSS = '<script>alert("x")</script><img src=x onerror=alert(1)>'

ICB_HEADER = ("crisno,cracno,cracid,actor,systrgyr,systrgmo,systrgda,crisname,triggr,yrtrig,motrig,datrig,yrterm,"
              "moterm,daterm,gravty,sevvio,cenvio,crismg,outcom,globorg,globact,regorg,regact")


def icb_csv(path):
    lines = [
        ICB_HEADER,
        "900,1,290,POL,2001,5,3,TEST ONE,9,2001,5,3,2001,6,1,3,2,2,3,2,2,2,0,0",
        "900,2,365,RUS,2001,5,3,TEST ONE,7,2001,5,77,2001,6,88,3,2,2,1,1,2,2,0,0",
        f'901,3,2,USA,1962,10,16,"{XSS.replace(chr(34), chr(34) * 2)}",9,1962,10,16,1962,11,20,5,1,1,1,1,4,7,1,1',
        "902,4,290,POL,1995,3,1,LONG ONE,2,1995,3,1,,,,2,4,4,8,4,2,2,0,0",
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def mid_csv(path):
    path.write_text("dispnum,styear,stmon,outcome,settle,fatality,mindur,maxdur,hiact,hostlev,recip\n"
                    "4001.0,2001.0,3.0,5.0,3.0,0.0,1.0,31.0,7.0,3.0,0.0\n"
                    "4002.0,2005.0,7.0,6.0,1.0,-9.0,10.0,12.0,17.0,4.0,1.0\n"
                    "4003.0,1995.0,1.0,9.0,3.0,6.0,100.0,200.0,20.0,5.0,1.0\n", encoding="utf-8")
    return path


def atop_csv(path):
    path.write_text("ccode1,ccode2,year,atop_defense,atop_offense,atop_neutral,atop_nonagg,atop_consul\n"
                    "290.0,2.0,2017.0,1.0,0.0,0.0,1.0,1.0\n"
                    "290.0,2.0,2018.0,1.0,0.0,0.0,1.0,1.0\n"
                    "290.0,255.0,2018.0,1.0,0.0,0.0,1.0,1.0\n"
                    "290.0,365.0,2018.0,0.0,0.0,0.0,0.0,1.0\n"
                    "2.0,290.0,2018.0,1.0,0.0,0.0,1.0,1.0\n", encoding="utf-8")
    return path


def archigos_csv(path):
    path.write_text("obsid,gwcode,leadid,leader,yrborn,gender,startdate,enddate,entry,exit,exitcode\n"
                    "POL-1990,290,id-1,Walesa,1943,M,1990-12-22,1995-12-23,Regular,Regular,Regular\n"
                    f'POL-1999-T,290,id-2,"{XSS.replace(chr(34), chr(34) * 2)}",1954,M,1999-01-01,1999-01-02,'
                    "Regular,Regular,Regular\n", encoding="utf-8")
    return path


def sipri_workbook(path, years=(2021, 2022, 2023), rows=None):
    """A small workbook laid out as SIPRI publishes it: title and note rows, a header row starting 'Country',
    region headings, footnote markers, '...' and 'xxx' cells; one sheet per measure and a footnotes sheet."""
    from openpyxl import Workbook
    rows = rows if rows is not None else [
        ("Europe", None, [None] * len(years)),
        ("Central Europe", None, [None] * len(years)),
        ("Poland", "78", [12000.5, 13000.25, 26000.0]),
        ("Czechia", "§", ["...", 3000.0, 3500.0]),
        ("Western Europe", None, [None] * len(years)),
        ("European Union", "†¶103", [200000.0, 210000.0, 220000.0]),
        ("Atlantis", "", [1.0, 2.0, 3.0]),
        ("Kosovo", "", ["xxx", 100.0, "n/a?"]),
    ]
    book = Workbook()
    book.active.title = "Front page"
    for title, scale in (("Constant (2023) US$", 1.0), ("Current US$", 1.1), ("Share of GDP", 1e-6)):
        ws = book.create_sheet(title)
        ws.append([f"Military expenditure by country, {title}, {years[0]}-{years[-1]}      © SIPRI 2023"])
        ws.append(["Figures are in US $m."])
        ws.append(["Figures in blue are SIPRI estimates. Figures in red indicate highly uncertain data."])
        ws.append(['". ." = data unavailable. "xxx" = country did not exist or was not independent.'])
        ws.append([""])
        extra = [""] if title.startswith("Constant") else []
        ws.append(["Country", *extra, "Notes", *[float(y) for y in years]])
        ws.append([None])
        for name, notes, values in rows:
            cells = [v * scale if isinstance(v, float) else v for v in values]
            ws.append([name, *([None] if extra else []), notes, *cells])
    notes = book.create_sheet("Footnotes")
    notes.append(["Footnotes and special notes"])
    notes.append(["§", "Figures for these countries are for the adopted budget"])
    book.save(path)
    return path


def load_fixtures(store_path, folder):
    """A store with every fixture above ingested; returns the folder's files by adapter."""
    from signalfire.sources import get
    from signalfire.store.ingest import ingest_file
    from signalfire.warehouse import Warehouse
    files = {"icb-crises": icb_csv(folder / "icb2_small.csv"), "mid-disputes": mid_csv(folder / "mid_small.csv"),
             "atop-dyads": atop_csv(folder / "atop_small.csv"), "archigos": archigos_csv(folder / "leaders.csv"),
             "sipri-milex": sipri_workbook(folder / "SIPRI-Milex-data-2021-2023.xlsx")}
    wh = Warehouse(store_path)
    try:
        for name, path in files.items():
            ingest_file(wh, get(name), path)
    finally:
        wh.close()
    return files
