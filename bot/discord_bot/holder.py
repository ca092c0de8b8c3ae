"""The one reference to the engine that answers, and reindexing without a restart.

An ``Engine`` is immutable, so swapping the reference is the whole "atomic
swap": a fan's question that already took the old engine finishes on it, the
next one gets the new one, and nobody sees half an index.  Building happens
in a worker thread because it is CPU-bound and would freeze the gateway
heartbeat on the event loop.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import time
from dataclasses import dataclass
from pathlib import Path

from bot.engine import Answer, CorpusDiff, Engine, EngineConfig, LoadError, diff_corpus

log = logging.getLogger(__name__)


class ReindexInProgress(RuntimeError):
    """A second reindex was asked for while one runs."""

    def __init__(self, started_at: dt.datetime) -> None:
        super().__init__(f"a reindex has been running since {started_at:%H:%M:%S} UTC")
        self.started_at = started_at


class NotReady(RuntimeError):
    """Asked before the first index was built."""


@dataclass(frozen=True)
class ReindexReport:
    """What changed, for the admin who ran /reindex."""

    articles_before: int
    passages_before: int
    articles_after: int
    passages_after: int
    diff: CorpusDiff
    errors: tuple[LoadError, ...]
    seconds: float


@dataclass(frozen=True)
class IndexSize:
    articles: int
    passages: int


class IndexHolder:
    """Holds the current engine; builds the first one and swaps in rebuilt ones."""

    def __init__(self, corpus_dir: Path, config: EngineConfig, engine: Engine | None = None) -> None:
        self.corpus_dir = corpus_dir
        self.config = config
        self._engine = engine
        self._running: asyncio.Task[ReindexReport] | None = None
        self._started_at = dt.datetime.now(dt.timezone.utc)

    @property
    def engine(self) -> Engine:
        if self._engine is None:
            raise NotReady("the index is still being built")
        return self._engine

    @property
    def ready(self) -> bool:
        return self._engine is not None

    def size(self) -> IndexSize:
        engine = self.engine
        return IndexSize(len(engine.articles), len(engine.passages))

    async def _build(self) -> Engine:
        return await asyncio.to_thread(Engine.build, self.corpus_dir, self.config)

    async def load(self) -> Engine:
        """Build the first engine (kept if one was handed in already)."""
        if self._engine is None:
            started = time.perf_counter()
            self._engine = await self._build()
            log.info(
                "Indexed %d articles, %d passages from %s in %.1f s (%d files failed)",
                len(self._engine.articles), len(self._engine.passages), self.corpus_dir,
                time.perf_counter() - started, len(self._engine.errors),
            )
            for error in self._engine.errors:
                log.warning("Corpus file not indexed: %s", error)
        return self._engine

    async def ask(self, question: str, k: int = 5) -> Answer | None:
        """Answer from the engine current at the time of asking (off the event loop)."""
        engine = self.engine
        return await asyncio.to_thread(engine.ask, question, k)

    @property
    def reindexing(self) -> bool:
        return self._running is not None and not self._running.done()

    @property
    def reindex_started_at(self) -> dt.datetime:
        return self._started_at

    def start_reindex(self) -> "asyncio.Task[ReindexReport]":
        """Start rebuilding now, or raise ReindexInProgress.

        Synchronous on purpose: check and start happen without yielding to the
        event loop, so two admins clicking at once cannot both start one.
        """
        if self.reindexing:
            raise ReindexInProgress(self._started_at)
        self._started_at = dt.datetime.now(dt.timezone.utc)
        self._running = asyncio.create_task(self._reindex(), name="reindex")
        return self._running

    async def _reindex(self) -> ReindexReport:
        old = self.engine
        started = time.perf_counter()
        # A failing build raises here, before the swap: the old engine keeps serving.
        new = await self._build()
        self._engine = new
        report = ReindexReport(
            articles_before=len(old.articles),
            passages_before=len(old.passages),
            articles_after=len(new.articles),
            passages_after=len(new.passages),
            diff=diff_corpus(old, new),
            errors=tuple(new.errors),
            seconds=time.perf_counter() - started,
        )
        log.info(
            "Reindexed: articles %d -> %d, passages %d -> %d, %d added, %d removed, %d changed, %d failed",
            report.articles_before, report.articles_after, report.passages_before, report.passages_after,
            len(report.diff.added), len(report.diff.removed), len(report.diff.changed), len(report.errors),
        )
        for error in report.errors:
            log.warning("Corpus file not indexed: %s", error)
        return report
