"""The store: documents, claims with every field, review-safe re-extraction, runs, errors."""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, text

from peacetrack.errors import InputError, StoreError
from peacetrack.model import Claim, Document
from peacetrack.store import AddResult, Store, open_store
from peacetrack.store import pending as pending_module
from peacetrack.store.engine import require_store
from peacetrack.support import parse_support

Factory = Callable[..., Document]

TALKS = (
    "Moscow demanded that Kyiv withdraw its troops from the Donetsk region before any "
    "ceasefire. Ukraine offered a thirty-day truce on energy infrastructure. The American "
    "draft proposed recognising Crimea as Russian in law. Ukraine rejected any recognition "
    "of occupied land, a senior official said."
)
SUMMIT = "Both sides agreed to exchange all prisoners of war by the end of June."

WITHDRAW: dict[str, Any] = {
    "actors": ["RUS"],
    "stance": "demand",
    "issue": "TER.WITHDRAW",
    "obligor": ["UKR"],
    "territories": ["UA-14"],
    "conditions": [{"relation": "before", "issue": "CF.GENERAL"}],
    "proposal": "Russian terms",
    "attribution": {"source": None, "anonymous": False},
    "evidence": "Moscow demanded that Kyiv withdraw its troops from the Donetsk region before "
    "any ceasefire.",
}
TRUCE: dict[str, Any] = {
    "actors": ["UKR"],
    "stance": "offer",
    "issue": "CF.PARTIAL",
    "evidence": "Ukraine offered a thirty-day truce on energy infrastructure.",
}
RECOGNITION: dict[str, Any] = {
    "actors": ["USA"],
    "stance": "propose",
    "issue": "TER.RECOGNITION",
    "territories": ["UA-43"],
    "recognition": {"by": ["USA"], "type": "de_jure"},
    "proposal": "US draft",
    "evidence": "The American draft proposed recognising Crimea as Russian in law.",
}
REFUSAL: dict[str, Any] = {
    "actors": ["UKR"],
    "stance": "reject",
    "issue": "TER.RECOGNITION",
    "attribution": {"source": "a senior official", "anonymous": True},
    "evidence": "Ukraine rejected any recognition of occupied land",
}
EXCHANGE: dict[str, Any] = {
    "actors": ["RUS", "UKR"],
    "stance": "agree",
    "issue": "HUM.DETAINEES",
    "evidence": SUMMIT,
}


def claim(data: dict[str, Any]) -> Claim:
    return Claim.model_validate(data)


@pytest.fixture
def talks(fresh_db: Store, sample_document: Factory) -> tuple[int, int]:
    """Two documents with claims: TALKS (4 claims, May) and SUMMIT (1 claim, June)."""
    first = fresh_db.add_document(sample_document(text=TALKS, published=date(2025, 5, 10)))
    second = fresh_db.add_document(sample_document(text=SUMMIT, published=date(2025, 6, 2)))
    talks_claims = [claim(c) for c in (WITHDRAW, TRUCE, RECOGNITION, REFUSAL)]
    assert fresh_db.save_extraction(first.document_id, "rules.v1", talks_claims) == 4
    assert fresh_db.save_extraction(second.document_id, "rules.v1", [claim(EXCHANGE)]) == 1
    return first.document_id, second.document_id


def set_status(store: Store, claim_id: int, status: str) -> None:
    """What a reviewer's tool does: change a claim's status in the database."""
    engine = create_engine(store.url)
    with engine.begin() as connection:
        connection.execute(
            text("UPDATE claims SET status = :s WHERE id = :id"), {"s": status, "id": claim_id}
        )
    engine.dispose()


