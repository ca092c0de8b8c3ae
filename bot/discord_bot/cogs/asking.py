"""Fans asking on purpose: ``/ask``, mentioning the bot, or writing to it in DMs."""

from __future__ import annotations

import asyncio
import logging

import discord
from discord import app_commands
from discord.ext import commands

from bot.discord_bot.answering import look_up, reply_for, send_reply, strip_bot_mention, turn_key, wait_message
from bot.discord_bot.client import FanBot
from bot.discord_bot.replies import reply_to, respond

log = logging.getLogger(__name__)

# Discord drops an interaction not answered within 3 s; past this, defer and answer as a follow-up.
ANSWER_WITHOUT_DEFER_SECONDS = 2.0

MENTION_HINT = "Ask me a question after the mention, like “@me is season 2 confirmed?”."


class Asking(commands.Cog):
    def __init__(self, bot: FanBot) -> None:
        self.bot = bot
        self.defer_after = ANSWER_WITHOUT_DEFER_SECONDS

    @app_commands.command(name="ask", description="Ask a question; I answer from news articles, with the source.")
    @app_commands.describe(
        question="Your question, e.g. “is season 2 confirmed?”",
        private="Only you see the answer (default: everyone in the channel)",
    )
    async def ask(self, interaction: discord.Interaction, question: str, private: bool = False) -> None:
        wait = await wait_message(self.bot, interaction.guild_id, interaction.user.id)
        if wait:
            await respond(interaction, content=wait, ephemeral=True)
            return
        turn = turn_key(interaction.guild_id, interaction.user.id)
        lookup = asyncio.ensure_future(look_up(self.bot, question, turn=turn))
        try:
            outcome = await asyncio.wait_for(asyncio.shield(lookup), self.defer_after)
        except asyncio.TimeoutError:
            await interaction.response.defer(ephemeral=private, thinking=True)
            outcome = await lookup
        reply = reply_for(self.bot, outcome, question)
        # A problem with the question is only the asker's business.
        await respond(interaction, ephemeral=private or outcome.problem is not None, **reply.kwargs)
        if reply.view is not None:
            self.bot.open_views.on_response(reply.view, interaction)

    @commands.Cog.listener()
    async def on_message(self, message: discord.Message) -> None:
        if message.author.bot or self.bot.user is None:
            return
        if message.guild is None:
            question = strip_bot_mention(message.content, self.bot.user)
            question = message.content if question is None else question
        else:
            question = strip_bot_mention(message.content, self.bot.user)
            if question is None or not (await self.bot.store.get(message.guild.id)).answer_mentions:
                return
        if not self.bot.answered.claim(message.id):
            return
        self.bot.in_flight.add(f"reply to message {message.id} in channel {message.channel.id}")  # shutdown waits for it
        if not question:
            await reply_to(message, content=MENTION_HINT)
            return
        guild_id = message.guild.id if message.guild else None
        wait = await wait_message(self.bot, guild_id, message.author.id)
        if wait:
            await reply_to(message, content=wait)
            return
        outcome = await look_up(self.bot, question, turn=turn_key(guild_id, message.author.id))
        reply = reply_for(self.bot, outcome, question)
        await send_reply(message, reply)


async def setup(bot: FanBot) -> None:
    await bot.add_cog(Asking(bot))
