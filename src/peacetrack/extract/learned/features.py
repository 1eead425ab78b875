"""Candidates and their features: what the learned extractor decides about, in words that
carry over from one conflict to another.

A candidate is one actor and one issue in one segment (a sentence or a list item) of a
report: "does this actor take a position on this issue here, and which?". Actors come from
the segment's own mentions, from the segment before when this one points back ("it",
"the group"), from the lead-in of a list item, and from the report's main pair when the
segment speaks of "both sides"; issues from the codebook's issue words, from the issue a
stance cue implies ("will meet again") and from the rules' own claims there.

The features are delexicalised: an actor mention is ``ACTOR`` (or ``SELF`` for the
candidate's own actor), a place ``PLACE``, a number ``NUM``, so that what a model learns is
how reporters phrase positions, not who the parties of one war are. They are plain
strings, so a model file is a table of weights, not code.
"""

from __future__ import annotations

import itertools
import operator
from bisect import bisect_left
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache

from peacetrack.extract.learned.agreements import Parties, agreement_words, frames
from peacetrack.extract.learned.cue_object import NAMED, order_features
from peacetrack.extract.learned.lexicon import FeatureWords, Lexicon, feature_words
from peacetrack.extract.rules.extractor import TextReading
from peacetrack.extract.rules.pipeline import Mention, Parsed
from peacetrack.extract.rules.segments import Segment
from peacetrack.model import Claim

#: Where an issue must come from to be carried to the next segment ("rejected the demand").
CARRIED = frozenset({"word", "rule", "lex"})
#: The issue of a stance on a whole deal.
DEAL = "GEN.DEAL"
#: How many candidates one segment may give, so that a list of thirty actors costs little.
MAX_ACTORS = 8
MAX_ISSUES = 8
#: Smallest probability from the issue model for an issue no word names to be a candidate.
SUGGESTED = 0.08

#: Features of small counts and ranks, by their value (the largest counts for all above
#: it): made once, not once per option.
_A_RANK = tuple(f"a:rank={k}" for k in range(4))
_A_OTHERS = tuple(f"a:others={k}" for k in range(4))
_I_RANK = tuple(f"i:rank={k}" for k in range(4))
_I_MANY = tuple(f"i:n={k}" for k in range(5))
_N_ACTORS = tuple(f"n_actors={k}" for k in range(5))

#: An option before its rank among the others is known: key, features, source.
_Unranked = tuple[str, list[str], str]
#: Issue probabilities for segments, from the features each shares: one mapping per segment.
Suggest = Callable[[Sequence[Sequence[str]]], Sequence[Mapping[str, float]]]


@dataclass(frozen=True)
class Option:
    """An actor or an issue a segment may be about, with the features that decide it."""

    key: str
    features: tuple[str, ...]
    #: Where the option came from: an actor "named", "before", "pair", "deal"...; an issue
    #: "word", "cue", "rule", "model"...
    source: str


@dataclass(frozen=True)
class View:
    """One segment as the models see it: what it says as a whole (for its stance), the
    actors that may hold that stance and the issues it may be about."""

    segment: int
    features: tuple[str, ...]
    actors: tuple[Option, ...]
    issues: tuple[Option, ...]


@dataclass(frozen=True)
class Views:
    """A text's views, in text order, and its parties to its agreements, likeliest first
    (``agreements.Parties``): the text's, read once, not any one segment's; the position
    model weighs an actor's position with whether it is one."""

    views: list[View]
    parties: tuple[str, ...]


def views(reading: TextReading, lexicon: Lexicon, suggest: Suggest | None = None) -> Views:
    """Every segment of a text the rules have read that names or points to an actor, in
    text order. ``suggest`` gives issue probabilities for segments (the issue model):
    issues it finds likely are options too, and each issue option carries its probability.

    Two passes: the first finds each segment's actors and the features it shares, the
    issue model then scores all the segments at once (one call, not one per segment), and
    the second makes the options, since the issues a segment may be about depend on the
    model's answer and on the issues of the segment before."""
    walk = _Walk(reading, lexicon)
    drafts = [
        draft
        for index, seg in enumerate(reading.parsed.segments)
        if (draft := walk.step(index, seg)) is not None
    ]
    shared = [draft.shared for draft in drafts]
    chances = suggest(shared) if suggest is not None and drafts else [{} for _ in drafts]
    before: tuple[str, ...] = ()
    out: list[View] = []
    for draft, likely in zip(drafts, chances, strict=True):
        view, before = draft.finish(likely, before, reading.pair)
        out.append(view)
    return Views(out, walk.parties.parties)


