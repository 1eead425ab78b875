"""The audit log: every review action across claims, with each change as a difference.

The store keeps, for every action, the claim as it was before and after (``snapshot``:
guideline fields, offsets and status). A reader wants to see what changed, not two
copies of a claim, so each action is shown as the fields whose values differ; an added
claim shows every field it was given. Filters (reviewer, action, claim) and the page are
in the URL, checked in words as the claims browser's are.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any
from urllib.parse import urlencode

from peacetrack.model import GUIDELINE_FIELDS
from peacetrack.store import ACTIONS, ReviewEvent, Store

PER_PAGE = 50
#: The order fields are listed in a difference: status first, then the guideline's.
FIELD_ORDER = ("status", *GUIDELINE_FIELDS, "start", "end")


@dataclass
class AuditQuery:
    """The audit log's query string as typed ("" for not given)."""

    reviewer: str = ""
    action: str = ""
    claim: str = ""
    page: str = "1"

    def params(self, **changes: str) -> dict[str, str]:
        values = asdict(self) | changes
        return {k: v.strip() for k, v in values.items() if v.strip() and (k, v) != ("page", "1")}

    def url(self, path: str = "/audit", **changes: str) -> str:
        query = urlencode(self.params(**changes))
        return f"{path}?{query}" if query else path


@dataclass(frozen=True)
class Change:
    """One field of a claim before and after an action (None: it had no value)."""

    field: str
    before: Any
    after: Any


def changes(event: ReviewEvent) -> list[Change]:
    """The fields ``event`` changed, in ``FIELD_ORDER``; for an added claim, those given."""
    before, after = event.before or {}, event.after or {}
    keys = sorted(set(before) | set(after), key=_field_rank)
    return [
        Change(k, before.get(k), after.get(k))
        for k in keys
        if before.get(k) != after.get(k) and not (event.before is None and after.get(k) is None)
    ]


def _field_rank(name: str) -> tuple[int, str]:
    return (FIELD_ORDER.index(name) if name in FIELD_ORDER else len(FIELD_ORDER), name)


def event_json(event: ReviewEvent) -> dict[str, Any]:
    """An action as the JSON twins give it: who, when, the claim before and after, and
    the fields it changed."""
    return {
        "id": event.id,
        "claim_id": event.claim_id,
        "action": event.action,
        "reviewer": event.reviewer,
        "at": event.at.isoformat(),
        "before": event.before,
        "after": event.after,
        "changes": [
            {"field": c.field, "before": c.before, "after": c.after} for c in changes(event)
        ],
        "links": {"claim": f"/claims/{event.claim_id}"},
    }


def csv_rows(events: list[ReviewEvent]) -> list[dict[str, Any]]:
    """One row per field changed (an action that changed nothing still has one row)."""
    rows = []
    for event in events:
        base = {"id": event.id, "at": event.at, "reviewer": event.reviewer}
        base |= {"action": event.action, "claim_id": event.claim_id}
        found = changes(event) or [Change("", None, None)]
        rows += [base | {"field": c.field, "before": c.before, "after": c.after} for c in found]
    return rows


CSV_COLUMNS = ("id", "at", "reviewer", "action", "claim_id", "field", "before", "after")


def audit_page(query: AuditQuery, store: Store, *, everything: bool = False) -> dict[str, Any]:
    """One page of the log (``everything``: the whole of it, for CSV), or the errors found."""
    errors: dict[str, str] = {}
    action = query.action.strip() or None
    if action is not None and action not in ACTIONS:
        errors["action"] = f"the action is one of: {', '.join(ACTIONS)}"
    claim = query.claim.strip()
    if claim and not claim.isdigit():
        errors["claim"] = "give a claim's number, such as 12"
    page = query.page.strip() or "1"
    if not page.isdigit() or not 1 <= int(page) <= 1_000_000:
        errors["page"] = "give a whole number from 1 to 1,000,000"
        page = "1"
    found = store.review.log(
        reviewer=query.reviewer.strip() or None,
        action=None if errors else action,
        claim_id=int(claim) if claim.isdigit() else None,
        limit=None if everything else PER_PAGE,
        offset=0 if everything else (int(page) - 1) * PER_PAGE,
    )
    pages = max(1, -(-found.total // PER_PAGE))
    return {
        "query": query,
        "errors": errors,
        "log": found,
        "entries": [(e, changes(e)) for e in found.events] if not errors else [],
        "page": int(page),
        "pages": pages,
        "actions": ACTIONS,
    }
