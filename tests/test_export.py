"""Exports: claims round-trip through CSV, JSON Lines, JSON and Parquet; views are written."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from peacetrack.compare import (
    claims_to_pandas,
    compare,
    diff,
    export_claims,
    export_diff,
    export_matrix,
    read_claims_export,
    render_matrix,
)
from peacetrack.errors import InputError
from test_compare import RUS_TERMS, US_DRAFT, istanbul_round, stored


def _tricky() -> list:  # type: ignore[type-arg]
    """Claims exercising every field shape: empty lists, commas, quotes, no date, offsets."""
    return [
        *istanbul_round(),
        stored(
            ["ISR", "HAMAS"],
            "agree",
            "HUM.DETAINEES",
            published=None,
            outlet=None,
            territories=[],
            attribution={"source": 'a "senior", unnamed official', "anonymous": True},
            evidence="Both sides signed off, the mediators said; a line\nbreak too.",
            start=10,
            end=70,
            extractor="rules.v1",
        ),
    ]


@pytest.mark.parametrize("fmt", ["csv", "jsonl", "json", "parquet"])
def test_claims_round_trip(tmp_path: Path, fmt: str) -> None:
    claims = _tricky()
    path = tmp_path / f"claims.{fmt}"
    assert export_claims(claims, path) == len(claims)
    assert read_claims_export(path) == claims


def test_markdown_export_is_for_people(tmp_path: Path) -> None:
    path = tmp_path / "claims.md"
    export_claims(istanbul_round(), path, "md")
    text = path.read_text(encoding="utf-8")
    assert text.startswith("| id | document_name |") and "TER.WITHDRAW" in text
    with pytest.raises(InputError, match="Markdown"):
        read_claims_export(path, "md")


def test_unknown_suffix_and_missing_file_are_named(tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"claims\.txt.*\.csv"):
        export_claims(istanbul_round(), tmp_path / "claims.txt")
    with pytest.raises(InputError, match="no such file"):
        read_claims_export(tmp_path / "gone.csv")


def test_empty_export_still_has_a_header(tmp_path: Path) -> None:
    path = tmp_path / "none.csv"
    assert export_claims([], path) == 0
    assert path.read_text(encoding="utf-8").startswith("id,document_id,")
    assert read_claims_export(path) == []


def test_matrix_and_diff_exports(tmp_path: Path) -> None:
    import pandas

    m = compare(istanbul_round(), by="proposal")
    for fmt in ("csv", "json", "md", "parquet"):
        assert export_matrix(m, tmp_path / f"m.{fmt}") == len(m.cells)
    frame = pandas.read_parquet(tmp_path / "m.parquet")
    assert set(frame["proposal"]) == {RUS_TERMS, US_DRAFT}
    assert json.loads((tmp_path / "m.json").read_text())[0]["issue"] == m.rows[0]
    d = diff(istanbul_round(), RUS_TERMS, US_DRAFT)
    assert export_diff(d, tmp_path / "d.csv") == 6
    assert "only_a,TER.WITHDRAW" in (tmp_path / "d.csv").read_text()


def test_claims_as_data_frame() -> None:
    frame = claims_to_pandas(istanbul_round())
    assert list(frame["issue"])[:2] == ["TER.WITHDRAW", "TER.RECOGNITION"]
    assert frame["published"].iloc[0] == date(2025, 5, 17)


def test_matrix_renderers() -> None:
    m = compare(istanbul_round(), by="proposal")
    md = render_matrix(m, "md")
    assert isinstance(md, str) and md.startswith(f"| issue | {RUS_TERMS} | {US_DRAFT} |")
    assert (
        "does not include withdrawal from territory [● named source · 1 source, 17 May 2025]" in md
    )
    csv = render_matrix(m, "csv")
    assert isinstance(csv, str) and csv.startswith("issue,issue_label,proposal,stance")
    records = json.loads(str(render_matrix(m, "json")))
    assert len(records) == len(m.cells)
    html = render_matrix(m, "html")
    assert isinstance(html, str) and 'href="#cell-' in html
    with pytest.raises(ValueError, match="unknown format"):
        render_matrix(m, "xml")  # type: ignore[arg-type]


def test_rich_table_keeps_brackets_literal() -> None:
    from rich.console import Console

    m = compare([stored("UKR", "reject", "GEN.DEAL", proposal="[bold]Plan[/bold]")], by="proposal")
    console = Console(width=120, record=True)
    console.print(render_matrix(m, "table"))
    assert "[bold]Plan[/bold]" in console.export_text()
