"""The form a reviewer edits or adds a claim with: pickers from the codebook, not codes.

A claim's actors, issue, places, conditions and recognition are codes (``RUS``,
``TER.WITHDRAW``, ``UA-14``) and small objects; nobody should have to type those. The form
offers them by name (actors and places sorted by name, places grouped by country, issues
by group), conditions as rows of a relation and an issue, recognition as who and what
kind. What was sent is kept in ``ClaimForm``, so a form with a mistake comes back as it
was typed with each problem beside its field (``field_errors``), in words.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from functools import cache
from typing import Annotated, Any

from pydantic import BaseModel, Field

from peacetrack.codebook import Codebook, default_codebook
from peacetrack.errors import InputError
from peacetrack.model import STANCE_VALUES, Claim
from peacetrack.store import Store
from peacetrack.web.inputs import MAX_INT
from peacetrack.web.wording import for_web

#: A character offset into a document's text (as the add and edit forms send it).
Offset = Annotated[int | None, Field(ge=0, le=MAX_INT)]
#: Empty condition rows a form offers beyond a claim's own (more after saving).
SPARE_CONDITIONS = 2
#: Fields shown on the form, in order: an error on any other goes above the form.
FORM_FIELDS = (
    "actors",
    "stance",
    "issue",
    "obligor",
    "territories",
    "proposal",
    "attribution",
    "conditions",
    "recognition",
    "evidence",
)


class ClaimForm(BaseModel):
    """A claim as the edit and add forms send it: a value per field, lists repeated."""

    csrf_token: str = ""
    reviewer: str = ""
    next: str = ""
    actors: list[str] = []
    stance: str = ""
    issue: str = ""
    obligor: list[str] = []
    territories: list[str] = []
    proposal: str = ""
    attribution_source: str = ""
    attribution_anonymous: bool = False
    condition_relation: list[str] = []
    condition_issue: list[str] = []
    recognition_by: list[str] = []
    recognition_type: str = ""
    evidence: str = ""
    start: Offset = None
    end: Offset = None

    @classmethod
    def of(cls, claim: Claim) -> ClaimForm:
        """The form filled in with ``claim`` as it stands."""
        conditions = claim.conditions or []
        attribution, recognition = claim.attribution, claim.recognition
        return cls(
            actors=list(claim.actors),
            stance=claim.stance.value,
            issue=claim.issue,
            obligor=list(claim.obligor or []),
            territories=list(claim.territories or []),
            proposal=claim.proposal or "",
            attribution_source=(attribution.source or "") if attribution else "",
            attribution_anonymous=bool(attribution and attribution.anonymous),
            condition_relation=[c.relation for c in conditions],
            condition_issue=[c.issue for c in conditions],
            recognition_by=list(recognition.by) if recognition else [],
            recognition_type=recognition.type if recognition else "",
            evidence=claim.evidence,
            start=claim.start,
            end=claim.end,
        )

    def condition_rows(self) -> list[tuple[str, str]]:
        """The conditions as sent, then ``SPARE_CONDITIONS`` empty rows to add more."""
        pairs = list(zip(self.condition_relation, self.condition_issue, strict=False))
        given = [(r, i) for r, i in pairs if r or i]
        return given + [("", "")] * SPARE_CONDITIONS

    def fields(self) -> dict[str, Any]:
        """The guideline fields (and offsets), as ``store.review.edit`` and ``add`` take
        them; an InputError naming the field when a condition or recognition is half given."""
        errors: dict[str, str] = {}
        conditions = [{"relation": r, "issue": i} for r, i in self.condition_rows() if r or i]
        if any(not c["relation"] or not c["issue"] for c in conditions):
            errors["conditions"] = "choose both “before” or “after” and an issue in each row"
        recognition = None
        if self.recognition_by or self.recognition_type:
            recognition = {"by": self.recognition_by, "type": self.recognition_type}
            if not self.recognition_by or not self.recognition_type:
                errors["recognition"] = (
                    "choose who would recognise it and whether in law or in fact"
                )
        if errors:
            raise InputError("; ".join(f"{k}: {v}" for k, v in errors.items()), errors)
        source = self.attribution_source.strip()
        attributed = bool(source) or self.attribution_anonymous
        return {
            "actors": self.actors,
            "stance": self.stance,
            "issue": self.issue.strip(),
            "obligor": self.obligor or None,
            "territories": self.territories or None,
            "proposal": self.proposal.strip() or None,
            "attribution": (
                {"source": source or None, "anonymous": self.attribution_anonymous}
                if attributed
                else None
            ),
            "conditions": conditions or None,
            "recognition": recognition,
            "evidence": self.evidence,
            "start": self.start,
            "end": self.end,
        }


#: Pydantic's phrasings, and what a person filling the form should read instead.
_PLAIN = {
    "List should have at least 1 item": "choose at least one",
    "Input should be 'before' or 'after'": "choose “before” or “after”",
    "Input should be 'de_jure' or 'de_facto'": "choose in law (de jure) or in fact (de facto)",
    "Field required": "this is required",
    "String should have at least 1 character": "this is required",
}


def field_errors(exc: InputError) -> tuple[dict[str, str], str]:
    """The problems by form field (in words), and what belongs to no field, for the page."""
    by_field: dict[str, str] = {}
    general = []
    for name, problem in (exc.fields or {"claim": str(exc)}).items():
        text = next((v for k, v in _PLAIN.items() if problem.startswith(k)), problem)
        target = "recognition" if "recognition" in problem and name == "claim" else name
        if target in FORM_FIELDS:
            by_field[target] = for_web(text)
        else:
            general.append(for_web(text))
    return by_field, "; ".join(general)


@dataclass(frozen=True)
class Choices:
    """What the pickers offer: codebook entries by name, and the store's proposals."""

    actors: list[tuple[str, str]]
    issues: list[tuple[str, list[tuple[str, str]]]]
    places: list[tuple[str, list[tuple[str, str]]]]
    proposals: list[str]
    stances: tuple[str, ...] = STANCE_VALUES

    def others(self, kind: str, values: list[str]) -> list[str]:
        """``values`` the picker of ``kind`` (actors, issues, places) does not list (a
        claim made under another codebook): offered too, so saving never drops them."""
        if kind == "actors":
            known = {code for code, _ in self.actors}
        else:
            known = {code for _, group in getattr(self, kind) for code, _ in group}
        return [v for v in values if v and v not in known]


