"""Two proposals (or two actors) side by side: what only one has, and where they differ.

An ``absent`` claim ("there was no such demand in the U.S. draft") is an explicit "not in
it": it never makes the issue part of that side, and the result says the absence was
stated rather than merely unreported.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from peacetrack.compare.cells import Cell, worded
from peacetrack.compare.labels import issue_label, issue_order
from peacetrack.errors import InputError
from peacetrack.model import Stance
from peacetrack.proposals import proposal_key
from peacetrack.source import By, ClaimSource, Filters, GroupFn, StoredClaim, as_source
from peacetrack.support import DEFAULT_SUPPORT, Support

#: Parts of a term compared between sides, in the order differences are reported.
ASPECTS = ("stance", "obligor", "territories", "recognition", "conditions")


@dataclass(frozen=True)
class IssueDiff:
    """One issue of a diff. ``differences`` names what differs (for ``different`` only).

    ``wording`` means both sides put a term forward with nothing structured to tell them
    apart: they may still differ (renounce claims vs pay compensation), so read the evidence.
    """

    issue: str
    a: Cell | None
    b: Cell | None
    differences: tuple[str, ...] = ()

    @property
    def stated_absent(self) -> bool:
        """The side without the issue says so explicitly (an ``absent`` claim)."""
        return any(c is not None and c.stance is Stance.ABSENT for c in (self.a, self.b))


@dataclass(frozen=True)
class Diff:
    a: str
    b: str
    only_a: list[IssueDiff] = field(default_factory=list)
    only_b: list[IssueDiff] = field(default_factory=list)
    different: list[IssueDiff] = field(default_factory=list)
    same: list[IssueDiff] = field(default_factory=list)

    def categories(self) -> dict[str, list[IssueDiff]]:
        """Category key -> issues, in reading order."""
        return {
            "only_a": self.only_a,
            "different": self.different,
            "only_b": self.only_b,
            "same": self.same,
        }

    def to_records(self) -> list[dict[str, Any]]:
        """One flat dict per issue, ready for CSV, JSON or a data frame."""
        return [
            {
                "category": category,
                "issue": item.issue,
                "issue_label": issue_label(item.issue),
                "a": self.a,
                "a_stance": item.a.stance.value if item.a else None,
                "a_summary": item.a.summary if item.a else None,
                "a_support": item.a.support.label if item.a else None,
                "b": self.b,
                "b_stance": item.b.stance.value if item.b else None,
                "b_summary": item.b.summary if item.b else None,
                "b_support": item.b.support.label if item.b else None,
                "differences": list(item.differences),
                "stated_absent": item.stated_absent,
            }
            for category, items in self.categories().items()
            for item in items
        ]


def diff(
    claims: ClaimSource | Sequence[StoredClaim],
    a: str,
    b: str,
    *,
    independent_groups: GroupFn | None = None,
    conflict: str | None = None,
    min_support: Support = DEFAULT_SUPPORT,
    reviewed_only: bool = False,
) -> Diff:
    """Compare side ``a`` with side ``b``; each is a proposal name or an actor id.

    A proposal name may be abbreviated to any unique part of it ("U.S. draft"). A side's
    cells are its matrix column (a store reads them from its cell summaries), built with
    ``min_support`` and ``reviewed_only`` as ``compare`` builds them, of the claims of
    ``conflict`` only when one is given (an id, name or alias, or ``unassigned``).
    """
    filters = Filters(reviewed_only=reviewed_only, min_support=min_support, conflict=conflict)
    sides = _Sides(as_source(claims, independent_groups), filters)
    name_a, cells_a = sides.pick(a)
    name_b, cells_b = sides.pick(b)
    result = Diff(a=name_a, b=name_b)
    order = issue_order()
    for issue in sorted(cells_a.keys() | cells_b.keys(), key=lambda i: (order.get(i, 999), i)):
        _file(result, IssueDiff(issue, cells_a.get(issue), cells_b.get(issue)))
    return result


@dataclass(frozen=True)
class _Sides:
    """Where the sides come from: the proposal names in use and each column's cells."""

    source: ClaimSource
    filters: Filters

    @cached_property
    def names(self) -> dict[str, set[str]]:
        return self.source.proposal_phrases()

    def cells_of(self, by: By, column: str) -> dict[str, Cell]:
        """A side's cells by issue, for an actor id or a canonical proposal name."""
        found = self.source.cell_facts(by, self.filters, [column])
        return {issue: worded(facts) for (issue, _), facts in found.items()}

    def pick(self, name: str) -> tuple[str, dict[str, Cell]]:
        """The cells of proposal ``name`` (canonical name, alias, or a unique part of one),
        or of actor ``name``."""
        match, whole = _proposal_match(self.names, name)
        actor = name.strip().upper()
        mine = self.cells_of("actor", actor) if actor else {}
        # A proposal's own name or alias wins; an actor id wins over a part of a name
        # ("RUS" is in "Russian demands" and "Russian memorandum").
        if mine and not whole:
            return actor, mine
        if len(match) == 1:
            return match[0], self.cells_of("proposal", match[0])
        if len(match) > 1:
            raise InputError(f"{name!r} matches several proposals ({'; '.join(match)}): quote one")
        known = "; ".join(sorted(self.names)[:10]) or "none"
        raise InputError(
            f"{name!r} is neither a proposal nor an actor in the claims; "
            f"proposals include: {known} (or give an actor id such as RUS)"
        )


