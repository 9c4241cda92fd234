"""CLI commands of the web layer: `register(app)` adds them to the `signalfire` Typer app."""

from __future__ import annotations

import errno
import math
from pathlib import Path

import typer


def _positive_seconds(value: float) -> float:
    if not (math.isfinite(value) and value > 0):
        raise typer.BadParameter(f"{value} is not a number of seconds > 0 (e.g. 5)")
    return value


def check_listen(host: str, port: int) -> str | None:
    """Why ``serve`` cannot listen on ``host``:``port`` (an unknown host, or an address in use), or None when it
    can.  Binds every address the host resolves to, in its own family (IPv4 or IPv6), as the server will."""
    import socket
    if not host.strip():   # an empty host makes the server listen on every interface: never by accident
        return ("--host is empty: give an address to listen on (127.0.0.1, this machine only, is the default; "
                "0.0.0.0 listens on every interface)")
    try:
        infos = socket.getaddrinfo(host, port, socket.AF_UNSPEC, socket.SOCK_STREAM, 0, socket.AI_PASSIVE)
    except (socket.gaierror, UnicodeError) as exc:
        reason = getattr(exc, "strerror", None) or str(exc)
        return f"cannot listen on host {host!r}: not a host name or address of this machine ({reason}); " \
               "give one with --host (default 127.0.0.1)"
    for family, kind, proto, _, address in dict.fromkeys(infos):
        with socket.socket(family, kind, proto) as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            if family == getattr(socket, "AF_INET6", None):
                probe.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
            try:
                probe.bind(address)
            except OSError as exc:
                if exc.errno == errno.EADDRINUSE:
                    return f"cannot listen on {_url_host(address[0])}:{port} ({exc.strerror}); " \
                           "choose another with --port"
                return f"cannot listen on host {host!r} ({_url_host(address[0])}: {exc.strerror}); " \
                       "give an address of this machine with --host"
    return None


def allowed_hosts(host: str, extra: list[str]) -> list[str]:
    """The host names the server answers to: loopback, the address it listens on (unless it is every interface's
    0.0.0.0 or ::) and the ``--allowed-host`` values."""
    from signalfire.web.security import LOOPBACK_HOSTS
    names = [*LOOPBACK_HOSTS, *([] if host in ("0.0.0.0", "::", "") else [host])]
    for name in extra:
        if not name.strip() or any(c.isspace() or c in "/?#@" for c in name.strip()):
            raise typer.BadParameter(f"--allowed-host {name!r}: give a host name or address, e.g. analyst-pc.local")
        names.append(name.strip())
    return names


def _url_host(host: str) -> str:
    """A host as written in a URL: IPv6 addresses in brackets."""
    return f"[{host}]" if ":" in host and not host.startswith("[") else host


def serve(
    store: Path | None = typer.Option(None, "--store", help="Store file (default: $SIGNALFIRE_STORE or "
                                         "~/.local/share/signalfire/signalfire.duckdb)."),
    host: str = typer.Option("127.0.0.1", "--host", help="Interface to listen on (default: this machine only)."),
    port: int = typer.Option(8000, "--port", min=1, max=65535, help="Port to listen on."),
    demo: bool = typer.Option(True, "--demo/--no-demo", help="Load the bundled demo data when the store is empty."),
    timeout: float = typer.Option(5.0, "--query-timeout", callback=_positive_seconds,
                                  help="Seconds before a query is stopped (> 0)."),
    forecast: bool = typer.Option(True, "--forecast/--no-forecast",
                                  help="When the store has country-month deaths but no forecast, make one in the "
                                       "background (cut-off: the last month of data; about 40 s on 2 idle cores)."),
    allowed_host: list[str] = typer.Option([], "--allowed-host",
                                           help="A host name (or address) browsers may use to reach the server, "
                                           "besides 127.0.0.1, localhost, [::1] and the --host address; repeatable. "
                                           "Other names are refused (DNS rebinding)."),
):
    """Start the dashboard and API (http://127.0.0.1:8000); `signalfire ingest` hands its work to it."""
    import uvicorn
    from rich.text import Text

    from signalfire.cli import _fail, console
    from signalfire.web.app import create_app
    from signalfire.web.handoff import ServerFileError, remove_server_file, write_server_file
    from signalfire.web.serving.datastore import DataStore

    host = host.strip()
    problem = check_listen(host, port)
    if problem:
        _fail(problem)
    hosts = allowed_hosts(host, allowed_host)
    ds = DataStore(store, timeout_s=timeout, load_demo_if_empty=False)
    if demo and ds.is_empty():
        console.print("the store is empty: loading the bundled demo data (UCDP, CC BY 4.0; VIEWS, CC BY-NC 4.0)…")
        from signalfire.demo import load_demo
        load_demo(ds.store)
        ds.version += 1
    if forecast:
        start_forecast_if_missing(ds, console.print)
    app = create_app(ds=ds, allowed_hosts=hosts)
    try:
        _, token = write_server_file(ds.path, host, port)
    except ServerFileError as exc:
        ds.close()
        _fail(str(exc))
    app.state.token = token
    # uvicorn re-raises SIGTERM/SIGINT after a graceful shutdown, so clean up in the shutdown hook
    app.router.on_shutdown.append(lambda: remove_server_file(ds.path))
    everywhere = host in ("0.0.0.0", "::")
    console.print(Text.assemble("Signalfire dashboard: ", (f"http://{_url_host(host)}:{port}", "bold"),
                                " (every interface: reachable from other machines by the names given with "
                                "--allowed-host)" if everywhere else "", f"  (store {ds.path}; Ctrl-C to stop)"),
                  highlight=False)
    try:
        uvicorn.run(app, host=host, port=port, log_level="warning", access_log=False)
    finally:
        remove_server_file(ds.path)
        ds.close()


