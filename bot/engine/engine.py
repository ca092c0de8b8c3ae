"""The ``Engine``: a corpus folder turned into something that answers questions.

An Engine is immutable once built.  The Discord face holds one and swaps in
a new one on reindex; the CLI builds one per run.  Building is blocking and
CPU-bound, so async callers run ``Engine.build`` in a worker thread.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from bot.engine.analysis import Analyzer
from bot.engine.answer_types import without_type_cues
from bot.engine.answers import AnswerPicker, AnswerPolicy
from bot.engine.corpus import DEFAULT_MAX_FILE_BYTES, load_corpus
from bot.engine.index import B, EPSILON, K1, BM25Index
from bot.engine.models import Answer, Article, LoadError, Passage
from bot.engine.passages import split_article
from bot.engine.questions import clean_question
from bot.engine.rules import load_rules

Progress = Callable[[str, int, int], None]  # (stage, done, total or 0 when unknown)


@dataclass(frozen=True)
class EngineConfig:
    k1: float = K1
    b: float = B
    epsilon: float = EPSILON
    max_file_bytes: int = DEFAULT_MAX_FILE_BYTES
    policy: AnswerPolicy = field(default_factory=AnswerPolicy)
    cache_dir: Path | None = None  # where a built index is saved; None: never cached

    def fingerprint(self) -> str:
        return hashlib.sha256(repr((self.k1, self.b, self.epsilon, self.max_file_bytes, self.policy)).encode()).hexdigest()


@dataclass(frozen=True)
class CorpusDiff:
    added: tuple[str, ...]
    removed: tuple[str, ...]
    changed: tuple[str, ...]


class EmptyCorpusError(ValueError):
    """No article could be indexed; the message says why (and names the bad files)."""


class Engine:
    def __init__(
        self,
        corpus_dir: Path,
        config: EngineConfig,
        articles: tuple[Article, ...],
        passages: tuple[Passage, ...],
        errors: tuple[LoadError, ...],
        analyzer: Analyzer,
        index: BM25Index,
    ) -> None:
        self.corpus_dir = corpus_dir
        self.config = config
        self.articles = articles
        self.passages = passages
        self.errors = errors
        self.analyzer = analyzer
        self.index = index
        self._picker = AnswerPicker(index, passages, analyzer, config.policy)

    def __getstate__(self) -> dict:
        # The picker only holds per-process caches; it is rebuilt from the rest (see bot.engine.cache).
        return {name: value for name, value in self.__dict__.items() if name != "_picker"}

    def __setstate__(self, state: dict) -> None:
        self.__dict__.update(state)
        self._picker = AnswerPicker(self.index, self.passages, self.analyzer, self.config.policy)

    @classmethod
    def build(cls, corpus_dir: Path | str, config: EngineConfig | None = None, *, progress: Progress | None = None) -> "Engine":
        """Load, split, analyse and index ``corpus_dir`` (or load the saved index when nothing changed)."""
        corpus_dir = Path(corpus_dir)
        config = config or EngineConfig()
        if config.cache_dir is not None:
            from bot.engine.cache import IndexCache

            return IndexCache(config.cache_dir).load_or_build(corpus_dir, config, progress=progress)
        return cls.build_fresh(corpus_dir, config, progress=progress)

    @classmethod
    def build_fresh(cls, corpus_dir: Path, config: EngineConfig, *, progress: Progress | None = None) -> "Engine":
        from bot.engine.cache import paused_gc

        with paused_gc():  # see paused_gc: faster, and no long GIL holds from full collections
            return cls._build_fresh(corpus_dir, config, progress=progress)

    @classmethod
    def _build_fresh(cls, corpus_dir: Path, config: EngineConfig, *, progress: Progress | None = None) -> "Engine":
        rules = load_rules(corpus_dir)
        on_file = (lambda done, _path: progress("read", done, 0)) if progress else None
        loaded = load_corpus(corpus_dir, rules.chrome, max_bytes=config.max_file_bytes, progress=on_file)
        errors = rules.errors + loaded.errors
        if not loaded.articles:
            detail = "; ".join(str(e) for e in errors[:5]) or f"no .md or .txt files in {corpus_dir}"
            raise EmptyCorpusError(f"no article could be indexed from {corpus_dir}: {detail}")
        passages: list[Passage] = []
        for article in loaded.articles:
            passages.extend(split_article(article, first_id=len(passages)))
        analyzer = Analyzer(rules.synonyms)
        documents = []
        for number, passage in enumerate(passages, start=1):
            documents.append(analyzer.tokens(passage.text))
            if progress and number % 1000 == 0:
                progress("analyse", number, len(passages))
        index = BM25Index(documents, k1=config.k1, b=config.b, epsilon=config.epsilon)
        if progress:
            progress("index", len(passages), len(passages))
        return cls(corpus_dir, config, loaded.articles, tuple(passages), errors, analyzer, index)

    def ask(self, question: str, k: int = 5) -> Answer | None:
        """The best answer with up to ``k - 1`` alternatives, or None when nothing answers.

        Raises ``QuestionError`` for a question that cannot be searched at all.
        """
        question = clean_question(question)
        query = self.analyzer.tokens(without_type_cues(question))
        if not query:
            return None  # only stopwords: nothing to look for
        hits = self.index.top(query, max(k, self.config.policy.candidates))
        return self._picker.choose(query, hits, max(1, k), question)

    def passages_of(self, article_id: str) -> list[Passage]:
        return [p for p in self.passages if p.article_id == article_id]


def diff_corpus(old: Engine, new: Engine) -> CorpusDiff:
    """Which articles a reindex added, removed or changed (by file id and checksum)."""
    before = {a.id: a.checksum for a in old.articles}
    after = {a.id: a.checksum for a in new.articles}
    return CorpusDiff(
        added=tuple(sorted(after.keys() - before.keys())),
        removed=tuple(sorted(before.keys() - after.keys())),
        changed=tuple(sorted(i for i in before.keys() & after.keys() if before[i] != after[i])),
    )
