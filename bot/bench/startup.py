"""Wall time of ``python -m bot ask`` as a fan's first question would pay it, and what it imports.

Each run is a new process (nothing in memory); the files it reads are in the
OS page cache after the first run, so "cold" here means a cold interpreter,
not a cold disk.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

QUESTION = "is season 2 confirmed?"
HEAVY = ("discord", "aiohttp", "aiosqlite", "trafilatura", "matplotlib", "bm25s", "rank_bm25")


def _run(args: list[str], env: dict[str, str]) -> tuple[float, subprocess.CompletedProcess]:
    started = time.perf_counter()
    done = subprocess.run(args, env=env, capture_output=True, text=True, timeout=300)
    return time.perf_counter() - started, done


def measure_startup(corpus: Path, runs: int = 3) -> dict:
    """Median wall time without and with the index cache, Python's own start-up, and the imports."""
    python = sys.executable
    ask = [python, "-m", "bot", "ask", QUESTION, "--corpus", str(corpus)]
    traced_ask = [python, "-X", "importtime", *ask[1:], "--no-cache"]
    with tempfile.TemporaryDirectory(prefix="bench-startup-") as cache:
        env = {**os.environ, "INDEX_CACHE_DIR": cache, "PYTHONDONTWRITEBYTECODE": "1"}
        bare = [_run([python, "-c", "pass"], env)[0] for _ in range(runs)]
        no_cache = []
        for _ in range(runs):
            seconds, done = _run([*ask, "--no-cache"], env)
            if done.returncode != 0:
                return {"error": f"python -m bot ask failed ({done.returncode}): {done.stderr.strip()[-300:]}"}
            no_cache.append(seconds)
        _run(ask, env)  # fills the cache
        cached = [_run(ask, env)[0] for _ in range(runs)]
        _, traced = _run(traced_ask, env)
    modules = set()
    for line in traced.stderr.splitlines():
        if line.startswith("import time:") and "|" in line:
            name = line.rsplit("|", 1)[1].strip()
            if name and not name.startswith("package"):
                modules.add(name.split(".")[0])
    return {
        "question": QUESTION,
        "python_bare_s": statistics.median(bare),
        "no_cache_s": statistics.median(no_cache),
        "cached_s": statistics.median(cached),
        "runs": runs,
        "imports_discord": "discord" in modules,
        "heavy_imports": sorted(m for m in modules if m in HEAVY),
        "third_party_imports": sorted(modules & _third_party()),
    }


def _third_party() -> set[str]:
    """Top-level names of installed distributions (what is not the standard library or this project)."""
    from importlib import metadata

    names = set()
    for dist in metadata.distributions():
        top = dist.read_text("top_level.txt")
        if top:
            names.update(line.strip() for line in top.splitlines() if line.strip())
        else:
            names.add((dist.metadata["Name"] or "").replace("-", "_").lower())
    return names - {"bot"}
