"""The review form's values: a claim filled in and sent back unchanged is the same claim;
half a condition or recognition is an error on that field; the store's problems land
beside the fields they are about, in words."""

from __future__ import annotations

import pytest

pytest.importorskip("fastapi")

from peacetrack.errors import InputError
from peacetrack.model import Claim
from peacetrack.web.claim_form import ClaimForm, choices, field_errors

CLAIM = Claim.model_validate(
    {
        "actors": ["RUS"],
        "stance": "demand",
        "issue": "TER.RECOGNITION",
        "obligor": ["UKR"],
        "territories": ["UA-14", "UA-43"],
        "conditions": [{"relation": "before", "issue": "CF.GENERAL"}],
        "recognition": {"by": ["UKR", "USA"], "type": "de_jure"},
        "proposal": "the memorandum",
        "attribution": {"source": "a Kremlin aide", "anonymous": True},
        "evidence": "Moscow demanded that Kyiv recognise the annexation",
    }
)


def test_a_claim_filled_in_and_sent_back_is_the_same_claim() -> None:
    form = ClaimForm.of(CLAIM)
    assert form.condition_rows() == [("before", "CF.GENERAL"), ("", ""), ("", "")]
    again = Claim.model_validate(form.fields())
    assert again.to_guideline() == CLAIM.to_guideline()


def test_half_a_condition_or_recognition_is_an_error_on_its_field() -> None:
    form = ClaimForm.of(CLAIM).model_copy(
        update={"condition_relation": ["after"], "condition_issue": [""], "recognition_type": ""}
    )
    with pytest.raises(InputError) as caught:
        form.fields()
    assert set(caught.value.fields) == {"conditions", "recognition"}


def test_store_problems_go_beside_their_fields_in_words() -> None:
    error = InputError(
        "claim 3: actors: ...; claim: ...",
        {
            "actors": "List should have at least 1 item after validation, not 0",
            "claim": "recognition is only allowed on TER.RECOGNITION claims",
            "start": "start and end go together",
        },
    )
    by_field, general = field_errors(error)
    assert by_field == {
        "actors": "choose at least one",
        "recognition": "recognition is only allowed on TER.RECOGNITION claims",
    }
    assert general == "start and end go together"


def test_pickers_offer_names_and_keep_codes_they_do_not_list() -> None:
    offered = choices(["the memorandum"])
    assert ("RUS", "Russia") in offered.actors
    ukraine = dict(offered.places)["Ukraine"]
    assert ("UA-14", "Donetsk Oblast") in ukraine
    assert offered.others("places", ["UA-14", "zz-nowhere"]) == ["zz-nowhere"]
    assert offered.others("issues", ["TER.WITHDRAW", ""]) == []
