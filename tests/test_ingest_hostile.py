"""Hostile and broken inputs: each one becomes a failure naming it, and the run goes on.

Every case here once stopped a whole ingest run (a traceback, or a message and exit 1,
with the files after it never stored), hung it, exhausted memory, or passed silently.
Each folder test puts a good report after the bad input to show the run continues.
"""

from __future__ import annotations

import io
import json
import os
import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from peacetrack.errors import InputError
from peacetrack.ingest import Failure, IngestOptions, ingest, read_documents
from peacetrack.ingest.formats.corpus import capped_lines
from peacetrack.model import Document
from peacetrack.store import Store

GOOD = "Negotiators met again in Valdora on Monday and agreed on a prisoner exchange."
ATOM = b'<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom"'


def rss(link: str, description: str) -> bytes:
    return (
        '<?xml version="1.0"?><rss version="2.0"><channel><title>Wire</title><item>'
        f"<title>Talks resume</title><link>{link}</link>"
        f"<description>{description}</description></item></channel></rss>"
    ).encode()


def read_folder(folder: Path, **options: Any) -> tuple[list[Document], list[Failure]]:
    """Read ``folder`` with a good report added last, which must always be read."""
    (folder / "zz-good.txt").write_text(GOOD)
    items = list(read_documents([folder], IngestOptions(**options)))
    docs = [i for i in items if isinstance(i, Document)]
    assert docs and docs[-1].name == "zz-good.txt", items
    return docs, [i for i in items if isinstance(i, Failure)]


def reasons(failures: list[Failure]) -> dict[str, str]:
    return {Path(f.input).name: f.reason for f in failures}


# --- feeds -------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["empty.xml", "empty.rss", "empty.atom"])
def test_empty_feed_file_fails_by_name(tmp_path: Path, name: str) -> None:
    (tmp_path / name).write_bytes(b"")
    _, failed = read_folder(tmp_path)
    assert reasons(failed) == {name: "empty file: no feed in it"}


def test_feed_with_a_surrogate_character_reference_is_read(tmp_path: Path) -> None:
    (tmp_path / "wire.rss").write_bytes(rss("https://w.example/a", "Talks &#xD800; resumed."))
    docs, failed = read_folder(tmp_path)
    assert not failed
    assert docs[0].text == "Talks \ufffd resumed."


def test_feed_link_holding_nul_is_not_taken_for_an_address(tmp_path: Path) -> None:
    (tmp_path / "wire.rss").write_bytes(rss("&#0;", "Talks resumed in the capital."))
    docs, failed = read_folder(tmp_path)
    assert not failed
    assert docs[0].url is None
    assert docs[0].name == "wire.rss-talks-resume"
    assert all("\x00" not in (d.source or "") + d.name for d in docs)


def test_feed_link_holding_nul_is_not_followed(tmp_path: Path) -> None:
    def never(request: httpx.Request) -> httpx.Response:
        raise AssertionError(f"no request may be sent, but {request.url} was")

    (tmp_path / "wire.rss").write_bytes(rss("&#0;", "Talks resumed in the capital."))
    client = httpx.Client(transport=httpx.MockTransport(never))
    docs, failed = read_folder(tmp_path, follow_links=True, client=client)
    assert not failed
    assert docs[0].text == "Talks resumed in the capital."


def test_atom_entry_with_mismatched_tags_fails_the_feed_by_name(tmp_path: Path) -> None:
    (tmp_path / "geo.atom").write_bytes(
        ATOM + b' xmlns:georss="http://www.georss.org/georss"><title>T</title>'
        b"<entry><title>A</title><georss:point>1 2</entry></georss:point></feed>"
    )
    _, failed = read_folder(tmp_path)
    [failure] = failed
    assert failure.input.endswith("geo.atom")
    assert failure.reason.startswith("cannot parse the feed (KeyError")
    assert "xmllint" in failure.reason


# --- JSONL and CSV corpora -------------------------------------------------------------------