@dataclass
class _Walk:
    """What reading a text segment by segment remembers: the actors of the last segment
    that named any, and the actors named so far; and the text's words as the models see
    them (``_delexicalised``), made once for all its segments."""

    reading: TextReading
    lexicon: Lexicon
    previous: tuple[str, ...] = ()
    #: The parties of the last agreement the rules read: its terms are theirs.
    deal: tuple[str, ...] = ()
    recent: dict[str, None] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.words = _delexicalised(self.reading.parsed)
        self.candidates = self.lexicon.candidates(set(self.words))
        self.lists = feature_words(self.reading.parsed.lang.code)
        self.agreement = agreement_words(self.reading.parsed.lang.code)
        self.parties = Parties.of(self.reading, self.words, self.agreement)

    def step(self, index: int, seg: Segment) -> _Draft | None:
        """What a segment shares among its options, or None when it names no actor and
        points to none (or is a lead-in, whose items are read instead)."""
        reading = self.reading
        actors, _, issues, stances, _, _ = reading.parsed.inside(seg.first, seg.last)
        named = tuple(dict.fromkeys(m.key for m in actors))
        if seg.lead_in:
            self.previous = named or self.previous
            return None
        words = self.words[seg.first : seg.last]
        vocab = set(words)
        sides = reading.pair or tuple(list(self.recent)[-2:])
        found = _actor_sources(named, vocab, self.previous, sides, reading, seg, self.lists)
        if not vocab.isdisjoint(self.lists.deal) or stances:
            _widen(found, self.deal, sides)
        lead = () if seg.parent is None else self._words_of(seg.parent)
        agreement = frames(words, lead, self.agreement)
        if found and agreement:
            for actor in self.parties.options():
                found.setdefault(actor, "agree")
        self.deal = _parties(reading, index) or self.deal
        if named:
            self.previous = named
            for actor in named:
                self.recent.pop(actor, None)
                self.recent[actor] = None
        if not found:
            return None
        suggested = {
            issue: (seg.first + at, word)
            for issue, (at, word) in self.lexicon.matches(words, self.candidates).items()
        }
        ruled = reading.claims.get(index, [])
        shared = _segment_features(reading.parsed, seg, words, stances, len(named), self.lists)
        shared += [f"lex:{i}" for i in suggested]
        shared += [f"lex:{i}:{w}" for i, (_, w) in suggested.items()]
        shared += _rules_fired(reading, index, ruled)
        mentions = _Mentions(actors, issues, stances, named)
        under = _Under(self.parties, agreement)
        return _Draft(
            reading.parsed,
            index,
            seg,
            mentions,
            words,
            found,
            suggested,
            ruled,
            shared,
            under,
            self.lists,
        )

    def _words_of(self, index: int) -> list[str]:
        seg = self.reading.parsed.segments[index]
        return self.words[seg.first : seg.last]


@dataclass(frozen=True)
class _Under:
    """The report's parties to its agreements and how a segment puts its term under one
    (``agreements.frames``; empty when it does not)."""

    parties: Parties
    frames: tuple[str, ...]


@dataclass(frozen=True)
class _Mentions:
    """The mentions that start in one segment, and the actors it names, in order."""

    actors: list[Mention]
    issues: list[Mention]
    stances: list[Mention]
    named: tuple[str, ...]


