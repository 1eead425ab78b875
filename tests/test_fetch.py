"""Fetching URLs: private addresses refused, every redirect hop re-checked, caps enforced.

No test sends traffic anywhere: requests go to an ``httpx.MockTransport`` and host names
resolve through a fake ``getaddrinfo`` that knows a few invented hosts and nothing else.
"""

from __future__ import annotations

import ipaddress
import re
import socket
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from peacetrack.errors import FetchError
from peacetrack.ingest import (
    Failure,
    IngestOptions,
    address_problem,
    check_url,
    fetch,
    read_documents,
)
from peacetrack.model import Document

FIXTURES = Path(__file__).parent / "fixtures" / "ingest"
ARTICLE = (FIXTURES / "article.html").read_bytes()
HTML = {"content-type": "text/html; charset=utf-8"}

#: Invented host names and the addresses the fake resolver gives them.
HOSTS = {
    "news.example": "93.184.216.34",
    "wire.example": "93.184.216.35",
    "intranet.example": "192.168.1.20",
    "sneaky.example": "127.0.0.2",
}

Handler = Callable[[httpx.Request], httpx.Response]


@pytest.fixture(autouse=True)
def fake_dns(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Resolve only the invented hosts; record every lookup so tests can assert on it."""
    lookups: list[str] = []

    def getaddrinfo(host: str, port: int, *args: Any, **kwargs: Any) -> list[Any]:
        lookups.append(host)
        if host not in HOSTS:
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (HOSTS[host], port))]

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    return lookups


class Recorder:
    """A mock transport that remembers which URLs were requested."""

    def __init__(self, handler: Handler) -> None:
        self.seen: list[str] = []
        self.handler = handler

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.seen.append(str(request.url))
        return self.handler(request)

    def client(self) -> httpx.Client:
        return httpx.Client(transport=httpx.MockTransport(self))


def never(request: httpx.Request) -> httpx.Response:
    raise AssertionError(f"no request may be sent, but {request.url} was")


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1/admin",
        "http://localhost/",
        "http://LOCALHOST:8080/x",
        "http://api.localhost/",
        "http://10.0.0.1/",
        "http://[::1]/",
        "http://[::ffff:127.0.0.1]/",
        "http://169.254.169.254/latest/meta-data",
        "http://0.0.0.0/",
        "http://224.0.0.1/",
        "http://100.64.0.1/",
        "http://intranet.example/wiki",
        "http://sneaky.example/",
        "http://[2002:7f00:1::1]/",  # 6to4 of 127.0.0.1
        "http://[2002:c0a8:101::1]/",  # 6to4 of 192.168.1.1
        "http://[fec0::1]/",  # site-local
        "http://[2001:0:4136:e378:8000:63bf:80ff:fffe]/",  # Teredo, client 127.0.0.1
        "http://[64:ff9b::7f00:1]/",  # NAT64 of 127.0.0.1
        "http://[64:ff9b:1::a00:1]/",  # local-use NAT64
        "http://[::127.0.0.1]/",  # IPv4-compatible
        "http://[::ffff:10.0.0.1]/",
        "http://[3fff::1]/",  # documentation (RFC 9637)
        "http://[5f00::1]/",  # SRv6 SIDs
        "http://[2001:db8::1]/",
        "http://[fc00::1]/",
        "http://198.18.0.1/",
        "http://192.0.0.8/",
    ],
)
def test_private_addresses_refused_without_traffic(url: str) -> None:
    recorder = Recorder(never)
    with pytest.raises(FetchError, match="--allow-private") as caught:
        fetch(url, client=recorder.client())
    assert url in str(caught.value)
    assert recorder.seen == []


@pytest.mark.parametrize(
    ("address", "problem"),
    [
        ("2002:7f00:1::1", "6to4 (of loopback 127.0.0.1)"),
        ("fec0::1", "site-local"),
        ("64:ff9b::7f00:1", "NAT64 (of loopback 127.0.0.1)"),
        ("::ffff:127.0.0.1", "loopback"),
        ("2606:4700::1111", None),
        ("93.184.216.34", None),
    ],
)
def test_address_problem_sees_through_embedded_ipv4(address: str, problem: str | None) -> None:
    assert address_problem(ipaddress.ip_address(address)) == problem


def test_literal_addresses_need_no_lookup(fake_dns: list[str]) -> None:
    with pytest.raises(FetchError):
        check_url("http://10.1.2.3/")
    check_url("http://93.184.216.34/")
    assert fake_dns == []


@pytest.mark.parametrize("url", ["file:///etc/passwd", "ftp://news.example/x", "http:///nohost"])
def test_only_http_urls_with_a_host(url: str) -> None:
    with pytest.raises(FetchError, match="only http"):
        check_url(url)


def test_malformed_url_is_a_fetch_error() -> None:
    with pytest.raises(FetchError, match="not a valid URL"):
        check_url("http://news.example:port/")


def test_allow_private_lets_a_private_address_through() -> None:
    check_url("http://10.0.0.1/", allow_private=True)
    reply = fetch(
        "http://intranet.example/page",
        client=Recorder(lambda r: httpx.Response(200, headers=HTML, content=ARTICLE)).client(),
        allow_private=True,
    )
    assert reply.body == ARTICLE


def test_html_article_is_fetched_and_read() -> None:
    recorder = Recorder(lambda r: httpx.Response(200, headers=HTML, content=ARTICLE))
    url = "https://news.example/world/2024/06/harbour-talks"
    items = list(read_documents([url], IngestOptions(client=recorder.client())))
    [doc] = items
    assert isinstance(doc, Document)
    assert doc.name == "news.example-world-2024-06-harbour-talks"
    assert doc.url == url
    assert doc.source == url
    assert doc.outlet == "The Meridian Ledger"
    assert "eastern harbour" in doc.text
    assert recorder.seen == [url]


def redirects(to: str) -> Handler:
    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/start":
            return httpx.Response(302, headers={"location": to})
        return httpx.Response(200, headers=HTML, content=ARTICLE)

    return handler


def test_redirect_to_loopback_is_refused_before_it_is_followed() -> None:
    recorder = Recorder(redirects("http://127.0.0.1:8000/admin"))
    with pytest.raises(FetchError, match="loopback"):
        fetch("https://news.example/start", client=recorder.client())
    assert recorder.seen == ["https://news.example/start"]


def test_relative_redirect_is_followed() -> None:
    recorder = Recorder(redirects("/final"))
    reply = fetch("https://news.example/start", client=recorder.client())
    assert reply.final_url == "https://news.example/final"
    assert reply.format == "html"


@pytest.mark.parametrize(
    "location", ["http:\\\\127.0.0.1:Q/x", "http://[::1", "http://news.example:99999/"]
)
def test_malformed_redirect_is_a_failure_naming_the_url(location: str) -> None:
    recorder = Recorder(redirects(location))
    url = "https://news.example/start"
    [failure] = list(read_documents([url], IngestOptions(client=recorder.client())))
    assert isinstance(failure, Failure)
    assert failure.input == url
    # httpx itself refuses some malformed locations, in its own words
    assert re.match(
        f"(refused|could not fetch) {url}: .*(redirects to a malformed|location)", failure.reason
    )
    assert recorder.seen == [url]


def test_redirect_loop_stops() -> None:
    recorder = Recorder(lambda r: httpx.Response(301, headers={"location": "/again"}))
    with pytest.raises(FetchError, match="too many redirects"):
        fetch("https://news.example/again", client=recorder.client())
    assert len(recorder.seen) == 6


def test_http_error_names_status_and_url() -> None:
    recorder = Recorder(lambda r: httpx.Response(404, text="gone"))
    url = "https://news.example/missing"
    items = list(read_documents([url], IngestOptions(client=recorder.client())))
    assert items == [Failure(url, f"HTTP 404 fetching {url}")]


def chunks(count: int, size: int) -> Iterator[bytes]:
    for _ in range(count):
        yield b"x" * size


def test_oversize_body_is_cut_off_while_streaming() -> None:
    recorder = Recorder(
        lambda r: httpx.Response(
            200, headers={"content-type": "text/plain"}, content=chunks(50, 1000)
        )
    )
    with pytest.raises(FetchError, match="cap"):
        fetch("https://news.example/huge", client=recorder.client(), max_bytes=10_000)


def test_oversize_declared_length_is_refused() -> None:
    headers = {"content-type": "text/html", "content-length": "50000000"}
    recorder = Recorder(lambda r: httpx.Response(200, headers=headers, content=b"<html>"))
    with pytest.raises(FetchError, match="cap"):
        fetch("https://news.example/huge", client=recorder.client())


def test_wrong_content_type_is_refused_by_name() -> None:
    headers = {"content-type": "image/png"}
    recorder = Recorder(lambda r: httpx.Response(200, headers=headers, content=b"\x89PNG"))
    with pytest.raises(FetchError, match="image/png"):
        fetch("https://news.example/photo", client=recorder.client())


def test_dns_failure_names_the_url() -> None:
    with pytest.raises(FetchError, match=r"cannot resolve the host of https://nowhere\.example/a"):
        fetch("https://nowhere.example/a", client=Recorder(never).client())


def test_timeout_names_the_url() -> None:
    def slow(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectTimeout("timed out", request=request)

    with pytest.raises(FetchError, match=r"timed out fetching https://news\.example/slow"):
        fetch("https://news.example/slow", client=Recorder(slow).client())


def test_feed_url_without_content_type_is_sniffed() -> None:
    feed = (FIXTURES / "feed.rss").read_bytes()
    recorder = Recorder(lambda r: httpx.Response(200, content=feed))
    items = list(
        read_documents(["https://wire.example/feed"], IngestOptions(client=recorder.client()))
    )
    assert [type(i) for i in items] == [Document, Document]


def test_follow_links_fetches_each_entry_and_keeps_feed_metadata() -> None:
    def site(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("council-rejects"):
            return httpx.Response(404)
        return httpx.Response(200, headers=HTML, content=ARTICLE)

    recorder = Recorder(site)
    options = IngestOptions(follow_links=True, client=recorder.client())
    doc, failure = list(read_documents([FIXTURES / "feed.rss"], options))
    assert isinstance(doc, Document)
    assert "eastern harbour" in doc.text  # the linked article, not the entry summary
    assert doc.title == "Mediators propose a sea corridor"  # the entry's metadata wins
    assert doc.outlet == "Coastal Wire"
    assert doc.name == "wire.example-2024-05-sea-corridor"
    assert failure == Failure(
        "https://wire.example/2024/05/council-rejects",
        "HTTP 404 fetching https://wire.example/2024/05/council-rejects",
    )
