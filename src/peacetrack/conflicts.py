"""What a store holds per conflict: every conflict of the codebook, in its order, with the
documents, claims and date range the store records for it, then the unassigned claims.

Claims carry their conflict from extraction on (``claims.conflict``), so this is one
GROUP BY in the store (``Store.conflict_counts``) set against the codebook: a conflict
without claims still shows (with zeros), a conflict id the store holds that this codebook
lacks (claims extracted under another user codebook) is listed after the known ones, and
the unassigned claims get a row of their own, never folded into another.
"""

from __future__ import annotations

from peacetrack.codebook import Codebook
from peacetrack.store import ConflictCount, Store

__all__ = ["ConflictCount", "conflict_counts"]


def conflict_counts(store: Store, codebook: Codebook) -> list[ConflictCount]:
    """One count per codebook conflict (codebook order), then other stored ids, then the
    unassigned claims (``conflict`` None)."""
    stored = {count.conflict: count for count in store.conflict_counts()}
    others = sorted(k for k in stored if k is not None and k not in codebook.conflicts)
    return [
        stored.get(key) or ConflictCount(key, 0, 0, None, None)
        for key in (*codebook.conflicts, *others, None)
    ]
