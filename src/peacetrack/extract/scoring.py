"""Scoring extracted claims against gold annotations, by the guideline's definitions.

The figures are those of the evaluation corpus's reference scorer (micro P/R/F1 over
``(doc, actor, coarse stance, issue)`` tuples, the same with fine stances, evidence found
verbatim, tables by stance and issue group, field scores on found gold claims), computed
here so the project can score itself and list its errors without the corpus at hand.
Claims are handled as guideline JSON objects, so gold that predates a codebook change
still scores.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from peacetrack.model import Stance

ClaimDict = Mapping[str, Any]
Tuple = tuple[str, str, str, str]
Docs = Mapping[str, Sequence[ClaimDict]]


def coarse(stance: object) -> str:
    """The coarse class the primary score compares; unknown stances stay visible as ``?x``."""
    try:
        return Stance(str(stance)).coarse
    except ValueError:
        return f"?{stance}"


def claim_tuples(doc: str, claim: ClaimDict, strict: bool = False) -> set[Tuple]:
    """One tuple per actor: a joint claim counts once for each of its actors."""
    stance = str(claim.get("stance"))
    label = stance if strict else coarse(stance)
    issue = str(claim.get("issue"))
    return {(doc, str(actor), label, issue) for actor in claim.get("actors") or []}


@dataclass(frozen=True)
class PRF:
    tp: int
    n_pred: int
    n_gold: int

    @property
    def p(self) -> float:
        return self.tp / self.n_pred if self.n_pred else 0.0

    @property
    def r(self) -> float:
        return self.tp / self.n_gold if self.n_gold else 0.0

    @property
    def f(self) -> float:
        return 2 * self.p * self.r / (self.p + self.r) if self.p + self.r else 0.0


def set_f1(gold: Iterable[Any] | None, pred: Iterable[Any] | None) -> float:
    """F1 of two sets, 1.0 when both are empty (nothing to find, nothing claimed)."""
    g, p = set(gold or []), set(pred or [])
    if not g and not p:
        return 1.0
    return PRF(len(g & p), len(p), len(g)).f


def _conditions(claim: ClaimDict) -> set[tuple[Any, Any]]:
    return {
        (c.get("relation"), c.get("issue"))
        for c in claim.get("conditions") or []
        if isinstance(c, Mapping)
    }


def _words(text: object) -> set[str]:
    return set(str(text or "").lower().split())


def similarity(gold: ClaimDict, pred: ClaimDict) -> float:
    """How well a predicted claim fits a gold one beyond their shared tuple; picks the
    predicted claim whose fields are scored when several share a tuple."""
    return (
        set_f1(_words(gold.get("evidence")), _words(pred.get("evidence")))
        + set_f1(gold.get("territories"), pred.get("territories"))
        + set_f1(_conditions(gold), _conditions(pred))
        + set_f1(gold.get("obligor"), pred.get("obligor"))
        + set_f1(gold.get("actors"), pred.get("actors"))
    )


@dataclass(frozen=True)
class ErrorItem:
    """A missed gold tuple or a spurious predicted one, with the evidence that carries it."""

    tuple: Tuple
    evidence: str


@dataclass
class Score:
    """All figures of one comparison; ``missed``/``spurious`` are the error lists."""

    documents: int
    gold_tuples: int
    pred_tuples: int
    primary: PRF
    strict: PRF
    evidence_verbatim: float | None
    by_stance: dict[str, PRF]
    by_issue_group: dict[str, PRF]
    fields: dict[str, tuple[float, int]]
    problems: Counter[str] = field(default_factory=Counter)
    missed: list[ErrorItem] = field(default_factory=list)
    spurious: list[ErrorItem] = field(default_factory=list)


def _tables(gold: set[Tuple], pred: set[Tuple], pick: Callable[[Tuple], str]) -> dict[str, PRF]:
    counts: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])
    for t in gold:
        counts[pick(t)][2] += 1
    for t in pred:
        counts[pick(t)][1] += 1
    for t in gold & pred:
        counts[pick(t)][0] += 1
    return {k: PRF(*v) for k, v in sorted(counts.items())}


def _field_scores(gold: Docs, pred: Docs) -> dict[str, tuple[float, int]]:
    values: dict[str, list[float]] = defaultdict(list)
    for doc, claims in gold.items():
        for g in claims:
            g_t = claim_tuples(doc, g)
            cands = [p for p in pred.get(doc, []) if claim_tuples(doc, p) & g_t]
            if not cands:
                continue
            best = max(cands, key=lambda p: similarity(g, p))
            values["actors"].append(set_f1(g.get("actors"), best.get("actors")))
            for name in ("territories", "obligor"):
                if g.get(name):
                    values[name].append(set_f1(g[name], best.get(name)))
            if g.get("conditions"):
                values["conditions"].append(set_f1(_conditions(g), _conditions(best)))
            if g.get("recognition"):
                kind = (best.get("recognition") or {}).get("type")
                values["recognition_type"].append(float(kind == g["recognition"].get("type")))
            if (g.get("attribution") or {}).get("anonymous"):
                anon = bool((best.get("attribution") or {}).get("anonymous"))
                values["attribution_anonymous"].append(float(anon))
    return {k: (sum(v) / len(v), len(v)) for k, v in sorted(values.items())}


def _errors(docs: Docs, tuples: set[Tuple]) -> list[ErrorItem]:
    """Each tuple in ``tuples`` once, with the evidence of the first claim that gives it."""
    found: dict[Tuple, str] = {}
    for doc, claims in docs.items():
        for claim in claims:
            for t in claim_tuples(doc, claim) & tuples:
                found.setdefault(t, str(claim.get("evidence") or ""))
    return [ErrorItem(t, found[t]) for t in sorted(found)]


def _check_predictions(
    gold: Docs,
    pred: Docs,
    texts: Mapping[str, str] | None,
    issues: Collection[str] | None,
    problems: Counter[str],
) -> float | None:
    grounded = checked = 0
    for doc, claims in pred.items():
        if doc not in gold:
            problems["predicted document not in gold (ignored)"] += 1
            continue
        text = texts.get(doc) if texts is not None else None
        for c in claims:
            if coarse(c.get("stance")).startswith("?"):
                problems[f"unknown stance {c.get('stance')!r}"] += 1
            if issues is not None and c.get("issue") not in issues:
                problems[f"unknown issue {c.get('issue')!r}"] += 1
            if text is not None:
                checked += 1
                evidence = str(c.get("evidence") or "")
                grounded += bool(evidence) and evidence in text
    return grounded / checked if checked else None


def score(
    gold: Docs,
    pred: Docs,
    texts: Mapping[str, str] | None = None,
    issues: Collection[str] | None = None,
) -> Score:
    """Compare ``pred`` to ``gold`` (doc name -> guideline claim dicts); ``texts`` (doc name
    -> file text) enables the evidence-verbatim check, ``issues`` the issue-code check."""
    problems: Counter[str] = Counter()
    verbatim = _check_predictions(gold, pred, texts, issues, problems)
    kept = {doc: claims for doc, claims in pred.items() if doc in gold}
    g_all = {t for d, cs in gold.items() for c in cs for t in claim_tuples(d, c)}
    p_all = {t for d, cs in kept.items() for c in cs for t in claim_tuples(d, c)}
    g_str = {t for d, cs in gold.items() for c in cs for t in claim_tuples(d, c, True)}
    p_str = {t for d, cs in kept.items() for c in cs for t in claim_tuples(d, c, True)}
    return Score(
        documents=len(gold),
        gold_tuples=len(g_all),
        pred_tuples=len(p_all),
        primary=PRF(len(g_all & p_all), len(p_all), len(g_all)),
        strict=PRF(len(g_str & p_str), len(p_str), len(g_str)),
        evidence_verbatim=verbatim,
        by_stance=_tables(g_all, p_all, lambda t: t[2]),
        by_issue_group=_tables(g_all, p_all, lambda t: t[3].split(".")[0] if t[3] else "?"),
        fields=_field_scores(gold, kept),
        problems=problems,
        missed=_errors(gold, g_all - p_all),
        spurious=_errors(kept, p_all - g_all),
    )


def format_score(s: Score) -> str:
    """The same lines, in the same layout, as the reference scorer prints."""
    lines = [
        f"documents {s.documents}  gold tuples {s.gold_tuples}  predicted tuples {s.pred_tuples}"
    ]
    for name, prf in (("primary", s.primary), ("strict", s.strict)):
        lines.append(f"{name:<8} P {prf.p:.3f}  R {prf.r:.3f}  F1 {prf.f:.3f}")
    if s.evidence_verbatim is not None:
        lines.append(f"evidence found verbatim in its document: {s.evidence_verbatim:.3f}")
    for title, table in (("by stance", s.by_stance), ("by issue group", s.by_issue_group)):
        lines.append(f"\n{title}:")
        for k, t in table.items():
            lines.append(
                f"  {k:<14} P {t.p:.2f}  R {t.r:.2f}  F1 {t.f:.2f}  "
                f"(gold {t.n_gold}, pred {t.n_pred})"
            )
    lines.append("\nfields, on gold claims whose tuple was found:")
    for k, (mean, n) in s.fields.items():
        lines.append(f"  {k:<22} {mean:.3f}  (n={n})")
    for k, v in s.problems.items():
        lines.append(f"problem: {k} x{v}")
    return "\n".join(lines)


def format_errors(s: Score) -> str:
    """Missed and spurious tuples grouped by coarse stance then issue, each with evidence."""
    lines: list[str] = []
    for title, items in (
        ("missed (in gold, not predicted)", s.missed),
        ("spurious (predicted, not in gold)", s.spurious),
    ):
        lines.append(f"\n{title}: {len(items)}")
        groups: dict[tuple[str, str], list[ErrorItem]] = defaultdict(list)
        for item in items:
            groups[(item.tuple[2], item.tuple[3])].append(item)
        for (stance, issue), group in sorted(groups.items()):
            lines.append(f"  {stance} {issue}:")
            for item in group:
                evidence = " ".join(item.evidence.split())
                lines.append(f"    {item.tuple[0]} {item.tuple[1]}: {evidence[:200]}")
    return "\n".join(lines)
