"""CLI commands of the web layer: `register(app)` adds them to the `signalfire` Typer app."""

from __future__ import annotations

from pathlib import Path

import typer


def serve(
    store: Path | None = typer.Option(None, "--store", help="Store file (default: $SIGNALFIRE_STORE or "
                                         "~/.local/share/signalfire/signalfire.duckdb)."),
    host: str = typer.Option("127.0.0.1", "--host", help="Interface to listen on (default: this machine only)."),
    port: int = typer.Option(8000, "--port", help="Port to listen on."),
    demo: bool = typer.Option(True, "--demo/--no-demo", help="Load the bundled demo data when the store is empty."),
    timeout: float = typer.Option(5.0, "--query-timeout", help="Seconds before a query is stopped."),
):
    """Start the dashboard and API (http://127.0.0.1:8000); `signalfire ingest` hands its work to it."""
    import socket

    import uvicorn
    from rich.console import Console

    from signalfire.web.app import create_app
    from signalfire.web.datastore import DataStore
    from signalfire.web.handoff import remove_server_file, write_server_file

    console = Console(stderr=True)
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as exc:
            console.print(f"[bold red]error:[/] cannot listen on {host}:{port} ({exc.strerror}); "
                          "choose another with --port", highlight=False)
            raise typer.Exit(2)
    ds = DataStore(store, timeout_s=timeout, load_demo_if_empty=False)
    if demo and ds.is_empty():
        console.print("the store is empty: loading the bundled demo data (UCDP, CC BY 4.0; VIEWS, CC BY-NC 4.0)…")
        from signalfire.demo import load_demo
        load_demo(ds.store)
        ds.version += 1
    app = create_app(ds=ds)
    _, token = write_server_file(ds.path, host, port)
    app.state.token = token
    # uvicorn re-raises SIGTERM/SIGINT after a graceful shutdown, so clean up in the shutdown hook
    app.router.on_shutdown.append(lambda: remove_server_file(ds.path))
    console.print(f"Signalfire dashboard: [bold]http://{'127.0.0.1' if host in ('0.0.0.0', '') else host}:{port}[/]"
                  f"  (store {ds.path}; Ctrl-C to stop)", highlight=False)
    try:
        uvicorn.run(app, host=host, port=port, log_level="warning", access_log=False)
    finally:
        remove_server_file(ds.path)
        ds.close()


def register(app) -> None:
    """Add this layer's commands to the CLI."""
    app.command(name="serve")(serve)
