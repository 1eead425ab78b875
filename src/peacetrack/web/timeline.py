"""What the timeline page shows: a page of steps, newest first, and the links around it.

The page, its JSON twin (``/api/timeline``) and its CSV twin (``/api/timeline.csv``, as
``peacetrack timeline --format csv`` writes the same steps) show the same page of steps,
chosen by the same query string. A store keeps the steps at the default support floor
summarised (``store.cells.steps``), so a page costs a page however long the record; another
floor or reviewed claims only read the tracks the page shows, without a total.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any
from urllib.parse import urlencode

from peacetrack.compare import TimelineEntry
from peacetrack.compare.timeline import count_steps, recent_steps
from peacetrack.store import Store
from peacetrack.web.inputs import PageNumber
from peacetrack.web.views import SupportQuery, entry_json

#: Steps on a page.
PER_PAGE = 50


@dataclass(frozen=True)
class TimelineQuery(SupportQuery):
    """The timeline's filters and page, as the URL holds them: an actor id, an issue code
    or pattern (``TER.*``), a conflict (``unassigned`` for none), steps begun since a day."""

    actor: str = ""
    issue: str = ""
    conflict: str = ""
    since: date | None = None
    page: PageNumber = 1

    def params(self, **changes: str) -> dict[str, str]:
        """The non-default values (with ``changes``; an empty one drops it) as parameters."""
        values = {"actor": self.actor, "issue": self.issue, "conflict": self.conflict}
        values |= {"since": self.since.isoformat() if self.since else ""}
        values |= {"page": str(self.page) if self.page > 1 else ""} | changes
        return {k: v for k, v in values.items() if v} | self.support_params()

    def url(self, path: str = "/timeline", **changes: str) -> str:
        """This view's address under ``path`` (with ``changes``): its permalink or a twin."""
        query = urlencode(self.params(**changes))
        return f"{path}?{query}" if query else path


@dataclass(frozen=True)
class StepsPage:
    """One page of steps; ``total`` None when counting would read every claim (then
    ``older`` says whether another page follows)."""

    query: TimelineQuery
    entries: list[TimelineEntry]
    total: int | None
    older: bool

    @property
    def pages(self) -> int | None:
        return None if self.total is None else max(1, -(-self.total // PER_PAGE))

    def to_json(self) -> dict[str, Any]:
        query = self.query
        return {
            "total": self.total,
            "page": query.page,
            "pages": self.pages,
            "per_page": PER_PAGE,
            "filters": query.params(page=""),
            "steps": [entry_json(e) for e in self.entries],
            "links": {
                "newer": query.url("/api/timeline", page=str(query.page - 1))
                if query.page > 1
                else None,
                "older": query.url("/api/timeline", page=str(query.page + 1))
                if self.older
                else None,
                "csv": query.url("/api/timeline.csv"),
                "page": query.url(),
            },
        }


def steps_page(store: Store, query: TimelineQuery) -> StepsPage:
    """The query's page of steps, newest first, with their total when it is cheap."""
    chosen: dict[str, Any] = {
        "actor": query.actor or None,
        "issue": query.issue or None,
        "conflict": query.conflict or None,
        "min_support": query.floor,
        "reviewed_only": query.reviewed_only,
        "since": query.since,
    }
    total = count_steps(store, **chosen)
    offset = (max(query.page, 1) - 1) * PER_PAGE
    # One step more than the page: whether an older page follows, when there is no total.
    found = recent_steps(store, limit=PER_PAGE + 1, offset=offset, **chosen)
    return StepsPage(query, found[:PER_PAGE], total, len(found) > PER_PAGE)