def test_jsonl_row_with_a_lone_surrogate_fails_alone(tmp_path: Path) -> None:
    (tmp_path / "rows.jsonl").write_text('{"text": "bad \\ud800 row"}\n{"text": "Fine row."}\n')
    docs, failed = read_folder(tmp_path)
    assert [d.name for d in docs] == ["rows-2", "zz-good.txt"]
    [failure] = failed
    assert Path(failure.input).name == "rows.jsonl:1"
    assert "unpaired surrogate" in failure.reason


def test_jsonl_metadata_with_surrogates_and_nul_is_cleaned(tmp_path: Path) -> None:
    row = {"text": "The talks resumed.", "title": "T\ud800\x00", "id": "x\x00y"}
    (tmp_path / "rows.jsonl").write_text(json.dumps(row) + "\n")
    docs, failed = read_folder(tmp_path)
    assert not failed
    assert (docs[0].title, docs[0].name) == ("T\ufffd", "xy")


def test_jsonl_text_with_nul_fails_its_row(tmp_path: Path) -> None:
    (tmp_path / "rows.jsonl").write_text('{"text": "a \\u0000 b"}\n{"text": "Fine row."}\n')
    docs, failed = read_folder(tmp_path)
    assert len(docs) == 2
    assert "NUL character" in reasons(failed)["rows.jsonl:1"]


@pytest.mark.parametrize(
    ("value", "kind"), [("5", "a number"), ("[1]", "a list"), ("true", "true or false")]
)
def test_jsonl_text_that_is_not_a_string_fails_its_row(
    tmp_path: Path, value: str, kind: str
) -> None:
    (tmp_path / "rows.jsonl").write_text(f'{{"text": {value}}}\n{{"text": "Fine."}}\n')
    docs, failed = read_folder(tmp_path)
    assert len(docs) == 2
    assert reasons(failed) == {
        "rows.jsonl:1": f'"text" is {kind}, not a string; put the report text in quotes'
    }


@pytest.mark.parametrize("content", ["", "\n\n  \n"])
def test_empty_jsonl_fails(tmp_path: Path, content: str) -> None:
    (tmp_path / "rows.jsonl").write_text(content)
    _, failed = read_folder(tmp_path)
    assert reasons(failed) == {"rows.jsonl": "empty: no rows in it"}


def test_jsonl_nested_too_deeply_fails_its_row(tmp_path: Path) -> None:
    (tmp_path / "rows.jsonl").write_text("[" * 100_000 + "\n" + '{"text": "Fine."}\n')
    docs, failed = read_folder(tmp_path)
    assert len(docs) == 2
    assert reasons(failed)["rows.jsonl:1"].startswith("not JSON")


def test_jsonl_line_over_the_cap_fails_without_being_held(tmp_path: Path) -> None:
    line = json.dumps({"text": "x" * 100_000})
    (tmp_path / "rows.jsonl").write_text(f"{line}\n" + '{"text": "Fine."}\n')
    docs, failed = read_folder(tmp_path, max_bytes=500)
    assert len(docs) == 2
    assert "more than the 500-byte cap allows" in reasons(failed)["rows.jsonl:1"]


def test_capped_lines_never_hold_more_than_the_limit() -> None:
    handle = io.StringIO("a" * 1_000_000 + "\nshort\n" + "b" * 250)
    assert [len(line) for line in capped_lines(handle, 100)] == [101, 6, 101]


def test_csv_with_an_unterminated_quote_says_where_it_opened(tmp_path: Path) -> None:
    (tmp_path / "rows.csv").write_text(
        'text,title\nFirst row.,One\n"Unterminated row,Two\nThird row.,Three\n'
    )
    docs, failed = read_folder(tmp_path)
    assert [d.name for d in docs] == ["rows-2", "zz-good.txt"]
    assert reasons(failed) == {
        "rows.csv:3": "a quote in the row starting on this line is never closed, so lines 3-4 "
        'were read as one row; close the quote, and double any quote inside a quoted field ("")'
    }


