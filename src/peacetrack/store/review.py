"""Reviewing claims by hand: accept, edit, reject, or add one the extractor missed.

Every action is one transaction that changes the claim and appends to its audit trail
(who, when, the claim before and after, as JSON). A reviewed claim leaves the
``extracted`` status, and ``Store.save_extraction`` only ever replaces ``extracted``
claims, so re-running an extractor never undoes a person's work.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any, Literal

from pydantic import ValidationError
from sqlalchemy import delete, func, insert, select
from sqlalchemy.orm import Session

from peacetrack.codebook import assign_document, default_codebook
from peacetrack.errors import InputError, StoreError
from peacetrack.model import GUIDELINE_FIELDS, Claim
from peacetrack.source import StoredClaim, check_conflict
from peacetrack.store.conflicts import decide, stored_pairs
from peacetrack.store.proposal_resolver import ProposalResolver
from peacetrack.store.queries import actor_rows, claim_values
from peacetrack.store.schema import ClaimActor, ClaimReviewRow, ClaimRow, DocumentRow
from peacetrack.vocabulary import UNASSIGNED

if TYPE_CHECKING:
    from peacetrack.store.store import Store

Action = Literal["accept", "edit", "reject", "add", "restore", "reassign"]
#: Every action in an audit trail; ``restore`` puts a claim back as it was before the
#: latest action (an undo), and is itself audited; ``reassign`` puts it in another conflict.
ACTIONS: tuple[Action, ...] = ("accept", "edit", "reject", "add", "restore", "reassign")
STATUS_AFTER: dict[Action, str] = {
    "accept": "accepted",
    "edit": "edited",
    "reject": "rejected",
    "add": "added",
    "reassign": "edited",
}
#: Fields a reviewer may change: the guideline's, and where the evidence sits in the text.
EDITABLE = (*GUIDELINE_FIELDS, "start", "end")
_COPIED = (
    "stance",
    "issue",
    "territories",
    "conditions",
    "recognition",
    "proposal",
    "attribution_source",
    "attribution_anonymous",
    "evidence",
    "start",
    "end",
)
DEFAULT_REVIEWER = "anonymous"


@dataclass(frozen=True)
class ReviewEvent:
    """One entry of a claim's audit trail; ``before`` is None for an added claim."""

    id: int
    claim_id: int
    action: str
    reviewer: str
    at: datetime
    before: dict[str, Any] | None
    after: dict[str, Any] | None


def snapshot(claim: Claim, status: str) -> dict[str, Any]:
    """The claim as the audit trail records it: guideline fields, offsets and status."""
    return {"status": status, **claim.to_guideline(), "start": claim.start, "end": claim.end}


def get_claim(store: Store, claim_id: int) -> StoredClaim:
    """Any claim by id, rejected ones included."""
    with store.reading() as connection:
        query = select(ClaimRow.document_id).where(ClaimRow.id == claim_id)
        document_id = connection.scalar(query)
    if document_id is None:
        raise StoreError(f"no claim with id {claim_id}: list them with `peacetrack claims`")
    found = store.claims(document=document_id, include_rejected=True)
    return next(s for s in found if s.id == claim_id)


def accept_claim(store: Store, claim_id: int, reviewer: str = DEFAULT_REVIEWER) -> StoredClaim:
    return _set_status(store, claim_id, "accept", reviewer)


def reject_claim(store: Store, claim_id: int, reviewer: str = DEFAULT_REVIEWER) -> StoredClaim:
    """Rejected claims stay stored (and audited) but leave every view and comparison."""
    return _set_status(store, claim_id, "reject", reviewer)


def _set_status(store: Store, claim_id: int, action: Action, reviewer: str) -> StoredClaim:
    before = get_claim(store, claim_id)
    with store.transaction() as session:
        row = _locked_row(session, claim_id)
        row.status = STATUS_AFTER[action]
        _audit(session, claim_id, action, reviewer, before, before.claim, row.status)
    return get_claim(store, claim_id)


def edit_claim(
    store: Store, claim_id: int, changes: Mapping[str, Any], reviewer: str = DEFAULT_REVIEWER
) -> StoredClaim:
    """Change any guideline field (or the offsets); the result is validated like any claim.

    Changing the evidence without offsets finds it again in the document text; evidence
    that is not verbatim in the text is refused, as for extracted claims.
    """
    unknown = sorted(set(changes) - set(EDITABLE))
    if unknown:
        raise InputError(
            f"claim {claim_id}: cannot edit {', '.join(unknown)}; editable: {', '.join(EDITABLE)}"
        )
    before = get_claim(store, claim_id)
    data = snapshot(before.claim, before.status) | dict(changes)
    data.pop("status")
    if "evidence" in changes and not {"start", "end"} & set(changes):
        data["start"] = data["end"] = None
    with store.transaction() as session:
        row = _locked_row(session, claim_id)
        claim = _validated(data, _document_text(session, row.document_id), f"claim {claim_id}")
        _write(session, row, claim, STATUS_AFTER["edit"])
        _audit(session, claim_id, "edit", reviewer, before, claim, row.status)
    return get_claim(store, claim_id)


