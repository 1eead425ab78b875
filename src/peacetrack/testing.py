"""Test doubles for code that uses PeaceTrack: a fake extractor, a fake web, a throwaway store.

They are shipped with the package (as httpx ships ``MockTransport``) so that users' own tests
need no network, no model and no database server::

    from peacetrack.testing import FakeExtractor, FakeWeb, temporary_store

    web = FakeWeb({"https://news.example/a": ("text/html", "<html>...</html>")})
    with web.active(), temporary_store() as store:
        pt.ingest_reports(["https://news.example/a"], store, IngestOptions(client=web.client()))
"""

from __future__ import annotations

import socket
import tempfile
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import httpx

from peacetrack.model import Claim, Document

if TYPE_CHECKING:
    from peacetrack.store import Store

#: What FakeWeb's hosts resolve to: a public address, so the private-address check passes.
#: No packet is ever sent to it: the client's transport answers in process.
FAKE_ADDRESS = "93.184.215.14"


class FakeExtractor:
    """An extractor that returns prepared claims, by document name or from a function."""

    def __init__(
        self,
        claims: Mapping[str, Sequence[Claim]] | Callable[[Document], Sequence[Claim]],
        name: str = "fake.v1",
    ) -> None:
        self.name = name
        self._claims = claims
        self.seen: list[str] = []

    def extract(self, document: Document) -> list[Claim]:
        self.seen.append(document.name)
        if callable(self._claims):
            found = self._claims(document)
        else:
            found = self._claims.get(document.name, ())
        return [c.model_copy(update={"extractor": self.name}) for c in found]


class FakeWeb:
    """Canned HTTP answers by URL: (content type, body) or (status, content type, body).

    ``client()`` gives an httpx client that never touches the network; ``active()`` makes
    the fake hosts resolve (to a public address) for the fetcher's address check.
    """

    def __init__(self, pages: Mapping[str, tuple[Any, ...]]) -> None:
        self.pages = dict(pages)
        self.requests: list[str] = []

    def _respond(self, request: httpx.Request) -> httpx.Response:
        url = str(request.url)
        self.requests.append(url)
        page = self.pages.get(url)
        if page is None:
            return httpx.Response(404, text="not found")
        status, content_type, body = page if len(page) == 3 else (200, *page)
        if status in (301, 302, 303, 307, 308):
            return httpx.Response(status, headers={"location": body})
        data = body.encode("utf-8") if isinstance(body, str) else body
        return httpx.Response(status, content=data, headers={"content-type": content_type})

    def client(self) -> httpx.Client:
        return httpx.Client(transport=httpx.MockTransport(self._respond))

    @contextmanager
    def active(self) -> Iterator[FakeWeb]:
        hosts = {urlsplit(url).hostname for url in self.pages}
        real = socket.getaddrinfo

        def getaddrinfo(host: Any, port: Any, *args: Any, **kwargs: Any) -> Any:
            if host in hosts:
                return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (FAKE_ADDRESS, port or 80))]
            return real(host, port, *args, **kwargs)

        socket.getaddrinfo = getaddrinfo
        try:
            yield self
        finally:
            socket.getaddrinfo = real


@contextmanager
def temporary_store() -> Iterator[Store]:
    """A Store on a SQLite file in a temporary folder, removed afterwards."""
    from peacetrack.store import Store

    with tempfile.TemporaryDirectory(prefix="peacetrack-") as folder:
        store = Store.open(Path(folder) / "test.db")
        try:
            yield store
        finally:
            store.close()