def test_document_round_trips_every_field(fresh_db: Store) -> None:
    ingested = datetime(2025, 5, 11, 8, 30, tzinfo=UTC)
    doc = Document(
        name="kyiv-talks_2025-05-10.txt",
        text="Zelenskyy’s envoy met Ердоган in İstanbul — talks «resumed» at 10:00.",
        title="Talks résumé",
        url="https://news.example.org/kyiv?id=1",
        outlet="Example Wire",
        author="Zoë Writer",
        published=date(2025, 5, 10),
        language="uk",
        source="rss:https://news.example.org/feed",
        ingested_at=ingested,
    )
    result = fresh_db.add_document(doc)
    assert result == AddResult("added", result.document_id)
    stored = fresh_db.get_document(result.document_id)
    assert stored == doc.model_copy(update={"id": result.document_id})
    assert fresh_db.get_document("kyiv-talks_2025-05-10.txt") == stored
    assert fresh_db.count_documents() == 1


def test_datetimes_come_back_in_utc(fresh_db: Store, sample_document: Factory) -> None:
    # The test cluster's time zone is not UTC: a naive value must still mean UTC.
    naive = datetime(2025, 5, 11, 8, 30)
    kathmandu = datetime(2025, 5, 11, 14, 15, tzinfo=timezone(timedelta(hours=5, minutes=45)))
    for given in (naive, kathmandu):
        added = fresh_db.add_document(sample_document(ingested_at=given))
        stored = fresh_db.get_document(added.document_id).ingested_at
        assert stored == datetime(2025, 5, 11, 8, 30, tzinfo=UTC)
        assert stored is not None and stored.utcoffset() == timedelta(0)


def test_metadata_is_stored_alike_on_every_backend(
    fresh_db: Store, sample_document: Factory
) -> None:
    doc = sample_document(name="n" * 600, outlet="Wire\x00 " + "o" * 300, title="T\x00itle")
    stored = fresh_db.get_document(fresh_db.add_document(doc).document_id)
    assert (len(stored.name), len(stored.outlet or ""), stored.title) == (512, 255, "Title")
    assert stored.outlet and stored.outlet.startswith("Wire o")
    with pytest.raises(InputError, match=r"'bin\.txt' contains NUL"):
        fresh_db.add_document(sample_document(name="bin.txt", text="ab\x00cd"))
    assert fresh_db.count_documents() == 1


def test_duplicate_add_writes_nothing(fresh_db: Store, sample_document: Factory) -> None:
    first = fresh_db.add_document(sample_document(text="Talks resumed in Doha on Monday."))
    again = fresh_db.add_document(sample_document(text="Talks  resumed in Doha\non Monday.\n"))
    assert again == AddResult("duplicate", first.document_id)
    assert fresh_db.count_documents() == 1


def test_unknown_document_says_how_to_list(fresh_db: Store, sample_document: Factory) -> None:
    with pytest.raises(StoreError, match="peacetrack documents"):
        fresh_db.get_document(42)
    with pytest.raises(StoreError, match=r"no document 'missing\.txt'"):
        fresh_db.get_document("missing.txt")
    fresh_db.add_document(sample_document(name="twin.txt"))
    fresh_db.add_document(sample_document(name="twin.txt"))
    with pytest.raises(StoreError, match="give the id"):
        fresh_db.get_document("twin.txt")
    # a name given without its extension is offered back
    fresh_db.add_document(sample_document(name="doha-talks.html"))
    with pytest.raises(StoreError, match=r"did you mean 'doha-talks\.html'\? Or list"):
        fresh_db.get_document("doha-talks")
    with pytest.raises(StoreError, match=r"'doha' in the store: did you mean 'doha-talks"):
        fresh_db.get_document("doha")


def test_documents_newest_first_and_filtered(fresh_db: Store, sample_document: Factory) -> None:
    for day, outlet in ((3, "A"), (9, "B"), (6, "A")):
        fresh_db.add_document(sample_document(published=date(2025, 4, day), outlet=outlet))
    undated = fresh_db.add_document(sample_document(published=None)).document_id

    def days(docs: list[Document]) -> list[int | None]:
        return [d.published.day if d.published else None for d in docs]

    assert days(fresh_db.documents()) == [9, 6, 3, None]
    assert days(fresh_db.documents(limit=2, offset=1)) == [6, 3]
    assert days(fresh_db.documents(outlet="A")) == [6, 3]
    assert days(fresh_db.documents(since=date(2025, 4, 4), until=date(2025, 4, 8))) == [6]
    assert fresh_db.documents()[-1].id == undated


