"""Document metadata from wherever it can be had: columns, sidecar files, the text itself.

Metadata is a convenience for comparing outlets and dates; it must never block ingesting a
report, so every guess here returns None rather than failing.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Mapping
from dataclasses import dataclass, fields, replace
from datetime import date, datetime
from pathlib import Path
from urllib.parse import urlsplit

from peacetrack.errors import InputError
from peacetrack.ingest.base import COLUMNS
from peacetrack.ingest.local import open_regular

SIDECAR = "index.csv"
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}")
_NAME = r"[A-Z][\w.'’-]*(?:\s+[A-Z][\w.'’-]*)+"
_NAMES = rf"{_NAME}(?:(?:,\s*|\s+and\s+|\s*&\s*){_NAME})*"
_BYLINE = re.compile(rf"^By\s+({_NAMES})\s*$")
_PERSON = re.compile(rf"^{_NAMES}$")
_HEADLINE_MAX = 150
#: Longer than any way of writing a date; dateparser is slow on long strings.
_DATE_MAX = 100
_CONTROLS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_SURROGATES = re.compile("[\ud800-\udfff]")


@dataclass(frozen=True)
class Meta:
    """The metadata a document may carry besides its text."""

    title: str | None = None
    url: str | None = None
    outlet: str | None = None
    author: str | None = None
    published: date | None = None

    def filled_from(self, fallback: Meta) -> Meta:
        """These values, with gaps filled from ``fallback`` (a weaker source)."""
        gaps = {
            f.name: getattr(fallback, f.name) for f in fields(self) if getattr(self, f.name) is None
        }
        return replace(self, **gaps)

    def cleaned(self) -> Meta:
        """These values with what no store or terminal takes removed (see ``clean_value``)."""

        def clean(value: str | None) -> str | None:
            return clean_value(value) or None if value else None

        return replace(
            self,
            title=clean(self.title),
            url=clean(self.url),
            outlet=clean(self.outlet),
            author=clean(self.author),
        )


def clean_value(value: str) -> str:
    """A metadata value without control characters, and U+FFFD for unpaired surrogates.

    Titles, names and authors come from strangers' feeds and corpora; a NUL or a lone
    surrogate in one would make the store refuse the whole report, for a title.
    """
    value = _CONTROLS.sub("", value)
    return _SURROGATES.sub("\ufffd", value).strip()


def pick_value(row: Mapping[str, object], key: str, column_map: Mapping[str, str]) -> object:
    """The first non-blank value, as it is, among the columns that may hold ``key``.

    Columns are matched ignoring case; None when there is none.
    """
    lowered = {str(k).strip().lower(): v for k, v in row.items() if k is not None}
    names = ((column_map[key],) if key in column_map else ()) + COLUMNS[key]
    for name in names:
        value = lowered.get(name.lower())
        if value is not None and str(value).strip():
            return value
    return None


def pick(row: Mapping[str, object], key: str, column_map: Mapping[str, str]) -> str | None:
    """The first non-blank value among the columns that may hold ``key``, as stripped text."""
    value = pick_value(row, key, column_map)
    return None if value is None else str(value).strip()


def meta_from_row(row: Mapping[str, object], column_map: Mapping[str, str]) -> Meta:
    """Metadata from a corpus row or sidecar row; a publisher "Outlet (Name)" gives the author."""
    outlet, author = split_publisher(pick(row, "outlet", column_map))
    return Meta(
        title=pick(row, "title", column_map),
        url=_url_from_row(row, column_map),
        outlet=outlet,
        author=pick(row, "author", column_map) or author,
        published=parse_date(pick(row, "date", column_map)),
    )


def _url_from_row(row: Mapping[str, object], column_map: Mapping[str, str]) -> str | None:
    """Only web addresses count: provenance columns often hold repository paths instead."""
    candidates = [pick(row, "url", column_map)]
    candidates += [str(v) for k, v in row.items() if k and str(k).lower().startswith("url") and v]
    return next((url for value in candidates if (url := web_url(value))), None)


def web_url(value: str | None) -> str | None:
    """``value`` when it is an http(s) address with a host, else None.

    What passes is safe to store, show and hand to ``fetch`` (which still checks where it
    points): no control characters, and a form ``urlsplit`` can take apart.
    """
    value = (value or "").strip()
    if not value or _CONTROLS.search(value) or _SURROGATES.search(value):
        return None
    try:
        parts = urlsplit(value)
        host = parts.hostname
    except ValueError:  # e.g. "http://[" (an unclosed IPv6 bracket), a bad port
        return None
    return value if parts.scheme.lower() in ("http", "https") and host else None


def split_publisher(value: str | None) -> tuple[str | None, str | None]:
    """``Wire (Ana Ruiz)`` -> outlet Wire, author Ana Ruiz; anything else unchanged."""
    if not value:
        return None, None
    match = re.fullmatch(r"(.+?)\s*\((.+)\)", value)
    if match and _PERSON.match(match.group(2)):
        return match.group(1), match.group(2)
    return value, None


def parse_date(value: str | None) -> date | None:
    """ISO dates directly, anything else through dateparser; None when there is no full date."""
    value = (value or "").strip()
    if not value or len(value) > _DATE_MAX:
        return None
    if _ISO_DATE.match(value):
        try:
            return date.fromisoformat(value[:10])
        except ValueError:
            return None
    import dateparser  # slow to import; most inputs never need it

    try:
        parsed: datetime | None = dateparser.parse(
            value, languages=["en"], settings={"REQUIRE_PARTS": ["day", "month", "year"]}
        )
    except Exception:  # a third-party guesser failing on one odd string costs only that date
        return None
    return parsed.date() if parsed else None


def url_slug(url: str) -> str:
    """A readable name for a URL: host (less www.) and path, e.g. ``news.example-world-a1``."""
    try:
        parts = urlsplit(url)
        host = (parts.hostname or "").removeprefix("www.")
    except ValueError:  # not a URL after all; its characters still make a name
        return slug(url) or "document"
    return slug(f"{host} {parts.path} {parts.query}") or "document"


def slug(text: str, limit: int = 100) -> str:
    """Lower-case letters, digits and dots joined by single hyphens: safe as a file name."""
    return re.sub(r"[^a-z0-9.]+", "-", text.lower()).strip("-.")[:limit].rstrip("-.")


def text_meta(text: str) -> Meta:
    """What a plain-text report says about itself: a headline first line, a "By NAME" byline."""
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    if len(lines) < 2:
        return Meta()
    author = next((m.group(1) for line in lines[:5] if (m := _BYLINE.match(line))), None)
    return Meta(title=_headline(lines[0]), author=author)


def _headline(line: str) -> str | None:
    line = line.lstrip("#").strip().strip("*").strip()
    if not line or len(line) > _HEADLINE_MAX or line.endswith((".", ":", ",")):
        return None
    if line.startswith(("- ", "• ")) or _BYLINE.match(line):
        return None
    return line


def load_sidecar(path: Path) -> dict[Path, dict[str, str]] | None:
    """Rows of a metadata ``index.csv`` keyed by the resolved file they describe.

    None when the CSV has no ``file`` column: then it is a corpus, not a sidecar. A bare file
    name also matches that name one folder down, for the common layout ``index.csv`` beside
    a ``docs/`` folder.
    """
    try:
        with open_regular(path) as raw:
            handle = io.TextIOWrapper(raw, encoding="utf-8-sig", newline="")
            reader = csv.DictReader(handle)
            if "file" not in [(f or "").strip().lower() for f in reader.fieldnames or []]:
                return None
            rows = [{(k or "").strip().lower(): (v or "") for k, v in r.items()} for r in reader]
        base = path.parent
        subfolders = [d for d in base.iterdir() if d.is_dir() and not d.name.startswith(".")]
    except (InputError, OSError, UnicodeDecodeError, csv.Error):
        return None
    table: dict[Path, dict[str, str]] = {}
    for row in rows:
        name = row.get("file", "").strip()
        if not name:
            continue
        table[resolved(base / name)] = row
        if Path(name).name == name:
            for sub in subfolders:
                table.setdefault(resolved(sub / name), row)
    return table


def resolved(path: Path) -> Path:
    """``path`` with its links followed; as it is (made absolute) when they loop.

    ``Path.resolve`` raises on a symlink loop, and a loop named like a report must cost
    that one input (reading it fails later, by name), not the listing of the whole folder.
    """
    try:
        return path.resolve()
    except (OSError, RuntimeError):
        return path.absolute()


#: Sidecars already read during one expansion, by resolved path (None: not a sidecar).
SidecarCache = dict[Path, dict[Path, dict[str, str]] | None]


def cached_sidecar(path: Path, cache: SidecarCache) -> dict[Path, dict[str, str]] | None:
    key = resolved(path)
    if key not in cache:
        cache[key] = load_sidecar(key) if key.is_file() else None
    return cache[key]


def sidecar_row(file: Path, cache: SidecarCache) -> dict[str, str]:
    """The sidecar row naming ``file``, from an ``index.csv`` in its folder or the one above."""
    real = resolved(file)
    for folder in (real.parent, real.parent.parent):
        row = (cached_sidecar(folder / SIDECAR, cache) or {}).get(real)
        if row is not None:
            return row
    return {}
