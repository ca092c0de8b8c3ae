"""`python -m bot bench` runs end to end on a tiny size: tables printed, JSON written with its keys.

No timing is asserted (speed is what the benchmark prints, not what a test
checks); this guards the benchmark itself from rotting.
"""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_bench_prints_the_tables_and_writes_json(tmp_path):
    png = tmp_path / "latency.png"
    done = subprocess.run(
        [sys.executable, "-m", "bot", "bench", "--sizes", "300", "--queries", "5", "--real-copies", "2",
         "--results", str(tmp_path / "results"), "--plot", str(png)],
        capture_output=True, text=True, timeout=300, cwd=ROOT,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    out = done.stdout
    assert "Index build" in out and "Search latency per question" in out
    assert "synthetic 300" in out and "real x2" in out
    assert "python -m bot ask" in out and "imports discord: no" in out
    assert "event loop while synthetic 300 passages builds" in out
    (path,) = (tmp_path / "results").glob("bench-*.json")
    results = json.loads(path.read_text())
    assert set(results) >= {"settings", "machine", "corpora", "startup", "heartbeat", "seconds"}
    names = [c["name"] for c in results["corpora"]]
    assert names == ["synthetic 300", "real x2"]
    for corpus in results["corpora"]:
        engine = corpus["engine"]
        assert engine["passages"] > 0 and engine["build_s"] > 0 and engine["peak_rss_mb"] > 0
        for key in ("engine_top", "engine_ask", "okapi"):
            assert engine[key]["n"] == 5 and engine[key]["p50_ms"] is not None
        assert engine["top10_same_as_okapi"] == engine["top10_compared"] == 5  # the engine ranks as BM25Okapi does
        assert "search" in corpus["bm25s"] or "missing" in corpus["bm25s"]
        assert set(corpus["ratios"]) == {"okapi_vs_engine", "bm25s_vs_engine"}
    assert results["corpora"][0]["engine"]["passages"] == 300  # one passage per generated paragraph
    assert results["startup"]["imports_discord"] is False
    assert set(results["heartbeat"]) >= {"build", "build_and_save_cache", "load_cache"}
    if importlib.util.find_spec("matplotlib") is None:  # the plot is a `bench` extra; CI installs only `test`
        assert "plot: matplotlib is not installed (pip install '.[bench]')" in out and not png.exists()
    else:
        assert png.stat().st_size > 1000 and png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_bench_refuses_bad_sizes_with_one_line():
    done = subprocess.run([sys.executable, "-m", "bot", "bench", "--sizes", "ten"], capture_output=True, text=True,
                          timeout=60, cwd=ROOT)
    assert done.returncode == 2
    assert "sizes must be numbers" in done.stderr and "Traceback" not in done.stderr
