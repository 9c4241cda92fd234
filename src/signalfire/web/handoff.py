"""Ingest while serving: the server file beside the store, and the client that hands an ingest to the server.

``signalfire serve`` writes ``<store>.server.json`` (mode 0600: pid, host, port and a random token) once it
listens, and removes it on exit.  The file is created exclusively and never through a symbolic link; the CLI
trusts only a regular file of its own user that no one else can read.  ``signalfire ingest`` finds the store busy (:class:`StoreBusy`), reads this
file, and if the server process is alive POSTs the files to ``/api/v1/_internal/ingest`` on this machine's
loopback (127.0.0.1, or ::1 for a server on IPv6) with the token (only a user who can read the file can ingest),
then polls the job until the server has committed it.  The server runs the ingest in a worker thread on its own
cursor; readers keep serving the last committed data.
"""

from __future__ import annotations

import json
import os
import secrets
import stat
import time
import urllib.error
import urllib.request
from pathlib import Path

from signalfire.store.database import StoreError


def server_file(store_path: Path) -> Path:
    return Path(str(store_path) + ".server.json")


class ServerFileError(StoreError):
    """The server file cannot be written safely (a link, or a file of another user, is in its place)."""


def _foreign(path: Path, st: os.stat_result) -> str | None:
    """Why the existing ``path`` must not be replaced or trusted: a link, not a regular file, another user's."""
    if stat.S_ISLNK(st.st_mode):
        return f"{path} is a symbolic link: the server token is never written through a link (remove it)"
    if not stat.S_ISREG(st.st_mode):
        return f"{path} is not a regular file (remove it)"
    if hasattr(os, "getuid") and st.st_uid != os.getuid():
        return f"{path} belongs to another user (uid {st.st_uid}): remove it"
    return None


def write_server_file(store_path: Path, host: str, port: int) -> tuple[Path, str]:
    """Write the server file with a new token: created exclusively (a stale file of ours from a killed server is
    replaced; a link or another user's file is refused), never through a symbolic link, mode 0600 set on the open
    file whatever the umask or a file created before."""
    token = secrets.token_urlsafe(24)
    path = server_file(store_path)
    try:
        st = os.lstat(path)
    except FileNotFoundError:
        pass
    else:
        problem = _foreign(path, st)
        if problem:
            raise ServerFileError(problem)
        path.unlink()
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)
    try:
        fd = os.open(path, flags, 0o600)
    except FileExistsError:
        raise ServerFileError(f"{path} appeared while the server was writing it: another process is racing for "
                              "it; check who created it") from None
    with os.fdopen(fd, "w") as fh:
        os.fchmod(fh.fileno(), 0o600)
        json.dump({"pid": os.getpid(), "host": host, "port": port, "token": token,
                   "started": time.time()}, fh)
    return path, token


def remove_server_file(store_path: Path) -> None:
    try:
        server_file(store_path).unlink()
    except FileNotFoundError:
        pass


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
        return True
    except ProcessLookupError:
        return False
    except PermissionError:
        return True


def running_server(store_path: Path) -> dict | None:
    """The server holding this store, if its file exists and its process is alive."""
    path = server_file(store_path)
    try:   # only a regular file of this user, not a link, is trusted with the token and the files' paths
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
    except OSError:
        return None
    with os.fdopen(fd) as fh:
        if _foreign(path, os.fstat(fh.fileno())) or stat.S_IMODE(os.fstat(fh.fileno()).st_mode) & 0o077:
            return None
        try:
            info = json.loads(fh.read())
        except ValueError:
            return None
    if not _alive(int(info.get("pid", -1))):
        return None
    return info


class HandoffError(Exception):
    pass


def server_url(info: dict) -> str:
    """Where this machine reaches the server: its IPv6 loopback if it listens on IPv6 (``::1`` or ``::``), else
    127.0.0.1 (the hand-off is accepted from this machine only)."""
    loopback = "[::1]" if ":" in str(info.get("host", "")) else "127.0.0.1"
    return f"http://{loopback}:{info['port']}"


def _request(info: dict, method: str, path: str, body: dict | None = None, timeout: float = 30) -> dict:
    url = f"{server_url(info)}{path}"
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(url, data=data, method=method,
                                 headers={"Content-Type": "application/json", "X-Signalfire-Token": info["token"]})
    try:
        with urllib.request.urlopen(req, timeout=timeout) as resp:
            return json.loads(resp.read())
    except urllib.error.HTTPError as exc:
        try:
            message = json.loads(exc.read())["error"]["message"]
        except (ValueError, KeyError, TypeError, OSError):   # not our JSON error body
            message = str(exc)
        raise HandoffError(f"the running server refused the ingest: {message}") from None
    except OSError as exc:
        raise HandoffError(f"cannot reach the server on port {info['port']}: {exc}") from None


def handoff_ingest(info: dict, adapter: str, files: list[Path], source_version: str | None = None,
                   poll_s: float = 0.25) -> dict:
    """Submit the ingest to the running server and wait until it has finished; returns the job."""
    job = _request(info, "POST", "/api/v1/_internal/ingest",
                   {"adapter": adapter, "files": [str(Path(f).resolve()) for f in files],
                    "source_version": source_version})
    while job["status"] in ("queued", "running"):
        time.sleep(poll_s)
        job = _request(info, "GET", f"/api/v1/_internal/ingest/{job['id']}")
    return job


def ingest_via_server(store, adapter: str, files: list[Path], source_version: str | None, console=None,
                      quiet: bool = False) -> list:
    """For ``signalfire ingest`` when the store is busy: run the ingest in the server that holds the store.

    Raises the original :class:`StoreBusy` when no live server owns the store (another ingest holds it).
    """
    from signalfire.store.database import StoreBusy, resolve_path
    from signalfire.store.ingest import IngestResult
    path = resolve_path(store)
    info = running_server(path)
    if info is None:
        raise StoreBusy(f"the store {path} is in use by another Signalfire process (an ingest?); "
                        "wait for it to finish")
    if console is not None and not quiet:
        console.print(f"the store is held by the running server (pid {info['pid']}, port {info['port']}): "
                      "handing the ingest to it…", highlight=False)
    try:
        job = handoff_ingest(info, adapter, files, source_version)
    except HandoffError as exc:
        raise StoreError(str(exc)) from None
    if job["status"] != "done":
        raise StoreError(f"the server's ingest failed: {job.get('error') or job['status']}")
    return [IngestResult(**r) for r in job["results"]]
