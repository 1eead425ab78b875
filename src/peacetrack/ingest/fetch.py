"""Fetching reports from the web without becoming a way into the user's own network.

Ingest may be fed URLs from feeds written by strangers, so every address a URL resolves to
is checked, on the first request and after every redirect, and private, loopback,
link-local, multicast, reserved and unspecified addresses are refused unless the user
allows them. Size and time are capped while the body streams in, not after.

The check is repeated where it counts, at connect time: our own client connects through
``_VettedBackend``, which resolves the host once, vets those addresses and connects only to
them. Otherwise the HTTP library would resolve the name a second time, and a DNS answer
changed between check and connect (DNS rebinding) could reach a private address.

Tests and embedders pass their own ``httpx.Client`` (e.g. with ``httpx.MockTransport``),
which gets the check before each request but not the one at connect time;
``check_url`` is public so callers can vet an address before queuing it.
"""

from __future__ import annotations

import ipaddress
import socket
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import httpcore
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

_FLAGS = ("loopback", "private", "link_local", "multicast", "reserved", "unspecified", "site_local")
_NAT64 = ipaddress.IPv6Network("64:ff9b::/96")
_IPV4_COMPATIBLE = ipaddress.IPv6Network("::/96")
#: Not globally reachable (IANA special-purpose registries), but missing from the tables of
#: some Python versions' ``ipaddress``, whose ``is_global`` then says yes.
_NOT_GLOBAL: tuple[tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, str], ...] = (
    (ipaddress.IPv4Network("192.0.0.0/24"), "IETF protocol assignment"),
    (ipaddress.IPv6Network("64:ff9b:1::/48"), "local-use NAT64"),
    (ipaddress.IPv6Network("2001::/23"), "IETF protocol assignment"),
    (ipaddress.IPv6Network("3fff::/20"), "documentation"),
    (ipaddress.IPv6Network("5f00::/16"), "segment routing"),
)


@dataclass(frozen=True)
class Fetched:
    """A fetched body, the URL it finally came from, and the reader its type calls for."""

    url: str
    final_url: str
    content_type: str | None
    format: str | None
    body: bytes


def address_problem(address: IPAddress) -> str | None:
    """Why an address must not be fetched from (e.g. "loopback"), or None if it is public.

    An IPv6 address that carries an IPv4 one (IPv4-mapped, 6to4, Teredo, NAT64,
    IPv4-compatible) is judged by the address inside too, since that is where the packets
    end up: ``2002:7f00:1::1`` is this machine. Only NAT64 of a public address passes: it
    is how IPv6-only networks reach IPv4 sites. The other tunnels are refused whole.
    """
    if isinstance(address, ipaddress.IPv6Address):
        wrapped = _embedded_ipv4(address)
        if wrapped is not None:
            kind, inner = wrapped
            problem = address_problem(inner)
            if kind == "IPv4-mapped" or (kind == "NAT64" and problem is None):
                return problem
            return f"{kind} (of {problem} {inner})" if problem else kind
    return _own_problem(address)


def _embedded_ipv4(address: ipaddress.IPv6Address) -> tuple[str, ipaddress.IPv4Address] | None:
    """The IPv4 address inside an IPv6 one, and how it is carried; None if there is none."""
    low32 = ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    if address.ipv4_mapped is not None:
        return "IPv4-mapped", address.ipv4_mapped
    if address.sixtofour is not None:
        return "6to4", address.sixtofour
    if address.teredo is not None:
        return "Teredo", address.teredo[1]
    if address in _NAT64:
        return "NAT64", low32
    if address in _IPV4_COMPATIBLE and int(address) > 1:  # :: and ::1 are themselves
        return "IPv4-compatible", low32
    return None


def _own_problem(address: IPAddress) -> str | None:
    for kind in _FLAGS:
        if getattr(address, f"is_{kind}", False):
            return kind.replace("_", "-")
    for network, kind in _NOT_GLOBAL:
        if address.version == network.version and address in network:
            return kind
    return None if address.is_global else "non-public"


def check_url(url: str, allow_private: bool = False) -> None:
    """Raise FetchError unless ``url`` is http(s) and every address of its host is public."""
    try:
        host, port = _endpoint(url)
    except httpx.InvalidURL as exc:
        raise FetchError(f"refused {url}: not a valid URL ({exc})") from None
    if allow_private:
        return
    if host == "localhost" or host.endswith(".localhost"):
        raise FetchError(f"refused {url}: {host} is this machine; {_ALLOW_HINT}")
    _vetted_addresses(host, port, url)


def _endpoint(url: str) -> tuple[str, int]:
    """The host and port a request for ``url`` goes to, as httpx (which sends it) reads them.

    Parsing with the sending library's own parser leaves no gap between what is checked
    and what is requested (other parsers read ``http:\\\\host`` and the like differently).
    InvalidURL when malformed; FetchError when not http(s) or without a host.
    """
    try:
        parsed = httpx.URL(url)
    except UnicodeError as exc:  # lone surrogates, an IDNA label it cannot encode
        raise httpx.InvalidURL(str(exc)) from None
    port = parsed.port or (443 if parsed.scheme == "https" else 80)
    if not 0 < port < 65536:
        raise httpx.InvalidURL(f"port {port} is out of range")
    if parsed.scheme not in ("http", "https") or not parsed.raw_host:
        raise FetchError(f"refused {url}: only http:// and https:// URLs with a host are fetched")
    return parsed.raw_host.decode("ascii").lower().rstrip("."), port


