"""The domain model: documents, claims, proposals and actors.

The claim format is fixed by the annotation guideline (GUIDELINES.md in the evaluation
corpus); these models mirror it field for field so that the guideline's JSONL round-trips
through them unchanged. Fields the guideline does not have (character offsets, the
extractor that produced a claim, store ids) are kept apart from the guideline fields and
never leak into guideline JSONL.

The vocabulary (``Actor``, the forms of actor ids, issue codes and territories) lives in
``peacetrack.vocabulary``, a leaf both this module and the codebook import. A claim is valid
without any codebook loaded: its issue code must be well formed, and is checked against a
codebook only when one is handed in, as ``model_validate(data, context={"codebook": cb})``.
Whoever takes an issue code from a user (a file, a form, a model's answer) hands in the
codebook in force, so a typo is still an error at the edge; a claim read back from the
store or from an export made under another codebook stays readable.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import json
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from pathlib import Path
from typing import Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)

from peacetrack.errors import InputError
from peacetrack.files import atomic_path

# Re-exported: these lived here before ``peacetrack.vocabulary`` and are imported from here.
from peacetrack.vocabulary import (
    ACTOR_ID,
    ISSUE_CODE,
    TERRITORY,
    Actor,
    IssueCodes,
    check_actor_ids,
    check_issue,
    check_territories,
)

__all__ = [
    "ACTOR_ID",
    "GUIDELINE_FIELDS",
    "ISSUE_CODE",
    "TERRITORY",
    "Actor",
    "Attribution",
    "Claim",
    "Condition",
    "Document",
    "DocumentClaims",
    "ModelReply",
    "Proposal",
    "ProposalKind",
    "Recognition",
    "Stance",
    "content_hash",
    "normalise_text",
    "parse_claims_jsonl",
    "read_claims_jsonl",
    "write_claims_jsonl",
]

#: Fields of a claim as the guideline defines them, in the guideline's order.
GUIDELINE_FIELDS = (
    "actors",
    "stance",
    "issue",
    "obligor",
    "territories",
    "conditions",
    "recognition",
    "proposal",
    "attribution",
    "evidence",
)


class Stance(StrEnum):
    """What an actor does with a term. The coarse class is what the primary score compares."""

    DEMAND = "demand"
    PROPOSE = "propose"
    OFFER = "offer"
    ACCEPT = "accept"
    REJECT = "reject"
    AGREE = "agree"
    NO_AGREEMENT = "no_agreement"
    ABSENT = "absent"
    CONCEDE = "concede"

    @functools.cached_property
    def coarse(self) -> str:
        """Demand, propose and offer all put a term forward; the rest are their own class.

        Cached on the member: cells and timelines ask it of every claim, often many times.
        """
        if self in (Stance.DEMAND, Stance.PROPOSE, Stance.OFFER):
            return "put_forward"
        return self.value


#: Each stance by its value, as the store keeps it: reads turn every row's stance into its
#: member, and ``Stance(value)`` costs 0.7 µs a call where this look-up costs 0.03 µs.
STANCE_BY_VALUE: dict[str, Stance] = {stance.value: stance for stance in Stance}
#: Every stance's value in the codebook's order, as filters and forms offer them.
STANCE_VALUES: tuple[str, ...] = tuple(STANCE_BY_VALUE)


class _Strict(BaseModel):
    #: Validators are built on first validation, not at import: a read constructs stored
    #: claims without validating them again (``store/queries.py``), so it never pays for them.
    model_config = ConfigDict(
        extra="forbid", frozen=True, str_strip_whitespace=True, defer_build=True
    )


def _known_issue(code: str, info: ValidationInfo) -> str:
    """The code's form always; its existence when the caller handed in a codebook."""
    codebook: IssueCodes | None = (info.context or {}).get("codebook")
    return check_issue(code, codebook)


class Condition(_Strict):
    """Sequencing: this term comes before or after the term on ``issue``."""

    relation: Literal["before", "after"]
    issue: str

    @field_validator("issue")
    @classmethod
    def _issue(cls, v: str, info: ValidationInfo) -> str:
        return _known_issue(v, info)


