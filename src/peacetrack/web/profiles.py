"""A page per actor and per proposal: what an actor held on each issue over time, and
what a proposal says, who put it forward, accepted or rejected it, with the sources.

Both are read through the library, as every other view: an actor's steps are the
timeline's (``compare.timeline``: a page of each issue's newest steps), a proposal's
positions are its claims (``Store.claims(proposal=...)``) grouped by issue, stance and
actor. Each page has a JSON twin (the same data) and a CSV twin (one row per step shown,
or per position).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, replace
from datetime import date
from typing import Any

from peacetrack.compare.labels import actor_name, issue_label
from peacetrack.compare.timeline import TimelineEntry, newest_per_issue
from peacetrack.compare.vocabulary import check_actors
from peacetrack.errors import InputError, StoreError
from peacetrack.store import ProposalInfo, Store, StoredClaim
from peacetrack.web.views import claim_json, entry_json

#: Steps shown per issue on an actor's page, the newest; the timeline pages through the rest.
STEPS_PER_ISSUE = 12
#: The order stance groups are listed in on a proposal's page.
STANCE_GROUPS = ("put_forward", "accept", "agree", "concede", "no_agreement", "reject", "absent")
STEP_COLUMNS = (
    "actor",
    "actor_name",
    "issue",
    "issue_label",
    "first",
    "last",
    "stance",
    "summary",
    "sources",
    "conflict",
    "changed",
    "claim_ids",
)
POSITION_COLUMNS = (
    "proposal",
    "issue",
    "issue_label",
    "stance",
    "actor",
    "actor_name",
    "claims",
    "documents",
    "first",
    "last",
    "claim_ids",
)


def actor_profile(store: Store, actor_id: str, *, every_evidence: bool = True) -> dict[str, Any]:
    """The actor's newest steps on each issue (oldest of them first), the issues with the
    most independent sources first; each step with every claim stating it, or only the
    latest (``every_evidence=False``: all the page and the CSV show, and at a million
    claims writing out thousands of claims the page never shows is most of its time).

    The issues come from the cell summaries and their steps from the kept timeline
    (``newest_per_issue``: ``STEPS_PER_ISSUE`` of each, with the count of all, in one
    read), so a party with a quarter of a million claims costs one windowed index read
    and the claims stating the shown stances, not a read of every claim; the timeline
    filtered to the actor and issue pages the rest.
    """
    actor = actor_id.strip().upper()
    try:
        check_actors([actor], store)
    except InputError:
        raise StoreError(
            f"no actor {actor_id!r} in the codebook or the store: the Overview page lists "
            "the actors with claims"
        ) from None
    cells = store.cells.summaries("actor", columns=[actor])
    ordered = sorted(cells.items(), key=lambda kv: (-kv[1].sources, kv[0][0]))
    codes = [code for (code, _), _ in ordered]
    found = newest_per_issue(store, actor=actor, issues=codes, limit=STEPS_PER_ISSUE)
    issues = [_issue_steps(code, *found.get(code, ([], None)), every_evidence) for code in codes]
    shown = [issue for issue in issues if issue["steps"]]
    return {
        "actor": actor,
        "name": actor_name(actor),
        "steps": sum(issue["total_steps"] for issue in shown),
        "issues": shown,
    }


def _issue_steps(
    code: str, newest: list[TimelineEntry], total: int | None, every_evidence: bool
) -> dict[str, Any]:
    """One issue of an actor's page: its newest steps, oldest of them first, and how many
    there are in all."""
    shown = newest if every_evidence else [replace(e, evidence=e.evidence[-1:]) for e in newest]
    steps = [entry_json(e) for e in reversed(shown)]
    return {
        "issue": code,
        "label": issue_label(code),
        "now": steps[-1] if steps else None,
        "steps": steps,
        "total_steps": len(steps) if total is None else total,
    }


def step_rows(profile: dict[str, Any]) -> list[dict[str, Any]]:
    """The actor's steps as CSV rows (``STEP_COLUMNS``)."""
    return [
        step | {"actor_name": profile["name"], "issue_label": issue["label"]}
        for issue in profile["issues"]
        for step in issue["steps"]
    ]


@dataclass
class Position:
    """One actor's stance (as a group: put forward, accept, reject...) on one issue of a
    proposal, with the claims saying so, newest first."""

    issue: str
    stance: str
    actor: str
    claims: list[StoredClaim]

    @property
    def documents(self) -> int:
        return len({s.document_id for s in self.claims})

    @property
    def dates(self) -> list[date]:
        return sorted(s.published for s in self.claims if s.published)

    def to_json(self) -> dict[str, Any]:
        dates = self.dates
        return {
            "issue": self.issue,
            "issue_label": issue_label(self.issue),
            "stance": self.stance,
            "actor": self.actor,
            "actor_name": actor_name(self.actor),
            "claims": len(self.claims),
            "documents": self.documents,
            "first": dates[0] if dates else None,
            "last": dates[-1] if dates else None,
            "claim_ids": [s.id for s in self.claims],
            "evidence": claim_json(self.claims[0]),
        }


def _positions(claims: list[StoredClaim]) -> list[Position]:
    grouped: dict[tuple[str, str, str], list[StoredClaim]] = defaultdict(list)
    for stored in claims:
        for actor in stored.claim.actors:
            grouped[(stored.claim.issue, stored.claim.stance.coarse, actor)].append(stored)
    rank = {name: i for i, name in enumerate(STANCE_GROUPS)}
    return [
        Position(issue, stance, actor, found)
        for (issue, stance, actor), found in sorted(
            grouped.items(), key=lambda kv: (kv[0][0], rank.get(kv[0][1], 99), kv[0][2])
        )
    ]


def _info_json(info: ProposalInfo) -> dict[str, Any]:
    return {
        "id": info.id,
        "name": info.name,
        "kind": info.kind,
        "date": info.date,
        "authors": list(info.authors),
        "aliases": list(info.aliases),
        "claims": info.claims,
    }


def proposal_profile(store: Store, ref: str) -> dict[str, Any]:
    """The proposal, its positions by issue, and who took each stance on it at all."""
    info = store.proposals.get(ref)
    claims = store.claims(proposal=info.name, sort="date", descending=True)
    positions = _positions(claims)
    issues: dict[str, list[Position]] = defaultdict(list)
    who: dict[str, set[str]] = defaultdict(set)
    for position in positions:
        issues[position.issue].append(position)
        who[position.stance].add(position.actor)
    return {
        "proposal": _info_json(info),
        "stances": {s: sorted(who[s]) for s in STANCE_GROUPS if who.get(s)},
        "issues": [
            {"issue": code, "label": issue_label(code), "positions": [p.to_json() for p in found]}
            for code, found in issues.items()
        ],
    }


def position_rows(profile: dict[str, Any]) -> list[dict[str, Any]]:
    """The proposal's positions as CSV rows (``POSITION_COLUMNS``)."""
    name = profile["proposal"]["name"]
    return [
        position | {"proposal": name}
        for issue in profile["issues"]
        for position in issue["positions"]
    ]
