"""What llm.v1 sends per document, with and without its prefilter, and what the prefilter loses.

Requests go to an in-process fake endpoint (``peacetrack.testing.FakeModel``) that answers
with no claims, so nothing is paid and the figures are exact counts: requests per
document, and input tokens per document estimated as the extractor estimates them (about
four bytes a token; the system prompt is most of each request). The baseline is the same
corpus sent without the prefilter, in the same run. For corpora with gold claims, the
prefilter's cost is the share of gold claims whose evidence lies in a paragraph it leaves
out.

    .venv/bin/python benchmarks/bench_llm.py
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from peacetrack.extract.llm import LLMExtractor, LLMSettings
from peacetrack.extract.llm.chunks import estimate_tokens, paragraphs
from peacetrack.model import Document, normalise_text
from peacetrack.testing import FakeModel

ROOT = Path(__file__).resolve().parent.parent
#: Corpus name -> (documents folder, gold file or None). The dev corpus is used when the
#: evaluation material sits beside the repository (../shared); our own sets always are.
CORPORA = {
    "dev": (ROOT.parent / "shared/corpus/dev/docs", ROOT.parent / "shared/corpus/dev/gold.jsonl"),
    "tune+tune2+eval": (None, None),
    "examples": (ROOT / "examples/reports", None),
    "mixed feed": (ROOT / "examples/reports", None),
}
#: Sentences of the articles a general news feed carries beside the negotiation reports
#: (written for this benchmark): the prefilter's job is to send none of them.
OFF_TOPIC = (
    "Heavy rain is expected across the north of the country on Thursday, forecasters said.",
    "The central bank left its key interest rate unchanged for a third month in a row.",
    "The home side won the cup final two goals to one after extra time.",
    "Shares in the carmaker rose six percent after it reported record quarterly sales.",
    "A new museum of modern art opened its doors to the public on Saturday.",
    "Commuters faced delays after a signal failure on the main line into the city.",
)
OWN_SETS = ("tune", "tune2", "eval")


def documents(name: str) -> list[Document]:
    folder, _ = CORPORA[name]
    folders = [folder] if folder else [ROOT / "tests/fixtures" / s / "docs" for s in OWN_SETS]
    found = [
        Document(name=p.name, text=normalise_text(p.read_text(encoding="utf-8")))
        for f in folders
        if f is not None and f.is_dir()
        for p in sorted(f.iterdir())
        if p.suffix in (".txt", ".md") and p.stat().st_size
    ]
    if name == "mixed feed":  # as many off-topic articles as reports, interleaved
        off = [
            Document(name=f"off-{n}.txt", text=f"Item {n}. " + " ".join(OFF_TOPIC[n % 6 :]))
            for n in range(len(found))
        ]
        found = [d for pair in zip(found, off, strict=True) for d in pair]
    return found


def sent(docs: list[Document], prefilter: bool) -> tuple[int, int]:
    """(requests, estimated input tokens) to extract ``docs``."""
    model = FakeModel(lambda _text: json.dumps({"claims": []}))
    settings = LLMSettings(model="fake", base_url="http://model.test/v1", prefilter=prefilter)
    llm = LLMExtractor(settings, http_client=model.client())
    list(llm.extract_many(docs))
    tokens = sum(
        estimate_tokens(m["content"]) for request in model.requests for m in request["messages"]
    )
    return len(model.requests), tokens


def gold_lost(name: str) -> tuple[int, int] | None:
    """(gold claims in paragraphs the prefilter leaves out, gold claims), where gold exists."""
    folder, gold = CORPORA[name]
    if folder is None or gold is None or not gold.is_file():
        return None
    llm = LLMExtractor(LLMSettings(model="fake", base_url="http://model.test/v1"))
    keeps = llm._prefilter.keeps  # the very test the extractor applies
    lost = total = 0
    for line in gold.read_text(encoding="utf-8").splitlines():
        record = json.loads(line)
        text = normalise_text((folder / record["doc"]).read_text(encoding="utf-8"))
        skipped = [s for s in paragraphs(text) if not keeps(text[s.start : s.end])]
        for claim in record["claims"]:
            total += 1
            at = text.find(claim["evidence"])
            lost += any(s.start <= at < s.end for s in skipped)
    return lost, total


def run() -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    for name in CORPORA:
        docs = documents(name)
        if not docs:
            continue
        base_requests, base_tokens = sent(docs, prefilter=False)
        requests, tokens = sent(docs, prefilter=True)
        n = len(docs)
        where = f"{name}, {n} docs"
        rows += [
            {"benchmark": "llm", "measure": f"requests/doc, no prefilter ({where})",
             "value": round(base_requests / n, 2), "unit": "req/doc", "versus": "baseline"},
            {"benchmark": "llm", "measure": f"requests/doc, prefilter ({where})",
             "value": round(requests / n, 2), "unit": "req/doc",
             "versus": f"{requests / base_requests:.3f} x baseline"},
            {"benchmark": "llm", "measure": f"input tokens/doc, no prefilter ({where})",
             "value": round(base_tokens / n), "unit": "tok/doc", "versus": "baseline"},
            {"benchmark": "llm", "measure": f"input tokens/doc, prefilter ({where})",
             "value": round(tokens / n), "unit": "tok/doc",
             "versus": f"{tokens / base_tokens:.3f} x baseline"},
        ]  # fmt: skip
        lost = gold_lost(name)
        if lost is not None:
            rows.append(
                {"benchmark": "llm", "measure": f"gold claims in skipped paragraphs ({name})",
                 "value": lost[0], "unit": "claims",
                 "versus": f"{lost[0] / lost[1]:.1%} of {lost[1]} (target < 2%)"}
            )  # fmt: skip
    return rows


def main() -> None:
    for row in run():
        print(f"{row['measure']:<62} {row['value']:>8} {row['unit']:<8} {row['versus']}")


if __name__ == "__main__":
    main()