def _write(session: Session, row: ClaimRow, claim: Claim, status: str) -> None:
    """Store ``claim``'s fields, actors and proposal link in ``row``, with ``status``."""
    fresh = ClaimRow(**claim_values(claim, row.document_id, row.extractor or "", None))
    for column in _COPIED:
        setattr(row, column, getattr(fresh, column))
    row.proposal_id = ProposalResolver(session, row.document_id).resolve(claim, row.conflict)
    row.status = status
    session.execute(delete(ClaimActor).where(ClaimActor.claim_id == row.id))
    session.execute(insert(ClaimActor), actor_rows(row.id, claim))


def undo_review(
    store: Store, claim_id: int, event_id: int, reviewer: str = DEFAULT_REVIEWER
) -> StoredClaim:
    """Put the claim back as it was before ``event_id``, which must be its latest action
    (so an undo never silently discards someone's later change); audited as ``restore``.

    Undoing a reject brings the claim back with its old status; undoing an edit restores
    the fields; undoing an ``add`` rejects the added claim (it is kept, and audited).
    """
    history = claim_history(store, claim_id)
    if not history or history[-1].id != event_id:
        later = history[-1] if history else None
        raise InputError(
            f"claim {claim_id}: only its latest change can be undone"
            + (
                f", which is {later.reviewer}'s {later.action} at {later.at:%Y-%m-%d %H:%M}"
                if later
                else ""
            )
        )
    before = get_claim(store, claim_id)
    earlier = history[-1].before
    with store.transaction() as session:
        row = _locked_row(session, claim_id)
        if earlier is None:
            claim, row.status = before.claim, STATUS_AFTER["reject"]
        else:
            data = {k: v for k, v in earlier.items() if k not in ("status", "conflict")}
            if "conflict" in earlier:  # undoing a reassignment
                row.conflict = earlier["conflict"]
            text = _document_text(session, row.document_id)
            claim = _validated(data, text, f"claim {claim_id}")
            _write(session, row, claim, str(earlier["status"]))
        _audit(session, claim_id, "restore", reviewer, before, claim, row.status)
    return get_claim(store, claim_id)


def add_claim(
    store: Store, document_id: int, claim: Claim | Mapping[str, Any], reviewer: str
) -> StoredClaim:
    """Store a claim a person found in a document; it belongs to no extractor."""
    if isinstance(claim, Claim):
        data = snapshot(claim, STATUS_AFTER["add"])
        data.pop("status")
    else:
        data = dict(claim)
    with store.transaction() as session:
        text = _document_text(session, document_id)
        located = _validated(data, text, f"new claim on document {document_id}")
        conflict = decide(session.connection(), document_id, [located])[0]
        proposal_id = ProposalResolver(session, document_id).resolve(located, conflict)
        row = ClaimRow(**claim_values(located, document_id, "", proposal_id))
        row.conflict = conflict
        row.extractor = None
        row.status = STATUS_AFTER["add"]
        session.add(row)
        session.flush()
        session.execute(insert(ClaimActor), actor_rows(row.id, located))
        _audit(session, row.id, "add", reviewer, None, located, row.status)
        claim_id = row.id
    return get_claim(store, claim_id)


def _conflict_id(value: str) -> str | None:
    """The stored form of a conflict a reviewer names: its id, or None for unassigned."""
    found = check_conflict(value)
    return None if found == UNASSIGNED else found


def _decided(session: Session, document_id: int) -> dict[int, str | None]:
    """The conflict the codebook gives each of a document's non-rejected claims."""
    pairs = stored_pairs(session.connection(), document_id)
    found = assign_document(list(pairs.values()), default_codebook())
    return dict(zip(pairs, found, strict=True))


