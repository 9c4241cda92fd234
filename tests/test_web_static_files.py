"""Static files: a text file's gzip is made once per version and kept, served to clients that ask for it with its
own entity tag, behind the same GZip middleware as the app's (which must not compress it twice)."""

from __future__ import annotations

import gzip
import os

import pytest
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.gzip import GZipMiddleware
from starlette.routing import Mount
from starlette.testclient import TestClient

from signalfire.web.static_files import CompressedStaticFiles

GZ = {"accept-encoding": "gzip"}


@pytest.fixture
def served(tmp_path):
    (tmp_path / "app.mjs").write_text("export const a = 1;\n" * 400)
    (tmp_path / "tiny.css").write_text("a{}")
    (tmp_path / "logo.png").write_bytes(b"\x89PNG" + bytes(4000))
    static = CompressedStaticFiles(directory=tmp_path)
    app = Starlette(routes=[Mount("/static", static)], middleware=[Middleware(GZipMiddleware, minimum_size=1000)])
    with TestClient(app) as client:
        yield client, static, tmp_path


def raw(client, path, headers):
    """The response's bytes as sent (not decoded by the client)."""
    with client.stream("GET", path, headers=headers) as r:
        return r, b"".join(r.iter_raw())


def test_a_text_file_is_sent_gzipped_once_and_decodes_to_the_file(served):
    client, static, folder = served
    r, body = raw(client, "/static/app.mjs", GZ)
    assert r.status_code == 200 and r.headers["content-encoding"] == "gzip"
    assert r.headers["content-type"].startswith("text/javascript") and r.headers["vary"] == "Accept-Encoding"
    assert gzip.decompress(body) == (folder / "app.mjs").read_bytes()         # compressed once, not twice
    kept = static.compressed(str(folder / "app.mjs"), os.stat(folder / "app.mjs"))
    assert raw(client, "/static/app.mjs", GZ)[1] == body == kept                # the kept bytes, each time


def test_its_entity_tag_is_its_own_and_revalidates(served):
    client, _static, _folder = served
    plain = client.get("/static/app.mjs", headers={"accept-encoding": "identity"})
    zipped = client.get("/static/app.mjs", headers=GZ)
    assert plain.headers.get("content-encoding") is None and plain.text.startswith("export const a")
    assert zipped.headers["etag"] != plain.headers["etag"]
    again = client.get("/static/app.mjs", headers={**GZ, "if-none-match": zipped.headers["etag"]})
    assert again.status_code == 304 and again.content == b""


def test_a_changed_file_is_compressed_again(served):
    client, _static, folder = served
    first = raw(client, "/static/app.mjs", GZ)[1]
    (folder / "app.mjs").write_text("export const b = 2;\n" * 500)
    stat = os.stat(folder / "app.mjs")
    os.utime(folder / "app.mjs", ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))
    second = raw(client, "/static/app.mjs", GZ)[1]
    assert second != first and gzip.decompress(second) == (folder / "app.mjs").read_bytes()


def test_small_files_binary_files_and_ranges_are_sent_as_before(served):
    client, _static, _folder = served
    assert client.get("/static/tiny.css", headers=GZ).headers.get("content-encoding") is None
    png = client.get("/static/logo.png", headers=GZ)
    assert png.status_code == 200 and png.content.startswith(b"\x89PNG")
    part = client.get("/static/app.mjs", headers={**GZ, "range": "bytes=0-5"})
    assert part.status_code == 206 and part.content == b"export"
    assert client.get("/static/missing.js", headers=GZ).status_code == 404
