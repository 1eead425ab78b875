"""Conflicts in the web app (issue #13): the list page with JSON and CSV twins equal to the
command line's, a conflict picker on the pages that take filters (its choice in the URL),
and a reviewer's reassignment of a claim or a document, audited and token-guarded."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

pytest.importorskip("fastapi")
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from conflict_support import two_wars_store
from peacetrack.cli import app as cli_app
from peacetrack.store import Store
from peacetrack.web import create_app
from web_support import BASE_URL, TOKEN

AUTH = {"Authorization": f"Bearer {TOKEN}"}


@pytest.fixture
def db(tmp_path: Path) -> str:
    return two_wars_store(tmp_path / "wars.db")


@pytest.fixture
def client(db: str) -> Iterator[TestClient]:
    with (
        Store.open(db) as store,
        TestClient(create_app(store=store, token=TOKEN), base_url=BASE_URL) as test_client,
    ):
        yield test_client


def cli(*args: str) -> str:
    result = CliRunner().invoke(cli_app, list(args))
    assert result.exit_code == 0, result.output
    return result.output


def test_the_list_and_its_twins_are_the_command_lines(client: TestClient, db: str) -> None:
    page = client.get("/conflicts")
    assert page.status_code == 200
    assert "Russia-Ukraine" in page.text and "(unassigned)" in page.text
    assert 'href="/compare?conflict=ru-ua"' in page.text
    listed = {r["id"]: r for r in client.get("/api/conflicts").json()}
    assert listed["ru-ua"]["claims"] == 8 and listed["il-gaza"]["documents"] == 1
    for fmt in ("csv", "json"):
        reply = client.get(f"/api/conflicts.{fmt}?search=gaza")
        assert reply.status_code == 200
        assert reply.text == cli("conflicts", "gaza", "--db", db, "--format", fmt)


def test_pages_that_take_filters_pick_a_conflict(client: TestClient) -> None:
    matrix = client.get("/api/compare?conflict=ru-ua").json()
    assert [c["id"] for c in matrix["columns"]] == ["RUS", "UKR", "USA"]
    assert matrix["conflict"] == "ru-ua"
    assert 'id="mixed-conflicts"' in client.get("/compare").text
    page = client.get("/compare?conflict=the%20war%20in%20Ukraine")
    assert 'id="mixed-conflicts"' not in page.text
    assert page.status_code == 200 and '<option value="ru-ua" selected>' in page.text
    assert "conflict=ru-ua" in page.text  # the cells link with the conflict kept
    cell = client.get("/api/compare/cell?conflict=ru-ua&issue=CF.GENERAL&column=USA").json()
    assert {c["conflict"] for c in cell["claims"]} == {"ru-ua"} and cell["count"] == 2
    steps = client.get("/api/timeline?actor=USA&conflict=il-gaza").json()["steps"]
    assert steps and {s["conflict_id"] for s in steps} == {"il-gaza"}
    assert 'name="conflict"' in client.get("/timeline").text
    diff = client.get("/api/diff?a=ISR&b=USA&conflict=il-gaza").json()
    assert "ECO.SANCTIONS" not in {d["issue"] for d in diff}
    claims = client.get("/api/claims?conflict=unassigned").json()
    assert claims["total"] == 0
    wrong = client.get("/claims?conflict=ru-au")
    assert wrong.status_code == 400 and "Did you mean ru-ua" in wrong.text
    assert client.get("/api/compare?conflict=ru-au").status_code == 400


def test_the_picker_counts_claims_only_where_counting_is_quick(
    client: TestClient, db: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A small store's picker counts each conflict's claims; a big one (here: any store,
    by lowering the bar) lists the same conflicts from the summaries without counting."""
    from peacetrack.web import views

    with Store.open(db) as store:
        counted = views.conflict_choices(store)
        monkeypatch.setattr(views, "CONFLICT_COUNT_UP_TO", 0)
        listed = views.conflict_choices(store)
    assert dict((k, n) for k, _, n in counted)["ru-ua"] == 8
    assert [(k, name) for k, name, _ in listed] == [(k, name) for k, name, _ in counted]
    assert {n for *_, n in listed} == {None}


def test_a_reviewer_reassigns_a_claim_and_a_document(client: TestClient, db: str) -> None:
    claims = client.get("/api/claims?conflict=ru-ua&per_page=200").json()["claims"]
    swap = next(c for c in claims if c["claim"]["evidence"].endswith("a swap."))
    url = f"/api/claims/{swap['id']}/conflict"
    assert client.post(url, json={"conflict": "il-gaza"}).status_code == 401
    moved = client.post(url, json={"conflict": "il-gaza", "reviewer": "ana"}, headers=AUTH)
    assert moved.status_code == 200, moved.text
    assert moved.json()["conflict"] == "il-gaza" and moved.json()["status"] == "edited"
    history = client.get(f"/api/claims/{swap['id']}").json()["history"]
    assert history[-1]["action"] == "reassign" and history[-1]["after"]["conflict"] == "il-gaza"
    bad = client.post(url, json={"conflict": "ru-au"}, headers=AUTH)
    assert bad.status_code == 400 and "Did you mean ru-ua" in bad.json()["detail"]
    document = swap["document_id"]
    found = client.post(
        f"/api/documents/{document}/conflict", json={"conflict": "unassigned"}, headers=AUTH
    )
    assert found.status_code == 200 and {c["conflict"] for c in found.json()} == {None}
    found = client.post(
        f"/api/documents/{document}/conflict", json={"conflict": "auto"}, headers=AUTH
    )
    assert {c["conflict"] for c in found.json()} == {"ru-ua"}


def test_the_claim_and_document_pages_show_and_change_the_conflict(client: TestClient) -> None:
    claim = client.get("/api/claims?per_page=1").json()["claims"][0]
    page = client.get(f"/claims/{claim['id']}")
    assert claim["conflict"] in page.text
    assert 'id="reassign-claim"' not in page.text  # only for a logged-in reviewer
    login = client.post("/login", data={"token": TOKEN, "csrf_token": _csrf(client)})
    assert login.status_code in (200, 303)
    page = client.get(f"/claims/{claim['id']}")
    assert 'id="reassign-claim"' in page.text
    form = {"conflict": "unassigned", "csrf_token": _csrf(client), "next": "/conflicts"}
    reply = client.post(f"/claims/{claim['id']}/conflict", data=form, follow_redirects=False)
    assert reply.status_code == 303 and reply.headers["location"] == "/conflicts"
    assert client.get(f"/api/claims/{claim['id']}").json()["conflict"] is None
    document = client.get(f"/documents/{claim['document_id']}").text
    assert 'id="reassign-document"' in document and "unassigned" in document


def _csrf(client: TestClient) -> str:
    """The CSRF token the login page's form carries."""
    page = client.get("/login").text
    marker = 'name="csrf_token" value="'
    return page.split(marker, 1)[1].split('"', 1)[0]