@dataclass
class _Draft:
    """A segment read up to the issue model's answer: what its options are made from."""

    parsed: Parsed
    index: int
    seg: Segment
    mentions: _Mentions
    words: list[str]
    #: The actors it may be about, with where each came from.
    found: dict[str, str]
    #: Issues its words suggest, with the token and the words that suggest each.
    suggested: dict[str, tuple[int, str]]
    ruled: list[Claim]
    shared: list[str]
    under: _Under
    lists: FeatureWords

    def finish(
        self, likely: Mapping[str, float], before: tuple[str, ...], pair: tuple[str, ...]
    ) -> tuple[View, tuple[str, ...]]:
        """The view, given the issue model's probabilities and the issues of the last
        segment that named any (``before``); and the issues the next segment takes over."""
        issues = _issue_sources(self, likely, before)
        carried = tuple(i for i, (how, _) in issues.items() if how in CARRIED) or before
        said = _Said(self, pair, issues)
        actor_options = [
            (actor, said.actor_features(actor, source), source)
            for actor, source in list(self.found.items())[:MAX_ACTORS]
        ]
        issue_options = [
            (issue, said.issue_features(issue, how, at, likely), how)
            for issue, (how, at) in list(issues.items())[:MAX_ISSUES]
        ]
        view = View(
            self.index,
            tuple(self.shared),
            _ranked_actors(actor_options, self.mentions),
            _ranked_issues(issue_options, likely),
        )
        return view, carried


class _Said:
    """One segment's draft and what the option features read from it, worked out once for
    all its options."""

    def __init__(
        self, draft: _Draft, pair: tuple[str, ...], issues: dict[str, tuple[str, int]]
    ) -> None:
        self.draft = draft
        self.pair = pair
        self.cues = draft.parsed.lang.cues
        self.lower = draft.parsed.lower
        ruled = draft.ruled
        #: The actors the rules' own claims here are held by, and bind.
        self.holders = {a for c in ruled for a in c.actors}
        self.obligors = {a for c in ruled for a in c.obligor or ()}
        #: The rules' issues here, with the coarse stance they read on each.
        self.ruled_issues = {c.issue: c.stance.coarse for c in ruled}
        self.context = _context(draft.words, draft.mentions.stances, draft.parsed, draft.lists)
        named_at = [at for how, at in issues.values() if how in {"word", "cue"}]
        #: Where the first issue named by a word or a cue is, if any.
        self.first_issue = min(named_at) if named_at else None
        #: Where every issue the segment names (by a word, a cue or the lexicon) is, in
        #: text order: which one a cue's object is (``cue_object``).
        self.named_at = sorted({at for how, at in issues.values() if how in NAMED})
        self.keys = {m.key for m in draft.mentions.actors}

    def actor_features(self, actor: str, source: str) -> list[str]:
        """What decides whether an actor holds the segment's stance (or must act on it);
        an actor the segment does not name is weighed with what the segment speaks of."""
        mentions = self.draft.mentions
        own = [m for m in mentions.actors if m.key == actor]
        feats = [f"a:src={source}"]
        if source != "named":
            feats += [f"a:src={source}:{c}" for c in self.context]
        feats += _actor_features(self, own, actor)
        under = self.draft.under
        feats += under.parties.features(actor, under.frames, source)
        feats.append("r:holder" if actor in self.holders else "r:not_holder")
        if actor in self.obligors:
            feats.append("r:obligor")
        if own and self.first_issue is not None:
            feats.append("a:before_issue" if own[0].first < self.first_issue else "a:after_issue")
        others = len(self.keys) - (actor in self.keys)
        feats.append(_A_OTHERS[min(others, 3)])
        return feats

    def issue_features(
        self, issue: str, how: str, at: int, likely: Mapping[str, float]
    ) -> list[str]:
        """What decides whether the segment's stance is on an issue."""
        ruled = self.ruled_issues
        p = round(100 * likely.get(issue, 0))
        chance, named = _chance_names(how, p), _issue_names(issue)
        feats = [
            chance[0],
            *named,
            chance[1],
            chance[2],
            f"r:issue={ruled[issue]}" if issue in ruled else "r:no_issue",
        ]
        if how not in NAMED:
            return feats
        order = order_features(self.lower, self.draft.mentions.stances, self.named_at, at)
        return feats + _named_issue_features(self, issue, at) + order


