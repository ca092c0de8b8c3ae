"""``run``: start the Discord bot (the Discord face lives in ``bot.discord_bot``)."""

from __future__ import annotations

import argparse
import sys

from bot.cli.common import CliError

TOKEN_HELP = (
    "DISCORD_TOKEN is not set: create an application at https://discord.com/developers/applications, "
    "add a bot, copy its token into .env as DISCORD_TOKEN=... (see .env.example and the README), then run again."
)


def add_parser(subparsers) -> None:
    parser = subparsers.add_parser("run", help="start the Discord bot", description="Start the Discord bot (configured from the environment and .env).")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from bot.config import Config, ConfigError

    try:
        config = Config.from_env()
    except ConfigError as exc:
        raise CliError(str(exc), code=2) from None
    if not config.token:
        print(TOKEN_HELP, file=sys.stderr)
        return 2
    from bot.discord_bot.run import run as run_bot  # imports discord.py only now

    return run_bot(config)
