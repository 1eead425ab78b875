"""What a request may carry: JSON that every database and reply can hold, and ids that fit.

Python's ``json`` module accepts ``NaN`` and ``Infinity`` (and ``1e400`` as infinity),
lone UTF-16 surrogates (``"\\ud800"``) and integers of any size, none of which a reply
(strict JSON, UTF-8) or a database column (64-bit integers) can hold: left in, they
surface later as a 500 from whichever layer chokes first. So request bodies are parsed
strictly here, at the edge, and a bad one is a 422 naming what is wrong; path and query
ids are bounded alike.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Coroutine
from typing import Annotated, Any

from fastapi import Path, Query, Request, Response
from fastapi.routing import APIRoute

#: The largest integer a database column (SQLite INTEGER, PostgreSQL BIGINT) holds.
MAX_INT = 2**63 - 1

#: A stored row's id in a URL path: positive and 64-bit.
Id = Annotated[int, Path(ge=1, le=MAX_INT, description="A positive 64-bit id.")]
#: A page number in a query string.
PageNumber = Annotated[int, Query(ge=1, le=1_000_000)]


def _constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON number: send a finite number or null")


def _finite_float(text: str) -> float:
    value = float(text)
    if math.isinf(value):
        raise ValueError(f"{text[:30]} is beyond the range of a number: send a smaller one")
    return value


def _bounded_int(text: str) -> int:
    value = int(text)
    if abs(value) > MAX_INT:
        raise ValueError(f"{text[:30]}… is beyond 64 bits: send a smaller integer")
    return value


def _check_text(value: Any) -> None:
    """Refuse strings that UTF-8 cannot encode (lone surrogates) or a database cannot keep
    (NUL), anywhere in the parsed body."""
    if isinstance(value, str):
        if "\x00" in value:
            raise ValueError("a string holds a NUL character (\\u0000): remove it")
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            raise ValueError(
                "a string holds a lone surrogate (such as \\ud800), which is not Unicode text: "
                "send the character itself or its full surrogate pair"
            ) from None
    elif isinstance(value, dict):
        for key, item in value.items():
            _check_text(key)
            _check_text(item)
    elif isinstance(value, list):
        for item in value:
            _check_text(item)


def strict_loads(body: bytes | str) -> Any:
    """JSON as RFC 8259 has it, in the ranges the store keeps; ``JSONDecodeError`` if not."""
    text = body.decode("utf-8", errors="strict") if isinstance(body, bytes) else body
    try:
        value = json.loads(
            text, parse_constant=_constant, parse_int=_bounded_int, parse_float=_finite_float
        )
        _check_text(value)
    except ValueError as exc:
        if isinstance(exc, json.JSONDecodeError):
            raise
        raise json.JSONDecodeError(str(exc), text, 0) from None
    return value


class StrictJsonRequest(Request):
    """A request whose ``json()`` is ``strict_loads`` (FastAPI parses bodies with it)."""

    async def json(self) -> Any:
        if not hasattr(self, "_json"):
            body = await self.body()
            try:
                self._json = strict_loads(body)
            except UnicodeDecodeError as exc:
                raise json.JSONDecodeError(f"not UTF-8 ({exc.reason})", "", exc.start) from None
        return self._json


class StrictJsonRoute(APIRoute):
    """The route class of every router: bodies are parsed by ``StrictJsonRequest``."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def strict(request: Request) -> Response:
            return await handler(StrictJsonRequest(request.scope, request.receive))

        return strict
