"""``python -m bot run``: start the bot for real, and stop it cleanly on SIGTERM.

Every way startup can fail because of the operator's setup (no token, a
rejected token, the intent not enabled, an unusable corpus or database) ends
in one clear line and a non-zero exit code, not a traceback.
"""

from __future__ import annotations

import asyncio
import logging
import signal
import sys

import discord

from bot.config import Config
from bot.discord_bot.client import FanBot
from bot.storage import StoreError

log = logging.getLogger(__name__)

NO_TOKEN = (
    "DISCORD_TOKEN is not set: create an application at https://discord.com/developers/applications, "
    "add a Bot, copy its token and put DISCORD_TOKEN=<token> in .env or the environment (see README)."
)


def run(config: Config) -> int:
    """Run the bot until it is stopped; the exit code for the CLI (0 stopped cleanly, 1 failed, 2 no token)."""
    if not config.token:
        print(NO_TOKEN, file=sys.stderr)
        return 2
    discord.utils.setup_logging(level=logging.getLevelName(config.log_level), root=True)
    return asyncio.run(serve(config))


async def serve(config: Config, bot: FanBot | None = None) -> int:
    """Log in and serve until closed (SIGTERM/SIGINT close the bot and its database)."""
    bot = bot or FanBot(config)
    loop = asyncio.get_running_loop()

    def stop(name: str) -> None:
        log.info("%s received: closing the connection and the database", name)
        loop.create_task(bot.close())

    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop, sig.name)
    try:
        async with bot:
            await bot.start(config.token)
        # discord.py's ``async with`` exit only waits for its own part of close(); ours also closes the
        # database, and asyncio.run would cancel it half done if we returned first.
        await bot.close()
    except discord.LoginFailure:
        log.error("Discord rejected DISCORD_TOKEN: reset the token in the developer portal and update it.")
        return 1
    except discord.PrivilegedIntentsRequired:
        log.error(
            "Discord refused the Message Content intent: enable it in the developer portal "
            "(Bot -> Privileged Gateway Intents), or set MESSAGE_CONTENT_INTENT=off to run with slash commands only."
        )
        return 1
    except (StoreError, OSError, ValueError) as exc:  # an unusable database or corpus (e.g. no article at all)
        log.error("Cannot start: %s", exc)
        return 1
    finally:
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.remove_signal_handler(sig)
    log.info("Stopped cleanly.")
    return 0
