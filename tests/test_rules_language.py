"""The rules' language is data: the pack (``extract/rules/lang/en``) and the codebook.

A new phrasing is a data line and a test sentence; the engine's Python names no word of
English and no actor or issue code; a broken pack is refused by file and entry.
"""

from __future__ import annotations

import ast
import re
import shutil
from pathlib import Path

import pytest

from peacetrack.codebook import load_codebook
from peacetrack.errors import CodebookError
from peacetrack.extract.rules import RulesExtractor
from peacetrack.extract.rules.language import PACKS, LanguageError, load_language
from peacetrack.model import Claim, Document

RULES = Path(PACKS).parent
#: The pack's loader and schema name its files and entries; that is their job.
LOADER = {"language.py", "lexicon.py"}
#: Strings the engine may hold, each a name in another vocabulary than English prose:
#: the extractor's registered name; Claim's offset fields; the guideline's condition
#: relations and cues.toml's positions; spaCy's token attribute and pattern operator names.
ALLOWED = {
    "rules.v1",
    "start",
    "end",
    "before",
    "after",
    "IDX",
    "IS_PUNCT",
    "LENGTH",
    "LOWER",
    "OP",
    "ORTH",
}
#: Regex escapes (\b, \u2019) and character ranges (a-z) are no words.
NOT_WORDS = re.compile(r"\\u[0-9a-fA-F]{4}|\\[A-Za-z]|[A-Za-z]-[A-Za-z]")


def _docstrings(tree: ast.AST) -> set[int]:
    owners = (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)
    return {
        id(node.body[0].value)
        for node in ast.walk(tree)
        if isinstance(node, owners)
        and node.body
        and isinstance(node.body[0], ast.Expr)
        and isinstance(node.body[0].value, ast.Constant)
    }


def _skipped(tree: ast.AST) -> set[int]:
    """Constants in docstrings, ``__all__`` and error messages (``raise``): prose for
    people, not words the rules compare with."""
    skipped = _docstrings(tree)
    for node in ast.walk(tree):
        exported = isinstance(node, ast.Assign) and any(
            isinstance(t, ast.Name) and t.id == "__all__" for t in node.targets
        )
        if exported or isinstance(node, ast.Raise):
            skipped.update(id(n) for n in ast.walk(node))
    return skipped


def _words_in_engine() -> list[str]:
    found: list[str] = []
    for path in sorted(RULES.glob("*.py")):
        if path.name in LOADER:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        skipped = _skipped(tree)
        for node in ast.walk(tree):
            if not (isinstance(node, ast.Constant) and isinstance(node.value, str)):
                continue
            if id(node) in skipped or node.value in ALLOWED:
                continue
            words = re.findall(r"[A-Za-z]+", NOT_WORDS.sub(" ", node.value))
            if words:
                found.append(f"{path.name}:{node.lineno}: {node.value!r}")
    return found


def test_the_engine_holds_no_word_and_no_code() -> None:
    assert _words_in_engine() == []


def run(extractor: RulesExtractor, text: str) -> set[tuple[str, str, str]]:
    claims: list[Claim] = extractor.extract(Document(name="t.txt", text=text))
    return {(a, c.stance.value, c.issue) for c in claims for a in c.actors}


@pytest.fixture
def pack(tmp_path: Path) -> Path:
    """A copy of the English pack to edit."""
    folder = tmp_path / "en"
    shutil.copytree(PACKS / "en", folder)
    return folder


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_a_new_cue_is_a_data_line(pack: Path) -> None:
    sentence = "Russia clamoured for a ceasefire."
    assert run(RulesExtractor(), sentence) == set()
    _edit(pack / "cues.toml", '"demanded", ', '"demanded", "clamoured for", ')
    extended = RulesExtractor(language=pack)
    assert run(extended, sentence) == {("RUS", "demand", "CF.GENERAL")}


def test_a_new_hedge_is_a_data_line(pack: Path) -> None:
    sentence = "Russia supposedly demanded a ceasefire."
    assert run(RulesExtractor(), sentence) == {("RUS", "demand", "CF.GENERAL")}
    _edit(pack / "lexicon.toml", 'hedges = ["could", ', 'hedges = ["supposedly", "could", ')
    assert run(RulesExtractor(language=pack), sentence) == set()


@pytest.mark.parametrize(
    ("file", "old", "new", "named"),
    [
        ("lexicon.toml", "[stance]\n", '[stance]\nhunches = ["maybe"]\n', "stance.hunches"),
        ("lexicon.toml", "recipient = ", "receiver = ", "details.recipient"),
        ("cues.toml", '"demanded", ', '"demanded", "rejected", ', "'rejected'"),
        ("cues.toml", 'stance = "demand"', 'stance = "insist"', "cue.0.stance"),
        ("patterns.toml", "signed = '''", "signed = '''(", "extractor.signed"),
        ("constructions.toml", '{ LOWER = "jure" }', '{ LOWR = "jure" }', "recognition.0.pattern"),
        ("constructions.toml", 'label = "de_jure"', 'label = "de_iure"', "recognition.0.label"),
        ("constructions.toml", 'label = "before"', 'label = "earlier"', "sequencing.0.label"),
    ],
)
def test_a_broken_pack_is_refused_by_file_and_entry(
    pack: Path, file: str, old: str, new: str, named: str
) -> None:
    _edit(pack / file, old, new)
    with pytest.raises(LanguageError) as caught:
        load_language(pack)
    assert file in str(caught.value) and named in str(caught.value)


