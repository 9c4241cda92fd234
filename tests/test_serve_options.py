"""`signalfire serve` refuses bad options before it listens: an empty host (which would listen on every interface),
an unknown host, a port in use, a query timeout that is not a positive number.  Only paths that exit before
serving are run as a subprocess; the port check is called directly, so no test leaves a server running."""

from __future__ import annotations

import socket
import subprocess
import sys

import pytest

from signalfire.web.commands import _url_host, check_listen


def serve(tmp_path, *args):
    store = tmp_path / "serve.duckdb"
    proc = subprocess.run([sys.executable, "-m", "signalfire.cli", "serve", "--store", str(store),
                           "--no-demo", "--no-forecast", *args], capture_output=True, text=True, timeout=60,
                          check=False)
    assert "Traceback" not in proc.stderr + proc.stdout, proc.stderr
    assert not store.exists(), "the store was opened: the bad option was not caught before serving"
    return proc


@pytest.mark.parametrize("host", ["", "   "])
def test_an_empty_host_is_refused_not_every_interface(tmp_path, host):
    proc = serve(tmp_path, "--host", host, "--port", "1")
    assert proc.returncode == 2
    assert "error:" in proc.stderr and "--host is empty" in proc.stderr
    assert "Signalfire dashboard" not in proc.stderr


def test_an_unknown_host_says_the_host_is_bad(tmp_path):
    proc = serve(tmp_path, "--host", "no-such-host.invalid")
    assert proc.returncode == 2
    assert "error:" in proc.stderr and "no-such-host.invalid" in proc.stderr
    assert "not a host name" in proc.stderr and "--port" not in proc.stderr


@pytest.mark.parametrize("value", ["0", "-1", "nan", "inf"])
def test_query_timeout_must_be_a_positive_number(tmp_path, value):
    proc = serve(tmp_path, "--query-timeout", value)
    assert proc.returncode == 2 and "Invalid value for '--query-timeout'" in proc.stderr


def test_check_listen_accepts_free_addresses_in_both_families():
    assert check_listen("127.0.0.1", 0) is None
    if socket.has_ipv6:
        try:
            with socket.socket(socket.AF_INET6) as probe:
                probe.bind(("::1", 0))
        except OSError:
            pytest.skip("no IPv6 loopback on this machine")
        assert check_listen("::1", 0) is None      # was "Address family for hostname not supported"


def test_check_listen_reports_a_port_in_use():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        problem = check_listen("127.0.0.1", port)
    assert problem and f"127.0.0.1:{port}" in problem and "--port" in problem


def test_check_listen_reports_a_bad_host_as_such():
    assert "--host is empty" in check_listen("", 8000)
    problem = check_listen("no-such-host.invalid", 8000)
    assert "not a host name" in problem and "--port" not in problem
    problem = check_listen("192.0.2.1", 8000)        # TEST-NET-1: never an address of this machine
    assert "192.0.2.1" in problem and "--host" in problem and "--port" not in problem


def test_urls_bracket_ipv6_hosts():
    assert _url_host("::1") == "[::1]"
    assert _url_host("127.0.0.1") == "127.0.0.1"
