"""The rule-based extractor on sentences written for these tests, one construction each."""

from __future__ import annotations

import pytest

from peacetrack.extract.rules import RulesExtractor
from peacetrack.model import Claim, Document


@pytest.fixture(scope="module")
def extractor() -> RulesExtractor:
    return RulesExtractor()


def run(extractor: RulesExtractor, text: str) -> list[Claim]:
    claims = extractor.extract(Document(name="t.txt", text=text))
    for claim in claims:
        assert claim.extractor == "rules.v1"
        assert claim.start is not None and claim.end is not None
        assert text[claim.start : claim.end] == claim.evidence
    return claims


def tuples(claims: list[Claim]) -> set[tuple[str, str, str]]:
    return {(a, c.stance.value, c.issue) for c in claims for a in c.actors}


def only(claims: list[Claim], issue: str) -> Claim:
    found = [c for c in claims if c.issue == issue]
    assert len(found) == 1, claims
    return found[0]


def test_alias_demand_with_obligor_and_territory(extractor: RulesExtractor) -> None:
    claims = run(
        extractor, "Moscow demanded that Kyiv withdraw its forces from the Kherson region."
    )
    claim = only(claims, "TER.WITHDRAW")
    assert (claim.actors, claim.stance.value) == (["RUS"], "demand")
    assert claim.obligor == ["UKR"]
    assert claim.territories == ["UA-65"]


def test_adjective_before_agency_noun(extractor: RulesExtractor) -> None:
    claims = run(extractor, "Israeli negotiators insisted on the disarmament of Hamas.")
    assert ("ISR", "demand", "SEC.NONSTATE_DDR") in tuples(claims)


def test_adjective_alone_is_not_an_actor(extractor: RulesExtractor) -> None:
    assert run(extractor, "A Russian tanker was seen near the port on Monday.") == []


def test_reported_speech_keeps_the_speaker_as_source(extractor: RulesExtractor) -> None:
    claims = run(extractor, "A Ukrainian diplomat said Russia wants Western sanctions lifted.")
    claim = only(claims, "ECO.SANCTIONS")
    assert (claim.actors, claim.stance.value) == (["RUS"], "demand")
    assert claim.attribution is not None and claim.attribution.anonymous
    assert "diplomat" in (claim.attribution.source or "")


def test_named_spokesperson_is_not_anonymous(extractor: RulesExtractor) -> None:
    text = "Kremlin spokesman Dmitry Peskov said Moscow rejected any peacekeeping force."
    claim = only(run(extractor, text), "SEC.INTL_FORCE")
    assert (claim.actors, claim.stance.value) == (["RUS"], "reject")
    assert claim.attribution is not None and "Peskov" in (claim.attribution.source or "")
    assert not claim.attribution.anonymous


def test_fact_stated_by_the_outlet_has_no_attribution(extractor: RulesExtractor) -> None:
    claim = only(run(extractor, "Hamas rejected the disarmament demand."), "SEC.NONSTATE_DDR")
    assert claim.attribution is None


def test_joint_actors(extractor: RulesExtractor) -> None:
    claims = run(extractor, "Kyiv and European allies drafted a plan for a peacekeeping force.")
    claim = only(claims, "SEC.INTL_FORCE")
    assert set(claim.actors) == {"UKR", "EUROPE"}
    assert claim.stance.value == "propose"


def test_the_two_sides_are_the_main_pair(extractor: RulesExtractor) -> None:
    text = (
        "Russia sent a delegation to Geneva. Ukraine sent its defence minister. "
        "Russia and Ukraine met for two days. "
        "The two sides agreed to exchange prisoners of war."
    )
    claim = only(run(extractor, text), "HUM.DETAINEES")
    assert set(claim.actors) == {"RUS", "UKR"} and claim.stance.value == "agree"


def test_pronoun_refers_to_the_last_actor(extractor: RulesExtractor) -> None:
    text = "Zelensky demanded a full ceasefire. He rejected any territorial concessions."
    assert ("UKR", "reject", "TER.WITHDRAW") in tuples(run(extractor, text))


