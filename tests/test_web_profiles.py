"""Pages per actor and per proposal, and the audit log, with their JSON and CSV twins, on
the example reports; and the links to them from the other pages."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from pathlib import Path

import pytest

pytest.importorskip("fastapi")
from fastapi.testclient import TestClient

from peacetrack.compare import timeline
from peacetrack.store import Store
from peacetrack.web import create_app, profiles
from web_support import BASE_URL, TOKEN, copy_of, filled_store


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return filled_store(tmp_path_factory.mktemp("profiles") / "examples.db")


@pytest.fixture
def store(template: Path, tmp_path: Path) -> Iterator[Store]:
    with Store.open(copy_of(template, tmp_path)) as opened:
        yield opened


@pytest.fixture
def client(store: Store) -> Iterator[TestClient]:
    with TestClient(create_app(store=store, token=TOKEN), base_url=BASE_URL) as test_client:
        yield test_client


def _csv(client: TestClient, url: str) -> list[dict[str, str]]:
    reply = client.get(url)
    assert reply.status_code == 200, reply.text
    assert reply.headers["content-type"].startswith("text/csv")
    return list(csv.DictReader(io.StringIO(reply.text)))


def test_an_actor_page_holds_its_steps_on_each_issue(client: TestClient, store: Store) -> None:
    steps = timeline(store, actor="RUS")
    body = client.get("/api/actors/rus").json()
    assert body["actor"] == "RUS" and body["name"] == "Russia"
    assert body["steps"] == len(steps)
    assert {i["issue"] for i in body["issues"]} == {e.issue for e in steps}
    for issue in body["issues"]:
        assert issue["now"] == issue["steps"][-1]
        assert all(s["evidence"] for s in issue["steps"])
    rows = _csv(client, "/api/actors/RUS.csv")
    assert len(rows) == len(steps) and {r["actor"] for r in rows} == {"RUS"}
    page = client.get("/actors/RUS")
    assert page.status_code == 200
    assert 'href="/api/actors/RUS.csv"' in page.text and 'href="/api/actors/RUS"' in page.text
    first = body["issues"][0]["steps"][-1]["evidence"][-1]
    assert f'href="/documents/{first["document_id"]}#claim-{first["id"]}"' in page.text


def test_an_actor_page_shows_each_issues_newest_steps_and_links_the_rest(
    client: TestClient, store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A party with thousands of steps gets a page of the newest on each issue, each with
    how many there are and a link to all of them on the timeline."""
    monkeypatch.setattr(profiles, "STEPS_PER_ISSUE", 1)
    steps = timeline(store, actor="RUS")
    body = client.get("/api/actors/RUS").json()
    assert body["steps"] == len(steps)
    for issue in body["issues"]:
        mine = [e for e in steps if e.issue == issue["issue"]]
        assert issue["total_steps"] == len(mine)
        assert [s["claim_ids"] for s in issue["steps"]] == [mine[-1].to_record()["claim_ids"]]
    longest = max(body["issues"], key=lambda i: i["total_steps"])
    assert longest["total_steps"] > 1
    page = client.get("/actors/RUS").text
    assert f"/timeline?actor=RUS&amp;issue={longest['issue']}" in page
    assert f"The newest 1 of {longest['total_steps']} steps" in page


def test_an_unknown_actor_is_not_found_in_words(client: TestClient) -> None:
    reply = client.get("/api/actors/NOPE")
    assert reply.status_code == 404 and "no actor 'NOPE'" in reply.json()["detail"]
    assert client.get("/actors/NOPE").status_code == 404


def test_a_proposal_page_says_who_stands_where(client: TestClient, store: Store) -> None:
    proposal = next(p for p in store.proposals.list() if p.claims)
    claims = store.claims(proposal=proposal.name)
    body = client.get(f"/api/proposals/{proposal.id}").json()
    assert body["proposal"]["name"] == proposal.name
    ids = {i for issue in body["issues"] for p in issue["positions"] for i in p["claim_ids"]}
    assert ids == {s.id for s in claims}
    put_forward = {
        a for s in claims if s.claim.stance.coarse == "put_forward" for a in s.claim.actors
    }
    assert set(body["stances"].get("put_forward", [])) == put_forward
    rows = _csv(client, f"/api/proposals/{proposal.id}.csv")
    assert len(rows) == sum(len(i["positions"]) for i in body["issues"])
    by_name = client.get(f"/api/proposals/{proposal.name}").json()
    assert by_name["proposal"]["id"] == proposal.id
    assert client.get(f"/proposals/{proposal.id}").status_code == 200
    missing = client.get("/api/proposals/no such plan at all")
    assert missing.status_code == 404 and "peacetrack" not in missing.json()["detail"]


