"""Texts that once cost the square of their length to extract, and ordinary reports at any
size: shared by tests/test_rules_cost.py and benchmarks/bench_extract_cost.py.

Each shape ends with one ordinary sentence that states a claim, so a test can check that
the claim is still found, at the right offsets, after the pathological stretch.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
#: A demand by Russia (RUS) on a ceasefire: what every shape ends with.
SENTENCE = "Moscow demanded that Kyiv withdraw its forces from the Kherson region before any truce."
#: One clause of a run-on sentence, dense with actors, stance cues, issues and places.
CLAUSE = (
    "Russia demanded a ceasefire before Kyiv withdraws from Donetsk and Ukraine rejected "
    "territorial concessions in Crimea, "
)


def _filled(unit: str, size: int, tail: str = " " + SENTENCE) -> str:
    """``unit`` repeated to fill ``size`` characters less ``tail``, then ``tail``."""
    count = max(0, size - len(tail))
    return (unit * (count // len(unit) + 1))[:count] + tail


def _nested(size: int) -> str:
    depth = max(0, (size - len(SENTENCE)) // 2)
    return "(" * depth + SENTENCE + ")" * depth


#: name -> builder of a text of about ``size`` characters.
SHAPES: dict[str, Callable[[int], str]] = {
    "quote marks": lambda size: _filled('"', size),
    "run-on sentence": lambda size: _filled(CLAUSE, size, SENTENCE),
    "one character": lambda size: _filled("a", size),
    "repeated punctuation": lambda size: _filled("!?", size),
    "nested brackets": _nested,
    "letters and colons": lambda size: _filled("x:", size),
    "one name per line": lambda size: _filled("RUSSIA,\n", size),
}


def report_texts() -> list[str]:
    """The project's own example reports (.txt and .md), in name order."""
    folder = ROOT / "examples" / "reports"
    files = sorted(f for f in folder.iterdir() if f.suffix in (".txt", ".md"))
    return [f.read_text(encoding="utf-8") for f in files]


def reports(size: int) -> str:
    """Ordinary report prose of at least ``size`` characters: the example reports, one
    paragraph break apart, repeated."""
    one = "\n\n".join(report_texts())
    return "\n\n".join([one] * (size // (len(one) + 2) + 1))
