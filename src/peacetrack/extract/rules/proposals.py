"""The proposal a claim belongs to, named as the text names it.

Reporters name plans by author, size and kind ("the U.S. draft", "the 28-point plan",
"an alternative proposal", "the memorandum"); the short name is that noun phrase without
its article. A bare "the deal" names nothing in particular and gives no proposal.
"""

from __future__ import annotations

import re

KINDS = (
    r"draft(?: peace)?(?: deal| proposal| plan| agreement)?|(?:peace )?plan|proposals?|"
    r"memorandum|framework|declaration|joint statement|counter-proposal|initiative|"
    r"(?:peace |ceasefire )?(?:deal|agreement)"
)
PROPOSAL = re.compile(
    r"(?:\b(?:the|an?|its|their|his|her)\s+|[\u2019']s\s+)"
    r"((?:[\w.\u2019'-]+\s+){0,3}?(?:" + KINDS + r"))\b",
    re.I,
)
#: Modifiers that say nothing about which proposal is meant.
EMPTY = re.compile(r"^(?:new|latest|current|whole|same|entire|such|proposed|this|that)\s", re.I)


def proposal_name(text: str) -> str | None:
    """The first specific proposal named in ``text``, e.g. "U.S. draft", or None."""
    for match in PROPOSAL.finditer(" ".join(text.split())):
        name = match.group(1).strip()
        if not EMPTY.match(name) and (len(name.split()) >= 2 or "-" in name):
            return name
    return None
