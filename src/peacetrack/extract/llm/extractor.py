"""``llm.v1``: claims read by a language model, placed in the text, cached and streamed.

Each document is cut into chunks (``chunks``), each chunk becomes one request
(``prompt``), and the requests of several documents run at once on a thread pool. The
calling thread alone touches the cache: it looks requests up before sending them and
saves each reply as soon as it arrives, so a run killed half-way keeps every answer it
paid for. A reply is read tolerantly (``answers``), its claims checked against the
codebook and placed in the document (``grounding``); what cannot be placed or checked is
dropped and counted, never stored.
"""

from __future__ import annotations

import hashlib
import json
from collections import deque
from collections.abc import Iterable, Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from peacetrack.codebook import Codebook, default_codebook
from peacetrack.extract.base import MemoryReplies, Outcome, ReplyCache
from peacetrack.extract.llm.answers import (
    Drops,
    MalformedAnswer,
    answer_schema,
    checked_claim,
    parse_answer,
)
from peacetrack.extract.llm.chunks import Chunk, Prefilter, chunk_document
from peacetrack.extract.llm.client import ChatClient, RequestFailed
from peacetrack.extract.llm.grounding import place
from peacetrack.extract.llm.prompt import Message, Part, Prompt
from peacetrack.extract.llm.settings import LLMSettings, resolve_settings
from peacetrack.extract.llm.usage import Usage
from peacetrack.model import Claim, Document, ModelReply

if TYPE_CHECKING:
    import httpx

NAME = "llm.v1"


@dataclass
class _Request:
    key: str
    chunk: Chunk
    messages: list[Message]
    reply: ModelReply | None = None
    future: Future[ModelReply] | None = None
    error: str | None = None


@dataclass
class _Job:
    document: Document
    requests: list[_Request] = field(default_factory=list)

    @property
    def done(self) -> bool:
        return all(r.reply is not None or r.error is not None for r in self.requests)


