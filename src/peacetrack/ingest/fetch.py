"""Fetching reports from the web without becoming a way into the user's own network.

Ingest may be fed URLs from feeds written by strangers, so every address a URL resolves to
is checked, on the first request and after every redirect, and private, loopback,
link-local, multicast, reserved and unspecified addresses are refused unless the user
allows them. Size and time are capped while the body streams in, not after.

Tests and embedders pass their own ``httpx.Client`` (e.g. with ``httpx.MockTransport``);
``check_url`` is public so callers can vet an address before queuing it.
"""

from __future__ import annotations

import ipaddress
import socket
import time
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

import httpx

from peacetrack.errors import FetchError

MAX_REDIRECTS = 5
CONNECT_TIMEOUT = 10.0
USER_AGENT = "peacetrack/0.1 (news report ingester)"

#: Content types worth reading, and the reader each one goes to.
CONTENT_TYPES = {
    "text/html": "html",
    "application/xhtml+xml": "html",
    "application/rss+xml": "feed",
    "application/atom+xml": "feed",
    "application/rdf+xml": "feed",
    "application/xml": "feed",
    "text/xml": "feed",
    "text/plain": "text",
    "text/markdown": "text",
    "application/json": "jsonl",
    "application/x-ndjson": "jsonl",
    "application/jsonl": "jsonl",
    "text/csv": "csv",
}

_ALLOW_HINT = "pass --allow-private (allow_private=True) to fetch it, only for hosts you trust"

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


@dataclass(frozen=True)
class Fetched:
    """A fetched body, the URL it finally came from, and the reader its type calls for."""

    url: str
    final_url: str
    content_type: str | None
    format: str | None
    body: bytes


def address_problem(address: IPAddress) -> str | None:
    """Why an address must not be fetched from (e.g. "loopback"), or None if it is public."""
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    for kind in ("loopback", "private", "link_local", "multicast", "reserved", "unspecified"):
        if getattr(address, f"is_{kind}"):
            return kind.replace("_", "-")
    return None if address.is_global else "non-public"


def check_url(url: str, allow_private: bool = False) -> None:
    """Raise FetchError unless ``url`` is http(s) and every address of its host is public."""
    try:
        parts = urlsplit(url)
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError as exc:
        raise FetchError(f"refused {url}: not a valid URL ({exc})") from exc
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise FetchError(f"refused {url}: only http:// and https:// URLs with a host are fetched")
    if allow_private:
        return
    host = parts.hostname.lower().rstrip(".")
    if host == "localhost" or host.endswith(".localhost"):
        raise FetchError(f"refused {url}: {host} is this machine; {_ALLOW_HINT}")
    for address in _addresses(host, port, url):
        problem = address_problem(address)
        if problem:
            raise FetchError(
                f"refused {url}: {host} is at {address}, a {problem} address; {_ALLOW_HINT}"
            )


def _addresses(host: str, port: int, url: str) -> list[IPAddress]:
    try:
        return [ipaddress.ip_address(host)]
    except ValueError:
        pass
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise FetchError(f"cannot resolve the host of {url} ({exc}); check the address") from exc
    # the scope id of a link-local IPv6 address ("fe80::1%eth0") is not part of the address
    return [ipaddress.ip_address(str(info[4][0]).split("%")[0]) for info in infos]


def fetch(
    url: str,
    *,
    client: httpx.Client | None = None,
    allow_private: bool = False,
    max_bytes: int = 20_000_000,
    timeout: float = 30.0,
) -> Fetched:
    """GET ``url`` with redirects re-checked hop by hop; every problem is a FetchError."""
    own = client is None
    session = client or httpx.Client(headers={"User-Agent": USER_AGENT})
    try:
        return _follow(session, url, allow_private, max_bytes, timeout)
    finally:
        if own:
            session.close()


def _follow(
    client: httpx.Client, url: str, allow_private: bool, max_bytes: int, timeout: float
) -> Fetched:
    deadline = time.monotonic() + timeout
    limits = httpx.Timeout(timeout, connect=min(CONNECT_TIMEOUT, timeout))
    current = url
    for _ in range(MAX_REDIRECTS + 1):
        check_url(current, allow_private)
        try:
            with client.stream("GET", current, follow_redirects=False, timeout=limits) as reply:
                if reply.is_redirect:
                    current = urljoin(current, reply.headers["location"])
                    continue
                if reply.status_code >= 400:
                    raise FetchError(f"HTTP {reply.status_code} fetching {current}")
                content_type, kind = _content_type(reply, current)
                body = _read_capped(reply, current, max_bytes, deadline)
                return Fetched(url, current, content_type, kind, body)
        except httpx.TimeoutException as exc:
            raise FetchError(f"timed out fetching {current} (after {timeout:g} s)") from exc
        except httpx.HTTPError as exc:
            raise FetchError(f"could not fetch {current}: {exc}") from exc
    raise FetchError(f"too many redirects fetching {url} (more than {MAX_REDIRECTS})")


def _content_type(reply: httpx.Response, url: str) -> tuple[str | None, str | None]:
    """The declared type and its reader; no type means the content will be sniffed."""
    header = reply.headers.get("content-type")
    if not header:
        return None, None
    mime = header.split(";")[0].strip().lower()
    if mime not in CONTENT_TYPES:
        raise FetchError(
            f"refused {url}: content type {mime} is not a web page, feed, text, JSON or CSV"
        )
    return mime, CONTENT_TYPES[mime]


def _read_capped(reply: httpx.Response, url: str, max_bytes: int, deadline: float) -> bytes:
    too_big = FetchError(
        f"refused {url}: larger than the {max_bytes:,}-byte cap (raise it with --max-mb)"
    )
    declared = reply.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > max_bytes:
        raise too_big
    chunks: list[bytes] = []
    size = 0
    for chunk in reply.iter_bytes():
        size += len(chunk)
        if size > max_bytes:
            raise too_big
        if time.monotonic() > deadline:
            raise FetchError(f"timed out fetching {url} (body still arriving)")
        chunks.append(chunk)
    return b"".join(chunks)
