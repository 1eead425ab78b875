"""The comparison matrix: cells summarise claims, mark conflicts and changes, count sources.

Claims here are written by hand (paraphrase of a negotiation like the Istanbul round of
2025, never corpus text). Other compare test files import ``stored`` and ``istanbul_round``
from this module so the scenario is defined once.
"""

from __future__ import annotations

import itertools
from datetime import date
from typing import Any

import pytest

from peacetrack.compare import Cell, Matrix, compare
from peacetrack.errors import PeaceTrackError
from peacetrack.model import Claim, Document, Stance
from peacetrack.store import Store, StoredClaim

RUS_TERMS = "Russian demands, Istanbul"
US_DRAFT = "U.S. draft (April)"
_ids = itertools.count(1)


def stored(
    actors: str | list[str],
    stance: str,
    issue: str,
    *,
    doc: int = 1,
    published: date | None = date(2025, 5, 17),
    outlet: str | None = "Example Wire",
    **fields: Any,
) -> StoredClaim:
    """A stored claim with sensible defaults; ``fields`` go to the Claim."""
    fields.setdefault("evidence", f"Hand-written sentence about {issue} number {next(_ids)}.")
    claim = Claim(
        actors=[actors] if isinstance(actors, str) else actors,
        stance=Stance(stance),
        issue=issue,
        **fields,
    )
    return StoredClaim(
        id=next(_ids),
        document_id=doc,
        document_name=f"doc-{doc}.txt",
        claim=claim,
        status="extracted",
        outlet=outlet,
        published=published,
        url=f"https://news.example.org/{doc}",
    )


def istanbul_round() -> list[StoredClaim]:
    """Moscow's spoken terms and the earlier U.S. draft, as one report might relay them."""
    rus: dict[str, Any] = {"proposal": RUS_TERMS, "doc": 1}
    usa: dict[str, Any] = {"proposal": US_DRAFT, "doc": 1}
    regions = ["UA-14", "UA-09", "UA-23", "UA-65"]
    return [
        stored(
            "RUS",
            "demand",
            "TER.WITHDRAW",
            obligor=["UKR"],
            territories=regions,
            conditions=[{"relation": "before", "issue": "CF.GENERAL"}],
            evidence="Moscow wanted Kyiv's troops out of four regions before any truce.",
            **rus,
        ),
        stored(
            "RUS",
            "demand",
            "TER.RECOGNITION",
            territories=["UA-43", *regions],
            recognition={"by": ["INTL"], "type": "de_jure"},
            **rus,
        ),
        stored("RUS", "demand", "SEC.ALIGNMENT", obligor=["UKR"], **rus),
        stored("RUS", "demand", "SEC.FORCE_LIMITS", obligor=["UKR"], **rus),
        stored("RUS", "demand", "SEC.FOREIGN_FORCES", territories=["UA"], **rus),
        stored("RUS", "demand", "JUS.COMPENSATION", **rus),
        stored("USA", "absent", "TER.WITHDRAW", **usa),
        stored("USA", "absent", "SEC.ALIGNMENT", **usa),
        stored(
            "USA",
            "propose",
            "TER.RECOGNITION",
            territories=["UA-43"],
            recognition={"by": ["USA"], "type": "de_jure"},
            **usa,
        ),
        stored(
            "USA",
            "propose",
            "TER.RECOGNITION",
            territories=regions,
            recognition={"by": ["USA"], "type": "de_facto"},
            **usa,
        ),
        stored("USA", "propose", "JUS.COMPENSATION", **usa),
    ]


def test_matrix_by_actor_has_issue_rows_in_codebook_order() -> None:
    m = compare(istanbul_round())
    assert set(m.columns) == {"RUS", "USA"}
    assert m.rows.index("TER.WITHDRAW") < m.rows.index("JUS.COMPENSATION")
    cell = m.cell("TER.WITHDRAW", "RUS")
    assert cell is not None
    assert cell.stance is Stance.DEMAND
    assert cell.summary.startswith("demands that Ukraine withdraw from Donetsk")
    assert "Donetsk" in cell.summary and "Ukraine" in cell.summary
    assert "ceasefire" in cell.summary.lower()
    assert (cell.sources, cell.first, cell.last) == (1, date(2025, 5, 17), date(2025, 5, 17))
    assert not cell.conflict and not cell.changed


def test_matrix_by_proposal_columns_are_proposals() -> None:
    m = compare(istanbul_round(), by="proposal")
    assert set(m.columns) == {RUS_TERMS, US_DRAFT}
    absent = m.cell("TER.WITHDRAW", US_DRAFT)
    assert absent is not None and absent.stance is Stance.ABSENT
    recognition = m.cell("TER.RECOGNITION", US_DRAFT)
    assert recognition is not None
    assert "de jure" in recognition.summary and "de facto" in recognition.summary
    assert m.cell("SEC.ALIGNMENT", RUS_TERMS) is not None


def test_claims_without_proposal_have_no_proposal_column() -> None:
    m = compare([stored("UKR", "reject", "GEN.DEAL")], by="proposal")
    assert m.columns == [] and m.cells == {}


def test_conflicting_reports_of_the_same_moment_are_marked() -> None:
    claims = [
        stored("HAMAS", "accept", "GEN.DEAL", doc=1, published=date(2025, 3, 1)),
        stored("HAMAS", "reject", "GEN.DEAL", doc=2, published=date(2025, 3, 2)),
    ]
    cell = compare(claims).cell("GEN.DEAL", "HAMAS")
    assert cell is not None
    assert cell.conflict and not cell.changed
    assert cell.sources == 2


