"""The codebook's entries, kept importable from here; they live in ``peacetrack.vocabulary``.

Issues, places and actors are the vocabulary the domain model is written in too, so they
sit in a leaf module both import: the model never has to import the codebook.
"""

from __future__ import annotations

from peacetrack.vocabulary import Actor, Issue, Place

__all__ = ["Actor", "Issue", "Place"]
