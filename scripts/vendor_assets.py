"""Copy the front-end libraries the dashboard serves from node_modules into src/signalfire/web/static/vendor/.

Run by scripts/setup.sh after `npm install` (package.json pins the versions).  The vendor folder is generated,
git-ignored, and served by the app itself: no page loads anything from another host.

vega-interpreter (Vega's expression interpreter, so charts run under a Content-Security-Policy without
'unsafe-eval') is an ES module importing three helpers from 'vega-util'; they are taken from the global `vega`
bundle instead, so no import map (an inline script) is needed.
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
NODE = ROOT / "node_modules"
VENDOR = ROOT / "src" / "signalfire" / "web" / "static" / "vendor"

FILES = {
    "maplibre-gl/dist/maplibre-gl.mjs": "maplibre-gl.mjs",
    "maplibre-gl/dist/maplibre-gl-worker.mjs": "maplibre-gl-worker.mjs",
    "maplibre-gl/dist/maplibre-gl.css": "maplibre-gl.css",
    "maplibre-gl/LICENSE.txt": "LICENSE.maplibre-gl.txt",
    "vega/build/vega.min.js": "vega.min.js",
    "vega/LICENSE": "LICENSE.vega.txt",
    "vega-lite/build/vega-lite.min.js": "vega-lite.min.js",
    "vega-lite/LICENSE": "LICENSE.vega-lite.txt",
    "vega-embed/build/vega-embed.min.js": "vega-embed.min.js",
    "vega-embed/LICENSE": "LICENSE.vega-embed.txt",
    "swagger-ui-dist/swagger-ui-bundle.js": "swagger-ui-bundle.js",
    "swagger-ui-dist/swagger-ui.css": "swagger-ui.css",
    "swagger-ui-dist/LICENSE": "LICENSE.swagger-ui.txt",
}

INTERPRETER_IMPORT = "import { ascending, isString, DisallowedObjectProperties } from 'vega-util';"
INTERPRETER_GLOBAL = "const { ascending, isString, DisallowedObjectProperties } = globalThis.vega;"


def main() -> int:
    if not NODE.is_dir():
        print("node_modules/ is missing: run `npm install` first", file=sys.stderr)
        return 1
    VENDOR.mkdir(parents=True, exist_ok=True)
    missing = []
    for src, dest in FILES.items():
        path = NODE / src
        if not path.is_file():
            missing.append(src)
            continue
        shutil.copyfile(path, VENDOR / dest)
    interpreter = NODE / "vega-interpreter/build/vega-interpreter.js"
    if interpreter.is_file():
        text = interpreter.read_text(encoding="utf-8")
        if INTERPRETER_IMPORT not in text:
            print("vega-interpreter: unexpected import line; update scripts/vendor_assets.py", file=sys.stderr)
            return 1
        (VENDOR / "vega-interpreter.mjs").write_text(text.replace(INTERPRETER_IMPORT, INTERPRETER_GLOBAL),
                                                     encoding="utf-8")
    else:
        missing.append("vega-interpreter/build/vega-interpreter.js")
    if missing:
        print("missing in node_modules (run `npm install`): " + ", ".join(missing), file=sys.stderr)
        return 1
    size = sum(p.stat().st_size for p in VENDOR.iterdir())
    print(f"vendored {len(FILES) + 1} files ({size / 1e6:.1f} MB) into {VENDOR.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
