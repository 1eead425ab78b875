"""The claims browser (/claims, /api/claims and its CSV and JSON exports) on the example
reports: filters, facets, sorting, paging, errors in words, and exports equal to the CLI's."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("fastapi")
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from peacetrack.cli import app as cli_app
from peacetrack.store import Store
from peacetrack.support import parse_support
from peacetrack.web import create_app
from web_support import BASE_URL, TOKEN, filled_store


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Read only by these tests, so one store serves them all."""
    return filled_store(tmp_path_factory.mktemp("claims") / "examples.db")


@pytest.fixture(scope="module")
def store(db: Path) -> Iterator[Store]:
    with Store.open(db) as opened:
        yield opened


@pytest.fixture(scope="module")
def client(store: Store) -> Iterator[TestClient]:
    with TestClient(create_app(store=store, token=TOKEN), base_url=BASE_URL) as test_client:
        yield test_client


def _api(client: TestClient, query: str) -> dict[str, Any]:
    reply = client.get(f"/api/claims?{query}")
    assert reply.status_code == 200, reply.text
    body: dict[str, Any] = reply.json()
    return body


def _all(client: TestClient, query: str = "") -> list[dict[str, Any]]:
    body = _api(client, f"{query}&per_page=200")
    assert body["pages"] == 1
    return list(body["claims"])


