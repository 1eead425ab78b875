"""Reviewing claims: accept, edit, reject, add; the audit trail; surviving re-extraction."""

from __future__ import annotations

import pytest

from conftest import DocumentFactory
from peacetrack.errors import InputError, StoreError
from peacetrack.model import Claim, Stance
from peacetrack.store import Store
from peacetrack.store.review import (
    accept_claim,
    add_claim,
    claim_history,
    edit_claim,
    get_claim,
    reject_claim,
)

TEXT = (
    "The northern delegation demanded that the south withdraw from the valley. "
    "The southern side offered a prisoner exchange. Both agreed to meet again."
)
EVIDENCE = ("demanded that the south withdraw from the valley", "offered a prisoner exchange")


def _stored(store: Store, make: DocumentFactory) -> tuple[int, list[int]]:
    doc = store.add_document(make(text=TEXT)).document_id
    claims = [
        Claim(actors=["RUS"], stance=Stance.DEMAND, issue="TER.WITHDRAW", evidence=EVIDENCE[0]),
        Claim(actors=["UKR"], stance=Stance.OFFER, issue="HUM.DETAINEES", evidence=EVIDENCE[1]),
    ]
    store.save_extraction(doc, "rules.v1", claims)
    return doc, [s.id for s in store.claims(document=doc)]


def test_reviewed_claims_survive_reextraction(
    fresh_db: Store, sample_document: DocumentFactory
) -> None:
    doc, (first, second) = _stored(fresh_db, sample_document)
    accept_claim(fresh_db, first, "ana")
    edit_claim(fresh_db, second, {"actors": ["UKR", "USA"], "stance": "propose"}, "ben")
    fresh_db.save_extraction(doc, "rules.v1", [])
    kept = {s.id: s for s in fresh_db.claims(document=doc)}
    assert kept[first].status == "accepted"
    assert kept[second].status == "edited"
    assert kept[second].claim.actors == ["UKR", "USA"]
    assert kept[second].claim.stance is Stance.PROPOSE


def test_every_action_is_audited(fresh_db: Store, sample_document: DocumentFactory) -> None:
    _, (first, _) = _stored(fresh_db, sample_document)
    edit_claim(fresh_db, first, {"evidence": "withdraw from the valley"}, "ana")
    reject_claim(fresh_db, first, "  ")
    history = claim_history(fresh_db, first)
    assert [(e.action, e.reviewer) for e in history] == [("edit", "ana"), ("reject", "anonymous")]
    assert history[0].before is not None and history[0].after is not None
    assert history[0].before["evidence"] == EVIDENCE[0]
    assert history[0].after["evidence"] == "withdraw from the valley"
    assert history[0].after["start"] == TEXT.index("withdraw from the valley")
    assert history[1].after is not None and history[1].after["status"] == "rejected"
    assert get_claim(fresh_db, first).status == "rejected"
    assert first not in {s.id for s in fresh_db.claims()}


def test_added_claims_belong_to_no_extractor(
    fresh_db: Store, sample_document: DocumentFactory
) -> None:
    doc, _ = _stored(fresh_db, sample_document)
    start = TEXT.index("Both agreed")
    data = {
        "actors": ["RUS", "UKR"],
        "stance": "agree",
        "issue": "PROC.TALKS",
        "evidence": "Both agreed to meet again",
        "start": start,
        "end": start + len("Both agreed to meet again"),
        "proposal": "Lakeside round",
    }
    added = add_claim(fresh_db, doc, data, "cleo")
    assert (added.status, added.claim.extractor, added.claim.proposal) == (
        "added",
        None,
        "Lakeside round",
    )
    fresh_db.save_extraction(doc, "rules.v1", [])
    assert [s.id for s in fresh_db.claims(document=doc)] == [added.id]
    assert claim_history(fresh_db, added.id)[0].before is None