def test_csv_record_over_the_cap_stops_the_file_there(tmp_path: Path) -> None:
    (tmp_path / "rows.csv").write_text('text\nFirst row.\n"' + "x\n" * 40_000)
    docs, failed = read_folder(tmp_path, max_bytes=300)
    assert [d.name for d in docs] == ["rows-2", "zz-good.txt"]
    assert "row starting on line 3 is over" in reasons(failed)["rows.csv"]


def test_utf16_corpus_without_bom_is_read(tmp_path: Path) -> None:
    (tmp_path / "rows.jsonl").write_bytes('{"text": "Zürich talks."}\n'.encode("utf-16-le"))
    docs, failed = read_folder(tmp_path)
    assert not failed
    assert docs[0].text == "Zürich talks."


# --- plain text and HTML ---------------------------------------------------------------------


def test_nul_late_in_a_text_file_fails_it(tmp_path: Path) -> None:
    (tmp_path / "late.txt").write_bytes(b"Talks resumed. " * 1000 + b"\x00 and more")
    _, failed = read_folder(tmp_path)
    assert "NUL character at character 15,000" in reasons(failed)["late.txt"]


@pytest.mark.parametrize("codec", ["utf-16-le", "utf-16-be"])
def test_utf16_text_without_bom_is_decoded(tmp_path: Path, codec: str) -> None:
    (tmp_path / "wide.txt").write_bytes("Talks resumed in Zürich — “soon”.".encode(codec))
    docs, failed = read_folder(tmp_path)
    assert not failed
    assert docs[0].text == "Talks resumed in Zürich — “soon”."


def test_16_bit_binary_that_looks_like_utf16_is_still_binary(tmp_path: Path) -> None:
    (tmp_path / "samples.txt").write_bytes(bytes(range(1, 31)) * 20)
    _, failed = read_folder(tmp_path)
    assert "binary" in reasons(failed)["samples.txt"]


def test_html_nested_thousands_deep_gives_its_text(tmp_path: Path) -> None:
    body = "<div>" * 5000 + f"<p>{GOOD}</p>" + "</div>" * 5000
    (tmp_path / "deep.html").write_text(f"<html><body>{body}</body></html>")
    docs, failed = read_folder(tmp_path)
    assert not failed
    assert docs[0].text == GOOD


def test_html_nested_deep_without_words_fails_with_the_reason(tmp_path: Path) -> None:
    (tmp_path / "deep.html").write_text("<html><body>" + "<div>" * 5000 + "Home</body></html>")
    _, failed = read_folder(tmp_path)
    assert reasons(failed)["deep.html"] == (
        "no article text found (the page is nested more than 256 elements deep)"
    )


# --- files that are not files, and folders -------------------------------------------------


@pytest.mark.timeout(20)
def test_fifo_in_a_folder_is_refused_without_blocking(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "pipe.txt")
    _, failed = read_folder(tmp_path)
    assert reasons(failed) == {
        "pipe.txt": "a named pipe (FIFO), not a regular file; copy what it holds into a file "
        "and ingest that"
    }


@pytest.mark.timeout(20)
def test_fifo_named_as_a_corpus_is_refused_without_blocking(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "pipe.jsonl")
    _, failed = read_folder(tmp_path)
    assert "named pipe (FIFO)" in reasons(failed)["pipe.jsonl"]


@pytest.mark.timeout(20)
def test_symlink_to_a_device_is_refused_by_type(tmp_path: Path) -> None:
    (tmp_path / "zero.txt").symlink_to("/dev/zero")
    (tmp_path / "zero.csv").symlink_to("/dev/zero")
    _, failed = read_folder(tmp_path)
    assert set(reasons(failed)) == {"zero.txt", "zero.csv"}
    assert all(r.startswith("a device, not a regular file") for r in reasons(failed).values())


