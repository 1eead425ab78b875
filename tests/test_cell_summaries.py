"""Stored cell summaries stay equal to the cells computed from the claims, whatever writes.

Each test changes the store one way (a review, a re-extraction, a proposal renamed, merged
or deleted, a document re-dated or deleted, syndicated copies joined) and checks the matrix
from the summaries against the one computed from ``Store.claims()``, on both backends.
The triggers of migration 0004 are what keep them equal (with 0007's per-conflict cells);
these tests are their contract.
"""

from __future__ import annotations

import random
import re
from collections import Counter
from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

import pytest
from alembic import command
from sqlalchemy import create_engine, text

from peacetrack.compare import compare, timeline
from peacetrack.model import Claim, Document, Stance
from peacetrack.source import Statement
from peacetrack.store import Store, cell_summaries
from peacetrack.store.cell_summaries import cell_claims, column_totals, refresh
from peacetrack.store.engine import alembic_config
from peacetrack.store.proposals import list_proposals, merge_proposals, rename_proposal
from peacetrack.store.queries import statements_with_ids
from peacetrack.store.review import accept_claim, add_claim, edit_claim, reject_claim
from peacetrack.support import Support
from test_aggregate import START, claims_for, fill

VIEWS: list[dict[str, Any]] = [
    {},
    {"by": "proposal"},
    {"actors": ["UKR"], "issues": ["TER.*"]},
    # Every floor is kept in the summaries, and an end date read from the kept days.
    {"min_support": Support.LOW},
    {"min_support": Support.CORROBORATED, "by": "proposal"},
    {"min_support": Support.REVIEWED},
    {"until": START + timedelta(days=45)},
    {"until": START + timedelta(days=30), "min_support": Support.ANONYMOUS, "by": "proposal"},
]


def _by_conflict(store: Store) -> list[dict[str, Any]]:
    """The matrices of the two largest conflicts and of the unassigned claims, by actor and
    by proposal: their cells are summarised apart (issue #13)."""
    counts = sorted(store.conflict_counts(), key=lambda n: -n.claims)
    chosen = [*[n.conflict for n in counts if n.conflict is not None][:2], "unassigned"]
    return [{"conflict": c, "by": by} for c in chosen for by in ("actor", "proposal")]


def assert_summaries_match(store: Store) -> None:
    for view in [*VIEWS, *_by_conflict(store)]:
        expected = compare(store.claims(), independent_groups=store.independent_groups, **view)
        assert compare(store, **view) == expected, view


def _sql(store: Store, statement: str, **params: Any) -> None:
    """Another program writing to the database: only the triggers can notice."""
    engine = create_engine(store.url)
    with engine.begin() as connection:
        connection.execute(text(statement), params)
    engine.dispose()


@pytest.fixture
def filled(fresh_db: Store) -> Store:
    fill(fresh_db)
    assert_summaries_match(fresh_db)
    return fresh_db


def test_a_fresh_comparison_leaves_nothing_stale(filled: Store) -> None:
    assert refresh(filled) == 0


def test_reviews_rebuild_only_the_cells_they_touch(filled: Store) -> None:
    claim = filled.claims()[0]
    reject_claim(filled, claim.id)
    # Each cell twice: across conflicts and within the claim's conflict.
    touched = 2 * (len(claim.claim.actors) + (1 if claim.canonical_proposal else 0))
    assert refresh(filled) == touched
    assert_summaries_match(filled)


@pytest.mark.parametrize(
    "review",
    [
        lambda store, claim: accept_claim(store, claim.id),
        lambda store, claim: edit_claim(
            store, claim.id, {"issue": "HUM.DETAINEES", "actors": ["EU"], "stance": "offer"}
        ),
        lambda store, claim: edit_claim(store, claim.id, {"proposal": "Capital plan"}),
        lambda store, claim: add_claim(
            store,
            claim.document_id,
            Claim(
                actors=["USA"],
                stance=Stance.REJECT,
                issue=claim.claim.issue,
                evidence=claim.claim.evidence,
            ),
            reviewer="tester",
        ),
    ],
    ids=["accept", "edit-issue-actors", "edit-proposal", "add"],
)
def test_reviews_keep_summaries_right(
    filled: Store, review: Callable[[Store, Any], object]
) -> None:
    for stored in filled.claims()[::7]:
        review(filled, stored)
    assert_summaries_match(filled)


def test_re_extraction_keeps_summaries_right(filled: Store) -> None:
    document = filled.claims()[0].document_id
    replacement = [s.claim for s in filled.claims(document=document)][:1]
    replacement = [replacement[0].model_copy(update={"stance": Stance.REJECT})]
    filled.save_extraction(document, "gen", replacement)
    assert_summaries_match(filled)


