"""Running an extractor over an annotated corpus and scoring it against the gold.

The gold file names the documents; each is read from ``docs_dir``, given to the extractor
as stored text (``normalise_text``), and its predicted claims are kept beside the score so
the errors can be read, not only the figures.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from peacetrack.errors import InputError
from peacetrack.extract.base import Extractor, ReplyCache
from peacetrack.extract.scoring import Score, format_errors, format_score, score
from peacetrack.language import detect_language
from peacetrack.model import Document, DocumentClaims, normalise_text


def load_gold(path: Path) -> dict[str, list[dict[str, Any]]]:
    """Gold claims per document name, as guideline JSON objects (not validated: gold written
    against an older codebook must still score)."""
    docs: dict[str, list[dict[str, Any]]] = {}
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise InputError(f"cannot read gold file {path}: {exc.strerror}") from None
    except UnicodeDecodeError:
        raise InputError(
            f"gold file {path} is not UTF-8 text: give the guideline JSONL of gold claims"
        ) from None
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            raise InputError(
                f"{path}:{number}: not JSON ({exc.msg}); one object per line"
            ) from None
        if not isinstance(record, dict) or not isinstance(record.get("claims"), list):
            raise InputError(f"{path}:{number}: each line needs 'doc' and a list 'claims'")
        docs.setdefault(Path(str(record.get("doc"))).name, []).extend(record["claims"])
    if not docs:
        # Scoring nothing would print P, R and F1 of 0.000 as if the extractor had failed.
        raise InputError(
            f"gold file {path} names no document: one JSON object per line, "
            '{"doc": NAME, "claims": [...]}'
        )
    return docs


@dataclass
class Evaluation:
    """The score of one extractor on one corpus, with its predictions."""

    extractor: str
    score: Score
    predictions: list[DocumentClaims]
    #: Documents the extractor failed on, with the reason (scored as having no claims).
    failures: list[tuple[str, str]] = field(default_factory=list)

    def report(self, errors: bool = True) -> str:
        """The reference scorer's lines, then (optionally) the missed and spurious tuples."""
        text = format_score(self.score)
        text += "".join(f"\nfailed (scored as no claims): {n} — {r}" for n, r in self.failures)
        return text + "\n" + format_errors(self.score) if errors else text

    def to_jsonl(self) -> str:
        return "".join(record.to_json() + "\n" for record in self.predictions)


def evaluate(
    gold_path: Path, docs_dir: Path, extractor: Extractor, cache: ReplyCache | None = None
) -> Evaluation:
    """Extract every document the gold names and score the result against the gold.

    A document the extractor fails on (a model that never answered, say) counts as one
    with no claims, and is named in the report.
    """
    from peacetrack.codebook import default_codebook
    from peacetrack.extract.runner import extract_documents
    from peacetrack.ingest import Failure

    gold = load_gold(gold_path)
    raw_texts = {name: read_gold_document(docs_dir, name) for name in gold}
    documents = [
        Document(name=name, text=normalise_text(text), language=detect_language(text))
        for name, text in raw_texts.items()
    ]
    failed: list[Failure] = []
    found = {
        record.doc: record
        for record in extract_documents(documents, extractor, cache, on_failure=failed.append)
    }
    predictions = [found.get(name) or DocumentClaims(doc=name, claims=[]) for name in gold]
    pred = {p.doc: [c.to_guideline() for c in p.claims] for p in predictions}
    issues = set(default_codebook().issues)
    failures = [(f.input, f.reason) for f in failed]
    return Evaluation(extractor.name, score(gold, pred, raw_texts, issues), predictions, failures)


def read_gold_document(docs_dir: Path, name: str) -> str:
    path = docs_dir / name
    try:
        return path.read_text(encoding="utf-8")
    except OSError as exc:
        raise InputError(
            f"gold names {name!r} but {path} cannot be read ({exc.strerror}); "
            "pass the folder holding the gold's documents"
        ) from None
    except UnicodeDecodeError:
        raise InputError(
            f"gold names {name!r} but {path} is not UTF-8 text; convert it, "
            "e.g. iconv -f ENCODING -t UTF-8"
        ) from None
