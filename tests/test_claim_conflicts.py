"""Every stored claim belongs to a conflict (issue #13): decided as it is saved, filtered on,
reassigned by a reviewer (surviving re-extraction), and filled in for existing stores.

The reports are our own sentences; what decides a claim's conflict is its actors (the
codebook's parties and the actors around each conflict) and its document's other claims.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pytest
from alembic import command
from sqlalchemy import create_engine, text

from peacetrack.errors import InputError
from peacetrack.model import Claim, Document, Stance
from peacetrack.source import Filters, MemorySource
from peacetrack.store import Store
from peacetrack.store.engine import alembic_config

KYIV = "Russia and Ukraine agreed to swap prisoners. Washington demanded a ceasefire."
GAZA = "Israel and Hamas agreed a truce. Washington demanded the release of hostages."
VAGUE = "Washington urged calm."


def claim(actors: list[str], evidence: str, **fields: object) -> Claim:
    values: dict[str, object] = {
        "actors": actors,
        "stance": Stance.DEMAND,
        "issue": "CF.GENERAL",
        "evidence": evidence,
    }
    return Claim.model_validate(values | fields)


def add(store: Store, name: str, body: str, published: date, claims: list[Claim]) -> int:
    document_id = store.add_document(Document(name=name, text=body, published=published))
    store.save_extraction(document_id.document_id, "rules.v1", claims)
    return document_id.document_id


def kyiv_claims() -> list[Claim]:
    return [
        claim(["RUS", "UKR"], "Russia and Ukraine agreed to swap prisoners."),
        claim(["USA"], "Washington demanded a ceasefire."),
    ]


@pytest.fixture
def wars(fresh_db: Store) -> Store:
    add(fresh_db, "kyiv.txt", KYIV, date(2025, 3, 1), kyiv_claims())
    gaza = [
        claim(["ISR", "HAMAS"], "Israel and Hamas agreed a truce."),
        claim(["USA"], "Washington demanded the release of hostages."),
    ]
    add(fresh_db, "gaza.txt", GAZA, date(2025, 3, 5), gaza)
    add(fresh_db, "vague.txt", VAGUE, date(2025, 3, 9), [claim(["USA"], VAGUE)])
    return fresh_db


def conflicts_of(store: Store, **filters: object) -> dict[str, str | None]:
    return {s.claim.evidence: s.conflict for s in store.claims(**filters)}  # type: ignore[arg-type]


def test_claims_get_their_conflict_when_saved(wars: Store) -> None:
    found = conflicts_of(wars)
    assert found["Washington demanded a ceasefire."] == "ru-ua"  # follows its document
    assert found["Washington demanded the release of hostages."] == "il-gaza"
    assert found[VAGUE] is None  # fits no conflict on its own: unassigned, not merged


def test_the_conflict_filter_takes_ids_names_aliases_and_unassigned(wars: Store) -> None:
    assert len(wars.claims(conflict="ru-ua")) == 2
    assert len(wars.claims(conflict="the war in Ukraine")) == 2
    assert [s.claim.evidence for s in wars.claims(conflict="unassigned")] == [VAGUE]
    with pytest.raises(InputError, match="Did you mean ru-ua"):
        wars.claims(conflict="ru-au")
    counts = {n.conflict: n for n in wars.conflict_counts()}
    assert counts["ru-ua"].claims == 2 and counts[None].claims == 1


def test_memory_and_sql_agree_on_the_conflict_filter(wars: Store) -> None:
    every = wars.claims()
    for wanted in ("ru-ua", "il-gaza", "unassigned"):
        in_memory = MemorySource(every).select_claims(Filters(conflict=wanted))
        assert {s.id for s in in_memory} == {
            s.id for s in wars.select_claims(Filters(conflict=wanted))
        }


def test_a_reassigned_claim_keeps_its_conflict_through_re_extraction(wars: Store) -> None:
    vague = wars.claims(conflict="unassigned")[0]
    moved = wars.review.reassign(vague.id, "il-gaza", "ana")
    assert moved.conflict == "il-gaza" and moved.status == "edited"
    event = wars.review.history(vague.id)[-1]
    assert event.action == "reassign" and event.reviewer == "ana"
    assert event.before is not None and event.before["conflict"] is None
    assert event.after is not None and event.after["conflict"] == "il-gaza"
    wars.save_extraction(vague.document_id, "rules.v1", [claim(["USA"], VAGUE)])
    again = wars.claims(document=vague.document_id)
    # The reviewed claim stays beside the extractor's copy, which takes its conflict.
    assert [(s.status, s.conflict) for s in again] == [
        ("edited", "il-gaza"),
        ("extracted", "il-gaza"),
    ]


def test_a_reassigned_document_gives_re_extracted_claims_its_conflict(wars: Store) -> None:
    [kyiv] = [d for d in wars.documents() if d.name == "kyiv.txt"]
    assert kyiv.id is not None
    moved = wars.review.reassign_document(kyiv.id, "unassigned", "ana")
    assert {s.conflict for s in moved} == {None}
    assert {e.action for s in moved for e in wars.review.history(s.id)} == {"reassign"}
    wars.save_extraction(kyiv.id, "rules.v1", kyiv_claims())
    assert {s.conflict for s in wars.claims(document=kyiv.id)} == {None}
    wars.review.reassign_document("kyiv.txt", None, "ana")  # back to the claims' own decision
    assert {s.conflict for s in wars.claims(document=kyiv.id)} == {"ru-ua"}
    wars.save_extraction(kyiv.id, "rules.v1", kyiv_claims())
    assert {s.conflict for s in wars.claims(document=kyiv.id)} == {"ru-ua"}


def test_proposals_are_grouped_within_one_conflict(fresh_db: Store) -> None:
    drafts = [
        ("kyiv.txt", "Russia rejected the U.S. draft. Ukraine rejected it too.", ["RUS", "UKR"]),
        ("gaza.txt", "Israel rejected the U.S. draft. Hamas rejected it too.", ["ISR", "HAMAS"]),
        ("more.txt", "Moscow rejected the U.S. draft again. Kyiv agreed.", ["RUS", "UKR"]),
    ]
    for day, (name, body, parties) in enumerate(drafts, start=1):
        first = body.split(". ")[0] + "."
        made = [
            claim(parties[:1], first, stance=Stance.REJECT, proposal="U.S. draft"),
            claim(parties, body.split(". ")[1]),
        ]
        add(fresh_db, name, body, date(2025, 3, day), made)
    named = {
        (s.conflict, s.proposal_name) for s in fresh_db.claims() if s.claim.proposal is not None
    }
    assert len(named) == 2 and {c for c, _ in named} == {"ru-ua", "il-gaza"}
    by_conflict = dict(named)
    assert by_conflict["ru-ua"] != by_conflict["il-gaza"]


def test_the_migration_assigns_existing_claims_and_splits_mixed_proposals(
    new_database: Callable[[], str],
) -> None:
    url = new_database()
    with Store.open(url) as store:
        add(store, "kyiv.txt", KYIV, date(2025, 3, 1), kyiv_claims())
        gaza = [claim(["ISR", "HAMAS"], "Israel and Hamas agreed a truce.", proposal="truce")]
        add(store, "gaza.txt", GAZA, date(2025, 3, 2), gaza)
        swap = "Russia and Ukraine agreed to swap prisoners."
        add(store, "swap.txt", swap, date(2025, 3, 3), [claim(["RUS", "UKR"], swap)])
    engine = create_engine(url)
    with engine.begin() as connection:
        command.downgrade(alembic_config(connection), "0006")
        # A store of before: one proposal row holding claims of two wars.
        connection.execute(text("UPDATE claims SET proposal_id = (SELECT MIN(id) FROM proposals)"))
    engine.dispose()
    with Store.open(url) as store:
        found = {s.claim.evidence: s for s in store.claims()}
        assert found["Washington demanded a ceasefire."].conflict == "ru-ua"
        assert found["Israel and Hamas agreed a truce."].conflict == "il-gaza"
        names = {s.conflict: s.proposal_name for s in store.claims()}
        assert len(set(names.values())) == len(names) == 2