def _holds(cell: Cell | None) -> bool:
    return cell is not None and cell.stance is not Stance.ABSENT


def _file(result: Diff, item: IssueDiff) -> None:
    has_a, has_b = _holds(item.a), _holds(item.b)
    if has_a and not has_b:
        result.only_a.append(item)
    elif has_b and not has_a:
        result.only_b.append(item)
    elif not has_a:
        result.same.append(item)  # both state it is absent
    else:
        differences = _differences(item.a, item.b)
        target = result.different if differences else result.same
        target.append(IssueDiff(item.issue, item.a, item.b, differences))


def _differences(a: Cell | None, b: Cell | None) -> tuple[str, ...]:
    assert a is not None and b is not None
    terms_a, terms_b = _terms(a), _terms(b)
    found = tuple(aspect for aspect in ASPECTS if terms_a[aspect] != terms_b[aspect])
    undetailed = not any(t[x] for t in (terms_a, terms_b) for x in ASPECTS[1:])
    if not found and undetailed and a.stance.coarse == "put_forward":
        return ("wording",)
    return found


def _terms(cell: Cell) -> dict[str, frozenset[object]]:
    """Each aspect's values across the claims stating the cell's current stance."""
    current = cell.current
    return {
        "stance": frozenset({cell.stance.coarse}),
        "obligor": frozenset(a for c in current for a in c.obligor or ()),
        "territories": frozenset(t for c in current for t in c.territories or ()),
        "recognition": frozenset(
            (c.recognition.type, frozenset(c.recognition.by)) for c in current if c.recognition
        ),
        "conditions": frozenset((x.relation, x.issue) for c in current for x in c.conditions or ()),
    }


def _proposal_match(names: dict[str, set[str]], name: str) -> tuple[list[str], bool]:
    """Canonical names that ``name`` names: exactly, then as an alias (spelling aside:
    "US draft" is "U.S. draft"), then as a part of a name or alias; and whether the match
    was more than a part."""
    wanted, key = name.strip().casefold(), proposal_key(name)
    levels = [
        [c for c in names if c.casefold() == wanted],
        [c for c, all_ in names.items() if any(n.casefold() == wanted for n in all_)],
        [c for c, all_ in names.items() if key and any(proposal_key(n) == key for n in all_)],
        [c for c, all_ in names.items() if wanted and any(wanted in n.casefold() for n in all_)],
    ]
    for depth, level in enumerate(levels):
        if level:
            return sorted(level), depth < len(levels) - 1
    return [], False
