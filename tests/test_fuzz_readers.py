"""Fuzzing every ingest reader: no input may crash a run.

A crash is any exception other than the project's own ``InputError`` (a whole input
refused) escaping a reader; everything else must come out as documents or ``Failure``
items, and every document must be storable (valid UTF-8, no NUL). Inputs are built from
the shapes that broke ingest before (character references to impossible characters,
mismatched tags, deep nesting, lone surrogates, unclosed quotes, UTF-16 without BOM,
special files, names that are not UTF-8) mixed with random text and bytes.

The default run is sized for every test run: ``DEFAULT_EXAMPLES`` inputs per test. Set
``PEACETRACK_FUZZ_EXAMPLES`` for a longer run, e.g. ``PEACETRACK_FUZZ_EXAMPLES=1500``.
Nothing is written outside ``tmp_path``; hypothesis keeps no example database.
"""

from __future__ import annotations

import contextlib
import ipaddress
import json
import os
import shutil
import socket
import uuid
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from peacetrack.errors import FetchError, InputError
from peacetrack.ingest import (
    Failure,
    IngestOptions,
    address_problem,
    check_url,
    fetch,
    read_documents,
)
from peacetrack.ingest.formats.corpus import read_csv, read_jsonl
from peacetrack.ingest.formats.feed import feed_entries
from peacetrack.ingest.formats.html import article, fragment_text
from peacetrack.ingest.formats.text import decode_text
from peacetrack.model import Document

DEFAULT_EXAMPLES = 60
EXAMPLES = int(os.environ.get("PEACETRACK_FUZZ_EXAMPLES", DEFAULT_EXAMPLES))
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    database=None,
    suppress_health_check=list(HealthCheck),
)

# --- building blocks -----------------------------------------------------------------------

HOSTILE = [
    "\x00", "\ud800", "\udfff", "\ufffd", "\ufeff", "\r", "\r\n", "\n", "\x0b", "\x1b[31m",
    "\x85", "\u2028", "\u202e", "&#0;", "&#xD800;", "&#x110000;", "&#99999999999;", "&#x7f;",
    "&amp;", "&bogus;", "\\u0000", "\\ud800", '"', '""', "'", ",", "<", ">", "&", "]]>",
    "<![CDATA[", "<!--", "-->", "<![foo[", "<?xml", "𝕏", "é", "Ω", "Привет", "和平",
    "http://[", "http://127.0.0.1/", "2025-13-45", "\t",
]  # fmt: skip
WORDS = ["talks", "ceasefire", "Geneva", "resumed", "the", "council", "said", "on", "Monday"]
CODECS = ["utf-8", "utf-8-sig", "utf-16", "utf-16-le", "utf-16-be", "cp1252", "latin-1"]

fragment = st.one_of(
    st.sampled_from(HOSTILE), st.sampled_from(WORDS).map(lambda w: f" {w} "), st.text(max_size=12)
)
hostile_text = st.lists(fragment, max_size=30).map("".join)


@st.composite
def encoded(draw: st.DrawFn, text: st.SearchStrategy[str]) -> bytes:
    """``text`` in a random encoding; lone surrogates go through as the bytes they would be."""
    codec = draw(st.sampled_from(CODECS))
    errors = "surrogatepass" if codec.startswith("utf") else "replace"
    return draw(text).encode(codec, errors)


def any_bytes(text: st.SearchStrategy[str]) -> st.SearchStrategy[bytes]:
    return st.one_of(encoded(text), st.binary(max_size=300))


def markup(tags: list[str], attributes: list[str]) -> st.SearchStrategy[str]:
    """Tag soup: opening and closing tags in any order, text, and runs of deep nesting."""
    tag = st.sampled_from(tags)
    part = st.one_of(
        st.tuples(tag, st.sampled_from(attributes)).map(lambda t: f"<{t[0]}{t[1]}>"),
        tag.map(lambda t: f"</{t}>"),
        st.tuples(tag, st.integers(1, 3000)).map(lambda t: f"<{t[0]}>" * t[1]),
        hostile_text,
    )
    return st.lists(part, max_size=25).map("".join)


