"""Cells read as sentences: every stance, places and parties by name, the words as data."""

from __future__ import annotations

from typing import Any

import pytest
from typer.testing import CliRunner

from peacetrack.cli import app
from peacetrack.compare.sentences import claim_sentence, describe, words
from peacetrack.model import Claim, Document, Stance
from peacetrack.store import Store

FOUR = ["UA-14", "UA-09", "UA-23", "UA-65"]  # Donetsk, Luhansk, Zaporizhzhia, Kherson


def claim(stance: str, issue: str = "TER.WITHDRAW", **fields: Any) -> Claim:
    return Claim(
        actors=["RUS"], stance=Stance(stance), issue=issue, evidence="A sentence.", **fields
    )


def test_the_issue_examples_read_as_written() -> None:
    demand = claim(
        "demand",
        obligor=["UKR"],
        territories=FOUR,
        conditions=[{"relation": "before", "issue": "CF.GENERAL"}],
    )
    assert describe(Stance.DEMAND, [demand]) == (
        "demands that Ukraine withdraw from Donetsk, Luhansk, Zaporizhzhia and Kherson "
        "before any ceasefire"
    )
    concede = claim("concede", obligor=["UKR"], territories=["UA-23", "UA-65"])
    assert describe(Stance.CONCEDE, [concede]) == (
        "dropped its demand that Ukraine withdraw from Zaporizhzhia and Kherson"
    )


@pytest.mark.parametrize(
    ("stance", "expected"),
    [
        ("demand", "demands that Ukraine withdraw from Kherson"),
        ("propose", "proposes that Ukraine withdraw from Kherson"),
        ("offer", "offers withdrawal from Kherson by Ukraine"),
        ("accept", "accepts withdrawal from Kherson by Ukraine"),
        ("reject", "rejects withdrawal from Kherson by Ukraine"),
        ("agree", "agreed on withdrawal from Kherson by Ukraine"),
        ("no_agreement", "no agreement on withdrawal from Kherson by Ukraine"),
        ("absent", "does not include withdrawal from Kherson by Ukraine"),
        ("concede", "dropped its demand that Ukraine withdraw from Kherson"),
    ],
)
def test_every_stance_reads_as_a_sentence(stance: str, expected: str) -> None:
    found = claim(stance, obligor=["UKR"], territories=["UA-65"])
    assert describe(Stance(stance), [found]) == expected


def test_without_a_party_or_places_the_noun_reads_alone() -> None:
    assert describe(Stance.REJECT, [claim("reject")]) == "rejects withdrawal from territory"
    assert describe(Stance.ACCEPT, [claim("accept", "CF.GENERAL")]) == "accepts a general ceasefire"


def test_reports_of_one_term_merge_and_parties_take_their_article() -> None:
    recognise = {"by": ["USA"], "type": "de_jure"}
    parts = [
        claim("demand", "TER.RECOGNITION", territories=["UA-43"], recognition=recognise),
        claim("demand", "TER.RECOGNITION", territories=["UA-14"], recognition=recognise),
    ]
    assert describe(Stance.DEMAND, parts) == (
        "demands that the United States recognise Crimea and Donetsk de jure"
    )


def test_an_issue_without_words_reads_as_its_label() -> None:
    book = words()
    assert "ECO.SANCTIONS" in book.issues and "XX.MINE" not in book.issues
    assert book.issue("XX.MINE") is book.default


def test_every_codebook_issue_has_words() -> None:
    from peacetrack.codebook import default_codebook

    assert set(default_codebook().issues) <= set(words().issues)


def test_a_claim_reads_with_its_actors_first() -> None:
    found = Claim(
        actors=["USA"],
        stance=Stance.PROPOSE,
        issue="CF.GENERAL",
        obligor=["RUS", "UKR"],
        evidence="A sentence.",
    )
    assert claim_sentence(found) == "The United States proposes that Russia and Ukraine cease fire"


def test_the_claims_table_names_places_and_the_files_keep_codes(fresh_db: Store) -> None:
    found = claim("concede", obligor=["UKR"], territories=["UA-23"])
    text = f"Report on the talks.\n{found.evidence}"
    added = fresh_db.add_document(Document(name="r.txt", text=text))
    fresh_db.save_extraction(added.document_id, "rules.v1", [found])
    runner = CliRunner()
    table = runner.invoke(app, ["claims", "--db", fresh_db.url])
    assert table.exit_code == 0 and "Zaporizhzhia" in table.output
    assert "UA-23" not in table.output
    csv = runner.invoke(app, ["claims", "--db", fresh_db.url, "--format", "csv"])
    assert "UA-23" in csv.output


@pytest.mark.parametrize(
    ("name", "read"),
    [
        ("United States", "the United States"),
        ("Arakan Army", "the Arakan Army"),
        ("Central African Republic", "the Central African Republic"),
        ("Houthis", "the Houthis"),
        ("Myanmar (military government)", "Myanmar (military government)"),
        ("Ukraine", "Ukraine"),
    ],
)
def test_parties_take_the_article_their_names_need(name: str, read: str) -> None:
    assert words().named(name) == read