def test_proposal_rename_merge_and_delete_keep_summaries_right(filled: Store) -> None:
    # Proposals merge within one conflict only (issue #13): two of the same conflict.
    by_conflict: dict[str | None, list[str]] = {}
    for proposal in list_proposals(filled):
        by_conflict.setdefault(proposal.conflict, []).append(proposal.name)
    names = sorted(max(by_conflict.values(), key=len))
    assert len(names) >= 2
    rename_proposal(filled, names[0], "Renamed plan")
    assert_summaries_match(filled)
    merge_proposals(filled, "Renamed plan", names[1])
    assert_summaries_match(filled)
    _sql(filled, "DELETE FROM proposals WHERE name = :name", name=names[1])
    assert_summaries_match(filled)


def test_documents_redated_or_deleted_keep_summaries_right(filled: Store) -> None:
    documents = sorted({s.document_id for s in filled.claims()})
    _sql(
        filled,
        "UPDATE documents SET published = :day WHERE id = :id",
        day=date(2026, 1, 1),
        id=documents[0],
    )
    assert_summaries_match(filled)
    _sql(filled, "DELETE FROM documents WHERE id = :id", id=documents[1])
    assert_summaries_match(filled)


def test_a_copy_linking_two_sources_merges_them(fresh_db: Store) -> None:
    """Two outlets each ran most of a wire story (too little in common to be linked); the
    whole story then arrives, a near duplicate of both: the three are one source."""
    sentences = [
        f"Sentence number {i} of the wire story on the ceasefire talks." for i in range(40)
    ]
    texts = {"a": sentences[:34], "b": sentences[6:], "whole": sentences}
    claim = Claim(
        actors=["UKR"], stance=Stance.DEMAND, issue="CF.GENERAL", evidence="Sentence number 10"
    )
    ids = {}
    for name, body in texts.items():
        document = Document(name=name, text=" ".join(body), published=date(2025, 5, 1))
        ids[name] = fresh_db.add_document(document).document_id
        if name != "whole":
            fresh_db.save_extraction(ids[name], "gen", [claim])
            assert compare(fresh_db).cell("CF.GENERAL", "UKR") is not None
    assert fresh_db.near_duplicates(ids["a"]) == [(ids["whole"], pytest.approx(0.85, abs=0.1))]
    assert fresh_db.independent_groups([ids["a"], ids["b"]]) == [{ids["a"], ids["b"]}]
    cell = compare(fresh_db).cell("CF.GENERAL", "UKR")
    assert cell is not None and cell.count == 2 and cell.sources == 1
    assert_summaries_match(fresh_db)


def _trigger_selects(connection: Any) -> list[tuple[str, str]]:
    """(trigger, SELECT) for each statement of the store's marking triggers, its NEW and
    OLD values replaced by constants so the statement can be explained alone."""
    triggers = "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND name LIKE 'cells%'"
    found = []
    for name, sql in connection.execute(text(triggers)):
        body = re.sub(r"\b(?:NEW|OLD)\.\w+", "1", sql.split(" BEGIN ", 1)[1])
        for statement in body.removesuffix("END").split(";"):
            if "SELECT" in statement:
                found.append((name, statement[statement.index("SELECT") :]))
    return found


def test_marking_triggers_find_claims_by_index(filled: Store) -> None:
    """Every statement a marking trigger runs reads the claims it marks through an index,
    never the whole table: linking one near duplicate at ingest must cost the same in a
    store of a million claims as in a new one (issue #16; migration 0016)."""
    if not filled.url.startswith("sqlite"):
        pytest.skip("SQLite's plans; PostgreSQL's triggers run the same statements")
    engine = create_engine(filled.url)
    with engine.connect() as connection:
        selects = _trigger_selects(connection)
        plans = [
            (name, row[-1])
            for name, select in selects
            for row in connection.execute(text(f"EXPLAIN QUERY PLAN {select}"))
        ]
    engine.dispose()
    assert len({name for name, _ in selects}) == 13
    assert [(n, step) for n, step in plans if re.match(r"SCAN (?!claim_cells)", step)] == []


def test_cell_claims_lists_a_cell_newest_first(filled: Store) -> None:
    matrix = compare(filled)
    row, column, cell = next(iter(matrix))
    listed = cell_claims(filled, "actor", row, column)
    assert len(listed) == cell.count
    assert {s.id for s in cell.current} <= {s.id for s in listed}
    assert len(cell_claims(filled, "actor", row, column, limit=2)) == min(2, cell.count)
    by_proposal = compare(filled, by="proposal")
    row, column, cell = next(iter(by_proposal))
    assert len(cell_claims(filled, "proposal", row, column)) == cell.count


def test_statements_read_alone_are_what_the_whole_claims_state(filled: Store) -> None:
    """A matrix reads only what the claims behind its cells state (``Statement``): the
    same as reading each claim whole, for every term a sentence or a diff reads."""
    first = filled.claims()[0]
    detailed = Claim(
        actors=["RUS"],
        stance=Stance.DEMAND,
        issue="TER.RECOGNITION",
        obligor=["UKR", "USA"],
        territories=["UA-14", "UA-09"],
        conditions=[{"relation": "before", "issue": "CF.GENERAL"}],
        recognition={"by": ["UKR"], "type": "de_jure"},
        evidence=first.claim.evidence,
    )
    add_claim(filled, first.document_id, detailed, reviewer="tester")
    claims = filled.claims()
    with filled.reading() as connection:
        stated = statements_with_ids(connection, [s.id for s in claims] + [10**9])
    assert stated == {s.id: Statement.of(s) for s in claims}
    assert any(s.conditions and s.recognition and s.obligor for s in stated.values())


