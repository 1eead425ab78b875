"""The claims browser: filters read from the URL, checked in words, and what a page shows.

Every filter, the sort and the page live in the query string, so a view is a link that
can be shared and its CSV and JSON twins are the same link under ``/api``. The values
arrive as text and are checked here, not by FastAPI's parameter types, so that a typo'd
issue or a date written wrongly becomes a sentence beside its field on the page, with
everything else the user typed kept, instead of a bare error page. The filters are the
command line's (``peacetrack claims``), checked by the same functions
(``compare.vocabulary``), so an export matches the CLI's for the same filters.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import date
from typing import Any, cast
from urllib.parse import urlencode

from peacetrack.compare.vocabulary import (
    check_actors,
    check_conflict,
    check_issues,
    check_proposal,
)
from peacetrack.compare.vocabulary import check_stances as checked_stances
from peacetrack.errors import PeaceTrackError
from peacetrack.model import STANCE_VALUES
from peacetrack.store import CLAIM_STATUSES, FACETS, SORTS, ClaimFacets, Sort, Store
from peacetrack.support import GRADES, parse_grade
from peacetrack.web.views import split, suggestions
from peacetrack.web.wording import for_web

#: Rows per page unless asked otherwise, and the most a page may hold.
PER_PAGE = 50
MAX_PER_PAGE = 200
#: Facet values shown per field (the most frequent).
FACET_TOP = 15
#: Milliseconds a page may spend counting (its total, then each facet in turn): a count
#: not made by then is left out and said to be so. At a million claims one count of
#: every claim takes seconds; at ten thousand, milliseconds.
FACET_MS = 60
#: How far down a list pages go (OFFSET reads every claim it skips): claims further down
#: are reached by narrowing the filters, sorting the other way, or an export.
MAX_OFFSET = 10_000
#: The URL parameter each facet's values are chosen by.
FACET_PARAMS = {name: name for name in FACETS} | {"support": "min_support"}
#: The most claims one CSV or JSON export holds; more is an error asking for fewer.
EXPORT_MAX = 100_000


@dataclass
class ClaimsQuery:
    """The browser's query string as typed: every value text, "" for not given."""

    actor: str = ""
    issue: str = ""
    stance: str = ""
    outlet: str = ""
    extractor: str = ""
    status: str = ""
    document: str = ""
    proposal: str = ""
    conflict: str = ""
    min_support: str = ""
    since: str = ""
    until: str = ""
    sort: str = "date"
    order: str = "desc"
    page: str = "1"
    per_page: str = ""

    def params(self, **changes: str) -> dict[str, str]:
        """The non-default values (with ``changes``), as URL parameters."""
        values = asdict(self) | changes
        defaults = asdict(ClaimsQuery())
        return {k: v.strip() for k, v in values.items() if v.strip() and v != defaults[k]}

    def url(self, path: str = "/claims", **changes: str) -> str:
        """This view's address under ``path`` (with ``changes``): its permalink or a twin."""
        query = urlencode(self.params(**changes))
        return f"{path}?{query}" if query else path


@dataclass
class Checked:
    """A query's values as the store takes them, and the errors found, by field."""

    filters: dict[str, Any] = field(default_factory=dict)
    sort: Sort = "date"
    descending: bool = True
    page: int = 1
    per_page: int = PER_PAGE
    errors: dict[str, str] = field(default_factory=dict)


def _date(text: str, name: str, errors: dict[str, str]) -> date | None:
    if not text.strip():
        return None
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        errors[name] = "write the date as year-month-day, such as 2025-02-18"
        return None


def _number(text: str, name: str, default: int, top: int, errors: dict[str, str]) -> int:
    if not text.strip():
        return default
    if not text.strip().isdigit() or not 1 <= int(text.strip()) <= top:
        errors[name] = f"give a whole number from 1 to {top:,}"
        return default
    return int(text.strip())


def _vocabulary(query: ClaimsQuery, store: Store, checked: Checked) -> None:
    """Actors, issues, stances, the proposal and the conflict, checked as
    ``peacetrack claims`` checks them; a value that can match nothing is an error in words,
    not an empty list."""
    checks: dict[str, Any] = {
        "actor": lambda: check_actors(split(query.actor), store),
        "issue": lambda: check_issues(split(query.issue)),
        "stance": lambda: checked_stances(split(query.stance)),
        "proposal": lambda: check_proposal(query.proposal.strip() or None, store),
        "conflict": lambda: check_conflict(query.conflict.strip() or None),
    }
    checks["min_support"] = lambda: (
        parse_grade(query.min_support) if query.min_support.strip() else None
    )
    names = {"actor": "actors", "issue": "issues", "stance": "stances", "proposal": "proposal"}
    names |= {"conflict": "conflict", "min_support": "min_support"}
    for name, check in checks.items():
        try:
            checked.filters[names[name]] = check()
        except PeaceTrackError as exc:
            checked.errors[name] = for_web(str(exc))


