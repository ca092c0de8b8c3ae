"""``/settings``: show and change this server's answering settings (admins)."""

from __future__ import annotations

import discord
from discord import app_commands
from discord.ext import commands

from bot.discord_bot.checks import require_admin
from bot.discord_bot.client import FanBot
from bot.discord_bot.replies import respond
from bot.discord_bot.reports import settings_embed
from bot.storage import GuildSettings
from bot.storage.models import MAX_COOLDOWN_SECONDS


class Settings(commands.Cog):
    settings = app_commands.Group(
        name="settings",
        description="Show or change how I answer in this server (admins).",
        default_permissions=discord.Permissions(manage_guild=True),
        guild_only=True,
    )

    def __init__(self, bot: FanBot) -> None:
        self.bot = bot

    async def interaction_check(self, interaction: discord.Interaction) -> bool:
        return require_admin(interaction, self.bot.config.owner_ids)

    async def _show(self, interaction: discord.Interaction, settings: GuildSettings, note: str | None = None) -> None:
        await respond(interaction, embed=settings_embed(settings, note=note), ephemeral=True)

    async def _update(self, interaction: discord.Interaction, note: str, **changes: object) -> None:
        # Discord enforces the option ranges in its client; a value from elsewhere is refused here.
        try:
            updated = await self.bot.store.update(interaction.guild_id, **changes)
        except ValueError as exc:
            await respond(interaction, content=f"Not saved: {exc}.", ephemeral=True)
            return
        await self._show(interaction, updated, note)

    @settings.command(name="show", description="Show this server's settings.")
    async def show(self, interaction: discord.Interaction) -> None:
        await self._show(interaction, await self.bot.store.get(interaction.guild_id))

    @settings.command(name="autoanswer", description="Let me answer questions on my own in a channel, or stop.")
    @app_commands.describe(enabled="On: answer confident questions here unasked", channel="Default: this channel")
    async def autoanswer(
        self, interaction: discord.Interaction, enabled: bool, channel: discord.TextChannel | None = None
    ) -> None:
        channel_id = channel.id if channel is not None else interaction.channel_id
        updated = await self.bot.store.set_auto_channel(interaction.guild_id, channel_id, enabled)
        state = "now answer questions on my own" if enabled else "no longer answer unasked"
        await self._show(interaction, updated, f"Saved: I'll {state} in <#{channel_id}>.")

    @settings.command(name="mentions", description="Answer (or not) when someone mentions me with a question.")
    @app_commands.describe(enabled="On: answer mentions")
    async def mentions(self, interaction: discord.Interaction, enabled: bool) -> None:
        await self._update(interaction, f"Saved: mentions are {'answered' if enabled else 'ignored'}.", answer_mentions=enabled)

    @settings.command(name="confidence", description="How sure I must be to answer unasked (0 to 1; higher = fewer).")
    @app_commands.describe(bar="0 answers anything, 1 only questions fully covered by a passage")
    async def confidence(self, interaction: discord.Interaction, bar: app_commands.Range[float, 0.0, 1.0]) -> None:
        await self._update(interaction, f"Saved: the confidence bar for unasked answers is {bar:.2f}.", confidence_bar=bar)

    @settings.command(name="cooldown", description="Seconds each fan waits between questions (0 = none).")
    @app_commands.describe(seconds=f"0 to {MAX_COOLDOWN_SECONDS}")
    async def cooldown(
        self, interaction: discord.Interaction, seconds: app_commands.Range[int, 0, MAX_COOLDOWN_SECONDS]
    ) -> None:
        await self._update(interaction, f"Saved: the cooldown is {seconds} s per fan.", cooldown_seconds=seconds)


async def setup(bot: FanBot) -> None:
    await bot.add_cog(Settings(bot))
