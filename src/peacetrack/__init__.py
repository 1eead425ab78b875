"""PeaceTrack: a sourced, comparable record of who demands what in peace negotiations.

The public API, for scripts and notebooks::

    import peacetrack as pt

    store = pt.open("peacetrack.db")              # SQLite file or any SQLAlchemy URL
    pt.ingest_reports(["reports/"], store)         # files, folders, feeds, URLs
    pt.extract_store(store)                        # claims for every new document
    claims = store.claims(actors=["RUS"], issues=["TER.*"])
    claims = pt.extract_claims("Moscow demanded that Kyiv withdraw from Donetsk.")

Heavy parts load on first use, so ``import peacetrack`` stays fast. (The functions are not
called ``ingest``/``extract``: those names are the subpackages.)
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from peacetrack.errors import (
    CodebookError,
    ExtractorNotFound,
    FetchError,
    InputError,
    MissingExtra,
    PeaceTrackError,
    StoreError,
)
from peacetrack.extract.base import DEFAULT_EXTRACTOR

if TYPE_CHECKING:
    from pathlib import Path

    from peacetrack.codebook import Codebook
    from peacetrack.extract.runner import ExtractSummary
    from peacetrack.ingest import IngestOptions, IngestSummary
    from peacetrack.model import (
        Actor,
        Attribution,
        Claim,
        Condition,
        Document,
        DocumentClaims,
        Proposal,
        Recognition,
        Stance,
        write_claims_jsonl,
    )
    from peacetrack.store import Store

__version__ = "0.1.0"

__all__ = [
    "Actor",
    "Attribution",
    "Claim",
    "CodebookError",
    "Condition",
    "Document",
    "DocumentClaims",
    "ExtractorNotFound",
    "FetchError",
    "InputError",
    "MissingExtra",
    "PeaceTrackError",
    "Proposal",
    "Recognition",
    "Stance",
    "StoreError",
    "__version__",
    "extract_claims",
    "extract_store",
    "ingest_reports",
    "open",
    "read_claims_jsonl",
    "write_claims_jsonl",
]


#: The model's names, imported on first use: ``import peacetrack`` (and every command's
#: start, ``--help`` included) need not load pydantic and build the models.
_MODEL_NAMES = frozenset(
    {
        "Actor",
        "Attribution",
        "Claim",
        "Condition",
        "Document",
        "DocumentClaims",
        "Proposal",
        "Recognition",
        "Stance",
        "write_claims_jsonl",
    }
)


def __getattr__(name: str) -> Any:
    if name not in _MODEL_NAMES:
        raise AttributeError(f"module 'peacetrack' has no attribute {name!r}")
    from peacetrack import model

    return getattr(model, name)


def open(url: str | Path | None = None) -> Store:
    """Open (creating or migrating) a store: a SQLite path or any SQLAlchemy URL."""
    from peacetrack.store import Store

    return Store.open(url)


def read_claims_jsonl(path: Path, codebook: Codebook | None = None) -> list[DocumentClaims]:
    """Guideline JSONL claims, their issue codes checked against ``codebook`` (default: the
    codebook in force), so a typo is an error naming the file and line."""
    from peacetrack.codebook import default_codebook
    from peacetrack.model import read_claims_jsonl as read

    return read(path, codebook or default_codebook())


def ingest_reports(
    sources: list[str | Path], store: Store, options: IngestOptions | None = None
) -> IngestSummary:
    """Add reports (files, folders, feeds, JSONL/CSV corpora, URLs) to ``store``."""
    from peacetrack.ingest import ingest as run

    return run(sources, store, options)


def extract_claims(
    document: Document | str,
    extractor: str = DEFAULT_EXTRACTOR,
    *,
    codebook: Codebook | None = None,
    **metadata: Any,
) -> list[Claim]:
    """Claims in one document or text; evidence offsets index into ``document.text``.

    ``codebook`` (default: the codebook in force) is what the extractor knows, e.g.
    ``pt.extract_claims(text, codebook=load_codebook("ours.toml"))``.

    A text of any length and shape is read. A blank text states nothing, so it gives no
    claims (as a text without claims does) rather than an error. A lone surrogate (not
    valid Unicode: what ``errors="surrogateescape"`` leaves of undecodable bytes) is read
    as U+FFFD, one for one, so offsets still index into the text given.
    """
    from peacetrack.extract import get_extractor
    from peacetrack.extract.runner import grounded_claims
    from peacetrack.model import Document

    chosen = get_extractor(extractor, codebook=codebook)
    if isinstance(document, str):
        if not document.strip():
            return []
        text = re.sub("[\ud800-\udfff]", "\ufffd", document)
        document = Document(name=metadata.pop("name", "text"), text=text, **metadata)
    claims, _ = grounded_claims(document, chosen)
    return claims


def extract_store(
    store: Store, extractor: str = DEFAULT_EXTRACTOR, codebook: Codebook | None = None
) -> ExtractSummary:
    """Extract every stored document this extractor version has not processed yet, with
    what ``codebook`` (default: the codebook in force) knows."""
    from peacetrack.extract import get_extractor
    from peacetrack.extract.runner import extract_store as run

    return run(store, get_extractor(extractor, codebook=codebook))
