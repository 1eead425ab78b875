"""Every view takes the conflict (issue #13): `--conflict` on claims, compare, diff,
timeline, report and proposals; the matrix puts the conflict's parties first; the timeline
and the proposal list never mix two wars; a reviewer reassigns from the command line.

The store holds our own sentences on two wars. The United States speaks in both, more often
than any party, so a matrix ordered by weight alone would put it first.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from typer.testing import CliRunner

from conflict_support import two_wars_store
from peacetrack.cli import app
from peacetrack.compare import compare, timeline
from peacetrack.compare.timeline import recent_steps
from peacetrack.store import Store


@pytest.fixture
def two_wars(tmp_path: Path) -> str:
    return two_wars_store(tmp_path / "wars.db")


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, list(args))
    return result.exit_code, result.output


def test_compare_by_conflict_shows_that_wars_actors_parties_first(two_wars: str) -> None:
    with Store.open(two_wars) as store:
        assert compare(store).columns[0] == "USA"  # most cells overall
        matrix = compare(store, conflict="ru-ua")
        assert matrix.columns == ["RUS", "UKR", "USA"]
        assert matrix.conflict == "ru-ua"
        gaza = compare(store, conflict="il-gaza")
        assert gaza.columns == ["ISR", "HAMAS", "USA"]
        # The U.S. cell on the ceasefire is the Ukrainian one only: no change across wars.
        cell = matrix.cell("CF.GENERAL", "USA")
        assert cell is not None and cell.count == 2
    code, output = run("compare", "--db", two_wars, "--conflict", "ru-ua", "--format", "md")
    assert code == 0, output
    assert output.splitlines()[0] == "| issue | Russia | Ukraine | United States |"
    assert "Israel" not in output and "Hamas" not in output
    code, output = run("compare", "--db", two_wars, "--format", "csv")
    assert code == 0 and "mix the claims of 2 conflicts" in " ".join(output.split())


def test_the_timeline_never_mixes_conflicts(two_wars: str) -> None:
    with Store.open(two_wars) as store:
        steps = [s for s in timeline(store, actor="USA") if s.issue == "CF.GENERAL"]
        assert {s.conflict_id for s in steps} == {"ru-ua", "il-gaza"}
        # Gaza (demand, March 4) lies between two Ukrainian steps; the only change is the
        # Ukrainian one, from proposing a ceasefire to rejecting one.
        changed = [(s.conflict_id, s.stance.value) for s in steps if s.changed]
        assert changed == [("ru-ua", "reject")]
        # The paged timeline (the command's default) splits its tracks the same way.
        recent = [s for s in recent_steps(store, actor="USA", limit=50) if s.issue == "CF.GENERAL"]
        assert sorted(recent, key=lambda s: s.first or date.min) == steps
        assert all(s.conflict_id == "il-gaza" for s in timeline(store, conflict="il-gaza"))
    code, output = run("timeline", "--db", two_wars, "--conflict", "il-gaza", "--format", "json")
    assert code == 0, output
    assert {step["conflict_id"] for step in json.loads(output)} == {"il-gaza"}


def test_the_proposal_list_never_mixes_conflicts(two_wars: str) -> None:
    with Store.open(two_wars) as store:
        listed = {(p.conflict, p.claims) for p in store.proposals.list()}
        assert listed == {("ru-ua", 1), ("il-gaza", 1)}
        [ukraine] = store.proposals.list("ru-ua")
        [gaza] = store.proposals.list("il-gaza")
        assert ukraine.id != gaza.id
        # The first keeps the readable name; the other war's is told apart by its conflict.
        assert (ukraine.name, gaza.name) == ("U.S. draft", "U.S. draft (il-gaza)")
    code, output = run("proposals", "list", "--db", two_wars, "--conflict", "Gaza war")
    assert code == 0, output
    assert "il-gaza" in output and "ru-ua" not in output
    code, output = run("proposals", "merge", str(ukraine.id), str(gaza.id), "--db", two_wars)
    assert code == 1 and "within one conflict" in output


def test_claims_and_diff_take_the_conflict(two_wars: str) -> None:
    code, output = run("claims", "--db", two_wars, "--conflict", "ru-ua", "--format", "json")
    assert code == 0, output
    found = json.loads(output)
    assert len(found) == 8 and {c["conflict"] for c in found} == {"ru-ua"}
    code, output = run("claims", "--db", two_wars, "--conflict", "ru-au")
    assert code == 1 and "unknown conflict 'ru-au'" in output and "Did you mean ru-ua" in output
    code, output = run("diff", "ISR", "USA", "--db", two_wars, "--conflict", "il-gaza")
    assert code == 0, output
    assert "HUM.DETAINEES" in output and "ECO.SANCTIONS" not in output
    code, output = run("diff", "RUS", "USA", "--db", two_wars, "--conflict", "il-gaza")
    assert code == 1 and "neither a proposal nor an actor" in output


def test_the_report_has_one_section_per_conflict(two_wars: str, tmp_path: Path) -> None:
    pytest.importorskip("jinja2")
    pytest.importorskip("plotly")
    every = tmp_path / "all.html"
    code, output = run("report", "--db", two_wars, "-o", str(every))
    assert code == 0, output
    html = every.read_text(encoding="utf-8")
    assert 'id="ru-ua-conflict"' in html and 'id="il-gaza-conflict"' in html
    assert html.index("Russia") < html.index('id="il-gaza-conflict"')
    one = tmp_path / "gaza.html"
    code, output = run("report", "--db", two_wars, "-o", str(one), "--conflict", "il-gaza")
    assert code == 0, output
    html = one.read_text(encoding="utf-8")
    assert 'id="conflict"' in html and "Ukraine refused" not in html and "Hamas" in html


def test_a_reviewer_reassigns_from_the_command_line(two_wars: str) -> None:
    with Store.open(two_wars) as store:
        [swap] = [s for s in store.claims() if s.claim.evidence.endswith("a swap.")]
    code, output = run("reassign", "il-gaza", "--claim", str(swap.id), "--db", two_wars)
    assert code == 0 and f"claim {swap.id}: il-gaza" in output
    code, output = run("reassign", "unassigned", "--document", "gaza-1.txt", "--db", two_wars)
    assert code == 0 and output.count(": unassigned") == 4
    code, output = run("conflicts", "--db", two_wars, "--format", "json")
    counts = {r["id"]: r["claims"] for r in json.loads(output)}
    assert counts["il-gaza"] == 1 and counts[None] == 4 and counts["ru-ua"] == 7
    code, output = run("reassign", "auto", "--claim", str(swap.id), "--db", two_wars)
    assert code == 1 and "documents only" in output
    code, output = run("reassign", "ru-ua", "--db", two_wars)
    assert code == 1 and "--claim" in output
