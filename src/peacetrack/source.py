"""Where comparisons get their claims: one filter, one protocol, an in-memory implementation.

Every view (matrix, diff, timeline, report, the web pages) is written once against
``ClaimSource``, as httpx keeps client logic above a transport: a plain list of claims
(``MemorySource``) and the store (``peacetrack.store.Store``, which loads in SQL and reads
its cell summaries) answer the same three questions. The filters are one dataclass,
``Filters``, whose values are checked and normalised once, then compiled to a Python
predicate here (``Filters.admits``) and to SQL in the store, so both agree on what
``TER.*`` or ``TER`` means and reject ``TRE.*`` alike.

This module sits below both ``compare`` and ``store`` (it imports neither), so the store
can use the in-memory arithmetic for its own filtered comparisons without a circle.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from difflib import get_close_matches
from typing import Literal, NamedTuple, Protocol, TypeVar, runtime_checkable

from peacetrack.errors import CodebookError, InputError
from peacetrack.model import Claim, Condition, Recognition, Stance
from peacetrack.moments import Entry, Step, Tally, tally
from peacetrack.support import CHECKED_STATUSES, DEFAULT_SUPPORT, Support, claim_grade
from peacetrack.vocabulary import UNASSIGNED

By = Literal["actor", "proposal"]
#: A cell's place in a matrix: (issue code, actor id or canonical proposal name).
Key = tuple[str, str]
#: Groups near-duplicate documents: each returned set of document ids is one source.
GroupFn = Callable[[Iterable[int]], list[set[int]]]
#: A claim's fields beside the guideline's: where its evidence lies and what produced it.
#: Every stored form of a claim (a database row, a Parquet row, an export) keeps them.
PROVENANCE = ("start", "end", "extractor", "model", "prompt_hash", "confidence")
_T = TypeVar("_T")


@dataclass(frozen=True)
class StoredClaim:
    """A claim with its store id, review status and the document facts needed to show it."""

    id: int
    document_id: int
    document_name: str
    claim: Claim
    status: str
    outlet: str | None
    published: date | None
    url: str | None
    #: The canonical name of the proposal the claim's phrase was linked to.
    proposal_name: str | None = None
    #: The conflict id the claim belongs to; None: unassigned (it fits no conflict).
    conflict: str | None = None

    @property
    def grade(self) -> Support:
        """What this claim is worth alone: reviewed, low confidence, anonymous or named."""
        attribution = self.claim.attribution
        anonymous = attribution.anonymous if attribution is not None else None
        return claim_grade(self.status, self.claim.confidence, anonymous)

    @property
    def canonical_proposal(self) -> str | None:
        """The proposal's canonical name, else the phrase as extracted (claims from a file)."""
        return self.proposal_name or self.claim.proposal


@dataclass(frozen=True, slots=True)
class Statement:
    """What a claim behind a cell's current stance states, without its text, evidence or
    document: the cell's sentence, a diff of two cells and a track's start read only this.

    A matrix of a million claims stands on a few thousand of them; reading these few
    columns (``store.queries.statements_with_ids``) rather than whole claims is a third of
    what the matrix page costs.
    """

    id: int
    published: date | None
    stance: Stance
    issue: str
    obligor: tuple[str, ...] | None
    territories: tuple[str, ...] | None
    conditions: tuple[Condition, ...] | None
    recognition: Recognition | None

    @classmethod
    def of(cls, stored: StoredClaim) -> Statement:
        """What a claim already loaded whole states."""
        claim = stored.claim
        return cls(
            id=stored.id,
            published=stored.published,
            stance=claim.stance,
            issue=claim.issue,
            obligor=_tuple(claim.obligor or None),
            territories=_tuple(claim.territories),
            conditions=_tuple(claim.conditions),
            recognition=claim.recognition,
        )


def _tuple(items: Sequence[_T] | None) -> tuple[_T, ...] | None:
    return None if items is None else tuple(items)


def did_you_mean(value: str, candidates: Iterable[str]) -> str:
    """ " Did you mean X?" for the closest candidates, or nothing when none is close."""
    close = get_close_matches(value, list(dict.fromkeys(candidates)), n=3, cutoff=0.6)
    return f" Did you mean {' or '.join(close)}?" if close else ""


def expand_issues(patterns: Sequence[str]) -> tuple[str, ...]:
    """The issue codes that codes, groups (``TER``) or wildcards (``TER.*``) name, by the
    codebook in force; a pattern naming none is an InputError naming the near miss.

    Every filter on issues goes through here, in memory and in SQL alike, so a typo is
    never an empty answer that reads as a finding.
    """
    from peacetrack.codebook import default_codebook

    book = default_codebook()
    names = [*book.issues, *(f"{i.group}.*" for i in book.issues.values())]
    codes: list[str] = []
    for pattern in patterns:
        try:
            codes += book.expand_issues([pattern])
        except CodebookError as exc:
            raise InputError(f"{exc}.{did_you_mean(pattern.strip().upper(), names)}") from None
    return tuple(dict.fromkeys(codes))


