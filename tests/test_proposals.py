"""Proposals: phrasings of one plan grouped into one, others kept apart, and a person's
renames, merges and splits surviving re-extraction. Runs on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import delete, select

from peacetrack import extract_store
from peacetrack.compare import compare, diff
from peacetrack.errors import StoreError
from peacetrack.model import Claim, Document
from peacetrack.proposals import analyse, proposal_key
from peacetrack.proposals.phrases import name_words
from peacetrack.store import Store
from peacetrack.store.proposal_words import holding
from peacetrack.store.proposals import (
    get_proposal,
    list_proposals,
    merge_proposals,
    rename_proposal,
    split_proposal,
)
from peacetrack.store.schema import ExtractionRow, ProposalRow, ProposalWordRow
from test_cell_summaries import migrate_down_and_up

Factory = Callable[..., Document]
SEED = (
    Path(__file__).resolve().parents[2]
    / "shared/corpus/dev/docs/ru-ua_2025-05-17_reuters_istanbul-demands.txt"
)

# A report of our own: Moscow's spoken terms and three names for one American paper.
ROUND = (
    "Negotiators met in Vienna on Tuesday. Moscow demanded that Kyiv give up the Donetsk region. "
    "No such clause appeared in the draft deal drawn up by Washington. "
    "The U.S. draft offered American recognition of Crimea as Russian. "
    "The U.S. proposal also said Kyiv should be paid for war damage."
)
WITHDRAW = "Moscow demanded that Kyiv give up the Donetsk region."
NO_CLAUSE = "No such clause appeared in the draft deal drawn up by Washington."
CRIMEA = "The U.S. draft offered American recognition of Crimea as Russian."
DAMAGE = "The U.S. proposal also said Kyiv should be paid for war damage."


def claim(evidence: str, actors: list[str], stance: str, issue: str, **fields: Any) -> Claim:
    return Claim(actors=actors, stance=stance, issue=issue, evidence=evidence, **fields)


def round_claims() -> list[Claim]:
    return [
        claim(WITHDRAW, ["RUS"], "demand", "TER.WITHDRAW", proposal="terms for a peace deal"),
        claim(NO_CLAUSE, ["USA"], "absent", "TER.WITHDRAW", proposal="draft deal"),
        claim(CRIMEA, ["USA"], "propose", "TER.RECOGNITION", proposal="U.S. draft"),
        claim(DAMAGE, ["USA"], "propose", "JUS.COMPENSATION", proposal="U.S. proposal"),
    ]


def save(store: Store, doc_id: int, claims: list[Claim], extractor: str = "rules.v1") -> None:
    store.save_extraction(doc_id, extractor, claims)


@pytest.fixture
def vienna(fresh_db: Store, sample_document: Factory) -> int:
    doc = fresh_db.add_document(sample_document(text=ROUND, published=date(2025, 4, 22)))
    save(fresh_db, doc.document_id, round_claims())
    return doc.document_id


def names(store: Store) -> dict[str, str | None]:
    """Each claim's evidence -> its proposal's canonical name."""
    return {s.claim.evidence: s.proposal_name for s in store.claims()}


def test_spellings_of_an_author_share_one_key() -> None:
    keys = {proposal_key(p) for p in ("U.S. draft", "the US draft", "American draft")}
    assert keys == {proposal_key("Washington's draft")} == {"@USA draft"}
    assert analyse("the draft deal prepared by the United States").authors == ("USA",)
    assert analyse("the draft deal").generic and not analyse("Trump's 20-point Gaza plan").generic


def test_three_us_phrasings_are_one_proposal(fresh_db: Store, vienna: int) -> None:
    found = {p.name: p for p in list_proposals(fresh_db)}
    assert set(found) == {"Russian demands", "U.S. draft"}
    us = found["U.S. draft"]
    assert (us.kind, us.authors, us.date, us.claims) == ("draft", ("USA",), date(2025, 4, 22), 3)
    assert {"draft deal", "U.S. proposal"} <= set(us.aliases)
    assert names(fresh_db) == {
        WITHDRAW: "Russian demands",
        NO_CLAUSE: "U.S. draft",
        CRIMEA: "U.S. draft",
        DAMAGE: "U.S. draft",
    }
    by_alias = fresh_db.claims(proposal="US proposal")
    assert sorted(s.claim.evidence for s in by_alias) == sorted([NO_CLAUSE, CRIMEA, DAMAGE])


def test_other_authors_kinds_and_far_dates_stay_apart(
    fresh_db: Store, vienna: int, sample_document: Factory
) -> None:
    text = (
        "Kyiv circulated a draft of its own. Washington set out its demands on sanctions. "
        "Months later a fresh U.S. draft asked for elections."
    )
    later = fresh_db.add_document(sample_document(text=text, published=date(2025, 4, 30)))
    far = fresh_db.add_document(
        sample_document(text=text + " Again.", published=date(2025, 11, 20))
    )
    save(
        fresh_db,
        later.document_id,
        [
            claim(
                "Kyiv circulated a draft of its own.",
                ["UKR"],
                "propose",
                "GEN.DEAL",
                proposal="draft",
            ),
            claim(
                "Washington set out its demands on sanctions.",
                ["USA"],
                "demand",
                "ECO.SANCTIONS",
                proposal="U.S. demands",
            ),
        ],
    )
    elections = "Months later a fresh U.S. draft asked for elections."
    save(
        fresh_db,
        far.document_id,
        [claim(elections, ["USA"], "propose", "GOV.ELECTIONS", proposal="U.S. draft")],
    )
    found = {p.name: p for p in list_proposals(fresh_db)}
    assert set(found) == {
        "Russian demands",
        "U.S. draft",
        "Ukrainian draft",
        "U.S. demands",
        "U.S. draft (Nov 2025)",
    }
    assert found["U.S. draft"].claims == 3 and found["U.S. draft (Nov 2025)"].claims == 1


def test_undated_reports_group_only_within_one_document(
    fresh_db: Store, sample_document: Factory
) -> None:
    for _ in range(2):
        doc = fresh_db.add_document(sample_document(text=ROUND + " " + str(_), published=None))
        save(fresh_db, doc.document_id, round_claims())
    assert sorted(p.name for p in list_proposals(fresh_db)) == [
        "Russian demands",
        "Russian demands (2)",
        "U.S. draft",
        "U.S. draft (2)",
    ]


def reextract(store: Store, doc_id: int) -> None:
    """As `peacetrack extract` after deleting the extractions rows, then a new version."""
    with store.transaction() as session:
        session.execute(delete(ExtractionRow))
    save(store, doc_id, round_claims())
    save(store, doc_id, round_claims(), extractor="rules.v2")


def test_a_proposal_left_without_claims_is_its_own_documents_alone(
    fresh_db: Store, vienna: int, sample_document: Factory
) -> None:
    """An extraction that found nothing leaves the document's proposals without claims; a
    later one finds them again (dated like the document), while a report months later
    naming the same plan gets its own, as it would had the old one kept its claims."""
    save(fresh_db, vienna, [])
    assert {p.name: p.claims for p in list_proposals(fresh_db)} == {
        "Russian demands": 0,
        "U.S. draft": 0,
    }
    later = fresh_db.add_document(
        sample_document(text=ROUND + " Months on.", published=date(2025, 11, 20))
    )
    save(fresh_db, later.document_id, [claim(CRIMEA, ["USA"], "propose", "TER.RECOGNITION",
                                             proposal="U.S. draft")])  # fmt: skip
    save(fresh_db, vienna, round_claims())
    found = {p.name: p.claims for p in list_proposals(fresh_db)}
    assert found == {"Russian demands": 1, "U.S. draft": 3, "U.S. draft (Nov 2025)": 1}


def test_rename_survives_reextraction(fresh_db: Store, vienna: int) -> None:
    renamed = rename_proposal(fresh_db, "U.S. draft", "U.S. draft (April)")
    assert "U.S. draft" in renamed.aliases
    reextract(fresh_db, vienna)
    assert sorted(p.name for p in list_proposals(fresh_db)) == [
        "Russian demands",
        "U.S. draft (April)",
    ]
    assert get_proposal(fresh_db, "april").claims == 6
    assert set(names(fresh_db).values()) == {"Russian demands", "U.S. draft (April)"}


def test_merge_survives_reextraction(fresh_db: Store, vienna: int) -> None:
    merged = merge_proposals(fresh_db, "Russian demands", "U.S. draft")
    assert merged.claims == 4 and "Russian demands" in merged.aliases
    reextract(fresh_db, vienna)
    assert [(p.name, p.claims) for p in list_proposals(fresh_db)] == [("U.S. draft", 8)]


def test_split_survives_reextraction(fresh_db: Store, vienna: int) -> None:
    split = split_proposal(fresh_db, "U.S. draft", "US proposal", "U.S. compensation paper")
    assert (split.claims, split.aliases, split.authors) == (1, ("U.S. proposal",), ("USA",))
    assert "U.S. proposal" not in get_proposal(fresh_db, "U.S. draft").aliases
    reextract(fresh_db, vienna)
    assert names(fresh_db)[DAMAGE] == "U.S. compensation paper"
    assert names(fresh_db)[CRIMEA] == "U.S. draft"
    assert get_proposal(fresh_db, "compensation").claims == 2


MEMO = "Moscow proposed its own memorandum on a ceasefire."


def test_split_gives_each_proposal_what_its_own_claims_make_of_it(
    fresh_db: Store, vienna: int, sample_document: Factory
) -> None:
    """Merging an earlier Russian memorandum into the U.S. draft and splitting it back off
    gives the new proposal the memorandum's kind, date and author, and the draft its own
    again: neither keeps what the merge combined."""
    memo_doc = fresh_db.add_document(sample_document(text=MEMO, published=date(2025, 4, 1)))
    memo = [claim(MEMO, ["RUS"], "propose", "CF.GENERAL", proposal="Russian memorandum")]
    save(fresh_db, memo_doc.document_id, memo)
    before = get_proposal(fresh_db, "Russian memorandum")
    merged = merge_proposals(fresh_db, "Russian memorandum", "U.S. draft")
    assert (merged.date, set(merged.authors)) == (date(2025, 4, 1), {"USA", "RUS"})
    split = split_proposal(fresh_db, "U.S. draft", "Russian memorandum", "Moscow memo")
    traits = (split.kind, split.date, split.authors, split.claims)
    assert traits == (before.kind, date(2025, 4, 1), ("RUS",), 1)
    draft = get_proposal(fresh_db, "U.S. draft")
    assert (draft.kind, draft.date, draft.authors, draft.claims) == (
        "draft",
        date(2025, 4, 22),
        ("USA",),
        3,
    )


PLAN = "Washington's 20-point plan"
PLAN_TEXT = "The US 20-point plan calls for a ceasefire along the current line."


def test_a_specific_name_finds_its_plan_made_long_before(
    fresh_db: Store, sample_document: Factory
) -> None:
    """Outside the grouping window a specific name still joins the plan it names, found by
    the words of its names (``proposal_words``), not by reading every proposal."""
    text = f"{ROUND} {PLAN_TEXT}"
    doc = fresh_db.add_document(sample_document(text=text, published=date(2025, 1, 10)))
    plan = claim(PLAN_TEXT, ["USA"], "propose", "CF.GENERAL", proposal=PLAN)
    save(fresh_db, doc.document_id, [plan, *round_claims()])
    other = "The Oslo track paper asked for talks."
    for month in (6, 11):
        later = fresh_db.add_document(
            sample_document(text=f"{PLAN_TEXT} {other} {month}", published=date(2025, month, 2))
        )
        save(fresh_db, later.document_id, [
            claim(PLAN_TEXT, ["USA"], "propose", "CF.GENERAL", proposal="the US 20-point plan"),
            claim(other, ["NOR"], "propose", "PROC.TALKS", proposal=f"Oslo track paper {month}"),
        ])  # fmt: skip
    found = {p.name: p.claims for p in list_proposals(fresh_db)}
    assert found[PLAN] == 6  # with its first report's three U.S. phrases, and two later
    assert found["Oslo track paper 6"] == found["Oslo track paper 11"] == 1
    with fresh_db.reading() as connection:
        hits = connection.scalars(select(ProposalRow.name).where(holding({"20", "point"})))
        assert list(hits) == [PLAN]
        assert not list(connection.scalars(select(ProposalRow.id).where(holding({"20", "oslo"}))))


def test_corrected_names_are_found_long_after(fresh_db: Store, vienna: int) -> None:
    """A rename, a split and a merge write the words of the names they change, so a report
    months later naming a new name, a split-off alias or a merged name finds it."""
    rename_proposal(fresh_db, "U.S. draft", "Vienna framework")
    rename_proposal(fresh_db, "Vienna framework", "Vienna framework II")
    split_proposal(fresh_db, "Vienna framework II", "Vienna framework", "Early Vienna text")
    merge_proposals(fresh_db, "Early Vienna text", "Russian demands")
    expected = {
        "Vienna framework II": "Vienna framework II",
        "the Vienna framework": "Russian demands",
        "the early Vienna text": "Russian demands",
    }
    for n, (phrase, name) in enumerate(expected.items()):
        said = f"The plan came up again in round {n}."
        doc = fresh_db.add_document(
            Document(name=f"late-{n}.txt", text=f"{ROUND} {said}", published=date(2026, 3, 1))
        )
        save(fresh_db, doc.document_id, [claim(said, ["USA"], "propose", "TER.RECOGNITION",
                                               proposal=phrase)])  # fmt: skip
        assert names(fresh_db)[said] == name


def test_upgrading_a_store_indexes_its_proposals_words(fresh_db: Store, vienna: int) -> None:
    migrate_down_and_up(fresh_db, "0012")
    with fresh_db.reading() as connection:
        stored = {(w.proposal_id, w.word) for w in connection.execute(select(ProposalWordRow))}
        rows = connection.execute(select(ProposalRow))
        assert stored == {(r.id, w) for r in rows for w in name_words(r.name, *r.aliases)}
    assert stored


def test_errors_name_the_proposal_and_how_to_list(fresh_db: Store, vienna: int) -> None:
    with pytest.raises(StoreError, match=r"no proposal 'Minsk'.*peacetrack proposals list"):
        rename_proposal(fresh_db, "Minsk", "x")
    with pytest.raises(StoreError, match=r"already called 'U.S. draft'"):
        rename_proposal(fresh_db, "Russian", "U.S. draft")
    with pytest.raises(StoreError, match=r"both proposal 'U.S. draft'"):
        merge_proposals(fresh_db, "US proposal", "U.S. draft")
    with pytest.raises(StoreError, match=r"no alias 'Minsk'.*its aliases: draft deal"):
        split_proposal(fresh_db, "U.S. draft", "Minsk", "x")
    with pytest.raises(StoreError, match="is the name of proposal"):
        split_proposal(fresh_db, "U.S. draft", "US draft", "x")


def test_compare_has_one_column_per_proposal_and_diff_takes_aliases(
    fresh_db: Store, vienna: int
) -> None:
    matrix = compare(fresh_db, by="proposal")
    assert sorted(matrix.columns) == ["Russian demands", "U.S. draft"]
    result = diff(fresh_db, "terms for a peace deal", "US proposal")
    assert (result.a, result.b) == ("Russian demands", "U.S. draft")
    assert [i.issue for i in result.only_a] == ["TER.WITHDRAW"]
    assert [i.issue for i in result.only_b] == ["TER.RECOGNITION", "JUS.COMPENSATION"]


@pytest.mark.skipif(not SEED.exists(), reason="the shared dev corpus is not beside the checkout")
def test_seed_report_compares_three_proposals(fresh_db: Store) -> None:
    text = SEED.read_text(encoding="utf-8")
    fresh_db.add_document(Document(name=SEED.name, text=text))
    extract_store(fresh_db, "rules.v1")  # the rules' reading of the proposals, not the default's
    columns = compare(fresh_db, by="proposal").columns
    assert len(columns) <= 4
    assert {"Russian demands", "U.S. draft"} <= set(columns)
    assert any("alternative" in c for c in columns)
    result = diff(fresh_db, "Russian demands", "U.S. draft")
    only_russian = {i.issue for i in result.only_a}
    assert only_russian == {
        "TER.WITHDRAW",
        "SEC.ALIGNMENT",
        "SEC.FORCE_LIMITS",
        "SEC.FOREIGN_FORCES",
    }
    assert all(i.stated_absent for i in result.only_a)
    assert {i.issue for i in result.different} == {"TER.RECOGNITION", "JUS.COMPENSATION"}
    assert result.only_b == []
