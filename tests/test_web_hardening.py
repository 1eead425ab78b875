"""The web app against hostile and broken requests (issue #11), through FastAPI's TestClient
and raw ASGI calls: malformed input is a 4xx in words, bodies are refused before they are
read, Host names are checked, and a bad upload is one failed file, never a 500."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from functools import partial
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("fastapi")
from fastapi import FastAPI
from fastapi.testclient import TestClient

from peacetrack.extract import register_extractor
from peacetrack.store import Store
from peacetrack.testing import FakeExtractor
from peacetrack.web import create_app
from peacetrack.web.gate import allowed_hosts
from web_support import BASE_URL, TOKEN, copy_of, filled_store, finished

AUTH = {"Authorization": f"Bearer {TOKEN}"}
JSON = {"content-type": "application/json"}
HUGE = "99999999999999999999"


@pytest.fixture(scope="module")
def template_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return filled_store(tmp_path_factory.mktemp("hardening") / "examples.db")


@pytest.fixture
def store(template_db: Path, tmp_path: Path) -> Iterator[Store]:
    with Store.open(copy_of(template_db, tmp_path)) as opened:
        yield opened


@pytest.fixture
def app(store: Store) -> FastAPI:
    return create_app(store=store, token=TOKEN, max_request_bytes=64 * 1024)


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    """A client that sees 500s as replies (not raised), as a browser would."""
    with TestClient(app, base_url=BASE_URL, raise_server_exceptions=False) as test_client:
        yield test_client


# --- malformed requests -------------------------------------------------------------------

MALFORMED: list[tuple[str, str, bytes | None]] = [
    ("PATCH", "/api/claims/1", b'{"start": NaN}'),
    ("PATCH", "/api/claims/1", b'{"recognition": {"by": ["USA"], "weight": Infinity}}'),
    ("POST", "/api/documents/1/claims", b'{"actors": ["RUS"], "conditions": [{"x": 1e400}]}'),
    ("POST", "/api/reports/text", b'{"text": "Talks resumed.", "title": NaN}'),
    ("POST", "/api/reports/text", b'{"text": "Moscow \\ud800 demanded a ceasefire."}'),
    ("POST", "/api/reports/text", b'{"text": "Moscow demanded \\u0000 a ceasefire."}'),
    ("POST", "/api/reports/text", b'{"text": "\xff\xfe not UTF-8"}'),
    ("POST", "/api/claims/1/accept", b'{"reviewer": "\\udc00"}'),
    ("PATCH", "/api/claims/1", b'{"start": ' + HUGE.encode() + b', "end": 5}'),
    ("GET", f"/api/claims/{HUGE}", None),
    ("GET", f"/api/documents/{HUGE}", None),
    ("GET", f"/documents/{HUGE}", None),
    ("GET", f"/claims/{HUGE}", None),
    ("POST", f"/api/claims/{HUGE}/accept", None),
    ("GET", f"/api/documents?page={HUGE}", None),
    ("GET", "/api/documents?page=999999999999999999", None),
    ("GET", "/api/diff?a=%00&b=RUS", None),
    ("POST", "/api/reports/text", b'{"text": '),
    ("POST", "/api/reports/text", b"[1, 2]"),
]


@pytest.mark.parametrize(("method", "path", "body"), MALFORMED)
def test_malformed_requests_are_4xx_with_a_message(
    client: TestClient, method: str, path: str, body: bytes | None
) -> None:
    response = client.request(method, path, content=body, headers=AUTH | JSON)
    assert 400 <= response.status_code < 500, (response.status_code, response.text[:200])
    if path.startswith("/api/"):
        detail = response.json()["detail"]
        assert isinstance(detail, str) and len(detail) > 5
    else:
        assert "<h1>" in response.text


def test_a_malformed_claim_never_reaches_the_store(client: TestClient, store: Store) -> None:
    before = store.claims(document=1)
    for body in (b'{"start": NaN}', b'{"reviewer": "\\ud800", "stance": "reject"}'):
        assert client.patch("/api/claims/1", content=body, headers=AUTH | JSON).status_code == 422
    assert store.claims(document=1) == before


# --- words for web users ------------------------------------------------------------------

CLI_WORDS = ("`peacetrack", "--", "/tmp", "peacetrack-upload", "peacetrack-paste", "iconv")


def _for_web_users(text: str) -> bool:
    return not any(word in text for word in CLI_WORDS)


def test_error_messages_are_in_words_for_web_users(client: TestClient) -> None:
    replies = [
        client.get("/api/claims/987654"),
        client.get("/api/documents/987654"),
        client.get("/documents/987654"),
        client.get("/api/compare", params={"issues": "NOPE.*"}),
        client.post("/api/reports/url", json={"url": "http://localhost/x"}, headers=AUTH),
        client.post("/api/reports/url", json={"url": "http://10.1.2.3/x"}, headers=AUTH),
    ]
    for reply in replies:
        assert 400 <= reply.status_code < 500
        assert _for_web_users(reply.text), reply.text[:300]
    read_only = create_app(store=client.app.state.store)  # type: ignore[attr-defined]
    with TestClient(read_only, base_url=BASE_URL) as viewer:
        for page in ("/login", "/reports/new"):
            assert _for_web_users(viewer.get(page).text)
        refused = viewer.post("/api/claims/1/accept", headers=AUTH)
        assert refused.status_code == 403 and _for_web_users(refused.json()["detail"])


def test_a_failed_upload_names_the_users_file_not_the_servers(client: TestClient) -> None:
    files = [
        ("files", ("notes.txt", b"\x00\x01\x02binary")),
        ("files", ("latin.csv", b"text\n\xff\xfe\xfa broken\n")),
    ]
    job = finished(client, client.post("/api/reports/files", files=files, headers=AUTH))
    fates = {f["name"]: f for f in job["files"]}
    assert fates["notes.txt"]["status"] == "failed"
    assert "binary" in fates["notes.txt"]["message"]
    for fate in fates.values():
        assert _for_web_users(json.dumps(fate)), fate


# --- bad uploads --------------------------------------------------------------------------


def test_each_uploaded_files_fate_is_reported_and_the_rest_goes_on(client: TestClient) -> None:
    good = b"Moscow demanded that Kyiv withdraw from Donetsk before any ceasefire."
    files = [
        ("files", ("empty.xml", b"")),
        ("files", ("broken.xml", b"<rss><channel>")),
        ("files", ("good.txt", good)),
        ("files", ("again.txt", good)),
    ]
    response = client.post("/api/reports/files", files=files, headers=AUTH)
    assert response.status_code == 202, response.text
    job = finished(client, response)
    fates = {f["name"]: f for f in job["files"]}
    assert list(fates) == ["empty.xml", "broken.xml", "good.txt", "again.txt"]
    assert [f["status"] for f in fates.values()] == ["failed", "failed", "stored", "duplicate"]
    assert all(fates[name]["problems"] for name in ("empty.xml", "broken.xml"))
    assert job["added"] == 1 and job["claims"]
    page = client.get(job["page"]).text
    assert "empty.xml" in page and "failed" in page and "good.txt" in page


def test_the_upload_form_reports_each_file_too(client: TestClient) -> None:
    csrf = _login(client)
    files = [("files", ("empty.xml", b"")), ("files", ("ok.txt", b"Kyiv proposed a truce."))]
    sent = client.post("/reports", data={"csrf_token": csrf}, files=files, follow_redirects=False)
    assert sent.status_code == 303, sent.text[:300]
    job = sent.headers["location"].rsplit("/", 1)[1]
    finished(client, client.get(f"/api/jobs/{job}"))
    page = client.get(sent.headers["location"]).text
    assert page.count('class="fate fate-') == 2 and "fate-failed" in page


def test_a_long_paste_is_taken_up_to_the_limit_per_report(store: Store) -> None:
    """Form fields are capped at 1 MB by default: a pasted report may be as long as a file."""
    register_extractor("quiet.v1", partial(FakeExtractor, {}, "quiet.v1"))  # the worker's too
    app = create_app(store=store, token=TOKEN, max_upload_bytes=2 * 1_048_576, extractor="quiet.v1")
    with TestClient(app, base_url=BASE_URL) as client:
        csrf = _login(client)
        long = "Delegations met again and agreed to keep talking. " * 30_000  # 1.5 MB
        sent = client.post("/reports", data={"csrf_token": csrf, "text": long})
        assert sent.status_code == 200 and "/jobs/" in str(sent.url)
        job = sent.url.path.rsplit("/", 1)[1]
        assert finished(client, client.get(f"/api/jobs/{job}"))["added"] == 1
        longer = client.post("/reports", data={"csrf_token": csrf, "text": long + long[:600_000]})
        assert longer.status_code == 413 and "over the 2 MB limit" in longer.text
        many = [("files", (f"r{n}.txt", b"Talks resumed.")) for n in range(21)]
        assert client.post("/reports", data={"csrf_token": csrf}, files=many).status_code == 400


def _login(client: TestClient) -> str:
    client.get("/login")
    csrf: str = client.app.state.guard.csrf_for(client.cookies["pt_csrf"])  # type: ignore[attr-defined]
    client.post("/login", data={"csrf_token": csrf, "token": TOKEN}, follow_redirects=False)
    return csrf


# --- Host names ---------------------------------------------------------------------------


def test_other_host_names_are_refused(client: TestClient) -> None:
    """A DNS-rebinding page reaches us under its own name: the Host header gives it away."""
    assert client.get("/api/overview", headers={"host": "attacker.example"}).status_code == 400
    assert client.get("/api/overview", headers={"host": "attacker.example:8000"}).status_code == 400
    for host in ("localhost", "localhost:8000", "127.0.0.1:8000", "[::1]:8000"):
        assert client.get("/api/overview", headers={"host": host}).status_code == 200, host


def test_allowed_hosts_follow_the_bound_address() -> None:
    assert allowed_hosts("127.0.0.1") == ["127.0.0.1", "localhost", "[::1]"]
    assert allowed_hosts("::1") == ["[::1]", "localhost", "127.0.0.1"]
    assert allowed_hosts("192.0.2.7", ["PeaceTrack.example"]) == [
        "192.0.2.7",
        "peacetrack.example",
    ]
    assert allowed_hosts("0.0.0.0") == ["0.0.0.0"]


# --- bodies refused before they are read --------------------------------------------------


def _asgi(app: FastAPI, method: str, path: str, headers: dict[str, str]) -> tuple[int, int]:
    """Call the app with a body that would never end; (status, body bytes the app read)."""
    pulled = 0

    async def receive() -> dict[str, Any]:
        nonlocal pulled
        pulled += 65536
        return {"type": "http.request", "body": b"x" * 65536, "more_body": pulled < 2**22}

    statuses: list[int] = []

    async def send(message: dict[str, Any]) -> None:
        if message["type"] == "http.response.start":
            statuses.append(message["status"])

    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": method,
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": [(k.lower().encode(), v.encode()) for k, v in headers.items()],
        "client": ("127.0.0.1", 50000),
        "server": ("127.0.0.1", 8000),
    }
    asyncio.run(app(scope, receive, send))  # type: ignore[arg-type]
    return statuses[0], pulled


def test_an_unauthenticated_write_is_refused_before_its_body_is_read(app: FastAPI) -> None:
    base = {"host": "localhost", "content-type": "application/json"}
    assert _asgi(app, "POST", "/api/reports/text", base) == (401, 0)
    assert _asgi(app, "POST", "/api/reports/text", base | {"content-length": "300000000"}) == (
        413,
        0,
    )
    assert _asgi(app, "PATCH", "/api/claims/1", base | {"authorization": "Bearer no"}) == (401, 0)
    form = {"host": "localhost", "content-type": "multipart/form-data; boundary=x"}
    assert _asgi(app, "POST", "/reports", form) == (401, 0)
    assert _asgi(app, "POST", "/claims/1/accept", form) == (401, 0)


def test_an_authenticated_body_is_cut_off_at_the_limit(app: FastAPI) -> None:
    """Chunked (no length): counted as it streams, refused once past the 64 KB limit."""
    headers = {"host": "localhost", "content-type": "application/json"} | AUTH
    status, pulled = _asgi(app, "POST", "/api/reports/text", headers)
    assert status == 413 and pulled <= 2 * 65536
    small_limit = 1024 * 1024  # requests other than adding reports
    status, pulled = _asgi(app, "PATCH", "/api/claims/1", headers)
    assert status == 413 and pulled <= small_limit + 65536


def test_declared_oversize_bodies_get_413_in_words(client: TestClient) -> None:
    big = b'{"text": "' + b"a" * 70_000 + b'"}'
    response = client.post("/api/reports/text", content=big, headers=AUTH | JSON)
    assert response.status_code == 413
    assert "larger than this server accepts" in response.json()["detail"]
    chunks = (b"a" * 8192 for _ in range(20))
    streamed = client.post("/api/reports/text", content=chunks, headers=AUTH | JSON)
    assert streamed.status_code == 413
