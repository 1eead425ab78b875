"""The codebook: built-in data loads, names resolve, user files extend it, bad files fail well."""

from __future__ import annotations

import os
import re
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from peacetrack.codebook import Codebook, default_codebook, load_codebook, use_codebook
from peacetrack.errors import CodebookError
from peacetrack.model import Claim

FIXTURES = Path(__file__).parent / "fixtures" / "codebook"

GUIDELINE_ISSUES = [
    "GEN.DEAL",
    "PROC.TALKS",
    "PROC.PRECONDITION",
    "PROC.MEDIATION",
    "PROC.RATIFICATION",
    "CF.GENERAL",
    "CF.PARTIAL",
    "CF.MONITORING",
    "CF.LINE_ZONES",
    "TER.WITHDRAW",
    "TER.RECOGNITION",
    "TER.STATUS",
    "TER.BORDER",
    "TER.SELFDET",
    "TER.ASSETS",
    "SEC.ALIGNMENT",
    "SEC.FOREIGN_FORCES",
    "SEC.GUARANTEES",
    "SEC.FORCE_LIMITS",
    "SEC.ARMS_SUPPLY",
    "SEC.NONSTATE_DDR",
    "SEC.INTL_FORCE",
    "SEC.NONAGGRESSION",
    "GOV.ELECTIONS",
    "GOV.TRANSITIONAL",
    "GOV.INCLUSION",
    "GOV.CONSTITUTION",
    "GOV.IDENTITY",
    "HUM.DETAINEES",
    "HUM.CHILDREN",
    "HUM.ACCESS_AID",
    "HUM.DISPLACED",
    "JUS.AMNESTY",
    "JUS.ACCOUNTABILITY",
    "JUS.COMPENSATION",
    "ECO.SANCTIONS",
    "ECO.RECONSTRUCTION",
    "ECO.NORMALISATION",
    "IMP.ENFORCEMENT",
]

GUIDELINE_ACTORS = [
    "RUS",
    "UKR",
    "USA",
    "ISR",
    "QAT",
    "EGY",
    "TUR",
    "ARM",
    "AZE",
    "COD",
    "RWA",
    "SDN",
    "ETH",
    "COL",
    "YEM",
    "PSE",
    "HAMAS",
    "PIJ",
    "HEZBOLLAH",
    "HOUTHIS",
    "M23",
    "RSF",
    "TPLF",
    "ELN",
    "FARC",
    "TALIBAN",
    "EU",
    "NATO",
    "UN",
    "AU",
    "EUROPE",
    "MEDIATORS",
    "XKX",
    "LNA",
    "SDF",
    "SPLM_IO",
]


@pytest.fixture(scope="module")
def builtin() -> Codebook:
    return load_codebook()


