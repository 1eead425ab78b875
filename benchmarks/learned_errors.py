"""Where ``learned.v1`` loses its held-out figure: every gold position it misses and every
position it adds, by cause, on conflicts held out as ``peacetrack train`` holds them out.

Missed gold positions are put in the first bucket that explains them: the actor is never a
candidate in the report, the gold claim's segment is no view (no actor named or pointed
to), the actor or the issue is not a candidate in that segment, the three segment
probabilities multiply to less than the evidence floor, or the position is a candidate
whose probability stays under its stance's threshold. Added positions are put by what the
report's gold has for the same actor: the stance or the issue or the actor is the only
part wrong, or the actor has only other positions, or none.

    .venv/bin/python benchmarks/learned_errors.py [GOLD_FOLDER...] [--folds 5]
        [--min-precision 0.6]

Needs scikit-learn (the ``train`` extra); reads the built-in corpus besides any folders.
"""

from __future__ import annotations

import argparse
from collections import Counter, defaultdict
from pathlib import Path

from peacetrack.codebook import default_codebook
from peacetrack.extract.learned import training as t
from peacetrack.extract.learned.examples import Example, corpus_examples
from peacetrack.extract.learned.trainer import BUILTIN_CORPUS, Validation, validate

Key = tuple[str, str, str, str]


def missed(examples: list[Example], checked: Validation, kept: set[Key]) -> Counter[str]:
    """Each gold position not kept, in the first bucket that explains it."""
    data = checked.data
    candidates = set(checked.found.keys)
    views = defaultdict(list)
    for view in data.views:
        views[view.example].append(view)
    out: Counter[str] = Counter()
    for index, example in enumerate(examples):
        mine = views[index]
        anywhere = {a for v in mine for a, _ in v.holders}
        done: set[Key] = set()
        for points, claim in t.gold_marks(example):
            for actor in claim.actors:
                key = (example.name, actor, claim.stance.coarse, claim.issue)
                if key in kept or key in done:
                    continue
                done.add(key)
                out[_why(key, points, mine, anywhere, candidates)] += 1
    return out


def _why(
    key: Key,
    points: list[int],
    views: list[t.ViewRows],
    anywhere: set[str],
    candidates: set[Key],
) -> str:
    _, actor, _, issue = key
    if actor not in anywhere:
        return "actor never a candidate in the report"
    if key in candidates:
        return "a candidate, under its stance's threshold"
    here = [v for v in views if any(v.start <= p < v.end for p in points)]
    if not here:
        return "its segment is no view"
    if not any(actor in dict(v.holders) for v in here):
        return "actor not a candidate in its segment"
    if not any(issue in dict(v.issues) for v in here):
        return "issue not a candidate in its segment"
    return "stance x holder x issue under the evidence floor"


def added(checked: Validation, kept: set[Key]) -> Counter[str]:
    """Each kept position that is no gold one, by what the gold has for its actor."""
    gold: dict[str, set[tuple[str, str, str]]] = defaultdict(set)
    for name, actor, stance, issue in set().union(*checked.data.gold):
        gold[name].add((actor, stance, issue))
    out: Counter[str] = Counter()
    for name, actor, stance, issue in kept:
        have = gold[name]
        if (actor, stance, issue) in have:
            continue
        if any(a == actor and i == issue for a, _, i in have):
            out["stance wrong (actor and issue right)"] += 1
        elif any(a == actor and s == stance for a, s, _ in have):
            out["issue wrong (actor and stance right)"] += 1
        elif any(s == stance and i == issue for _, s, i in have):
            out["actor wrong (stance and issue right)"] += 1
        elif any(a == actor for a, _, _ in have):
            out["actor has only other positions"] += 1
        else:
            out["actor has no position in the report"] += 1
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("gold", nargs="*", type=Path)
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--min-precision", type=float, default=0.6)
    args = parser.parse_args()
    examples = corpus_examples([*args.gold, BUILTIN_CORPUS])
    checked = validate(
        examples, default_codebook(), folds=args.folds, min_precision=args.min_precision
    )
    found = checked.found
    cut = t.cuts(found, checked.limits).tolist()
    kept = {k for k, p, c in zip(found.keys, checked.chances, cut, strict=True) if p >= c}
    print(f"held-out conflicts: {checked.figures.line()}")
    for title, counts in (
        ("missed gold positions", missed(examples, checked, kept)),
        ("added positions", added(checked, kept)),
    ):
        print(f"\n{title}: {sum(counts.values())}")
        for cause, n in counts.most_common():
            print(f"{n:6d}  {cause}")


if __name__ == "__main__":
    main()
