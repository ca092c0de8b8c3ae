"""Measurements that each run in a fresh process: ``python -m bot.bench.workers JOB ARGS_JSON``.

A build's peak memory is the process's peak resident set (``ru_maxrss``), so
each build gets a process of its own, and the figure includes the
interpreter and imports; the peak *before* the build is reported beside it
so the growth can be read off.  Each job prints one JSON object on stdout.
"""

from __future__ import annotations

import gc
import json
import resource
import sys
import time
from pathlib import Path
from typing import Callable, Sequence

import numpy as np

from bot.bench.heartbeat import watch_event_loop


def peak_rss_mb() -> float:
    """Peak resident memory of this process so far, in MB (Linux reports ru_maxrss in KB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def latency(run: Callable[[object], object], items: Sequence) -> list[float]:
    """Seconds per call of ``run`` for each item, after two warm-up calls."""
    for item in items[:2]:
        run(item)
    times = []
    for item in items:
        started = time.perf_counter()
        run(item)
        times.append(time.perf_counter() - started)
    return times


def summary(times: Sequence[float]) -> dict:
    ms = np.asarray(times, dtype=np.float64) * 1e3
    if len(ms) == 0:
        return {"n": 0, "p50_ms": None, "p99_ms": None, "times_ms": []}
    return {"n": len(ms), "p50_ms": float(np.percentile(ms, 50)), "p99_ms": float(np.percentile(ms, 99)),
            "times_ms": [round(float(t), 5) for t in ms]}


def _passages(corpus: Path) -> list:
    from bot.engine.corpus import load_corpus
    from bot.engine.passages import split_article
    from bot.engine.rules import load_rules

    loaded = load_corpus(corpus, load_rules(corpus).chrome)
    passages: list = []
    for article in loaded.articles:
        passages.extend(split_article(article, first_id=len(passages)))
    return passages


def engine_job(corpus: str, questions: list[str], k: int, okapi_queries: int) -> dict:
    """Build from files (timed, peak memory), then search latency against BM25Okapi on the same tokens."""
    from rank_bm25 import BM25Okapi

    from bot.engine import Engine, EngineConfig, QuestionError
    from bot.engine.questions import clean_question

    gc.collect()
    before = peak_rss_mb()
    started = time.perf_counter()
    engine = Engine.build_fresh(Path(corpus), EngineConfig())
    build = time.perf_counter() - started
    peak = peak_rss_mb()
    index = engine.index
    queries = []
    for question in questions:
        try:
            queries.append(engine.analyzer.tokens(clean_question(question)))
        except QuestionError:
            queries.append([])

    def ask(question: str) -> object:
        try:
            return engine.ask(question)
        except QuestionError:
            return None

    top = latency(lambda q: index.top(q, k), queries)
    asked = latency(ask, questions)
    documents = [engine.analyzer.tokens(p.text) for p in engine.passages]
    started = time.perf_counter()
    okapi = BM25Okapi(documents)
    okapi_build = time.perf_counter() - started
    del documents
    subset = queries[:okapi_queries]

    def okapi_top(q: list[str]) -> np.ndarray:
        return np.argsort(-okapi.get_scores(q), kind="stable")[:k]

    okapi_times = latency(okapi_top, subset)
    same = 0
    for q in subset:  # untimed: BM25Okapi's ranking among passages holding a query word, ties to the lower id
        scores = okapi.get_scores(q)
        held = np.zeros(index.size, dtype=bool)
        for token in q:
            held[index.postings(token)] = True
        order = np.argsort(-scores, kind="stable")
        expected = [(int(i), float(scores[i])) for i in order[held[order]][:k]]
        same += expected == [(h.passage, h.score) for h in index.top(q, k)]
    return {
        "passages": len(engine.passages), "articles": len(engine.articles), "errors": len(engine.errors),
        "terms": len(index.vocab), "tokens": int(index.doc_len.sum()),
        "build_s": build, "peak_rss_mb": peak, "rss_before_mb": before,
        "engine_top": summary(top), "engine_ask": summary(asked),
        "okapi": summary(okapi_times), "okapi_build_s": okapi_build,
        "top10_same_as_okapi": same, "top10_compared": len(subset),
    }


def bm25s_job(corpus: str, questions: list[str], k: int) -> dict:
    """bm25s's own tokenizer (English stopwords, the same Snowball stemmer) and index, from passage texts."""
    try:
        import bm25s
        import Stemmer
    except ImportError as exc:
        return {"missing": f"{exc.name} is not installed (pip install '.[bench]')"}
    texts = [p.text for p in _passages(Path(corpus))]
    stemmer = Stemmer.Stemmer("english")
    gc.collect()
    before = peak_rss_mb()
    started = time.perf_counter()
    tokens = bm25s.tokenize(texts, stopwords="en", stemmer=stemmer, show_progress=False)
    retriever = bm25s.BM25()
    retriever.index(tokens, show_progress=False)
    build = time.perf_counter() - started
    peak = peak_rss_mb()
    del tokens
    queries = [bm25s.tokenize([q], stopwords="en", stemmer=stemmer, return_ids=False, show_progress=False) for q in questions]
    top = min(k, len(texts))
    times = latency(lambda q: retriever.retrieve(q, k=top, show_progress=False, n_threads=1), queries)
    return {"version": bm25s.__version__, "build_s": build, "peak_rss_mb": peak, "rss_before_mb": before,
            "search": summary(times)}


def heartbeat_job(corpus: str, cache_dir: str) -> dict:
    """The longest event-loop gap while the engine builds in a thread, then while it loads from the cache."""
    from bot.engine import Engine, EngineConfig

    # Each engine is dropped before the next step, as the bot drops the one it replaces.
    fresh = watch_event_loop(lambda: len(Engine.build_fresh(Path(corpus), EngineConfig()).passages))
    config = EngineConfig(cache_dir=Path(cache_dir))
    saving = watch_event_loop(lambda: len(Engine.build(Path(corpus), config).passages))
    loading = watch_event_loop(lambda: len(Engine.build(Path(corpus), config).passages))
    return {name: {"max_gap_ms": r.max_gap * 1e3, "ticks": r.ticks, "seconds": r.seconds}
            for name, r in (("build", fresh), ("build_and_save_cache", saving), ("load_cache", loading))}


JOBS = {"engine": engine_job, "bm25s": bm25s_job, "heartbeat": heartbeat_job}

if __name__ == "__main__":
    job, arguments = sys.argv[1], json.loads(sys.argv[2])
    print(json.dumps(JOBS[job](**arguments)))
