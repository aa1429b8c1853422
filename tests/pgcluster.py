"""A throwaway PostgreSQL cluster for the tests: Debian's server binaries, a temporary folder, a free port.

    cluster = Cluster.create()          # initdb + start; as the postgres user when run as root
    url = cluster.new_database("log")   # postgresql://...?host=<socket folder>
    cluster.stop(); cluster.start()     # an outage
    cluster.kill()                      # SIGKILL to the server and every backend, then start() recovers
    cluster.destroy()

The server listens only on a unix socket in the temporary folder (and on
127.0.0.1 at the chosen port, which also names the socket), trusts local
connections, and is stopped and deleted at the end of the test session.
"""

from __future__ import annotations

import contextlib
import glob
import os
import pwd
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

#: Debian's server binaries, newest version first; or whatever is on PATH.
_BIN_DIRS = sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=lambda p: int(Path(p).parent.name), reverse=True)


def server_bin(name: str) -> str:
    for folder in _BIN_DIRS:
        if os.access(os.path.join(folder, name), os.X_OK):
            return os.path.join(folder, name)
    found = shutil.which(name)
    if found is None:
        raise RuntimeError(f"{name} not found: install Debian's postgresql package (make test does)")
    return found


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class Cluster:
    folder: Path
    port: int
    user: str | None  # the system user the server runs as, when the tests run as root

    @property
    def data(self) -> Path:
        return self.folder / "data"

    @classmethod
    def create(cls) -> Cluster:
        folder = Path(tempfile.mkdtemp(prefix="consentkit-pg-"))
        user = None
        if os.geteuid() == 0:  # initdb refuses root
            user = "postgres"
            entry = pwd.getpwnam(user)
            os.chown(folder, entry.pw_uid, entry.pw_gid)
        cluster = cls(folder, _free_port(), user)
        cluster._run(
            server_bin("initdb"),
            "-D",
            str(cluster.data),
            "-U",
            "consentkit",
            "--auth=trust",
            "-E",
            "UTF8",
            "--no-sync",
            "--no-instructions",
        )
        # One role must give a password (over TCP), to show that libpq's ways of finding it work.
        hba = cluster.data / "pg_hba.conf"
        hba.write_text("host all consentkit_pw 127.0.0.1/32 scram-sha-256\n" + hba.read_text())
        with open(cluster.data / "postgresql.conf", "a", encoding="utf-8") as conf:
            conf.write(
                f"port = {cluster.port}\nlisten_addresses = '127.0.0.1'\nunix_socket_directories = '{folder}'\n"
                # No fsync: a killed server loses nothing the kernel has, and the tests kill only processes.
                # synchronous_commit stays on: off, a commit could be lost with the killed server.
                "fsync = off\nfull_page_writes = off\nmax_connections = 60\n"
            )
        cluster.start()
        return cluster

    def _run(self, *command: str) -> None:
        subprocess.run(command, check=True, capture_output=True, user=self.user, cwd=self.folder)

    def start(self) -> None:
        self._run(server_bin("pg_ctl"), "-D", str(self.data), "-l", str(self.folder / "server.log"), "-w", "start")

    def stop(self) -> None:
        self._run(server_bin("pg_ctl"), "-D", str(self.data), "-m", "fast", "-w", "stop")

    def kill(self) -> None:
        """SIGKILL the server and its backends, as the kernel's OOM killer or a lost container would."""
        postmaster = int((self.data / "postmaster.pid").read_text().split()[0])
        victims = [postmaster, *_children(postmaster)]
        for pid in victims:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        deadline = time.monotonic() + 10
        while any(_alive(pid) for pid in victims) and time.monotonic() < deadline:
            time.sleep(0.05)
        # A killed server left its lock file; if nobody reaps it (a container's init may not), the
        # zombie's pid still answers kill(0), so the next start would think it is running.
        (self.data / "postmaster.pid").unlink(missing_ok=True)
        (self.folder / f".s.PGSQL.{self.port}.lock").unlink(missing_ok=True)

    def url(self, database: str = "postgres") -> str:
        return f"postgresql://consentkit@/{database}?host={self.folder}&port={self.port}"

    def new_database(self, name: str) -> str:
        import psycopg

        with psycopg.connect(self.url(), autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}"')
            connection.execute(f'CREATE DATABASE "{name}"')
        return self.url(name)

    def destroy(self) -> None:
        with contextlib.suppress(subprocess.CalledProcessError, OSError):
            self.stop()
        shutil.rmtree(self.folder, ignore_errors=True)


def _children(parent: int) -> list[int]:
    children = []
    for stat in glob.glob("/proc/[0-9]*/stat"):
        with contextlib.suppress(OSError, ValueError, IndexError):
            fields = Path(stat).read_text().rsplit(")", 1)[1].split()
            if int(fields[1]) == parent:
                children.append(int(Path(stat).parent.name))
    return children


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    with contextlib.suppress(OSError):
        if Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] == "Z":
            return False
    return True
