"""Talking to an OpenAI-compatible chat endpoint through the ``openai`` SDK.

The SDK already retries 429s, 5xx answers and timeouts with exponential backoff (honouring
``Retry-After``), so this module adds only what PeaceTrack needs on top: asking for
structured output in the strongest form the server supports (a JSON schema, then JSON
mode, then plain text) and remembering what worked for the rest of the run; and turning
the SDK's exceptions into errors that say which setting to fix. Errors that no document
can get past (the endpoint is unreachable, the key is refused, the model does not exist)
stop the run; the others fail one document.
"""

from __future__ import annotations

from collections.abc import Sequence
from threading import Lock
from typing import TYPE_CHECKING, Any

from peacetrack.errors import MissingExtra, PeaceTrackError
from peacetrack.extract.llm.settings import LLMSettings
from peacetrack.model import ModelReply as Reply

if TYPE_CHECKING:
    import httpx
    from openai import OpenAI

    from peacetrack.extract.llm.prompt import Message

MODES = ("json_schema", "json_object", "text")
#: Words in a refusal that show it is about the structured-output request.
_FORMAT_WORDS = ("response_format", "json_schema", "json schema", "json_object", "format")


class EndpointError(PeaceTrackError):
    """No request can succeed: unreachable endpoint, refused key, unknown model."""


class RequestFailed(Exception):
    """One request failed after the SDK's retries; the document it belongs to fails."""


class ChatClient:
    """One endpoint and model; safe to call from several threads at once."""

    def __init__(
        self,
        settings: LLMSettings,
        schema: dict[str, Any],
        http_client: httpx.Client | None = None,
    ) -> None:
        self.settings = settings
        self._schema = schema
        self._sdk = _sdk_client(settings, http_client)
        self._mode = 0
        #: Request options, adjusted when a server refuses one (reasoning models want
        #: max_completion_tokens and refuse temperature=0).
        self._options: dict[str, Any] = {
            "temperature": 0,
            "max_tokens": settings.max_output_tokens,
        }
        self._lock = Lock()

    @property
    def mode(self) -> str:
        """The structured-output form that works with this endpoint, as far as known."""
        return MODES[self._mode]

    def check(self) -> list[str]:
        """Fail now if the endpoint cannot be used; return notes worth showing the user."""
        import openai

        try:
            listed = [m.id for m in self._sdk.with_options(max_retries=1).models.list()]
        except openai.NotFoundError:
            return []  # some servers have no model listing; the first request will tell
        except openai.APIError as exc:
            raise self._endpoint_error(exc) from None
        if listed and self.settings.model not in listed:
            shown = ", ".join(listed[:8]) + (" ..." if len(listed) > 8 else "")
            return [
                f"{self.settings.endpoint} does not list model {self.settings.model!r} "
                f"(it lists {shown}); going on, as some servers serve unlisted names"
            ]
        return []

    def complete(self, messages: Sequence[Message]) -> Reply:
        """The model's reply, trying weaker output forms when the server refuses one."""
        import openai

        while True:
            mode = self._mode
            try:
                response = self._sdk.chat.completions.create(
                    model=self.settings.model,
                    messages=list(messages),  # type: ignore[arg-type]
                    **dict(self._options),
                    **self._format(mode),
                )
            except (openai.BadRequestError, openai.UnprocessableEntityError) as exc:
                if self._adapt(mode, _message(exc).lower()):
                    continue
                raise RequestFailed(_message(exc)) from None
            except (openai.AuthenticationError, openai.PermissionDeniedError,
                    openai.NotFoundError, openai.APIConnectionError) as exc:  # fmt: skip
                if isinstance(exc, openai.APITimeoutError):
                    raise RequestFailed(f"no answer within {self.settings.timeout:g} s") from None
                raise self._endpoint_error(exc) from None
            except openai.APIError as exc:
                raise RequestFailed(_message(exc)) from None
            return _reply(response)

    def _format(self, mode: int) -> dict[str, Any]:
        if MODES[mode] == "json_schema":
            schema = {"name": "claims", "strict": True, "schema": self._schema}
            return {"response_format": {"type": "json_schema", "json_schema": schema}}
        if MODES[mode] == "json_object":
            return {"response_format": {"type": "json_object"}}
        return {}

    def _adapt(self, mode: int, refusal: str) -> bool:
        """Change what was refused, if it is something we can do without; True to retry."""
        with self._lock:
            if "max_tokens" in refusal and "max_tokens" in self._options:
                self._options["max_completion_tokens"] = self._options.pop("max_tokens")
                return True
            if "temperature" in refusal and "temperature" in self._options:
                del self._options["temperature"]
                return True
            if mode + 1 < len(MODES) and any(w in refusal for w in _FORMAT_WORDS):
                self._mode = max(self._mode, mode + 1)
                return True
            return mode < self._mode  # another thread already weakened it: try again

    def _endpoint_error(self, exc: Exception) -> EndpointError:
        import openai

        where = self.settings.endpoint
        if isinstance(exc, openai.APIConnectionError):
            hint = "check --base-url or PEACETRACK_LLM_BASE_URL, and that the server is running"
            return EndpointError(f"cannot reach the model endpoint {where}: {hint}")
        if isinstance(exc, openai.AuthenticationError | openai.PermissionDeniedError):
            return EndpointError(
                f"{where} refused the API key: set PEACETRACK_LLM_API_KEY (or OPENAI_API_KEY)"
            )
        if isinstance(exc, openai.NotFoundError):
            return EndpointError(
                f"{where} has no model {self.settings.model!r}: check --model or "
                "PEACETRACK_LLM_MODEL (for Ollama, `ollama pull` it first)"
            )
        return EndpointError(f"{where}: {_message(exc)}")


def _sdk_client(settings: LLMSettings, http_client: httpx.Client | None) -> OpenAI:
    try:
        import openai
    except ImportError:
        raise MissingExtra("llm", "The llm.v1 extractor") from None
    if not settings.api_key and not settings.base_url:
        raise EndpointError(
            "llm.v1 needs an API key for the OpenAI API: set PEACETRACK_LLM_API_KEY or "
            "OPENAI_API_KEY, or point --base-url at a local server (e.g. Ollama's "
            "http://127.0.0.1:11434/v1)"
        )
    return openai.OpenAI(
        # Local servers ignore the key, but the SDK insists on one.
        api_key=settings.api_key or "not-needed",
        base_url=settings.base_url,
        timeout=settings.timeout,
        max_retries=settings.max_retries,
        # The SDK's own transport is httpx2; it takes an httpx client too (test doubles).
        http_client=http_client,  # type: ignore[arg-type]
    )


def _message(exc: Exception) -> str:
    body = getattr(exc, "body", None)
    if isinstance(body, dict):
        detail = body.get("message") or body.get("error")
        if isinstance(detail, dict):
            detail = detail.get("message")
        if detail:
            return f"{type(exc).__name__}: {detail}"
    return f"{type(exc).__name__}: {exc}"


def _reply(response: Any) -> Reply:
    choice = response.choices[0] if response.choices else None
    content = (choice.message.content if choice is not None else None) or ""
    usage = response.usage
    return Reply(
        content=content,
        finish_reason=choice.finish_reason if choice is not None else None,
        tokens_in=usage.prompt_tokens if usage else 0,
        tokens_out=usage.completion_tokens if usage else 0,
    )
