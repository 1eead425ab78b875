"""Running an extractor over an annotated corpus and scoring it against the gold.

The gold file names the documents; each is read from ``docs_dir``, given to the extractor
as stored text (``normalise_text``), and its predicted claims are kept beside the score so
the errors can be read, not only the figures.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from peacetrack.errors import InputError
from peacetrack.extract.base import Extractor
from peacetrack.extract.scoring import Score, format_errors, format_score, score
from peacetrack.model import Document, DocumentClaims, normalise_text


def load_gold(path: Path) -> dict[str, list[dict[str, Any]]]:
    """Gold claims per document name, as guideline JSON objects (not validated: gold written
    against an older codebook must still score)."""
    docs: dict[str, list[dict[str, Any]]] = {}
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise InputError(f"cannot read gold file {path}: {exc.strerror}") from None
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
    return docs


@dataclass
class Evaluation:
    """The score of one extractor on one corpus, with its predictions."""

    extractor: str
    score: Score
    predictions: list[DocumentClaims]

    def report(self, errors: bool = True) -> str:
        """The reference scorer's lines, then (optionally) the missed and spurious tuples."""
        text = format_score(self.score)
        return text + "\n" + format_errors(self.score) if errors else text

    def to_jsonl(self) -> str:
        return "".join(record.to_json() + "\n" for record in self.predictions)


def evaluate(gold_path: Path, docs_dir: Path, extractor: Extractor) -> Evaluation:
    """Extract every document the gold names and score the result against the gold."""
    from peacetrack.codebook import default_codebook

    gold = load_gold(gold_path)
    raw_texts: dict[str, str] = {}
    predictions: list[DocumentClaims] = []
    for name in gold:
        path = docs_dir / name
        try:
            raw_texts[name] = path.read_text(encoding="utf-8")
        except OSError as exc:
            raise InputError(
                f"gold names {name!r} but {path} cannot be read ({exc.strerror}); "
                "pass the folder holding the gold's documents"
            ) from None
        document = Document(name=name, text=normalise_text(raw_texts[name]))
        predictions.append(DocumentClaims(doc=name, claims=extractor.extract(document)))
    pred = {p.doc: [c.to_guideline() for c in p.claims] for p in predictions}
    issues = set(default_codebook().issues)
    return Evaluation(extractor.name, score(gold, pred, raw_texts, issues), predictions)