def _vetted_addresses(host: str, port: int, url: str) -> list[str]:
    """Every address of ``host``, as a connectable string; FetchError if any is not public.

    One non-public address refuses the host: which of its addresses a connection would use
    is not ours to predict. ``url`` only names the request in the messages.
    """
    addresses = _addresses(host, port, url)
    for address in addresses:
        problem = address_problem(_ip(address))
        if problem:
            raise FetchError(
                f"refused {url}: {host} is at {address}, a {problem} address; {_ALLOW_HINT}"
            )
    return addresses


def _addresses(host: str, port: int, url: str) -> list[str]:
    """The addresses of ``host`` from one lookup (no lookup for an IP literal)."""
    try:
        return [str(ipaddress.ip_address(host))]
    except ValueError:
        pass
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise FetchError(f"cannot resolve the host of {url} ({exc}); check the address") from exc
    return [str(info[4][0]) for info in infos]


def _ip(address: str) -> IPAddress:
    # the scope id of a link-local IPv6 address ("fe80::1%eth0") is not part of the address
    return ipaddress.ip_address(address.split("%")[0])


class _VettedBackend(httpcore.NetworkBackend):
    """Connects only to addresses it has just vetted, from the one lookup it made itself.

    Only the TCP connect sees the IP: httpcore still gives TLS the URL's host name (SNI and
    certificate check) and httpx sends it in the Host header. With ``allow_private`` nothing
    is vetted, but the host is still resolved once, here.
    """

    def __init__(self, allow_private: bool) -> None:
        self._allow_private = allow_private
        self._sockets = httpcore.SyncBackend()

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.NetworkStream:
        """Try each vetted address in turn, as ``socket.create_connection`` would."""
        where = f"{host}:{port}"
        if self._allow_private:
            addresses = _addresses(host, port, where)
        else:
            addresses = _vetted_addresses(host, port, where)
        failure: Exception = httpcore.ConnectError(f"no address for {where}")
        for address in addresses:
            try:
                # an IP literal: the socket library parses it, no second lookup is made
                return self._sockets.connect_tcp(
                    address, port, timeout, local_address, socket_options
                )
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as exc:
                failure = exc
        raise failure

    def sleep(self, seconds: float) -> None:
        self._sockets.sleep(seconds)


class _VettedTransport(httpx.BaseTransport):
    """httpx's default transport, but over an httpcore pool that connects via _VettedBackend.

    httpx (0.28) has no public way to hand its ``HTTPTransport`` a network backend, so this
    does the small translation between httpx and httpcore requests and errors itself. A
    client given a transport also ignores the proxy environment variables, which is
    what we want: through a proxy it is the proxy that resolves and connects.
    """

    def __init__(self, allow_private: bool) -> None:
        self._pool = httpcore.ConnectionPool(
            ssl_context=httpx.create_ssl_context(),
            network_backend=_VettedBackend(allow_private),
        )

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        url = request.url
        target = httpcore.URL(
            scheme=url.raw_scheme, host=url.raw_host, port=url.port, target=url.raw_path
        )
        core = httpcore.Request(
            request.method,
            target,
            headers=request.headers.raw,
            content=request.stream,
            extensions=request.extensions,
        )
        with _httpx_errors(request):
            reply = self._pool.handle_request(core)
        return httpx.Response(
            reply.status,
            headers=reply.headers,
            stream=_ReplyStream(reply, request),
            extensions=reply.extensions,
        )

    def close(self) -> None:
        self._pool.close()


class _ReplyStream(httpx.SyncByteStream):
    """A response body from httpcore, its read errors raised as httpx's."""

    def __init__(self, reply: httpcore.Response, request: httpx.Request) -> None:
        self._reply = reply
        self._request = request

    def __iter__(self) -> Iterator[bytes]:
        with _httpx_errors(self._request):
            yield from self._reply.iter_stream()

    def close(self) -> None:
        self._reply.close()


@contextmanager
def _httpx_errors(request: httpx.Request) -> Iterator[None]:
    """Raise httpcore's errors as httpx's, which ``_follow`` turns into FetchErrors."""
    try:
        yield
    except httpcore.TimeoutException as exc:
        raise httpx.TimeoutException(str(exc), request=request) from exc
    except (
        httpcore.NetworkError,
        httpcore.ProtocolError,
        httpcore.UnsupportedProtocol,
    ) as exc:
        raise httpx.TransportError(str(exc), request=request) from exc


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
    session = client or httpx.Client(
        headers={"User-Agent": USER_AGENT}, transport=_VettedTransport(allow_private)
    )
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
                if reply.next_request is not None:  # a redirect, resolved by httpx itself
                    target = str(reply.next_request.url)
                    _endpoint(target)
                    current = target
                    continue
                if reply.status_code >= 400:
                    raise FetchError(f"HTTP {reply.status_code} fetching {current}")
                content_type, kind = _content_type(reply, current)
                body = _read_capped(reply, current, max_bytes, deadline)
                return Fetched(url, current, content_type, kind, body)
        except httpx.InvalidURL as exc:  # ``current`` passed check_url: it is the redirect
            raise FetchError(
                f"refused {current}: it redirects to a malformed address ({exc}); the site's "
                "redirect is broken, so fetch the page it should lead to directly"
            ) from None
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
