"""The learned extractor ``learned.v1``: small trained models over the rules' reading,
offline and fast; ``peacetrack train`` makes new ones (``pip install 'peacetrack[train]'``)."""

from peacetrack.extract.learned.extractor import LearnedExtractor

__all__ = ["LearnedExtractor"]
