"""Argument parsing and dispatch. Subcommand modules import their heavy dependencies lazily,
so ``python -m bot ask`` never loads discord.py."""

from __future__ import annotations

import argparse
import sys
from typing import Sequence

from bot import __version__
from bot.cli import add, ask, evaluate, index, remove, run
from bot.cli.common import CliError

SUBCOMMANDS = [ask, index, evaluate, add, remove, run]
try:  # the benchmark face ships with the package but is optional to import
    from bot.cli import bench

    SUBCOMMANDS.append(bench)
except ImportError:  # pragma: no cover
    pass


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # one line, not a usage dump, for a user mistake
        self.exit(2, f"{self.prog}: error: {message} (see --help)\n")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="python -m bot", description="Answer fans' questions from a folder of news articles.")
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    for module in SUBCOMMANDS:
        module.add_parser(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help(sys.stderr)
        return 2
    try:
        return int(args.func(args) or 0)
    except CliError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return exc.code
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # `python -m bot ask ... | head`
        return 0