def _exact(query: ClaimsQuery, store: Store, checked: Checked) -> None:
    """Document, outlet, extractor and status: each must name something claims have."""
    document = query.document.strip()
    ref: int | str | None = int(document) if document.isdigit() else document or None
    try:
        if ref is not None:
            store.claims(document=ref, include_rejected=True, limit=1)
        checked.filters["document"] = ref
    except PeaceTrackError as exc:
        checked.errors["document"] = for_web(str(exc))
    for name in ("outlet", "extractor"):
        value = getattr(query, name).strip() or None
        if value is not None and not store.claims(include_rejected=True, limit=1, **{name: value}):
            checked.errors[name] = f"no claim comes from the {name} “{value}”: pick one listed"
        checked.filters[name] = value
    status = query.status.strip().lower() or None
    if status is not None and status not in CLAIM_STATUSES:
        checked.errors["status"] = f"the review status is one of: {', '.join(CLAIM_STATUSES)}"
    checked.filters["status"] = status


def check(query: ClaimsQuery, store: Store) -> Checked:
    """The query's values as ``Store.claims`` takes them, with an error per wrong field."""
    checked = Checked()
    _vocabulary(query, store, checked)
    _exact(query, store, checked)
    checked.filters["since"] = _date(query.since, "since", checked.errors)
    checked.filters["until"] = _date(query.until, "until", checked.errors)
    if query.sort not in SORTS:
        checked.errors["sort"] = f"sort by one of: {', '.join(SORTS)}"
    else:
        checked.sort = cast(Sort, query.sort)
    if query.order not in ("asc", "desc"):
        checked.errors["order"] = "the order is asc (ascending) or desc (descending)"
    checked.descending = query.order != "asc"
    checked.page = _number(query.page, "page", 1, 1_000_000, checked.errors)
    checked.per_page = _number(query.per_page, "per_page", PER_PAGE, MAX_PER_PAGE, checked.errors)
    return checked


def errors_text(errors: dict[str, str]) -> str:
    """The errors as one line for the API: ``field: problem; ...``."""
    return "; ".join(f"{name}: {problem}" for name, problem in errors.items())


def browse(query: ClaimsQuery, store: Store) -> dict[str, Any]:
    """One page of claims with the facets of all the claims chosen, or the errors found.

    With errors nothing is read: the page shows the form as typed with each error beside
    its field, the API answers 400 with them in words.
    """
    checked = check(query, store)
    page: dict[str, Any] = {"query": query, "errors": checked.errors, "facet_names": FACETS}
    page |= {"stances": STANCE_VALUES, "statuses": CLAIM_STATUSES, "sorts": SORTS}
    page |= {"levels": GRADES, "facet_params": FACET_PARAMS}
    page["suggest"] = suggestions(store)
    if checked.errors:
        return page | {"claims": [], "facets": ClaimFacets(0), "total": 0, "pages": 1}
    facets = store.claim_facets(**checked.filters, top=FACET_TOP, budget_ms=FACET_MS)
    # Stances, outlets and extractors are suggested as the facets count them here.
    page["suggest"] |= {
        name: [(value, f"{n:,} claims") for value, n in facets.counts.get(name, [])]
        for name in ("stance", "outlet", "extractor")
    }
    known = facets.total if facets.counted else MAX_OFFSET
    number = min(checked.page, _pages(known, checked.per_page))
    claims = store.claims(
        **checked.filters,
        limit=checked.per_page,
        offset=(number - 1) * checked.per_page,
        sort=checked.sort,
        descending=checked.descending,
    )
    return page | {
        "claims": claims,
        "facets": facets,
        "total": facets.total,
        "page": number,
        "pages": _pages(known, checked.per_page) if facets.counted else None,
        "more": len(claims) == checked.per_page and number < _pages(known, checked.per_page),
        "per_page": checked.per_page,
        "beyond": facets.total > MAX_OFFSET or not facets.exact,
        "page_reach": MAX_OFFSET,
    }


def _pages(total: int, per_page: int) -> int:
    """Pages of ``per_page`` claims a list offers: every claim, or as far as
    ``MAX_OFFSET`` reaches when there are more."""
    return max(1, -(-min(total, MAX_OFFSET) // per_page))


def export(query: ClaimsQuery, store: Store) -> Checked | list[Any]:
    """Every claim the query chooses, sorted as asked, for an export; the ``Checked`` with
    its errors when the query is wrong or chooses more than ``EXPORT_MAX`` claims (read
    one past the bound rather than counted: a count would read them all)."""
    checked = check(query, store)
    if checked.errors:
        return checked
    found = store.claims(
        **checked.filters,
        limit=EXPORT_MAX + 1,
        sort=checked.sort,
        descending=checked.descending,
    )
    if len(found) > EXPORT_MAX:
        checked.errors["export"] = (
            f"more than {EXPORT_MAX:,} claims match, more than an export from the web holds: "
            "narrow the filters"
        )
        return checked
    return found