def check_stances(values: Sequence[str]) -> tuple[str, ...]:
    """Stance names as stored (``demand``), or InputError for a name that is not a stance."""
    known = [s.value for s in Stance]
    wanted = tuple(v.strip().lower() for v in values)
    for value in wanted:
        if value not in known:
            raise InputError(
                f"unknown stance {value!r}.{did_you_mean(value, known)} "
                f"Stances are: {', '.join(known)}"
            )
    return wanted


def check_conflict(value: str) -> str:
    """A conflict's id for an id, name or alias of the codebook in force, or ``unassigned``;
    anything else is an InputError naming the near miss, so a typo never reads as a conflict
    without claims."""
    from peacetrack.codebook import default_codebook

    book = default_codebook()
    wanted = value.strip()
    if wanted.lower() == UNASSIGNED:
        return UNASSIGNED
    found = book.resolve_conflict(wanted)
    if found is not None:
        return found
    names = [*book.conflicts, *(c.name for c in book.conflicts.values()), UNASSIGNED]
    raise InputError(
        f"unknown conflict {wanted!r}.{did_you_mean(wanted, names)} Conflicts are given by id "
        f"(ru-ua), name or alias, or {UNASSIGNED!r} for claims that fit none; "
        "`peacetrack codebook conflicts` lists them"
    )


@dataclass(frozen=True, init=False)
class Filters:
    """Which claims to look at; None means no restriction on that field.

    Values are checked and normalised on construction: actor ids stripped and upper-cased,
    issue patterns expanded to codes by the codebook (an unknown one is an InputError),
    stances checked, a conflict resolved to its id (``unassigned``: claims that fit none).
    Empty sequences mean no restriction, as None does.

    ``reviewed_only`` keeps the claims a person checked (``support.CHECKED_STATUSES``).
    ``min_support`` selects no claim: it is the level a position needs to decide a cell's
    stance and mark it changed or conflicting (``peacetrack.support``), and it travels
    with the filters because every view that builds cells needs it beside them.
    """

    actors: tuple[str, ...] | None
    issues: tuple[str, ...] | None
    stances: tuple[str, ...] | None
    since: date | None
    until: date | None
    conflict: str | None
    reviewed_only: bool
    min_support: Support

    def __init__(
        self,
        actors: Sequence[str] | None = None,
        issues: Sequence[str] | None = None,
        since: date | None = None,
        until: date | None = None,
        stances: Sequence[str] | None = None,
        *,
        reviewed_only: bool = False,
        min_support: Support = DEFAULT_SUPPORT,
        conflict: str | None = None,
    ) -> None:
        normal = tuple(dict.fromkeys(a.strip().upper() for a in actors)) if actors else None
        object.__setattr__(self, "actors", normal)
        object.__setattr__(self, "issues", expand_issues(issues) if issues else None)
        object.__setattr__(self, "stances", check_stances(stances) if stances else None)
        object.__setattr__(self, "since", since)
        object.__setattr__(self, "until", until)
        object.__setattr__(self, "conflict", check_conflict(conflict) if conflict else None)
        object.__setattr__(self, "reviewed_only", reviewed_only)
        object.__setattr__(self, "min_support", Support(min_support))

    @property
    def dated(self) -> bool:
        return self.since is not None or self.until is not None

    def admits(self, stored: StoredClaim) -> bool:
        """The Python form of the filter; ``store.queries.filter_conditions`` is the SQL one.

        Undated claims fail any date bound (NULL compares false in SQL too).
        """
        claim = stored.claim
        if self.issues is not None and claim.issue not in self.issues:
            return False
        if self.actors is not None and not set(self.actors).intersection(claim.actors):
            return False
        if self.stances is not None and claim.stance.value not in self.stances:
            return False
        if self.conflict is not None and (stored.conflict or UNASSIGNED) != self.conflict:
            return False
        if self.reviewed_only and stored.status not in CHECKED_STATUSES:
            return False
        if not self.dated:
            return True
        day = stored.published
        if day is None:
            return False
        return (self.since is None or day >= self.since) and (
            self.until is None or day <= self.until
        )


class SourceIndex:
    """Maps each document to the source it belongs to, so counts ignore syndicated copies."""

    def __init__(self, claims: Iterable[StoredClaim], groups: GroupFn | None = None) -> None:
        doc_ids = sorted({s.document_id for s in claims})
        self._source: dict[int, int] = {doc: doc for doc in doc_ids}
        if groups is not None and doc_ids:
            for group in groups(doc_ids):
                head = min(group)
                for doc in group:
                    self._source[doc] = head

    def source_of(self, document_id: int) -> int:
        return self._source.get(document_id, document_id)

    def count(self, claims: Iterable[StoredClaim]) -> int:
        """Independent sources behind ``claims``."""
        return len({self.source_of(s.document_id) for s in claims})

    def entry(self, stored: StoredClaim) -> Entry:
        """The claim as the moment arithmetic sees it."""
        return Entry(
            stored.id,
            stored.published,
            stored.claim.stance,
            self.source_of(stored.document_id),
            stored.grade,
            stored.outlet,
        )


class CellFacts(NamedTuple):
    """A cell before it is worded: its tally and what the claims behind its current stance
    state."""

    tally: Tally
    current: tuple[Statement, ...]


