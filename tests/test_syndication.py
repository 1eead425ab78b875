"""Syndicated copies differ in headline and credit lines; near-duplicate detection ignores both."""

from __future__ import annotations

from peacetrack.store.neardup import syndicated_body


def test_headline_and_credit_lines_are_left_out() -> None:
    text = (
        "Delegations trade prisoners at border\n"
        "By A. Writer\n"
        "The exchange took place on Sunday.\n"
        "(Reporting by A. Writer; Editing by B. Editor)\n"
        "(Wire story distributed by The Example Desk)\n"
        "Reporting by C. Stringer in Kyiv"
    )
    body = syndicated_body(text, title="Delegations trade prisoners at border")
    assert body == "By A. Writer\nThe exchange took place on Sunday."


def test_body_lines_that_merely_mention_credits_are_kept() -> None:
    text = "Story lines matter.\nAid was distributed by the agency (as agreed) on Monday."
    assert syndicated_body(text, title="Another headline") == text


def test_a_text_of_only_credits_is_kept_whole() -> None:
    text = "(Reporting by A. Writer)"
    assert syndicated_body(text) == text