def start_forecast_if_missing(ds, say=print, config: str = "full", horizons: int = 36):
    """When the store has UCDP deaths per country-month but no forecast run, make one (cut-off: the last month
    of data) in a background thread at low CPU priority, then import the bundled VIEWS published forecasts
    beside it.  Pages keep answering meanwhile; ``ds.forecast_job`` says where it is.  Returns the thread."""
    import threading
    import time

    from signalfire.analysis.panel import last_month_id, month_label
    cur = ds.store.con.cursor()
    try:
        has_runs = cur.execute("SELECT count(*) FROM forecast_runs").fetchone()[0] > 0
        last = last_month_id(cur)
    finally:
        cur.close()
    if has_runs or last is None:
        return None
    ds.forecast_job = {"status": "queued", "message": f"model qgbm, data to {month_label(last)}",
                       "started_at": time.time()}
    say(f"no forecast in the store yet: making one in the background (data to {month_label(last)}, "
        f"{horizons} months ahead; about 40 s on 2 idle cores, longer on a busy machine)…")

    def work():
        import os
        try:
            os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), 10)   # pages first
        except (AttributeError, OSError):
            pass
        from signalfire.forecast import models
        from signalfire.forecast.runs import run
        ds.forecast_job["status"] = "running"
        started = time.perf_counter()
        try:
            cur = ds.store.con.cursor()        # the model runs outside the writer lock: ingests are not held up
            try:
                run_id = run(cur, last, horizons, cfg=models.CONFIGS[config], write_lock=ds._ingest_lock,
                             progress=lambda done, total: ds.forecast_job.update(fits_done=done, fits_total=total))
                with ds._ingest_lock:          # one writer at a time (ingest hand-offs take the same lock)
                    views = _import_published_demo(cur)
                    ds.version += 1
                    from signalfire.alerts.evaluate import after_runs
                    after_runs(cur, say)       # the alert rules, on the new runs
                    ds.run_after_commit()      # the pages' caches warmed again, as after an ingest
            finally:
                cur.close()
            seconds = time.perf_counter() - started
            ds.forecast_job.update(status="done", run_id=run_id, message=f"run {run_id} in {seconds:.0f} s")
            say(f"forecast run {run_id} stored ({seconds:.1f} s)"
                + (f"; VIEWS's published forecasts imported as run {views}" if views else ""))
        except Exception as exc:  # noqa: BLE001 (told on the page and the console, never a traceback)
            ds.forecast_job.update(status="failed", message=f"{type(exc).__name__}: {exc}")
            say(f"the background forecast failed: {exc}")
    thread = threading.Thread(target=work, daemon=True, name="demo-forecast")
    thread.start()
    return thread


def _import_published_demo(con) -> int | None:
    """The bundled VIEWS published forecasts as a run (model views-published), unless one is stored."""
    from importlib import resources
    from pathlib import Path as _Path

    from signalfire.demo import PUBLISHED_FORECASTS
    from signalfire.forecast.views_published import import_published
    if con.execute("SELECT count(*) FROM forecast_runs WHERE model = 'views-published'").fetchone()[0]:
        return None
    path = _Path(str(resources.files("signalfire.demo").joinpath(PUBLISHED_FORECASTS)))
    return import_published(con, path) if path.is_file() else None


def register(app) -> None:
    """Add this layer's commands to the CLI."""
    app.command(name="serve")(serve)
