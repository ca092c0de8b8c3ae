"""The benchmark's results as a printed table, a JSON file and a latency-vs-size plot."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Sequence


def _ms(stats: dict | None) -> str:
    if not stats or stats.get("p50_ms") is None:
        return "—"
    return f"{stats['p50_ms']:.3f} / {stats['p99_ms']:.2f}"


def _ratio(value: float | None) -> str:
    return "—" if value is None else f"{value:,.1f}x"


def _table(header: Sequence[str], rows: list[Sequence[str]]) -> str:
    widths = [max(len(str(cell)) for cell in column) for column in zip(header, *rows)]
    line = lambda cells: "  ".join(str(c).rjust(w) if i else str(c).ljust(w) for i, (c, w) in enumerate(zip(cells, widths)))  # noqa: E731
    return "\n".join([line(header), line(["-" * w for w in widths]), *(line(r) for r in rows)])


def format_report(results: dict) -> str:
    """The tables a reader compares: build, then search latency, then start-up and the event loop."""
    corpora = results["corpora"]
    build_rows = []
    for c in corpora:
        e, s = c["engine"], c.get("bm25s", {})
        missing = "missing" in s
        build_rows.append([
            c["name"], f"{e['passages']:,}", f"{c['files']:,}", f"{e['terms']:,}",
            f"{e['build_s']:.2f}", "missing" if missing else f"{s['build_s']:.2f}",
            f"{e['peak_rss_mb']:.0f} (+{e['peak_rss_mb'] - e['rss_before_mb']:.0f})",
            "—" if missing else f"{s['peak_rss_mb']:.0f} (+{s['peak_rss_mb'] - s['rss_before_mb']:.0f})",
        ])
    out = ["Index build (engine: article files on disk -> ready engine; bm25s: tokenize + index of the passage texts)",
           _table(["corpus", "passages", "files", "terms", "engine s", "bm25s s", "engine peak MB (+build)",
                   "bm25s peak MB (+build)"], build_rows), ""]
    k = results["settings"]["k"]
    search_rows = []
    for c in corpora:
        e, s = c["engine"], c.get("bm25s", {})
        r = c["ratios"]
        search_rows.append([
            c["name"], str(e["engine_top"]["n"]), _ms(e["engine_top"]), _ms(e["engine_ask"]),
            f"{_ms(e['okapi'])} (n={e['okapi']['n']})", "missing" if "missing" in s else _ms(s["search"]),
            _ratio(r["okapi_vs_engine"]), _ratio(r["bm25s_vs_engine"]),
            f"{e['top10_same_as_okapi']}/{e['top10_compared']}",
        ])
    out += [f"Search latency per question, p50 / p99 in ms (top-{k}; same corpus, same questions)",
            _table(["corpus", "questions", f"engine top-{k}", "engine ask()", f"BM25Okapi+argsort", f"bm25s top-{k}",
                    "BM25Okapi/engine", "bm25s/engine", f"top-{k} = BM25Okapi"], search_rows),
            "ratios: median over questions of (other's time / engine top-k time) for the same question", ""]
    start = results.get("startup") or {}
    if "error" in start:
        out.append(f"python -m bot ask: {start['error']}")
    elif start:
        out.append(
            f"python -m bot ask (bundled corpus, new process, median of {start['runs']}): "
            f"{start['no_cache_s'] * 1e3:.0f} ms without cache, {start['cached_s'] * 1e3:.0f} ms with cache "
            f"(bare python: {start['python_bare_s'] * 1e3:.0f} ms); imports discord: {'YES' if start['imports_discord'] else 'no'}; "
            f"third-party imports: {', '.join(start['third_party_imports']) or 'none'}")
    beat = results.get("heartbeat")
    if beat:
        out.append(
            f"event loop while {beat['corpus']} builds in a thread (10 ms heartbeat): longest gap "
            f"{beat['build']['max_gap_ms']:.1f} ms during the build ({beat['build']['seconds']:.1f} s), "
            f"{beat['build_and_save_cache']['max_gap_ms']:.1f} ms building and saving the cache, "
            f"{beat['load_cache']['max_gap_ms']:.1f} ms loading it ({beat['load_cache']['seconds']:.1f} s)")
    missing = [c["bm25s"]["missing"] for c in corpora if "missing" in c.get("bm25s", {})]
    if missing:
        out.append(f"bm25s: {missing[0]}")
    return "\n".join(out)


def strip_times(results: dict) -> dict:
    """The results without per-question time lists, for the summary printed next to the JSON path."""
    return json.loads(json.dumps(results, default=str), object_hook=lambda d: {k: v for k, v in d.items() if k != "times_ms"})


def write_json(results: dict, folder: Path, stamp: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"bench-{stamp}.json"
    path.write_text(json.dumps(results, indent=1, default=str), encoding="utf-8")
    return path


def plot(results: dict, path: Path) -> Path | None:
    """p50 latency against corpus size for each method on the synthetic corpora (log-log); None without matplotlib."""
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return None
    synthetic = [c for c in results["corpora"] if c["kind"] == "synthetic"]
    if not synthetic:
        return None
    sizes = [c["engine"]["passages"] for c in synthetic]
    series = {
        "engine top-k (BM25Index.top)": [c["engine"]["engine_top"]["p50_ms"] for c in synthetic],
        "engine ask() (search + answer)": [c["engine"]["engine_ask"]["p50_ms"] for c in synthetic],
        "BM25Okapi.get_scores + argsort": [c["engine"]["okapi"]["p50_ms"] for c in synthetic],
        "bm25s retrieve": [c["bm25s"].get("search", {}).get("p50_ms") for c in synthetic],
    }
    figure, axes = plt.subplots(figsize=(7, 4.5), dpi=110)
    for label, values in series.items():
        points = [(s, v) for s, v in zip(sizes, values) if v is not None]
        if points:
            axes.plot(*zip(*points), marker="o", label=label)
    axes.set_xscale("log")
    axes.set_yscale("log")
    axes.set_xlabel("passages (synthetic, ~60 tokens, Zipfian vocabulary)")
    axes.set_ylabel("p50 latency per question (ms)")
    axes.set_title("Search latency vs corpus size (3-word questions)")
    axes.grid(True, which="both", alpha=0.3)
    axes.legend()
    figure.text(0.01, 0.01, results["settings"]["command"], fontsize=7, color="gray")
    figure.tight_layout(rect=(0, 0.03, 1, 1))
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(path)
    plt.close(figure)
    return path
