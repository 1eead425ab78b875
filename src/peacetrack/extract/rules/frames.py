"""Frames: one stance cue in a segment, resolved to its holders and the span of its term.

A frame is what a clause says before issues are looked at: who (actors), what they do
(stance), on what stretch of text (scope), and who would have to act (obligor). Cues that
are hedged ("could agree"), negated ("did not demand"), inside a sequencing clause
("before they would agree to a ceasefire") or inside a question say nothing and are
dropped; a negated acceptance is a refusal. When one cue is the complement of another
("ready to accept"), the inner one says what the actor does.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Sequence
from dataclasses import dataclass, replace
from itertools import pairwise

from spacy.tokens import Doc

import peacetrack.extract.rules.actors as act
import peacetrack.extract.rules.deals as deals
from peacetrack.extract.rules.holders import Context, fallback_holders, named_holders
from peacetrack.extract.rules.language import Language
from peacetrack.extract.rules.pipeline import Mention, Parsed
from peacetrack.extract.rules.segments import Segment
from peacetrack.extract.rules.stance import Cue, Position, flip_negated, hedged, negated
from peacetrack.model import Stance

#: Stances a written text takes on its own: what it calls for, proposes or rules out.
WRITTEN_STANCES = frozenset({Stance.DEMAND, Stance.PROPOSE, Stance.REJECT})
#: Stances that, as the complement of a readiness cue, say what the actor does.
YIELDING = frozenset({Stance.ACCEPT, Stance.REJECT, Stance.AGREE})


@dataclass(frozen=True)
class Frame:
    stance: Stance
    actors: tuple[str, ...]
    cue: Mention
    #: Token range that holds the term(s).
    scope: tuple[int, int]
    obligor: tuple[str, ...] = ()


def _live_cues(doc: Doc, parsed: Parsed, seg: Segment) -> list[tuple[Mention, Cue]]:
    """The cues of a segment that state a position, with negation applied."""
    live: list[tuple[Mention, Cue]] = []
    lower = parsed.lower
    condition_end = _conditional_clause_end(lower, seg, parsed.lang)
    for m in parsed.stances[bisect_left(parsed.stance_starts, seg.first) :]:
        if m.first >= seg.last:
            break
        if m.last > seg.last or m.first < condition_end:
            continue
        cue = parsed.lang.cues[m.key]
        window = [w for w in lower[max(seg.first, m.first - 9) : m.first] if w.strip()]
        before = window[-4:]
        if _says_nothing(parsed, seg, m, window):
            continue
        if negated(before, cue, parsed.lang.words.stance):
            flipped = flip_negated(cue, before, parsed.lang.words.stance)
            if flipped is None:
                continue
            cue = flipped
        live.append((m, cue))
    return _unchain(doc, live, parsed.lang)


def _says_nothing(parsed: Parsed, seg: Segment, m: Mention, window: list[str]) -> bool:
    """True for a cue that states no position: a participle used as an adjective, a hedge,
    a subordinate, conditional or purpose clause, a request to another side, a noun after
    a determiner ("their support"), "worked to support" (help), "offered no comment"."""
    words, lower = parsed.lang.words.frames, parsed.lower
    before = window[-4:]
    last = before[-1] if before else None
    return (
        last == "-"
        or (last in words.articles and m.key.endswith(words.participle_endings))
        or hedged(before, parsed.lang.words.stance)
        or any(w in words.subordinate for w in before[-3:])
        or any(w in words.conditional for w in window[-6:])
        or _requested(lower, seg.first, m.first, parsed.lang)
        or (m.key in words.help_cues and last == words.infinitive)
        or (m.key in words.noun_like and last in words.determiners)
        or any(w in words.purpose for w in before[-3:])
        or (m.key in words.comment_cues and _next_in(lower, m.last, words.comment_words))
        or _participle(lower, m, parsed.lang)  # "the proposed land concessions"
    )


def _next_in(lower: Sequence[str], at: int, words: frozenset[str]) -> bool:
    """True when the token at ``at`` exists and is one of ``words``."""
    return at < len(lower) and lower[at] in words


def _participle(lower: Sequence[str], m: Mention, lang: Language) -> bool:
    """True for a past participle used as an adjective before its noun ("and proposed
    land concessions"), told by the word before it and the bare noun after it."""
    words = lang.words.frames
    if lower[m.last - 1] not in words.adjectival or m.last >= len(lower) or m.first == 0:
        return False
    return (
        lower[m.first - 1] in words.coordinators
        and lower[m.last].isalpha()
        and (lower[m.last] not in words.function_after_verb)
    )


def _conditional_clause_end(lower: Sequence[str], seg: Segment, lang: Language) -> int:
    """End of an opening "If ..., " clause: its cues are hypotheses, not positions."""
    if lower[seg.first] not in lang.words.frames.conditional_openers:
        return seg.first
    return next((i for i in range(seg.first, seg.last) if lower[i] == ","), seg.last)


def _requested(lower: Sequence[str], first: int, at: int, lang: Language) -> bool:
    """ "asked Putin to agree", "urged Kyiv to accept": the cue is what another side is
    asked to do, not a stance anyone has taken."""
    lexicon = lang.words.frames
    words = [w for w in lower[max(first, at - 8) : at] if w.strip()]
    asking = any(w in lexicon.request_verbs for w in words[-7:-1])
    return words[-1:] == [lexicon.infinitive] and asking


def _unchain(
    doc: Doc, cues: list[tuple[Mention, Cue]], lang: Language
) -> list[tuple[Mention, Cue]]:
    """Merge a verb cue with a verb cue that is its complement. Readiness takes the stance
    of what one is ready to do ("ready to accept" accepts); otherwise the governing cue
    holds ("committed to support" offers). An agreement "that ..." covers its whole clause
    ("agreed that the US remains committed to ..." is an agreement)."""
    kept: list[tuple[Mention, Cue]] = []
    skip: set[int] = set()
    for i, (m, cue) in enumerate(cues):
        if i in skip:
            continue
        that = doc[m.last : m.last + 1].text.lower() == lang.words.frames.complementizer
        if cue.stance is Stance.AGREE and that:
            kept.append((m, cue))
            skip.update(j for j in range(i + 1, len(cues)) if not cues[j][1].nominal)
            continue
        nxt = cues[i + 1] if i + 1 < len(cues) else None
        if nxt is not None and _coordinated(doc, m, cue, nxt[0], lang):
            kept.append((m, cue))
            skip.add(i + 1)  # "commit to lead and support ...": one commitment
        elif nxt is None or cue.nominal or nxt[1].nominal or not _chained(doc, m, nxt[0], lang):
            kept.append((m, cue))
        elif cue.stance is Stance.OFFER and nxt[1].stance in YIELDING:
            continue  # the complement speaks
        else:
            kept.append((m, cue))
            skip.add(i + 1)
    return kept


def _coordinated(doc: Doc, m: Mention, cue: Cue, nxt: Mention, lang: Language) -> bool:
    """True for a second verb joined to a commitment's complement: "commit to lead and
    support", "pledged to fund and support"."""
    words = lang.words.frames
    between = [t.lower_ for t in doc[m.first : nxt.first] if not t.is_space]
    return (
        cue.stance is Stance.OFFER
        and words.infinitive in between
        and len(between) <= 6
        and between[-1] in words.conjunctions
    )


def _chained(doc: Doc, m: Mention, nxt: Mention, lang: Language) -> bool:
    """True when only linking words ("to", "that") stand between two cues: the second is
    the complement of the first ("ready to accept")."""
    between = [t.lower_ for t in doc[m.last : nxt.first]]
    return len(between) <= 2 and all(w in lang.words.frames.links for w in between)


def _attribution_tail(parsed: Parsed, seg: Segment) -> int:
    """Start of a closing ", two officials familiar with the talks said ..." clause, or the
    segment end: words naming the source are never part of a term."""
    lower = parsed.lower[seg.first : seg.last]
    commas = [i for i, w in enumerate(lower) if w == ","]
    if commas and parsed.lang.words.holders.speech_verbs & set(lower[commas[-1] :]):
        return seg.first + commas[-1]
    return seg.last


def _scopes(parsed: Parsed, seg: Segment, cues: list[tuple[Mention, Cue]]) -> list[tuple[int, int]]:
    """Token range holding each cue's term: up to the next verb cue, which opens a new
    clause; a noun cue reaches only over its own complement."""
    scopes: list[tuple[int, int]] = []
    tail = _attribution_tail(parsed, seg)
    lower = parsed.lower
    for i, (m, cue) in enumerate(cues):
        if cue.position is Position.BEFORE:
            verbs = [n.last for n, c in cues[:i] if not c.nominal]
            left = verbs[-1] if verbs else seg.first
            scopes.append((left, m.first))
            continue
        if _closing(lower, m, cue, seg):
            # "..., the document says.": a verb cue closing the sentence follows its term
            verbs = [n.last for n, c in cues[:i] if not c.nominal]
            scopes.append((verbs[-1] if verbs else seg.first, m.first))
            continue
        end = next((n.first for n, c in cues[i + 1 :] if not c.nominal), seg.last)
        end = tail if m.last <= tail < end else end
        words = parsed.lang.words.frames
        stops = words.noun_stops if cue.nominal else words.clause_stops
        end = next((i for i in range(m.last, end) if lower[i] in stops), end)
        scopes.append((m.last if cue.nominal else m.first, end))
    return scopes


def _closing(lower: Sequence[str], m: Mention, cue: Cue, seg: Segment) -> bool:
    """True for a put-forward verb cue that closes its sentence ("..., the document
    suggests."): its term is the clause before it."""
    put_forward = cue.stance in (Stance.PROPOSE, Stance.DEMAND)
    closes = not any(w.isalpha() for w in lower[m.last : seg.last])
    return put_forward and not cue.nominal and closes


def frames(parsed: Parsed, seg: Segment, ctx: Context) -> list[Frame]:
    """Resolve every live cue of a segment to a frame."""
    doc = parsed.doc
    cues = _live_cues(doc, parsed, seg)
    if not cues or parsed.text[seg.start : seg.end].rstrip('"\u201d\u2019 ').endswith("?"):
        return []
    starts = {m.first for m, _ in cues}
    out: list[Frame] = []
    previous_verb = seg.first
    for (m, cue), scope in zip(cues, _scopes(parsed, seg, cues), strict=True):
        ids, stance = _resolve(parsed, seg, m, cue, starts, ctx)
        if cue.deal or (not cue.nominal and act.after_by(doc, parsed.actors, m.last, parsed.lang)):
            # passive ("agreed by X") or a deal's term ("hostages are to be freed"): the
            # term is the subject
            scope = (previous_verb, scope[1])
        relative = _object_relative(parsed, previous_verb, m.first)
        if relative is not None:
            scope = (previous_verb, relative)  # "a ceasefire, which Kyiv accepted"
        elif cue.stance in (Stance.ACCEPT, Stance.REJECT) and _object_before(parsed, m, seg):
            scope = (seg.first, m.first)  # "of the ceasefire plan: we support it"
        if not cue.nominal:
            previous_verb = m.last
        if cue.stance is Stance.NO_AGREEMENT and len(ids) < 2 and ctx.pair:
            ids = ctx.pair  # a failure to agree is between the sides, whoever reports it
        if not ids and cue.nominal and cue.stance is Stance.PROPOSE:
            _remember_author(parsed, seg, m, ctx)
        if ids:
            if stance is Stance.OFFER and _joint_commitment(ids, ctx):
                stance = Stance.AGREE
            out.append(_finish(doc, parsed, Frame(stance, ids, m, scope), cues))
            _remember(ctx, out[-1], parsed.lang)
    return out


def _remember(ctx: Context, frame: Frame, lang: Language) -> None:
    """Keep the authors of a proposal and the parties of an agreement for the sentences
    that refer back to them ("the document", "the agreement")."""
    if frame.stance is Stance.PROPOSE:
        ctx.proposers = frame.actors
    elif frame.stance is Stance.AGREE and frame.cue.key not in lang.words.frames.brokering:
        outside = lang.words.actors.non_parties
        parties = tuple(i for i in frame.actors if i not in outside)
        ctx.agreed = parties if len(parties) > 1 else ctx.agreed


def _resolve(
    parsed: Parsed, seg: Segment, m: Mention, cue: Cue, starts: set[int], ctx: Context
) -> tuple[tuple[str, ...], Stance]:
    """Holders and stance of one cue: a deal's parties for its terms, the named holders,
    the parties of an agreement or the authors of a text that is the subject, else the
    fallbacks (we, the two sides, a pronoun's antecedent)."""
    if cue.deal:
        words = parsed.lower[m.first : m.last]
        return deals.parties(ctx.agreed, ctx.pair, words, parsed.lang.words.deals), cue.stance
    ids = named_holders(parsed.doc, parsed, seg, m, cue, starts)
    agreeing = cue.stance in (Stance.AGREE, Stance.NO_AGREEMENT)
    if (
        ids
        and ctx.pair
        and agreeing
        and act.sides_after_names(parsed.doc, parsed.actors, seg.first, m.first, parsed.lang)
    ):
        return ctx.pair, cue.stance  # "X said the two sides had agreed"
    if ids:
        return ids, cue.stance
    if _deal_subject(parsed, seg, m, cue, ctx):
        return ctx.agreed, Stance.AGREE  # "the agreement provides for"
    if _written_subject(parsed, seg, m, cue, ctx):
        # "The document calls for", "it rules out": a text's demands are proposals.
        return ctx.proposers, Stance.PROPOSE if cue.stance is Stance.DEMAND else cue.stance
    return fallback_holders(parsed.doc, parsed, seg, m, cue, ctx), cue.stance


def _remember_author(parsed: Parsed, seg: Segment, m: Mention, ctx: Context) -> None:
    """ "Ukraine has sent Russia a written memorandum": a text with no owner before it is
    the clause subject's, which "the document" and "it" later refer to."""
    subjects = act.holders(parsed.doc, parsed.actors, set(), seg.first, m.first, parsed.lang)
    if subjects:
        ctx.proposers = (subjects[0].key,)


def _joint_commitment(ids: tuple[str, ...], ctx: Context) -> bool:
    """Several sides committing together to what they signed or agreed ("the Parties
    commit to", "we commit to" under a signature) make an agreement, not an offer."""
    if len(ids) < 2:
        return False
    return (ctx.signed and ids == ctx.we) or set(ids) == set(ctx.agreed)


def _written_subject(parsed: Parsed, seg: Segment, m: Mention, cue: Cue, ctx: Context) -> bool:
    """True when the last proposal read is the subject of a verb cue: "The document calls
    for ...", "It asks for ...", "Kyiv's text says ...", "and it rules out ..."; a written
    text puts its terms forward, so its demands are proposals."""
    if cue.nominal or not ctx.proposers or cue.stance not in WRITTEN_STANCES:
        return False
    words = [w for w in parsed.lower[seg.first : m.last] if w.strip()]
    lexicon = parsed.lang.words
    skip = lexicon.holders.hedge_adverbs
    subject = [w for w in words[-(m.last - m.first) - 3 :] if w not in skip]
    # Only a text that opens the sentence is its subject: "the widely leaked proposal
    # included ..." may be anyone's.
    named = set(words[:3]) | set(parsed.lower[m.first : m.last])  # "..., the draft says."
    return bool(named & lexicon.frames.written_nouns) or lexicon.frames.it in subject


def _deal_subject(parsed: Parsed, seg: Segment, m: Mention, cue: Cue, ctx: Context) -> bool:
    """True when a reported agreement is the subject of a verb cue: "The agreement also
    provides for ...", "the deal commits both sides to ..."."""
    if cue.nominal or not ctx.agreed or cue.stance not in (Stance.PROPOSE, Stance.OFFER):
        return False
    return deals.names_deal(parsed.lower[seg.first : m.first], parsed.lang.words.deals)


def _object_before(parsed: Parsed, m: Mention, seg: Segment) -> bool:
    """True when the cue's object is "it"/"this"/"them" or missing ("...; Kyiv refuses"):
    the term was named earlier in the sentence."""
    after = [w for w in parsed.lower[m.last : seg.last] if w.strip() and w not in ".;:!\"'"]
    return not after or after[0] in parsed.lang.words.frames.object_pronouns


def _object_relative(parsed: Parsed, left: int, cue_first: int) -> int | None:
    """Where "which"/"that" opens an object relative clause right before a cue's subject
    ("a plan, which Ukraine agreed to"): the term is the noun phrase before it."""
    lower = parsed.lower
    words, prepositions = parsed.lang.words.frames, parsed.lang.words.actors.prepositions
    for m in parsed.actors:
        if left < m.first < cue_first and m.last >= cue_first - 3:
            head = lower[m.first - 1]
            if head in words.relative_heads and lower[m.first - 2] not in prepositions:
                return m.first - 1 if head in words.relative_pronouns else m.first
    return None


def _finish(doc: Doc, parsed: Parsed, frame: Frame, cues: Sequence[tuple[Mention, Cue]]) -> Frame:
    """Settle agree-versus-accept by the number of holders, an openness to another's
    proposal as acceptance ("open to Trump's proposal"), and find the obligor."""
    stance = frame.stance
    offered = [
        n
        for n, c in cues
        if c.nominal
        and c.stance is Stance.PROPOSE
        and frame.cue.last <= n.first <= frame.cue.last + 4
    ]
    if stance is Stance.OFFER and offered:
        owner = act.possessor(doc, parsed.actors, offered[0].first, parsed.lang)
        # "open to Trump's proposal" accepts it; "offered a new proposal" makes one.
        mine = owner is None or owner.key in frame.actors
        stance = Stance.PROPOSE if mine else Stance.ACCEPT
    if stance in (Stance.ACCEPT, Stance.AGREE, Stance.OFFER) and _only_if(parsed, frame):
        stance = Stance.DEMAND  # "would agree to talks only if ...": a condition
    if stance is Stance.AGREE and len(frame.actors) == 1:
        stance = Stance.ACCEPT
    elif (
        stance is Stance.ACCEPT
        and len(frame.actors) > 1
        and not frame.cue.key.startswith(parsed.lang.words.frames.welcome)
    ):
        stance = Stance.AGREE
    obligor: tuple[str, ...] = ()
    if stance in (Stance.DEMAND, Stance.PROPOSE):
        target = act.right_after(doc, parsed.actors, frame.cue.last, parsed.lang)
        if target is not None and target.key not in frame.actors:
            obligor = (target.key,)
    return replace(frame, stance=stance, obligor=obligor)


def _only_if(parsed: Parsed, frame: Frame) -> bool:
    """True when the term is granted "only if" something else happens."""
    words = parsed.lower[frame.scope[0] : frame.scope[1]]
    lexicon = parsed.lang.words.frames
    return any(a == lexicon.only and b in lexicon.only_conditions for a, b in pairwise(words))


def first_person(parsed: Parsed) -> tuple[str, ...]:
    """Who "we" is in a joint statement: the actors named in an opening "We, the ..., "
    apposition, else (for "We, the undersigned") the signature block's actors at the end."""
    doc = parsed.doc
    if not parsed.segments or doc[parsed.segments[0].first].lower_ != parsed.lang.words.frames.we:
        return ()
    opening = parsed.segments[0]
    stop = next((t.i for t in doc[opening.first + 2 : opening.last] if t.text == ","), opening.last)
    named = [m for m in parsed.actors if opening.first <= m.first < stop]
    if named:
        return act.unique_ids(named)
    tail = [s for s in parsed.segments[-12:] if s.end - s.start < 80]
    return act.unique_ids([m for s in tail for m in parsed.actors if s.first <= m.first < s.last])
