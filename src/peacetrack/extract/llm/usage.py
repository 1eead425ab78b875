"""What a run of ``llm.v1`` cost, for its progress bar and its closing line."""

from __future__ import annotations

from dataclasses import dataclass, field

from peacetrack.extract.llm.answers import Drops
from peacetrack.extract.llm.settings import LLMSettings
from peacetrack.model import ModelReply


@dataclass
class Usage:
    """Counts kept by the calling thread only (workers never touch them)."""

    settings: LLMSettings
    documents: int = 0
    failed: int = 0
    requests: int = 0
    cached: int = 0
    tokens_in: int = 0
    tokens_out: int = 0
    paragraphs_skipped: int = 0
    drops: Drops = field(default_factory=Drops)

    def add_reply(self, reply: ModelReply) -> None:
        self.requests += 1
        self.tokens_in += reply.tokens_in
        self.tokens_out += reply.tokens_out

    def brief(self) -> str:
        return f"{self.tokens_in:,} tokens in, {self.tokens_out:,} out"

    def describe(self, name: str) -> str:
        """``llm.v1 (model): 12 requests, 3 answered from the cache · 40,120 tokens in ...``"""
        parts = [
            f"{name} ({self.settings.model}): {self.requests} requests sent, "
            f"{self.cached} answered from the cache",
            self.brief(),
        ]
        cost = self.settings.cost(self.tokens_in, self.tokens_out)
        if cost is not None:
            parts.append(f"cost {cost:,.4f}")
        if self.paragraphs_skipped:
            parts.append(f"{self.paragraphs_skipped} paragraphs skipped by the prefilter")
        if self.drops.total:
            why = ", ".join(f"{n} {reason}" for reason, n in self.drops.reasons.most_common())
            parts.append(f"{self.drops.total} claims dropped ({why})")
        return " · ".join(parts)