class LLMExtractor:
    """The language-model extractor; build it with ``llm_v1(**options)`` or directly."""

    name = NAME

    def __init__(
        self,
        settings: LLMSettings,
        codebook: Codebook | None = None,
        http_client: httpx.Client | None = None,
    ) -> None:
        self.settings = settings
        self.codebook = codebook or default_codebook()
        self.prompt = Prompt(self.codebook)
        self.client = ChatClient(settings, answer_schema(self.codebook), http_client)
        self._prefilter = Prefilter(self.codebook, self.prompt.actors)
        self.stats = Usage(settings)

    @property
    def variant(self) -> str:
        return f"{self.settings.model}@{self.prompt.hash}"

    def check(self) -> list[str]:
        return self.client.check()

    def usage(self, brief: bool = False) -> str:
        return self.stats.brief() if brief else self.stats.describe(self.name)

    def extract(self, document: Document) -> list[Claim]:
        """One document's claims; a failure raises (``extract_many`` reports it instead)."""
        outcome = next(self.extract_many([document]))
        if outcome.error is not None:
            raise RequestFailed(outcome.error)
        return outcome.claims

    def extract_many(
        self, documents: Iterable[Document], cache: ReplyCache | None = None
    ) -> Iterator[Outcome]:
        """Outcomes in input order; up to ``2 x concurrency`` documents are in flight."""
        replies = cache if cache is not None else MemoryReplies()
        ahead = max(2, 2 * self.settings.concurrency)
        with ThreadPoolExecutor(self.settings.concurrency, "peacetrack-llm") as pool:
            jobs: deque[_Job] = deque()
            asking: dict[str, Future[ModelReply]] = {}  # identical requests share one answer
            for document in documents:
                jobs.append(self._start(document, replies, pool, asking))
                while len(jobs) >= ahead or (jobs and jobs[0].done):
                    yield self._finish(self._wait_first(jobs, replies, asking))
            while jobs:
                yield self._finish(self._wait_first(jobs, replies, asking))

    # --- requests ------------------------------------------------------------------

    def _start(
        self,
        document: Document,
        cache: ReplyCache,
        pool: ThreadPoolExecutor,
        asking: dict[str, Future[ModelReply]],
    ) -> _Job:
        job = _Job(document)
        english = (document.language or "en").startswith("en")
        prefilter = self._prefilter if self.settings.prefilter and english else None
        chunks, skipped = chunk_document(document.text, self.settings.chunk_tokens, prefilter)
        self.stats.paragraphs_skipped += skipped
        for chunk in chunks:
            messages = self.prompt.messages(chunk.text, Part(chunk.index, len(chunks)))
            request = _Request(self._key(messages), chunk, messages)
            if not self.settings.refresh:
                request.reply = cache.model_reply(request.key)
            if request.reply is not None:
                self.stats.cached += 1
            elif request.key in asking:  # a syndicated copy: one request serves both
                request.future = asking[request.key]
            else:
                request.future = asking[request.key] = pool.submit(self._ask, messages)
            job.requests.append(request)
        return job

    def _key(self, messages: Sequence[Message]) -> str:
        body = json.dumps([self.settings.model, self.prompt.hash, messages], ensure_ascii=False)
        return hashlib.sha256(body.encode("utf-8")).hexdigest()

    def _ask(self, messages: list[Message]) -> ModelReply:
        """One request, asked again once if the answer is cut off or not JSON (worker thread)."""
        reply = self.client.complete(messages)
        if not _usable(reply):
            retry = self.client.complete(messages)
            retry = ModelReply(
                retry.content,
                retry.finish_reason,
                reply.tokens_in + retry.tokens_in,
                reply.tokens_out + retry.tokens_out,
            )
            if not _usable(retry):
                why = "cut off at the output token limit" if retry.truncated else "not JSON"
                raise RequestFailed(f"the model's answer was {why}, twice")
            return retry
        return reply

    def _wait_first(
        self, jobs: deque[_Job], cache: ReplyCache, asking: dict[str, Future[ModelReply]]
    ) -> _Job:
        """Collect finished requests (saving their replies) until the oldest job is done."""
        while not jobs[0].done:
            pending: dict[Future[ModelReply], list[_Request]] = {}
            for request in (r for j in jobs for r in j.requests if r.future is not None):
                pending.setdefault(request.future, []).append(request)  # type: ignore[arg-type]
            finished, _ = wait(pending, return_when=FIRST_COMPLETED)
            for future in finished:
                asking.pop(pending[future][0].key, None)
                self._collect(future, pending[future], cache)
        return jobs.popleft()

    def _collect(
        self, future: Future[ModelReply], requests: list[_Request], cache: ReplyCache
    ) -> None:
        try:
            reply = future.result()
        except RequestFailed as exc:
            for request in requests:
                request.future, request.error = None, str(exc)
            return
        self.stats.add_reply(reply)
        cache.save_model_reply(requests[0].key, self.settings.model, self.prompt.hash, reply)
        for request in requests:
            request.future, request.reply = None, reply

    # --- claims --------------------------------------------------------------------

    def _finish(self, job: _Job) -> Outcome:
        errors = [r.error for r in job.requests if r.error is not None]
        self.stats.documents += 1
        if errors:
            self.stats.failed += 1
            return Outcome(job.document, [], error=errors[0])
        drops = Drops()
        claims: list[Claim] = []
        for request in job.requests:
            assert request.reply is not None
            claims.extend(self._claims(job.document, request, drops))
        self.stats.drops.merge(drops)
        return Outcome(job.document, _distinct(claims), dropped=drops.total)

    def _claims(self, document: Document, request: _Request, drops: Drops) -> Iterator[Claim]:
        assert request.reply is not None
        try:
            raw_claims = parse_answer(request.reply.content)
        except MalformedAnswer:
            drops.add("answer not JSON")
            return
        for raw in raw_claims:
            checked = checked_claim(raw, self.codebook, drops)
            if checked is None:
                continue
            claim, confidence = checked
            placed = place(claim.evidence, document.text, request.chunk.spans)
            if placed is None:
                drops.add("evidence not in the document")
                continue
            yield claim.model_copy(
                update={
                    "evidence": document.text[placed.start : placed.end],
                    "start": placed.start,
                    "end": placed.end,
                    "extractor": self.name,
                    "model": self.settings.model,
                    "prompt_hash": self.prompt.hash,
                    "confidence": confidence,
                }
            )


def _usable(reply: ModelReply) -> bool:
    if reply.truncated:
        return False
    try:
        parse_answer(reply.content)
    except MalformedAnswer:
        return False
    return True


def _distinct(claims: list[Claim]) -> list[Claim]:
    """Claims in text order without repeats (a model sometimes lists one twice)."""
    seen: set[tuple[Any, ...]] = set()
    kept = []
    for claim in sorted(claims, key=lambda c: (c.start or 0, c.end or 0)):
        key = (tuple(claim.actors), claim.stance, claim.issue, claim.start, claim.end)
        if key not in seen:
            seen.add(key)
            kept.append(claim)
    return kept


def llm_v1(codebook: Codebook | None = None, **options: Any) -> LLMExtractor:
    """The registered factory: settings from options, then the environment; the codebook
    from ``get_extractor`` (the one in force unless told otherwise)."""
    return LLMExtractor(resolve_settings(options), codebook)
