"""learned.v1: its model file, its language data, extraction with the shipped model, and
training from gold files, from a store's reviews and from a teacher's claims."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

import numpy as np
import pytest

from peacetrack.codebook import default_codebook
from peacetrack.errors import InputError
from peacetrack.extract import get_extractor
from peacetrack.extract.base import DEFAULT_EXTRACTOR
from peacetrack.extract.learned.examples import (
    Example,
    corpus_examples,
    review_examples,
    teacher_examples,
)
from peacetrack.extract.learned.extractor import BUILTIN, LearnedExtractor
from peacetrack.extract.learned.lexicon import issue_lexicon
from peacetrack.extract.learned.models import Models, Thresholds
from peacetrack.extract.learned.trainer import BUILTIN_CORPUS
from peacetrack.extract.learned.trees import TreeModel, from_boosting
from peacetrack.extract.learned.tuples import (
    FEATURES,
    Ruled,
    Said,
    decisions,
    evidence,
    keep,
    rows,
)
from peacetrack.extract.learned.weights import LinearModel, load_models, save_models
from peacetrack.model import Claim, Document, Stance
from peacetrack.store import Store

# Reports written for these tests: two disputes, each twice, in the phrasing reporters use.
REPORTS = {
    "gy-ve_a.txt": (
        "Venezuela demanded that Guyana halt oil exploration in the disputed Essequibo region. "
        "Guyana rejected the demand and said the border was settled in 1899. "
        "The two presidents agreed to meet again in Brazil next year."
    ),
    "gy-ve_b.txt": (
        "Caracas again demanded that Georgetown halt oil exploration off the Essequibo coast. "
        "Georgetown rejected that demand once more. "
        "Both governments agreed to meet again in Brasilia within three months."
    ),
    "kg-tj_a.txt": (
        "Kyrgyzstan demanded that Tajikistan withdraw its troops from the disputed villages. "
        "Tajikistan rejected the demand and said the villages were Tajik. "
        "The two presidents agreed to meet again in Bishkek next month."
    ),
    "kg-tj_b.txt": (
        "Bishkek once more demanded that Dushanbe withdraw its troops from the border villages. "
        "Dushanbe rejected that demand again. "
        "Both governments agreed to meet again in Khujand within weeks."
    ),
}
pytestmark = pytest.mark.filterwarnings("ignore::UserWarning")


def _gold() -> dict[str, list[Claim]]:
    """The positions each report states, as a reviewer would record them."""
    out: dict[str, list[Claim]] = {}
    for name, text in REPORTS.items():
        first, second, third = (s + "." for s in text.rstrip(".").split(". "))
        asker, other = ("VEN", "GUY") if name.startswith("gy") else ("KGZ", "TJK")
        issue = "ECO.NORMALISATION" if name.startswith("gy") else "TER.WITHDRAW"
        out[name] = [
            Claim(actors=[asker], stance=Stance.DEMAND, issue=issue, evidence=first),
            Claim(actors=[other], stance=Stance.REJECT, issue=issue, evidence=second),
            Claim(
                actors=sorted([asker, other]),
                stance=Stance.AGREE,
                issue="PROC.TALKS",
                evidence=third,
            ),
        ]
    return out


def _tuples(claims: list[Claim]) -> set[tuple[str, str, str]]:
    return {(a, c.stance.coarse, c.issue) for c in claims for a in c.actors}


def test_model_files_hold_arrays_only_and_round_trip(tmp_path: Path) -> None:
    model = LinearModel(
        ["w:demand", "w:truce"],
        np.eye(2, dtype=np.float32),
        np.zeros(2, dtype=np.float32),
        ["none", "put_forward"],
        {"put_forward": 0.3},
    )
    path = tmp_path / "m.npz"
    save_models(path, {"stance": model}, {"note": "test"})
    with np.load(path, allow_pickle=False) as data:  # no object arrays: nothing runs on load
        assert all(data[key].dtype != object for key in data.files)
    loaded, header = load_models(path, ["stance"])
    assert header["note"] == "test"
    assert loaded["stance"].thresholds == {"put_forward": 0.3}
    probs = loaded["stance"].probabilities([["w:truce"], ["w:unknown"]])
    assert probs[0][1] > probs[0][0] and probs[1][0] == pytest.approx(0.5)


@pytest.mark.parametrize("content", [b"", b"not a zip", b"PK\x03\x04broken"])
def test_a_file_that_is_no_model_is_named_with_the_fix(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "bad.npz"
    path.write_bytes(content)
    with pytest.raises(InputError, match=r"bad\.npz.*peacetrack train"):
        Models.load(path)
    with zipfile.ZipFile(tmp_path / "other.npz", "w") as archive:
        archive.writestr("x.npy", b"")
    with pytest.raises(InputError, match="not a PeaceTrack model file"):
        Models.load(tmp_path / "other.npz")


def test_a_model_trained_on_other_position_figures_is_refused_with_the_fix(
    tmp_path: Path,
) -> None:
    # A file written by an older `peacetrack train` reads fewer figures: its trees would
    # look up the wrong columns, so it is refused when loaded, not when a report fails.
    models = Models.load(BUILTIN)
    models.position.features = models.position.features[:-1]
    path = tmp_path / "old.npz"
    models.save(path)
    with pytest.raises(InputError, match=r"old\.npz.*another version.*peacetrack train"):
        LearnedExtractor(model_file=path)


def test_issue_words_match_hyphens_and_word_beginnings() -> None:
    words = [
        "the",
        "sides",
        "agreed",
        "a",
        "cease",
        "-",
        "fire",
        "without",
        "pre",
        "-",
        "conditions",
        "and",
        "guarantees",
    ]
    found = issue_lexicon("en").matches(words)
    assert found["CF.GENERAL"][1] == "cease-fire"
    assert found["PROC.PRECONDITION"][1] == "pre-condition*"
    assert found["SEC.GUARANTEES"][1] == "guarant*"


def test_a_position_is_claimed_from_the_segment_that_says_it_best() -> None:
    # A report's evidence for each (actor, stance, issue) is gathered over its segments;
    # the position model (here: likely once some segment gives it 0.5) decides.
    model = _one_split("best", 0.5)
    holders = {"GUY": {"holder": 0.9}, "VEN": {"holder": 0.1, "obligor": 0.7}}
    said = [
        Said({"none": 0.9, "reject": 0.1}, holders, {"TER.BORDER": 0.9}),
        Said({"none": 0.2, "reject": 0.8}, holders, {"TER.BORDER": 0.7, "PROC.TALKS": 0.1}),
    ]
    found = evidence(said).found
    assert found[("GUY", "reject", "TER.BORDER")].segment == 1
    assert found[("GUY", "reject", "TER.BORDER")].count == 2
    limits = Thresholds({"reject": 0.5})
    kept = keep(said, Ruled.of(()), model, limits)
    assert [k.position for k in kept] == [("GUY", "reject", "TER.BORDER")]
    decided = decisions(said, kept, limits)
    assert list(decided) == [1]
    (decision,) = decided[1]
    assert (decision.stance, decision.holders, decision.issues) == (
        "reject",
        ("GUY",),
        ("TER.BORDER",),
    )
    assert decision.obligors == ("VEN",)
    keys, table = rows(evidence(said), Ruled.of([kept[0].position]))
    assert table[keys.index(kept[0].position), FEATURES.index("r:same")] == 1.0
    # The position's rival is the other stance the same actor may take on the issue.
    assert table[keys.index(kept[0].position), FEATURES.index("rival_stance")] == 0.0


def test_a_position_the_rules_claim_is_weighed_however_little_the_models_give_it() -> None:
    # The rules read "Guyana rejected ..." where the segment models see no stance; the
    # position is still a candidate, on the segment the rules read it in, and the
    # threshold for the rules' positions decides whether it is kept.
    model = _one_split("r:same", 0.5)
    said = [
        Said({"none": 0.9, "reject": 0.1}, {"GUY": {"holder": 0.9}}, {"PROC.TALKS": 0.9}),
        Said({"none": 0.99, "reject": 0.01}, {"GUY": {"holder": 0.3}}, {}),
    ]
    position = ("GUY", "reject", "TER.BORDER")
    ruled = Ruled.of([position], {position: 1})
    assert position not in evidence(said).found
    found = evidence(said, ruled).found[position]
    assert (found.segment, found.best) == (1, 0.0)
    assert found.parts[:2] == (0.01, 0.3)
    kept = keep(said, ruled, model, Thresholds({"reject": 0.95}, ruled=0.5))
    assert [(k.position, k.segment) for k in kept] == [(position, 1)]
    assert not keep(said, ruled, model, Thresholds({"reject": 0.95}))


def _one_split(feature: str, threshold: float) -> TreeModel:
    """A position model of one tree: likely when ``feature`` passes ``threshold``."""
    return TreeModel(
        list(FEATURES),
        feature=np.array([FEATURES.index(feature), 0, 0], dtype=np.int32),
        threshold=np.array([threshold, 0.0, 0.0]),
        left=np.array([1, 1, 2], dtype=np.int32),
        right=np.array([2, 1, 2], dtype=np.int32),
        value=np.array([0.0, -2.0, 2.0]),
        roots=np.array([0], dtype=np.int32),
        base=0.0,
        depth=1,
        classes=["none", "yes"],
    )


def test_boosted_trees_score_as_scikit_learn_does_and_round_trip(tmp_path: Path) -> None:
    # The position model is fitted by scikit-learn and scored by NumPy from plain arrays.
    ensemble = pytest.importorskip("sklearn.ensemble")
    rng = np.random.default_rng(3)
    table = rng.random((2000, 4))
    labels = table[:, 0] * table[:, 1] + 0.2 * table[:, 2] > 0.35
    fitted = ensemble.HistGradientBoostingClassifier(
        max_iter=30, max_leaf_nodes=7, early_stopping=False, monotonic_cst=[1, 0, 0, 0]
    ).fit(table, labels, sample_weight=rng.random(2000) + 0.5)
    model = from_boosting(fitted, ["a", "b", "c", "d"], ["none", "yes"])
    assert np.allclose(model.probabilities(table), fitted.predict_proba(table), atol=1e-12)
    path = tmp_path / "trees.npz"
    save_models(path, {"position": model}, {"note": "test"})
    with np.load(path, allow_pickle=False) as data:
        assert all(data[key].dtype != object for key in data.files)
    (loaded,) = load_models(path, ["position"])[0].values()
    assert isinstance(loaded, TreeModel)
    assert np.array_equal(loaded.probabilities(table), model.probabilities(table))


def test_the_shipped_model_extracts_grounded_claims_with_provenance() -> None:
    text = " ".join(REPORTS.values())
    extractor = get_extractor("learned.v1")
    claims = extractor.extract(Document(name="r.txt", text=text))
    assert claims, "the shipped model finds nothing in plain demands and rejections"
    for claim in claims:
        assert claim.extractor == "learned.v1"
        assert claim.model is not None and claim.model.startswith("learned_v1@")
        assert claim.confidence is not None and 0 <= claim.confidence <= 1
        assert claim.start is not None and text[claim.start : claim.end] == claim.evidence
    header = Models.load(BUILTIN).header
    assert header["reports"] >= 150 and len(header["conflicts"]) >= 25


def test_the_default_extractor_is_learned_v1_and_runs_without_scikit_learn() -> None:
    # It scores best held out, so it is the default; scikit-learn (the `train` extra) only
    # trains, so the base install extracts with it: here `import sklearn` fails.
    assert DEFAULT_EXTRACTOR == "learned.v1"
    script = (
        "import sys\n"
        "sys.modules['sklearn'] = None\n"
        "import peacetrack as pt\n"
        "claims = pt.extract_claims(sys.argv[1])\n"
        "assert claims and {c.extractor for c in claims} == {'learned.v1'}, claims\n"
    )
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1] / "src")}
    done = subprocess.run(
        [sys.executable, "-c", script, REPORTS["kg-tj_a.txt"]],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr


def test_the_training_corpus_holds_out_whole_conflicts_and_covers_every_stance() -> None:
    examples = corpus_examples([BUILTIN_CORPUS])
    conflicts = {e.group for e in examples}
    assert len(conflicts) >= 25
    assert not conflicts & {"ru-ua", "il-gaza", "il-lb", "kh-th", "am-az", "cd-rw", "sd"}
    stances: dict[str, int] = {}
    for example in examples:
        for claim in example.claims:
            stances[claim.stance.value] = stances.get(claim.stance.value, 0) + 1
    assert set(stances) == {s.value for s in Stance}
    assert min(stances.values()) >= 40


def _store_with_reports(store: Store) -> dict[str, int]:
    ids = {}
    for name, text in REPORTS.items():
        ids[name] = store.add_document(Document(name=name, text=text)).document_id
    return ids


@pytest.mark.slow
def test_a_model_retrained_on_reviews_gets_the_reviewed_sentences_right(
    fresh_db: Store, tmp_path: Path
) -> None:
    from peacetrack.extract.learned.trainer import train

    pytest.importorskip("sklearn")
    ids = _store_with_reports(fresh_db)
    gold = _gold()
    for name, doc in ids.items():
        for claim in gold[name]:
            start = REPORTS[name].index(claim.evidence)
            fresh_db.review.add(
                doc,
                claim.model_copy(update={"start": start, "end": start + len(claim.evidence)}),
                "tester",
            )
    wrong = Claim(
        actors=["GUY"],
        stance=Stance.DEMAND,
        issue="SEC.NONAGGRESSION",
        evidence=gold["gy-ve_a.txt"][1].evidence,
    )
    added = fresh_db.review.add(ids["gy-ve_a.txt"], wrong, "tester")
    fresh_db.review.reject(added.id, "tester")

    examples = review_examples(fresh_db, default_codebook())
    assert {e.group for e in examples} == {"gy-ve", "kg-tj"}
    assert all(e.weight > 1 for e in examples)  # a reviewer's word counts more
    general = [e for e in corpus_examples([BUILTIN_CORPUS]) if e.group in {"ge", "cy", "md-pmr"}]
    trained = train(examples + general, default_codebook(), folds=3, min_precision=0.0)
    path = tmp_path / "reviewed.npz"
    trained.models.save(path)
    retrained = LearnedExtractor(model_file=path)
    for name, text in REPORTS.items():
        found = _tuples(retrained.extract(Document(name=name, text=text)))
        assert _tuples(gold[name]) <= found, (name, _tuples(gold[name]) - found, found)
        assert ("GUY", "put_forward", "SEC.NONAGGRESSION") not in found


@pytest.mark.slow
def test_a_teachers_claims_are_what_the_student_learns(fresh_db: Store) -> None:
    ids = _store_with_reports(fresh_db)
    for name, doc in ids.items():
        claims = [c.model_copy(update={"extractor": "llm.v1"}) for c in _gold()[name]]
        fresh_db.save_extraction(doc, "llm.v1", claims)
    examples = teacher_examples(fresh_db, "llm.v1", default_codebook())
    assert sorted(e.name for e in examples) == sorted(REPORTS)
    assert all(len(e.claims) == 3 and not e.unsure for e in examples)
    with pytest.raises(InputError, match=r"no claims by rules\.v1"):
        teacher_examples(fresh_db, "rules.v1", default_codebook())


def test_training_refuses_a_single_conflict() -> None:
    from peacetrack.extract.learned.trainer import train

    one = [Example("gy-ve_a.txt", REPORTS["gy-ve_a.txt"], tuple(_gold()["gy-ve_a.txt"]), "gy-ve")]
    with pytest.raises(InputError, match="at least 2 conflicts"):
        train(one, default_codebook())


def test_rows_score_the_same_together_as_alone() -> None:
    # All rows are scored in one NumPy step (#15); each row's weights must still add up
    # in its own order, so that a score never depends on the other rows of a text.
    rng = np.random.default_rng(7)
    names = [f"f{i}" for i in range(50)]
    for multilabel, dtype in ((False, np.float32), (True, np.float32), (False, np.float64)):
        model = LinearModel(
            names,
            rng.normal(size=(50, 4)).astype(dtype),
            rng.normal(size=4).astype(dtype),
            ["a", "b", "c", "d"],
            {},
            multilabel=multilabel,
        )
        picks = [list(rng.choice(names, size=int(rng.integers(0, 40)))) for _ in range(300)]
        rows = [[*pick[:3], "unknown", *pick[3:]] for pick in picks]
        together = model.probabilities(rows)
        for row, scored in zip(rows, together, strict=True):
            known = [names.index(f) for f in row if f in names]
            logits = model.bias + model.weights[known].sum(axis=0) if known else model.bias
            if multilabel:
                expected = 1.0 / (1.0 + np.exp(-logits))
            else:
                expected = np.exp(logits - logits.max())
                expected /= expected.sum()
            assert np.array_equal(model.probabilities([row])[0], scored)
            assert np.array_equal(expected, scored)


def test_another_model_file_extracts_a_store_again(fresh_db: Store, tmp_path: Path) -> None:
    # The README's loop: extract, train on the reviews, extract with the new file. A store
    # done by the shipped file is done again by another one, and then again by the shipped.
    from peacetrack.extract.runner import extract_store

    _store_with_reports(fresh_db)
    other = tmp_path / "mine.npz"
    other.write_bytes(BUILTIN.read_bytes())
    shipped, mine = LearnedExtractor(), LearnedExtractor(model_file=other)
    assert shipped.variant == "" and mine.variant.startswith("mine@")
    assert extract_store(fresh_db, shipped).documents == len(REPORTS)
    assert extract_store(fresh_db, shipped).documents == 0
    assert extract_store(fresh_db, mine).documents == len(REPORTS)
    assert extract_store(fresh_db, mine).documents == 0
    assert extract_store(fresh_db, LearnedExtractor(model_file=BUILTIN)).documents == len(REPORTS)
