"""The bot itself: a ``commands.Bot`` that owns the index, the settings store and the cogs.

``setup_hook`` runs once, after login and before the gateway connects: the
right moment to open the database, build the first index (off the event
loop), load one cog per feature and sync the slash commands.
"""

from __future__ import annotations

import asyncio
import logging
import sys

import discord
import yarl
from discord import app_commands
from discord.ext import commands

from bot.config import Config
from bot.discord_bot.checks import Refused
from bot.discord_bot.holder import IndexHolder, NotReady
from bot.discord_bot.inflight import SHUTDOWN_GRACE_SECONDS, InFlight
from bot.discord_bot.replies import NO_PINGS, respond
from bot.discord_bot.throttle import AnsweredMessages, Cooldowns
from bot.discord_bot.views import OpenViews
from bot.engine import Engine, EngineConfig
from bot.storage import SettingDefaults, SettingsStore, StoreError

log = logging.getLogger(__name__)

# Taking buttons off at shutdown is a courtesy: bounded so the host's stop timeout is never at risk.
BUTTONS_OFF_SECONDS = 3.0

COGS = (
    "bot.discord_bot.cogs.asking",
    "bot.discord_bot.cogs.auto_answer",
    "bot.discord_bot.cogs.admin",
    "bot.discord_bot.cogs.settings",
    "bot.discord_bot.cogs.info",
    "bot.discord_bot.cogs.corpus_admin",
)


def point_discord_at(config: Config) -> None:
    """Aim discord.py's REST and gateway at ``config`` (Discord itself unless overridden).

    These are discord.py's own class-level settings; they are process-wide,
    which matches one bot per process.
    """
    discord.http.Route.BASE = config.api_base
    discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(config.gateway_url)


class FanTree(app_commands.CommandTree):
    """Turns command errors into replies the user understands; real faults go to the log."""

    async def interaction_check(self, interaction: discord.Interaction) -> bool:
        # Every command counts as an answer in flight, so a shutdown lets it finish (see inflight.py).
        client = self.client
        if isinstance(client, FanBot):
            client.in_flight.add(f"/{_name(interaction)} in channel {interaction.channel_id} of server {interaction.guild_id}")
        return True

    async def on_error(self, interaction: discord.Interaction, error: app_commands.AppCommandError) -> None:
        if isinstance(error, Refused):
            message = str(error)
        elif isinstance(error, app_commands.CheckFailure):
            message = "You can't use this command here."
        elif isinstance(error, app_commands.CommandInvokeError) and isinstance(error.original, NotReady):
            message = "I'm still reading my articles; try again in a moment."
        elif isinstance(error, app_commands.CommandInvokeError) and isinstance(error.original, StoreError):
            # A locked or broken settings database: the admin needs the file's name (in the log), not a traceback.
            log.error("Command /%s in channel %s of server %s: %s", _name(interaction), interaction.channel_id,
                      interaction.guild_id, error.original)
            message = "I couldn't read or save this server's settings just now; try again in a moment."
        else:
            # Which server and channel: an admin reading the log must find the conversation.
            log.error("Command /%s failed in channel %s of server %s", _name(interaction), interaction.channel_id,
                      interaction.guild_id, exc_info=error)
            message = "Something went wrong on my side; the admins can find the details in the bot's log."
        try:
            await respond(interaction, content=message, ephemeral=True)
        except discord.HTTPException:
            log.warning("Could not tell the user about an error (interaction expired?)", exc_info=True)


def _name(interaction: discord.Interaction) -> str:
    return interaction.command.qualified_name if interaction.command else "?"