@cache
def _chance_names(how: str, p: int) -> tuple[str, str, str]:
    """An issue option's features of its source and its probability in percent: made
    once per pair (a few sources, 0 to 100), not once per option, their hashes kept for
    the models' lookups."""
    return (
        f"i:src={how}",
        f"i:p={_bucket(p, _P)}",
        f"i:src={how}:p={_bucket(p, _P_SOURCE)}",
    )


@cache
def _issue_names(issue: str) -> tuple[str, str]:
    """An issue option's features of the issue itself, once per codebook issue."""
    return f"i:={issue}", f"i:grp={issue.split('.')[0]}"


def _named_issue_features(said: _Said, issue: str, at: int) -> list[str]:
    """Where an issue named by a word is said: the word, the stance cues around it, any
    negation between the cue and it, and the two words before it."""
    draft, lower = said.draft, said.lower
    first = draft.seg.first
    stances = draft.mentions.stances
    word = lower[at]
    feats = [f"i:w={word}", f"i:wc={word}|{issue}"]
    earlier = [m for m in stances if m.last <= at]
    later = [m for m in stances if m.first > at]
    if earlier:
        cue = said.cues[earlier[-1].key]
        gap = _bucket(at - earlier[-1].last, _ISSUE_GAP)
        feats += [f"i:after_cue={cue.stance.value}", f"i:after_cue:{gap}"]
        between = set(draft.words[earlier[-1].last - first : at - first])
        feats += [f"i:neg={w}" for w in sorted(between & draft.lists.negations)]
    if later:
        feats.append(f"i:before_cue={said.cues[later[0].key].stance.value}")
    context = lower[max(first, at - 2) : at]
    feats += [f"i:-{len(context) - k}={w}" for k, w in enumerate(context)]
    return feats


def _ranked_actors(options: list[_Unranked], mentions: _Mentions) -> tuple[Option, ...]:
    """Each actor option with where it stands among the others: named first, named last
    before the first stance cue (the usual subject), or not named here at all."""
    order = mentions.named
    cue_at = mentions.stances[0].first if mentions.stances else None
    before_cue = [m.key for m in mentions.actors if cue_at is not None and m.last <= cue_at]
    out = []
    for key, features, source in options:
        extra = [_A_RANK[min(order.index(key), 3)] if key in order else "a:rank=none"]
        if before_cue and before_cue[-1] == key:
            extra.append("a:subject")
        if len(order) == 1 and key in order:
            extra.append("a:alone")
        out.append(Option(key, (*features, *extra), source))
    return tuple(out)


def _ranked_issues(options: list[_Unranked], likely: Mapping[str, float]) -> tuple[Option, ...]:
    """Each issue option with its rank by the issue model among the segment's options."""
    ranked = sorted(options, key=lambda o: -likely.get(o[0], 0.0))
    rank = {key: i for i, (key, _, _) in enumerate(ranked)}
    many = _I_MANY[min(len(options), 4)]
    return tuple(
        Option(key, (*features, _I_RANK[min(rank[key], 3)], many), source)
        for key, features, source in options
    )


def _rules_fired(reading: TextReading, index: int, ruled: Sequence[Claim]) -> list[str]:
    """Which stances the rules read in a segment: in the frames they built, and in the
    claims they made of them."""
    segment = reading.readings.get(index)
    frames = {f"rf:{frame.stance.coarse}" for frame in segment.frames} if segment else set()
    claims = {f"rc:{claim.stance.coarse}" for claim in ruled}
    return sorted(frames | claims) or ["rc:none"]


def _widen(found: dict[str, str], deal: tuple[str, ...], sides: tuple[str, ...]) -> None:
    """A segment that speaks of an agreement or states a stance may be about the parties
    of the last agreement read, or the report's two sides, without naming them ("the text
    says nothing about prisoners")."""
    for actor in deal:
        found.setdefault(actor, "deal")
    for actor in sides:
        found.setdefault(actor, "sides")


