"""``/sources`` and ``/help``: what the bot knows and how to ask it."""

from __future__ import annotations

import discord
from discord import app_commands
from discord.ext import commands

from bot.discord_bot.client import FanBot
from bot.discord_bot.embeds import help_embed
from bot.discord_bot.replies import respond
from bot.discord_bot.views import sources_view


class Info(commands.Cog):
    def __init__(self, bot: FanBot) -> None:
        self.bot = bot

    @app_commands.command(name="sources", description="List the articles I answer from.")
    @app_commands.describe(page="Page to start on (10 articles a page)")
    async def sources(self, interaction: discord.Interaction, page: app_commands.Range[int, 1, 10_000] = 1) -> None:
        articles = self.bot.index.engine.articles
        view = sources_view(articles, page - 1)
        paged = view.pages > 1
        await respond(interaction, embeds=view.embeds(), view=view if paged else discord.utils.MISSING, ephemeral=True)
        if paged:
            self.bot.open_views.on_response(view, interaction)

    @app_commands.command(name="help", description="How to ask me questions, and what I know.")
    async def help(self, interaction: discord.Interaction) -> None:
        size = self.bot.index.size()
        await respond(interaction, embed=help_embed(size.articles, size.passages), ephemeral=True)


async def setup(bot: FanBot) -> None:
    await bot.add_cog(Info(bot))
