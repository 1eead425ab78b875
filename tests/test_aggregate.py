"""``compare`` on a store (bulk SQL loading) builds exactly the matrix the claim-list path does.

The store is filled with generated reports: several parties and issues, stances that
change over weeks, reports of one week that contradict each other, syndicated copies
(near duplicates, one source), undated reports, proposals and a rejected claim. Every
filter combination is then compared field by field against ``compare(list_of_claims)``.
"""

from __future__ import annotations

import random
from datetime import date, timedelta
from typing import Any

import pytest

from peacetrack.compare import compare, diff, timeline
from peacetrack.model import Claim, Document, Stance
from peacetrack.store import Store
from peacetrack.store.cell_summaries import cell_claims
from peacetrack.store.review import reject_claim
from peacetrack.support import Support

ACTORS = ["RUS", "UKR", "USA", "EU"]
ISSUES = ["TER.WITHDRAW", "TER.STATUS", "CF.GENERAL", "SEC.ALIGNMENT", "GEN.DEAL"]
STANCES = ["demand", "propose", "accept", "reject", "agree", "no_agreement", "offer"]
PROPOSALS = ["Spring draft", "Capital plan", None, None]
START = date(2025, 3, 1)


def claims_for(rng: random.Random, n: int) -> list[tuple[str, Claim]]:
    """(sentence, claim) pairs; each sentence is written here and is the claim's evidence."""
    made = []
    for k in range(rng.randint(1, 4)):
        actors = rng.sample(ACTORS, rng.choice((1, 1, 2)))
        issue = rng.choice(ISSUES)
        sentence = f"Report {n} item {k}: {' and '.join(actors)} spoke about {issue.lower()}."
        fields: dict[str, Any] = {"proposal": rng.choice(PROPOSALS)} | _grading(n, k)
        if issue == "TER.WITHDRAW" and rng.random() < 0.5:
            fields["territories"] = ["UA-14"]
            fields["obligor"] = [rng.choice(ACTORS)]
        claim = Claim(
            actors=actors,
            stance=Stance(rng.choice(STANCES)),
            issue=issue,
            evidence=sentence,
            **fields,
        )
        made.append((sentence, claim))
    return made


def _grading(n: int, k: int) -> dict[str, Any]:
    """A claim's confidence and attribution, so cells stand on every support level; drawn
    from their own generator so the rest of the data is as it always was."""
    rng = random.Random(n * 31 + k)
    fields: dict[str, Any] = {"confidence": rng.choice((None, None, 0.9, 0.55))}
    if rng.random() < 0.25:
        fields["attribution"] = {"source": "officials", "anonymous": True}
    return fields


def fill(store: Store, seed: int = 3, reports: int = 45) -> None:
    """Reports over ten weeks; every fifth reprints an earlier one with a credit line."""
    rng = random.Random(seed)
    written: list[tuple[str, list[Claim]]] = []
    for n in range(reports):
        if n % 5 == 4:
            text, claims = rng.choice(written)
            text = f"{text}\n\nReporting by desk {n}"
        else:
            pairs = claims_for(rng, n)
            filler = " ".join(f"Filler words about the talks round {n}." for _ in range(12))
            text = f"{filler}\n" + "\n".join(s for s, _ in pairs)
            claims = [c for _, c in pairs]
            written.append((text, claims))
        published = None if n % 11 == 7 else START + timedelta(days=rng.randint(0, 70))
        doc = Document(
            name=f"gen-{n}.txt", text=text, outlet=f"Outlet {n % 4}", published=published
        )
        added = store.add_document(doc)
        store.save_extraction(added.document_id, "gen", claims)
    reject_claim(store, store.claims()[3].id)


FILTERS: list[dict[str, Any]] = [
    {},
    {"by": "proposal"},
    {"actors": ["rus", "USA"]},
    {"actors": [" UKR"]},
    {"issues": ["TER.*"]},
    {"issues": ["CF.GENERAL", "GEN.DEAL"], "actors": ["UKR"]},
    {"since": START + timedelta(days=20), "until": START + timedelta(days=50)},
    {"by": "proposal", "since": START + timedelta(days=30)},
    {"issues": ["HUM.*"]},
    {"min_support": Support.LOW},
    {"min_support": Support.CORROBORATED, "by": "proposal"},
    {"reviewed_only": True},
]


@pytest.mark.parametrize("filters", FILTERS, ids=lambda f: ",".join(f) or "all")
def test_store_compare_is_identical_to_claim_list(fresh_db: Store, filters: dict[str, Any]) -> None:
    fill(fresh_db)
    in_memory = compare(
        fresh_db.claims(), independent_groups=fresh_db.independent_groups, **filters
    )
    from_store = compare(fresh_db, **filters)
    assert from_store == in_memory


def test_generated_store_exercises_every_marker(fresh_db: Store) -> None:
    """Guards the identity test: the data must hold conflicts, changes and duplicates."""
    fill(fresh_db)
    cells = [cell for _, _, cell in compare(fresh_db)]
    assert any(cell.conflict for cell in cells)
    assert any(cell.changed for cell in cells)
    behind = [cell_claims(fresh_db, "actor", row, column) for row, column, _ in compare(fresh_db)]
    groups = fresh_db.independent_groups
    documents = [{s.document_id for s in claims} for claims in behind]
    assert any(len(groups(docs)) < len(docs) for docs in documents)
    assert any(s.published is None for claims in behind for s in claims)
    assert {cell.support for cell in cells} >= {Support.LOW, Support.NAMED, Support.CORROBORATED}
    assert any(cell.weaker for cell in cells)


def test_store_compare_does_not_load_through_store_claims(
    fresh_db: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The bulk path is the one taken: ``Store.claims`` builds ORM rows, far slower."""
    fill(fresh_db, reports=10)
    expected = compare(fresh_db.claims(), independent_groups=fresh_db.independent_groups)

    def refuse(**_: Any) -> None:
        raise AssertionError("compare(store) went through Store.claims")

    monkeypatch.setattr(fresh_db, "claims", refuse)
    assert compare(fresh_db) == expected


@pytest.mark.parametrize("focus", [{}, {"actor": "ukr"}, {"issue": "TER.*"}], ids=str)
def test_store_timeline_is_identical_to_claim_list(fresh_db: Store, focus: dict[str, str]) -> None:
    fill(fresh_db, reports=20)
    groups = fresh_db.independent_groups
    assert timeline(fresh_db, **focus) == timeline(
        fresh_db.claims(), independent_groups=groups, **focus
    )


# "Capital" alone now names several proposals: the generated claims fall in several
# conflicts, and each conflict groups its own "Capital plan" (issue #13).
@pytest.mark.parametrize(
    "sides", [("RUS", "ukr"), ("Spring draft", "Capital plan"), ("EU", "Capital plan")], ids=str
)
def test_store_diff_is_identical_to_claim_list(fresh_db: Store, sides: tuple[str, str]) -> None:
    fill(fresh_db)
    groups = fresh_db.independent_groups
    assert diff(fresh_db, *sides) == diff(fresh_db.claims(), *sides, independent_groups=groups)


def test_store_diff_reads_no_claim_list(fresh_db: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    fill(fresh_db, reports=10)
    expected = diff(fresh_db.claims(), "RUS", "USA", independent_groups=fresh_db.independent_groups)

    def refuse(**_: Any) -> None:
        raise AssertionError("diff(store) went through Store.claims")

    monkeypatch.setattr(fresh_db, "claims", refuse)
    assert diff(fresh_db, "RUS", "USA") == expected
