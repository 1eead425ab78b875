"""Near-duplicate detection: MinHash signatures and LSH bands that the database can search.

The same wire story runs on many sites with a new headline or a "Reporting by" line; counted
as separate sources it would inflate how often a claim is reported. Each document gets a
MinHash signature over word 5-shingles; the signature is cut into bands, and each band is
hashed to a bucket stored in ``minhash_bands``. Two documents that share any (band, bucket)
are candidates, found by an indexed SQL lookup, so no index is ever held in memory; each
candidate is then verified by the Jaccard similarity its signature estimates.

20 bands of 6 rows make a pair with Jaccard 0.8 a candidate with probability 0.998 (0.75:
0.98) while pairs below 0.3 rarely are (1.5 %), which keeps verification cheap.

NumPy and datasketch (which imports SciPy) are imported where signatures are made or
compared, not with the store: reading a store never needs them, and they take a second.
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter
from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlalchemy import BigInteger, Integer, Select, bindparam, func, insert, or_, select, update
from sqlalchemy.orm import Session

from peacetrack.store.schema import DocumentLink, DocumentRow, MinhashBand

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

NUM_PERM = 128
BANDS = 20
ROWS = 6
SHINGLE_WORDS = 5
DEFAULT_THRESHOLD = 0.8
#: The most candidates verified per new document: a text shared by more is boilerplate.
MAX_CANDIDATES = 500
#: The most documents read from one (band, bucket), newest first (see ``_candidates``).
PER_BUCKET = 100
#: Credit lines that each republishing site rewrites: a parenthesised line naming reporters,
#: editors or the distributor, or one opening with "Reporting by", "Editing by" and the like.
CREDIT_LINE = re.compile(
    r"^\((?=[^)]*\b(?:reporting|writing|editing|distributed|syndicat\w*|compiled)\b)[^)]*\)$"
    r"|^(?:additional\s+)?(?:reporting|writing|editing)\s+by\b",
    re.IGNORECASE,
)


def syndicated_body(text: str, title: str | None = None) -> str:
    """The part of a report that syndication keeps: no headline line, no credit lines.

    Republishers rewrite headlines and credits but keep the body; comparing bodies keeps
    a short wire story with a new headline above the threshold, without lowering it for
    everything else.
    """
    lines = text.splitlines()
    if title and lines and lines[0].strip() == title.strip():
        lines = lines[1:]
    kept = [line for line in lines if not CREDIT_LINE.match(line.strip())]
    return "\n".join(kept) if kept else text


def shingles(text: str) -> set[bytes]:
    """Word 5-shingles of the lowercased, whitespace-folded text (whole text if shorter)."""
    words = text.lower().split()
    if len(words) <= SHINGLE_WORDS:
        return {" ".join(words).encode("utf-8")}
    return {
        " ".join(words[i : i + SHINGLE_WORDS]).encode("utf-8")
        for i in range(len(words) - SHINGLE_WORDS + 1)
    }


@dataclass(frozen=True)
class Signature:
    """A MinHash signature, kept as the raw uint64 values so it can be stored as bytes."""

    values: npt.NDArray[np.uint64]

    @classmethod
    def of_text(cls, text: str) -> Signature:
        import numpy as np
        from datasketch import MinHash

        minhash = MinHash(num_perm=NUM_PERM)
        minhash.update_batch(sorted(shingles(text)))
        return cls(np.asarray(minhash.hashvalues, dtype=np.uint64))

    @classmethod
    def from_bytes(cls, data: bytes) -> Signature:
        import numpy as np

        return cls(np.frombuffer(data, dtype=np.uint64))

    def to_bytes(self) -> bytes:
        import numpy as np

        return self.values.astype(np.uint64).tobytes()

    def jaccard(self, other: Signature) -> float:
        """Estimated Jaccard similarity: the share of permutations whose minima agree."""
        import numpy as np

        return float(np.mean(self.values == other.values))

    def buckets(self) -> list[tuple[int, int]]:
        """(band, bucket) pairs; buckets are signed 64-bit so any SQL BIGINT can hold them."""
        return [
            (band, _bucket(self.values[band * ROWS : (band + 1) * ROWS].tobytes()))
            for band in range(BANDS)
        ]


def _bucket(band_values: bytes) -> int:
    digest = hashlib.blake2b(band_values, digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


def index_document(
    session: Session, document_id: int, signature: Signature, threshold: float = DEFAULT_THRESHOLD
) -> list[tuple[int, float]]:
    """Store a new document's bands and link it to its near duplicates, most similar first."""
    import numpy as np

    buckets = signature.buckets()
    session.execute(
        insert(MinhashBand),
        [{"document_id": document_id, "band": band, "bucket": bucket} for band, bucket in buckets],
    )
    ids = _candidates(session, document_id, buckets)
    if not ids:
        return []
    found = session.execute(
        select(DocumentRow.id, DocumentRow.minhash).where(DocumentRow.id.in_(ids))
    ).all()
    # One comparison of every candidate's signature at once: a syndicated story may have
    # hundreds of copies to verify.
    others = np.frombuffer(b"".join(blob for _, blob in found), dtype=np.uint64)
    agree = (others.reshape(len(found), -1) == signature.values).mean(axis=1)
    similar = [
        (other, float(similarity))
        for (other, _), similarity in zip(found, agree, strict=True)
        if similarity >= threshold
    ]
    similar.sort(key=lambda pair: (-pair[1], pair[0]))
    if similar:
        session.execute(
            insert(DocumentLink),
            [
                {"doc_a": min(document_id, o), "doc_b": max(document_id, o), "similarity": s}
                for o, s in similar
            ],
        )
        join_sources(session, document_id, [other for other, _ in similar])
    return similar


