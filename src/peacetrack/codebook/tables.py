"""Reading one codebook file: TOML syntax, table schemas, and where each table sits.

tomllib reports no positions for parsed values, so the line of the n-th ``[[actor]]`` (or
of an alias inside it) is found by scanning the file text: every error can then name
``file:line``, which is what a user editing the file needs.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from peacetrack.errors import CodebookError

_HEADER = re.compile(r"^\s*\[\[\s*([A-Za-z0-9_-]+)\s*\]\]")
_TOML_LINE = re.compile(r"at line (\d+)")

NonEmpty = Annotated[str, Field(min_length=1)]


class Table(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


class IssueTable(Table):
    code: NonEmpty
    label: str | None = None
    definition: str | None = None
    include: str | None = None
    exclude: str | None = None
    cues: list[str] = Field(default_factory=list)
    pax: str | None = None
    territories: bool = False
    recognition: Literal["de_jure", "de_facto"] | None = None
    general: bool = False
    narrows: list[str] = Field(default_factory=list)
    setting: bool = False


class ActorTable(Table):
    id: NonEmpty
    name: str | None = None
    kind: Literal["state", "group", "organisation", "bloc"] | None = None
    aliases: list[str] = Field(default_factory=list)
    adjectives: list[str] = Field(default_factory=list)
    members: list[str] = Field(default_factory=list)


class PlaceTable(Table):
    code: NonEmpty
    name: str | None = None
    aliases: list[str] = Field(default_factory=list)


class AreaTable(Table):
    name: NonEmpty
    codes: list[str] = Field(min_length=1)
    aliases: list[str] = Field(default_factory=list)


class ConflictTable(Table):
    id: NonEmpty
    name: str | None = None
    aliases: list[str] = Field(default_factory=list)
    parties: list[str] = Field(default_factory=list)
    around: list[str] = Field(default_factory=list)
    places: list[str] = Field(default_factory=list)
    start: date | None = None


#: Table kinds in the order they are applied: areas need places, members need actors,
#: conflicts need both.
SCHEMAS: dict[str, type[Table]] = {
    "issue": IssueTable,
    "place": PlaceTable,
    "area": AreaTable,
    "actor": ActorTable,
    "conflict": ConflictTable,
}


@dataclass(frozen=True)
class Located:
    """Where a table sits in its file, to point errors at the right line."""

    path: Path
    kind: str
    number: int  # 1-based among tables of this kind
    start: int | None  # line of the [[kind]] header
    lines: tuple[str, ...]  # the table's text, header first

    def where(self, needle: str | None = None) -> str:
        """``file:line`` of the header, or of the first line inside the table holding needle."""
        if self.start is None:
            return f"{self.path} ([[{self.kind}]] #{self.number})"
        if needle is not None:
            quoted = (f'"{needle}"', f"'{needle}'")
            for offset, line in enumerate(self.lines):
                if any(q in line for q in quoted) or line.lstrip().startswith(f"{needle} "):
                    return f"{self.path}:{self.start + offset}"
        return f"{self.path}:{self.start}"

    def error(self, message: str, needle: str | None = None) -> CodebookError:
        return CodebookError(f"{self.where(needle)}: [[{self.kind}]] {message}")


def read_tables(path: Path) -> Iterator[tuple[Located, Table]]:
    """Parse a codebook file and yield its tables, validated, in the order they apply."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise CodebookError(f"{path}: cannot read codebook file ({exc})") from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        match = _TOML_LINE.search(str(exc))
        where = f"{path}:{match.group(1)}" if match else str(path)
        raise CodebookError(f"{where}: TOML syntax error: {exc}; fix the syntax there") from None
    spans = _header_spans(text)
    for key in data:
        if key not in SCHEMAS:
            line = next((s for k, s, _ in spans if k == key), None)
            where = f"{path}:{line}" if line else str(path)
            raise CodebookError(
                f"{where}: unknown table {key!r}; a codebook holds only "
                + ", ".join(f"[[{k}]]" for k in SCHEMAS)
            )
    for kind, schema in SCHEMAS.items():
        tables = data.get(kind, [])
        if not isinstance(tables, list):
            raise CodebookError(f"{path}: {kind!r} must be written as [[{kind}]] tables")
        mine = [(start, body) for k, start, body in spans if k == kind]
        for number, raw in enumerate(tables, 1):
            start, body = mine[number - 1] if number <= len(mine) else (None, ())
            located = Located(path, kind, number, start, body)
            yield located, _validate(schema, raw, located)


def _validate(schema: type[Table], raw: Any, located: Located) -> Table:
    if not isinstance(raw, dict):
        raise located.error("must be a table of key = value pairs")
    try:
        return schema.model_validate(raw)
    except ValidationError as exc:
        first = exc.errors()[0]
        key = ".".join(str(p) for p in first["loc"])
        allowed = ", ".join(schema.model_fields)
        if first["type"] == "extra_forbidden":
            problem = f"has unknown key {key!r}; allowed keys are {allowed}"
        elif first["type"] == "missing":
            problem = f"is missing the required key {key!r}"
        else:
            problem = f"key {key!r}: {first['msg']}"
        raise located.error(problem, needle=key) from None


def _header_spans(text: str) -> list[tuple[str, int, tuple[str, ...]]]:
    """(kind, header line number, lines up to the next header) for every [[...]] header."""
    lines = text.splitlines()
    heads = [(i, m.group(1)) for i, line in enumerate(lines) if (m := _HEADER.match(line))]
    spans = []
    for n, (i, kind) in enumerate(heads):
        end = heads[n + 1][0] if n + 1 < len(heads) else len(lines)
        spans.append((kind, i + 1, tuple(lines[i:end])))
    return spans