def reassign_claim(
    store: Store, claim_id: int, conflict: str, reviewer: str = DEFAULT_REVIEWER
) -> StoredClaim:
    """Put one claim in ``conflict`` (an id, name or alias, or ``unassigned``).

    An extracted claim becomes ``edited``, so re-extraction keeps it and the reviewer's
    choice; its proposal is looked up again among the new conflict's proposals.
    """
    target = _conflict_id(conflict)
    before = get_claim(store, claim_id)
    with store.transaction() as session:
        row = _locked_row(session, claim_id)
        row.conflict = target
        resolver = ProposalResolver(session, row.document_id)
        row.proposal_id = resolver.resolve(before.claim, target)
        if row.status == "extracted":
            row.status = STATUS_AFTER["reassign"]
        _audit(session, claim_id, "reassign", reviewer, before, before.claim, row.status, target)
    return get_claim(store, claim_id)


def reassign_document(
    store: Store, document_id: int, conflict: str | None, reviewer: str = DEFAULT_REVIEWER
) -> list[StoredClaim]:
    """Put a whole document in ``conflict`` (``unassigned`` allowed), or with None let its
    claims' actors and places decide again; every claim changed gets an audit row.

    The choice is kept on the document, so claims a re-extraction writes get it too; a
    claim reassigned on its own afterwards keeps its own conflict.
    """
    target = None if conflict is None else _conflict_id(conflict)
    claims = store.claims(document=document_id, include_rejected=True)
    with store.transaction() as session:
        row = session.get_one(DocumentRow, document_id, with_for_update=True)
        row.conflict = target
        named = (reviewer.strip() or DEFAULT_REVIEWER)[:128]
        row.conflict_reviewer = None if conflict is None else named
        chosen = {s.id: target for s in claims}
        if conflict is None:
            chosen |= _decided(session, document_id)
        resolver = ProposalResolver(session, document_id)
        for before in claims:
            if chosen.get(before.id) == before.conflict:
                continue
            claim = _locked_row(session, before.id)
            claim.conflict = chosen.get(before.id)
            claim.proposal_id = resolver.resolve(before.claim, claim.conflict)
            _audit(
                session,
                before.id,
                "reassign",
                reviewer,
                before,
                before.claim,
                claim.status,
                claim.conflict,
            )
    return store.claims(document=document_id, include_rejected=True)


def _event(row: Any) -> ReviewEvent:
    """An audit row (``claim_reviews``' columns, as read on a connection) as an event."""
    return ReviewEvent(
        row.id, row.claim_id, row.action, row.reviewer, row.at, row.before, row.after
    )


def claim_history(store: Store, claim_id: int) -> list[ReviewEvent]:
    """The claim's audit trail, oldest first."""
    query = (
        select(ClaimReviewRow)
        .where(ClaimReviewRow.claim_id == claim_id)
        .order_by(ClaimReviewRow.at, ClaimReviewRow.id)
    )
    with store.reading() as connection:
        return [_event(r) for r in connection.execute(query)]


def review_event(store: Store, event_id: int) -> ReviewEvent:
    """One entry of any claim's audit trail, by its id."""
    query = select(ClaimReviewRow).where(ClaimReviewRow.id == event_id)
    with store.reading() as connection:
        row = connection.execute(query).one_or_none()
        if row is None:
            raise StoreError(f"no review action with id {event_id}: see the audit log")
        return _event(row)


@dataclass(frozen=True)
class ReviewLog:
    """A page of the store's audit trail across claims, newest first, and its size."""

    total: int
    events: list[ReviewEvent]
    #: How many actions each reviewer and each action name has in the whole log.
    reviewers: list[tuple[str, int]]
    actions: list[tuple[str, int]]


def review_log(
    store: Store,
    *,
    reviewer: str | None = None,
    action: str | None = None,
    claim_id: int | None = None,
    limit: int | None = 50,
    offset: int = 0,
) -> ReviewLog:
    """Every review action (of one reviewer, one kind, or on one claim), newest first."""
    where = []
    if reviewer is not None:
        where.append(ClaimReviewRow.reviewer == reviewer)
    if action is not None:
        where.append(ClaimReviewRow.action == action)
    if claim_id is not None:
        where.append(ClaimReviewRow.claim_id == claim_id)
    query = (
        select(ClaimReviewRow)
        .where(*where)
        .order_by(ClaimReviewRow.at.desc(), ClaimReviewRow.id.desc())
        .offset(offset)
        .limit(limit)
    )
    with store.reading() as connection:
        total = connection.scalar(select(func.count(ClaimReviewRow.id)).where(*where)) or 0
        events = [_event(r) for r in connection.execute(query)]
        facets = [
            [(str(v), int(n)) for v, n in connection.execute(_counted(column))]
            for column in (ClaimReviewRow.reviewer, ClaimReviewRow.action)
        ]
    return ReviewLog(total, events, *facets)


