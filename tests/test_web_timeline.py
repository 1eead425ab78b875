"""The timeline page a page at a time (issue #16): the page, its JSON and CSV twins show
the same newest steps, filters and page kept in the URL; the overview's "since" is a
page of the newest steps and documents, with how many there are."""

from __future__ import annotations

import html
from collections.abc import Iterator
from datetime import date
from typing import Any

import pytest

pytest.importorskip("fastapi")
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from peacetrack.cli import app
from peacetrack.compare.timeline import timeline
from peacetrack.store import Store
from peacetrack.support import parse_support
from peacetrack.web import create_app
from peacetrack.web.timeline import PER_PAGE
from web_support import BASE_URL, TOKEN, filled_store


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    with Store.open(filled_store(tmp_path_factory.mktemp("web-timeline") / "ex.db")) as found:
        yield found


@pytest.fixture(scope="module")
def client(store: Store) -> Iterator[TestClient]:
    with TestClient(create_app(store=store, token=TOKEN), base_url=BASE_URL) as test_client:
        yield test_client


def _newest_first(store: Store, **view: Any) -> list[tuple[str, str, str]]:
    steps = timeline(store, **view)
    return [(str(s.first), s.actor, s.issue) for s in steps][::-1]


def _keys(steps: list[dict[str, object]]) -> list[tuple[str, str, str]]:
    return [(str(s["first"]), str(s["actor"]), str(s["issue"])) for s in steps]


def test_the_json_twin_pages_the_whole_timeline_newest_first(
    client: TestClient, store: Store
) -> None:
    whole = _newest_first(store)
    assert len(whole) > PER_PAGE  # two pages at least
    first = client.get("/api/timeline").json()
    assert first["total"] == len(whole) and first["pages"] == -(-len(whole) // PER_PAGE)
    assert _keys(first["steps"]) == whole[:PER_PAGE]
    assert first["links"]["newer"] is None and first["links"]["older"] == "/api/timeline?page=2"
    second = client.get(first["links"]["older"]).json()
    assert _keys(second["steps"]) == whole[PER_PAGE : 2 * PER_PAGE]


def test_filters_stay_in_the_page_links(client: TestClient, store: Store) -> None:
    found = client.get("/api/timeline", params={"actor": "RUS", "issue": "TER.*"}).json()
    assert found["total"] == len(_newest_first(store, actor="RUS", issue="TER.*"))
    page = client.get("/timeline", params={"actor": "RUS", "page": "2"}).text
    assert 'href="/timeline?actor=RUS&amp;page=1" rel="prev"' in page
    assert html.escape("/api/timeline.csv?actor=RUS&page=2") in page


def test_the_csv_twin_is_the_command_s_page(client: TestClient, store: Store) -> None:
    db = store.url.removeprefix("sqlite:///")
    args = ["timeline", "--db", db, "--format", "csv", "--limit", str(PER_PAGE)]
    command = CliRunner().invoke(app, [*args, "--offset", str(PER_PAGE)])
    reply = client.get("/api/timeline.csv", params={"page": "2"})
    assert reply.headers["content-type"].startswith("text/csv")
    assert reply.text == command.output


def test_another_floor_pages_without_a_total(client: TestClient, store: Store) -> None:
    found = client.get("/api/timeline", params={"min_support": "low"}).json()
    whole = _newest_first(store, min_support=parse_support("low"))
    assert found["total"] is None and _keys(found["steps"]) == whole[:PER_PAGE]
    assert found["links"]["older"] == "/api/timeline?page=2&min_support=low"


def test_since_shows_the_newest_changes_and_documents_with_their_counts(
    client: TestClient, store: Store
) -> None:
    since = date(2025, 5, 1)
    found = client.get("/api/overview", params={"since": since.isoformat()}).json()
    steps = [s for s in timeline(store) if s.first is not None and s.first >= since]
    assert found["changes_total"] == len(steps) > 0
    assert _keys(found["changes"]) == _newest_first(store)[: len(found["changes"])]
    assert found["new_documents_total"] == len(store.documents(since=since))
    page = client.get("/", params={"since": since.isoformat()}).text
    assert f'href="/timeline?since={since.isoformat()}"' in page
    listed = client.get("/timeline", params={"since": since.isoformat()}).text
    assert f"{len(steps):,} step" in listed
