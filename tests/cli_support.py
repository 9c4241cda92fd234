"""The command line run as ``python -m signalfire.cli`` runs it, in the test's own process (no tests here).

A real subprocess pays for Python's start and the imports of pandas, DuckDB and the layers again (~2 s of CPU per
command on CI's cores, ~1 min of the suite's CPU over the CLI modules); in-process the same ``signalfire.cli.main``
runs on the same argument list, with its output caught the way a pipe catches it (no terminal: no colour, no
live progress bars) and its ``SystemExit`` read as the exit status. What only a real process shows (the module's
``__main__``, a process killed mid-way, a server that must not start) stays a subprocess in its module; ``real=True``
asks for one here.
"""

from __future__ import annotations

import contextlib
import io
import subprocess
import sys
from dataclasses import dataclass


@dataclass
class Done:
    """What ``subprocess.run(..., capture_output=True, text=True)`` returns, as far as the tests read it."""
    returncode: int
    stdout: str
    stderr: str


def run_cli(*args, check: bool = True, real: bool = False) -> Done:
    """Run ``signalfire <args>`` and return its exit status and output. A traceback in either stream fails the
    test (the user never sees one); with ``check`` so does a non-zero status."""
    argv = [str(a) for a in args]
    if real:
        proc = subprocess.run([sys.executable, "-m", "signalfire.cli", *argv], capture_output=True, text=True,
                              timeout=300, check=False)
        done = Done(proc.returncode, proc.stdout, proc.stderr)
    else:
        done = _in_process(argv)
    assert "Traceback" not in done.stderr + done.stdout, done.stderr
    if check:
        assert done.returncode == 0, done.stderr + done.stdout
    return done


def _in_process(argv: list[str]) -> Done:
    from signalfire.cli import main
    # text streams over bytes, as a pipe's are: a command may write bytes to sys.stdout.buffer (CSV to "-")
    stdout, stderr = (io.TextIOWrapper(io.BytesIO(), encoding="utf-8", write_through=True) for _ in range(2))
    saved_argv = sys.argv
    sys.argv = ["signalfire", *argv]
    code = 0
    try:
        with contextlib.redirect_stdout(stdout), contextlib.redirect_stderr(stderr):
            try:
                main()
            except SystemExit as exc:
                code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
                if not isinstance(exc.code, (int, type(None))):
                    print(exc.code, file=sys.stderr)      # sys.exit("message") prints it, as Python does
    finally:
        sys.argv = saved_argv
    return Done(code, *(s.buffer.getvalue().decode("utf-8", "replace") for s in (stdout, stderr)))
