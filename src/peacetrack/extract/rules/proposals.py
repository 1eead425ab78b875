"""The proposal a claim belongs to, named as the text names it.

Reporters name plans by author, size and kind ("the U.S. draft", "the 28-point plan",
"an alternative proposal", "the memorandum"); the short name is that noun phrase without
its article. A bare "the deal" names nothing in particular and gives no proposal. The
kinds of text are the language pack's (``patterns.toml``).
"""

from __future__ import annotations

from peacetrack.extract.rules.lexicon import ProposalsPatterns, may_hold


def proposal_name(text: str, patterns: ProposalsPatterns) -> str | None:
    """The first specific proposal named in ``text``, e.g. "U.S. draft", or None: the
    pack's ``proposal`` pattern finds a kind of text after an article or possessive, and
    names that say nothing about which one is meant (``empty``) are passed over."""
    flat = " ".join(text.split())
    if not may_hold(flat, patterns.kinds):
        return None  # no kind of text named: spare the pattern
    for match in patterns.proposal.finditer(flat):
        name = match.group(1).strip()
        if not patterns.empty.match(name) and (len(name.split()) >= 2 or "-" in name):
            return name
    return None