def test_list_items_inherit_the_lead_in(extractor: RulesExtractor) -> None:
    text = (
        "An official familiar with the talks said Moscow proposed the following terms:\n"
        "* Ukraine abandons its bid to join NATO.\n"
        "* Western sanctions are lifted.\n"
    )
    claims = run(extractor, text)
    assert {("RUS", "propose", "SEC.ALIGNMENT"), ("RUS", "propose", "ECO.SANCTIONS")} <= (
        tuples(claims)
    )
    for claim in claims:
        assert claim.attribution is not None and claim.attribution.anonymous
        assert claim.evidence.startswith(("Ukraine", "Western"))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Israel is ready to release Palestinian prisoners.", ("ISR", "offer", "HUM.DETAINEES")),
        ("Hamas accepted the proposal.", ("HAMAS", "accept", "GEN.DEAL")),
        ("Moscow called the truce plan unacceptable.", ("RUS", "reject", "CF.GENERAL")),
        ("The Kremlin ruled out a freeze of the front line.", ("RUS", "reject", "CF.LINE_ZONES")),
        ("Washington proposed a monitoring mission.", ("USA", "propose", "CF.MONITORING")),
        ("Washington dropped its demand for new sanctions.", ("USA", "concede", "ECO.SANCTIONS")),
        (
            "Kyiv will never accept Russian sovereignty over Crimea.",
            ("UKR", "reject", "TER.RECOGNITION"),
        ),
    ],
)
def test_stance_cues(extractor: RulesExtractor, text: str, expected: tuple[str, ...]) -> None:
    assert expected in tuples(run(extractor, text))


def test_failure_to_agree(extractor: RulesExtractor) -> None:
    text = "Russia and Ukraine met in Doha. Russia and Ukraine failed to agree on a ceasefire."
    assert {("RUS", "no_agreement", "CF.GENERAL"), ("UKR", "no_agreement", "CF.GENERAL")} <= (
        tuples(run(extractor, text))
    )


def test_absent_refers_back_to_the_demand(extractor: RulesExtractor) -> None:
    text = (
        "Moscow demanded that Ukraine reduce its army. This demand was absent from the U.S. draft."
    )
    assert ("USA", "absent", "SEC.FORCE_LIMITS") in tuples(run(extractor, text))


@pytest.mark.parametrize(
    "text",
    [
        "Russia did not demand a ceasefire.",
        "Will Russia accept a ceasefire?",
        "Analysts said Russia could accept a ceasefire.",
        "If Hamas agrees to a truce, the fighting would stop.",
    ],
)
def test_negation_questions_and_hypotheticals(extractor: RulesExtractor, text: str) -> None:
    assert run(extractor, text) == []


def test_one_claim_per_issue(extractor: RulesExtractor) -> None:
    text = (
        "Moscow demands that Ukraine become a neutral state, give up weapons of mass "
        "destruction and host no foreign troops."
    )
    issues = {c.issue for c in run(extractor, text)}
    assert {"SEC.ALIGNMENT", "SEC.FORCE_LIMITS", "SEC.FOREIGN_FORCES"} <= issues


def test_soil_of_a_country(extractor: RulesExtractor) -> None:
    text = "Moscow opposes foreign troops on Ukrainian soil."
    claim = only(run(extractor, text), "SEC.FOREIGN_FORCES")
    assert claim.territories == ["UA"]


def test_only_after_which(extractor: RulesExtractor) -> None:
    text = "Russia demanded a withdrawal from Luhansk, only after which a ceasefire could start."
    claim = only(run(extractor, text), "TER.WITHDRAW")
    assert claim.conditions is not None
    assert [(c.relation, c.issue) for c in claim.conditions] == [("before", "CF.GENERAL")]
    assert all(c.issue != "CF.GENERAL" for c in run(extractor, text))


def test_first_then_deferred(extractor: RulesExtractor) -> None:
    text = (
        "The Ukrainian plan calls for a ceasefire first, with territorial questions deferred "
        "until later."
    )
    claims = run(extractor, text)
    status = only(claims, "TER.STATUS")
    assert status.conditions is not None
    assert ("after", "CF.GENERAL") in [(c.relation, c.issue) for c in status.conditions]


def test_recognition_kind_and_recogniser(extractor: RulesExtractor) -> None:
    text = (
        "The American draft proposed U.S. de jure recognition of Crimea and U.S. de facto "
        "recognition of Russian control over Luhansk."
    )
    claims = [c for c in run(extractor, text) if c.issue == "TER.RECOGNITION"]
    kinds = {(c.recognition.type, tuple(c.recognition.by)) for c in claims if c.recognition}
    assert kinds == {("de_jure", ("USA",)), ("de_facto", ("USA",))}
    assert {tuple(c.territories or ()) for c in claims} == {("UA-43",), ("UA-09",)}