def migrate_down_and_up(store: Store, revision: str, up_to: str = "head") -> None:
    """The store taken down to ``revision`` and up to ``up_to`` again, as an older store
    is upgraded."""
    engine = create_engine(store.url)
    with engine.begin() as connection:
        command.downgrade(alembic_config(connection), revision)
    with engine.begin() as connection:
        command.upgrade(alembic_config(connection), up_to)
    engine.dispose()


def test_upgrading_an_older_store_summarises_every_cell(filled: Store) -> None:
    migrate_down_and_up(filled, "0003")
    # Going below 0005 drops the claims' confidence, so the claims are read afterwards.
    expected = compare(filled.claims(), independent_groups=filled.independent_groups)
    assert compare(filled) == expected


def test_rebuilding_every_cell_a_few_claims_at_a_time_keeps_summaries_right(
    filled: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A rebuild of many cells (as after a migration that marks them all) summarises a
    group of cells at a time; groups of a few claims must give the same summaries, days
    and steps as one group."""
    monkeypatch.setattr(cell_summaries, "REBUILD_BATCH", 5)
    marked = "INSERT INTO stale_cells (kind, issue, col, claim_id) "
    _sql(filled, marked + "SELECT kind, issue, col, 0 FROM cell_summaries")
    assert refresh(filled) > cell_summaries.WHOLE_READ
    from test_step_summaries import assert_steps_match  # it imports this module

    assert_summaries_match(filled)  # the views to an end date read the kept days
    assert_steps_match(filled)


def test_a_refresh_clearing_many_marks_frees_their_space(
    filled: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every read checks for marks: on PostgreSQL, the dead rows of a bulk load's marks
    would be scanned by each check until autovacuum came by, so the refresh that clears
    them vacuums the table (SQLite reuses the pages: nothing to free)."""
    if not filled.url.startswith("postgresql"):
        pytest.skip("SQLite's scan of an emptied table reads no freed page")
    monkeypatch.setattr(cell_summaries, "RECLAIM_AFTER", 0)
    _sql(filled, "INSERT INTO stale_cells (kind, issue, col, claim_id) "
                 "SELECT kind, issue, col, 0 FROM cell_summaries")  # fmt: skip
    assert refresh(filled) > 0
    with filled.reading() as connection:
        assert connection.scalar(text("SELECT pg_relation_size('stale_cells')")) == 0
    assert_summaries_match(filled)


def test_overview_reads_summaries_yet_matches_the_claims(filled: Store) -> None:
    views = pytest.importorskip("peacetrack.web.views", reason="needs the [web] extra")
    counted = Counter(a for s in filled.claims() for a in s.claim.actors)
    assert column_totals(filled, "actor") == dict(counted)
    since = START + timedelta(days=40)
    whole = [e for e in timeline(filled) if e.first is not None and e.first >= since]
    found = views.changes_since(filled, since)
    assert whole and found["changes_total"] == len(whole)
    assert found["changes"] == [views.entry_json(e) for e in whole[::-1][: views.CHANGES]]


def _report(store: Store, n: int, published: date | None) -> None:
    """One report with a few claims, like ``fill``'s, published on ``published``."""
    pairs = claims_for(random.Random(n), n)
    filler = " ".join(f"Filler words about the talks round {n}." for _ in range(12))
    text = f"{filler}\n" + "\n".join(s for s, _ in pairs)
    doc = Document(name=f"later-{n}.txt", text=text, outlet="Outlet", published=published)
    store.save_extraction(store.add_document(doc).document_id, "gen", [c for _, c in pairs])


def test_reports_arriving_in_any_order_keep_summaries_right(filled: Store) -> None:
    """Later reports extend cells; earlier or undated ones make them rebuild."""
    rng = random.Random(5)
    for n in range(100, 124):
        day = None if n % 9 == 0 else START + timedelta(days=rng.randint(40, 90))
        _report(filled, n, day)
        if n % 3 == 0:
            assert_summaries_match(filled)
    assert_summaries_match(filled)


def test_later_reports_extend_cells_without_rebuilding_them(
    filled: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refuse(*_: object) -> None:
        raise AssertionError("a cell was rebuilt from all its claims")

    later = START + timedelta(days=200)
    monkeypatch.setattr(cell_summaries, "_rebuild", refuse)
    for n in range(200, 206):
        _report(filled, n, later + timedelta(days=n - 200))
        compare(filled)
    monkeypatch.undo()
    assert_summaries_match(filled)
