"""Throughput of the offline extractors (rules.v1, learned.v1), against spaCy's bare tokenizer.

By default the texts are the project's own example reports (``examples/reports`` and the
evaluation set in ``tests/fixtures/eval/docs``), cycled to ``--docs`` documents: real
report prose, written for PeaceTrack. ``--corpus generated`` instead assembles reports at
random from the few sentences below; their tiny vocabulary lets the tokenizer answer almost
every word from its cache, which flatters the baseline, so that corpus is for scale tests
(bench_batch uses it), not for this ratio. The ratio of the two rates says how much the
rules (and the learned models on top of them) cost on top of tokenisation, independently
of the machine: it should stay at 0.25 or above for both.

On a shared machine other processes slow some stretches of a run more than others, so
``--rounds N`` times the tokenizer and each extractor in turn, N times over, and reports
the median rate of each and the median of each round's ratio.

    .venv/bin/python benchmarks/bench_extract.py [--docs 300] [--rounds 5]
        [--corpus examples|generated]
"""

from __future__ import annotations

import argparse
import itertools
import random
import statistics
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import spacy

from peacetrack.extract.learned import LearnedExtractor
from peacetrack.extract.rules import RulesExtractor
from peacetrack.model import Document

SENTENCES = (
    "Moscow demanded that Kyiv withdraw its forces from the Kherson region before any truce.",
    "A senior official familiar with the talks said Russia wants Western sanctions lifted.",
    "Kremlin spokesman Dmitry Peskov said the discussions should stay behind closed doors.",
    "The two sides agreed to exchange prisoners of war but failed to agree on a ceasefire.",
    "Kyiv and European allies drafted a plan that puts a ceasefire first.",
    "Zelensky rejected any territorial concessions and called for security guarantees.",
    "The U.S. draft proposed de jure recognition of Crimea and an economic reconstruction fund.",
    "Hamas said it had accepted the proposal put forward by Egyptian and Qatari mediators.",
    "Israel is ready to allow more humanitarian aid into Gaza, an Israeli official said.",
    "The talks in Geneva ended without a breakthrough, according to two people briefed on them.",
    "Washington dropped its demand for an immediate election in Ukraine.",
    "Analysts said the Kremlin could accept a limited truce on energy infrastructure.",
    "The next round of talks is expected in Abu Dhabi later this month.",
    "Fighting continued along the front line in the east on Tuesday.",
    "Turkey offered to host a meeting between the delegations.",
    "Cambodia and Thailand signed a declaration on the release of prisoners of war.",
    "There was no such demand in the memorandum prepared by the mediators.",
    "The plan calls for an international stabilisation force and a transitional administration.",
    # Colour: most sentences of a report state no position.
    "Air raid sirens sounded across the capital for several hours overnight.",
    "The delegations arrived at the venue in a convoy of black cars shortly after noon.",
    "Heavy rain slowed the movement of trucks along the main road to the border.",
    "Residents queued for bread and water as power cuts continued into a third day.",
    "The foreign minister flew home after a brief stop in Istanbul.",
    "Reporters were kept outside the hotel while the meeting went on late into the night.",
)


def make_texts(count: int, seed: int) -> list[str]:
    """News-style documents of 8 to 25 sentences, in paragraphs of one to three sentences."""
    rng = random.Random(seed)
    return [in_paragraphs(rng.choices(SENTENCES, k=rng.randint(8, 25)), rng) for _ in range(count)]


def in_paragraphs(sentences: Sequence[str], rng: random.Random) -> str:
    """The sentences in paragraphs of one to three, as reports are laid out."""
    paragraphs, i = [], 0
    while i < len(sentences):
        step = rng.randint(1, 3)
        paragraphs.append(" ".join(sentences[i : i + step]))
        i += step
    return "\n".join(paragraphs)


ROOT = Path(__file__).resolve().parents[1]
#: Each extractor's rate against the bare tokenizer's, at least (issue #15).
MIN_RATIO = 0.25
REPORT_FOLDERS = (ROOT / "examples" / "reports", ROOT / "tests" / "fixtures" / "eval" / "docs")


def example_texts(count: int) -> list[str]:
    """The project's own reports (.txt and .md), cycled to ``count`` documents."""
    files = sorted(
        f for folder in REPORT_FOLDERS for f in folder.glob("*") if f.suffix in (".txt", ".md")
    )
    texts = [f.read_text(encoding="utf-8") for f in files]
    return list(itertools.islice(itertools.cycle(texts), count))


def rate(step: Callable[[str], object], texts: Sequence[str]) -> float:
    """Documents per second for ``step`` over ``texts``, after one warm-up document."""
    step(texts[0])
    started = time.perf_counter()
    for text in texts:
        step(text)
    return len(texts) / (time.perf_counter() - started)


def run(
    docs: int = 300, corpus: str = "examples", seed: int = 7, rounds: int = 1
) -> list[dict[str, Any]]:
    """Extraction and bare-tokenizer rates on one core, and their ratios: medians over
    ``rounds`` rounds, each timing the tokenizer and every extractor in turn."""
    texts = example_texts(docs) if corpus == "examples" else make_texts(docs, seed)
    tokenizer = spacy.blank("en")
    extractors = (RulesExtractor(), LearnedExtractor())
    steps: dict[str, Callable[[str], object]] = {"tokenizer": tokenizer}
    for extractor in extractors:
        steps[extractor.name] = lambda t, e=extractor: e.extract(Document(name="b", text=t))
    rates: dict[str, list[float]] = {name: [] for name in steps}
    for _ in range(rounds):
        for name, step in steps.items():
            rates[name].append(rate(step, texts))
    where = f"{len(texts)} {corpus} docs, 1 core" + (f", median of {rounds}" if rounds > 1 else "")
    rows = [
        {"benchmark": "extract", "measure": f"spacy.blank('en') tokenizer ({where})",
         "value": round(statistics.median(rates["tokenizer"]), 1), "unit": "docs/s",
         "versus": "baseline"},
    ]  # fmt: skip
    for extractor in extractors:
        ratios = [e / t for e, t in zip(rates[extractor.name], rates["tokenizer"], strict=True)]
        ratio = statistics.median(ratios)
        rows.append(
            {"benchmark": "extract", "measure": f"{extractor.name} extract ({where})",
             "value": round(statistics.median(rates[extractor.name]), 1), "unit": "docs/s",
             "versus": f"{ratio:.3f} x tokenizer (target >= {MIN_RATIO})",
             "target": f">= {MIN_RATIO} x tokenizer", "met": ratio >= MIN_RATIO}
        )  # fmt: skip
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=300, help="documents to process")
    parser.add_argument("--corpus", choices=("examples", "generated"), default="examples")
    parser.add_argument("--seed", type=int, default=7, help="random seed (generated corpus)")
    parser.add_argument("--rounds", type=int, default=1, help="rounds to take medians over")
    args = parser.parse_args()
    for row in run(args.docs, args.corpus, args.seed, args.rounds):
        print(f"{row['measure']:<48} {row['value']:>10} {row['unit']:<7} {row['versus']}")


if __name__ == "__main__":
    main()
