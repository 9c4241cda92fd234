"""The app's static files (its own scripts and styles, and the vendored MapLibre, Vega and Swagger UI), with their
text compressed once per file version and kept, not again on every request.

Starlette's ``GZipMiddleware`` compresses each response as it passes, at level 9: for a page with a map that is
~2.5 MB of vendored script (MapLibre's 1.1 MB module, its worker, Vega) and ~165 ms of the server's CPU on every
first visit, before the browser has a byte. Here a file's gzip is made on its first request and kept with the
file's modification time and size (a changed file is compressed again); the middleware passes a response that
already has its ``Content-Encoding``. Browsers that do not ask for gzip, range requests and small files get the
plain file, as before.
"""

from __future__ import annotations

import gzip
import threading
from pathlib import Path

from starlette.datastructures import Headers
from starlette.responses import FileResponse, Response
from starlette.staticfiles import NotModifiedResponse, StaticFiles

COMPRESSIBLE = {".js", ".mjs", ".css", ".svg", ".json", ".geojson", ".txt", ".html", ".map"}
MINIMUM_SIZE = 1000          # as the middleware's minimum_size: smaller files are not worth a header


class CompressedStaticFiles(StaticFiles):
    """``StaticFiles`` serving a kept gzip of each text file to clients that accept it."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._kept: dict[str, tuple[int, int, bytes]] = {}      # path -> (mtime_ns, size, gzip)
        self._lock = threading.Lock()

    def file_response(self, full_path, stat_result, scope, status_code: int = 200) -> Response:
        request = Headers(scope=scope)
        if (status_code != 200 or "gzip" not in request.get("accept-encoding", "") or "range" in request
                or Path(full_path).suffix.lower() not in COMPRESSIBLE or stat_result.st_size < MINIMUM_SIZE):
            return super().file_response(full_path, stat_result, scope, status_code)
        plain = FileResponse(full_path, stat_result=stat_result)     # its content type, ETag and Last-Modified
        headers = {"content-type": plain.headers["content-type"], "last-modified": plain.headers["last-modified"],
                   # another representation of the file, so another entity tag
                   "etag": plain.headers["etag"][:-1] + '-gzip"', "content-encoding": "gzip",
                   "vary": "Accept-Encoding"}
        if self.is_not_modified(Headers(headers), request):
            return NotModifiedResponse(Headers(headers))
        return Response(self.compressed(str(full_path), stat_result), status_code=200, headers=headers)

    def compressed(self, path: str, stat_result) -> bytes:
        """The gzip of the file at ``path`` as it is now (made once per modification time and size)."""
        version = (stat_result.st_mtime_ns, stat_result.st_size)
        kept = self._kept.get(path)
        if kept is not None and kept[:2] == version:
            return kept[2]
        body = gzip.compress(Path(path).read_bytes(), compresslevel=9, mtime=0)
        with self._lock:
            self._kept[path] = (*version, body)
        return body


def packed_response(request, plain: bytes, packed: bytes, media_type: str, max_age: int = 86400) -> Response:
    """Bytes the app keeps with their gzip (the country shapes, the map pictures): the gzip to clients that accept
    it, else the plain bytes; cacheable for ``max_age`` seconds, varying by ``Accept-Encoding``."""
    headers = {"Cache-Control": f"public, max-age={max_age}", "Vary": "Accept-Encoding"}
    if "gzip" in request.headers.get("accept-encoding", ""):
        return Response(packed, media_type=media_type, headers={**headers, "Content-Encoding": "gzip"})
    return Response(plain, media_type=media_type, headers=headers)