def test_international_recognition(extractor: RulesExtractor) -> None:
    text = "Moscow demanded international recognition of its annexation of Crimea."
    claim = only(run(extractor, text), "TER.RECOGNITION")
    assert claim.recognition is not None and claim.recognition.by == ["INTL"]


def test_proposal_name(extractor: RulesExtractor) -> None:
    claim = only(run(extractor, "Kyiv's 20-point plan calls for a ceasefire."), "CF.GENERAL")
    assert claim.proposal == "20-point plan"


def test_passive_agent(extractor: RulesExtractor) -> None:
    text = "The idea of a peacekeeping force was pitched by Britain and France."
    claim = only(run(extractor, text), "SEC.INTL_FORCE")
    assert set(claim.actors) == {"GBR", "FRA"}


def test_joint_declaration_we(extractor: RulesExtractor) -> None:
    text = (
        "We, the Prime Minister of Cambodia and the Prime Minister of Thailand, declare:\n\n"
        "We commit to the release of all prisoners of war."
    )
    claim = only(run(extractor, text), "HUM.DETAINEES")
    assert set(claim.actors) == {"KHM", "THA"}


def test_registered_under_its_name() -> None:
    from peacetrack.extract import get_extractor

    assert get_extractor("rules.v1").name == "rules.v1"


def test_object_relative_clause_takes_the_term_before_it(extractor: RulesExtractor) -> None:
    text = "Washington tabled a plan for a prisoner exchange, which Moscow accepted on Friday."
    claims = run(extractor, text)
    assert ("RUS", "accept", "HUM.DETAINEES") in tuples(claims)
    assert ("USA", "accept", "HUM.DETAINEES") not in tuples(claims)


def test_reduced_relative_after_a_condition(extractor: RulesExtractor) -> None:
    text = (
        "Moscow insists on a withdrawal from Kherson, a condition Kyiv says it will never accept."
    )
    found = tuples(run(extractor, text))
    assert {("RUS", "demand", "TER.WITHDRAW"), ("UKR", "reject", "TER.WITHDRAW")} <= found


def test_anaphoric_rejection_takes_the_previous_issues(extractor: RulesExtractor) -> None:
    text = "Moscow demanded a cap on the Ukrainian army. Kyiv rejected such terms."
    assert ("UKR", "reject", "SEC.FORCE_LIMITS") in tuples(run(extractor, text))


def test_object_pronoun_refers_back_in_the_sentence(extractor: RulesExtractor) -> None:
    text = "Of the truce proposal, Hamas said: we support it."
    assert ("HAMAS", "accept", "CF.GENERAL") in tuples(run(extractor, text))


def test_readiness_to_accept_is_acceptance(extractor: RulesExtractor) -> None:
    claims = run(extractor, "Kyiv is ready to accept the American proposal for a truce.")
    found = tuples(claims)
    assert ("UKR", "accept", "CF.GENERAL") in found
    assert ("UKR", "offer", "CF.GENERAL") not in found
    assert ("USA", "propose", "CF.GENERAL") in found


def test_agreement_that_covers_its_clause(extractor: RulesExtractor) -> None:
    text = "Kyiv and Washington agreed that Washington remains committed to a prisoner exchange."
    claims = run(extractor, text)
    assert {c.stance.value for c in claims} == {"agree"}
    assert set(only(claims, "HUM.DETAINEES").actors) == {"UKR", "USA"}


def test_a_request_is_not_the_stance_of_the_one_asked(extractor: RulesExtractor) -> None:
    claims = run(extractor, "Washington urged Moscow to accept a ceasefire.")
    assert ("RUS", "accept", "CF.GENERAL") not in tuples(claims)
    assert ("USA", "demand", "CF.GENERAL") in tuples(claims)


def test_failure_to_agree_reported_by_one_side_is_between_the_sides(
    extractor: RulesExtractor,
) -> None:
    text = (
        "Russia-Ukraine talks resumed in Geneva. "
        "Zelensky said there was no common ground on the nuclear power plant."
    )
    claim = only(run(extractor, text), "TER.ASSETS")
    assert set(claim.actors) == {"RUS", "UKR"} and claim.stance.value == "no_agreement"


