"""Timelines: one step per moment, oldest first, changes flagged, evidence attached."""

from __future__ import annotations

from datetime import date

from peacetrack.compare import render_timeline, timeline
from peacetrack.model import Stance
from test_compare import stored


def _rounds() -> list:  # type: ignore[type-arg]
    return [
        stored("UKR", "reject", "TER.STATUS", doc=3, published=date(2025, 11, 20)),
        stored("UKR", "propose", "TER.STATUS", doc=1, published=date(2022, 3, 29)),
        stored("UKR", "propose", "TER.STATUS", doc=2, published=date(2022, 3, 30)),
        stored("RUS", "demand", "TER.STATUS", doc=4, published=date(2025, 6, 2)),
        stored("UKR", "accept", "CF.GENERAL", doc=4, published=date(2025, 6, 2)),
    ]


def test_steps_are_chronological_and_same_moment_reports_merge() -> None:
    steps = timeline(_rounds(), actor="UKR", issue="TER.STATUS")
    assert [s.first for s in steps] == [date(2022, 3, 29), date(2025, 11, 20)]
    assert steps[0].sources == 2 and steps[0].last == date(2022, 3, 30)
    assert [s.stance for s in steps] == [Stance.PROPOSE, Stance.REJECT]
    assert [s.changed for s in steps] == [False, True]
    assert all(s.evidence and s.evidence[0].claim.evidence for s in steps)


def test_all_actors_and_issue_patterns() -> None:
    steps = timeline(_rounds(), issue="TER.*")
    assert {(s.actor, s.issue) for s in steps} == {("UKR", "TER.STATUS"), ("RUS", "TER.STATUS")}
    firsts = [s.first for s in steps]
    assert firsts == sorted(firsts)  # type: ignore[type-var]
    assert len(timeline(_rounds())) == 4


def test_undated_reports_come_first() -> None:
    claims = [
        stored("UKR", "accept", "CF.GENERAL", published=date(2025, 1, 1)),
        stored("UKR", "reject", "CF.GENERAL", published=None),
    ]
    steps = timeline(claims)
    assert [s.first for s in steps] == [None, date(2025, 1, 1)]


def test_render_timeline_formats() -> None:
    steps = timeline(_rounds(), actor="UKR")
    md = render_timeline(steps, "md")
    assert isinstance(md, str) and "2022-03-29 – 2022-03-30" in md and "↻ rejects" in md
    csv = render_timeline(steps, "csv")
    assert isinstance(csv, str) and csv.splitlines()[0].startswith("actor,issue,first")
    html = render_timeline(steps, "html")
    assert isinstance(html, str) and html.startswith('<table class="timeline">')
