"""A throwaway PostgreSQL cluster in a temporary folder, for the tests and the benchmarks.

Nothing is installed or configured by hand: the Debian ``postgresql`` package provides the
binaries (``scripts/system-deps`` installs it), and each test session gets its own cluster
on a free localhost port, with durability switched off because it is deleted at the end
(``durable=True`` keeps it on, for benchmarks of what a user waits for).
``initdb`` refuses to run as root, so as root the cluster belongs to the ``postgres`` user.

Run as a script (``scripts/postgres``) it starts one and prints its URL until Ctrl-C.
"""

from __future__ import annotations

import atexit
import contextlib
import os
import pwd
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from glob import glob
from pathlib import Path
from typing import Any

#: The time zone is not UTC so that a naive datetime read as server-local time shows in the
#: tests.
SERVER_SETTINGS = (
    "timezone=Asia/Kathmandu",
    "max_connections=200",
    "shared_buffers=64MB",
)
#: Speed over safety: the cluster lives for one session and is deleted after it. Left out
#: for a durable cluster (the server's own defaults), as benchmarks of what a user waits
#: for need: a user's server writes every commit to disk.
UNSAFE_SETTINGS = ("fsync=off", "synchronous_commit=off", "full_page_writes=off")
START_ATTEMPTS = 3


class ClusterUnavailable(RuntimeError):
    """No cluster can be started here; the message says what is missing and how to fix it."""


def find_bindir() -> Path:
    """The newest Debian PostgreSQL ``bin`` folder, else wherever ``initdb`` is on PATH."""

    def version(folder: str) -> int:
        name = Path(folder).parent.name
        return int(name) if name.isdigit() else 0

    for folder in sorted(glob("/usr/lib/postgresql/*/bin"), key=version, reverse=True):
        if (Path(folder) / "initdb").is_file():
            return Path(folder)
    found = shutil.which("initdb")
    if found:
        return Path(found).resolve().parent
    raise ClusterUnavailable(
        "PostgreSQL server binaries not found (no /usr/lib/postgresql/*/bin/initdb): "
        "run scripts/system-deps as root, or apt-get install postgresql"
    )


