"""Where the model is and how hard to push it: one frozen value, from options and environment.

Settings come from the command line first, then ``PEACETRACK_LLM_*`` variables, then the
``OPENAI_*`` variables the ``openai`` SDK itself reads, so a user who already points the
SDK at a server (Ollama, vLLM, llama.cpp, LM Studio, a hosted provider) needs nothing else.
A setting that is missing is an error naming the option and the variable that set it,
raised before any document is read.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, fields
from typing import Any

from peacetrack.errors import PeaceTrackError


class LLMSettingsError(PeaceTrackError):
    """A language-model setting is missing or malformed: names the option and variable."""


@dataclass(frozen=True)
class LLMSettings:
    """Everything that decides how ``llm.v1`` talks to its endpoint.

    ``price_in``/``price_out`` are in currency units per million tokens; when both are set
    the closing line of a run gives its cost.
    """

    model: str
    base_url: str | None = None
    api_key: str | None = None
    timeout: float = 120.0
    concurrency: int = 4
    max_retries: int = 4
    max_output_tokens: int = 4096
    chunk_tokens: int = 3000
    prefilter: bool = True
    refresh: bool = False
    price_in: float | None = None
    price_out: float | None = None

    @property
    def endpoint(self) -> str:
        """The endpoint as people name it, for messages and for remembering what works."""
        return self.base_url or "https://api.openai.com/v1"

    def cost(self, tokens_in: int, tokens_out: int) -> float | None:
        if self.price_in is None or self.price_out is None:
            return None
        return (tokens_in * self.price_in + tokens_out * self.price_out) / 1_000_000


#: Option name -> environment variables read for it, first found wins.
ENVIRONMENT: Mapping[str, tuple[str, ...]] = {
    "model": ("PEACETRACK_LLM_MODEL",),
    "base_url": ("PEACETRACK_LLM_BASE_URL", "OPENAI_BASE_URL"),
    "api_key": ("PEACETRACK_LLM_API_KEY", "OPENAI_API_KEY"),
    "timeout": ("PEACETRACK_LLM_TIMEOUT",),
    "concurrency": ("PEACETRACK_LLM_CONCURRENCY",),
    "max_retries": ("PEACETRACK_LLM_MAX_RETRIES",),
    "price_in": ("PEACETRACK_LLM_PRICE_IN",),
    "price_out": ("PEACETRACK_LLM_PRICE_OUT",),
}

_POSITIVE = {"timeout", "concurrency", "max_output_tokens", "chunk_tokens"}


def resolve_settings(
    options: Mapping[str, Any], environ: Mapping[str, str] | None = None
) -> LLMSettings:
    """Settings from ``options`` (None or absent means "not given"), then the environment."""
    env = os.environ if environ is None else environ
    types = {f.name: f.type for f in fields(LLMSettings)}
    unknown = sorted(set(options) - set(types))
    if unknown:
        raise LLMSettingsError(f"llm.v1 has no option {', '.join(unknown)}")
    values: dict[str, Any] = {k: v for k, v in options.items() if v is not None}
    for name, variables in ENVIRONMENT.items():
        if name not in values:
            found = next((env[v] for v in variables if env.get(v)), None)
            if found is not None:
                values[name] = _parsed(name, found, variables[0])
    if not values.get("model"):
        raise LLMSettingsError(
            "llm.v1 needs a model: give --model NAME or set PEACETRACK_LLM_MODEL "
            "(e.g. gpt-4.1-mini, or llama3.1:8b for Ollama)"
        )
    for name in _POSITIVE & set(values):
        if float(values[name]) <= 0:
            raise LLMSettingsError(f"llm.v1 setting {name} must be positive, not {values[name]}")
    return LLMSettings(**values)


def _parsed(name: str, raw: str, variable: str) -> Any:
    if name in {"model", "base_url", "api_key"}:
        return raw.strip()
    try:
        return int(raw) if name in {"concurrency", "max_retries"} else float(raw)
    except ValueError:
        raise LLMSettingsError(f"{variable}={raw!r} is not a number: fix or unset it") from None