def test_signed_declaration_commitments_are_agreements(extractor: RulesExtractor) -> None:
    text = (
        "We, the undersigned, meet today in Cairo.\n\n"
        "We commit to the release of all hostages.\n\n"
        "Signed at Cairo.\n\nPresident of Egypt\n\nEmir of Qatar"
    )
    claim = only(run(extractor, text), "HUM.DETAINEES")
    assert set(claim.actors) == {"EGY", "QAT"} and claim.stance.value == "agree"


def test_coordinated_adjectives_share_their_noun(extractor: RulesExtractor) -> None:
    text = "American and Russian negotiators agreed on a prisoner swap."
    claim = only(run(extractor, text), "HUM.DETAINEES")
    assert set(claim.actors) == {"USA", "RUS"} and claim.stance.value == "agree"


def test_location_is_not_the_holder(extractor: RulesExtractor) -> None:
    text = "Officials in Moscow said Hamas rejected the truce."
    assert tuples(run(extractor, text)) == {("HAMAS", "reject", "CF.GENERAL")}


def test_closing_attribution_is_not_part_of_the_term(extractor: RulesExtractor) -> None:
    text = "Moscow demanded a ceasefire, two officials familiar with the talks said."
    assert {c.issue for c in run(extractor, text)} == {"CF.GENERAL"}


def test_acceptance_only_if_is_a_demand(extractor: RulesExtractor) -> None:
    text = "The Kremlin said it would agree to a summit only if Kyiv were willing to travel."
    found = tuples(run(extractor, text))
    assert ("RUS", "demand", "PROC.TALKS") in found
    assert all(actor != "UKR" for actor, _, _ in found)


def test_coordinated_verbs_under_one_commitment(extractor: RulesExtractor) -> None:
    text = "France will commit to lead and support the reconstruction of Gaza."
    assert tuples(run(extractor, text)) == {("FRA", "offer", "ECO.RECONSTRUCTION")}


def test_statement_refers_to_its_authors(extractor: RulesExtractor) -> None:
    text = (
        "Washington and Kyiv proposed a 30-day truce. "
        "The statement did not mention sanctions on Russia."
    )
    claim = only(run(extractor, text), "ECO.SANCTIONS")
    assert set(claim.actors) == {"USA", "UKR"} and claim.stance.value == "absent"


def test_implementation_of_another_term_is_that_term(extractor: RulesExtractor) -> None:
    text = "Kyiv welcomed the implementation of the prisoner exchange."
    assert {c.issue for c in run(extractor, text)} == {"HUM.DETAINEES"}


def test_a_new_subject_after_but_is_not_the_first_one(extractor: RulesExtractor) -> None:
    text = "The RSF accepted a humanitarian truce, but the army rejected any ceasefire."
    found = tuples(run(extractor, text))
    assert ("RSF", "accept", "CF.PARTIAL") in found
    assert ("RSF", "reject", "CF.GENERAL") not in found


def test_verbs_joined_by_but_share_their_subject(extractor: RulesExtractor) -> None:
    text = "Moscow is open to talks but rules out any territorial concessions."
    assert ("RUS", "reject", "TER.WITHDRAW") in tuples(run(extractor, text))


def test_a_planned_round_is_agreed_talks(extractor: RulesExtractor) -> None:
    text = "Envoys from Armenia and Azerbaijan said another round is planned for March."
    claim = only(run(extractor, text), "PROC.TALKS")
    assert set(claim.actors) == {"ARM", "AZE"} and claim.stance.value == "agree"


# --- Constructions reporters use in other conflicts -------------------------------------------


def test_joint_subject_with_possessives_and_modifiers(extractor: RulesExtractor) -> None:
    text = "Ethiopia's government and the rebel TPLF signed a ceasefire on Sunday."
    claim = only(run(extractor, text), "CF.GENERAL")
    assert set(claim.actors) == {"ETH", "TPLF"} and claim.stance.value == "agree"


def test_agents_named_after_for(extractor: RulesExtractor) -> None:
    text = "Negotiators for Armenia and Azerbaijan signed a protocol on border demarcation."
    claim = only(run(extractor, text), "TER.BORDER")
    assert set(claim.actors) == {"ARM", "AZE"} and claim.stance.value == "agree"


def test_a_denied_refusal_is_no_claim(extractor: RulesExtractor) -> None:
    assert run(extractor, "Kyiv has not ruled out a referendum on the settlement.") == []