class ClaimSource(Protocol):
    """What every view needs: claims under filters, cells under a grouping, and which
    documents are one source. A plain list (``MemorySource``) and a ``Store`` both are."""

    def select_claims(self, filters: Filters) -> list[StoredClaim]:
        """Claims passing ``filters``, newest document first."""
        ...

    def cell_facts(
        self, by: By, filters: Filters, columns: Sequence[str] | None = None
    ) -> dict[Key, CellFacts]:
        """The cells by actor or proposal of the claims passing ``filters`` (of ``columns``)."""
        ...

    def independent_groups(self, document_ids: Iterable[int]) -> list[set[int]]:
        """Partition documents into near-duplicate groups; each group is one source."""
        ...

    def proposal_phrases(self) -> dict[str, set[str]]:
        """Each canonical proposal name -> the names its claims use."""
        ...


class StoredStep(NamedTuple):
    """A timeline step as the store keeps it, with the claims stating its stance (of its
    claims, ``step.claims`` holds only the ids)."""

    conflict: str | None
    actor: str
    issue: str
    step: Step
    evidence: tuple[StoredClaim, ...]


@runtime_checkable
class StepPages(Protocol):
    """Timeline steps kept summarised (a store's ``cells.steps``), newest first: a page of
    them costs the page, whatever the archive's size."""

    def answers(self, filters: Filters, window: timedelta) -> bool:
        """Whether the kept steps are the ones ``filters`` and ``window`` ask for."""
        ...

    def page(
        self, filters: Filters, *, limit: int, offset: int = 0, since: date | None = None
    ) -> list[StoredStep]:
        """``limit`` steps after the ``offset`` newest (of those begun on or after ``since``)."""
        ...

    def count(self, filters: Filters, since: date | None = None) -> int:
        """How many steps ``page`` pages through."""
        ...

    def newest_per_issue(
        self, filters: Filters, per_issue: int
    ) -> dict[str, tuple[list[StoredStep], int]]:
        """Each issue's ``per_issue`` newest steps and how many it has."""
        ...


def columns_of(stored: StoredClaim, by: By, columns: Sequence[str] | None) -> list[str]:
    """The columns a claim appears in (of ``columns``, if given): its actors or its proposal."""
    found = [stored.canonical_proposal or ""] if by == "proposal" else stored.claim.actors
    return [c for c in found if c and (columns is None or c in columns)]


def by_cell(
    claims: Sequence[StoredClaim], by: By, columns: Sequence[str] | None = None
) -> dict[Key, list[StoredClaim]]:
    """The claims behind each (issue, column) cell, in the order given."""
    cells: dict[Key, list[StoredClaim]] = defaultdict(list)
    for stored in claims:
        for column in columns_of(stored, by, columns):
            cells[(stored.claim.issue, column)].append(stored)
    return cells


def facts(
    claims: Sequence[StoredClaim], sources: SourceIndex, floor: Support = DEFAULT_SUPPORT
) -> CellFacts:
    """The tally of one cell's claims, with what those behind its current stance state; only
    positions at ``floor`` or above decide the stance and the markers."""
    found = tally([sources.entry(s) for s in claims], floor=floor)
    by_id = {s.id: s for s in claims}
    return CellFacts(found, tuple(Statement.of(by_id[i]) for i in found.current))


class MemorySource:
    """A ``ClaimSource`` over claims in memory (a file export, a test, claims already
    loaded), with near-duplicate groups when the caller has them."""

    def __init__(self, claims: Iterable[StoredClaim], groups: GroupFn | None = None) -> None:
        self.claims = list(claims)
        self._groups = groups

    def select_claims(self, filters: Filters) -> list[StoredClaim]:
        return [s for s in self.claims if filters.admits(s)]

    def independent_groups(self, document_ids: Iterable[int]) -> list[set[int]]:
        if self._groups is not None:
            return self._groups(document_ids)
        return [{doc} for doc in sorted(set(document_ids))]

    def cell_facts(
        self, by: By, filters: Filters, columns: Sequence[str] | None = None
    ) -> dict[Key, CellFacts]:
        chosen = self.select_claims(filters)
        if columns is None and by == "actor":
            columns = filters.actors
        sources = SourceIndex(chosen, self._groups)
        cells = by_cell(chosen, by, columns)
        return {key: facts(group, sources, filters.min_support) for key, group in cells.items()}

    def proposal_phrases(self) -> dict[str, set[str]]:
        names: dict[str, set[str]] = {}
        for stored in self.claims:
            canonical = stored.canonical_proposal
            if canonical:
                names.setdefault(canonical, {canonical}).add(stored.claim.proposal or canonical)
        return names


def as_source(
    claims: ClaimSource | Sequence[StoredClaim], groups: GroupFn | None = None
) -> ClaimSource:
    """A claim source for what a caller passed: a list of claims becomes a ``MemorySource``;
    a source given with its own ``groups`` is read whole and grouped by them."""
    if isinstance(claims, Sequence):
        return MemorySource(claims, groups)
    if groups is not None:
        return MemorySource(claims.select_claims(Filters()), groups)
    return claims
