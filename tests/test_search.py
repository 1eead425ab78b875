"""Full-text search over documents and claims, on SQLite (FTS5) and PostgreSQL."""

from __future__ import annotations

from conftest import DocumentFactory
from peacetrack.model import Claim, Stance
from peacetrack.store import Store
from peacetrack.store.search import MARK_END, MARK_START, is_search_object, search, snippet

TEXT = (
    "Negotiators met in a lakeside town. The northern delegation demanded a full "
    "withdrawal of troops from the valley before any ceasefire."
)


def _claim(evidence: str) -> Claim:
    return Claim(actors=["RUS"], stance=Stance.DEMAND, issue="TER.WITHDRAW", evidence=evidence)


def test_documents_are_found_by_any_word_form(
    fresh_db: Store, sample_document: DocumentFactory
) -> None:
    wanted = fresh_db.add_document(sample_document(text=TEXT, title="Lakeside talks"))
    fresh_db.add_document(sample_document(text="Grain shipments resumed across the sea."))
    results = search(fresh_db, "withdraw lakeside")
    assert [hit.id for hit in results.documents] == [wanted.document_id]
    assert f"{MARK_START}withdrawal{MARK_END}" in results.documents[0].snippet


def test_claims_are_found_and_follow_reextraction(
    fresh_db: Store, sample_document: DocumentFactory
) -> None:
    doc = fresh_db.add_document(sample_document(text=TEXT)).document_id
    evidence = "demanded a full withdrawal of troops from the valley"
    fresh_db.save_extraction(doc, "rules.v1", [_claim(evidence)])
    hits = search(fresh_db, "valley troops").claims
    assert [(h.document_id, h.actors, h.issue, h.status) for h in hits] == [
        (doc, ("RUS",), "TER.WITHDRAW", "extracted")
    ]
    fresh_db.save_extraction(doc, "rules.v1", [])
    assert search(fresh_db, "valley troops").claims == []


def test_any_text_is_a_valid_query(fresh_db: Store, sample_document: DocumentFactory) -> None:
    fresh_db.add_document(sample_document(text=TEXT))
    for query in ('"unbalanced', "NEAR(", "-troops AND", "*", "'; DROP TABLE documents; --"):
        search(fresh_db, query)
    assert search(fresh_db, "  ").documents == []
    assert fresh_db.count_documents() == 1


def test_snippet_centres_on_the_first_match() -> None:
    body = "x " * 300 + "the ceasefire holds " + "y " * 300
    cut = snippet(body, ["ceasefire"], width=60)
    assert cut.startswith("…") and cut.endswith("…")
    assert f"{MARK_START}ceasefire{MARK_END}" in cut


def test_search_objects_are_recognised() -> None:
    assert is_search_object("documents_fts_idx")
    assert is_search_object("ix_claims_fts")
    assert not is_search_object("documents")
    assert not is_search_object(None)
