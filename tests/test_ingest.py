"""``ingest``: inputs into the store, each bad one reported, re-runs adding nothing."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest

from peacetrack.ingest import Failure, IngestOptions, IngestSummary, Source, ingest
from peacetrack.model import normalise_text
from peacetrack.store import Store

FIXTURES = Path(__file__).parent / "fixtures" / "ingest"
SHARED = Path(__file__).resolve().parents[2] / "shared"
DEV_DOCS = SHARED / "corpus" / "dev" / "docs"

REPORT = (
    "Negotiators for the coalition and the island council met in Valdora on {day} and spent "
    "six hours on a draft that would reopen the eastern harbour to grain ships. The council "
    "said any reopening must follow a full ceasefire, while the coalition wants ships moving "
    "first and a monitoring mission later. Mediators described the mood as businesslike and "
    "said a further round could take place within two weeks if both capitals agree to the "
    "outline. Prisoner lists were exchanged at the end of the session, an official said."
)


def write_folder(folder: Path) -> None:
    folder.mkdir(exist_ok=True)
    (folder / "monday.txt").write_text(REPORT.format(day="Monday"))
    (folder / "article.html").write_bytes((FIXTURES / "article.html").read_bytes())
    (folder / "feed.rss").write_bytes((FIXTURES / "feed.rss").read_bytes())
    (folder / "rows.jsonl").write_text('{"id": "r1", "text": "The council proposed a truce."}\n')


def test_ingest_stores_every_format_and_rerun_adds_nothing(tmp_path: Path, fresh_db: Store) -> None:
    write_folder(tmp_path / "in")
    first = ingest([tmp_path / "in"], fresh_db)
    assert (first.added, first.duplicates, first.failed) == (5, 0, [])
    assert fresh_db.count_documents() == 5
    assert len(first.document_ids) == 5

    second = ingest([tmp_path / "in"], fresh_db)
    assert (second.added, second.duplicates, second.failed) == (0, 5, [])
    assert sorted(second.document_ids) == sorted(first.document_ids)
    assert fresh_db.count_documents() == 5
    assert fresh_db.get_document("article.html").outlet == "The Meridian Ledger"


def test_bad_inputs_are_reported_and_the_rest_stored(tmp_path: Path, fresh_db: Store) -> None:
    folder = tmp_path / "mixed"
    write_folder(folder)
    (folder / "photo.txt").write_bytes(b"\xff\xd8\xff\xe0\x00\x10JFIF\x00")
    (folder / "empty.md").write_text("\n\n")
    (folder / "broken.htm").write_text("<html><body><ul><li>Home")
    (folder / "latin.txt").write_bytes("Négociations à Genève, dit le médiateur.".encode("cp1252"))
    (folder / "more.jsonl").write_text(
        '{"text": "A first row."}\n{"text": \n{"text": "A third row."}\n'
    )
    (folder / "notes.docx").write_bytes(b"PK\x03\x04")

    summary = ingest([folder], fresh_db)

    assert summary.added == 8
    failed = {Path(f.input).name: f.reason for f in summary.failed}
    assert set(failed) == {"photo.txt", "empty.md", "broken.htm", "more.jsonl:2"}
    assert summary.skipped == [f"{folder / 'notes.docx'} — unknown file type .docx"]
    assert fresh_db.get_document("latin.txt").text.startswith("Négociations à Genève")
    text = summary.describe()
    assert text.splitlines()[0] == (
        "added 8 · already stored 0 · near-duplicates 0 (linked) · failed 4 · skipped 1"
    )
    assert f"  failed: {folder / 'broken.htm'} — no article text found" in text
    assert "  note: " in text and "re-encoded" in text


def test_near_duplicates_are_counted(tmp_path: Path, fresh_db: Store) -> None:
    (tmp_path / "a.txt").write_text(REPORT.format(day="Monday"))
    (tmp_path / "b.txt").write_text(REPORT.format(day="Tuesday"))
    summary = ingest([tmp_path], fresh_db)
    assert (summary.added, summary.near_duplicates) == (1, 1)
    assert "near-duplicates 1 (linked)" in summary.describe()


def test_progress_callbacks_and_run_record(
    tmp_path: Path, fresh_db: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_folder(tmp_path / "in")
    runs: list[tuple[str, Any]] = []
    start, finish = fresh_db.start_run, fresh_db.finish_run

    def spy_start(kind: str, params: Any) -> int:
        runs.append((kind, params))
        return start(kind, params)

    def spy_finish(run_id: int, status: str, stats: Any) -> None:
        runs.append((status, stats))
        finish(run_id, status, stats)

    monkeypatch.setattr(fresh_db, "start_run", spy_start)
    monkeypatch.setattr(fresh_db, "finish_run", spy_finish)
    totals: list[int] = []
    seen: list[Source] = []
    options = IngestOptions(column_map={"text": "body"})
    ingest([tmp_path / "in"], fresh_db, options, progress=seen.append, on_total=totals.append)

    assert totals == [4]
    assert [Path(s.location).name for s in seen] == [
        "article.html",
        "feed.rss",
        "monday.txt",
        "rows.jsonl",
    ]
    (kind, params), (status, stats) = runs
    assert kind == "ingest"
    assert params["column_map"] == {"text": "body"}
    assert status == "finished"
    assert stats == {"added": 5, "duplicates": 0, "near_duplicates": 0, "skipped": 0, "failed": 0}


def test_run_is_recorded_as_failed_when_the_store_fails(
    tmp_path: Path, fresh_db: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "a.txt").write_text("Some report text.")
    statuses: list[str] = []
    finish = fresh_db.finish_run

    def broken_add(doc: Any) -> Any:
        raise RuntimeError("disk full")

    def spy_finish(run_id: int, status: str, stats: Any) -> None:
        statuses.append(status)
        finish(run_id, status, stats)

    monkeypatch.setattr(fresh_db, "add_document", broken_add)
    monkeypatch.setattr(fresh_db, "finish_run", spy_finish)
    with pytest.raises(RuntimeError):
        ingest([tmp_path], fresh_db)
    assert statuses == ["failed"]


def test_describe_lists_failures() -> None:
    summary = IngestSummary(added=2, failed=[Failure("x.jsonl:17", "not JSON (bad)")])
    assert summary.describe() == (
        "added 2 · already stored 0 · near-duplicates 0 (linked) · failed 1\n"
        "  failed: x.jsonl:17 — not JSON (bad)"
    )


@pytest.mark.shared
@pytest.mark.skipif(not DEV_DOCS.is_dir(), reason="the shared evaluation corpus is absent")
def test_dev_corpus_is_stored_once_with_its_index_metadata(fresh_db: Store) -> None:
    first = ingest([DEV_DOCS], fresh_db)
    assert first.failed == []
    assert first.added + first.near_duplicates == 25
    assert fresh_db.count_documents() == 25

    second = ingest([DEV_DOCS], fresh_db)
    assert (second.added, second.near_duplicates, second.duplicates) == (0, 0, 25)

    documents = fresh_db.documents()
    assert all(d.title and d.outlet and d.published for d in documents)
    for doc in documents:
        on_disk = (DEV_DOCS / doc.name).read_text(encoding="utf-8")
        assert doc.text == normalise_text(on_disk)  # gold evidence offsets index into this
    dated = {d.name: d.published for d in documents}
    assert all(dated[name] == date.fromisoformat(name.split("_")[1]) for name in dated)
