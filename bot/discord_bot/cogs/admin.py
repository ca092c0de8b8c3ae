"""``/reindex``: reload the corpus folder without restarting the bot."""

from __future__ import annotations

import logging

import discord
from discord import app_commands
from discord.ext import commands

from bot.discord_bot.checks import require_admin
from bot.discord_bot.client import FanBot
from bot.discord_bot.holder import ReindexInProgress
from bot.discord_bot.replies import NO_PINGS, respond
from bot.discord_bot.reports import reindex_failed_embed, reindex_report_embed

log = logging.getLogger(__name__)


class Admin(commands.Cog):
    def __init__(self, bot: FanBot) -> None:
        self.bot = bot

    async def interaction_check(self, interaction: discord.Interaction) -> bool:
        return require_admin(interaction, self.bot.config.owner_ids)

    @app_commands.command(name="reindex", description="Reload the articles folder without a restart (admins).")
    @app_commands.default_permissions(manage_guild=True)
    @app_commands.guild_only()
    async def reindex(self, interaction: discord.Interaction) -> None:
        holder = self.bot.index
        try:
            task = holder.start_reindex()
        except ReindexInProgress as running:
            stamp = int(running.started_at.timestamp())
            await respond(
                interaction,
                content=f"A reindex is already running (started <t:{stamp}:R>); its report will be posted when it ends.",
                ephemeral=True,
            )
            return
        before = holder.size()
        await respond(
            interaction,
            content=(
                f"Reindexing `{holder.corpus_dir}` ({before.articles} articles, {before.passages} passages now)… "
                "Fans are answered from the current index until the new one is ready."
            ),
        )
        try:
            report = await task
        except Exception as exc:  # a failed build of any kind keeps the old index; the admin must hear why
            log.error("Reindex failed; still serving the previous index", exc_info=exc)
            embed = reindex_failed_embed(exc, holder.size())
        else:
            embed = reindex_report_embed(report)
        try:
            await interaction.followup.send(embed=embed, allowed_mentions=NO_PINGS)
        except discord.HTTPException:
            log.warning("Could not post the reindex report (interaction expired?)", exc_info=True)


async def setup(bot: FanBot) -> None:
    await bot.add_cog(Admin(bot))