def _counted(column: Any) -> Any:
    count = func.count().label("n")
    return select(column, count).group_by(column).order_by(count.desc(), column).limit(100)


def _locked_row(session: Session, claim_id: int) -> ClaimRow:
    row = session.scalar(select(ClaimRow).where(ClaimRow.id == claim_id).with_for_update())
    if row is None:
        raise StoreError(f"no claim with id {claim_id}: it may have been re-extracted; reload")
    return row


def _document_text(session: Session, document_id: int) -> str:
    text = session.scalar(select(DocumentRow.text).where(DocumentRow.id == document_id))
    if text is None:
        raise StoreError(f"no document with id {document_id}: see `peacetrack documents list`")
    return text


def _validated(data: Mapping[str, Any], text: str, what: str) -> Claim:
    """A valid claim located in ``text``, or an InputError naming the field at fault.

    A reviewer's issue code must be one of the codebook in force."""
    context = default_codebook().claim_context()
    try:
        return Claim.model_validate(dict(data), context=context).located_in(text)
    except ValidationError as exc:
        errors = exc.errors()
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e['loc']) or 'claim'}: {e['msg']}" for e in errors
        )
        fields: dict[str, str] = {}
        for e in errors:
            name = str(e["loc"][0]) if e["loc"] else "claim"
            fields.setdefault(name, str(e["msg"]).removeprefix("Value error, "))
        raise InputError(f"{what}: {problems}", fields) from None
    except ValueError as exc:
        # The one check after validation: the evidence is verbatim in the text.
        raise InputError(f"{what}: {exc}", {"evidence": str(exc)}) from None


def _audit(
    session: Session,
    claim_id: int,
    action: Action,
    reviewer: str,
    before: StoredClaim | None,
    after: Claim,
    status: str,
    conflict: str | None = None,
) -> None:
    """An audit row; ``conflict`` is the claim's conflict after a ``reassign`` (the row's
    before and after then both name theirs)."""
    old = None if before is None else snapshot(before.claim, before.status)
    new = snapshot(after, status)
    if action == "reassign" and old is not None and before is not None:
        old["conflict"], new["conflict"] = before.conflict, conflict
    session.add(
        ClaimReviewRow(
            claim_id=claim_id,
            action=action,
            reviewer=(reviewer.strip() or DEFAULT_REVIEWER)[:128],
            before=old,
            after=new,
        )
    )


class Review:
    """Review through the store's door (``store.review``): every action is one transaction
    with its audit row."""

    def __init__(self, store: Store) -> None:
        self._store = store

    def get(self, claim_id: int) -> StoredClaim:
        return get_claim(self._store, claim_id)

    def accept(self, claim_id: int, reviewer: str = DEFAULT_REVIEWER) -> StoredClaim:
        return accept_claim(self._store, claim_id, reviewer)

    def reject(self, claim_id: int, reviewer: str = DEFAULT_REVIEWER) -> StoredClaim:
        return reject_claim(self._store, claim_id, reviewer)

    def edit(
        self, claim_id: int, changes: Mapping[str, Any], reviewer: str = DEFAULT_REVIEWER
    ) -> StoredClaim:
        return edit_claim(self._store, claim_id, changes, reviewer)

    def add(self, document_id: int, claim: Claim | Mapping[str, Any], reviewer: str) -> StoredClaim:
        return add_claim(self._store, document_id, claim, reviewer)

    def reassign(
        self, claim_id: int, conflict: str, reviewer: str = DEFAULT_REVIEWER
    ) -> StoredClaim:
        return reassign_claim(self._store, claim_id, conflict, reviewer)

    def reassign_document(
        self, document: int | str, conflict: str | None, reviewer: str = DEFAULT_REVIEWER
    ) -> list[StoredClaim]:
        document_id = self._store.get_document(document).id or 0
        return reassign_document(self._store, document_id, conflict, reviewer)

    def history(self, claim_id: int) -> list[ReviewEvent]:
        return claim_history(self._store, claim_id)

    def undo(self, claim_id: int, event_id: int, reviewer: str = DEFAULT_REVIEWER) -> StoredClaim:
        return undo_review(self._store, claim_id, event_id, reviewer)

    def event(self, event_id: int) -> ReviewEvent:
        return review_event(self._store, event_id)

    def log(
        self,
        *,
        reviewer: str | None = None,
        action: str | None = None,
        claim_id: int | None = None,
        limit: int | None = 50,
        offset: int = 0,
    ) -> ReviewLog:
        return review_log(
            self._store,
            reviewer=reviewer,
            action=action,
            claim_id=claim_id,
            limit=limit,
            offset=offset,
        )