HTML_TAGS = [
    "html", "head", "body", "title", "div", "p", "span", "b", "a", "ul", "li", "table",
    "tr", "td", "script", "style", "article", "main", "nav", "footer", "br", "h1",
    "blockquote", "pre", "meta", "noscript", "template", "svg", "iframe", "textarea",
]  # fmt: skip
HTML_ATTRIBUTES = ["", ' class="content"', ' href="http://[x"', " charset=utf-16", ' lang="en"']
FEED_TAGS = [
    "item", "entry", "title", "link", "description", "content", "summary", "pubDate",
    "published", "updated", "author", "name", "dc:creator", "georss:point", "media:content",
    "media:group", "psc:chapters", "psc:chapter", "source", "div", "p", "id", "category",
]  # fmt: skip
FEED_ATTRIBUTES = [
    "", ' type="html"', ' type="xhtml"', ' href="http://w.example/a"', ' href="&#0;"',
    ' rel="enclosure" href="x"', ' xmlns="http://www.w3.org/1999/xhtml"', ' start="x"',
]  # fmt: skip
FEED_HEADS = [
    '<?xml version="1.0"?><rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/"'
    ' xmlns:georss="http://www.georss.org/georss"><channel><title>Wire</title>',
    '<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom"'
    ' xmlns:georss="http://www.georss.org/georss"'
    ' xmlns:psc="http://podlove.org/simple-chapters"><title>Dispatch</title>',
    '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"'
    ' xmlns="http://purl.org/rss/1.0/">',
    "",
]

html_pages = st.tuples(
    st.sampled_from(["", "<!DOCTYPE html><html><body>", "<html><head><title>T</title></head>"]),
    markup(HTML_TAGS, HTML_ATTRIBUTES),
).map("".join)
feeds = st.tuples(
    st.sampled_from(FEED_HEADS),
    markup(FEED_TAGS, FEED_ATTRIBUTES),
    st.sampled_from(["", "</channel></rss>", "</feed>", "</rdf:RDF>"]),
).map("".join)

json_scalar = st.one_of(
    st.none(), st.booleans(), st.integers(), st.floats(), hostile_text, st.sampled_from(WORDS)
)
json_value = st.recursive(
    json_scalar,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=4), inner),
    max_leaves=5,
)
COLUMN_NAMES = ["text", "body", "content", "title", "id", "date", "url", "publisher", "author"]
json_rows = st.dictionaries(
    st.sampled_from(COLUMN_NAMES) | st.text(max_size=5), json_value | hostile_text, max_size=6
)
jsonl_lines = st.one_of(
    st.tuples(json_rows, st.booleans()).map(lambda r: json.dumps(r[0], ensure_ascii=r[1])),
    hostile_text,
    st.integers(1, 50_000).map(lambda n: "[" * n),
    st.just('{"text": ' + "9" * 5000 + "}"),
)
jsonl_documents = st.lists(jsonl_lines, max_size=8).map("\n".join)

csv_field = st.one_of(
    hostile_text, hostile_text.map(lambda t: '"' + t.replace('"', '""') + '"'), st.just('"')
)
csv_documents = st.tuples(
    st.sampled_from(["text,title,date", "body,publisher,url", "id,content", "x,y", ""]),
    st.lists(st.lists(csv_field, max_size=5).map(",".join), max_size=8),
).map(lambda t: "\n".join([t[0], *t[1]]))

OPTIONS = st.builds(
    IngestOptions,
    max_bytes=st.sampled_from([40, 2000, 20_000_000]),
    column_map=st.sampled_from([{}, {"text": "x"}, {"text": "body", "date": "id"}]),
)

# --- what every result must satisfy --------------------------------------------------------


def storable(items: Iterable[Document | Failure]) -> list[Document | Failure]:
    """The items, after checking each is a document the store takes or a failure to show."""
    seen = list(items)
    for item in seen:
        assert isinstance(item, Document | Failure), item
        if isinstance(item, Failure):
            assert item.reason
            texts = [item.input, item.reason]
        else:
            assert item.text.strip()
            fields = (item.name, item.title, item.url, item.outlet, item.author, item.source)
            texts = [item.text, *[f for f in fields if f is not None]]
        for text in texts:
            text.encode("utf-8")  # no lone surrogates: printable and storable
            assert "\x00" not in text
    return seen