def test_yet_to_agree_is_no_agreement(extractor: RulesExtractor) -> None:
    text = "Israel and Hamas have yet to agree on the release of hostages."
    claim = only(run(extractor, text), "HUM.DETAINEES")
    assert set(claim.actors) == {"ISR", "HAMAS"} and claim.stance.value == "no_agreement"


def test_scheduled_terms_under_an_agreement_are_agreed(extractor: RulesExtractor) -> None:
    text = (
        "Colombia and the ELN agreed a truce on Friday. "
        "Under the agreement, prisoners are to be released within a month."
    )
    claim = only(run(extractor, text), "HUM.DETAINEES")
    assert set(claim.actors) == {"COL", "ELN"} and claim.stance.value == "agree"


def test_the_agreement_as_subject_speaks_for_its_parties(extractor: RulesExtractor) -> None:
    text = (
        "Thailand and Cambodia signed a truce. "
        "The agreement also provides for observers along the border."
    )
    claim = only(run(extractor, text), "CF.MONITORING")
    assert set(claim.actors) == {"THA", "KHM"} and claim.stance.value == "agree"


def test_parties_committing_to_their_agreement_agree(extractor: RulesExtractor) -> None:
    text = (
        "Rwanda and the DRC signed the accord on Friday. "
        "Under its terms, the two countries commit to the return of refugees."
    )
    claim = only(run(extractor, text), "HUM.DISPLACED")
    assert set(claim.actors) == {"RWA", "COD"} and claim.stance.value == "agree"


def test_a_sent_text_speaks_for_its_sender(extractor: RulesExtractor) -> None:
    text = (
        "Ukraine sent Russia a memorandum on Monday. The document calls for a full "
        "ceasefire. It also asks for the return of deported children."
    )
    found = tuples(run(extractor, text))
    assert {("UKR", "propose", "CF.GENERAL"), ("UKR", "propose", "HUM.CHILDREN")} <= found


def test_a_closing_says_follows_its_term(extractor: RulesExtractor) -> None:
    text = (
        "The United States presented a new draft on Monday. "
        "Sanctions would be lifted in stages, the draft says."
    )
    assert ("USA", "propose", "ECO.SANCTIONS") in tuples(run(extractor, text))


def test_a_quote_belongs_to_the_speaker_named_after_it(extractor: RulesExtractor) -> None:
    text = '"We will not accept foreign troops on our soil," a senior Houthi official said.'
    claim = only(run(extractor, text), "SEC.FOREIGN_FORCES")
    assert (claim.actors, claim.stance.value) == (["HOUTHIS"], "reject")


def test_possessed_offer_is_the_possessors_offer(extractor: RulesExtractor) -> None:
    found = tuples(run(extractor, "Kyiv rejected Moscow's offer of a local truce."))
    assert {("RUS", "offer", "CF.PARTIAL"), ("UKR", "reject", "CF.PARTIAL")} <= found


def test_passive_agents_end_before_the_speaker(extractor: RulesExtractor) -> None:
    text = "A truce was agreed by Israel and Hamas, Egypt's foreign minister said."
    claim = only(run(extractor, text), "CF.GENERAL")
    assert set(claim.actors) == {"ISR", "HAMAS"}


def test_a_dateline_city_holds_no_stance(extractor: RulesExtractor) -> None:
    text = "BAKU, May 3 - Armenia rejected the proposal for a transit corridor."
    assert tuples(run(extractor, text)) == {("ARM", "reject", "TER.ASSETS")}


def test_a_question_left_unresolved_is_no_agreement(extractor: RulesExtractor) -> None:
    text = (
        "Israel and Hamas agreed a truce in Cairo. "
        "Still unresolved is who will govern Gaza after the war."
    )
    claim = only(run(extractor, text), "GOV.TRANSITIONAL")
    assert set(claim.actors) == {"ISR", "HAMAS"} and claim.stance.value == "no_agreement"


def test_a_capital_after_a_preposition_is_a_place(extractor: RulesExtractor) -> None:
    claim = only(run(extractor, "Russia demanded a demilitarised zone in Kyiv."), "CF.LINE_ZONES")
    assert claim.territories == ["UA-30"]


# --- round 3: constructions that generalise to other conflicts ---------------------------------


