"""The messages ``llm.v1`` sends: a system prompt built from the codebook, one user message
per chunk.

The prompt is data (``data/prompt_v1.md`` and ``data/examples_v1.jsonl``), filled in with
the codebook's issue definitions. A request depends only on the chunk's text, the codebook
and the prompt version, never on time, run order or random ids, so the same chunk always
sends the same request: that is what lets answers be cached and replayed. ``prompt_hash``
identifies the rendered system prompt and is stored with every claim it produced.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from functools import cached_property
from importlib.resources import files
from string import Template
from typing import Any

from peacetrack.codebook import Codebook
from peacetrack.extract.llm.mentions import NameFinder

PROMPT_VERSION = "v1"

Message = dict[str, str]


def _data(name: str) -> str:
    return files("peacetrack.extract.llm").joinpath("data", name).read_text(encoding="utf-8")


@dataclass(frozen=True)
class Part:
    """Where a chunk stands in its document, said to the model so it knows text is missing."""

    index: int
    total: int


class Prompt:
    """Renders the system prompt once per codebook and a user message per chunk."""

    def __init__(self, codebook: Codebook) -> None:
        self.codebook = codebook
        self.actors = NameFinder.actors(codebook)
        self.places = NameFinder.places(codebook)

    @cached_property
    def system(self) -> str:
        template = Template(_data(f"prompt_{PROMPT_VERSION}.md"))
        return template.substitute(issues=self._issues(), examples=self._examples())

    @cached_property
    def hash(self) -> str:
        """Twelve hex digits naming this prompt version rendered with this codebook."""
        return hashlib.sha256(self.system.encode("utf-8")).hexdigest()[:12]

    def messages(self, text: str, part: Part | None = None) -> list[Message]:
        return [
            {"role": "system", "content": self.system},
            {"role": "user", "content": self.user(text, part)},
        ]

    def user(self, text: str, part: Part | None = None) -> str:
        """The chunk with the codebook actors and places it names, as the examples show."""
        return self._user(
            text, _listed(self.actors.mentions(text)), _listed(self.places.mentions(text)), part
        )

    @staticmethod
    def _user(text: str, actors: str, places: str, part: Part | None = None) -> str:
        lines = [f"Codebook actors this text names: {actors}", f"Places this text names: {places}"]
        where = ""
        if part is not None and part.total > 1:
            where = f" (part {part.index + 1} of {part.total} of a longer report)"
        lines.append(f"Text{where}:\n<<<\n{text}\n>>>")
        return "\n".join(lines)

    def _issues(self) -> str:
        lines = []
        for issue in self.codebook.issues.values():
            line = f"- {issue.code} ({issue.label}): {issue.definition}"
            if issue.include:
                line += f" Includes: {issue.include}"
            if issue.exclude:
                line += f" Not: {issue.exclude}"
            lines.append(line)
        return "\n".join(lines)

    def _examples(self) -> str:
        """The worked examples, their name lines as written in the examples file: they show
        the form of an answer, and do not change when a codebook grows."""
        blocks = []
        for number, line in enumerate(_data(f"examples_{PROMPT_VERSION}.jsonl").splitlines(), 1):
            example: dict[str, Any] = json.loads(line)
            answer = json.dumps({"claims": example["claims"]}, ensure_ascii=False)
            shown = self._user(example["text"], example["actors_named"], example["places_named"])
            blocks.append(f"## Example {number}\n\n{shown}\n\nAnswer:\n{answer}")
        return "\n\n".join(blocks)


def _listed(found: dict[str, list[str]]) -> str:
    """``RUS (Moscow, Kremlin, Putin); UKR (Kyiv)``: each entry with its first three names."""
    return (
        "; ".join(f"{owner} ({', '.join(names[:3])})" for owner, names in found.items()) or "none"
    )