def test_claims_round_trip_every_field(fresh_db: Store, talks: tuple[int, int]) -> None:
    stored = fresh_db.claims(document=talks[0])
    assert [s.claim.to_guideline() for s in stored] == [
        claim(c).to_guideline() for c in (WITHDRAW, TRUCE, RECOGNITION, REFUSAL)
    ]
    for item in stored:
        assert TALKS[item.claim.start : item.claim.end] == item.claim.evidence
        assert item.claim.extractor == "rules.v1"
        assert item.status == "extracted"
        assert item.document_id == talks[0]
        assert item.published == date(2025, 5, 10)
        assert item.outlet == "Example Wire" and item.url and item.document_name
    assert stored[0].claim.attribution is not None
    assert stored[1].claim.attribution is None
    assert fresh_db.count_claims() == 5
    for item in stored:  # claims are built without model_construct's defaults: the same
        fields = {name: getattr(item.claim, name) for name in Claim.model_fields}
        built = Claim.model_construct(**fields)
        assert item.claim == built and item.claim.model_dump() == built.model_dump()
        assert item.claim.model_fields_set == built.model_fields_set


@pytest.mark.parametrize("sort", [None, "issue", "stance", "date"])
def test_claim_filters_read_alike_in_either_form(
    fresh_db: Store, talks: tuple[int, int], monkeypatch: pytest.MonkeyPatch, sort: Any
) -> None:
    """Actors and issues are chosen by an index (few claims) or checked row by row (many):
    the same claims in the same order either way, and a sort by issue or stance keeps its
    ties in claim id order."""
    from peacetrack.store import claim_query

    queries: list[dict[str, Any]] = [
        {"actors": ["RUS"]},
        {"actors": ["ukr", "USA"], "issues": ["TER.*"]},
        {"issues": ["HUM.*", "CF.PARTIAL"]},
        {"actors": ["RUS"], "stances": ["demand"], "include_rejected": True},
    ]
    found = {}
    for dense in (0.0, 2.0):
        monkeypatch.setattr(claim_query, "DENSE", dense)
        found[dense] = [[s.id for s in fresh_db.claims(**q, sort=sort)] for q in queries]
    assert found[0.0] == found[2.0] and any(found[0.0])
    if sort in ("issue", "stance"):
        rows = fresh_db.claims(sort=sort, descending=False)
        keys = [(getattr(s.claim, sort), s.id) for s in rows]
        assert keys == sorted(keys)


def test_claim_filters(fresh_db: Store, talks: tuple[int, int]) -> None:
    def issues(**filters: Any) -> list[str]:
        return [s.claim.issue for s in fresh_db.claims(**filters)]

    assert issues(actors=["ukr"]) == ["HUM.DETAINEES", "CF.PARTIAL", "TER.RECOGNITION"]
    assert issues(actors=["USA", "RUS"]) == ["HUM.DETAINEES", "TER.WITHDRAW", "TER.RECOGNITION"]
    assert issues(issues=["TER.*"]) == ["TER.WITHDRAW", "TER.RECOGNITION", "TER.RECOGNITION"]
    assert issues(issues=["CF.PARTIAL", "HUM.*"]) == ["HUM.DETAINEES", "CF.PARTIAL"]
    assert issues(issues=["TER"]) == issues(issues=["TER.*"])  # a group means its wildcard
    with pytest.raises(InputError, match=r"CF_PARTIAL\*.*Did you mean CF\.PARTIAL"):
        issues(issues=["CF_PARTIAL*"])  # ``_`` is no wildcard: a typo, named, not 0 claims
    assert issues(stances=["reject", "agree"]) == ["HUM.DETAINEES", "TER.RECOGNITION"]
    assert issues(since=date(2025, 6, 1)) == ["HUM.DETAINEES"]
    assert issues(until=date(2025, 5, 31), actors=["RUS"]) == ["TER.WITHDRAW"]
    assert issues(proposal="US draft") == ["TER.RECOGNITION"]
    assert issues(extractor="other.v1") == []
    assert issues(document=talks[1]) == ["HUM.DETAINEES"]
    assert len(fresh_db.claims(limit=2)) == 2


