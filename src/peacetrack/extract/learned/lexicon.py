"""The learned extractor's language data, one folder per language (``lang/<code>/``):
words that suggest an issue (``issues.toml``), looser than the codebook's cues because a
match here is only evidence for the models to weigh, and the words its segment features
look for (``words.toml``)."""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from peacetrack.errors import InputError

LANG = Path(__file__).parent / "lang"
#: Letters of a word beginning that index it.
KEY = 3
#: How the tokenizer splits an entry: words, and punctuation (hyphens) on its own.
PIECES = re.compile(r"[\w'*]+|[^\w\s]")
#: Words that may suggest an issue: the phrases that open with each, and the issues (with
#: the word beginning) that it suggests by itself.
Candidates = dict[str, tuple[tuple[tuple[tuple[str, ...], str], ...], tuple[tuple[str, str], ...]]]


@dataclass(frozen=True)
class Lexicon:
    """Issue words: lower-case word sequences (whose last word may be a beginning,
    ``pre-condition*``), and single word beginnings (``guarant*``)."""

    #: First word -> (the whole sequence, issue), longest first.
    phrases: dict[str, tuple[tuple[tuple[str, ...], str], ...]]
    #: (word beginning, issue) by the beginning's first three letters, so that a word is
    #: compared with the few beginnings it could have.
    stems: dict[str, tuple[tuple[str, str], ...]]

    def matches(
        self, words: Sequence[str], candidates: Candidates | None = None
    ) -> dict[str, tuple[int, str]]:
        """Each issue suggested in ``words``: where it is first suggested, and by what.
        ``candidates`` are those of a vocabulary that holds every word (``candidates``)."""
        table = self.candidates(set(words)) if candidates is None else candidates
        found: dict[str, tuple[int, str]] = {}
        for i in [i for i, word in enumerate(words) if word in table]:
            phrases, stems = table[words[i]]
            for phrase, issue in phrases:
                if _fits(phrase, words[i : i + len(phrase)]):
                    found.setdefault(issue, (i, "".join(phrase)))
            for issue, label in stems:
                found.setdefault(issue, (i, label))
        return found

    def candidates(self, vocabulary: Iterable[str]) -> Candidates:
        """The words of ``vocabulary`` that may suggest an issue, each with the phrases
        that open with it and the issues its beginning suggests (with the beginning):
        worked out once per word of a text, not once per time it is used."""
        out: Candidates = {}
        opening, keyed = self.phrases.get, self.stems.get
        for word in vocabulary:
            phrases = opening(word, ())
            # Most words have no beginning of an issue word's three letters: nothing to test.
            beginnings = keyed(word[:KEY])
            stems = (
                tuple((issue, stem + "*") for stem, issue in beginnings if word.startswith(stem))
                if beginnings
                else ()
            )
            if phrases or stems:
                out[word] = (phrases, stems)
        return out


def language_file(code: str, name: str, what: str, keys: Sequence[str]) -> dict[str, Any]:
    """A TOML file of the learned extractor's language data (``lang/<code>/<name>``) that
    holds ``keys``, or an error naming the file and ``what`` it was read for."""
    path = LANG / code / name
    try:
        table = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise InputError(f"{path}: cannot read the learned extractor's {what} ({exc})") from None
    missing = [key for key in keys if key not in table]
    if missing:
        raise InputError(f"{path}: the learned extractor's {what} lack {', '.join(missing)}")
    return table


@dataclass(frozen=True)
class FeatureWords:
    """Words a segment's features look for (``lang/<code>/words.toml`` says what each list
    is for)."""

    pointers: frozenset[str]
    both: frozenset[str]
    deal: frozenset[str]
    negations: frozenset[str]
    hedges: frozenset[str]
    saying: frozenset[str]


@cache
def feature_words(code: str = "en") -> FeatureWords:
    """The feature words of a language shipped with the package."""
    names = ("pointers", "both", "deal", "negations", "hedges", "saying")
    table = language_file(code, "words.toml", "feature words", names)
    return FeatureWords(**{name: frozenset(table[name]) for name in names})


@cache
def issue_lexicon(code: str = "en") -> Lexicon:
    """The issue words of a language shipped with the package."""
    path = LANG / code / "issues.toml"
    table = language_file(code, "issues.toml", "issue words", ["issues"])["issues"]
    phrases: dict[str, list[tuple[tuple[str, ...], str]]] = {}
    stems: list[tuple[str, str]] = []
    for issue, entries in table.items():
        for entry in entries:
            words = tuple(PIECES.findall(entry.lower()))
            if len(words) == 1 and words[0].endswith("*"):
                stems.append((words[0][:-1], issue))
            else:
                phrases.setdefault(words[0], []).append((words, issue))
    ordered = {k: tuple(sorted(v, key=lambda p: -len(p[0]))) for k, v in phrases.items()}
    if any(len(stem) < KEY for stem, _ in stems):
        raise InputError(f"{path}: a word beginning needs at least {KEY} letters before '*'")
    keyed: dict[str, list[tuple[str, str]]] = {}
    for stem, issue in stems:
        keyed.setdefault(stem[:KEY], []).append((stem, issue))
    return Lexicon(ordered, {k: tuple(v) for k, v in keyed.items()})


def _fits(phrase: tuple[str, ...], words: Sequence[str]) -> bool:
    if len(words) < len(phrase):
        return False
    *whole, last = phrase
    if list(words[: len(whole)]) != whole:
        return False
    word = words[len(whole)]
    return word.startswith(last[:-1]) if last.endswith("*") else word == last
