"""What a store holds per conflict: every conflict of the codebook, in its order, with the
documents, claims and date range the store records for it, then the unassigned claims; and
the one JSON and CSV form of that listing, for the command line and the web app alike.

Claims carry their conflict from extraction on (``claims.conflict``), so this is one
GROUP BY in the store (``Store.conflict_counts``) set against the codebook: a conflict
without claims still shows (with zeros), a conflict id the store holds that this codebook
lacks (claims extracted under another user codebook) is listed after the known ones, and
the unassigned claims get a row of their own, never folded into another.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from peacetrack.codebook import Codebook
from peacetrack.vocabulary import Conflict

if TYPE_CHECKING:  # the store loads SQLAlchemy: `codebook conflicts` and --help need none
    from peacetrack.store import ConflictCount, Store

__all__ = [
    "UNASSIGNED_NAME",
    "ConflictLine",
    "codebook_lines",
    "conflict_counts",
    "conflict_lines",
    "lines_csv",
    "lines_json",
]

#: What a listing calls the claims that fit no conflict.
UNASSIGNED_NAME = "(unassigned)"


@dataclass(frozen=True)
class ConflictLine:
    """One line of a listing: a conflict id (None: the unassigned claims), its codebook
    entry (None for the unassigned, or an id this codebook lacks) and its counts."""

    key: str | None
    conflict: Conflict | None
    count: ConflictCount | None = None

    @property
    def name(self) -> str:
        if self.conflict is not None:
            return self.conflict.name
        return UNASSIGNED_NAME if self.key is None else self.key

    def record(self) -> dict[str, object]:
        """Plain values for JSON and CSV, ids and codes kept as codes: machines read them."""
        c = self.conflict
        row: dict[str, object] = {
            "id": self.key,
            "name": self.name,
            "aliases": list(c.aliases) if c else [],
            "parties": list(c.parties) if c else [],
            "around": list(c.around) if c else [],
            "places": list(c.places) if c else [],
            "start": c.start.isoformat() if c and c.start else None,
        }
        if self.count is not None:
            n = self.count
            row["documents"], row["claims"] = n.documents, n.claims
            row["first"] = n.first.isoformat() if n.first else None
            row["last"] = n.last.isoformat() if n.last else None
        return row


def matches(search: str | None, words: Iterable[str]) -> bool:
    """True when ``search`` is empty or a part of one of ``words`` (case does not matter)."""
    needle = (search or "").casefold()
    return not needle or any(needle in word.casefold() for word in words)


def _found(conflict: Conflict, search: str | None) -> bool:
    return matches(search, [conflict.id, conflict.name, *conflict.aliases, *conflict.parties])


def codebook_lines(book: Codebook, search: str | None = None) -> list[ConflictLine]:
    """The codebook's conflicts whose id, name, alias or party contains ``search``."""
    return [ConflictLine(c.id, c) for c in book.conflicts.values() if _found(c, search)]


def conflict_counts(store: Store, codebook: Codebook) -> list[ConflictCount]:
    """One count per codebook conflict (codebook order), then other stored ids, then the
    unassigned claims (``conflict`` None)."""
    from peacetrack.store import ConflictCount

    stored = {count.conflict: count for count in store.conflict_counts()}
    others = sorted(k for k in stored if k is not None and k not in codebook.conflicts)
    return [
        stored.get(key) or ConflictCount(key, 0, 0, None, None)
        for key in (*codebook.conflicts, *others, None)
    ]


def conflict_lines(store: Store, book: Codebook, search: str | None = None) -> list[ConflictLine]:
    """Every conflict with the store's counts, then the unassigned claims; with ``search``,
    the conflicts it finds (by id, name, alias or party) and no unassigned line."""
    lines = []
    for count in conflict_counts(store, book):
        known = book.conflicts.get(count.conflict or "")
        if search is None or (
            count.conflict is not None
            and (_found(known, search) if known else matches(search, [count.conflict]))
        ):
            lines.append(ConflictLine(count.conflict, known, count))
    return lines


def lines_json(lines: Iterable[ConflictLine]) -> str:
    return json.dumps([line.record() for line in lines], ensure_ascii=False, indent=2)


#: CSV columns; list fields are joined with "; " so a spreadsheet shows one cell each.
_CSV_FIELDS = ("id", "name", "aliases", "parties", "around", "places", "start")
_CSV_COUNTS = ("documents", "claims", "first", "last")


def lines_csv(lines: Iterable[ConflictLine]) -> str:
    records = [line.record() for line in lines]
    fields = [*_CSV_FIELDS, *(_CSV_COUNTS if records and "claims" in records[0] else ())]
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(fields)
    for r in records:
        values = [r[k] for k in fields]
        writer.writerow(["; ".join(map(str, v)) if isinstance(v, list) else v for v in values])
    return out.getvalue()