def test_resaving_keeps_reviewed_claims(fresh_db: Store, talks: tuple[int, int]) -> None:
    doc = talks[0]
    before = fresh_db.claims(document=doc)
    set_status(fresh_db, before[0].id, "accepted")
    set_status(fresh_db, before[3].id, "rejected")
    assert fresh_db.save_extraction(doc, "rules.v1", [claim(TRUCE)]) == 1
    after = fresh_db.claims(document=doc, include_rejected=True)
    assert [(s.claim.issue, s.status) for s in after] == [
        ("TER.WITHDRAW", "accepted"),
        ("CF.PARTIAL", "extracted"),
        ("TER.RECOGNITION", "rejected"),
    ]
    assert [s.claim.issue for s in fresh_db.claims(document=doc)] == [
        "TER.WITHDRAW",
        "CF.PARTIAL",
    ]


def test_claim_not_in_text_changes_nothing(fresh_db: Store, talks: tuple[int, int]) -> None:
    before = fresh_db.claims(document=talks[0])
    invented = claim(TRUCE | {"evidence": "Ukraine offered to end the war tomorrow."})
    with pytest.raises(ValueError, match="not verbatim"):
        fresh_db.save_extraction(talks[0], "rules.v1", [claim(TRUCE), invented])
    assert fresh_db.claims(document=talks[0]) == before


