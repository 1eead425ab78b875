"""Cells as sentences a reader understands without the codebook.

"Russia concedes: withdrawal from territory — Zaporizhzhia, Kherson" meant that Russia had
dropped its demand that Ukraine withdraw from them; a cell now says so. The words are
language data (``data/<language>/sentences.toml``, described in its header), as the rule
extractor's are: this module only fills templates, picking for each stance and issue the
first template whose slots the claims fill. Places and parties appear by name; codes stay
in the machine formats (CSV, JSON).
"""

from __future__ import annotations

import string
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from importlib.resources import files
from typing import Any, Protocol

from peacetrack.compare.labels import actor_name, issue_label, place_name
from peacetrack.model import Claim, Condition, Recognition, Stance
from peacetrack.support import Support

#: The slots a template may name.
SLOTS = frozenset({"places", "obligor", "recognisers", "kind", "label"})
#: Slots that can be the subject of a clause ("{obligor} withdraw ...").
SUBJECTS = frozenset({"obligor", "recognisers"})


@dataclass(frozen=True)
class IssueWords:
    """How one issue's term reads: clause and noun templates, and its short name."""

    noun: tuple[str, ...]
    clause: tuple[str, ...]
    short: str


@dataclass(frozen=True)
class Words:
    """One language's sentence data, checked as it loads."""

    stances: Mapping[str, Mapping[str, str]]
    issues: Mapping[str, IssueWords]
    default: IssueWords
    grammar: Mapping[str, str]
    recognition: Mapping[str, str]
    support: Mapping[str, Mapping[str, str]]
    cell: Mapping[str, Any]
    definite: frozenset[str]
    definite_words: frozenset[str]

    def named(self, name: str) -> str:
        """A party's name as it reads inside a sentence: "the United States", "Ukraine"."""
        head = name.split(" (")[0].split()
        takes_the = name in self.definite or any(w in self.definite_words for w in head)
        return f"the {name}" if takes_the else name

    def issue(self, code: str) -> IssueWords:
        return self.issues.get(code, self.default)


@cache
def words(language: str = "en") -> Words:
    """The sentence data of ``language``, loaded and checked once per process."""
    name = f"data/{language}/sentences.toml"
    data = tomllib.loads(files("peacetrack.compare").joinpath(name).read_text(encoding="utf-8"))
    found = Words(
        stances=data["stances"],
        issues={code: _issue_words(entry) for code, entry in data["issues"].items()},
        default=_issue_words(data["default"]),
        grammar=data["grammar"],
        recognition=data["recognition"],
        support=data["support"],
        cell=data["cell"],
        definite=frozenset(data["names"]["definite"]),
        definite_words=frozenset(data["names"]["definite_words"]),
    )
    _check(found, name)
    return found


def _issue_words(entry: Mapping[str, Any]) -> IssueWords:
    return IssueWords(tuple(entry["noun"]), tuple(entry.get("clause", ())), entry["short"])


def _check(found: Words, name: str) -> None:
    """Every stance and level worded, every template naming only known slots, every
    clause a subject, every noun list ending in a template that needs no slot but the
    label: a cell must always read."""
    missing = [s.value for s in Stance if s.value not in found.stances]
    missing += [level.label for level in Support if level.label not in found.support]
    if missing:
        raise ValueError(f"{name}: no words for {', '.join(missing)}")
    for code, entry in {**found.issues, "default": found.default}.items():
        for template in (*entry.noun, *entry.clause):
            unknown = _slots(template) - SLOTS
            if unknown:
                raise ValueError(f"{name}: issue {code}: unknown slot {sorted(unknown)[0]!r}")
        if any(not _slots(t) & SUBJECTS for t in entry.clause):
            raise ValueError(f"{name}: issue {code}: a clause template must name its subject")
        if _slots(entry.noun[-1]) - {"label"}:
            raise ValueError(f"{name}: issue {code}: the last noun template must need no slot")


def _slots(template: str) -> set[str]:
    return {slot for _, slot, _, _ in string.Formatter().parse(template) if slot}


class Terms(Protocol):
    """What a sentence reads of a claim: a whole ``Claim``, or a ``source.Statement``."""

    @property
    def issue(self) -> str: ...
    @property
    def obligor(self) -> Sequence[str] | None: ...
    @property
    def territories(self) -> Sequence[str] | None: ...
    @property
    def conditions(self) -> Sequence[Condition] | None: ...
    @property
    def recognition(self) -> Recognition | None: ...