class Recognition(_Strict):
    """Who would recognise sovereignty, and whether in law or in fact."""

    by: list[str] = Field(min_length=1)
    type: Literal["de_jure", "de_facto"]

    @field_validator("by")
    @classmethod
    def _by(cls, v: list[str]) -> list[str]:
        return check_actor_ids(v)


class Attribution(_Strict):
    """Whom the document credits for the claim; ``source`` is as written in the text."""

    source: str | None = None
    anonymous: bool = False


class Claim(_Strict):
    """One stance of one or more actors on one issue, as a document reports it.

    ``start``/``end`` locate ``evidence`` in the document text (``text[start:end] ==
    evidence``); ``extractor`` names the versioned component that produced the claim
    (``rules.v1``), or is None for gold and hand-made claims. An extractor that asks a
    language model also records the ``model`` that answered and ``prompt_hash``, a hash of
    its prompt version; ``confidence`` (0-1) is the extractor's own, where it gives one.
    None of these is a guideline field.
    """

    actors: list[str] = Field(min_length=1)
    stance: Stance
    issue: str
    obligor: list[str] | None = None
    territories: list[str] | None = None
    conditions: list[Condition] | None = None
    recognition: Recognition | None = None
    proposal: str | None = None
    attribution: Attribution | None = None
    evidence: str = Field(min_length=1)
    start: int | None = Field(default=None, ge=0, exclude=True)
    end: int | None = Field(default=None, ge=0, exclude=True)
    extractor: str | None = Field(default=None, exclude=True)
    model: str | None = Field(default=None, exclude=True)
    prompt_hash: str | None = Field(default=None, exclude=True)
    confidence: float | None = Field(default=None, ge=0, le=1, exclude=True)

    @field_validator("actors", "obligor")
    @classmethod
    def _actors(cls, v: list[str] | None) -> list[str] | None:
        return None if v is None else check_actor_ids(v)

    @field_validator("issue")
    @classmethod
    def _issue(cls, v: str, info: ValidationInfo) -> str:
        return _known_issue(v, info)

    @field_validator("territories")
    @classmethod
    def _territories(cls, v: list[str] | None) -> list[str] | None:
        return None if v is None else check_territories(v)

    @model_validator(mode="after")
    def _consistent(self) -> Claim:
        if self.recognition is not None and self.issue != "TER.RECOGNITION":
            raise ValueError("recognition is only allowed on TER.RECOGNITION claims")
        if (self.start is None) != (self.end is None):
            raise ValueError("start and end go together")
        if self.start is not None and self.end is not None and self.end <= self.start:
            raise ValueError("end must be after start")
        return self

    @property
    def coarse_stance(self) -> str:
        return self.stance.coarse

    @property
    def produced_by(self) -> str | None:
        """Who produced the claim, for people: ``llm.v1 (gpt-4.1-mini)``, ``rules.v1``."""
        if self.extractor is None:
            return None
        return f"{self.extractor} ({self.model})" if self.model else self.extractor

    def to_guideline(self) -> dict[str, Any]:
        """The claim as a guideline JSONL object: required fields always, others when set."""
        data = self.model_dump(mode="json", exclude_none=True)
        return {k: data[k] for k in GUIDELINE_FIELDS if k in data}

    def located_in(self, text: str) -> Claim:
        """Return a copy with ``start``/``end`` set, or raise if the evidence is not verbatim.

        A claim whose words are not in its document must never be stored: it could not be
        traced back, which is the one promise PeaceTrack makes about every claim.
        """
        if self.start is not None and text[self.start : self.end] == self.evidence:
            return self
        at = text.find(self.evidence)
        if at < 0:
            raise ValueError(f"evidence is not verbatim in the document: {self.evidence[:80]!r}")
        return self.model_copy(update={"start": at, "end": at + len(self.evidence)})