@pytest.fixture
def fresh_default(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """No env codebook and nothing set by use_codebook, before and after the test."""
    monkeypatch.delenv("PEACETRACK_CODEBOOK", raising=False)
    use_codebook()
    yield
    monkeypatch.delenv("PEACETRACK_CODEBOOK", raising=False)
    use_codebook()


def test_builtin_has_every_guideline_issue_in_order(builtin: Codebook) -> None:
    assert list(builtin.issues) == GUIDELINE_ISSUES
    ceasefire = builtin.issues["CF.GENERAL"]
    assert ceasefire.group == "CF"
    assert "truce" in ceasefire.cues
    assert all(cue == cue.lower() for issue in builtin.issues.values() for cue in issue.cues)


def test_builtin_has_every_guideline_actor(builtin: Codebook) -> None:
    assert set(GUIDELINE_ACTORS) <= set(builtin.actors)
    assert builtin.actors["RUS"].adjectives == ("Russian",)
    assert builtin.actors["QUAD"].members == ("USA", "SAU", "ARE", "EGY")


def test_builtin_loads_fast() -> None:
    load_codebook()  # imports and pycountry tables are paid once per process
    started = time.perf_counter()
    load_codebook()
    assert time.perf_counter() - started < 0.5


@pytest.mark.parametrize(
    ("text", "actor"),
    [
        ("Moscow", "RUS"),
        ("the Kremlin", "RUS"),
        ("The Kremlin", "RUS"),
        ("Kremlin", "RUS"),
        ("Peskov", "RUS"),
        ("Dmitry Peskov", "RUS"),
        ("Zelenskiy", "UKR"),
        ("Zelenskyy’s", "UKR"),
        ("Kyiv", "UKR"),
        ("Kiev", "UKR"),
        ("Witkoff", "USA"),
        ("Washington", "USA"),
        ("the White House", "USA"),
        ("Doha", "QAT"),
        ("Türkiye", "TUR"),
        ("Khalil al-Hayya", "HAMAS"),
        ("Hemedti", "RSF"),
        ("European allies", "EUROPE"),
        ("the mediators", "MEDIATORS"),
        ("Narnia", None),
    ],
)
def test_resolve_actor(builtin: Codebook, text: str, actor: str | None) -> None:
    assert builtin.resolve_actor(text) == actor


def test_actor_aliases_are_casefolded_spellings(builtin: Codebook) -> None:
    aliases = builtin.actor_aliases()
    assert aliases["the kremlin"] == "RUS"
    assert aliases["kremlin"] == "RUS"
    assert all(key == key.casefold() for key in aliases)


@pytest.mark.parametrize(
    ("text", "codes"),
    [
        ("Lugansk", ("UA-09",)),
        ("Luhansk region", ("UA-09",)),
        ("Donbas", ("UA-14", "UA-09")),
        ("the Donbass", ("UA-14", "UA-09")),
        ("Crimea", ("UA-43",)),
        ("Zaporozhye", ("UA-23",)),
        ("Gaza Strip", ("gaza-strip",)),
        ("Russia", ("RU",)),
        ("Ukraine", ("UA",)),
        ("Iran", ("IR",)),
        ("UA-65", ("UA-65",)),
        ("Atlantis", ()),
    ],
)
def test_resolve_places(builtin: Codebook, text: str, codes: tuple[str, ...]) -> None:
    assert builtin.resolve_places(text) == codes
    assert builtin.place_aliases().get("donbas") == ("UA-14", "UA-09")


def test_ambiguous_country_short_names_are_not_guessed(builtin: Codebook) -> None:
    assert builtin.resolve_places("Korea") == ()
    assert builtin.resolve_places("North Korea") == ("KP",)


def test_builtin_places_are_known_territories(builtin: Codebook) -> None:
    for code in ("UA-14", "UA-09", "UA-23", "UA-65", "UA-43", "RU-KRS", "UA", "black-sea"):
        assert builtin.is_known_territory(code)
    assert builtin.is_known_territory("FR-75C")  # any ISO subdivision, listed or not
    assert not builtin.is_known_territory("UA-99")
    assert not builtin.is_known_territory("narnia")


def test_expand_issues(builtin: Codebook) -> None:
    territory = [code for code in GUIDELINE_ISSUES if code.startswith("TER.")]
    assert builtin.expand_issues(["TER.*"]) == territory
    assert builtin.expand_issues(["ter"]) == territory
    assert builtin.expand_issues(["CF.GENERAL", "TER.*", "CF.GENERAL"]) == [
        "CF.GENERAL",
        *territory,
    ]
    assert builtin.expand_issues(["*.STATUS"]) == ["TER.STATUS"]


@pytest.mark.parametrize("pattern", ["XX.*", "TER.NOPE", "", "NOPE"])
def test_expand_unknown_issue_is_an_error(builtin: Codebook, pattern: str) -> None:
    with pytest.raises(CodebookError, match="no issue matches"):
        builtin.expand_issues([pattern])


def test_user_codebook_adds_and_extends() -> None:
    book = load_codebook(FIXTURES / "extra.toml")
    assert book.sources[-1] == FIXTURES / "extra.toml"
    assert book.actors["NRF"].kind == "group"
    assert book.resolve_actor("the NRF") == "NRF"
    assert book.resolve_actor("Staraya Ploshchad") == "RUS"
    assert book.resolve_actor("Peskov") == "RUS"
    assert "Muscovite" in book.actors["RUS"].adjectives
    assert book.resolve_places("Test Valley") == ("test-valley",)
    assert book.resolve_places("Lower Test region") == ("test-valley", "UA-23")
    assert "guns fall silent" in book.issues["CF.GENERAL"].cues
    assert "truce" in book.issues["CF.GENERAL"].cues
    assert list(book.issues)[-1] == "WAT.SHARING"


def test_user_codebook_alone(tmp_path: Path) -> None:
    user = tmp_path / "user.toml"
    user.write_text('[[place]]\ncode = "UA-14"\nname = "Donetsk"\n', encoding="utf-8")
    book = load_codebook(user, builtin=False)
    assert not book.issues and not book.actors
    assert book.resolve_places("Ukraine") == ("UA",)  # countries come from ISO data
    with pytest.raises(CodebookError, match=r"extra\.toml:26: .*CF\.GENERAL is not a known issue"):
        load_codebook(FIXTURES / "extra.toml", builtin=False)


def _line_of(fixture: str, needle: str) -> int:
    lines = (FIXTURES / fixture).read_text(encoding="utf-8").splitlines()
    return next(n for n, line in enumerate(lines, 1) if needle in line)


@pytest.mark.parametrize(
    ("fixture", "needle", "message"),
    [
        ("alias_conflict.toml", '"The Kremlin"', r"'The Kremlin' of UKR already belongs to RUS"),
        ("duplicate_id.toml", 'aliases = ["Bankova"]', r"'UKR' appears twice"),
        ("unknown_member.toml", "members", r"unknown member 'NARNIA'"),
        ("unknown_area_place.toml", "codes", r"unknown place 'atlantis'"),
        ("bad_issue_code.toml", "WATERSHARING", r"not of the form GROUP\.NAME"),
        ("bad_syntax.toml", 'id = "XYZ', r"TOML syntax error"),
        ("unknown_key.toml", "alias =", r"unknown key 'alias'; allowed keys are id, name"),
        ("bad_place_code.toml", "UA-99", r"'UA-99' is not an ISO 3166"),
        (
            "bad_slug.toml",
            'code = "Test Valley"',
            r"neither an ISO 3166 code .* nor a lowercase slug",
        ),
        ("missing_key.toml", "[[area]]", r"missing the required key 'codes'"),
    ],
)
def test_errors_name_file_and_line(fixture: str, needle: str, message: str) -> None:
    path = FIXTURES / fixture
    expected_line = _line_of(fixture, needle)
    if fixture == "duplicate_id.toml":
        expected_line -= 2  # the error points at the second table's header
    with pytest.raises(CodebookError) as caught:
        load_codebook(path)
    text = str(caught.value)
    assert text.startswith(f"{path}:{expected_line}: "), text
    assert re.search(message, text), text


def test_redefining_a_builtin_actor_is_an_error(tmp_path: Path) -> None:
    user = tmp_path / "user.toml"
    user.write_text('[[actor]]\nid = "RUS"\nname = "Muscovy"\n', encoding="utf-8")
    with pytest.raises(CodebookError, match=rf"{re.escape(str(user))}:2: .*omit `name`"):
        load_codebook(user)


def test_unknown_table_is_an_error(tmp_path: Path) -> None:
    user = tmp_path / "user.toml"
    user.write_text('\n[[actors]]\nid = "RUS"\n', encoding="utf-8")
    with pytest.raises(CodebookError, match=r"user\.toml:2: unknown table 'actors'"):
        load_codebook(user)


@pytest.mark.usefixtures("fresh_default")
def test_env_variable_adds_files(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    other = tmp_path / "other.toml"
    other.write_text('[[actor]]\nid = "UKR"\naliases = ["Bankova"]\n', encoding="utf-8")
    assert default_codebook().resolve_actor("NRF") is None
    monkeypatch.setenv(
        "PEACETRACK_CODEBOOK", os.pathsep.join([str(FIXTURES / "extra.toml"), str(other)])
    )
    book = default_codebook()
    assert book.resolve_actor("NRF") == "NRF"
    assert book.resolve_actor("Bankova") == "UKR"
    assert default_codebook() is book  # cached


@pytest.mark.usefixtures("fresh_default")
def test_env_variable_naming_a_missing_file(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("PEACETRACK_CODEBOOK", str(tmp_path / "missing.toml"))
    with pytest.raises(CodebookError, match="PEACETRACK_CODEBOOK does not exist"):
        default_codebook()


@pytest.mark.usefixtures("fresh_default")
def test_use_codebook_sets_and_resets_the_default() -> None:
    assert default_codebook() is default_codebook()
    book = use_codebook(FIXTURES / "extra.toml")
    assert default_codebook() is book
    assert "WAT.SHARING" in book.issues
    use_codebook()
    assert "WAT.SHARING" not in default_codebook().issues


@pytest.mark.usefixtures("fresh_default")
def test_claim_validation_uses_the_codebook() -> None:
    claim = {
        "actors": ["RUS"],
        "stance": "demand",
        "issue": "TER.WITHDRAW",
        "obligor": ["UKR"],
        "territories": ["UA-14", "UA-09"],
        "conditions": [{"relation": "before", "issue": "CF.GENERAL"}],
        "evidence": "Moscow wants Kyiv to pull its troops out of Donbas before any truce.",
    }
    builtin = default_codebook()
    assert Claim.model_validate(claim, context=builtin.claim_context()).issue == "TER.WITHDRAW"
    with pytest.raises(ValueError, match=r"unknown issue 'XX\.NOPE'"):
        Claim.model_validate(claim | {"issue": "XX.NOPE"}, context=builtin.claim_context())
    with pytest.raises(ValueError, match=r"unknown issue 'WAT\.SHARING'"):
        Claim.model_validate(claim | {"issue": "WAT.SHARING"}, context=builtin.claim_context())
    with pytest.raises(ValueError, match=r"unknown issue 'WAT\.SHARING'"):
        builtin.check_issue("WAT.SHARING")
    user = load_codebook(FIXTURES / "extra.toml")
    accepted = Claim.model_validate(claim | {"issue": "WAT.SHARING"}, context=user.claim_context())
    assert accepted.issue == "WAT.SHARING"
    assert user.check_issue("WAT.SHARING") == "WAT.SHARING"


def test_built_in_files_use_real_iso_codes() -> None:
    """Loading the package's own files skips pycountry's subdivision table (it costs every
    command about 0.1 s), so their codes are checked here, as a user's file would be."""
    from peacetrack.codebook.loader import BUILTIN_FILES

    checked = load_codebook(*BUILTIN_FILES, builtin=False)
    assert set(checked.places) == set(load_codebook().places)