def test_bad_edits_name_the_problem(fresh_db: Store, sample_document: DocumentFactory) -> None:
    _, (first, _) = _stored(fresh_db, sample_document)
    with pytest.raises(InputError, match="issue"):
        edit_claim(fresh_db, first, {"issue": "NOT.AN_ISSUE"}, "ana")
    with pytest.raises(InputError, match="not verbatim"):
        edit_claim(fresh_db, first, {"evidence": "words nowhere in the text"}, "ana")
    with pytest.raises(InputError, match="cannot edit"):
        edit_claim(fresh_db, first, {"status": "accepted"}, "ana")
    with pytest.raises(StoreError, match="no claim"):
        accept_claim(fresh_db, 99999, "ana")
    assert get_claim(fresh_db, first).status == "extracted"
    assert claim_history(fresh_db, first) == []


def test_undo_puts_the_claim_back_and_is_audited(
    fresh_db: Store, sample_document: DocumentFactory
) -> None:
    _, (first, second) = _stored(fresh_db, sample_document)
    edit_claim(fresh_db, first, {"evidence": "withdraw from the valley"}, "ana")
    rejected = reject_claim(fresh_db, first, "ben")
    assert rejected.status == "rejected"
    reject_event = claim_history(fresh_db, first)[-1]
    restored = fresh_db.review.undo(first, reject_event.id, "ben")
    assert restored.status == "edited" and restored.claim.evidence == "withdraw from the valley"
    edit_event = claim_history(fresh_db, first)[0]
    with pytest.raises(InputError, match=r"only its latest change can be undone.*ben's restore"):
        fresh_db.review.undo(first, edit_event.id, "ana")
    # Undoing the restore rejects it again; the trail keeps every step.
    fresh_db.review.undo(first, claim_history(fresh_db, first)[-1].id, "ana")
    assert get_claim(fresh_db, first).status == "rejected"
    assert [e.action for e in claim_history(fresh_db, first)] == [
        "edit",
        "reject",
        "restore",
        "restore",
    ]
    # An edit undone gives back the fields, offsets and the status before it.
    edit_claim(fresh_db, second, {"stance": "propose"}, "ana")
    back = fresh_db.review.undo(second, claim_history(fresh_db, second)[-1].id, "ana")
    assert back.status == "extracted" and back.claim.stance is Stance.OFFER
    assert back.claim.start == TEXT.index(EVIDENCE[1])


def test_undoing_an_add_rejects_the_added_claim(
    fresh_db: Store, sample_document: DocumentFactory
) -> None:
    doc, _ = _stored(fresh_db, sample_document)
    added = add_claim(
        fresh_db,
        doc,
        {"actors": ["UKR"], "stance": "agree", "issue": "TER.WITHDRAW", "evidence": "agreed"},
        "ana",
    )
    event = claim_history(fresh_db, added.id)[-1]
    assert fresh_db.review.undo(added.id, event.id, "ana").status == "rejected"


def test_the_review_log_spans_claims_newest_first(
    fresh_db: Store, sample_document: DocumentFactory
) -> None:
    _, (first, second) = _stored(fresh_db, sample_document)
    accept_claim(fresh_db, first, "ana")
    reject_claim(fresh_db, second, "ben")
    edit_claim(fresh_db, first, {"stance": "propose"}, "ana")
    log = fresh_db.review.log()
    assert log.total == 3
    assert [(e.claim_id, e.action) for e in log.events] == [
        (first, "edit"),
        (second, "reject"),
        (first, "accept"),
    ]
    assert log.reviewers == [("ana", 2), ("ben", 1)]
    assert dict(log.actions) == {"accept": 1, "edit": 1, "reject": 1}
    ana = fresh_db.review.log(reviewer="ana", limit=1, offset=1)
    assert ana.total == 2 and [e.action for e in ana.events] == ["accept"]
    assert fresh_db.review.log(action="reject").events[0].reviewer == "ben"
    assert fresh_db.review.log(claim_id=second).total == 1
    assert fresh_db.review.event(log.events[0].id) == log.events[0]
    with pytest.raises(StoreError, match="no review action"):
        fresh_db.review.event(99999)