def test_a_deadline_counted_from_another_term_makes_it_a_condition(
    extractor: RulesExtractor,
) -> None:
    text = (
        "Israel and Hamas signed a truce in Doha. "
        "Under the deal, detainees are to be freed within five days of the truce starting."
    )
    claims = run(extractor, text)
    claim = only(claims, "HUM.DETAINEES")
    assert [(c.relation, c.issue) for c in claim.conditions or []] == [("after", "CF.GENERAL")]
    assert not [c for c in claims if c.issue == "CF.GENERAL" and "detainees" in c.evidence]


def test_a_deadline_to_agree_is_no_acceptance(extractor: RulesExtractor) -> None:
    text = "Washington gave Moscow a deadline to agree to a ceasefire."
    assert ("RUS", "accept", "CF.GENERAL") not in tuples(run(extractor, text))


def test_what_comes_after_rather_than_is_not_the_term(extractor: RulesExtractor) -> None:
    text = "Russia agreed to a prisoner exchange rather than a full ceasefire."
    found = tuples(run(extractor, text))
    assert ("RUS", "accept", "HUM.DETAINEES") in found
    assert ("RUS", "accept", "CF.GENERAL") not in found


def test_the_two_sides_after_a_speaker_hold_the_agreement(extractor: RulesExtractor) -> None:
    text = (
        "Armenia and Azerbaijan met in Abu Dhabi. "
        "Qatar's envoy said the two sides had agreed to a prisoner exchange."
    )
    claim = only(run(extractor, text), "HUM.DETAINEES")
    assert set(claim.actors) == {"ARM", "AZE"} and claim.stance.value == "agree"


def test_a_headline_joins_sides_with_a_comma(extractor: RulesExtractor) -> None:
    claim = only(run(extractor, "Armenia, Azerbaijan agree prisoner swap"), "HUM.DETAINEES")
    assert set(claim.actors) == {"ARM", "AZE"} and claim.stance.value == "agree"


def test_the_deal_as_subject_of_its_own_terms_is_no_whole_deal_claim(
    extractor: RulesExtractor,
) -> None:
    text = "Sudan and the RSF signed a truce. The deal is to be applied in two stages."
    assert not [c for c in run(extractor, text) if c.issue == "GEN.DEAL"]


def test_talks_named_as_the_setting_are_no_term(extractor: RulesExtractor) -> None:
    text = "Armenia and Azerbaijan agreed on a prisoner exchange at their talks in Abu Dhabi."
    found = {issue for _, _, issue in tuples(run(extractor, text))}
    assert found == {"HUM.DETAINEES"}


def test_a_possessive_belongs_to_the_noun_before_it(extractor: RulesExtractor) -> None:
    text = "Israel accepted the envoy's proposal for a truce."
    found = tuples(run(extractor, text))
    assert ("ISR", "accept", "CF.GENERAL") in found
    assert ("ISR", "propose", "CF.GENERAL") not in found


def test_a_country_owning_a_group_is_not_a_second_holder(extractor: RulesExtractor) -> None:
    text = "The United States and Yemen's Houthi movement agreed on a truce."
    claim = only(run(extractor, text), "CF.GENERAL")
    assert set(claim.actors) == {"USA", "HOUTHIS"}


def test_modifiers_and_abbreviations_stay_inside_a_joint_subject(
    extractor: RulesExtractor,
) -> None:
    text = "Yemen's internationally recognised government and the Houthis accepted a truce."
    claim = only(run(extractor, text), "CF.GENERAL")
    assert set(claim.actors) == {"YEM", "HOUTHIS"} and claim.stance.value == "agree"
    text = "Colombia's government and the National Liberation Army (ELN) agreed to a truce."
    claim = only(run(extractor, text), "CF.GENERAL")
    assert set(claim.actors) == {"COL", "ELN"}


def test_support_after_a_determiner_is_a_noun(extractor: RulesExtractor) -> None:
    text = "The African Union thanked the United Nations for its support to the ceasefire."
    assert tuples(run(extractor, text)) == set()


def test_an_aim_is_not_a_position(extractor: RulesExtractor) -> None:
    text = "Libya's government and the LNA met in Tunis with the aim of agreeing on elections."
    assert not [c for c in run(extractor, text) if c.issue == "GOV.ELECTIONS"]