@dataclass(frozen=True)
class ModelReply:
    """A language model's answer to one request, as cached: text, why it stopped, tokens.

    Kept in the store (``Store.model_reply``) so that re-running an extraction, or resuming
    an interrupted one, sends no request twice.
    """

    content: str
    finish_reason: str | None
    tokens_in: int
    tokens_out: int

    @property
    def truncated(self) -> bool:
        """The answer was cut off by the output token limit (it is incomplete)."""
        return self.finish_reason == "length"


class DocumentClaims(_Strict):
    """One line of guideline JSONL: a document's file name and its claims."""

    doc: str = Field(min_length=1)
    claims: list[Claim]

    @field_validator("doc")
    @classmethod
    def _bare_name(cls, v: str) -> str:
        return Path(v).name

    def to_json(self) -> str:
        body = {"doc": self.doc, "claims": [c.to_guideline() for c in self.claims]}
        return json.dumps(body, ensure_ascii=False)


class Document(BaseModel):
    """A report as ingested: its text and whatever the source told us about it.

    ``name`` is what guideline JSONL calls ``doc`` (the file name for files, a slug of the
    URL or title otherwise). ``content_hash`` identifies the text, so the same content
    ingested twice from two places is recognised as one document.
    """

    model_config = ConfigDict(extra="forbid", defer_build=True)

    id: int | None = None
    name: str = Field(min_length=1)
    text: str = Field(min_length=1)
    title: str | None = None
    url: str | None = None
    outlet: str | None = None
    author: str | None = None
    published: date | None = None
    language: str | None = "en"
    source: str | None = None
    ingested_at: datetime | None = None

    @property
    def content_hash(self) -> str:
        return content_hash(self.text)


def normalise_text(text: str) -> str:
    """Text as stored: NFC, Unix newlines, no trailing blanks. Offsets index into this form."""
    text = unicodedata.normalize("NFC", text).replace("\r\n", "\n").replace("\r", "\n")
    return text.strip()


def content_hash(text: str) -> str:
    """SHA-256 of the whitespace-folded text: copies that differ only in spacing are one."""
    folded = " ".join(text.split())
    return hashlib.sha256(folded.encode("utf-8")).hexdigest()


ProposalKind = Literal[
    "verbal_demands", "draft", "plan", "memorandum", "statement", "agreement", "talks", "other"
]


class Proposal(BaseModel):
    """A plan, draft, set of demands or round of talks that claims belong to."""

    model_config = ConfigDict(extra="forbid", defer_build=True)

    id: int | None = None
    name: str = Field(min_length=1)
    authors: list[str] = Field(default_factory=list)
    kind: ProposalKind = "other"
    date: dt.date | None = None
    aliases: list[str] = Field(default_factory=list)


def parse_claims_jsonl(
    lines: Iterable[str], origin: str, codebook: IssueCodes | None = None
) -> Iterator[DocumentClaims]:
    """Parse guideline JSONL, naming ``origin:line`` in every error so it can be fixed.

    Issue codes are checked against ``codebook`` when one is given, else for their form
    only; ``peacetrack.read_claims_jsonl`` hands in the codebook in force.
    """
    context = {"codebook": codebook} if codebook is not None else None
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            yield DocumentClaims.model_validate_json(line, context=context)
        except ValidationError as exc:
            problems = "; ".join(
                f"{'.'.join(str(p) for p in e['loc']) or 'line'}: {e['msg']}" for e in exc.errors()
            )
            raise InputError(f"{origin}:{number}: {problems}") from None


def read_claims_jsonl(path: Path, codebook: IssueCodes | None = None) -> list[DocumentClaims]:
    """Every line of a guideline JSONL file (see ``parse_claims_jsonl`` for the checks)."""
    with path.open(encoding="utf-8") as handle:
        return list(parse_claims_jsonl(handle, str(path), codebook))


def write_claims_jsonl(records: Iterable[DocumentClaims], path: Path) -> int:
    """Write atomically (temp file then rename), so a crash never leaves half a file."""
    count = 0
    with atomic_path(path) as tmp, tmp.open("w", encoding="utf-8") as handle:
        for record in records:
            handle.write(record.to_json() + "\n")
            count += 1
    return count
