"""What the model must answer (a JSON schema) and how its answer is read.

Servers differ in how far they enforce a schema, so the answer is read tolerantly (code
fences, prose around the object, small syntax slips repaired) and then checked claim by
claim: a claim with an unknown code, an ill-formed actor id or a missing field is dropped
and counted by reason, while the other claims of the answer are kept.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError

from peacetrack.codebook import Codebook
from peacetrack.model import ACTOR_ID, Claim, Stance


class MalformedAnswer(ValueError):
    """The answer holds no JSON object with a list of claims."""


def answer_schema(codebook: Codebook) -> dict[str, Any]:
    """The JSON schema of an answer, in the strict subset OpenAI-style servers accept."""
    ids = {"type": "array", "items": {"type": "string"}}
    issue = {"type": "string", "enum": sorted(codebook.issues)}

    def nullable(schema: dict[str, Any]) -> dict[str, Any]:
        return {"anyOf": [schema, {"type": "null"}]}

    def strict(properties: dict[str, Any]) -> dict[str, Any]:
        return {
            "type": "object",
            "properties": properties,
            "required": list(properties),
            "additionalProperties": False,
        }

    condition = strict(
        {"relation": {"type": "string", "enum": ["before", "after"]}, "issue": issue}
    )
    recognition = strict({"by": ids, "type": {"type": "string", "enum": ["de_jure", "de_facto"]}})
    claim = strict(
        {
            "actors": ids,
            "stance": {"type": "string", "enum": [s.value for s in Stance]},
            "issue": issue,
            "obligor": nullable(ids),
            "territories": nullable(ids),
            "conditions": nullable({"type": "array", "items": condition}),
            "recognition": nullable(recognition),
            "proposal": nullable({"type": "string"}),
            "attribution": strict(
                {"source": nullable({"type": "string"}), "anonymous": {"type": "boolean"}}
            ),
            "evidence": {"type": "string"},
            "confidence": {"type": "number"},
        }
    )
    return strict({"claims": {"type": "array", "items": claim}})


_FENCE = re.compile(r"^```[a-zA-Z]*\s*|\s*```\s*$")


def parse_answer(content: str) -> list[Any]:
    """The list of raw claims in an answer, or MalformedAnswer."""
    text = _FENCE.sub("", content.strip())
    start, end = text.find("{"), text.rfind("}")
    if start < 0 or end <= start:
        if text.startswith("[") and text.endswith("]"):  # a bare list of claims
            return _as_list(_loads(text))
        raise MalformedAnswer("the answer holds no JSON object")
    data = _loads(text[start : end + 1])
    if isinstance(data, dict) and "claims" in data:
        return _as_list(data["claims"])
    raise MalformedAnswer("the answer's JSON object has no 'claims' list")


def _loads(text: str) -> Any:
    try:
        return json.loads(text)
    except json.JSONDecodeError:
        pass
    try:
        from json_repair import repair_json
    except ImportError:  # pragma: no cover - json_repair comes with the llm extra
        raise MalformedAnswer("the answer is not valid JSON") from None
    repaired = repair_json(text, return_objects=True)
    if repaired in ("", None):
        raise MalformedAnswer("the answer is not valid JSON, and could not be repaired")
    return repaired


def _as_list(value: Any) -> list[Any]:
    if not isinstance(value, list):
        raise MalformedAnswer("'claims' in the answer is not a list")
    return value


@dataclass
class Drops:
    """Claims left out of an answer, by reason, for the run's closing line."""

    reasons: Counter[str] = field(default_factory=Counter)

    def add(self, reason: str, count: int = 1) -> None:
        self.reasons[reason] += count

    def merge(self, other: Drops) -> None:
        self.reasons.update(other.reasons)

    @property
    def total(self) -> int:
        return sum(self.reasons.values())


def checked_claim(raw: Any, codebook: Codebook, drops: Drops) -> tuple[Claim, float] | None:
    """A raw claim as a (not yet located) Claim with its confidence, or None (counted)."""
    if not isinstance(raw, dict):
        drops.add("not an object")
        return None
    data = {k: v for k, v in raw.items() if v is not None}
    confidence = _confidence(data.pop("confidence", None))
    if data.get("issue") not in codebook.issues:
        drops.add("unknown issue code")
        return None
    for role in ("actors", "obligor"):
        if role in data:
            ids = _actor_ids(data[role], codebook)
            if ids is None:
                drops.add("ill-formed actor id")
                return None
            data[role] = ids
    attribution = data.get("attribution")
    if isinstance(attribution, dict) and attribution.get("source") is None:
        data["attribution"] = None if not attribution.get("anonymous") else attribution
    try:
        claim = Claim.model_validate(data, context={"codebook": codebook})
    except ValidationError as exc:
        drops.add(_reason(exc))
        return None
    return claim, confidence


def _actor_ids(values: Any, codebook: Codebook) -> list[str] | None:
    """Ids as given, or resolved from a name the model used instead ("Russia" -> RUS);
    None when one is neither a codebook actor nor a well-formed new id."""
    if not isinstance(values, list):
        return None
    ids = []
    for value in values:
        if not isinstance(value, str):
            return None
        if value in codebook.actors or ACTOR_ID.match(value):
            ids.append(value)
        elif (resolved := codebook.resolve_actor(value)) is not None:
            ids.append(resolved)
        else:
            return None
    return ids


def _confidence(value: Any) -> float:
    """The model's confidence clipped to 0-1; a model that gives none is taken at 0.5."""
    try:
        number = float(value)
    except (TypeError, ValueError):
        return 0.5
    return min(max(number, 0.0), 1.0) if number == number else 0.5


def _reason(exc: ValidationError) -> str:
    first = exc.errors()[0]
    where = str(first["loc"][0]) if first["loc"] else "claim"
    return f"invalid {where}"