def refused_or_read(items: Iterator[Document | Failure]) -> None:
    """Read ``items`` to the end; a whole input refused with InputError is fine too."""
    try:
        storable(items)
    except InputError as exc:
        str(exc).encode("utf-8")


class Workspace:
    """A fresh folder under ``tmp_path`` for each example, removed afterwards."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def __enter__(self) -> Path:
        self.folder = self.root / uuid.uuid4().hex
        self.folder.mkdir()
        return self.folder

    def __exit__(self, *exc: object) -> None:
        shutil.rmtree(self.folder, ignore_errors=True)


# --- the readers one by one ----------------------------------------------------------------


@FUZZ
@given(data=any_bytes(hostile_text))
def test_decoding_text(data: bytes) -> None:
    try:
        text, _ = decode_text(data, "fuzz.txt")
    except InputError:
        return
    assert isinstance(text, str)


@FUZZ
@given(page=st.one_of(encoded(html_pages), st.binary(max_size=200)))
def test_html_pages(page: bytes) -> None:
    try:
        text, _ = article(page, None, "fuzz.html")
    except InputError:
        return
    assert text.strip()


@FUZZ
@given(snippet=html_pages)
def test_html_snippets(snippet: str) -> None:
    assert isinstance(fragment_text(snippet), str)


@FUZZ
@given(feed=st.one_of(feeds.map(lambda f: f.encode("utf-8", "surrogatepass")), encoded(feeds)))
def test_feeds(feed: bytes) -> None:
    try:
        entries = feed_entries(feed, "fuzz.rss", "fuzz.rss")
    except InputError:
        return
    for entry in entries:
        assert isinstance(entry.text, str)
        entry.name.encode("utf-8")


@FUZZ
@given(lines=st.lists(jsonl_lines, max_size=8), options=OPTIONS)
def test_jsonl_rows(lines: list[str], options: IngestOptions) -> None:
    refused_or_read(read_jsonl(lines, "fuzz.jsonl", "fuzz", options))


@FUZZ
@given(document=csv_documents, options=OPTIONS)
def test_csv_rows(document: str, options: IngestOptions) -> None:
    refused_or_read(read_csv(document.splitlines(keepends=True), "fuzz.csv", "fuzz", options))


# --- whole inputs through read_documents, as a run reads them ------------------------------

FILE_CONTENT = {
    ".txt": any_bytes(hostile_text),
    ".md": any_bytes(hostile_text),
    ".html": any_bytes(html_pages),
    ".xml": any_bytes(feeds),
    ".rss": any_bytes(feeds),
    ".atom": any_bytes(feeds),
    ".jsonl": any_bytes(jsonl_documents),
    ".csv": any_bytes(csv_documents),
    ".page": any_bytes(st.one_of(html_pages, feeds, jsonl_documents, hostile_text)),
}


@FUZZ
@given(
    extension=st.sampled_from(sorted(FILE_CONTENT)),
    data=st.data(),
    options=OPTIONS,
)
def test_files_of_every_format(
    tmp_path: Path, extension: str, data: st.DataObject, options: IngestOptions
) -> None:
    with Workspace(tmp_path) as folder:
        path = folder / f"input{extension}"
        path.write_bytes(data.draw(FILE_CONTENT[extension]))
        items = storable(read_documents([path], options))
    assert len(items) >= 1  # every named file is read or reported


NAME = st.binary(min_size=1, max_size=10).filter(lambda b: b"/" not in b and b"\x00" not in b)
KIND = st.sampled_from(["file", "file", "file", "folder", "fifo", "device", "dangling", "loop"])
ENTRY = st.tuples(NAME, st.sampled_from([*FILE_CONTENT, "", ".pdf", "/index.csv"]), KIND)


def make_entry(folder: Path, name: bytes, extension: str, kind: str, content: bytes) -> None:
    """Create one thing in ``folder``: a file, a folder, or something that only looks like one."""
    if extension == "/index.csv":
        name, extension = b"index", ".csv"
    path = os.path.join(os.fsencode(folder), name + extension.encode())
    if os.path.lexists(path) or name in (b".", b".."):
        return
    if kind == "file":
        with open(path, "wb") as handle:
            handle.write(content)
    elif kind == "folder":
        os.mkdir(path)
        with open(os.path.join(path, b"inner.txt"), "wb") as handle:
            handle.write(content)
    elif kind == "fifo":
        os.mkfifo(path)
    else:
        target = {"device": b"/dev/zero", "dangling": b"/nonexistent/x", "loop": path}[kind]
        os.symlink(target, path)


@FUZZ
@given(entries=st.lists(ENTRY, max_size=6), data=st.data())
def test_folders(tmp_path: Path, entries: list[Any], data: st.DataObject) -> None:
    with Workspace(tmp_path) as folder:
        for name, extension, kind in entries:
            content = data.draw(FILE_CONTENT.get(extension, st.binary(max_size=50)))
            make_entry(folder, name, extension, kind, content)
        (folder / "zz-last.txt").write_text("The talks resumed on Monday in Geneva.")
        items = storable(read_documents([folder], IngestOptions(max_bytes=5000)))
    last = [i for i in items if isinstance(i, Document) and i.name == "zz-last.txt"]
    assert len(last) == 1, items  # whatever came before, the run reached the last file


# --- addresses and URLs --------------------------------------------------------------------


@pytest.fixture
def no_dns(monkeypatch: pytest.MonkeyPatch) -> None:
    """Host names never resolve, except one invented public host: no lookup leaves the test."""

    def getaddrinfo(host: str, port: int, *args: object, **kwargs: object) -> list[Any]:
        if host != "news.example":
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("93.184.216.34", port))]

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)


def embedded_ipv4(address: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    if address.ipv4_mapped or address.sixtofour:
        return address.ipv4_mapped or address.sixtofour
    if address.teredo:
        return address.teredo[1]
    if address in ipaddress.IPv6Network("64:ff9b::/96"):
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    return None


@FUZZ
@given(
    address=st.one_of(
        st.integers(0, 2**32 - 1).map(ipaddress.IPv4Address),
        st.integers(0, 2**128 - 1).map(ipaddress.IPv6Address),
        st.integers(0, 2**32 - 1).map(lambda n: ipaddress.IPv6Address((0xFFFF << 32) | n)),
        st.integers(0, 2**32 - 1).map(lambda n: ipaddress.IPv6Address((0x2002 << 112) | n << 80)),
        st.integers(0, 2**32 - 1).map(lambda n: ipaddress.IPv6Address((0x64FF9B << 96) | n)),
    )
)
def test_no_special_address_passes(
    address: ipaddress.IPv4Address | ipaddress.IPv6Address,
) -> None:
    problem = address_problem(address)
    inner = embedded_ipv4(address) if isinstance(address, ipaddress.IPv6Address) else None
    if inner is not None and address_problem(inner) is not None:
        assert problem is not None
    translated = isinstance(address, ipaddress.IPv6Address) and (
        address.ipv4_mapped or address in ipaddress.IPv6Network("64:ff9b::/96")
    )  # these two are judged by the IPv4 address inside alone
    if not translated and (not address.is_global or address.is_private or address.is_reserved):
        assert problem is not None


URLISH = st.lists(
    st.sampled_from(["http:", "https:", "//", "\\\\", "[", "]", ":", "Q", "99999", "/x", "@"])
    | st.sampled_from(["news.example", "127.0.0.1", "::1", "0x7f.1", "localhost", "%00"])
    | fragment,
    max_size=8,
).map("".join)


@FUZZ
@given(url=URLISH)
def test_checking_urls(no_dns: None, url: str) -> None:
    with contextlib.suppress(FetchError):
        check_url(url)
    gone = httpx.Client(transport=httpx.MockTransport(lambda request: httpx.Response(404)))
    [failure] = storable(read_documents([f"http://{url}"], IngestOptions(client=gone)))
    assert isinstance(failure, Failure)


@FUZZ
@given(location=URLISH)
def test_redirects_anywhere(no_dns: None, location: str) -> None:
    def site(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/start":
            raw = location.encode("utf-8", "surrogatepass")
            return httpx.Response(302, headers=[(b"location", raw)])
        return httpx.Response(200, headers={"content-type": "text/plain"}, content=b"Talks.")

    client = httpx.Client(transport=httpx.MockTransport(site))
    with contextlib.suppress(FetchError):
        fetch("http://news.example/start", client=client)
