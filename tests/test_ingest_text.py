"""Pasted text is one library call, ``ingest_text``, for the web app and ``peacetrack ingest
-`` alike (issue #12, item 2): the document it stores is the one a text file with an
``index.csv`` sidecar row gave before, without writing either to disk.
"""

from __future__ import annotations

import csv
from pathlib import Path

from typer.testing import CliRunner

from peacetrack.cli import app
from peacetrack.ingest import ingest, ingest_text
from peacetrack.model import Document
from peacetrack.store import Store

TEXT = "Kyiv talks resume\n\nRussia demands that Ukraine withdraw from Donetsk, envoys said."
META = {"title": "Talks resume", "outlet": "Example Wire", "date": "2025-05-10", "url": ""}
FIELDS = ("name", "text", "title", "url", "outlet", "author", "published", "language")


def _fields(doc: Document) -> dict[str, object]:
    return {name: getattr(doc, name) for name in FIELDS}


def test_pasted_text_is_stored_as_a_file_with_its_sidecar_was(tmp_path: Path) -> None:
    with Store.open(tmp_path / "pasted.db") as store:
        summary = ingest_text(TEXT, store, META, origin="the pasted text")
        assert summary.added == 1 and not summary.failed
        pasted = store.get_document(summary.document_ids[0])
    folder = tmp_path / "files"
    folder.mkdir()
    (folder / pasted.name).write_text(TEXT, encoding="utf-8")
    with (folder / "index.csv").open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=["file", *META])
        writer.writeheader()
        writer.writerow({"file": pasted.name} | META)
    with Store.open(tmp_path / "files.db") as store:
        from_file = store.get_document(ingest([folder], store).document_ids[0])
    assert pasted.name.startswith("talks-resume-")
    assert _fields(pasted) == _fields(from_file)
    assert pasted.source == "the pasted text"


def test_ingest_dash_reads_one_report_from_standard_input(tmp_path: Path) -> None:
    db = str(tmp_path / "stdin.db")
    result = CliRunner().invoke(app, ["ingest", "-", "--db", db], input=TEXT)
    assert result.exit_code == 0, result.output
    with Store.open(db) as store:
        (stored,) = store.documents()
    assert stored.text == TEXT and stored.name.startswith("pasted-")
    mixed = CliRunner().invoke(app, ["ingest", "-", "other.txt", "--db", db])
    assert mixed.exit_code == 1 and "read alone" in mixed.output


def test_ingest_of_an_empty_folder_says_so_and_fails(tmp_path: Path) -> None:
    # A mistyped or empty folder must not look like a run that found nothing new.
    (tmp_path / "empty").mkdir()
    db = str(tmp_path / "empty.db")
    result = CliRunner().invoke(app, ["ingest", str(tmp_path / "empty"), "--db", db])
    assert result.exit_code == 1
    assert "nothing to read in" in result.output and ".txt" in result.output
    (tmp_path / "empty" / "a.txt").write_text(TEXT, encoding="utf-8")
    for _ in range(2):  # then once stored: nothing new, and that is no error
        again = CliRunner().invoke(app, ["ingest", str(tmp_path / "empty"), "--db", db])
        assert again.exit_code == 0 and "nothing to read" not in again.output
