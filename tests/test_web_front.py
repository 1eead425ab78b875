"""The web app's front end through FastAPI's TestClient: compression, error pages in words,
the API docs served from the package, the timeline's chart data and the cell permalink.
(The same pages in Chromium: tests/test_web_pages.py.)"""

from __future__ import annotations

import gzip
import html
import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

pytest.importorskip("fastapi")
from fastapi.testclient import TestClient

from peacetrack.store import Store
from peacetrack.web import create_app
from web_support import BASE_URL, TOKEN, copy_of, filled_store


@pytest.fixture(scope="module")
def template_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return filled_store(tmp_path_factory.mktemp("front") / "examples.db")


@pytest.fixture
def client(template_db: Path, tmp_path: Path) -> Iterator[TestClient]:
    with (
        Store.open(copy_of(template_db, tmp_path)) as store,
        TestClient(create_app(store=store, token=TOKEN), base_url=BASE_URL) as test_client,
    ):
        yield test_client


@pytest.mark.parametrize(
    "path",
    ["/", "/compare", "/timeline", "/api/compare", "/static/style.css", "/docs", "/openapi.json"],
)
def test_replies_are_compressed(client: TestClient, path: str) -> None:
    plain = client.get(path, headers={"Accept-Encoding": "identity"})
    packed = client.get(path, headers={"Accept-Encoding": "gzip"})
    assert "content-encoding" not in plain.headers
    assert packed.headers["content-encoding"] == "gzip"
    assert packed.content == plain.content  # httpx unpacks it
    assert "Accept-Encoding" in packed.headers["vary"]


def test_the_chart_bundle_shrinks_when_compressed(client: TestClient) -> None:
    body = client.get("/assets/plotly-basic.min.js").content
    assert 0 < len(body) < 1_500_000  # the basic bundle, not plotly.min.js's 4.8 MB
    assert len(gzip.compress(body)) < len(body) / 2.5


def test_timeline_chart_data_is_json_that_cannot_close_its_script(
    client: TestClient,
) -> None:
    page = client.get("/timeline").text
    found = re.search(r'<script type="application/json" id="chart-data">(.*?)</script>', page, re.S)
    assert found
    figure = json.loads(found.group(1))  # JSON as it is, not HTML-escaped
    assert figure["data"] and figure["data"][0]["x"]
    assert "&#34;" not in found.group(1) and "<" not in found.group(1)
    assert "/assets/plotly-basic.min.js" in page


def test_a_timeline_without_steps_loads_no_chart(client: TestClient) -> None:
    page = client.get("/timeline", params={"actor": "NOBODY"}).text
    assert "chart-data" not in page and "plotly" not in page


@pytest.mark.parametrize(
    ("path", "words"),
    [
        ("/?since=bad", "“since” must be a date written as year-month-day"),
        ("/compare?since=2025-13-40", "“since” must be a date written as year-month-day"),
        ("/documents?page=abc", "“page” must be a whole number"),
        ("/documents?page=0", "“page” must be 1 or more"),
        ("/compare?by=nothing", "“by” must be one of"),
    ],
)
def test_bad_addresses_get_an_error_page_in_words(
    client: TestClient, path: str, words: str
) -> None:
    response = client.get(path)
    assert response.status_code == 422
    assert response.headers["content-type"].startswith("text/html")
    text = html.unescape(response.text)
    assert "Something in the address or the form is not valid" in text
    assert words in text
    assert "Input should be" not in text  # pydantic's wording stays out of pages
    retry = path.split("?")[0]
    assert f'href="{retry}"' in response.text  # the page again, without what was typed


def test_api_errors_stay_json(client: TestClient) -> None:
    response = client.get("/api/overview?since=bad")
    assert response.status_code == 422
    assert response.json()["detail"].startswith("since:")


def test_unknown_pages_are_an_html_page(client: TestClient) -> None:
    response = client.get("/no/such/page")
    assert response.status_code == 404
    assert "<h1>Not found</h1>" in response.text


def test_api_docs_are_served_from_the_package(client: TestClient) -> None:
    page = client.get("/docs")
    assert page.status_code == 200
    assert "script-src 'self'" in page.headers["content-security-policy"]
    assert "<script>" not in page.text  # no inline script: the CSP would block it
    assets = re.findall(r'(?:src|href)="([^"]+)"', page.text)
    assert assets and all(a.startswith("/static/") for a in assets)
    for asset in assets:
        assert client.get(asset).status_code == 200, asset
    assert client.get("/redoc", follow_redirects=False).headers["location"] == "/docs"


def test_cells_have_a_permalink(client: TestClient) -> None:
    page = client.get("/compare").text
    key = html.unescape(re.findall(r'data-cell="([^"]+)"', page)[0])
    issue, column = key.split("|", 1)
    cell = client.get("/compare/cell", params={"issue": issue, "column": column}).text
    back = html.unescape(re.search(r'href="(/compare\?[^"]*)">← back', cell).group(1))  # type: ignore[union-attr]
    assert "cell=" in back and back.endswith("cell=" + issue + "%7C" + column.replace(" ", "+"))
    assert 'id="evidence"' in page and re.search(r'id="evidence"[^>]*hidden', page)


def test_dates_do_not_wrap(client: TestClient) -> None:
    css = client.get("/static/style.css").text
    assert re.search(r"\.date[^{]*\{[^}]*white-space:nowrap", css)
    assert 'class="date"' in client.get("/documents").text