def test_a_missing_pack_file_is_named(pack: Path) -> None:
    (pack / "patterns.toml").unlink()
    with pytest.raises(LanguageError, match=r"patterns\.toml"):
        load_language(pack)


def test_the_pack_is_loaded_once() -> None:
    assert RulesExtractor().language is RulesExtractor(language="en").language


ISSUE = """
[[issue]]
code = "{code}"
label = "A test issue"
definition = "d"
include = "i"
exclude = "e"
cues = ["{cue}"]
{extra}
"""


def test_issue_behaviour_comes_from_the_codebook(tmp_path: Path) -> None:
    """A user issue declared territorial carries places, as built-in ones do."""
    sentence = "Russia demanded a buffer strip in the Kherson region."
    user = tmp_path / "issues.toml"
    user.write_text(ISSUE.format(code="TER.STRIP", cue="buffer strip", extra="territories = true"))
    claims = RulesExtractor(load_codebook(user)).extract(Document(name="t", text=sentence))
    assert [(c.issue, c.territories) for c in claims] == [("TER.STRIP", ["UA-65"])]


def test_narrowing_an_unknown_issue_is_an_error(tmp_path: Path) -> None:
    user = tmp_path / "issues.toml"
    user.write_text(ISSUE.format(code="CF.TINY", cue="tiny truce", extra='narrows = ["CF.HUGE"]'))
    with pytest.raises(CodebookError, match=r"CF\.HUGE"):
        RulesExtractor(load_codebook(user))


def test_extending_an_issue_cannot_change_its_behaviour(tmp_path: Path) -> None:
    user = tmp_path / "issues.toml"
    user.write_text('[[issue]]\ncode = "GEN.DEAL"\ngeneral = false\nterritories = true\n')
    with pytest.raises(CodebookError, match=r"GEN\.DEAL"):
        load_codebook(user)


def test_a_cue_implying_an_unknown_issue_is_refused(pack: Path) -> None:
    _edit(pack / "cues.toml", 'implies = "PROC.TALKS"', 'implies = "PROC.CHATS"')
    with pytest.raises(LanguageError, match=r"cues\.toml.*PROC\.CHATS"):
        RulesExtractor(language=pack)


def test_constructions_match_as_spacy_matcher_does() -> None:
    """Plain patterns go to a PhraseMatcher and the rest to a gated Matcher: the same
    matches as one spaCy Matcher over every pattern of the pack."""
    import spacy
    from spacy.matcher import Matcher

    from peacetrack.extract.rules.constructions import Constructions

    nlp = spacy.blank("en")
    built = load_language(PACKS / "en").constructions
    patterns = [c.pattern for c in (*built.sequencing, *built.recognition)]
    reference = Matcher(nlp.vocab)
    for index, pattern in enumerate(patterns):
        reference.add(str(index), [pattern])
    doc = nlp(
        "So that talks resume, before a truce and only after which, within 72 hours of it, "
        "within of, within a week of the start of talks, de jure and in practice, legally."
    )
    expected = {(int(nlp.vocab.strings[k]), a, b) for k, a, b in reference(doc)}
    found = Constructions(nlp.vocab, patterns)(doc, [t.lower_ for t in doc])
    assert sorted(found) == sorted(expected) and len(found) == len(expected) > 10


def test_folded_holds_every_character_a_case_insensitive_pattern_takes_for_ascii() -> None:
    """``may_hold`` compares lower-cased text; these are the only characters beyond ASCII
    that ``(?i)`` matches with an ASCII letter, so the test never spares a pattern that
    would have matched."""
    import sys

    from peacetrack.extract.rules.lexicon import FOLDED

    letter = re.compile("(?i)[a-z]")
    beyond = {chr(c) for c in range(128, sys.maxunicode + 1) if letter.fullmatch(chr(c))}
    assert beyond == FOLDED


@pytest.mark.parametrize(
    "sentence",
    [
        "The talks resumed on Monday in Geneva.",
        "A senior official familiar with the talks said Russia wants sanctions lifted.",
        "Accordıng to Kremlin spokesman Dmitry Peskov, the plan is dead.",
        "Kyiv rejected the U.S. draft peace plan, said Foreign Minister Andrii Sybiha.",
        "They spoke on condition of anonymity about Kyiv's 10-point plan.",
        "The memorandum, its counter-proposal and Russia's new initiative were DISCUSSED.",
    ],
)
def test_sources_and_proposals_are_found_with_or_without_the_markers(sentence: str) -> None:
    """The markers and kinds only spare patterns that could not match: the same source
    and proposal as with no words to test first."""
    from peacetrack.extract.rules.attribution import attribution
    from peacetrack.extract.rules.proposals import proposal_name

    lang = load_language(PACKS / "en")
    pats = lang.patterns
    everything = pats.model_copy(
        update={
            "attribution": pats.attribution.model_copy(update={"markers": ("",)}),
            "proposals": pats.proposals.model_copy(update={"kinds": ("",)}),
        }
    )
    words = lang.words.attribution
    assert attribution(sentence, pats.attribution, words) == attribution(
        sentence, everything.attribution, words
    )
    assert proposal_name(sentence, pats.proposals) == proposal_name(sentence, everything.proposals)
