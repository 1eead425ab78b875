"""A cell's page computes its cell alone (the review panel's refresh): always the same cell
the whole matrix has, under any filters, and after a review changed it."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import pytest

pytest.importorskip("fastapi")
from peacetrack.store import Store
from peacetrack.web.views import CompareQuery, cell_claims, one_cell
from web_support import filled_store

QUERIES = [
    CompareQuery(),
    CompareQuery(since=date(2025, 1, 1)),
    CompareQuery(issues="TER.*", min_support="reviewed"),
    CompareQuery(actors="RUS,UKR", conflict="ru-ua"),
    CompareQuery(conflict="unassigned"),
    CompareQuery(reviewed_only=True),
]


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    with Store.open(filled_store(tmp_path_factory.mktemp("cells") / "examples.db")) as opened:
        for claim in opened.claims()[::4]:  # some reviewed claims, for reviewed_only
            opened.review.accept(claim.id, "tester")
        yield opened


@pytest.mark.parametrize("query", QUERIES, ids=repr)
def test_a_cell_alone_is_the_matrix_cell(store: Store, query: CompareQuery) -> None:
    matrix = query.matrix(store)
    assert matrix.cells or query.conflict == "unassigned"
    for (issue, column), cell in matrix.cells.items():
        assert one_cell(store, query, issue, column) == cell
        listed = store.cells.claims(
            "actor",
            issue,
            column,
            since=query.since,
            until=query.until,
            conflict=query.conflict or None,
            limit=100,
            reviewed_only=query.reviewed_only,
        )
        assert cell_claims(store, query, issue, column) == listed
    assert one_cell(store, query, "TER.WITHDRAW", "NOBODY") is None


def test_a_cell_alone_follows_a_review(store: Store) -> None:
    query = CompareQuery()
    (issue, column), cell = next(iter(query.matrix(store).cells.items()))
    claim = cell.current[0]
    store.review.accept(claim.id, "tester")
    after = one_cell(store, query, issue, column)
    assert after == query.matrix(store).cell(issue, column)
    assert after is not None and after.support.label == "reviewed"


def test_big_json_twins_are_what_fastapis_encoder_writes(store: Store) -> None:
    """/api/compare and /api/claims are written by json.dumps, not FastAPI's encoder: the
    same JSON."""
    from fastapi.encoders import jsonable_encoder
    from fastapi.testclient import TestClient

    from peacetrack.web import create_app
    from peacetrack.web.claims import ClaimsQuery, browse
    from peacetrack.web.routes.claims import _json
    from peacetrack.web.views import matrix_json

    with TestClient(create_app(store=store), base_url="http://localhost") as client:
        for query in QUERIES:
            params = query.params()
            expected = jsonable_encoder(matrix_json(query.matrix(store)))
            assert client.get("/api/compare", params=params).json() == expected
        expected = jsonable_encoder(_json(browse(ClaimsQuery(per_page="200"), store)))
        assert client.get("/api/claims?per_page=200").json() == expected
