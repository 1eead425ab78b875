"""The web app through FastAPI's TestClient: every page and its JSON twin, and security."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("fastapi")
from fastapi.testclient import TestClient

from peacetrack.extract.base import DEFAULT_EXTRACTOR
from peacetrack.model import Document
from peacetrack.store import Store
from peacetrack.web import create_app
from web_support import BASE_URL, TOKEN, copy_of, csrf_of, filled_store, finished, login

AUTH = {"Authorization": f"Bearer {TOKEN}"}


@pytest.fixture(scope="module")
def template_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return filled_store(tmp_path_factory.mktemp("web") / "examples.db")


@pytest.fixture
def store(template_db: Path, tmp_path: Path) -> Iterator[Store]:
    with Store.open(copy_of(template_db, tmp_path)) as opened:
        yield opened


@pytest.fixture
def client(store: Store) -> Iterator[TestClient]:
    with TestClient(create_app(store=store, token=TOKEN), base_url=BASE_URL) as test_client:
        yield test_client


def _a_cell(client: TestClient) -> dict[str, Any]:
    cells: list[dict[str, Any]] = client.get("/api/compare").json()["cells"]
    return cells[0]


def _a_claim(store: Store) -> int:
    return store.claims()[0].id


# --- reading ------------------------------------------------------------------------------


PAGES = [
    "/",
    "/?since=2025-05-01",
    "/compare",
    "/compare?by=proposal&issues=TER.*,CF.*&since=2025-01-01&until=2025-12-31",
    "/compare?actors=RUS,UKR",
    "/documents",
    "/documents/1",
    "/timeline",
    "/timeline?actor=RUS&issue=TER.*",
    "/compare?min_support=low&reviewed_only=true",
    "/timeline?min_support=corroborated",
    "/diff?a=RUS&b=UKR&min_support=low",
    "/diff",
    "/search?q=ceasefire",
    "/search",
    "/reports/new",
    "/login",
]
APIS = [
    "/api/overview?since=2025-05-01",
    "/api/compare?by=proposal",
    "/api/documents",
    "/api/documents/1",
    "/api/timeline?actor=RUS",
    "/api/timeline?min_support=low",
    "/api/diff?a=RUS&b=UKR&min_support=reviewed",
    "/api/search?q=ceasefire",
]


@pytest.mark.parametrize("path", PAGES)
def test_pages_render(client: TestClient, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 200, response.text[:300]
    assert response.headers["content-type"].startswith("text/html")
    assert "default-src 'self'" in response.headers["content-security-policy"]


@pytest.mark.parametrize("path", APIS)
def test_api_twins_answer_json(client: TestClient, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 200, response.text[:300]
    assert response.json()


def test_compare_cell_shows_highlighted_evidence(client: TestClient) -> None:
    cell = _a_cell(client)
    params = {"issue": cell["issue"], "column": cell["actor"]}
    page = client.get("/compare/cell", params=params | {"part": "true"})
    assert page.status_code == 200
    assert '<mark class="ev stance-' in page.text
    data = client.get("/api/compare/cell", params=params).json()
    assert len(data["claims"]) == data["count"] == cell["claims"]
    assert set(cell["current_claim_ids"]) <= {c["id"] for c in data["claims"]}
    assert (
        client.get("/api/compare/cell", params={"issue": "X.Y", "column": "Z"}).status_code == 400
    )


def test_every_cell_shows_its_support_with_a_legend(client: TestClient) -> None:
    data = client.get("/api/compare").json()
    assert data["min_support"] == "named" and len(data["legend"]) == 6
    assert {c["support"] for c in data["cells"]} <= {
        "low", "anonymous", "named", "corroborated", "reviewed"
    }  # fmt: skip
    page = client.get("/compare").text
    cells = re.findall(r'<td class="cell stance-[a-z_]+[^"]*support-([a-z]+)"', page)
    assert len(cells) == len(data["cells"])
    assert "✓ reviewed: a person checked a claim behind it" in page
    assert '<option value="named" selected>' in page
    lowered = client.get("/api/compare", params={"min_support": "low"}).json()
    assert lowered["min_support"] == "low"
    assert all(c["weaker_claims"] == 0 for c in lowered["cells"])
    refused = client.get("/api/compare", params={"min_support": "strong"})
    assert refused.status_code == 400 and "choose one of low" in refused.json()["detail"]


def _chart_symbols(client: TestClient, floor: str) -> set[str]:
    page = client.get("/timeline", params={"min_support": floor}).text
    found = re.search(r'<script type="application/json" id="chart-data">(.*?)</script>', page)
    assert found is not None
    data = json.loads(found.group(1))["data"]
    return {symbol for trace in data for symbol in trace["marker"]["symbol"]}


def test_the_timeline_chart_draws_steps_below_the_floor_hollow(client: TestClient) -> None:
    assert _chart_symbols(client, "low") == {"circle"}
    assert _chart_symbols(client, "reviewed") == {"circle-open"}  # nothing reviewed yet
    steps = client.get("/api/timeline", params={"min_support": "reviewed"}).json()["steps"]
    assert steps and not any(s["changed"] or s["conflict"] for s in steps)


def test_a_cells_panel_lists_its_claims_with_their_own_grades(client: TestClient) -> None:
    cell = _a_cell(client)
    params = {"issue": cell["issue"], "column": cell["actor"], "part": "true"}
    page = client.get("/compare/cell", params=params).text
    assert page.count('class="grade grade-') == len(
        client.get("/api/compare/cell", params=params).json()["claims"]
    )


def test_claim_diff_and_documents(client: TestClient, store: Store) -> None:
    claim = store.claims()[0]
    data = client.get(f"/api/claims/{claim.id}").json()
    assert data["claim"]["evidence"] == claim.claim.evidence and data["history"] == []
    assert client.get(f"/claims/{claim.id}").status_code == 200
    proposals = sorted({s.claim.proposal for s in store.claims() if s.claim.proposal})
    diff = client.get("/api/diff", params={"a": proposals[0], "b": proposals[1]})
    assert diff.status_code == 200 and diff.json()
    assert client.get("/diff", params={"a": proposals[0], "b": proposals[1]}).status_code == 200
    assert client.get("/api/documents/99999").status_code == 404
    assert client.get("/documents/99999").status_code == 404


def test_openapi_describes_every_api_route(client: TestClient) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    expected = {
        "/api/overview",
        "/api/compare",
        "/api/compare/cell",
        "/api/documents",
        "/api/documents/{document_id}",
        "/api/documents/{document_id}/claims",
        "/api/claims/{claim_id}",
        "/api/claims/{claim_id}/accept",
        "/api/claims/{claim_id}/reject",
        "/api/timeline",
        "/api/diff",
        "/api/search",
        "/api/reports/text",
        "/api/reports/url",
        "/api/reports/files",
        "/api/jobs",
        "/api/jobs/{job_id}",
    }
    assert expected <= set(paths)
    assert all(path.startswith("/api/") for path in paths)


def test_assets_are_local(client: TestClient) -> None:
    assert client.get("/static/style.css").status_code == 200
    assert "plotly.js (basic" in client.get("/assets/plotly-basic.min.js").text[:500]
    timeline = client.get("/timeline").text
    assert "/assets/plotly-basic.min.js" in timeline  # the partial bundle, 1.2 MB
    assert "cdn" not in timeline.lower()
    assert "plotly" not in client.get("/compare").text.lower()  # only where a chart is
    docs = client.get("/docs").text
    assert "/static/vendor/swagger-ui-bundle.js" in docs
    assert "cdn" not in docs.lower()
    assert client.get("/static/vendor/swagger-ui-bundle.js").status_code == 200


# --- writing through the API --------------------------------------------------------------


def test_api_writes_need_the_token(client: TestClient, store: Store) -> None:
    claim = _a_claim(store)
    assert client.post(f"/api/claims/{claim}/accept").status_code == 401
    wrong = {"Authorization": "Bearer nope"}
    assert client.post(f"/api/claims/{claim}/accept", headers=wrong).status_code == 401
    assert client.patch(f"/api/claims/{claim}", json={"stance": "reject"}).status_code == 401
    assert client.post("/api/reports/text", json={"text": "Talks resumed."}).status_code == 401
    assert client.post(f"/api/claims/{claim}/accept", headers=AUTH).status_code == 200


def test_read_only_server_refuses_every_write(store: Store) -> None:
    app = create_app(store=store)
    with TestClient(app, base_url=BASE_URL) as client:
        claim = _a_claim(store)
        assert client.post(f"/api/claims/{claim}/accept", headers=AUTH).status_code == 403
        client.get("/")
        csrf = app.state.guard.csrf_for(client.cookies["pt_csrf"])
        login = client.post("/login", data={"csrf_token": csrf, "token": "x"})
        assert login.status_code == 403
        assert "read-only" in client.get("/login").text


def test_review_through_the_api(client: TestClient, store: Store) -> None:
    first, second, third = (s.id for s in store.claims()[:3])
    accepted = client.post(f"/api/claims/{first}/accept", json={"reviewer": "ana"}, headers=AUTH)
    assert accepted.json()["status"] == "accepted"
    edited = client.patch(f"/api/claims/{second}", json={"stance": "reject"}, headers=AUTH)
    assert edited.status_code == 200
    assert (edited.json()["status"], edited.json()["claim"]["stance"]) == ("edited", "reject")
    assert client.post(f"/api/claims/{third}/reject", headers=AUTH).json()["status"] == "rejected"
    bad = client.patch(f"/api/claims/{second}", json={"issue": "NOPE.NOPE"}, headers=AUTH)
    assert bad.status_code == 400 and "issue" in bad.json()["detail"]
    history = client.get(f"/api/claims/{first}").json()["history"]
    assert [(e["action"], e["reviewer"]) for e in history] == [("accept", "ana")]


def test_add_a_claim_through_the_api(client: TestClient, store: Store) -> None:
    doc = store.get_document(1)
    evidence = doc.text[10:60]
    body = {"actors": ["UKR"], "stance": "demand", "issue": "CF.GENERAL", "evidence": evidence}
    added = client.post(
        "/api/documents/1/claims", json=body | {"start": 10, "end": 60}, headers=AUTH
    )
    assert added.status_code == 201, added.text
    assert (added.json()["status"], added.json()["start"]) == ("added", 10)
    missing = body | {"evidence": "words that are not in the document at all"}
    assert client.post("/api/documents/1/claims", json=missing, headers=AUTH).status_code == 400


def test_pasted_report_is_extracted_and_escaped(client: TestClient) -> None:
    text = (
        "Talks in a lakeside town\n\n"
        "Moscow demanded that Kyiv withdraw its troops from Donetsk before any ceasefire. "
        "<script>alert('x')</script> The Kremlin declined to comment."
    )
    response = client.post(
        "/api/reports/text", json={"text": text, "outlet": "Test Wire"}, headers=AUTH
    )
    assert response.status_code == 202, response.text
    data = finished(client, response)
    assert data["added"] == 1 and data["claims"]
    page = client.get(f"/documents/{data['document_ids'][0]}").text
    assert "&lt;script&gt;alert(" in page
    assert "<script>alert(" not in page
    found = client.get("/api/search", params={"q": "lakeside"}).json()
    assert [d["id"] for d in found["documents"]] == data["document_ids"]


def _pending(store: Store) -> list[int]:
    """What the app's extractor (the default one) has not read: the store was filled with
    rules.v1, so the example reports are pending for it too."""
    return [d.id for d in store.pending_documents(DEFAULT_EXTRACTOR) if d.id is not None]


def test_adding_a_report_extracts_only_that_report(client: TestClient, store: Store) -> None:
    old_text = "Kyiv proposed a full ceasefire before any talks on territory, officials said."
    old = store.add_document(Document(name="ingested-not-extracted.txt", text=old_text))
    before = _pending(store)
    assert old.document_id in before
    text = "Moscow demanded that Kyiv withdraw its troops from Donetsk before any ceasefire."
    response = client.post("/api/reports/text", json={"text": text}, headers=AUTH)
    assert response.status_code == 202, response.text
    data = finished(client, response)
    (new,) = data["document_ids"]
    assert data["added"] == 1 and data["claims"]
    assert {c["id"] for c in data["claims"]} == {s.id for s in store.claims(document=new)}
    assert {c["extractor"] for c in data["claims"]} == {DEFAULT_EXTRACTOR}
    assert _pending(store) == before
    assert store.claims(document=old.document_id) == []


def test_adding_duplicates_extracts_only_the_near_duplicate(
    client: TestClient, store: Store
) -> None:
    stored = store.get_document(2)
    claim_ids = {s.id for s in store.claims(document=2)}
    assert claim_ids
    pending = store.add_document(Document(name="pending.txt", text="Talks resumed in Geneva."))
    before = _pending(store)
    assert pending.document_id in before
    reprint = stored.text.replace("the", "a", 1) + "\n\nReporting by Ana Example"
    files = [
        ("files", ("copy.txt", stored.text.encode())),
        ("files", ("reprint.txt", reprint.encode())),
    ]
    data = finished(client, client.post("/api/reports/files", files=files, headers=AUTH))
    assert (data["added"], data["duplicates"], data["near_duplicates"]) == (0, 1, 1)
    assert [f["status"] for f in data["files"]] == ["duplicate", "stored"]
    copy, near = data["document_ids"]
    assert copy == 2 and {s.id for s in store.claims(document=2)} == claim_ids
    assert store.claims(document=near) and _pending(store) == before
    assert {c["document_id"] for c in data["claims"]} == {2, near}


def test_private_urls_are_refused(client: TestClient) -> None:
    for url in ("http://127.0.0.1:8000/", "http://10.0.0.7/report", "http://[::1]/x"):
        response = client.post("/api/reports/url", json={"url": url}, headers=AUTH)
        assert response.status_code == 400, url
        assert "refused" in response.json()["detail"]


def test_uploads_are_capped(client: TestClient) -> None:
    big = b"a" * (5 * 1024 * 1024 + 1)
    response = client.post(
        "/api/reports/files", files={"files": ("big.txt", big, "text/plain")}, headers=AUTH
    )
    assert response.status_code == 413
    small = b"Moscow demanded that Kyiv withdraw from Donetsk before a ceasefire."
    response = client.post(
        "/api/reports/files", files={"files": ("../../etc/small.txt", small)}, headers=AUTH
    )
    assert response.status_code == 202 and finished(client, response)["added"] == 1


# --- writing through forms ----------------------------------------------------------------


def test_forms_need_login_and_csrf(client: TestClient, store: Store) -> None:
    claim = _a_claim(store)
    csrf = csrf_of(client)
    not_logged_in = client.post(f"/claims/{claim}/accept", data={"csrf_token": csrf})
    assert not_logged_in.status_code == 401
    login(client)
    no_csrf = client.post(f"/claims/{claim}/accept", data={})
    assert no_csrf.status_code == 403
    forged = client.post(f"/claims/{claim}/accept", data={"csrf_token": "forged"})
    assert forged.status_code == 403
    wrong_token = client.post("/login", data={"csrf_token": csrf, "token": "nope"})
    assert wrong_token.status_code == 401
    assert store.claims()[0].status == "extracted"


def test_review_through_forms(client: TestClient, store: Store) -> None:
    csrf = login(client)
    first, second = (s.id for s in store.claims()[:2])
    done = client.post(
        f"/claims/{first}/accept",
        data={"csrf_token": csrf, "next": "https://evil.example/"},
        follow_redirects=False,
    )
    # Back to the claim (never another site), naming the action so the page confirms it.
    assert done.status_code == 303
    assert re.fullmatch(rf"/claims/{first}\?done=\d+#claim-{first}", done.headers["location"])
    current = client.get(f"/api/claims/{second}").json()
    form = {
        "csrf_token": csrf,
        "actors": ["RUS", "USA"],
        "stance": "propose",
        "issue": current["claim"]["issue"],
        "evidence": current["claim"]["evidence"],
        "start": str(current["start"]),
        "end": str(current["end"]),
        "condition_relation": ["", ""],
        "condition_issue": ["", ""],
        "recognition_type": "",
    }
    assert client.post(f"/claims/{second}/edit", data=form).status_code == 200
    edited = client.get(f"/api/claims/{second}").json()
    assert edited["claim"]["actors"] == ["RUS", "USA"] and edited["status"] == "edited"
    assert edited["history"][0]["reviewer"] == "ana"
    page = client.get(f"/claims/{second}").text
    assert "ana" in page and "edit" in page
    half = client.post(f"/claims/{second}/edit", data=form | {"condition_relation": "before"})
    assert half.status_code == 400 and "choose both" in half.text


def test_paste_form_adds_a_report(client: TestClient) -> None:
    csrf = login(client)
    text = "Kyiv proposed a full ceasefire before any talks on territory, officials said."
    form = {"csrf_token": csrf, "text": text, "title": "Paste"}
    sent = client.post("/reports", data=form, follow_redirects=False)
    assert sent.status_code == 303 and sent.headers["location"].startswith("/jobs/")
    job = sent.headers["location"].rsplit("/", 1)[1]
    assert finished(client, client.get(f"/api/jobs/{job}"))["added"] == 1
    page = client.get(sent.headers["location"])
    assert page.status_code == 200 and "added 1" in page.text and "refresh" not in page.text
    empty = client.post("/reports", data={"csrf_token": csrf})
    assert empty.status_code == 400


def test_tampered_session_is_refused(client: TestClient, store: Store) -> None:
    csrf = login(client)
    session = client.cookies.get("pt_session")
    assert session
    client.cookies.delete("pt_session")
    client.cookies.set("pt_session", session[:-3] + "xyz")
    response = client.post(f"/claims/{_a_claim(store)}/accept", data={"csrf_token": csrf})
    assert response.status_code == 401
