"""`peacetrack serve` as a real server in a subprocess on 127.0.0.1 (issue #11).

A 300 MB POST without a token once took the server from 235 MB to 1.1 GB (four at once,
2.2 GB): the body was read before the token was checked. Here the server's resident memory
is read from /proc while such bodies are sent, and must stay within 50 MB of where it was.
Also checked: the Host names ``--allowed-host`` adds. The server stops itself after a
deadline, or when this test process goes away, whichever comes first.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

pytest.importorskip("fastapi")
pytest.importorskip("uvicorn")
import httpx

from web_support import TOKEN

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="reads RSS from /proc"),
]

MB = 1024 * 1024
BODY = 300 * MB
ALLOWED = "peacetrack.test"
#: Runs the CLI in the child, with a watchdog that ends it when the deadline passes or its
#: parent (this test process) is gone, so no server outlives the tests.
CHILD = """
import os, sys, threading, time
deadline, parent = time.monotonic() + float(sys.argv[1]), os.getppid()
def watchdog():
    while time.monotonic() < deadline and os.getppid() == parent:
        time.sleep(0.2)
    os._exit(3)
threading.Thread(target=watchdog, daemon=True).start()
from peacetrack.cli import main
sys.argv = ["peacetrack", *sys.argv[2:]]
main()
"""


@dataclass(frozen=True)
class Server:
    url: str
    port: int
    pid: int

    def rss(self) -> int:
        """Resident memory of the server process, in bytes."""
        for line in Path(f"/proc/{self.pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
        raise AssertionError("no VmRSS")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    db = tmp_path_factory.mktemp("served") / "store.db"
    port = _free_port()
    args = ["serve", "--db", str(db), "--port", str(port), "--allowed-host", ALLOWED]
    env = os.environ | {"PEACETRACK_TOKEN": TOKEN}
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD, "180", *args],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_until_up(url, child)
        yield Server(url, port, child.pid)
    finally:
        child.terminate()
        try:
            child.wait(10)
        except subprocess.TimeoutExpired:
            child.kill()
            child.wait(10)


def _wait_until_up(url: str, child: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if child.poll() is not None:
            stderr = child.stderr.read().decode() if child.stderr else ""
            pytest.fail(f"peacetrack serve exited with {child.returncode}: {stderr}")
        try:
            if httpx.get(f"{url}/api/overview", timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    pytest.fail("peacetrack serve did not answer within 60 s")


def _post_huge(
    server: Server, path: str, headers: dict[str, str], chunked: bool, prefix: bytes = b""
) -> int:
    """Send a 300 MB POST by hand, ``prefix`` then "a"s (the server may answer and close at
    any moment); the status it answered with, 0 if none."""
    head = [f"POST {path} HTTP/1.1", f"Host: 127.0.0.1:{server.port}", "Connection: close"]
    head += [f"{k}: {v}" for k, v in headers.items()]
    head.append("Transfer-Encoding: chunked" if chunked else f"Content-Length: {BODY}")
    reply = bytearray()
    with socket.create_connection(("127.0.0.1", server.port), timeout=30) as sock:
        reader = threading.Thread(target=_read_all, args=(sock, reply), daemon=True)
        reader.start()
        chunk = b"a" * MB
        framed = f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n" if chunked else chunk
        try:
            sock.sendall(("\r\n".join(head) + "\r\n\r\n").encode())
            if prefix:
                sock.sendall(
                    f"{len(prefix):x}\r\n".encode() + prefix + b"\r\n" if chunked else prefix
                )
            for _ in range(BODY // MB):
                sock.sendall(framed)
            if chunked:
                sock.sendall(b"0\r\n\r\n")
        except OSError:
            pass  # refused and closed before the body was sent: what we want
        reader.join(30)
    status_line = bytes(reply).split(b"\r\n", 1)[0].split()
    return int(status_line[1]) if len(status_line) > 1 else 0


def _read_all(sock: socket.socket, into: bytearray) -> None:
    try:
        while data := sock.recv(65536):
            into += data
    except OSError:
        pass


def _peak_rss_during(server: Server, work: list[threading.Thread]) -> int:
    """The largest resident size sampled while ``work`` runs."""
    peak = server.rss()
    for thread in work:
        thread.start()
    while any(thread.is_alive() for thread in work):
        peak = max(peak, server.rss())
        time.sleep(0.01)
    return max(peak, server.rss())


UNAUTHENTICATED = [
    ("/api/reports/text", {"Content-Type": "application/json"}, False),
    ("/api/reports/text", {"Content-Type": "application/json"}, True),
    ("/api/reports/files", {"Content-Type": "multipart/form-data; boundary=x"}, True),
    ("/reports", {"Content-Type": "multipart/form-data; boundary=x"}, True),
]


def test_huge_unauthenticated_posts_leave_memory_where_it_was(server: Server) -> None:
    httpx.get(f"{server.url}/", timeout=10)  # templates loaded: the baseline is a warm server
    before = server.rss()
    statuses: list[int] = []

    def post(path: str, headers: dict[str, str], chunked: bool) -> None:
        statuses.append(_post_huge(server, path, headers, chunked))

    one_by_one = []
    for case in UNAUTHENTICATED:
        peak = _peak_rss_during(server, [threading.Thread(target=post, args=case)])
        one_by_one.append(peak - before)
    four = [threading.Thread(target=post, args=case) for case in UNAUTHENTICATED]
    together = _peak_rss_during(server, four) - before
    after = server.rss()
    print(
        f"\nRSS before {before / MB:.0f} MB; peak growth one at a time "
        f"{[round(g / MB, 1) for g in one_by_one]} MB, four at once {together / MB:.1f} MB;"
        f" after {after / MB:.0f} MB; statuses {statuses}"
    )
    assert statuses[:4] == [413, 401, 401, 401] and sorted(statuses[4:]) == [401, 401, 401, 413]
    assert max(*one_by_one, together) < 50 * MB
    assert after - before < 50 * MB


UPLOAD_START = (
    b'--x\r\nContent-Disposition: form-data; name="files"; filename="big.txt"\r\n'
    b"Content-Type: text/plain\r\n\r\n"
)


@pytest.mark.parametrize(
    ("path", "content_type", "prefix"),
    [
        ("/api/reports/files", "multipart/form-data; boundary=x", UPLOAD_START),
        ("/api/reports/text", "application/json", b'{"text": "'),
    ],
)
def test_an_authenticated_oversize_post_is_cut_off(
    server: Server, path: str, content_type: str, prefix: bytes
) -> None:
    """With the token, a body without a length is counted as it streams and refused at the
    25 MB limit for adding reports."""
    before = server.rss()
    statuses: list[int] = []
    headers = {"Content-Type": content_type, "Authorization": f"Bearer {TOKEN}"}
    work = threading.Thread(
        target=lambda: statuses.append(_post_huge(server, path, headers, True, prefix))
    )
    peak = _peak_rss_during(server, [work]) - before
    after = server.rss() - before
    print(
        f"\n{path} with the token: {statuses}, peak growth {peak / MB:.1f} MB, "
        f"after {after / MB:.1f} MB"
    )
    assert statuses == [413]
    assert peak < 50 * MB


def test_only_the_allowed_host_names_are_answered(server: Server) -> None:
    for host in ("localhost", f"127.0.0.1:{server.port}", ALLOWED, f"{ALLOWED}:{server.port}"):
        reply = httpx.get(f"{server.url}/api/overview", headers={"Host": host}, timeout=10)
        assert reply.status_code == 200, host
    for host in ("attacker.example", f"rebound.attacker.example:{server.port}"):
        reply = httpx.get(f"{server.url}/api/overview", headers={"Host": host}, timeout=10)
        assert reply.status_code == 400, host
