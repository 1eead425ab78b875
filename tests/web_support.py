"""A store filled from the repository's example reports, shared by the web tests."""

from __future__ import annotations

import shutil
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Protocol

from peacetrack.extract import get_extractor
from peacetrack.extract.runner import extract_store
from peacetrack.ingest import ingest
from peacetrack.store import Store

EXAMPLES = Path(__file__).resolve().parents[1] / "examples" / "reports"
TOKEN = "test-token-0123456789"
#: Test clients name a loopback host: the app answers only to the names it is served under.
BASE_URL = "http://localhost"


class _Response(Protocol):
    def json(self) -> Any: ...


class _Client(Protocol):
    def get(self, url: str) -> Any: ...


def finished(client: _Client, queued: _Response, timeout: float = 60.0) -> dict[str, Any]:
    """The job a reply to adding reports names, once it is done (failing if it failed)."""
    job: dict[str, Any] = queued.json()
    deadline = time.monotonic() + timeout
    while job["state"] not in ("done", "failed"):
        assert time.monotonic() < deadline, f"job {job['id']} still {job['state']}"
        time.sleep(0.05)
        job = client.get(f"/api/jobs/{job['id']}").json()
    assert job["state"] == "done", job
    return job


def filled_store(path: Path, sources: list[Path] | None = None) -> Path:
    """Ingest and extract ``sources`` (default: the example reports) into a SQLite file."""
    with Store.open(path) as store:
        ingest(sources or [EXAMPLES], store)
        extract_store(store, get_extractor("rules.v1"))
    return path


def copy_of(template: Path, folder: Path) -> Path:
    """A private copy, so that a test's writes never reach another test."""
    target = folder / "store.db"
    shutil.copyfile(template, target)
    return target


@contextmanager
def served(app: Any, timeout: float = 20.0) -> Iterator[str]:
    """``app`` on uvicorn on a free 127.0.0.1 port in a background thread; its base URL.

    The server stops when the block ends (and the thread is a daemon, so a failing test
    never leaves it behind).
    """
    import uvicorn

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + timeout
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError(f"uvicorn did not start within {timeout:.0f} s")
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(10)