@cache
def _codebook_choices(book: Codebook) -> tuple[Any, Any, Any]:
    actors = sorted(((a.id, a.name) for a in book.actors.values()), key=lambda a: a[1])
    groups: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for issue in book.issues.values():
        groups[issue.group].append((issue.code, issue.label))
    places: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for place in book.places.values():
        country = place.code.split("-")[0] if place.code[:2].isupper() else ""
        parent = book.places.get(country)
        places[parent.name if parent else "Other places"].append((place.code, place.name))
    return (
        actors,
        sorted(groups.items()),
        sorted((k, sorted(v, key=lambda p: p[1])) for k, v in places.items()),
    )


def choices(proposals: list[str]) -> Choices:
    """The pickers' options (read once per codebook) with the store's ``proposals``."""
    actors, issues, places = _codebook_choices(default_codebook())
    return Choices(list(actors), list(issues), list(places), proposals)


def form_context(store: Store, form: ClaimForm, error: InputError | None = None) -> dict[str, Any]:
    """What a page with a claim form needs: the values, the pickers (with the store's
    proposals as suggestions) and any problems."""
    errors, general = field_errors(error) if error is not None else ({}, "")
    proposals = sorted(p.name for p in store.proposals.list() if p.claims)
    return {
        "form": form,
        "form_errors": errors,
        "form_error": general,
        "choices": choices(proposals),
    }
