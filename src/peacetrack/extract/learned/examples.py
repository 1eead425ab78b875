"""Labelled reports to learn from: gold files, a store's review history, or another
extractor's claims in a store.

Every example belongs to a group, the conflict it reports on (the file name's prefix by
the corpus convention, ``ru-ua_2025-05-17_...``, or the store's assignment), so that
validation can hold out whole conflicts: a model tested on sentences of wars it was
trained on would look better than it is on the next war.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from peacetrack.errors import InputError
from peacetrack.extract.evaluate import read_gold_document
from peacetrack.model import Claim, normalise_text, read_claims_jsonl

if TYPE_CHECKING:
    from peacetrack.codebook import Codebook
    from peacetrack.source import StoredClaim
    from peacetrack.store import Store

#: Review states whose claims a reviewer vouched for.
VOUCHED = ("accepted", "edited", "added")
#: Weight of a reviewed report and of a teacher's against one of the built-in corpus. The
#: segment models pull their weights hard towards zero (so that one conflict's words count
#: little), so a reviewer's report must count a great deal to be learned as reviewed.
REVIEWED, TAUGHT = 60.0, 2.0


@dataclass(frozen=True)
class Example:
    """One report and the claims it holds: what is not listed is no claim, except in the
    ``unsure`` character spans (claims nobody has checked), which teach nothing."""

    name: str
    text: str
    claims: tuple[Claim, ...]
    group: str
    unsure: tuple[tuple[int, int], ...] = ()
    #: How much the example counts against one of the built-in corpus: a reviewer's word
    #: on the user's own archive counts more than a general example.
    weight: float = 1.0


def group_of(name: str) -> str:
    """The conflict a corpus file is about, from its name's first part."""
    return name.split("_", 1)[0] if "_" in name else name


def gold_examples(gold: Path, docs: Path) -> list[Example]:
    """The reports of a gold JSONL file, read from ``docs``; a report named in the gold
    but missing from ``docs`` is an error that names both."""
    out: list[Example] = []
    for record in read_claims_jsonl(gold):
        text = normalise_text(read_gold_document(docs, record.doc))
        out.append(Example(record.doc, text, tuple(record.claims), group_of(record.doc)))
    return out


def corpus_examples(roots: Iterable[Path]) -> list[Example]:
    """Examples from folders laid out as a corpus: ``gold.jsonl`` beside ``docs/``, in the
    folder itself or in its subfolders (one per conflict)."""
    out: list[Example] = []
    for root in roots:
        found = list(_gold_folders(root))
        if not found:
            raise InputError(
                f"{root}: no gold.jsonl with a docs/ folder beside it, here or one level down"
            )
        for folder in found:
            out.extend(gold_examples(folder / "gold.jsonl", folder / "docs"))
    return out


def _gold_folders(root: Path) -> Iterator[Path]:
    if (root / "gold.jsonl").is_file():
        yield root
        return
    if root.is_dir():
        for child in sorted(root.iterdir()):
            if (child / "gold.jsonl").is_file() and (child / "docs").is_dir():
                yield child


def review_examples(store: Store, codebook: Codebook) -> list[Example]:
    """Every stored document a reviewer has worked on: accepted, edited and added claims
    are positions, rejected ones are not, and claims nobody checked are left unsure."""
    reviewed: set[int] = set()
    for status in (*VOUCHED, "rejected"):
        reviewed.update(c.document_id for c in store.claims(status=status, include_rejected=True))
    return [
        _stored_example(
            store,
            doc,
            codebook,
            REVIEWED,
            lambda c: c.status in VOUCHED,
            lambda c: c.status == "extracted",
        )
        for doc in sorted(reviewed)
    ]


def teacher_examples(store: Store, teacher: str, codebook: Codebook) -> list[Example]:
    """Every stored document another extractor (``llm.v1``) has read, with its claims as
    positions (less those a reviewer rejected, plus those a reviewer added)."""
    taught = {c.document_id for c in store.claims(extractor=teacher)}
    if not taught:
        raise InputError(
            f"the store holds no claims by {teacher}: run `peacetrack extract --db ... "
            f"--extractor {teacher}` on a sample of the archive first"
        )
    return [
        _stored_example(
            store,
            doc,
            codebook,
            TAUGHT,
            lambda c: (
                c.status in VOUCHED or (c.status == "extracted" and c.claim.extractor == teacher)
            ),
            lambda c: False,
        )
        for doc in sorted(taught)
    ]


def _stored_example(
    store: Store,
    document_id: int,
    codebook: Codebook,
    weight: float,
    positive: Callable[[StoredClaim], bool],
    unsure: Callable[[StoredClaim], bool],
) -> Example:
    from peacetrack.codebook.conflicts import assign_document

    document = store.get_document(document_id)
    stored = store.claims(document=document_id, include_rejected=True)
    claims = tuple(c.claim for c in stored if positive(c))
    spans = tuple((c.claim.start or 0, c.claim.end or 0) for c in stored if unsure(c))
    found = assign_document([(c.actors, c.territories or ()) for c in claims], codebook)
    named = [c for c in found if c]
    group = max(set(named), key=named.count) if named else document.name
    return Example(document.name, document.text, claims, group, spans, weight)
