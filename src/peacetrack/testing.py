"""Test doubles for code that uses PeaceTrack: a fake extractor, a fake web, a fake language
model endpoint, a throwaway store.

They are shipped with the package (as httpx ships ``MockTransport``) so that users' own tests
need no network, no model and no database server::

    from peacetrack.testing import FakeExtractor, FakeWeb, temporary_store

    web = FakeWeb({"https://news.example/a": ("text/html", "<html>...</html>")})
    with web.active(), temporary_store() as store:
        pt.ingest_reports(["https://news.example/a"], store, IngestOptions(client=web.client()))
"""

from __future__ import annotations

import hashlib
import json
import socket
import tempfile
import threading
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
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


class FileGate:
    """A gate that is open while its file exists: what a fake extractor can wait on in the
    web app's extraction worker, another process, while a test or benchmark holds it shut
    (``threading.Event`` reaches no other process)."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def set(self) -> None:
        self.path.touch()

    def clear(self) -> None:
        self.path.unlink(missing_ok=True)

    def is_set(self) -> bool:
        return self.path.exists()

    def wait(self, timeout: float) -> bool:
        """Whether the gate opened within ``timeout`` seconds."""
        deadline = time.monotonic() + timeout
        while not self.is_set():
            if time.monotonic() > deadline:
                return False
            time.sleep(0.05)
        return True


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


@dataclass(frozen=True)
class FakeReply:
    """A scripted answer of ``FakeModel``: an HTTP status, or content and finish reason.

    ``timeout=True`` makes the request time out instead of answering.
    """

    content: str = ""
    status: int = 200
    finish_reason: str = "stop"
    timeout: bool = False


Answer = str | FakeReply


class FakeModel:
    """An OpenAI-compatible chat endpoint that answers from a function of the request.

    ``answer`` gets the last user message (the text to code) and returns the reply's
    content, or a ``FakeReply`` for errors, cut-off answers and timeouts. ``client()`` is
    an httpx client that never leaves the process; ``serve()`` runs the same endpoint on
    a loopback port, for tests that run PeaceTrack in another process.
    """

    def __init__(self, answer: Callable[[str], Answer], models: Sequence[str] = ("fake",)) -> None:
        self._answer = answer
        self.models = [models] if isinstance(models, str) else list(models)
        self.requests: list[dict[str, Any]] = []
        self._lock = threading.Lock()
        self._recorded: Path | None = None

    @classmethod
    def replaying(cls, folder: Path, models: Sequence[str] = ("fake",)) -> FakeModel:
        """Answers recorded earlier, one file per request: ``folder/KEY.txt`` holds the
        reply's text, KEY being ``request_key(messages)``. A request with no recording is
        answered 503, as a record-and-replay endpoint does, so it fails that document."""
        model = cls(lambda _text: FakeReply("no recorded reply", status=503), models)
        model._recorded = folder
        return model

    def _reply_to(self, request: dict[str, Any]) -> Answer:
        messages = request.get("messages", [])
        if self._recorded is not None:
            path = self._recorded / f"{request_key(messages)}.txt"
            if path.is_file():
                return path.read_text(encoding="utf-8")
        users = [m["content"] for m in messages if m.get("role") == "user"]
        return self._answer(users[-1] if users else "")

    def respond(self, method: str, path: str, body: bytes) -> tuple[int, dict[str, Any]]:
        """(status, JSON body) for one request; the transports below only carry it."""
        if method == "GET" and path.rstrip("/").endswith("/models"):
            return 200, {
                "object": "list",
                "data": [{"id": m, "object": "model"} for m in self.models],
            }
        if method != "POST" or not path.rstrip("/").endswith("/chat/completions"):
            return 404, {"error": {"message": f"no route {method} {path}"}}
        request = json.loads(body or b"{}")
        with self._lock:
            self.requests.append(request)
        reply = self._reply_to(request)
        if isinstance(reply, str):
            reply = FakeReply(reply)
        if reply.timeout:
            raise httpx.ReadTimeout("the fake model did not answer in time")
        if reply.status != 200:
            return reply.status, {"error": {"message": reply.content or "scripted error"}}
        return 200, _completion(request.get("model", "fake"), reply)

    def client(self) -> httpx.Client:
        def handle(request: httpx.Request) -> httpx.Response:
            status, payload = self.respond(request.method, request.url.path, request.read())
            return httpx.Response(status, json=payload, headers={"retry-after-ms": "5"})

        return httpx.Client(transport=httpx.MockTransport(handle))

    @contextmanager
    def serve(self) -> Iterator[str]:
        """Serve on 127.0.0.1 (a free port) while the block runs; yields the base URL."""
        from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

        model = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:  # tests read results, not logs
                pass

            def _reply(self, method: str) -> None:
                length = int(self.headers.get("content-length") or 0)
                try:
                    status, payload = model.respond(method, self.path, self.rfile.read(length))
                except httpx.TimeoutException:
                    return  # no answer at all: the client times out
                data = json.dumps(payload).encode("utf-8")
                try:
                    self.send_response(status)
                    self.send_header("content-type", "application/json")
                    self.send_header("content-length", str(len(data)))
                    self.send_header("retry-after-ms", "5")
                    self.end_headers()
                    self.wfile.write(data)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client went away (a test killed it): nothing to answer

            def do_GET(self) -> None:
                self._reply("GET")

            def do_POST(self) -> None:
                self._reply("POST")

        server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        try:
            yield f"http://127.0.0.1:{server.server_address[1]}/v1"
        finally:
            server.shutdown()
            server.server_close()


def request_key(messages: Sequence[Mapping[str, Any]]) -> str:
    """The name a recorded reply is kept under: the first 24 hex digits of the SHA-256 of
    the messages' roles and contents as sorted JSON (model and options do not count)."""
    shown = [{"role": m.get("role"), "content": m.get("content")} for m in messages]
    body = json.dumps(shown, sort_keys=True, ensure_ascii=False).encode("utf-8")
    return hashlib.sha256(body).hexdigest()[:24]


def _completion(model: str, reply: FakeReply) -> dict[str, Any]:
    message = {"role": "assistant", "content": reply.content}
    return {
        "id": "chatcmpl-fake",
        "object": "chat.completion",
        "created": 0,
        "model": model,
        "choices": [{"index": 0, "finish_reason": reply.finish_reason, "message": message}],
        "usage": {"prompt_tokens": 100, "completion_tokens": 10, "total_tokens": 110},
    }


@contextmanager
def served_app(app: Any, timeout: float = 20.0) -> Iterator[str]:
    """An ASGI app (``peacetrack.web.create_app``) on uvicorn on a free 127.0.0.1 port in a
    background thread, for tests and benchmarks that need a real server; yields its base URL.

    The server stops when the block ends, and the thread is a daemon, so a failing test
    never leaves it behind.
    """
    import uvicorn

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
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
