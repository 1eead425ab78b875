"""The codebook: issues, actors and places, with the words reporters use for them.

Built-in data lives in ``data/*.toml``; user files with the same schema extend it.
"""

from peacetrack.codebook.book import Codebook
from peacetrack.codebook.entries import Issue, Place
from peacetrack.codebook.loader import default_codebook, load_codebook, use_codebook

__all__ = [
    "Codebook",
    "Issue",
    "Place",
    "default_codebook",
    "load_codebook",
    "use_codebook",
]
