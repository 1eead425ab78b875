"""Reviewing without JavaScript: forms post, come back to the claim with a confirmation and
an Undo; a rejected claim stays in its document and is restored there; the edit and add
forms take pickers' values and, on a mistake, come back as sent with errors by field."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest

pytest.importorskip("fastapi")
from fastapi.testclient import TestClient

from peacetrack.store import Store
from peacetrack.web import create_app
from web_support import BASE_URL, TOKEN, copy_of, filled_store, login


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return filled_store(tmp_path_factory.mktemp("forms") / "examples.db")


@pytest.fixture
def store(template: Path, tmp_path: Path) -> Iterator[Store]:
    with Store.open(copy_of(template, tmp_path)) as opened:
        yield opened


@pytest.fixture
def client(store: Store) -> Iterator[TestClient]:
    with TestClient(create_app(store=store, token=TOKEN), base_url=BASE_URL) as test_client:
        yield test_client


def test_reject_comes_back_to_the_document_with_undo_and_restore(
    client: TestClient, store: Store
) -> None:
    csrf = login(client)
    claim = store.claims()[0]
    doc = f"/documents/{claim.document_id}"
    sent = client.post(
        f"/claims/{claim.id}/reject",
        data={"csrf_token": csrf, "next": doc},
        follow_redirects=False,
    )
    location = sent.headers["location"]
    assert re.fullmatch(rf"{doc}\?done=(\d+)#claim-{claim.id}", location)
    page = client.get(location).text
    assert f'<div class="claim rejected" id="claim-{claim.id}"' in page
    assert "Rejected this claim" in page and f'action="/claims/{claim.id}/undo"' in page
    assert f'action="/claims/{claim.id}/restore"' in page
    assert "and 1 rejected" in page
    # The rejected claim is listed but no longer highlighted in the text.
    assert f'data-claims="{claim.id} "' not in page
    event = re.search(r'name="event" value="(\d+)"', page)
    assert event
    undone = client.post(
        f"/claims/{claim.id}/undo",
        data={"csrf_token": csrf, "next": doc, "event": event.group(1)},
    )
    assert undone.status_code == 200 and "Restored this claim" in undone.text
    assert store.review.get(claim.id).status == "extracted"
    client.post(f"/claims/{claim.id}/reject", data={"csrf_token": csrf, "next": doc})
    restored = client.post(f"/claims/{claim.id}/restore", data={"csrf_token": csrf, "next": doc})
    assert restored.status_code == 200 and store.review.get(claim.id).status == "extracted"
    again = client.post(f"/claims/{claim.id}/restore", data={"csrf_token": csrf, "next": doc})
    assert again.status_code == 400 and "is not rejected" in again.text


def test_undo_and_restore_through_the_api(client: TestClient, store: Store) -> None:
    claim = store.claims()[0].id
    auth = {"Authorization": f"Bearer {TOKEN}"}
    client.post(f"/api/claims/{claim}/reject", headers=auth, json={"reviewer": "bot"})
    assert client.post(f"/api/claims/{claim}/restore", headers=auth).json()["status"] == (
        "extracted"
    )
    accepted = client.post(f"/api/claims/{claim}/accept", headers=auth)
    assert accepted.json()["status"] == "accepted"
    latest = client.get(f"/api/claims/{claim}").json()["history"][-1]["id"]
    stale = client.post(f"/api/claims/{claim}/undo", headers=auth, json={"event": latest - 1})
    assert stale.status_code == 400 and "only its latest change" in stale.json()["detail"]
    back = client.post(f"/api/claims/{claim}/undo", headers=auth, json={"event": latest})
    assert back.json()["status"] == "extracted"
    assert client.post(f"/api/claims/{claim}/undo", json={"event": 1}).status_code == 401


def test_a_rejected_claim_stays_in_its_cell_after_review(client: TestClient, store: Store) -> None:
    csrf = login(client)
    cell = client.get("/api/compare").json()["cells"][0]
    query = f"issue={cell['issue']}&column={cell['actor']}"
    page = client.get(f"/compare/cell?{query}").text
    found = re.search(r'id="claim-(\d+)"', page)
    assert found
    claim = int(found.group(1))
    sent = client.post(
        f"/claims/{claim}/reject",
        data={"csrf_token": csrf, "next": f"/compare/cell?{query}"},
    )
    assert sent.status_code == 200
    assert f'id="claim-{claim}"' in sent.text and "Rejected this claim" in sent.text


def test_the_edit_form_offers_pickers_and_keeps_what_was_sent(
    client: TestClient, store: Store
) -> None:
    csrf = login(client)
    claim = store.claims()[0]
    page = client.get(f"/claims/{claim.id}").text
    assert '<select id="edit-actors" name="actors" multiple' in page
    assert "Donetsk Oblast (UA-14)" in page and 'optgroup label="Ukraine"' in page
    assert 'name="condition_relation"' in page and 'name="recognition_type"' in page
    assert "(JSON)" not in page
    form = {
        "csrf_token": csrf,
        "actors": ["RUS", "USA"],
        "stance": "propose",
        "issue": "TER.RECOGNITION",
        "territories": ["UA-14", "UA-09"],
        "condition_relation": ["after", ""],
        "condition_issue": ["CF.GENERAL", ""],
        "recognition_by": ["USA"],
        "recognition_type": "",
        "evidence": "not a word of this is in the report",
    }
    bad = client.post(f"/claims/{claim.id}/edit", data=form)
    assert bad.status_code == 400
    assert 'id="edit-e-recognition"' in bad.text and "in law or in fact" in bad.text
    assert '<option value="UA-09" selected>' in bad.text.replace("\n", "")
    assert "not a word of this is in the report" in bad.text
    form |= {"recognition_type": "de_jure"}
    still = client.post(f"/claims/{claim.id}/edit", data=form)
    assert still.status_code == 400 and 'id="edit-e-evidence"' in still.text
    assert "not verbatim" in still.text and "peacetrack" not in still.text.split("<main>")[1]
    good = client.post(f"/claims/{claim.id}/edit", data=form | {"evidence": claim.claim.evidence})
    assert good.status_code == 200 and "Saved your changes" in good.text
    saved = store.review.get(claim.id).claim
    assert saved.actors == ["RUS", "USA"] and saved.territories == ["UA-14", "UA-09"]
    assert saved.conditions and saved.conditions[0].relation == "after"
    assert saved.recognition and saved.recognition.type == "de_jure"


def test_edit_from_a_document_comes_back_there_with_undo(client: TestClient, store: Store) -> None:
    """Edit beside a claim (a document's, a cell's, the claims browser's) opens the claim's
    edit form alone, which scripts open in place; a mistake shows it again as sent, with
    the problem beside its field; saving goes back to the page at the claim, where the
    edit is confirmed with an Undo that puts the claim back as it was."""
    csrf = login(client)
    claim = store.claims()[0]
    doc = f"/documents/{claim.document_id}"
    page = client.get(doc).text
    edit = f"/claims/{claim.id}/edit?next={doc}"
    assert f'href="{edit}" data-edit="{claim.id}"' in page
    form_page = client.get(edit).text
    box = f'id="edit-claim-{claim.id}" data-swap'
    assert box in form_page and f'name="next" value="{doc}"' in form_page
    assert f'<select id="edit-{claim.id}-actors" name="actors" multiple' in form_page
    assert f'href="{doc}#claim-{claim.id}" data-cancel-edit="edit-claim-{claim.id}"' in form_page
    form = {"csrf_token": csrf, "next": doc, "actors": ["UKR"], "stance": "reject"}
    form |= {"issue": claim.claim.issue, "evidence": "words nowhere in the report"}
    bad = client.post(f"/claims/{claim.id}/edit", data=form)
    assert bad.status_code == 400 and box in bad.text
    assert f'id="edit-{claim.id}-e-evidence"' in bad.text and "not verbatim" in bad.text
    assert "words nowhere in the report" in bad.text and f'id="claim-{claim.id}"' not in bad.text
    assert store.review.get(claim.id).claim == claim.claim
    in_place = client.post(f"/claims/{claim.id}/edit", data=form, headers={"X-In-Place": "1"})
    assert in_place.status_code == 200 and f'id="edit-{claim.id}-e-evidence"' in in_place.text
    form |= {"evidence": claim.claim.evidence}
    sent = client.post(f"/claims/{claim.id}/edit", data=form, follow_redirects=False)
    location = sent.headers["location"]
    assert re.fullmatch(rf"{doc}\?done=(\d+)#claim-{claim.id}", location)
    back = client.get(location).text
    assert "Saved your changes to this claim" in back and box not in back
    assert store.review.get(claim.id).claim.actors == ["UKR"]
    event = re.search(r'name="event" value="(\d+)"', back)
    assert event
    undone = client.post(
        f"/claims/{claim.id}/undo", data={"csrf_token": csrf, "next": doc, "event": event[1]}
    )
    assert undone.status_code == 200 and "Restored this claim" in undone.text
    assert store.review.get(claim.id).claim.actors == claim.claim.actors


def test_edit_from_the_claims_browser_is_confirmed_there_even_off_the_filters(
    client: TestClient, store: Store
) -> None:
    csrf = login(client)
    claim = store.claims()[0]
    actor = claim.claim.actors[0]
    here = f"/claims?actor={actor}"
    page = client.get(here).text
    assert f'<tr id="claim-{claim.id}" data-swap>' in page
    assert f'href="/claims/{claim.id}/edit?next=/claims%3Factor%3D{actor}"' in page
    other = "USA" if actor != "USA" else "GBR"
    form = {"csrf_token": csrf, "next": here, "actors": [other], "stance": "demand"}
    form |= {"issue": claim.claim.issue, "evidence": claim.claim.evidence}
    back = client.post(f"/claims/{claim.id}/edit", data=form)
    assert back.status_code == 200 and f'<tr id="claim-{claim.id}"' not in back.text
    done = back.text.split('<div id="claims-done" data-swap>')[1].split("</div>")[0]
    assert f"Saved your changes to claim {claim.id}" in done
    assert f'action="/claims/{claim.id}/undo"' in done


def test_the_edit_page_asks_a_reader_to_log_in(client: TestClient, store: Store) -> None:
    claim = store.claims()[0]
    page = client.get(f"/claims/{claim.id}/edit?next=https://elsewhere.example/")
    assert page.status_code == 200 and "Only a reviewer can edit claims" in page.text
    assert 'name="actors"' not in page.text
    login(client)
    kept = client.get(f"/claims/{claim.id}/edit?next=https://elsewhere.example/").text
    assert f'name="next" value="/claims/{claim.id}"' in kept and "elsewhere" not in kept


def test_the_add_form_comes_back_with_errors_beside_fields(
    client: TestClient, store: Store
) -> None:
    csrf = login(client)
    doc = store.claims()[0].document_id
    form = {"csrf_token": csrf, "stance": "demand", "issue": "CF.GENERAL", "evidence": "x y z"}
    bad = client.post(f"/documents/{doc}/claims", data=form)
    assert bad.status_code == 400
    assert 'id="add-e-actors"' in bad.text and "choose at least one" in bad.text
    assert "The claim was not added" in bad.text
