"""Language packs: the words and constructions the rules read, as data, one folder per language.

The rules engine knows how a report is built (a cue, its holders, the span of its term) but
not which words build it: those come from a pack, ``lang/<code>/`` beside this module, so
that a new phrasing is a data line and a test sentence, and another language is another
folder. A pack holds four TOML files:

* ``cues.toml``: the stance cues, in groups of one stance and its options;
* ``lexicon.toml``: named word lists, one table per part of the rules that reads them;
* ``patterns.toml``: regular expressions for the constructions read on raw text;
* ``constructions.toml``: spaCy ``Matcher`` patterns for constructions read on tokens.

A pack is loaded once per folder and validated as a whole: a missing, unknown or ill-typed
entry, a phrase given twice or a pattern that does not compile is a ``LanguageError`` that
names the file and the entry, before any text is read.
"""

from __future__ import annotations

import tomllib
from collections.abc import Container, Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ConfigDict, ValidationError
from spacy.matcher import Matcher
from spacy.vocab import Vocab

from peacetrack.errors import PeaceTrackError
from peacetrack.extract.rules.lexicon import Constructions, Lexicon, Patterns
from peacetrack.extract.rules.stance import Cue, Position
from peacetrack.model import Stance

#: Folder of the packs shipped with PeaceTrack.
PACKS = Path(__file__).resolve().parent / "lang"
DEFAULT = "en"

M = TypeVar("M", bound=BaseModel)


class LanguageError(PeaceTrackError):
    """A language pack that cannot be used; the message names the file and the entry."""


class CueGroup(BaseModel):
    """One ``[[cue]]`` group of ``cues.toml``: a stance, its phrases and their options."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    stance: Stance
    phrases: list[str]
    position: Position = Position.AFTER
    nominal: bool = False
    implies: str | None = None
    deal: bool = False


class CueFile(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    cue: list[CueGroup]


@dataclass(frozen=True, eq=False)
class Language:
    """A loaded pack: what the rules match and compare against, for one language."""

    code: str
    #: The folder it was read from, for messages that name its files.
    folder: Path
    #: Stance cues by phrase, in the order the pack gives them.
    cues: Mapping[str, Cue]
    words: Lexicon
    patterns: Patterns
    constructions: Constructions

    def cues_implying(self) -> frozenset[str]:
        """Issue codes the cues name by themselves, for checking against a codebook."""
        return frozenset(c.implies for c in self.cues.values() if c.implies)


def language_pack(spec: Language | Path | str | None) -> Language:
    """The pack ``spec`` names: a loaded pack, the code of a shipped pack ("en"), a pack
    folder, or (None) the default."""
    if isinstance(spec, Language):
        return spec
    if spec is None:
        return default_language()
    shipped = PACKS / str(spec)
    return load_language(shipped if isinstance(spec, str) and shipped.is_dir() else Path(spec))


def check_issues(language: Language, issues: Container[str]) -> None:
    """Refuse a pack whose cues imply an issue the codebook lacks: every claim they made
    would fail validation, so say so before any text is read."""
    unknown = sorted(code for code in language.cues_implying() if code not in issues)
    if unknown:
        raise LanguageError(
            f"{language.folder / 'cues.toml'}: a cue implies {unknown[0]!r}, which the "
            "codebook does not define; fix the cue's `implies` or add the issue"
        )


def default_language() -> Language:
    """The English pack shipped with PeaceTrack."""
    return load_language(PACKS / DEFAULT)


@lru_cache(maxsize=8)
def load_language(folder: Path) -> Language:
    """Load and validate the pack in ``folder`` (cached: a pack is read once per process)."""
    folder = Path(folder)
    if not folder.is_dir():
        raise LanguageError(
            f"{folder}: no such language pack folder; give a folder that holds "
            "cues.toml, lexicon.toml and patterns.toml"
        )
    cues = _read(folder / "cues.toml", CueFile)
    return Language(
        code=folder.name,
        folder=folder,
        cues=_cue_table(folder / "cues.toml", cues),
        words=_read(folder / "lexicon.toml", Lexicon),
        patterns=_read(folder / "patterns.toml", Patterns),
        constructions=_constructions(folder / "constructions.toml"),
    )


def _read(path: Path, model: type[M]) -> M:
    """One file of a pack, validated by ``model``; errors name the file and the entry."""
    try:
        with path.open("rb") as handle:
            data: dict[str, Any] = tomllib.load(handle)
    except FileNotFoundError:
        raise LanguageError(f"{path}: missing from the language pack; add it") from None
    except tomllib.TOMLDecodeError as err:
        raise LanguageError(f"{path}: not valid TOML ({err}); fix the syntax") from None
    try:
        return model.model_validate(data)
    except ValidationError as err:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e['loc']) or '(file)'}: {e['msg']}" for e in err.errors()
        )
        raise LanguageError(f"{path}: {problems}; fix or add that entry") from None


def _constructions(path: Path) -> Constructions:
    """The pack's Matcher patterns, each checked by spaCy now rather than at first use."""
    constructions = _read(path, Constructions)
    matcher = Matcher(Vocab(), validate=True)
    for name in Constructions.model_fields:
        for index, entry in enumerate(getattr(constructions, name)):
            try:
                matcher.add(entry.label, [entry.pattern])
            except ValueError as err:
                raise LanguageError(
                    f"{path}: {name}.{index}.pattern: not a spaCy Matcher pattern ({err}); fix it"
                ) from None
    return constructions


def _cue_table(path: Path, cues: CueFile) -> dict[str, Cue]:
    """Cues by lower-cased phrase; a phrase in two groups would be ambiguous, so is an error."""
    table: dict[str, Cue] = {}
    where: dict[str, int] = {}
    for index, group in enumerate(cues.cue):
        cue = Cue(group.stance, group.position, group.nominal, group.implies, group.deal)
        for phrase in group.phrases:
            key = " ".join(phrase.lower().split())
            if not key:
                raise LanguageError(f"{path}: cue.{index}.phrases: an empty phrase; remove it")
            if key in table:
                raise LanguageError(
                    f"{path}: cue.{index}.phrases: {phrase!r} is already given in "
                    f"cue.{where[key]}; keep it in one group only"
                )
            table[key], where[key] = cue, index
    return table