def test_pending_documents(
    fresh_db: Store, sample_document: Factory, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(pending_module, "PAGE", 2)
    ids = [fresh_db.add_document(sample_document()).document_id for _ in range(5)]
    fresh_db.save_extraction(ids[1], "rules.v1", [])
    assert fresh_db.count_pending("rules.v1") == 4
    assert fresh_db.count_pending("other.v2") == 5
    seen = []
    for doc in fresh_db.pending_documents("rules.v1"):
        assert doc.id is not None
        seen.append(doc.id)
        fresh_db.save_extraction(doc.id, "rules.v1", [])
    assert seen == [ids[0], *ids[2:]]
    assert fresh_db.count_pending("rules.v1") == 0
    assert list(fresh_db.pending_documents("rules.v1")) == []
    with pytest.raises(StoreError, match="no document with id 999"):
        fresh_db.save_extraction(999, "rules.v1", [])


def test_runs_record_params_and_stats(fresh_db: Store, sample_document: Factory) -> None:
    run = fresh_db.start_run("extract", {"extractor": "rules.v1", "since": date(2025, 1, 1)})
    doc = fresh_db.add_document(sample_document()).document_id
    fresh_db.save_extraction(doc, "rules.v1", [], run_id=run)
    fresh_db.finish_run(run, "ok", {"documents": 1, "claims": 0})
    engine = create_engine(fresh_db.url)
    with engine.connect() as connection:
        row = connection.execute(text("SELECT kind, status, finished_at FROM runs")).one()
        linked = connection.execute(text("SELECT run_id FROM extractions")).scalar_one()
    engine.dispose()
    assert row[:2] == ("extract", "ok") and row[2] is not None
    assert linked == run
    with pytest.raises(StoreError, match="no run"):
        fresh_db.finish_run(999, "ok", {})


def test_open_rejects_a_folder(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="is a folder"):
        Store.open(tmp_path)
    with pytest.raises(StoreError, match="does not exist"):
        Store.open(tmp_path / "missing" / "pt.db")
    garbage = tmp_path / "notes.db"
    garbage.write_text("these are notes, not a database " * 40)
    with pytest.raises(StoreError, match=r"notes\.db: file is not a database"):
        Store.open(garbage)


def test_require_store_refuses_a_store_that_does_not_exist(new_database: Callable[[], str]) -> None:
    """Checked without creating anything, on every backend; once opened, the store exists."""
    url = new_database()
    with pytest.raises(StoreError, match=r"no store at .*peacetrack ingest"):
        require_store(url)
    with pytest.raises(StoreError, match="no store at"):
        require_store(url)  # the check itself created nothing
    with pytest.raises(StoreError, match=r"no store at .*peacetrack ingest"):
        Store.open(url, create=False)  # a server's database asked on the store's own engine
    with pytest.raises(StoreError, match="no store at"):
        require_store(url)
    Store.open(url).close()
    require_store(url)
    Store.open(url, create=False).close()


def test_open_names_the_missing_driver() -> None:
    try:
        import psycopg  # noqa: F401
    except ImportError:
        with pytest.raises(StoreError, match=r"pip install 'peacetrack\[postgres\]'"):
            Store.open("postgresql://user@localhost/peacetrack")
    with pytest.raises(StoreError, match="no database driver"):
        Store.open("mysql+nosuchdriver://user@localhost/peacetrack")


def test_open_uses_env_and_reopens_at_head(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, sample_document: Factory
) -> None:
    path = tmp_path / "env.db"
    monkeypatch.setenv("PEACETRACK_DB", str(path))
    with open_store() as store:
        assert store.url.endswith("env.db")
        store.add_document(sample_document())
    with Store.open(f"sqlite:///{path}") as store:
        assert store.count_documents() == 1


def test_concurrent_insert_of_same_text_is_a_duplicate(
    fresh_db: Store, sample_document: Factory, monkeypatch: pytest.MonkeyPatch
) -> None:
    doc = sample_document()
    first = fresh_db.add_document(doc)
    # As if another writer committed the same text between our check and our insert.
    real = Store._id_by_hash
    calls = iter([None])
    monkeypatch.setattr(Store, "_id_by_hash", staticmethod(lambda s, d: next(calls, real(s, d))))
    assert fresh_db.add_document(doc) == AddResult("duplicate", first.document_id)
    assert fresh_db.count_documents() == 1


def test_two_writers_queue_instead_of_failing(
    new_database: Callable[[], str], sample_document: Factory
) -> None:
    url = new_database()
    docs = [sample_document() for _ in range(30)]
    stores = [Store.open(url), Store.open(url)]

    def write(store: Store, batch: list[Document]) -> None:
        for doc in batch:
            store.add_document(doc)
            store.start_run("ingest", {"doc": doc.name})

    with ThreadPoolExecutor(2) as pool:
        list(pool.map(write, stores, [docs[::2], docs[1::2]]))
    assert stores[0].count_documents() == 30
    for store in stores:
        store.close()


def test_counts_are_stopped_past_their_time_on_every_backend(
    fresh_db: Store, talks: tuple[int, int], monkeypatch: pytest.MonkeyPatch
) -> None:
    """``time_allowed`` stops a statement (a SQLite progress handler, PostgreSQL's
    statement_timeout in a savepoint), the session reads on, and the limit is lifted after;
    the facets count the same claims ``claims`` lists, support at or above each level."""
    from sqlalchemy import text

    from peacetrack.store import OutOfTime
    from peacetrack.store import facets as facet_counts
    from peacetrack.store.engine import time_allowed

    # A few claims get FEW_MS for every facet, whatever the budget: a loaded machine can
    # take longer, and this test is about what is counted, not how fast.
    monkeypatch.setattr(facet_counts, "FEW_MS", 60_000)

    endless = "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n) SELECT max(i) FROM n"
    with fresh_db.reading() as connection:
        before = connection.execute(text("SELECT 1")).scalar()
        with pytest.raises(OutOfTime), time_allowed(connection, 50):
            connection.execute(text(endless)).all()
        with time_allowed(connection, 60_000):
            assert connection.execute(text("SELECT 2")).scalar() == 2
        if connection.dialect.name == "postgresql":
            assert connection.scalar(text("SHOW statement_timeout")) == "0"
        assert before == 1
    facets = fresh_db.claim_facets(top=10, budget_ms=60_000)
    listed = fresh_db.claims()
    assert facets.exact and facets.total == len(listed) and not facets.late
    support = dict(facets.counts["support"])
    for label, count in support.items():
        assert count == len(fresh_db.claims(min_support=parse_support(label)))
