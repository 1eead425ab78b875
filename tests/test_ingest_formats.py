"""Each input format read into documents, and each kind of bad input reported by name."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from peacetrack.errors import InputError
from peacetrack.ingest import (
    Failure,
    IngestOptions,
    Source,
    expand_sources,
    read_documents,
    read_source,
)
from peacetrack.ingest.metadata import parse_date, split_publisher, text_meta, url_slug
from peacetrack.model import Document

FIXTURES = Path(__file__).parent / "fixtures" / "ingest"

NEWS = """Coalition and council agree to meet again

By Ines Halvorsen and Tomas Berg

VALDORA, June 4 - Negotiators for the northern coalition said on Tuesday they would return
to the table next week. The island council asked for guarantees on shipping first.
"""


def read_all(paths: list[str | Path], **options: object) -> tuple[list[Document], list[Failure]]:
    items = list(read_documents(paths, IngestOptions(**options)))  # type: ignore[arg-type]
    docs = [i for i in items if isinstance(i, Document)]
    return docs, [i for i in items if isinstance(i, Failure)]


def only_doc(path: str | Path, **options: object) -> Document:
    docs, failed = read_all([path], **options)
    assert not failed, failed
    assert len(docs) == 1
    return docs[0]


def only_failure(path: str | Path, **options: object) -> Failure:
    docs, failed = read_all([path], **options)
    assert not docs
    assert len(failed) == 1
    return failed[0]


# --- plain text ---------------------------------------------------------------------


def test_news_text_gives_headline_author_and_file_name(tmp_path: Path) -> None:
    path = tmp_path / "valdora-talks.txt"
    path.write_text(NEWS, encoding="utf-8")
    doc = only_doc(path)
    assert doc.name == "valdora-talks.txt"
    assert doc.title == "Coalition and council agree to meet again"
    assert doc.author == "Ines Halvorsen and Tomas Berg"
    assert doc.text == NEWS.strip()  # the text is kept whole: evidence offsets index into it
    assert doc.source == str(path)


def test_first_line_that_is_a_sentence_is_not_a_title(tmp_path: Path) -> None:
    path = tmp_path / "plain.md"
    path.write_text("The council met the mediators today.\nThey talked for an hour.\n")
    doc = only_doc(path)
    assert doc.title is None
    assert doc.author is None


def test_bom_and_windows_newlines_are_normalised(tmp_path: Path) -> None:
    path = tmp_path / "bom.txt"
    path.write_bytes("\ufeffFirst line\r\nSecond line café\r\n".encode())
    assert only_doc(path).text == "First line\nSecond line café"


def test_latin1_file_is_read_correctly_and_noted(tmp_path: Path) -> None:
    path = tmp_path / "latin.txt"
    path.write_bytes("Talks in Zürich: the délégation said « non ».".encode("latin-1"))
    source = expand_sources([path], IngestOptions())[0]
    [doc] = list(read_source(source, IngestOptions()))
    assert isinstance(doc, Document)
    assert doc.text == "Talks in Zürich: the délégation said « non »."
    assert source.notes and "re-encoded" in source.notes[0]


def test_text_in_an_unknown_encoding_is_refused_with_its_offset(tmp_path: Path) -> None:
    path = tmp_path / "cyrillic.txt"
    path.write_bytes("Talks: переговоры продолжаются".encode("cp1251"))
    failure = only_failure(path)
    assert failure.input == str(path)
    assert "not UTF-8" in failure.reason
    assert "offset 7" in failure.reason


def test_utf8_with_a_stray_byte_is_refused_not_garbled(tmp_path: Path) -> None:
    path = tmp_path / "mixed.txt"
    path.write_bytes("Café talks, “soon”.".encode() + b" Stray \xe9 byte.")
    reason = only_failure(path).reason
    assert "not UTF-8 (byte 0xe9 at offset 31)" in reason


def test_utf16_with_bom_is_read(tmp_path: Path) -> None:
    path = tmp_path / "wide.txt"
    path.write_bytes("Talks resumed in Zürich.".encode("utf-16"))
    assert only_doc(path).text == "Talks resumed in Zürich."


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (b"", "empty"),
        (b"  \n\t\n ", "empty"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "binary"),
    ],
)
def test_empty_and_binary_files_fail(tmp_path: Path, content: bytes, reason: str) -> None:
    path = tmp_path / "bad.txt"
    path.write_bytes(content)
    assert reason in only_failure(path).reason


def test_file_over_the_size_cap_fails(tmp_path: Path) -> None:
    path = tmp_path / "big.txt"
    path.write_text("word " * 100)
    assert "cap" in only_failure(path, max_bytes=100).reason


def test_missing_file_fails_by_name(tmp_path: Path) -> None:
    failure = only_failure(tmp_path / "nowhere.txt")
    assert failure.input.endswith("nowhere.txt")
    assert "no such file" in failure.reason


# --- HTML -----------------------------------------------------------------------------


def test_html_article_without_boilerplate() -> None:
    doc = only_doc(FIXTURES / "article.html")
    assert doc.name == "article.html"
    assert "reopen the eastern harbour" in doc.text
    assert "monitoring mission" in doc.text
    for boilerplate in ("Subscribe", "All rights reserved", "Football results"):
        assert boilerplate not in doc.text
    assert doc.title == "Harbour talks open in Valdora"
    assert doc.outlet == "The Meridian Ledger"
    assert doc.author == "Ines Halvorsen"
    assert doc.published == date(2024, 6, 3)


def test_html_without_article_fails(tmp_path: Path) -> None:
    path = tmp_path / "broken.html"
    path.write_text("<html><head><title>Oops</title></head><body><nav><a href='/'>Home")
    assert only_failure(path).reason == "no article text found"


def test_unknown_extension_named_outright_is_sniffed(tmp_path: Path) -> None:
    path = tmp_path / "saved.page"
    path.write_bytes((FIXTURES / "article.html").read_bytes())
    assert only_doc(path).title == "Harbour talks open in Valdora"


# --- feeds ----------------------------------------------------------------------------


def test_rss_entries_become_documents() -> None:
    docs, failed = read_all([FIXTURES / "feed.rss"])
    assert not failed
    assert [d.title for d in docs] == [
        "Mediators propose a sea corridor",
        "Island council rejects corridor plan",
    ]
    first = docs[0]
    assert first.text == (
        "Mediators proposed a sea corridor for grain ships on Tuesday.\n\n"
        "Both sides said they would study the plan."
    )
    assert first.url == "https://wire.example/2024/05/sea-corridor"
    assert first.name == "wire.example-2024-05-sea-corridor"
    assert first.outlet == "Coastal Wire"
    assert first.published == date(2024, 5, 14)


def test_atom_entry_uses_full_content_over_summary() -> None:
    doc = only_doc(FIXTURES / "feed.atom")
    assert doc.text.startswith("The coalition offered on Monday")
    assert "teaser" not in doc.text
    assert doc.outlet == "Northern Dispatch"
    assert doc.author == "Petra Aalto"
    assert doc.published == date(2024, 7, 1)
    assert doc.name == "dispatch.example-news-artillery-offer"


def test_xml_that_is_not_a_feed_fails(tmp_path: Path) -> None:
    path = tmp_path / "sitemap.xml"
    path.write_text(
        '<?xml version="1.0"?><urlset><url><loc>https://x.example/</loc></url></urlset>'
    )
    assert "not an RSS or Atom feed" in only_failure(path).reason


# --- corpora --------------------------------------------------------------------------


def test_jsonl_rows_with_a_bad_line_reported_by_number(tmp_path: Path) -> None:
    rows = [
        {
            "id": "wire-001",
            "text": "The council proposed a truce.",
            "publisher": "Wire",
            "date": "2024-05-02",
        },
        {
            "body": "The coalition rejected the truce.",
            "title": "Rejected",
            "url": "https://w.example/r",
        },
    ]
    lines = [json.dumps(rows[0]), "{not json", "", json.dumps(rows[1]), "[1, 2]", '{"text": "  "}']
    path = tmp_path / "corpus.jsonl"
    path.write_text("\n".join(lines) + "\n")
    docs, failed = read_all([path])
    assert [d.name for d in docs] == ["wire-001", "corpus-4"]
    assert docs[0].outlet == "Wire"
    assert docs[0].published == date(2024, 5, 2)
    assert docs[1].title == "Rejected"
    assert docs[1].url == "https://w.example/r"
    assert docs[1].source == f"{path}:4"
    assert [f.input for f in failed] == [f"{path}:2", f"{path}:5", f"{path}:6"]
    assert failed[0].reason.startswith("not JSON (")
    assert "not a JSON object" in failed[1].reason
    assert "empty" in failed[2].reason


def test_jsonl_without_a_text_column_fails_once(tmp_path: Path) -> None:
    path = tmp_path / "scraped.jsonl"
    path.write_text('{"article": "Words."}\n{"article": "More words."}\n')
    failure = only_failure(path)
    assert "no text column" in failure.reason
    assert "text=" in failure.reason  # says how to map one


def test_claims_jsonl_is_not_mistaken_for_a_corpus(tmp_path: Path) -> None:
    path = tmp_path / "gold.jsonl"
    path.write_text('{"doc": "a.txt", "claims": []}\n{"doc": "b.txt", "claims": []}\n')
    assert "claims file" in only_failure(path).reason


def test_csv_corpus_with_a_column_map(tmp_path: Path) -> None:
    path = tmp_path / "scraped.csv"
    path.write_text(
        "article_body,headline,site,when\n"
        '"The council asked for talks.\nThe coalition agreed.",Talks agreed,Gazette,3 May 2024\n'
        "The coalition withdrew its offer.,Offer withdrawn,Gazette,\n",
        encoding="utf-8",
    )
    docs, failed = read_all(
        [path], column_map={"text": "article_body", "outlet": "site", "date": "when"}
    )
    assert not failed
    assert [d.name for d in docs] == ["scraped-2", "scraped-4"]
    assert docs[0].text == "The council asked for talks.\nThe coalition agreed."
    assert docs[0].title == "Talks agreed"
    assert docs[0].outlet == "Gazette"
    assert docs[0].published == date(2024, 5, 3)
    assert docs[1].published is None


def test_csv_without_text_column_names_the_map_option(tmp_path: Path) -> None:
    path = tmp_path / "scraped.csv"
    path.write_text("article_body,headline\nSome words,A title\n")
    assert "no text column" in only_failure(path).reason


def test_column_map_with_an_unknown_field_is_refused() -> None:
    with pytest.raises(InputError, match="bodytext"):
        IngestOptions(column_map={"bodytext": "article"})


# --- folders and sidecars -------------------------------------------------------------


def test_folder_walk_is_sorted_and_skips_hidden_and_unknown(tmp_path: Path) -> None:
    (tmp_path / "b.txt").write_text("Second report text here.")
    (tmp_path / "a.txt").write_text("First report text here.")
    (tmp_path / ".secret.txt").write_text("hidden")
    (tmp_path / ".git").mkdir()
    (tmp_path / ".git" / "x.txt").write_text("hidden")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "c.md").write_text("Third report text here.")
    (tmp_path / "scan.pdf").write_bytes(b"%PDF-1.4")
    sources = expand_sources([tmp_path], IngestOptions())
    names = [Path(s.location).name for s in sources]
    assert names == ["a.txt", "b.txt", "scan.pdf", "c.md"]
    assert sources[2].skip == "unknown file type .pdf"
    assert list(read_source(sources[2], IngestOptions())) == []


def test_sidecar_fills_metadata_and_is_not_a_corpus(tmp_path: Path) -> None:
    (tmp_path / "one.txt").write_text(NEWS)
    (tmp_path / "two.txt").write_text("Another report without a headline.")
    (tmp_path / "index.csv").write_text(
        "file,title,publisher,date,url\n"
        'one.txt,Sidecar title,"Ledger (Ines Halvorsen)",2024-06-04,https://ledger.example/one\n'
    )
    docs, failed = read_all([tmp_path])
    assert not failed
    one, two = docs
    assert one.title == "Sidecar title"  # the sidecar outranks the headline guess
    assert one.outlet == "Ledger"
    assert one.author == "Ines Halvorsen"
    assert one.published == date(2024, 6, 4)
    assert one.url == "https://ledger.example/one"
    assert two.title is None and two.outlet is None


def test_sidecar_beside_the_docs_folder_applies(tmp_path: Path) -> None:
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "one.txt").write_text("A report body with enough words.")
    (tmp_path / "index.csv").write_text("file,title,outlet\none.txt,From above,Gazette\n")
    doc = only_doc(tmp_path / "docs")
    assert (doc.title, doc.outlet) == ("From above", "Gazette")


def test_index_csv_without_file_column_is_a_corpus(tmp_path: Path) -> None:
    (tmp_path / "index.csv").write_text("text,title\nThe council met.,Met\n")
    assert only_doc(tmp_path).name == "index-2"


def test_folder_of_bad_inputs_reports_each_once_and_reads_the_rest(tmp_path: Path) -> None:
    (tmp_path / "good.txt").write_text(NEWS)
    (tmp_path / "image.txt").write_bytes(b"GIF89a\x00\x01\x00\x00\xff\xff")
    (tmp_path / "empty.txt").write_text("")
    (tmp_path / "broken.html").write_text("<html><body><div>")
    (tmp_path / "latin.txt").write_bytes("Le négociateur a parlé.".encode("latin-1"))
    (tmp_path / "rows.jsonl").write_text('{"text": "Row one."}\n{oops\n{"text": "Row three."}\n')
    docs, failed = read_all([tmp_path])
    assert sorted(d.name for d in docs) == ["good.txt", "latin.txt", "rows-1", "rows-3"]
    reasons = {Path(f.input).name: f.reason for f in failed}
    assert set(reasons) == {"image.txt", "empty.txt", "broken.html", "rows.jsonl:2"}
    assert "binary" in reasons["image.txt"]
    assert "empty" in reasons["empty.txt"]
    assert reasons["broken.html"] == "no article text found"
    assert reasons["rows.jsonl:2"].startswith("not JSON")


# --- metadata helpers -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2025-03-14", date(2025, 3, 14)),
        ("2025-03-14T10:00:00+02:00", date(2025, 3, 14)),
        ("14 March 2025", date(2025, 3, 14)),
        ("March 2025", None),
        ("soon", None),
        ("", None),
        (None, None),
    ],
)
def test_parse_date(value: str | None, expected: date | None) -> None:
    assert parse_date(value) == expected


def test_split_publisher() -> None:
    assert split_publisher("Wire (Ana Ruiz, Bo Chen)") == ("Wire", "Ana Ruiz, Bo Chen")
    assert split_publisher("ABC News (AP)") == ("ABC News (AP)", None)
    assert split_publisher("BBC News") == ("BBC News", None)


def test_url_slug_and_text_meta() -> None:
    assert url_slug("https://www.news.example/world/2024/talks-resume?page=2") == (
        "news.example-world-2024-talks-resume-page-2"
    )
    assert text_meta("Only one line").title is None
    assert text_meta("# A Markdown headline\nBody.").title == "A Markdown headline"


def test_source_for_url_is_not_read_at_expansion() -> None:
    [source] = expand_sources(["https://news.example/a"], IngestOptions())
    assert source == Source("https://news.example/a", kind="url")


def test_sidecar_named_outright_is_skipped_but_still_applies(tmp_path: Path) -> None:
    (tmp_path / "one.txt").write_text("A report body with enough words.")
    (tmp_path / "index.csv").write_text("file,title\none.txt,Named in the sidecar\n")
    report, sidecar = expand_sources(
        [tmp_path / "one.txt", tmp_path / "index.csv"], IngestOptions()
    )
    assert sidecar.skip is not None and "sidecar" in sidecar.skip
    assert only_doc(tmp_path / "one.txt").title == "Named in the sidecar"
    assert report.metadata["title"] == "Named in the sidecar"
