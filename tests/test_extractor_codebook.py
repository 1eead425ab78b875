"""Extractors are built from a codebook and cached per codebook (issue #12, item 3).

The bug: ``get_extractor`` cached by name only, so after ``use_codebook(extra)`` it returned
the ``rules.v1`` built on the old codebook and the actors of ``extra`` were never found.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

import peacetrack as pt
from peacetrack.codebook import load_codebook, use_codebook
from peacetrack.extract import get_extractor, register_extractor
from peacetrack.model import Document
from peacetrack.testing import FakeExtractor

EXTRA = Path(__file__).parent / "fixtures" / "codebook" / "extra.toml"
#: NRF is an actor of the extra codebook only.
REPORT = Document(
    name="a.txt", text="The Northern Resistance Front demanded an immediate ceasefire."
)


def actors_found(extractor: object) -> list[list[str]]:
    return [claim.actors for claim in extractor.extract(REPORT)]  # type: ignore[attr-defined]


@pytest.fixture
def builtin_in_force(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.delenv("PEACETRACK_CODEBOOK", raising=False)
    use_codebook()
    yield
    use_codebook()


@pytest.mark.usefixtures("builtin_in_force")
def test_rules_find_a_user_actor_after_use_codebook() -> None:
    before = get_extractor("rules.v1")
    assert actors_found(before) == []
    use_codebook(EXTRA)
    after = get_extractor("rules.v1")
    assert after is not before
    assert actors_found(after) == [["NRF"]]
    use_codebook()
    assert get_extractor("rules.v1") is before  # built once per codebook


@pytest.mark.usefixtures("builtin_in_force")
def test_a_codebook_handed_in_builds_its_own_extractor() -> None:
    user = load_codebook(EXTRA)
    chosen = get_extractor("rules.v1", codebook=user)
    assert chosen.codebook is user  # type: ignore[attr-defined]
    assert get_extractor("rules.v1", codebook=user) is chosen
    assert actors_found(chosen) == [["NRF"]]
    assert actors_found(get_extractor("rules.v1")) == []  # the codebook in force is untouched


@pytest.mark.usefixtures("builtin_in_force")
def test_the_python_api_takes_a_codebook() -> None:
    user = load_codebook(EXTRA)
    assert [c.actors for c in pt.extract_claims(REPORT.text, codebook=user)] == [["NRF"]]
    assert pt.extract_claims(REPORT.text) == []


def test_a_factory_without_a_codebook_parameter_is_built_without_one() -> None:
    fake = FakeExtractor({}, name="plain.v1")
    register_extractor("plain.v1", lambda: fake)
    assert get_extractor("plain.v1") is fake
    assert get_extractor("plain.v1", codebook=load_codebook()) is fake
