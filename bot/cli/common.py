"""What every subcommand shares: the corpus option, building the engine, errors as one line."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.engine import Engine


class CliError(Exception):
    """A user mistake or an unusable input: printed as one line on stderr, exit code ``code``."""

    def __init__(self, message: str, code: int = 1) -> None:
        super().__init__(message)
        self.code = code


def add_corpus_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--corpus", metavar="DIR", type=Path, default=None,
        help="folder of articles (default: $CORPUS_DIR or ./corpus)",
    )
    parser.add_argument("--no-cache", action="store_true", help="always rebuild the index instead of loading the saved one")


class TerminalProgress:
    """Progress on stderr, only when stderr is a terminal (quiet in pipes, logs and CI)."""

    def __init__(self, stream=None) -> None:
        self.stream = stream or sys.stderr
        self.enabled = self.stream.isatty()
        self._last = ""

    def __call__(self, stage: str, done: int, total: int) -> None:
        if not self.enabled:
            return
        label = {"read": "files read", "analyse": "passages analysed", "index": "passages indexed"}.get(stage, stage)
        text = f"{label}: {done}" + (f"/{total}" if total else "")
        self.stream.write("\r" + text.ljust(len(self._last)))
        self.stream.flush()
        self._last = text

    def finish(self) -> None:
        if self.enabled and self._last:
            self.stream.write("\r" + " " * len(self._last) + "\r")
            self.stream.flush()


def build_engine(args: argparse.Namespace, *, progress: bool = False) -> "Engine":
    """The engine for ``args.corpus``, with CLI-friendly errors."""
    from bot.config import Config
    from bot.engine import EmptyCorpusError, Engine, EngineConfig

    config = Config.from_env()
    corpus = args.corpus if args.corpus is not None else config.corpus_dir
    if not corpus.exists():
        raise CliError(f"corpus folder {corpus} does not exist (use --corpus DIR or set CORPUS_DIR)")
    if not corpus.is_dir():
        raise CliError(f"{corpus} is a file, not a folder of articles (use --corpus DIR)")
    cache_dir = None if getattr(args, "no_cache", False) else config.cache_dir
    reporter = TerminalProgress() if progress else None
    try:
        return Engine.build(corpus, EngineConfig(cache_dir=cache_dir), progress=reporter)
    except EmptyCorpusError as exc:
        raise CliError(str(exc)) from None
    finally:
        if reporter:
            reporter.finish()
