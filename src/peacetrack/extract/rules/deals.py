"""Terms of a reported agreement: what a deal contains is agreed by its parties.

Once a report says that two sides agreed or signed something, reporters go on to list
its contents without naming the parties again: "Under the arrangement, forces are to
withdraw ...", "The agreement also provides for aid ...", "Prisoners are due to be
released ...". Such terms are the parties' agreement, not a proposal of the text itself.
The parties are the holders of the last agreement read; with none, a cue that names the
agreement itself ("under the agreement") falls back to the document's main pair.
"""

from __future__ import annotations

from collections.abc import Sequence

from peacetrack.extract.rules.lexicon import DealsWords


def names_deal(words: Sequence[str], lexicon: DealsWords) -> bool:
    """True when the words name an agreement already reported: "the agreement", "under
    its terms", "this deal" (a deal noun after a definite word)."""
    return any(
        w in lexicon.deal_nouns and any(d in lexicon.definite for d in words[max(0, i - 3) : i])
        for i, w in enumerate(words)
    )


def parties(
    agreed: tuple[str, ...], pair: tuple[str, ...], cue_words: Sequence[str], lexicon: DealsWords
) -> tuple[str, ...]:
    """Who agreed to a term stated as a deal's content: the parties of the last agreement
    read, else (when the cue itself names the agreement) the document's main pair."""
    if agreed:
        return agreed
    return pair if names_deal(cue_words, lexicon) else ()