class FanBot(commands.Bot):
    """The answers bot; cogs reach shared state through it (``bot.index``, ``bot.store``...)."""

    def __init__(self, config: Config, *, engine: Engine | None = None, **options) -> None:
        point_discord_at(config)
        intents = discord.Intents.default()
        intents.message_content = config.message_content_intent
        super().__init__(
            command_prefix=commands.when_mentioned,  # unused: no prefix commands, see on_message
            help_command=None,
            intents=intents,
            allowed_mentions=NO_PINGS,
            tree_cls=FanTree,
            **options,
        )
        self.config = config
        self.index = IndexHolder(config.corpus_dir, EngineConfig(cache_dir=config.cache_dir), engine)
        self.cooldowns = Cooldowns()
        self.answered = AnsweredMessages()
        self._store: SettingsStore | None = None
        self.in_flight = InFlight()
        self.open_views = OpenViews()
        self.shutdown_grace = SHUTDOWN_GRACE_SECONDS  # tests shorten it; see close()
        self._shutdown: asyncio.Task[None] | None = None

    @property
    def store(self) -> SettingsStore:
        if self._store is None:
            raise NotReady("the settings database is not open yet")
        return self._store

    async def setup_hook(self) -> None:
        if self.intents.message_content:
            log.info(
                "Message content intent requested: answering mentions and opted-in channels needs it "
                "enabled in the developer portal (Bot -> Privileged Gateway Intents)."
            )
        else:
            log.warning(
                "Message content intent is off (MESSAGE_CONTENT_INTENT): slash commands work, but answering "
                "mentions and questions in opted-in channels needs it."
            )
        self._store = await SettingsStore.open(
            self.config.database_path,
            SettingDefaults(
                confidence_bar=self.config.auto_answer_confidence,
                cooldown_seconds=self.config.ask_cooldown_seconds,
            ),
        )
        await self.index.load()
        for extension in COGS:
            await self.load_extension(extension)
        await self._sync_commands()

    async def _sync_commands(self) -> None:
        try:
            if self.config.dev_guild_id:
                guild = discord.Object(id=self.config.dev_guild_id)
                self.tree.copy_global_to(guild=guild)
                synced = await self.tree.sync(guild=guild)
                log.info("Synced %d slash commands to development server %s", len(synced), guild.id)
            else:
                synced = await self.tree.sync()
                log.info("Synced %d slash commands globally (may take a while to show up)", len(synced))
        except discord.HTTPException:
            log.error("Could not sync slash commands; the previously synced ones stay in place", exc_info=True)

    async def on_ready(self) -> None:
        log.info("Logged in as %s (id %s) in %d servers", self.user, self.user.id if self.user else "?", len(self.guilds))

    async def on_message(self, message: discord.Message) -> None:
        """No prefix commands: the cogs' listeners handle mentions and opted-in channels."""

    async def on_error(self, event_method: str, /, *args: object, **kwargs: object) -> None:
        """A listener failed: a locked or broken settings database gets one line naming the file and the
        message it skipped (an operator problem, not a bug: no traceback); anything else as discord.py logs it."""
        error = sys.exc_info()[1]
        if not isinstance(error, StoreError):
            await super().on_error(event_method, *args, **kwargs)
            return
        message = next((a for a in args if isinstance(a, discord.Message)), None)
        where = "" if message is None else (
            f" message {message.id} in channel {message.channel.id} of server {message.guild.id if message.guild else 'none (DM)'}"
        )
        log.error("%s skipped%s: %s", event_method, where, error)

    async def close(self) -> None:
        """Let answers in flight finish (bounded), take the buttons off open answers (a restarted bot could not
        serve them), disconnect, then close the database (SIGTERM ends up here).

        The wait comes first because closing the connection would fail a reply
        half sent.  close() is called more than once (the signal handler, then
        ``async with``/``serve``): every caller waits for the one shutdown to
        complete, so nobody returns while the database is still open.
        """
        if self._shutdown is None:
            self._shutdown = asyncio.create_task(self._shut_down(), name="FanBot shutdown")
        await asyncio.shield(self._shutdown)

    async def _shut_down(self) -> None:
        try:
            await self.in_flight.drain(self.shutdown_grace)
            if not self.is_closed():
                await self.open_views.close_all(BUTTONS_OFF_SECONDS)
            await super().close()
        finally:
            if self._store is not None:
                await self._store.close()
