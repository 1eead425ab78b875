"""The extractor interface and its registry.

An extractor is anything with a versioned ``name`` (``rules.v1``) and one method,
``extract(document) -> list[Claim]``. Built-in and third-party extractors are found the
same way: through the ``peacetrack.extractors`` entry point group, so a plugin package
needs no change here. ``register_extractor`` adds one at run time (tests, notebooks).

An extractor that is slow per document, or costs money per request (``llm.v1``), may also
be a ``StreamingExtractor``: it works on many documents at once, keeps costly answers in
a ``ReplyCache`` the caller passes in (the store, say), checks its settings before any
work starts, and says what a run cost. Options (``--model``, ``--base-url``) reach an
extractor as keyword arguments of its factory, never through globals; so does the codebook,
to a factory with a ``codebook`` parameter (built-in ones have it). An extractor is built
once per name, codebook and set of options: after ``use_codebook(extra)`` the codebook in
force is another object, so ``get_extractor`` builds an extractor that knows ``extra``.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

from peacetrack.errors import ExtractorNotFound, PeaceTrackError

if TYPE_CHECKING:
    from peacetrack.codebook import Codebook
    from peacetrack.model import Claim, Document, ModelReply

ENTRY_POINT_GROUP = "peacetrack.extractors"
# The one that scores best on reports of conflicts nobody tuned it on (held-out F1 0.285
# against the rules' 0.219 on learned.v1's corpus, 0.256 against 0.190 on tests/fixtures/eval)
# while keeping precision on the dev corpus above 0.75 (0.795); it reads with the rules
# first, so it costs about 2.5 times as long per report. README, "A learned extractor".
DEFAULT_EXTRACTOR = "learned.v1"


@runtime_checkable
class Extractor(Protocol):
    """Turns one document into claims whose evidence is verbatim in its text."""

    name: str

    def extract(self, document: Document) -> list[Claim]: ...


@dataclass
class Outcome:
    """What extraction made of one document: its claims, or why it failed."""

    document: Document
    claims: list[Claim]
    dropped: int = 0
    error: str | None = None


class ReplyCache(Protocol):
    """Where a streaming extractor keeps answers it paid for (``Store`` is one)."""

    def model_reply(self, key: str) -> ModelReply | None: ...

    def save_model_reply(
        self, key: str, model: str, prompt_hash: str, reply: ModelReply
    ) -> None: ...


class MemoryReplies:
    """A ``ReplyCache`` for one process, when there is no store to keep answers in."""

    def __init__(self) -> None:
        self._replies: dict[str, ModelReply] = {}

    def model_reply(self, key: str) -> ModelReply | None:
        return self._replies.get(key)

    def save_model_reply(self, key: str, model: str, prompt_hash: str, reply: ModelReply) -> None:
        self._replies[key] = reply


@runtime_checkable
class StreamingExtractor(Extractor, Protocol):
    """An extractor that works on many documents at once and keeps what it paid for.

    ``variant`` says what besides the version decides its output (``model@prompt``): a
    document done by another variant is extracted again.
    """

    variant: str

    def check(self) -> list[str]:
        """Raise if the extractor cannot work (unreachable endpoint); return notes."""
        ...

    def extract_many(
        self, documents: Iterable[Document], cache: ReplyCache | None = None
    ) -> Iterator[Outcome]:
        """One outcome per document, in input order, as each is done."""
        ...

    def usage(self, brief: bool = False) -> str:
        """What the run so far cost: requests, cache hits, tokens, money (``brief``: a few
        words for a progress bar)."""
        ...


Factory = Callable[..., Extractor]
_registered: dict[str, Factory] = {}


def register_extractor(name: str, factory: Factory) -> None:
    """Make ``factory`` available as ``name``; a later registration replaces an earlier one."""
    _registered[name] = factory
    _instance.cache_clear()


def registered_factory(name: str) -> Factory | None:
    """What ``register_extractor`` gave ``name`` in this process, if anything: another
    process (the web app's extraction worker) must register it too to find it."""
    return _registered.get(name)


def _entry_points() -> dict[str, Any]:
    from importlib.metadata import entry_points  # reads every installed package's metadata

    return {ep.name: ep for ep in entry_points(group=ENTRY_POINT_GROUP)}


def available_extractors() -> list[str]:
    return sorted({*_entry_points(), *_registered})


#: Entry points loaded so far, by name. Finding one reads every installed package's
#: metadata (several ms): too much to pay each time the extractor is asked for again (each
#: shard of a batch run does).
_loaded: dict[str, Factory] = {}


def _factory(name: str) -> Factory:
    """What builds ``name``: a registered factory, or the class or function an entry point
    names (loaded once per process, so that its parameters can be read)."""
    if name in _registered:
        return _registered[name]
    if name in _loaded:
        return _loaded[name]
    point = _entry_points().get(name)
    if point is None:
        known = ", ".join(available_extractors()) or "none"
        raise ExtractorNotFound(
            f"no extractor named {name!r}; available: {known}. "
            "Third-party extractors register under the 'peacetrack.extractors' entry point."
        )
    factory: Factory = point.load()
    _loaded[name] = factory
    return factory


def _takes_codebook(factory: Callable[..., object]) -> bool:
    """Whether ``factory`` names a ``codebook`` parameter: a plugin with a vocabulary of its
    own need not have one, and is then built without a codebook."""
    try:
        return "codebook" in inspect.signature(factory).parameters
    except (TypeError, ValueError):  # a builtin or C callable without a signature
        return False


def _untaken(factory: Callable[..., object], names: Iterable[str]) -> list[str]:
    """Those of ``names`` that ``factory`` has no parameter for, read from its signature
    before it is called, so that an option given to the wrong extractor is named as the
    user typed it while a TypeError raised inside a factory stays the bug it is (none
    when the signature cannot be read: the call will say)."""
    try:
        parameters = inspect.signature(factory).parameters
    except (TypeError, ValueError):
        return []
    if any(p.kind is inspect.Parameter.VAR_KEYWORD for p in parameters.values()):
        return []
    return sorted(name for name in names if name not in parameters)


#: Enough for every codebook and option set a process switches between; a pipeline is large.
@lru_cache(maxsize=16)
def _instance(
    name: str, codebook: Codebook | None, options: frozenset[tuple[str, Any]]
) -> Extractor:
    factory = _factory(name)
    given = dict(options) | ({"codebook": codebook} if codebook is not None else {})
    untaken = _untaken(factory, dict(options))
    if untaken:
        named = ", ".join(f"{option} (--{option.replace('_', '-')})" for option in untaken)
        raise PeaceTrackError(
            f"{name} takes no option {named}: leave it out, or choose an extractor that "
            "takes it (`peacetrack extract --help` says which extractor each option is for)"
        )
    extractor = factory(**given)
    if not isinstance(extractor, Extractor):
        raise ExtractorNotFound(f"{name!r} does not provide name and extract(document)")
    return extractor


def get_extractor(
    name: str = DEFAULT_EXTRACTOR, *, codebook: Codebook | None = None, **options: Any
) -> Extractor:
    """The extractor registered as ``name``, built from ``codebook`` (default: the codebook
    in force) once per process, codebook and set of options (pipelines are costly).

    Options left at None are not passed on. A factory without a ``codebook`` parameter is
    built without one, and cached per name and options only.
    """
    given = frozenset((k, v) for k, v in options.items() if v is not None)
    if not _takes_codebook(_factory(name)):
        return _instance(name, None, given)
    if codebook is None:
        from peacetrack.codebook import default_codebook

        codebook = default_codebook()
    return _instance(name, codebook, given)
