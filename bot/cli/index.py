"""``index``: build the index and summarise it; ``--check`` fails when any file is broken."""

from __future__ import annotations

import argparse
import time

from bot.cli.common import add_corpus_option, build_engine


def add_parser(subparsers) -> None:
    parser = subparsers.add_parser("index", help="build the index and report broken files", description="Build the index and print a summary.")
    add_corpus_option(parser)
    parser.add_argument("--check", action="store_true", help="exit with status 1 when any file has an error")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    started = time.perf_counter()
    engine = build_engine(args, progress=True)
    seconds = time.perf_counter() - started
    dated = sum(1 for a in engine.articles if a.date)
    print(f"corpus: {engine.corpus_dir}")
    print(f"articles: {len(engine.articles)} ({dated} dated)")
    print(f"passages: {len(engine.passages)}")
    print(f"terms: {len(engine.index.vocab)}")
    print(f"time: {seconds:.2f} s")
    print(f"errors: {len(engine.errors)}")
    for error in engine.errors:
        print(f"  {error}")
    return 1 if args.check and engine.errors else 0
