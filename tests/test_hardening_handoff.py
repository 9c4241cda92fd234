"""The hand-off token: the server file is never written through a link, never keeps another mode than 0600,
and the hand-off endpoint checks the token before it reads a byte of the body (which is capped)."""

from __future__ import annotations

import json
import os
import stat

import pytest
from fastapi.testclient import TestClient

from signalfire.web.app import create_app
from signalfire.web.handoff import running_server, server_file, write_server_file


def test_a_symlink_in_place_of_the_server_file_is_refused(tmp_path):
    store = tmp_path / "s.duckdb"
    target = tmp_path / "victim.txt"
    target.write_text("precious")
    server_file(store).symlink_to(target)
    with pytest.raises(Exception) as err:
        write_server_file(store, "127.0.0.1", 8000)
    assert "symbolic link" in str(err.value)
    assert target.read_text() == "precious"             # the token was not written through the link
    assert running_server(store) is None


def test_a_pre_created_readable_file_is_replaced_with_mode_0600(tmp_path):
    store = tmp_path / "s.duckdb"
    path = server_file(store)
    path.write_text("{}")
    os.chmod(path, 0o644)
    old_umask = os.umask(0)
    try:
        written, token = write_server_file(store, "127.0.0.1", 8123)
    finally:
        os.umask(old_umask)
    assert written == path and stat.S_IMODE(os.lstat(path).st_mode) == 0o600
    assert json.loads(path.read_text())["token"] == token
    assert running_server(store)["port"] == 8123


def test_the_client_does_not_trust_a_file_others_can_read(tmp_path):
    store = tmp_path / "s.duckdb"
    path, _ = write_server_file(store, "127.0.0.1", 8000)
    assert running_server(store) is not None
    os.chmod(path, 0o644)
    assert running_server(store) is None


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    application = create_app(tmp_path_factory.mktemp("handoff") / "h.duckdb", load_demo=False)
    yield application
    application.state.ds.close()


def test_the_token_is_checked_before_the_body(app):
    with TestClient(app, base_url="http://127.0.0.1") as client:
        # a malformed body without a token: 403 (it was parsed first and got 422)
        r = client.post("/api/v1/_internal/ingest", content=b"{not json", headers={"Content-Type": "application/json"})
        assert r.status_code == 403 and "token" in r.json()["error"]["message"]
        # with the token, the same body is a clear 422
        r = client.post("/api/v1/_internal/ingest", content=b"{not json",
                        headers={"Content-Type": "application/json", "X-Signalfire-Token": app.state.token})
        assert r.status_code == 422


def asgi_post(app, path: str, chunks: int, headers: dict) -> tuple[int, int]:
    """POST a body of ``chunks`` 64 KB chunks straight to the ASGI app; returns the status and how many chunks
    the app asked for."""
    import asyncio
    asked, status = [0], []

    async def receive():
        asked[0] += 1
        if asked[0] > chunks:
            return {"type": "http.disconnect"}
        return {"type": "http.request", "body": b"x" * 65536, "more_body": asked[0] < chunks}

    async def send(message):
        if message["type"] == "http.response.start":
            status.append(message["status"])
    scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "POST", "scheme": "http",
             "path": path, "raw_path": path.encode(), "query_string": b"", "root_path": "",
             "headers": [(k.lower().encode(), v.encode()) for k, v in {"host": "127.0.0.1:8000", **headers}.items()],
             "client": ("127.0.0.1", 50000), "server": ("127.0.0.1", 8000)}
    asyncio.run(app(scope, receive, send))
    return status[0], asked[0]


def test_the_body_is_never_read_without_the_token(app):
    """A 5 MB unauthenticated upload: refused before any of it is read (it was read and parsed first)."""
    status, asked = asgi_post(app, "/api/v1/_internal/ingest", 80, {"content-type": "application/json"})
    assert status == 403 and asked <= 1


def test_the_body_is_capped(app):
    token = {"Content-Type": "application/json", "X-Signalfire-Token": app.state.token}
    with TestClient(app, base_url="http://127.0.0.1") as client:
        big = json.dumps({"adapter": "ucdp-ged", "files": ["/x" * 1_000_000]}).encode()
        r = client.post("/api/v1/_internal/ingest", content=big, headers=token)
        assert r.status_code == 413
        # under the cap, a path too long for the file system is a clear 400 with the name cut short (it was a 500)
        long = json.dumps({"adapter": "ucdp-ged", "files": ["/x" * 200_000]}).encode()
        r = client.post("/api/v1/_internal/ingest", content=long, headers=token)
        assert r.status_code == 400 and "no such file" in r.json()["error"]["message"]
        assert len(r.json()["error"]["message"]) < 300