def _parties(reading: TextReading, index: int) -> tuple[str, ...]:
    """The parties of an agreement the rules read in a segment, if any."""
    segment = reading.readings.get(index)
    for frame in segment.frames if segment else ():
        if frame.stance.coarse == "agree" and len(frame.actors) > 1:
            return frame.actors
    return ()


def _context(
    words: list[str], stances: list[Mention], parsed: Parsed, lists: FeatureWords
) -> list[str]:
    """What a segment speaks of, for actors it does not name: an agreement's text, and
    the stance cues it holds."""
    out = ["deal"] if not lists.deal.isdisjoint(words) else []
    out += sorted({parsed.lang.cues[m.key].stance.coarse for m in stances})
    return out


def _delexicalised(parsed: Parsed) -> list[str]:
    """The text's lower-cased words with actors, places and numbers replaced, as each
    segment sees them: a mention counts in the segment it starts in, up to that segment's
    end (the first word of a mention becomes its kind, the others empty)."""
    out = list(parsed.lower)
    segment_of = [-1] * len(out)
    for index, seg in enumerate(parsed.segments):
        segment_of[seg.first : seg.last] = [index] * (seg.last - seg.first)
    for kind, mentions in (("PLACE", parsed.places), ("ACTOR", parsed.actors)):
        for m in mentions:
            home = segment_of[m.first]
            if home < 0:
                continue
            out[m.first] = kind
            for i in range(m.first + 1, m.last):
                if segment_of[i] != home:
                    break
                out[i] = ""
    # Only words that are not all letters can hold a digit: found without a Python step
    # per word, since most words are all letters.
    for i in itertools.compress(itertools.count(), map(operator.not_, map(str.isalpha, out))):
        if any(map(str.isdigit, out[i])):
            out[i] = "NUM"
    return out


def _actor_sources(
    named: tuple[str, ...],
    vocab: set[str],
    previous: tuple[str, ...],
    sides: tuple[str, ...],
    reading: TextReading,
    seg: Segment,
    lists: FeatureWords,
) -> dict[str, str]:
    """Which actors the segment may be about, and where each came from: named; holding
    the stance of the list's lead-in; pointed back to ("it", "the group"); or the report's
    two sides ("both", "the two presidents": its main pair, else the last two named)."""
    found = {actor: "named" for actor in named}
    if seg.parent is not None and seg.parent in reading.readings:
        for frame in reading.readings[seg.parent].frames:
            for actor in frame.actors:
                found.setdefault(actor, "lead")
    if not lists.pointers.isdisjoint(vocab):
        for actor in previous:
            found.setdefault(actor, "before")
    if not found:
        for actor in previous:
            found.setdefault(actor, "before")
    if not lists.both.isdisjoint(vocab) or not found:
        for actor in sides:
            found.setdefault(actor, "pair")
    return found


def _issue_sources(
    draft: _Draft, likely: Mapping[str, float], before: tuple[str, ...]
) -> dict[str, tuple[str, int]]:
    """Which issues the segment may be about: by word, by a cue that implies one, by the
    rules, by the issue model, and those of the last segment that named any ("the group
    rejected the decision"); with the token where each is named (the segment's start
    when not named). A segment with a stance cue and nothing else may be about a deal."""
    first, cues = draft.seg.first, draft.mentions.stances
    found: dict[str, tuple[str, int]] = {}
    for m in draft.mentions.issues:
        found.setdefault(m.key, ("word", m.first))
    for m in cues:
        implied = draft.parsed.lang.cues[m.key].implies
        if implied:
            found.setdefault(implied, ("cue", m.first))
    for claim in draft.ruled:
        found.setdefault(claim.issue, ("rule", first))
    weaker: dict[str, tuple[str, int]] = {}
    for issue, p in likely.items():
        if p >= SUGGESTED:
            weaker.setdefault(issue, ("model", first))
    for issue, (at, _) in draft.suggested.items():
        weaker.setdefault(issue, ("lex", at))
    for issue in before[:3]:
        weaker.setdefault(issue, ("before", first))
    for issue in sorted(weaker, key=lambda i: -likely.get(i, 0.0)):
        found.setdefault(issue, weaker[issue])
    if cues and not found:
        found[DEAL] = ("default", cues[0].first)
    return found


