"""Fetching with our own client: connections go only to addresses vetted at connect time.

``check_url`` vets a host before the request, but a DNS answer can change before the
connection is made (DNS rebinding). These tests use the fetcher's real transport against
servers on 127.0.0.1, with invented host names resolved by a fake ``getaddrinfo`` whose
answers can change from one lookup to the next. Nothing leaves this machine.
"""

from __future__ import annotations

import ipaddress
import re
import shutil
import socket
import ssl
import subprocess
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpcore
import pytest

from peacetrack.errors import FetchError
from peacetrack.ingest import fetch

PUBLIC = "93.184.216.34"
PAGE = b"<html><body><p>Talks resumed at the harbour.</p></body></html>"


class Resolver:
    """Answers for invented names, one per lookup (the last repeats); IP literals pass."""

    def __init__(self, real: Any) -> None:
        self.real = real
        self.answers: dict[str, list[str]] = {}
        self.lookups: list[str] = []

    def __call__(self, host: str, port: Any, *args: Any, **kwargs: Any) -> list[Any]:
        try:
            ipaddress.ip_address(host)
        except ValueError:
            pass
        else:  # a literal is parsed, not looked up: safe to hand to the real function
            return list(self.real(host, port, *args, **kwargs))
        self.lookups.append(host)
        queue = self.answers.get(host)
        if not queue:
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        address = queue.pop(0) if len(queue) > 1 else queue[0]
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (address, port))]


@pytest.fixture
def resolver(monkeypatch: pytest.MonkeyPatch) -> Resolver:
    fake = Resolver(socket.getaddrinfo)
    monkeypatch.setattr(socket, "getaddrinfo", fake)
    return fake


class Server(ThreadingHTTPServer):
    """A test server that remembers the paths requested from it."""

    seen: list[str]


class Site(BaseHTTPRequestHandler):
    """A page, a redirect to it, an oversize body and a missing page."""

    server: Server

    def do_GET(self) -> None:
        self.server.seen.append(self.path)
        if self.path == "/start":
            self.send_response(302)
            self.send_header("Location", "/page")
            self.end_headers()
            return
        routes = {"/page": ("text/html", PAGE), "/huge": ("text/plain", b"x" * 50_000)}
        if self.path not in routes:
            self.send_error(404)
            return
        content_type, body = routes[self.path]
        self.send_response(200)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        pass


def serve(tls: ssl.SSLContext | None = None) -> Iterator[Server]:
    server = Server(("127.0.0.1", 0), Site)
    server.seen = []
    if tls is not None:
        server.socket = tls.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def site() -> Iterator[Server]:
    yield from serve()


def port_of(server: Server) -> int:
    return int(server.server_address[1])


def test_answer_switched_to_loopback_after_the_check_is_refused_at_connect(
    resolver: Resolver, site: Server
) -> None:
    resolver.answers["rebind.example"] = [PUBLIC, "127.0.0.1"]
    with pytest.raises(FetchError, match=r"rebind\.example is at 127\.0\.0\.1, a loopback"):
        fetch(f"http://rebind.example:{port_of(site)}/page")
    assert resolver.lookups == ["rebind.example", "rebind.example"]  # check, then connect
    assert site.seen == []  # refused before connecting: no request was sent


