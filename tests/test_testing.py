"""The test doubles shipped for users work as documented."""

from __future__ import annotations

import socket

import peacetrack as pt
from peacetrack.extract import get_extractor, register_extractor
from peacetrack.extract.runner import extract_store
from peacetrack.ingest import IngestOptions
from peacetrack.model import Claim, Stance
from peacetrack.testing import FakeExtractor, FakeWeb, temporary_store

PAGE = """<html><head><title>Envoys meet again</title></head><body><nav>Home | World</nav>
<article><h1>Envoys meet again</h1><p>Envoys from both governments met on Tuesday in a
lakeside hotel for a third round of talks, officials said.</p><p>Kyiv called for a full
ceasefire before any discussion of borders, its delegation said in a statement.</p></article>
<footer>All rights reserved</footer></body></html>"""


def test_fake_web_serves_pages_without_the_network() -> None:
    web = FakeWeb(
        {
            "https://news.example/envoys": ("text/html", PAGE),
            "https://news.example/old": (301, "", "https://news.example/envoys"),
        }
    )
    with web.active(), temporary_store() as store:
        summary = pt.ingest_reports(
            ["https://news.example/old"], store, IngestOptions(client=web.client())
        )
        assert summary.added == 1, summary.describe()
        [doc] = store.documents()
        assert "third round of talks" in doc.text
    assert web.requests == ["https://news.example/old", "https://news.example/envoys"]
    assert socket.getaddrinfo.__name__ == "getaddrinfo"


def test_fake_extractor_feeds_the_store() -> None:
    text = "Kyiv called for a full ceasefire."
    claim = Claim(actors=["UKR"], stance=Stance.DEMAND, issue="CF.GENERAL", evidence=text)
    fake = FakeExtractor({"a.txt": [claim]})
    register_extractor(fake.name, lambda: fake)
    with temporary_store() as store:
        store.add_document(pt.Document(name="a.txt", text=text))
        summary = extract_store(store, get_extractor(fake.name))
        assert summary.claims == 1
        [stored] = store.claims(extractor="fake.v1")
        assert (stored.claim.start, stored.claim.end) == (0, len(text))
    assert fake.seen == ["a.txt"]


def test_public_api_functions_are_not_shadowed_by_subpackages() -> None:
    import peacetrack.extract
    import peacetrack.ingest  # noqa: F401

    claims = pt.extract_claims("Kyiv called for a full ceasefire before any talks on borders.")
    assert all(
        c.evidence in "Kyiv called for a full ceasefire before any talks on borders."
        for c in claims
    )
    assert callable(pt.ingest_reports) and callable(pt.extract_store) and callable(pt.open)