def _segment_features(
    parsed: Parsed,
    seg: Segment,
    words: list[str],
    stances: list[Mention],
    n_actors: int,
    lists: FeatureWords,
) -> list[str]:
    """What the whole segment says, shared by all its candidates."""
    kept = [w for w in words if w and (w.isalnum() or w in {"?", "'s", "n't"} or w.isupper())]
    feats = [f"w:{w}" for w in dict.fromkeys(kept)]
    feats += [f"b:{a}_{b}" for a, b in dict.fromkeys(itertools.pairwise(kept))]
    for m in stances:
        cue = parsed.lang.cues[m.key]
        feats.append(f"s:{cue.stance.value}")
        feats.append(f"s:{cue.stance.value}:{'noun' if cue.nominal else 'verb'}")
    vocab = set(kept)
    feats += [f"neg:{w}" for w in sorted(vocab & lists.negations)]
    feats += [f"hedge:{w}" for w in sorted(vocab & lists.hedges)]
    if not lists.saying.isdisjoint(vocab):
        feats.append("saying")
    if seg.item:
        feats.append("item")
    feats.append(_N_ACTORS[min(n_actors, 4)])
    feats.append(f"len={_bucket(seg.last - seg.first, _LENGTH)}")
    return feats


def _actor_features(said: _Said, own: list[Mention], actor: str) -> list[str]:
    """Where and how the candidate's actor is named: the words around its first mention
    and the stance cue nearest after and before it."""
    feats = ["a:pair" if actor in said.pair else "a:other"]
    if not own:
        return feats
    seg, stances, cues = said.draft.seg, said.draft.mentions.stances, said.cues
    first = own[0]
    lower = said.lower
    before = lower[max(seg.first, first.first - 3) : first.first]
    after = lower[first.last : min(seg.last, first.last + 3)]
    feats += [f"a:-{len(before) - i}={w}" for i, w in enumerate(before)]
    feats += [f"a:+{i + 1}={w}" for i, w in enumerate(after)]
    if before:
        feats.append(f"a:-1w={before[-1]}")
    if first.first == seg.first or (before and before[-1] in {"\n", '"', "“"}):
        feats.append("a:opens")
    if len(own) > 1:
        feats.append("a:repeated")
    later = [m for m in stances if m.first >= first.last]
    earlier = [m for m in stances if m.last <= first.first]
    if later:
        cue = cues[later[0].key]
        gap = _bucket(later[0].first - first.last, _ACTOR_GAP)
        feats += [f"a:cue_after={cue.stance.value}", f"a:cue_after={cue.stance.value}:{gap}"]
    if earlier:
        cue = cues[earlier[-1].key]
        gap = _bucket(first.first - earlier[-1].last, _ACTOR_GAP)
        feats += [f"a:cue_before={cue.stance.value}", f"a:cue_before={cue.stance.value}:{gap}"]
    return feats


#: Edges of a bucketed figure (ascending) and the label of each bucket: ``<=edge``, and
#: ``>last`` past the last edge.
_Buckets = tuple[tuple[int, ...], tuple[str, ...]]


def _buckets(*edges: int) -> _Buckets:
    """The labels of ``edges``' buckets, made once per set of edges, not once per figure."""
    return edges, (*(f"<={edge}" for edge in edges), f">{edges[-1]}")


def _bucket(value: int, buckets: _Buckets) -> str:
    """The label of the first edge that ``value`` is at most, found by bisection."""
    edges, labels = buckets
    return labels[bisect_left(edges, value)]


_P = _buckets(5, 10, 20, 40, 60, 80)
_P_SOURCE = _buckets(10, 40)
_ISSUE_GAP = _buckets(2, 5, 10, 20)
_ACTOR_GAP = _buckets(1, 3, 6, 12)
_LENGTH = _buckets(8, 16, 32, 64)