def test_connection_goes_to_the_vetted_address_and_tls_to_the_host_name(
    resolver: Resolver, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No TLS server needed: the socket layer is replaced by a recording mock stream."""
    resolver.answers["news.example"] = [PUBLIC, "93.184.216.35"]
    connects: list[tuple[str, int]] = []
    handshakes: list[tuple[str | None, bool, ssl.VerifyMode]] = []
    sent: list[bytes] = []

    class Stream(httpcore.MockStream):
        def write(self, buffer: bytes, timeout: float | None = None) -> None:
            sent.append(buffer)

        def start_tls(
            self,
            ssl_context: ssl.SSLContext,
            server_hostname: str | None = None,
            timeout: float | None = None,
        ) -> httpcore.NetworkStream:
            handshakes.append(
                (server_hostname, ssl_context.check_hostname, ssl_context.verify_mode)
            )
            return self

    def connect_tcp(_: httpcore.SyncBackend, host: str, port: int, *args: Any) -> Stream:
        connects.append((host, port))
        reply = b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 2\r\n\r\nok"
        return Stream([reply])

    monkeypatch.setattr(httpcore.SyncBackend, "connect_tcp", connect_tcp)
    fetched = fetch("https://news.example/a")
    assert fetched.body == b"ok"
    # the address of the connect-time lookup, which was vetted, not a third lookup's
    assert connects == [("93.184.216.35", 443)]
    assert resolver.lookups == ["news.example", "news.example"]
    assert handshakes == [("news.example", True, ssl.CERT_REQUIRED)]
    assert b"\r\nHost: news.example\r\n" in b"".join(sent)


def test_local_server_is_fetched_with_allow_private(resolver: Resolver, site: Server) -> None:
    resolver.answers["intranet.example"] = ["127.0.0.1"]
    base = f"http://intranet.example:{port_of(site)}"
    fetched = fetch(f"{base}/start", allow_private=True)
    assert fetched.final_url == f"{base}/page"
    assert (fetched.format, fetched.body) == ("html", PAGE)
    direct = fetch(f"http://127.0.0.1:{port_of(site)}/page", allow_private=True)
    assert direct.body == PAGE
    assert site.seen == ["/start", "/page", "/page"]


def test_local_server_errors_and_caps_are_fetch_errors(resolver: Resolver, site: Server) -> None:
    base = f"http://127.0.0.1:{port_of(site)}"
    with pytest.raises(FetchError, match=re.escape(f"HTTP 404 fetching {base}/missing")):
        fetch(f"{base}/missing", allow_private=True)
    with pytest.raises(FetchError, match="cap"):
        fetch(f"{base}/huge", allow_private=True, max_bytes=10_000)
    with pytest.raises(FetchError, match=r"refused .*127\.0\.0\.1, a loopback address"):
        fetch(f"{base}/page")


def test_connection_failures_and_timeouts_are_fetch_errors(resolver: Resolver) -> None:
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        free_port = closed.getsockname()[1]
    with pytest.raises(FetchError, match=r"could not fetch http://127\.0\.0\.1"):
        fetch(f"http://127.0.0.1:{free_port}/", allow_private=True)
    with socket.create_server(("127.0.0.1", 0)) as silent:  # accepts, never answers
        url = f"http://127.0.0.1:{silent.getsockname()[1]}/slow"
        with pytest.raises(FetchError, match="timed out fetching"):
            fetch(url, allow_private=True, timeout=0.5)


def certificate_for(name: str, folder: Path) -> tuple[Path, Path]:
    """A self-signed certificate for ``name`` (made with the openssl command) and its key."""
    if shutil.which("openssl") is None:
        pytest.skip("needs the openssl command to make a test certificate")
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        [
            *("openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256"),
            *("-nodes", "-days", "2", "-keyout", str(key), "-out", str(cert)),
            *("-subj", f"/CN={name}", "-addext", f"subjectAltName=DNS:{name}"),
        ],
        check=True,
        capture_output=True,
    )
    return cert, key


def test_https_certificate_must_match_the_host_name_not_the_address(
    resolver: Resolver, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    cert, key = certificate_for("pinned.example", tmp_path)
    monkeypatch.setenv("SSL_CERT_FILE", str(cert))  # httpx trusts it; nothing else changes
    tls = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    tls.load_cert_chain(cert, key)
    resolver.answers["pinned.example"] = ["127.0.0.1"]
    resolver.answers["other.example"] = ["127.0.0.1"]
    for server in serve(tls):
        port = port_of(server)
        fetched = fetch(f"https://pinned.example:{port}/page", allow_private=True)
        assert fetched.body == PAGE
        with pytest.raises(FetchError, match=r"could not fetch .*certificate"):
            fetch(f"https://other.example:{port}/page", allow_private=True)
        assert server.seen == ["/page"]
