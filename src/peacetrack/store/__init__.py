"""Where documents, near-duplicate links, claims, extractions and runs are kept.

A SQLite file by default, any SQLAlchemy database by URL; the schema is migrated to the
current version whenever a store is opened. ``Store`` is the only door: code outside this
package imports from here, never a submodule, and reaches the repositories through a store
(``store.review``, ``store.proposals``, ``store.cells``, ``store.search``, ``store.runs``).
"""

from peacetrack.source import StoredClaim
from peacetrack.store.claim_query import ClaimQuery
from peacetrack.store.conflicts import ConflictCount
from peacetrack.store.engine import OutOfTime, require_store
from peacetrack.store.facets import FACETS, ClaimFacets
from peacetrack.store.proposals import ProposalInfo
from peacetrack.store.queries import SORTS, Sort
from peacetrack.store.review import ACTIONS, ReviewEvent, ReviewLog
from peacetrack.store.runs import RunInfo
from peacetrack.store.schema import CLAIM_STATUSES
from peacetrack.store.search import MARK_END, MARK_START, SearchResults
from peacetrack.store.store import AddResult, Store

open_store = Store.open

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