def test_filters_choose_what_the_store_does(client: TestClient, store: Store) -> None:
    every = store.claims()
    assert len(_all(client)) == len(every) > 10
    actor = Counter(a for s in every for a in s.claim.actors).most_common(1)[0][0]
    assert [c["id"] for c in _all(client, f"actor={actor}")] == [
        s.id for s in store.claims(actors=[actor])
    ]
    for claim in _all(client, "issue=TER.*&stance=demand,reject"):
        assert claim["claim"]["issue"].startswith("TER.")
        assert claim["claim"]["stance"] in ("demand", "reject")
    outlet = next(s.outlet for s in every if s.outlet)
    assert {c["outlet"] for c in _all(client, f"outlet={outlet}")} == {outlet}
    dated = sorted(s.published for s in every if s.published)
    middle = dated[len(dated) // 2].isoformat()
    for claim in _all(client, f"since={middle}"):
        assert claim["published"] >= middle


def test_rejected_claims_only_when_asked(client: TestClient, store: Store) -> None:
    assert all(c["status"] != "rejected" for c in _all(client))
    assert _api(client, "status=rejected")["total"] == len(store.claims(status="rejected"))


def test_facets_count_every_claim_chosen(client: TestClient, store: Store) -> None:
    body = _api(client, "per_page=5")
    every = store.claims()
    assert body["total"] == len(every) and len(body["claims"]) == 5
    stances = {f["value"]: f["count"] for f in body["facets"]["stance"]}
    assert stances == Counter(s.claim.stance.value for s in every)
    actors = {f["value"]: f["count"] for f in body["facets"]["actor"]}
    by_actor = Counter(a for s in every for a in s.claim.actors)
    assert actors == dict(by_actor.most_common(len(actors)))
    assert set(body["facets"]) == {
        "conflict",
        "actor",
        "issue",
        "stance",
        "outlet",
        "extractor",
        "status",
        "support",
    }
    conflicts = {f["value"]: f["count"] for f in body["facets"]["conflict"]}
    assert conflicts == Counter(s.conflict or "unassigned" for s in every)
    narrowed = _api(client, "stance=demand")["facets"]["stance"]
    assert [f["value"] for f in narrowed] == ["demand"]


def test_support_facet_counts_what_min_support_lists(client: TestClient, store: Store) -> None:
    """The support facet gives, per level, the claims at or above it: the count the
    level's link (``min_support``, as the CLI orders levels) then lists."""
    every = store.claims()
    facet = {f["value"]: f["count"] for f in _api(client, "per_page=5")["facets"]["support"]}
    assert facet and list(facet) == sorted(facet, key=lambda v: -parse_support(v))
    for label, count in facet.items():
        level = parse_support(label)
        assert count == sum(1 for s in every if s.grade >= level)
        listed = _all(client, f"min_support={label}")
        assert len(listed) == count and {parse_support(c["grade"]) >= level for c in listed} == {
            True
        }
    html = client.get("/claims").text
    assert "support, at or above" in html and "min_support=named" in html
    assert client.get("/api/claims?min_support=strong").status_code == 400
    corroborated = client.get("/api/claims?min_support=corroborated")
    assert corroborated.status_code == 400 and "never corroborated" in corroborated.text


def test_counts_that_take_too_long_are_left_out(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A count past its time is stopped: the page says so instead of waiting, and the
    total is bounded ("more than")."""
    from peacetrack.store import facets

    counted = facets._facet

    def stopped(session: Any, name: str, where: Any, top: int) -> list[tuple[str, int]]:
        if name in ("issue", "outlet"):
            raise facets.OutOfTime
        return counted(session, name, where, top)

    from peacetrack.web import claims

    monkeypatch.setattr(claims, "FACET_MS", 60_000)  # only the facets made to fail are late
    more = facets.Counted(3, exact=False)
    monkeypatch.setattr(facets, "_capped", lambda *args: more)
    monkeypatch.setattr(facets, "_exact", lambda *args: more)
    monkeypatch.setattr(facets, "_facet", stopped)
    body = _api(client, "stance=demand")
    assert body["total"] == 3 and body["total_exact"] is False
    assert body["facets_late"] == ["issue", "outlet"]
    assert not set(body["facets_late"]) & set(body["facets"])
    html = client.get("/claims?stance=demand").text
    assert "more than 3" in html and "Not counted in time" in html
    assert 'id="beyond"' in html
    unknown = facets.Counted(0, exact=False, counted=False)
    monkeypatch.setattr(facets, "_capped", lambda *args: unknown)
    body = _api(client, "stance=demand&per_page=2")
    assert body["total_counted"] is False and body["pages"] is None and body["more"] is True
    assert "not counted in time" in client.get("/claims?stance=demand").text


def test_counting_stops_when_the_time_is_spent(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Few claims are always counted, facets too; past ``COUNT_CAP`` claims, with no time
    left, the total is "more than" and no facet is started (the actors' come from the
    summaries)."""
    from peacetrack.store import facets

    few = store.claim_facets(top=5, budget_ms=0)
    assert few.exact and few.total == len(store.claims()) and not few.late
    monkeypatch.setattr(facets, "COUNT_CAP", 2)
    spent = store.claim_facets(top=5, budget_ms=0)
    assert spent.counted and not spent.exact and spent.total == 2
    assert spent.counts.keys() == {"actor"}
    assert set(spent.late) == {"conflict", "issue", "stance", "outlet", "extractor", "status",
                               "support"}  # fmt: skip
    whole = store.claim_facets(top=5)
    assert whole.counted and whole.exact and whole.total == len(store.claims())


def test_sql_stops_a_count_past_its_time(store: Store) -> None:
    """The time limit stops a real query, and the session still reads afterwards."""
    from sqlalchemy import text

    from peacetrack.store import facets

    slow = "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n) SELECT max(i) FROM n"
    with store.reading() as connection:
        with pytest.raises(facets.OutOfTime), facets.time_allowed(connection, 20):
            connection.execute(text(slow)).all()
        assert connection.execute(text("SELECT 1")).scalar() == 1


def test_pages_stop_at_the_offset_bound(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    from peacetrack.web import claims

    monkeypatch.setattr(claims, "MAX_OFFSET", 4)
    body = _api(client, "per_page=2&page=9")
    assert body["pages"] == 2 and body["page"] == 2
    assert 'id="beyond"' in client.get("/claims?per_page=2").text


@pytest.mark.parametrize("sort", ["date", "issue", "stance"])
def test_sorting(client: TestClient, sort: str) -> None:
    def key(c: dict[str, Any]) -> str:
        if sort == "date":
            return str(c["published"] or "")
        return str(c["claim"][sort])

    down = [key(c) for c in _all(client, f"sort={sort}&order=desc") if c["published"]]
    up = [key(c) for c in _all(client, f"sort={sort}&order=asc") if c["published"]]
    assert down == sorted(down, reverse=True)
    assert up == sorted(up)


def test_paging_covers_every_claim_once(client: TestClient, store: Store) -> None:
    first = _api(client, "per_page=7")
    seen = [c["id"] for c in first["claims"]]
    for page in range(2, first["pages"] + 1):
        seen += [c["id"] for c in _api(client, f"per_page=7&page={page}")["claims"]]
    assert seen == [s.id for s in store.claims()]
    assert client.get("/api/claims?per_page=201").status_code == 400


def test_page_links_keep_the_filters(client: TestClient) -> None:
    page = client.get("/claims?stance=demand&per_page=2&sort=issue")
    assert page.status_code == 200
    html = page.text
    assert 'href="/claims?stance=demand&amp;sort=issue&amp;page=2&amp;per_page=2"' in html
    assert "/api/claims.csv?stance=demand&amp;sort=issue" in html
    assert 'href="/claims/' in html and 'href="/documents/' in html
    assert '<a href="/claims">Claims</a>' in html


@pytest.mark.parametrize(
    ("query", "field", "words"),
    [
        ("stance=demnd", "stance", "Did you mean demand"),
        ("issue=TRE.*", "issue", "TER.*"),
        ("since=18/02/2025", "since", "year-month-day"),
        ("page=abc", "page", "whole number"),
        ("status=maybe", "status", "accepted"),
        ("outlet=Nowhere+Daily", "outlet", "no claim comes from"),
    ],
)
def test_errors_in_words_beside_the_form(
    client: TestClient, query: str, field: str, words: str
) -> None:
    page = client.get(f"/claims?{query}&actor=RUS")
    assert page.status_code == 400
    assert words in page.text and 'id="claims-filters"' in page.text
    assert 'value="RUS"' in page.text  # what was typed is kept
    api = client.get(f"/api/claims?{query}")
    assert api.status_code == 400 and api.json()["detail"].startswith(field)


def test_everything_is_escaped(client: TestClient) -> None:
    page = client.get("/claims?outlet=<script>alert(1)</script>")
    assert "<script>alert(1)" not in page.text
    assert "&lt;script&gt;" in page.text


@pytest.mark.parametrize("fmt", ["csv", "json"])
@pytest.mark.parametrize(
    ("web", "cli"),
    [
        ("", []),
        ("issue=TER.*&stance=demand,reject", ["--issue", "TER.*", "--stance", "demand,reject"]),
        ("actor=RUS&since=2025-01-01", ["--actor", "RUS", "--since", "2025-01-01"]),
        (
            "extractor=rules.v1&until=2025-12-31",
            ["--extractor", "rules.v1", "--until", "2025-12-31"],
        ),
        ("min_support=named&sort=date", ["--min-support", "named"]),
    ],
)
def test_exports_match_the_cli(
    client: TestClient, db: Path, fmt: str, web: str, cli: list[str]
) -> None:
    reply = client.get(f"/api/claims.{fmt}?{web}")
    assert reply.status_code == 200, reply.text
    result = CliRunner().invoke(cli_app, ["claims", "--db", str(db), *cli, "--format", fmt])
    assert result.exit_code == 0, result.output
    assert reply.text == result.stdout
    assert reply.text.count("\n") > 2


def test_exports_are_bounded_in_words(client: TestClient, monkeypatch: pytest.MonkeyPatch) -> None:
    from peacetrack.web import claims

    monkeypatch.setattr(claims, "EXPORT_MAX", 3)
    reply = client.get("/api/claims.csv?stance=demand")
    assert reply.status_code == 400
    assert "narrow the filters" in reply.json()["detail"]