def test_nuance_within_one_report_or_compatible_stances_is_no_conflict() -> None:
    one_report = [
        stored("HAMAS", "accept", "GEN.DEAL", doc=1),
        stored("HAMAS", "reject", "GEN.DEAL", doc=1),
    ]
    assert not _cell(compare(one_report), "GEN.DEAL", "HAMAS").conflict
    compatible = [
        stored("RUS", "demand", "TER.WITHDRAW", doc=1),
        stored("RUS", "no_agreement", "TER.WITHDRAW", doc=2),
    ]
    assert not _cell(compare(compatible), "TER.WITHDRAW", "RUS").conflict


def test_syndicated_copies_do_not_conflict_with_each_other() -> None:
    claims = [
        stored("HAMAS", "accept", "GEN.DEAL", doc=1),
        stored("HAMAS", "reject", "GEN.DEAL", doc=2),
    ]

    def groups(ids: object) -> list[set[int]]:
        return [{1, 2}]

    assert not _cell(compare(claims, independent_groups=groups), "GEN.DEAL", "HAMAS").conflict


def test_majority_of_independent_sources_wins_a_conflict() -> None:
    claims = [
        stored("HAMAS", "accept", "GEN.DEAL", doc=1, published=date(2025, 3, 1)),
        stored("HAMAS", "accept", "GEN.DEAL", doc=3, published=date(2025, 3, 1)),
        stored("HAMAS", "reject", "GEN.DEAL", doc=2, published=date(2025, 3, 2)),
    ]
    cell = compare(claims).cell("GEN.DEAL", "HAMAS")
    assert cell is not None and cell.stance is Stance.ACCEPT and cell.conflict


def test_changed_stance_is_marked_and_the_latest_shown() -> None:
    claims = [
        stored("UKR", "reject", "CF.GENERAL", doc=1, published=date(2025, 1, 10)),
        stored("UKR", "accept", "CF.GENERAL", doc=2, published=date(2025, 3, 11)),
    ]
    cell = compare(claims).cell("CF.GENERAL", "UKR")
    assert cell is not None
    assert cell.changed and not cell.conflict
    assert cell.stance is Stance.ACCEPT and cell.summary == "accepts a general ceasefire"
    assert (cell.first, cell.last) == (date(2025, 1, 10), date(2025, 3, 11))
    assert cell.count == 2
    assert [s.stance for s in cell.current] == [Stance.ACCEPT]


def test_syndicated_copies_count_as_one_source() -> None:
    claims = [stored("RUS", "demand", "SEC.ALIGNMENT", doc=d) for d in (1, 2, 3)]

    def groups(ids: object) -> list[set[int]]:
        return [{1, 2}, {3}]

    assert _cell(compare(claims), "SEC.ALIGNMENT", "RUS").sources == 3
    grouped = compare(claims, independent_groups=groups)
    assert _cell(grouped, "SEC.ALIGNMENT", "RUS").sources == 2


def test_filters_on_actors_issue_patterns_and_dates() -> None:
    claims = [
        *istanbul_round(),
        stored("UKR", "propose", "CF.GENERAL", published=date(2025, 6, 1)),
        stored("UKR", "propose", "TER.STATUS", published=None),
    ]
    only_rus = compare(claims, actors=["rus"])
    assert only_rus.columns == ["RUS"]
    territory = compare(claims, issues=["TER.*"])
    assert all(row.startswith("TER.") for row in territory.rows)
    assert "TER.STATUS" in territory.rows
    june = compare(claims, since=date(2025, 6, 1))
    assert june.rows == ["CF.GENERAL"]  # undated claims drop out once dates are asked for
    assert "CF.GENERAL" not in compare(claims, until=date(2025, 5, 31)).rows


def test_unknown_issue_pattern_is_an_error_naming_it() -> None:
    with pytest.raises(PeaceTrackError, match="XYZ"):
        compare(istanbul_round(), issues=["XYZ.*"])


def test_records_and_data_frame() -> None:
    m = compare(istanbul_round())
    records = m.to_records()
    assert len(records) == len(m.cells)
    first = records[0]
    fields = {"issue", "actor", "stance", "summary", "sources", "conflict", "claims"}
    assert fields | {"current_claim_ids"} <= set(first)
    frame = m.to_pandas()
    assert len(frame) == len(records)


def test_through_a_real_store_syndicated_copies_are_one_source(fresh_db: Store) -> None:
    text = (
        "Negotiators from Moscow said on Friday that Kyiv must stay out of any military "
        "alliance, and repeated that demand twice during a long session in the city, "
        "according to two people who attended the meeting and spoke on condition of anonymity."
    )
    evidence = "Kyiv must stay out of any military alliance"
    claim = Claim(actors=["RUS"], stance=Stance.DEMAND, issue="SEC.ALIGNMENT", evidence=evidence)
    first = fresh_db.add_document(_doc("wire-a.txt", text))
    copy = fresh_db.add_document(_doc("wire-b.txt", text + " Edited by the night desk."))
    assert copy.status == "near_duplicate"
    for result in (first, copy):
        fresh_db.save_extraction(result.document_id, "test", [claim])
    m = compare(fresh_db)
    cell = _cell(m, "SEC.ALIGNMENT", "RUS")
    assert (cell.count, cell.sources) == (2, 1)


def _doc(name: str, text: str) -> Document:
    return Document(name=name, text=text, outlet="Example Wire", published=date(2025, 5, 2))


def _cell(m: Matrix, row: str, column: str) -> Cell:
    cell = m.cell(row, column)
    assert cell is not None, f"no cell {row} × {column}"
    return cell
