"""The rule-based claim extractor ``rules.v1``: codebook matchers and reporting constructions."""

from peacetrack.extract.rules.extractor import RulesExtractor

__all__ = ["RulesExtractor"]
