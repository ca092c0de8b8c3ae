"""One benchmark run: generate the corpora, measure each in its own processes, collect the results."""

from __future__ import annotations

import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import numpy as np

import bot
from bot.bench.startup import measure_startup
from bot.bench.synthetic import SyntheticCorpus, write_real, write_synthetic

BUNDLED = Path(__file__).resolve().parents[2] / "corpus"


@dataclass(frozen=True)
class BenchOptions:
    sizes: tuple[int, ...] = (1_000, 10_000, 100_000)
    questions: int = 200
    okapi_queries: int = 30  # BM25Okapi questions above 10k passages (it takes ~0.1 s a question at 100k)
    real_copies: int = 230  # copies of the bundled articles (~44 passages each): ~10k passages
    k: int = 10
    heartbeat: bool = True
    startup: bool = True
    bundled: Path = BUNDLED
    command: str = "python -m bot bench"
    log: Callable[[str], None] = field(default=lambda message: print(message, file=sys.stderr, flush=True))


class WorkerError(RuntimeError):
    """A measurement process failed; the message holds the end of its error output."""


def run_worker(job: str, **arguments) -> dict:
    done = subprocess.run(
        [sys.executable, "-m", "bot.bench.workers", job, json.dumps(arguments)],
        capture_output=True, text=True, timeout=900, env={**os.environ, "PYTHONHASHSEED": "0"},
    )
    if done.returncode != 0:
        raise WorkerError(f"{job} worker failed ({done.returncode}): {done.stderr.strip()[-600:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def _ratios(engine: dict, bm25s: dict) -> dict:
    """Median over questions of other/engine for the same question (pairs, not a ratio of medians)."""
    mine = engine["engine_top"]["times_ms"]

    def paired(theirs: list[float]) -> float | None:
        pairs = [t / m for t, m in zip(theirs, mine) if m > 0]
        return float(np.median(pairs)) if pairs else None

    return {
        "okapi_vs_engine": paired(engine["okapi"]["times_ms"]),
        "bm25s_vs_engine": paired(bm25s["search"]["times_ms"]) if "search" in bm25s else None,
    }


def measure_corpus(corpus: SyntheticCorpus, name: str, options: BenchOptions) -> dict:
    passages = corpus.passages or options.real_copies * 44
    okapi = options.questions if passages <= 10_000 else min(options.questions, options.okapi_queries)
    questions = list(corpus.questions[: options.questions])
    options.log(f"[{name}] engine build + search ...")
    engine = run_worker("engine", corpus=str(corpus.path), questions=questions, k=options.k, okapi_queries=okapi)
    options.log(f"[{name}] bm25s build + search ...")
    bm25s = run_worker("bm25s", corpus=str(corpus.path), questions=questions, k=options.k)
    return {"name": name, "kind": corpus.kind, "files": corpus.files, "engine": engine, "bm25s": bm25s,
            "ratios": _ratios(engine, bm25s)}


def run_bench(options: BenchOptions) -> dict:
    """All measurements of one run (nothing is printed on stdout here; progress goes to ``options.log``)."""
    started = time.perf_counter()
    results: dict = {
        "settings": {"sizes": list(options.sizes), "questions": options.questions, "okapi_queries_above_10k": options.okapi_queries,
                     "real_copies": options.real_copies, "k": options.k, "command": options.command},
        "machine": {"python": platform.python_version(), "platform": platform.platform(), "cpus": os.cpu_count(),
                    "numpy": np.__version__, "bot": bot.__version__},
        "corpora": [],
    }
    workdir = Path(tempfile.mkdtemp(prefix="bot-bench-"))
    try:
        largest = max(options.sizes, default=0)
        for size in options.sizes:
            options.log(f"[{size:,}] writing a synthetic corpus ...")
            corpus = write_synthetic(workdir / f"synthetic-{size}", size, questions=options.questions)
            results["corpora"].append(measure_corpus(corpus, f"synthetic {size // 1000}k" if size >= 1000 else f"synthetic {size}", options))
            if size == largest and options.heartbeat:
                options.log(f"[{size:,}] event loop heartbeat during build and cache load ...")
                beat = run_worker("heartbeat", corpus=str(corpus.path), cache_dir=str(workdir / "cache"))
                results["heartbeat"] = {"corpus": f"synthetic {size:,} passages", **beat}
            shutil.rmtree(corpus.path, ignore_errors=True)
        if options.real_copies > 0 and options.bundled.is_dir():
            options.log(f"[real] writing {options.real_copies} perturbed copies of the bundled articles ...")
            corpus = write_real(workdir / "real", options.bundled, options.real_copies, questions=options.questions)
            results["corpora"].append(measure_corpus(corpus, f"real x{options.real_copies}", options))
        if options.startup and options.bundled.is_dir():
            options.log("python -m bot ask start-up ...")
            results["startup"] = measure_startup(options.bundled)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    results["seconds"] = time.perf_counter() - started
    return results