def _owner_prefix() -> tuple[list[str], int | None]:
    """The command prefix running as the cluster owner, and that owner's uid when switching."""
    if os.geteuid() != 0:
        return [], None
    try:
        uid = pwd.getpwnam("postgres").pw_uid
    except KeyError:
        raise ClusterUnavailable(
            "running as root but there is no 'postgres' user for initdb: install Debian's "
            "postgresql package (scripts/system-deps) or run the tests as a normal user"
        ) from None
    runuser = shutil.which("runuser")
    if runuser is None:
        raise ClusterUnavailable("running as root but runuser is missing: install util-linux")
    return [runuser, "-u", "postgres", "--"], uid


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@dataclass
class PgCluster:
    """A running throwaway cluster; ``stop`` shuts it down and deletes its folder."""

    folder: Path
    bindir: Path
    port: int
    prefix: list[str] = field(default_factory=list)
    durable: bool = False

    @classmethod
    def start(cls, *, durable: bool = False) -> PgCluster:
        """A new cluster; ``durable`` keeps PostgreSQL's own settings for writing to disk
        (fsync, synchronous commits, full page writes) instead of switching them off."""
        try:
            import psycopg  # noqa: F401 - checked early so the reason to skip is clear
        except ImportError:
            raise ClusterUnavailable(
                "psycopg is not installed: pip install 'peacetrack[postgres]'"
            ) from None
        bindir = find_bindir()
        prefix, uid = _owner_prefix()
        folder = Path(tempfile.mkdtemp(prefix="peacetrack-pg-"))
        if uid is not None:
            os.chown(folder, uid, -1)
        cluster = cls(folder, bindir, 0, prefix, durable)
        # Also on an error that skips the caller's clean-up: no server outlives its process.
        atexit.register(cluster.stop)
        try:
            cluster._initdb()
            cluster._start_server()
        except BaseException:
            cluster.stop()
            raise
        return cluster

    def _run(self, args: Sequence[str]) -> None:
        done = subprocess.run(
            [*self.prefix, *args],
            cwd=self.folder,
            capture_output=True,
            text=True,
            check=False,
        )
        if done.returncode != 0:
            raise ClusterUnavailable(
                f"{Path(args[0]).name} failed ({done.returncode}): "
                f"{(done.stderr or done.stdout).strip()[-800:]}"
            )

    @property
    def data(self) -> Path:
        return self.folder / "data"

    def _initdb(self) -> None:
        self._run(
            [
                str(self.bindir / "initdb"),
                "-D",
                str(self.data),
                "-U",
                "postgres",
                "--auth=trust",
                "--encoding=UTF8",
                "--no-locale",
                "--no-sync",
            ]
        )

    def _start_server(self) -> None:
        """Start on a free port; retried because another process may take the port first."""
        for attempt in range(START_ATTEMPTS):
            self.port = _free_port()
            options = " ".join(
                [
                    f"-p {self.port}",
                    "-c listen_addresses=127.0.0.1",
                    f"-c unix_socket_directories={self.folder}",
                    *(f"-c {setting}" for setting in self.settings()),
                ]
            )
            pg_ctl = str(self.bindir / "pg_ctl")
            log = str(self.folder / "server.log")
            try:
                self._run([pg_ctl, "-D", str(self.data), "-l", log, "-w", "-o", options, "start"])
                return
            except ClusterUnavailable:
                if attempt == START_ATTEMPTS - 1:
                    raise ClusterUnavailable(
                        f"postgres did not start: {self._log_tail()}"
                    ) from None
                time.sleep(0.2)

    def settings(self) -> tuple[str, ...]:
        return SERVER_SETTINGS + (() if self.durable else UNSAFE_SETTINGS)

    def _log_tail(self) -> str:
        with contextlib.suppress(OSError):
            return (self.folder / "server.log").read_text(errors="replace")[-800:]
        return "(no server log)"

    def url(self, database: str = "postgres") -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{database}"

    def admin(self, database: str = "postgres") -> Any:
        """An autocommit psycopg connection: CREATE/DROP DATABASE refuse transactions."""
        import psycopg

        return psycopg.connect(
            host="127.0.0.1", port=self.port, user="postgres", dbname=database, autocommit=True
        )

    def create_database(self, name: str) -> str:
        """A new empty database; returns its SQLAlchemy URL."""
        with self.admin() as connection:
            connection.execute(f'CREATE DATABASE "{name}" TEMPLATE template0')
        return self.url(name)

    def drop_database(self, name: str) -> None:
        with self.admin() as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    def disconnect_all(self, database: str) -> None:
        """End every session on ``database``: one left open by a failed test would hold
        locks that make dropping its schema wait forever."""
        with self.admin() as connection:
            connection.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE datname = %s AND pid <> pg_backend_pid()",
                (database,),
            )

    def stop(self) -> None:
        """Immediate shutdown (nothing is worth saving), then the folder goes; safe to repeat."""
        pid_file = self.data / "postmaster.pid"
        if pid_file.exists():
            pg_ctl = str(self.bindir / "pg_ctl")
            try:
                self._run([pg_ctl, "-D", str(self.data), "-m", "immediate", "-w", "stop"])
            except ClusterUnavailable:
                with contextlib.suppress(OSError, ValueError, IndexError):
                    os.kill(int(pid_file.read_text().split()[0]), signal.SIGQUIT)
        shutil.rmtree(self.folder, ignore_errors=True)


@contextlib.contextmanager
def running_cluster() -> Iterator[PgCluster]:
    cluster = PgCluster.start()
    try:
        yield cluster
    finally:
        cluster.stop()


def main() -> int:
    try:
        with running_cluster() as cluster:
            url = cluster.create_database("peacetrack")
            print(f"PostgreSQL {cluster.bindir.parent.name} running; Ctrl-C stops and deletes it")
            print(f"PEACETRACK_DB={url}", flush=True)
            with contextlib.suppress(KeyboardInterrupt):
                while True:
                    time.sleep(3600)
    except ClusterUnavailable as exc:
        print(f"cannot start PostgreSQL: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