@dataclass
class _Term:
    """What one party would do (or recognise) in a cell: the claims naming the same party
    are one term, so three partial reports read as one sentence."""

    slots: dict[str, str]
    places: list[str] = field(default_factory=list)
    conditions: list[tuple[str, str]] = field(default_factory=list)


def describe(stance: Stance, claims: Sequence[Terms], language: str = "en") -> str:
    """The sentence of a cell whose current stance is ``stance``, from the claims stating
    it (all on one issue), e.g. "demands that Ukraine withdraw from Donetsk, Luhansk,
    Zaporizhzhia and Kherson before any ceasefire"."""
    book = words(language)
    if not claims:
        return book.stances[stance.value]["noun"].format(noun="").strip()
    issue = claims[0].issue
    terms: dict[tuple[object, ...], _Term] = {}
    for claim in claims:
        slots = _party_slots(claim, book)
        term = terms.setdefault(tuple(sorted(slots.items())), _Term(slots))
        term.places += [p for p in map(place_name, claim.territories or ()) if p not in term.places]
        for condition in claim.conditions or ():
            if (pair := (condition.relation, condition.issue)) not in term.conditions:
                term.conditions.append(pair)
    phrases = [_phrase(stance, issue, term, book) for term in terms.values()]
    return book.grammar["terms"].join(phrases)


def claim_sentence(claim: Claim, language: str = "en") -> str:
    """One claim as a reader says it, its actors first: "Russia demands that Ukraine
    withdraw from Donetsk"."""
    actors = _parties(claim.actors, words(language))
    return f"{actors[:1].upper()}{actors[1:]} {describe(claim.stance, [claim], language)}"


def _party_slots(claim: Terms, book: Words) -> dict[str, str]:
    """Who would act and who would recognise, by name."""
    slots: dict[str, str] = {}
    if claim.obligor:
        slots["obligor"] = _parties(claim.obligor, book)
    if claim.recognition is not None:
        slots["recognisers"] = _parties(claim.recognition.by, book)
        slots["kind"] = book.recognition[claim.recognition.type]
    return slots


def _parties(actor_ids: Sequence[str], book: Words) -> str:
    """ "the United States and Ukraine": names as they read inside a sentence."""
    return join([book.named(actor_name(a)) for a in actor_ids], book)


def _phrase(stance: Stance, issue: str, term: _Term, book: Words) -> str:
    """The stance's template around the issue's clause (when both have one that fits) or
    noun phrase, then the term's conditions."""
    entry = book.issue(issue)
    slots = term.slots | {"label": _lower_first(issue_label(issue))}
    if term.places:
        slots["places"] = join(term.places, book)
    templates = book.stances[stance.value]
    clause = _pick(entry.clause, slots) if "clause" in templates else None
    if clause is not None:
        text = templates["clause"].format(clause=clause.format(**slots))
    else:
        # The last noun template needs no slot (checked on load), so one always fits.
        used = _pick(entry.noun, slots) or entry.noun[-1]
        noun = used.format(**slots)
        if "obligor" in slots and "obligor" not in _slots(used):
            noun = book.grammar["by"].format(noun=noun, obligor=slots["obligor"])
        text = templates["noun"].format(noun=noun)
    conditions = [_condition(relation, code, book) for relation, code in term.conditions]
    return " ".join([text, join(conditions, book)]) if conditions else text


def _pick(templates: Sequence[str], slots: Mapping[str, str]) -> str | None:
    """The first template whose every slot is filled; None when none fits."""
    filled = {name for name, value in slots.items() if value}
    return next((t for t in templates if _slots(t) <= filled), None)


def _condition(relation: str, issue: str, book: Words) -> str:
    """ "before any ceasefire": sequencing against another term, by its short name."""
    short = book.issue(issue).short.format(label=_lower_first(issue_label(issue)))
    return book.grammar[relation].format(short=short)


def join(items: Sequence[str], book: Words) -> str:
    """ "Donetsk, Luhansk and Kherson"."""
    if len(items) < 2:
        return "".join(items)
    return f"{', '.join(items[:-1])} {book.grammar['and']} {items[-1]}"


def _lower_first(label: str) -> str:
    """Lower-case a label's first letter unless it starts an acronym (NATO, WMD)."""
    if len(label) > 1 and label[1].islower():
        return label[0].lower() + label[1:]
    return label
