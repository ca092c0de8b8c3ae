"""``bench``: how fast the engine builds and answers at 1k-100k passages, against BM25Okapi and bm25s.

Deterministic corpora (fixed seed) are written to a temporary folder, each
measurement runs in its own process, and the results are printed as tables,
saved as JSON under ``benchmarks/results/`` and, with ``--plot``, drawn.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from bot.cli.common import CliError

ROOT = Path(__file__).resolve().parents[2]


def _sizes(text: str) -> tuple[int, ...]:
    try:
        sizes = tuple(int(part.replace("_", "").replace("k", "000")) for part in text.split(",") if part.strip())
    except ValueError:
        raise argparse.ArgumentTypeError(f"sizes must be numbers separated by commas, e.g. 1000,10000 (got {text!r})") from None
    if any(size < 10 for size in sizes):
        raise argparse.ArgumentTypeError("each size must be at least 10 passages")
    return sizes


def add_parser(subparsers) -> None:
    parser = subparsers.add_parser(
        "bench", help="measure index build and search speed (synthetic and real corpora)",
        description="Measure index build time, memory and search latency against BM25Okapi and bm25s.",
    )
    parser.add_argument("--sizes", type=_sizes, default=(1_000, 10_000, 100_000), metavar="N,N,...",
                        help="synthetic corpus sizes in passages (default 1000,10000,100000)")
    parser.add_argument("--queries", type=int, default=200, metavar="N", help="questions per corpus (default 200)")
    parser.add_argument("--okapi-queries", type=int, default=30, metavar="N",
                        help="BM25Okapi questions on corpora over 10k passages, where it is slow (default 30)")
    parser.add_argument("--real-copies", type=int, default=230, metavar="N",
                        help="perturbed copies of the bundled articles for the real-text corpus; 0 skips it (default 230, ~10k passages)")
    parser.add_argument("--no-heartbeat", action="store_true", help="skip the event-loop gap measurement")
    parser.add_argument("--no-startup", action="store_true", help="skip timing `python -m bot ask`")
    parser.add_argument("--results", type=Path, default=ROOT / "benchmarks" / "results", metavar="DIR",
                        help="where the JSON results go (default benchmarks/results)")
    parser.add_argument("--plot", nargs="?", const=ROOT / "benchmarks" / "latency.png", type=Path, default=None,
                        metavar="PNG", help="draw latency vs corpus size (default benchmarks/latency.png)")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from bot.bench.report import format_report, plot, write_json
    from bot.bench.runner import BenchOptions, WorkerError, run_bench

    if args.queries < 1 or args.okapi_queries < 1 or args.real_copies < 0:
        raise CliError("--queries and --okapi-queries must be 1 or more, --real-copies 0 or more", code=2)
    command = "python -m bot bench " + " ".join(sys.argv[sys.argv.index("bench") + 1:]) if "bench" in sys.argv else "python -m bot bench"
    options = BenchOptions(sizes=args.sizes, questions=args.queries, okapi_queries=args.okapi_queries,
                           real_copies=args.real_copies, heartbeat=not args.no_heartbeat,
                           startup=not args.no_startup, command=command.strip())
    try:
        results = run_bench(options)
    except WorkerError as exc:
        raise CliError(str(exc)) from None
    print(format_report(results))
    path = write_json(results, args.results, time.strftime("%Y%m%d-%H%M%S"))
    print(f"\nresults: {path}  ({results['seconds']:.0f} s)")
    if args.plot:
        drawn = plot(results, args.plot)
        print(f"plot: {drawn}" if drawn else "plot: matplotlib is not installed (pip install '.[bench]')")
    return 0
