"""Run a WSGI app under a real gunicorn on 127.0.0.1, on a free port, for tests that need a real server.

    with gunicorn("tests.apps.portal:app", workers=2, env={"CONSENTKIT_LOG": ...}) as server:
        urlopen(server.url("/"))
        server.worker_pids  # e.g. to SIGKILL one mid-load

The app spec is what gunicorn takes (``module:variable`` or ``module:factory()``),
imported from the repository root.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import threading
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
_LISTENING = re.compile(r"Listening at: http://127\.0\.0\.1:(\d+)")
_WORKER = re.compile(r"Booting worker with pid: (\d+)")


@dataclass
class Server:
    process: subprocess.Popen[str]
    port: int = 0
    worker_pids: list[int] = field(default_factory=list)
    output: list[str] = field(default_factory=list)

    def url(self, path: str = "/") -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    @property
    def log(self) -> str:
        """Everything gunicorn and the app wrote to stderr so far."""
        return "".join(self.output)


@contextmanager
def gunicorn(
    app: str,
    *,
    workers: int = 1,
    env: Mapping[str, str] | None = None,
    args: Sequence[str] = (),
    timeout: float = 30,
    prefix: Sequence[str] = (),
) -> Iterator[Server]:
    """Start gunicorn, wait until every worker has booted, and stop it afterwards.

    ``prefix`` goes before the command, e.g. ``setpriv`` options to run it with fewer privileges.
    """
    command = [
        *prefix,
        sys.executable,
        "-m",
        "gunicorn",
        "--bind",
        "127.0.0.1:0",
        "--workers",
        str(workers),
        "--log-level",
        "info",
        "--graceful-timeout",
        "5",
        *args,
        app,
    ]
    process = subprocess.Popen(
        command,
        cwd=ROOT,
        env={**os.environ, "PYTHONUNBUFFERED": "1", **(env or {})},
        stderr=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        text=True,
    )
    server = Server(process)
    ready = threading.Event()

    def read() -> None:
        assert process.stderr is not None
        for line in process.stderr:
            server.output.append(line)
            if match := _LISTENING.search(line):
                server.port = int(match.group(1))
            if match := _WORKER.search(line):
                server.worker_pids.append(int(match.group(1)))
            if server.port and len(server.worker_pids) >= workers:
                ready.set()
        ready.set()

    threading.Thread(target=read, daemon=True).start()
    try:
        if not ready.wait(timeout) or not server.port or process.poll() is not None:
            raise RuntimeError(f"gunicorn did not start: {server.log}")
        _wait_for_answer(server, timeout)
        yield server
    finally:
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _wait_for_answer(server: Server, timeout: float) -> None:
    """The workers have booted; wait until the socket takes a connection."""
    import socket

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", server.port), timeout=1):
                return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"gunicorn is not answering on port {server.port}: {server.log}")
