"""A store filled from the repository's example reports, shared by the web tests."""

from __future__ import annotations

import re
import shutil
import time
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any, Protocol

from peacetrack.extract import get_extractor
from peacetrack.extract.runner import extract_store
from peacetrack.ingest import ingest
from peacetrack.store import Store
from peacetrack.testing import served_app

EXAMPLES = Path(__file__).resolve().parents[1] / "examples" / "reports"
TOKEN = "test-token-0123456789"
#: Test clients name a loopback host: the app answers only to the names it is served under.
BASE_URL = "http://localhost"


class _Response(Protocol):
    def json(self) -> Any: ...


class _Client(Protocol):
    def get(self, url: str) -> Any: ...


class _FormClient(_Client, Protocol):
    def post(self, url: str, **kwargs: Any) -> Any: ...


def csrf_of(client: _Client, page: str = "/login") -> str:
    """The CSRF token the forms of ``page`` carry (the login page's by default)."""
    found = re.search(r'name="csrf_token" value="([^"]+)"', client.get(page).text)
    assert found, f"no CSRF token on {page}"
    return found.group(1)


def login(client: _FormClient, reviewer: str = "ana") -> str:
    """Log ``client`` in through the login form, as ``reviewer``, as a person does; returns
    the CSRF token the session's forms then need."""
    csrf = csrf_of(client)
    data = {"csrf_token": csrf, "token": TOKEN, "reviewer": reviewer}
    assert client.post("/login", data=data, follow_redirects=False).status_code == 303
    return csrf


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


def filled_store(
    path: Path, sources: list[Path] | None = None, extractor: str = "rules.v1"
) -> Path:
    """Ingest and extract ``sources`` (default: the example reports) into a SQLite file.

    The tests read the store ``rules.v1`` fills, whose claims do not move when the learned
    model is retrained; the README's screenshots ask for the default extractor's, which is
    what a user's first store holds."""
    with Store.open(path) as store:
        ingest(sources or [EXAMPLES], store)
        extract_store(store, get_extractor(extractor))
    return path


def copy_of(template: Path, folder: Path) -> Path:
    """A private copy, so that a test's writes never reach another test."""
    target = folder / "store.db"
    shutil.copyfile(template, target)
    return target


def served(app: Any, timeout: float = 20.0) -> AbstractContextManager[str]:
    """``app`` on a real server on 127.0.0.1 (``peacetrack.testing.served_app``)."""
    return served_app(app, timeout)