def test_names_in_a_prepositional_aside_are_not_the_subject(extractor: RulesExtractor) -> None:
    text = (
        "The monitoring team, in which the United Nations takes part, "
        "will continue to observe the ceasefire."
    )
    assert not [c for c in run(extractor, text) if "UN" in c.actors]


def test_until_makes_the_next_term_a_condition(extractor: RulesExtractor) -> None:
    text = (
        "Ethiopia and the TPLF signed a truce. "
        "An interim administration is to be set up to govern until elections are held."
    )
    claims = run(extractor, text)
    assert not [c for c in claims if c.issue == "GOV.ELECTIONS"]
    claim = only(claims, "GOV.TRANSITIONAL")
    assert [(c.relation, c.issue) for c in claim.conditions or []] == [("before", "GOV.ELECTIONS")]


def test_mediators_named_together_are_not_the_two_sides(extractor: RulesExtractor) -> None:
    text = (
        "Pakistan and the Taliban met in Doha, with Qatar and Turkey mediating. "
        "Qatar and Turkey said the talks were long. Qatar and Turkey flew home. "
        "The two sides agreed to a ceasefire."
    )
    claim = only(run(extractor, text), "CF.GENERAL")
    assert set(claim.actors) == {"PAK", "TALIBAN"}


def test_what_an_agreement_does_not_cover_is_absent(extractor: RulesExtractor) -> None:
    text = "The United States put forward a plan. The plan does not cover prisoner exchanges."
    assert ("USA", "absent", "HUM.DETAINEES") in tuples(run(extractor, text))


def test_an_absence_without_an_issue_refers_back_only_when_it_says_so(
    extractor: RulesExtractor,
) -> None:
    text = (
        "The United States presented a plan. Russia demanded sanctions relief. "
        "The plan did not mention a timetable."
    )
    assert not [c for c in run(extractor, text) if c.stance.value == "absent"]


def test_talks_ending_without_a_deal_is_no_agreement(extractor: RulesExtractor) -> None:
    text = "Pakistan and the Taliban met again. The third round ended without a deal."
    assert ("PAK", "no_agreement", "GEN.DEAL") in tuples(run(extractor, text))


def test_recognising_a_state_is_recognition_but_not_recognising_documents(
    extractor: RulesExtractor,
) -> None:
    claims = run(extractor, "Serbia rejected a demand to recognise Kosovo.")
    assert ("SRB", "reject", "TER.RECOGNITION") in tuples(claims)
    text = "Serbia and Kosovo agreed to recognise each other's licence plates."
    assert not [c for c in run(extractor, text) if c.issue == "TER.RECOGNITION"]


def test_the_two_most_named_actors_are_the_sides(extractor: RulesExtractor) -> None:
    text = (
        "Israel and the US discussed the plan. Israel accused Hamas of delays. "
        "Hamas blamed Israel. Israel struck Gaza and Hamas fired rockets at Israel. "
        "Both sides were unable to agree on a second phase of the truce."
    )
    claim = only(run(extractor, text), "CF.GENERAL")
    assert set(claim.actors) == {"ISR", "HAMAS"} and claim.stance.value == "no_agreement"


def _positions(claims: list[Claim]) -> list[tuple[object, ...]]:
    """Holders, stance, issue and obligors of each claim, once each, in order."""
    return list(
        dict.fromkeys((tuple(c.actors), c.stance, c.issue, tuple(c.obligor or ())) for c in claims)
    )


def test_a_bare_reading_holds_the_same_positions_and_frames(extractor: RulesExtractor) -> None:
    """``read_text(bare=True)``, as learned.v1 reads: per segment, the same holders,
    stances, issues and obligors as the full reading, and the same frames, with no
    details, source or proposal."""
    from pathlib import Path

    folder = Path(__file__).parents[1] / "examples" / "reports"
    texts = [f.read_text(encoding="utf-8") for f in sorted(folder.glob("*.txt"))]
    assert len(texts) >= 5
    for text in texts:
        full, bare = extractor.read_text(text), extractor.read_text(text, bare=True)
        assert full.claims.keys() == bare.claims.keys()
        for index, claims in full.claims.items():
            assert _positions(claims) == _positions(bare.claims[index])
            assert all(c.territories is None and c.proposal is None for c in bare.claims[index])
        assert [r.frames for r in full.readings.values()] == [
            r.frames for r in bare.readings.values()
        ]
        assert not any(r.own or r.attribution for r in bare.readings.values())