def test_socket_in_a_folder_is_refused(tmp_path: Path) -> None:
    listener = socket.socket(socket.AF_UNIX)
    try:
        listener.bind(str(tmp_path / "sock.txt"))
        _, failed = read_folder(tmp_path)
    finally:
        listener.close()
    assert reasons(failed)["sock.txt"].startswith("a socket, not a regular file")


@pytest.mark.skipif(not Path("/proc/self/status").is_file(), reason="needs Linux /proc")
def test_size_cap_holds_for_a_file_whose_stat_size_is_zero(tmp_path: Path) -> None:
    # /proc files are regular files that stat as 0 bytes: only counting while reading works
    (tmp_path / "status.txt").symlink_to("/proc/self/status")
    _, failed = read_folder(tmp_path, max_bytes=200)
    assert reasons(failed) == {
        "status.txt": "larger than the 200-byte cap (raise it with --max-mb to read it)"
    }


def test_file_name_that_is_not_utf8_fails_by_name(tmp_path: Path) -> None:
    Path(os.fsdecode(os.fsencode(tmp_path) + b"/caf\xe9.txt")).write_text(GOOD + " Twice.")
    _, failed = read_folder(tmp_path)
    [failure] = failed
    assert failure.input == f"{tmp_path}/caf\\xe9.txt"
    failure.input.encode("utf-8")  # printable and storable: no surrogates left
    assert "file name is not valid UTF-8" in failure.reason
    assert "convmv" in failure.reason


def test_unreadable_subfolder_is_reported(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # tests may run as root, whom chmod does not stop: the listing error is simulated
    locked = tmp_path / "locked"
    locked.mkdir()
    (locked / "hidden.txt").write_text(GOOD)
    scandir = os.scandir

    def refusing(path: Any = ".") -> Any:
        if Path(os.fsdecode(path)) == locked:
            raise PermissionError(13, "Permission denied", str(path))
        return scandir(path)

    monkeypatch.setattr(os, "scandir", refusing)
    _, failed = read_folder(tmp_path)
    assert reasons(failed) == {
        "locked": "cannot list this folder (Permission denied); give yourself read access "
        "(e.g. chmod u+rx) or leave it out"
    }


# --- the whole run, into a store -----------------------------------------------------------


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    opened = Store.open(tmp_path / "db.sqlite")
    try:
        yield opened
    finally:
        opened.close()


@pytest.mark.timeout(60)
def test_a_folder_of_every_hostile_input_stores_the_good_ones(tmp_path: Path, store: Store) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "empty.rss").write_bytes(b"")
    (folder / "late.txt").write_bytes(b"Talks resumed. " * 600 + b"\x00")
    (folder / "nul.jsonl").write_text('{"text": "a \\u0000 b"}\n')
    (folder / "surrogate.jsonl").write_text('{"text": "\\ud800"}\n')
    os.mkfifo(folder / "pipe.txt")
    (folder / "zero.txt").symlink_to("/dev/zero")
    (folder / "wire.rss").write_bytes(rss("&#0;", "Talks &#xD800; resumed."))
    (folder / "zz-good.txt").write_text(GOOD)
    summary = ingest([folder], store)
    assert summary.added == 2
    assert len(summary.failed) == 6
    assert store.get_document("zz-good.txt").text == GOOD


def test_an_input_error_from_the_store_fails_that_document_only(
    tmp_path: Path, store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "a.txt").write_text("The first report.")
    (tmp_path / "b.txt").write_text(GOOD)
    add = store.add_document

    def picky(doc: Document) -> Any:
        if doc.name == "a.txt":
            raise InputError(f"document {doc.name!r} cannot be stored; fix it")
        return add(doc)

    monkeypatch.setattr(store, "add_document", picky)
    summary = ingest([tmp_path], store)
    assert summary.added == 1
    assert summary.failed == [
        Failure(str(tmp_path / "a.txt"), "document 'a.txt' cannot be stored; fix it")
    ]