def _candidates(session: Session, document_id: int, buckets: list[tuple[int, int]]) -> list[int]:
    """Documents sharing a (band, bucket) with the document, most shared first.

    Each bucket is read newest first and at most ``PER_BUCKET`` deep, from the
    (band, bucket, document) index: a bucket thousands of copies share costs no more than
    a rare one, and linking a copy to the latest of its twins already joins it to their
    source group.
    """
    shared: Counter[int] = Counter()
    for band, bucket in buckets:
        shared.update(
            session.scalars(_BUCKET, {"band": band, "bucket": bucket, "document_id": document_id})
        )
    ranked = sorted(shared.items(), key=lambda pair: (-pair[1], pair[0]))
    return [doc for doc, _ in ranked[:MAX_CANDIDATES]]


#: The newest documents of one bucket but the one being indexed; one statement, compiled once.
_BUCKET: Select[int] = (
    select(MinhashBand.document_id)
    .where(
        MinhashBand.band == bindparam("band", type_=Integer),
        MinhashBand.bucket == bindparam("bucket", type_=BigInteger),
        MinhashBand.document_id != bindparam("document_id", type_=Integer),
    )
    .order_by(MinhashBand.document_id.desc())
    .limit(PER_BUCKET)
)


def join_sources(session: Session, document_id: int, twins: list[int]) -> None:
    """Put a new document and its near duplicates' groups into one source group.

    The group is named by its smallest document id. A new document that links two groups
    (a wire story two outlets each ran once before) merges them: the later group is
    renamed, which the summary triggers see, so the cells counting those sources rebuild.
    """
    source = func.coalesce(DocumentRow.source_id, DocumentRow.id)
    heads = set(session.scalars(select(source).where(DocumentRow.id.in_(twins))))
    head = min(heads)
    merged = sorted(heads - {head})
    if merged:
        session.execute(
            update(DocumentRow)
            .where(or_(DocumentRow.id.in_(merged), DocumentRow.source_id.in_(merged)))
            .values(source_id=head)
        )
    session.execute(update(DocumentRow).where(DocumentRow.id == document_id).values(source_id=head))
