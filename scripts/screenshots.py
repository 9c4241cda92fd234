"""Full-page screenshots of every page, at 1440 and 390 px, in English and Polish, for a human to look at.

Starts `signalfire serve` on a demo store (the server loads the bundled demo data into an empty store, as
scripts/demo.sh does), opens every page of the header nav (web/nav.py) plus the pages reached from them, and
writes ``<page>_<lang>_<width>.png`` into artifacts/screenshots/review/ with ``shots.json``: per shot the URL,
the page's scroll width (a value above the viewport's width is a horizontal scroll) and any page or console
error.  Looking at them is the point: note what you saw in REVIEW.md beside them.

    .venv/bin/python scripts/screenshots.py                  # all pages, both widths, both languages
    .venv/bin/python scripts/screenshots.py --only overview,forecasts --lang pl --width 390
    .venv/bin/python scripts/screenshots.py --forecast       # wait for the server's first forecast first

Needs Debian's chromium (/usr/bin/chromium) and Playwright (scripts/setup.sh --test).
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "artifacts" / "screenshots" / "review"
CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]
WIDTHS = {1440: 900, 390: 844}

# pages beyond the header's, by name; "{event}" is filled with one stored event's provenance path
EXTRA = {
    "country_POL": "/country/POL", "country_UKR": "/country/UKR", "neighbourhood_POL": "/neighbourhood?home=POL",
    "forecasts": "/forecasts", "provenance": "{event}", "compare": "/compare?countries=POL,UKR,BLR,RUS",
    "admin1_UKR": "/country/UKR/admin1", "actors": "/actors?actor=Government%20of%20Ukraine", "data": "/data",
    "privacy": "/privacy", "alerts": "/alerts", "briefing_POL": "/briefing/POL.html", "missions": "/missions",
    "treaties": "/treaties", "unga": "/unga", "crises": "/crises", "cyber": "/cyber", "migration": "/migration",
    "terrorism": "/terrorism", "timeline_UKR": "/country/UKR#timeline",
}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def get_json(base: str, path: str):
    with urllib.request.urlopen(base + path, timeout=30) as r:
        return json.loads(r.read())


def start_server(store: Path, forecast: bool) -> tuple[subprocess.Popen, str]:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    exe = Path(sys.executable).with_name("signalfire")
    log = open(store.with_suffix(".serve.log"), "w")  # noqa: SIM115 (open while the server runs)
    args = [str(exe), "serve", "--store", str(store), "--port", str(port)] + ([] if forecast else ["--no-forecast"])
    proc = subprocess.Popen(args, stdout=log, stderr=subprocess.STDOUT, env={**os.environ})
    deadline = time.time() + 300
    while time.time() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"server exited: {store.with_suffix('.serve.log').read_text()[-2000:]}")
        try:
            get_json(base, "/api/v1/sources")
            if Path(str(store) + ".server.json").exists():
                return proc, base
        except OSError:
            pass
        time.sleep(0.5)
    proc.terminate()
    raise SystemExit("server did not start in time")


def pages(base: str) -> dict[str, str]:
    sys.path.insert(0, str(ROOT / "src"))
    from signalfire.web.nav import NAV
    out = {}
    for _, items in NAV:
        for path, _label, key in items:
            out[key.replace("-", "_")] = path
    out.update(EXTRA)
    try:
        event = get_json(base, "/api/v1/events?country=UKR&limit=1")
        rows = event.get("data", event) if isinstance(event, dict) else event
        out["provenance"] = f"/events/{rows[0]['source']}/{rows[0]['source_id']}"
    except (OSError, LookupError, ValueError, TypeError):
        out.pop("provenance")
    return out


def settle(page):
    """Wait for the page's maps and charts (best effort: a page that never paints is itself a finding)."""
    try:
        page.wait_for_load_state("networkidle", timeout=20000)
        page.wait_for_function("""() => [...document.querySelectorAll('.map[data-kind]')]
            .every((m) => m.dataset.painted === 'true' || m.dataset.painted === 'error')""", timeout=30000)
    except Exception as exc:  # noqa: BLE001 (a timeout is recorded, not fatal)
        return f"not settled: {str(exc).splitlines()[0]}"
    page.wait_for_timeout(400)
    return ""


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--store", default="/tmp/signalfire-screenshots/demo.duckdb",
                    help="demo store (created and loaded by the server when empty; kept for the next run)")
    ap.add_argument("--only", default="", help="comma-separated page names (default: all)")
    ap.add_argument("--lang", default="en,pl")
    ap.add_argument("--width", default="1440,390")
    ap.add_argument("--forecast", action="store_true", help="let the server forecast and wait for the first run")
    ap.add_argument("--base", default="", help="use a running server instead of starting one")
    args = ap.parse_args()
    from playwright.sync_api import sync_playwright

    store = Path(args.store)
    store.parent.mkdir(parents=True, exist_ok=True)
    proc, base = (None, args.base.rstrip("/")) if args.base else start_server(store, args.forecast)
    try:
        if args.forecast:
            deadline = time.time() + 900
            while not get_json(base, "/api/v1/forecasts/runs").get("data") and time.time() < deadline:
                time.sleep(5)
        todo = pages(base)
        if args.only:
            todo = {k: v for k, v in todo.items() if k in args.only.split(",")}
        OUT.mkdir(parents=True, exist_ok=True)
        summary_path = OUT / "shots.json"
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
            for width in (int(w) for w in args.width.split(",")):
                for lang in args.lang.split(","):
                    context = browser.new_context(viewport={"width": width, "height": WIDTHS.get(width, 900)})
                    for name, path in todo.items():
                        page = context.new_page()
                        errors: list[str] = []
                        page.on("pageerror", lambda e, errors=errors: errors.append(str(e)))
                        page.on("console", lambda m, errors=errors: errors.append(m.text) if m.type == "error" else None)
                        path_, _, frag = path.partition("#")
                        url = base + path_ + ("&" if "?" in path_ else "?") + f"lang={lang}" + (f"#{frag}" if frag else "")
                        status = None
                        try:
                            response = page.goto(url, timeout=60000)
                            status = response.status if response else None
                            note = settle(page)
                            scroll = page.evaluate("document.documentElement.scrollWidth")
                            file = f"{name}_{lang}_{width}.png"
                            page.screenshot(path=str(OUT / file), full_page=True)
                        except Exception as exc:  # noqa: BLE001 (one broken page does not stop the review)
                            note, scroll, file = f"failed: {str(exc).splitlines()[0]}", None, None
                        # read, merge, write after every shot: runs for other widths or languages may share the file
                        summary = json.loads(summary_path.read_text()) if summary_path.exists() else {}
                        summary[f"{name}_{lang}_{width}"] = {"url": url.replace(base, ""), "status": status,
                                                             "scroll_width": scroll, "viewport": width,
                                                             "errors": errors, "note": note, "file": file}
                        summary_path.write_text(json.dumps(summary, indent=1, sort_keys=True))
                        flag = "" if scroll is None or scroll <= width else f" HORIZONTAL SCROLL {scroll}px"
                        print(f"{name}_{lang}_{width}: {status}{flag} {note} {errors[:2] if errors else ''}", flush=True)
                        page.close()
                    context.close()
            browser.close()
    finally:
        if proc is not None:
            proc.terminate()
            proc.wait(timeout=20)


if __name__ == "__main__":
    main()