def test_pages_link_to_actors_and_proposals(client: TestClient, store: Store) -> None:
    proposal = next(p for p in store.proposals.list() if p.claims)
    assert f'href="/proposals/{proposal.id}"' in client.get("/").text
    assert 'href="/actors/RUS"' in client.get("/").text
    assert 'href="/actors/RUS"' in client.get("/compare").text
    by_proposal = client.get("/compare?by=proposal").text
    assert 'href="/proposals/' in by_proposal
    assert 'href="/actors/RUS"' in client.get("/claims?actor=RUS").text
    assert 'href="/actors/RUS"' in client.get("/timeline?actor=RUS").text
    claim = store.claims(proposal=proposal.name)[0]
    assert 'href="/proposals/' in client.get(f"/claims/{claim.id}").text


def test_the_audit_log_shows_each_change_as_a_difference(client: TestClient, store: Store) -> None:
    first, second = (s.id for s in store.claims(limit=2))
    store.review.accept(first, "ana")
    store.review.edit(second, {"stance": "propose"}, "ben")
    body = client.get("/api/audit").json()
    assert body["total"] == 2
    newest = body["events"][0]
    assert (newest["claim_id"], newest["action"], newest["reviewer"]) == (second, "edit", "ben")
    fields = {c["field"]: (c["before"], c["after"]) for c in newest["changes"]}
    assert fields["status"] == ("extracted", "edited") and fields["stance"][1] == "propose"
    assert {f["value"]: f["count"] for f in body["facets"]["reviewer"]} == {"ana": 1, "ben": 1}
    assert client.get("/api/audit?reviewer=ana").json()["events"][0]["claim_id"] == first
    rows = _csv(client, "/api/audit.csv")
    assert {(r["claim_id"], r["field"]) for r in rows} >= {
        (str(first), "status"),
        (str(second), "stance"),
    }
    page = client.get("/audit").text
    assert "<del>extracted</del>" in page and "<ins>propose</ins>" in page
    assert f'href="/claims/{second}"' in page
    assert "<del>extracted</del>" in client.get(f"/claims/{second}").text


def test_audit_filters_are_checked_in_words(client: TestClient) -> None:
    reply = client.get("/audit?action=delete&claim=x")
    assert reply.status_code == 400
    assert "the action is one of: accept" in reply.text
    assert "give a claim&#39;s number" in reply.text
    assert 'value="x"' in reply.text
    api = client.get("/api/audit?page=0")
    assert api.status_code == 400 and "page: give a whole number" in api.json()["detail"]


def test_filters_suggest_known_values_with_counts(client: TestClient, store: Store) -> None:
    russia = len(store.claims(actors=["RUS"]))
    for page in ("/claims", "/compare", "/timeline"):
        html = client.get(page).text
        assert 'list="s-actor' in html and 'list="s-issue' in html
        assert f'<option value="RUS" label="Russia · {russia} claims">' in html
        assert '<option value="CF.GENERAL" label="General ceasefire · ' in html
    claims = client.get("/claims?actor=RUS").text
    demands = len(store.claims(actors=["RUS"], stances=["demand"]))
    assert '<datalist id="s-stance">' in claims and '<datalist id="s-outlet">' in claims
    if demands:
        assert f'<option value="demand" label="{demands} claims">' in claims


def test_claims_rows_and_diff_sides_lead_to_proposals_and_actors(
    client: TestClient, store: Store
) -> None:
    proposal = next(p for p in store.proposals.list() if p.claims)
    rows = client.get(f"/claims?proposal={proposal.name}").text
    assert f'on <a href="/proposals/{proposal.name.replace(" ", "%20")}">' in rows
    diff = client.get("/diff").text
    assert f'<option value="{proposal.name}" label="proposal · {proposal.claims} claims">' in diff
    assert '<option value="RUS" label="Russia · ' in diff
