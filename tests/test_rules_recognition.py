"""Recognition claims: which kind (in law or in fact), by whom, and of which places."""

from __future__ import annotations

import peacetrack as pt


def recognitions(text: str) -> list[tuple[str, tuple[str, ...], tuple[str, ...]]]:
    return sorted(
        (c.recognition.type, tuple(c.recognition.by), tuple(sorted(c.territories or ())))
        for c in pt.extract_claims(text, "rules.v1")
        if c.issue == "TER.RECOGNITION" and c.recognition is not None
    )


def test_in_law_and_in_fact_split_into_two_claims() -> None:
    text = (
        "Washington proposed that the United States recognise Crimea as Russian in law, and "
        "that it recognise in fact Moscow's control over the Kherson and Zaporizhzhia regions."
    )
    assert recognitions(text) == [
        ("de_facto", ("USA",), ("UA-23", "UA-65")),
        ("de_jure", ("USA",), ("UA-43",)),
    ]


def test_de_jure_and_de_facto_with_the_recogniser_named_before_each() -> None:
    text = (
        "The American plan offered U.S. de jure recognition of Crimea and U.S. de facto "
        "recognition of Russian control in Luhansk."
    )
    assert recognitions(text) == [
        ("de_facto", ("USA",), ("UA-09",)),
        ("de_jure", ("USA",), ("UA-43",)),
    ]


def test_unqualified_recognition_is_in_law_and_international_when_said() -> None:
    text = "Moscow demanded international recognition of Crimea as part of Russia."
    assert recognitions(text) == [("de_jure", ("INTL",), ("UA-43",))]
