"""Where documents, near-duplicate links, claims, extractions and runs are kept.

A SQLite file by default, any SQLAlchemy database by URL; the schema is migrated to the
current version whenever a store is opened. ``Store`` is the only door: code outside this
package imports from here, never a submodule, and reaches the repositories through a store
(``store.review``, ``store.proposals``, ``store.cells``, ``store.search``, ``store.runs``).
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

from peacetrack.source import StoredClaim
from peacetrack.store.claim_query import ClaimQuery
from peacetrack.store.conflicts import ConflictCount
from peacetrack.store.engine import OutOfTime, require_store
from peacetrack.store.queries import SORTS, Sort
from peacetrack.store.runs import RunInfo
from peacetrack.store.store import AddResult, Store
from peacetrack.store.tables import CLAIM_STATUSES

if TYPE_CHECKING:
    from peacetrack.store.facets import FACETS, ClaimFacets
    from peacetrack.store.proposals import ProposalInfo
    from peacetrack.store.review import ACTIONS, ReviewEvent, ReviewLog
    from peacetrack.store.search import MARK_END, MARK_START, SearchResults

open_store = Store.open

#: Names of the modules that only review, search, proposals and the web's facets use,
#: imported on first use: a read of the store (``compare``, ``claims``) loads none of them.
_LATER = {
    "FACETS": "facets",
    "ClaimFacets": "facets",
    "ProposalInfo": "proposals",
    "ACTIONS": "review",
    "ReviewEvent": "review",
    "ReviewLog": "review",
    "MARK_END": "search",
    "MARK_START": "search",
    "SearchResults": "search",
}


def __getattr__(name: str) -> Any:
    module = _LATER.get(name)
    if module is None:
        raise AttributeError(f"module 'peacetrack.store' has no attribute {name!r}")
    return getattr(import_module(f"peacetrack.store.{module}"), name)


__all__ = [
    "ACTIONS",
    "CLAIM_STATUSES",
    "FACETS",
    "MARK_END",
    "MARK_START",
    "SORTS",
    "AddResult",
    "ClaimFacets",
    "ClaimQuery",
    "ConflictCount",
    "OutOfTime",
    "ProposalInfo",
    "ReviewEvent",
    "ReviewLog",
    "RunInfo",
    "SearchResults",
    "Sort",
    "Store",
    "StoredClaim",
    "open_store",
    "require_store",
]
