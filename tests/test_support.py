"""Support: only positions with enough of it decide a cell's stance and mark it changed or
conflicting; weaker claims are counted beside the cell, and a lower floor lets them in.

The scenario (hand-written, not corpus text): two outlets report that Ukraine accepts a
general ceasefire; one misread sentence, with an extractor confidence of 0.55, says it
rejects one.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from typer.testing import CliRunner

from peacetrack.cli import app
from peacetrack.compare import compare, diff, timeline, write_report
from peacetrack.compare.render import cell_text, render_matrix, render_timeline
from peacetrack.errors import InputError
from peacetrack.model import Document
from peacetrack.store import Store, StoredClaim
from peacetrack.store.review import accept_claim
from peacetrack.support import (
    DEFAULT_SUPPORT,
    Support,
    Voice,
    claim_grade,
    independent,
    parse_grade,
    parse_support,
    position_support,
)
from test_compare import stored

MARCH, MAY = date(2025, 3, 10), date(2025, 5, 20)
ANONYMOUS = {"attribution": {"source": "officials", "anonymous": True}}


def corroborated_then_misread(same_week: bool) -> list[StoredClaim]:
    """Two outlets report acceptance; a low-confidence reading says rejection, in the same
    week (a conflict, if believed) or two months later (a change, if believed)."""
    later = MARCH if same_week else MAY
    return [
        stored("UKR", "accept", "CF.GENERAL", doc=1, published=MARCH),
        stored("UKR", "accept", "CF.GENERAL", doc=2, published=MARCH, outlet="Other Wire"),
        stored("UKR", "reject", "CF.GENERAL", doc=3, published=later, confidence=0.55),
    ]


@pytest.mark.parametrize("same_week", [True, False], ids=["conflict", "change"])
def test_a_lone_low_confidence_claim_marks_nothing_by_default(same_week: bool) -> None:
    cell = compare(corroborated_then_misread(same_week)).cell("CF.GENERAL", "UKR")
    assert cell is not None
    assert cell.stance.value == "accept" and cell.support is Support.CORROBORATED
    assert not cell.conflict and not cell.changed
    assert (cell.backing, cell.weaker, cell.count) == (2, 1, 3)
    assert "+1 weaker claim not counted" in cell_text(cell)


def test_a_lowered_floor_lets_the_weak_claim_mark_the_cell() -> None:
    conflict = compare(corroborated_then_misread(True), min_support=Support.LOW)
    change = compare(corroborated_then_misread(False), min_support=Support.LOW)
    assert conflict.cells[("CF.GENERAL", "UKR")].conflict
    moved = change.cells[("CF.GENERAL", "UKR")]
    assert moved.changed and moved.stance.value == "reject" and moved.support is Support.LOW
    assert "↻ changed" in cell_text(moved) and "? low confidence" in cell_text(moved)


def _stored_in(store: Store, claims: list[StoredClaim]) -> None:
    """Each claim in its own document (the claims' documents), as extracted."""
    for s in claims:
        text = f"Report {s.document_id} on the talks.\n{s.claim.evidence}"
        doc = Document(name=s.document_name, text=text, outlet=s.outlet, published=s.published)
        store.save_extraction(store.add_document(doc).document_id, "rules.v1", [s.claim])


@pytest.mark.parametrize("same_week", [True, False], ids=["conflict", "change"])
def test_the_store_agrees_at_every_floor(fresh_db: Store, same_week: bool) -> None:
    """The summaries (default floor) and the claim path (other floors) give the cells the
    claims give."""
    claims = corroborated_then_misread(same_week)
    _stored_in(fresh_db, claims)
    for floor in Support:
        expected = compare(fresh_db.claims(), min_support=floor)
        assert compare(fresh_db, min_support=floor) == expected, floor
    cell = compare(fresh_db).cell("CF.GENERAL", "UKR")
    assert cell is not None and not cell.conflict and not cell.changed and cell.weaker == 1


def test_reviewed_only_shows_what_people_checked(fresh_db: Store) -> None:
    _stored_in(fresh_db, corroborated_then_misread(False))
    assert compare(fresh_db, reviewed_only=True).cells == {}
    weak = next(s for s in fresh_db.claims() if s.claim.stance.value == "reject")
    accept_claim(fresh_db, weak.id)
    cell = compare(fresh_db, reviewed_only=True).cell("CF.GENERAL", "UKR")
    assert cell is not None and cell.stance.value == "reject" and cell.support is Support.REVIEWED
    # Once checked, the claim is no longer weak: it is the latest word, a change.
    assert compare(fresh_db).cells[("CF.GENERAL", "UKR")].changed


def test_the_timeline_and_diff_apply_the_floor() -> None:
    claims = corroborated_then_misread(False)
    steps = timeline(claims)
    assert [s.stance.value for s in steps] == ["accept", "reject"]
    assert not steps[1].changed and steps[1].support is Support.LOW
    assert timeline(claims, min_support=Support.LOW)[1].changed
    assert "? low confidence" in str(render_timeline(steps, "md"))
    other = [stored("RUS", "reject", "CF.GENERAL", doc=4, published=MARCH)]
    result = diff([*claims, *other], "UKR", "RUS")
    assert result.different[0].a is not None and result.different[0].a.stance.value == "accept"
    assert diff([*claims, *other], "UKR", "RUS", min_support=Support.LOW).same


def test_an_anonymous_report_alone_moves_no_marker() -> None:
    claims = [
        stored("RUS", "demand", "SEC.ALIGNMENT", doc=1, published=MARCH),
        stored("RUS", "concede", "SEC.ALIGNMENT", doc=2, published=MAY, **ANONYMOUS),
    ]
    cell = compare(claims).cells[("SEC.ALIGNMENT", "RUS")]
    assert cell.stance.value == "demand" and not cell.changed
    lowered = compare(claims, min_support=Support.ANONYMOUS).cells[("SEC.ALIGNMENT", "RUS")]
    assert lowered.changed and lowered.support is Support.ANONYMOUS


def test_a_cell_of_weak_claims_only_shows_them_with_their_level() -> None:
    cell = compare([stored("USA", "reject", "SEC.NONSTATE_DDR", confidence=0.5)]).cells[
        ("SEC.NONSTATE_DDR", "USA")
    ]
    assert cell.stance.value == "reject" and cell.support is Support.LOW
    assert "? low confidence" in cell_text(cell) and "weaker" not in cell_text(cell)


@pytest.mark.parametrize(
    ("status", "confidence", "anonymous", "grade"),
    [
        ("accepted", 0.2, True, Support.REVIEWED),
        ("added", None, None, Support.REVIEWED),
        ("extracted", 0.6, None, Support.LOW),
        ("extracted", None, True, Support.ANONYMOUS),
        ("extracted", 0.9, False, Support.NAMED),
        ("extracted", None, None, Support.NAMED),  # rules.v1 gives none: not taken as unsure
    ],
)
def test_claim_grades(
    status: str, confidence: float | None, anonymous: Any, grade: Support
) -> None:
    assert claim_grade(status, confidence, anonymous) is grade


def test_position_support_counts_independent_outlets_that_are_not_low() -> None:
    wire, paper = (1, "Wire"), (2, "Paper")
    assert position_support([(Support.ANONYMOUS, wire), (Support.ANONYMOUS, paper)]) is (
        Support.CORROBORATED
    )
    assert position_support([(Support.NAMED, wire), (Support.LOW, paper)]) is Support.NAMED
    assert position_support([(Support.NAMED, wire), (Support.NAMED, (3, "Wire"))]) is (
        Support.NAMED
    )  # two stories of one outlet are one witness
    assert position_support([(Support.LOW, wire), (Support.REVIEWED, wire)]) is Support.REVIEWED


def test_syndicated_copies_and_one_outlets_stories_count_once() -> None:
    assert independent([(1, "Wire"), (1, "Portal")]) == 1  # a copy, reprinted elsewhere
    assert independent([(1, "Wire"), (2, "Wire")]) == 1  # the wire's updated story
    assert independent([(1, "Wire"), (1, "Portal"), (2, "Portal"), (3, None)]) == 2
    assert independent([(1, None), (2, None)]) == 2


@given(st.lists(st.tuples(st.integers(0, 6), st.sampled_from([None, "", "A", "B", "C", "D"]))))
def test_independent_reporters_are_the_parts_reports_join_into(voices: list[Voice]) -> None:
    """Against a plain walk of the graph whose nodes are groups and outlets, linked by
    each report: joins found in any order, after the groups' first outlets, count once."""
    links: dict[object, set[object]] = {}
    for source, outlet in voices:
        links.setdefault(("group", source), set())
        if outlet:
            links[("group", source)].add(("outlet", outlet))
            links.setdefault(("outlet", outlet), set()).add(("group", source))
    parts, seen = 0, set()
    for node in links:
        if node not in seen:
            parts, todo = parts + 1, [node]
            while todo:
                found = todo.pop()
                if found not in seen:
                    seen.add(found)
                    todo.extend(links[found])
    assert independent(voices) == parts


def test_support_levels_are_named_as_users_type_them() -> None:
    assert parse_support(" Corroborated ") is Support.CORROBORATED
    assert DEFAULT_SUPPORT is Support.NAMED
    with pytest.raises(InputError, match="low, anonymous, named, corroborated, reviewed"):
        parse_support("strong")


def test_the_terminal_table_shows_support_and_its_legend() -> None:
    matrix = compare(corroborated_then_misread(False))
    rendered = render_matrix(matrix, "md")
    assert isinstance(rendered, str)
    assert "●● corroborated · 2 of 3 sources" in rendered
    assert "✓ reviewed: a person checked a claim behind it" in rendered
    assert 'at "named" support or above' in rendered
    table = render_matrix(matrix)
    assert not isinstance(table, str) and "●● corroborated" in str(table.caption)


def test_the_report_shows_support_and_applies_the_floor(tmp_path: Path) -> None:
    pytest.importorskip("plotly", reason="needs the [report] extra")
    claims = corroborated_then_misread(False)
    html = write_report(claims, tmp_path / "r.html").read_text(encoding="utf-8")
    assert "●● corroborated · 2 of 3 sources" in html and "+1 weaker claim not counted" in html
    assert "✓ reviewed: a person checked a claim behind it" in html  # the legend
    assert "? low confidence</span>" in html  # the misread claim's own grade, in the evidence
    assert "] ↻ changed" not in html
    lowered = write_report(claims, tmp_path / "low.html", min_support=Support.LOW)
    assert "] ↻ changed" in lowered.read_text(encoding="utf-8")


def test_the_command_line_takes_the_floor_and_reviewed_only(
    fresh_db: Store, tmp_path: Path
) -> None:
    _stored_in(fresh_db, corroborated_then_misread(False))
    runner = CliRunner()

    def run(*args: str) -> str:
        result = runner.invoke(app, [*args, "--db", fresh_db.url, "--format", "md"])
        assert result.exit_code == 0, result.output
        return result.output

    assert "] ↻ changed" not in run("compare") and "weaker claim" in run("compare")
    assert "] ↻ changed" in run("compare", "--min-support", "low")
    assert "CF.GENERAL" not in run("compare", "--reviewed-only")
    assert "? low confidence" in run("timeline", "--min-support", "low")
    refused = runner.invoke(app, ["compare", "--db", fresh_db.url, "--min-support", "strong"])
    assert refused.exit_code == 1 and "choose one of low, anonymous" in refused.output


def test_an_unknown_level_lists_only_the_levels_the_reader_takes() -> None:
    # compare takes every level; a claim's own level (claims, timeline) is never
    # corroborated, so its error does not offer it.
    with pytest.raises(InputError, match="named, corroborated, reviewed"):
        parse_support("strong")
    with pytest.raises(InputError, match=r"one of low, anonymous, named, reviewed \("):
        parse_grade("strong")
