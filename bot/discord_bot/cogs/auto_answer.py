"""Answering questions nobody addressed to the bot, in channels an admin opted in.

An unsolicited answer is an interruption, so the bar is higher than for
/ask: the message must read as a question, the answer must reach the
server's confidence bar, and a fan on cooldown is skipped silently rather
than told off for a message that was not meant for the bot.
"""

from __future__ import annotations

import logging

import discord
from discord.ext import commands

from bot.discord_bot.answering import look_up, reply_for, send_reply, strip_bot_mention, turn_key
from bot.discord_bot.client import FanBot
from bot.engine import looks_like_question

log = logging.getLogger(__name__)


class AutoAnswer(commands.Cog):
    def __init__(self, bot: FanBot) -> None:
        self.bot = bot

    @commands.Cog.listener()
    async def on_message(self, message: discord.Message) -> None:
        bot = self.bot
        if message.guild is None or message.author.bot or bot.user is None or message.author.id == bot.user.id:
            return
        settings = await bot.store.get(message.guild.id)
        if message.channel.id not in settings.auto_channels:
            return
        if strip_bot_mention(message.content, bot.user) is not None:
            return  # addressed to the bot: the asking cog answers (or not, per the mentions setting)
        if not looks_like_question(message.content):
            return
        key = turn_key(message.guild.id, message.author.id)
        if bot.cooldowns.remaining(key, settings.cooldown_seconds) > 0:
            return
        if not bot.answered.claim(message.id):
            return
        bot.in_flight.add(f"reply to message {message.id} in channel {message.channel.id}")  # shutdown waits for it
        outcome = await look_up(bot, message.content)
        if outcome.answer is None or outcome.answer.confidence < settings.confidence_bar:
            log.debug(
                "Not answering message %s: %s", message.id,
                "no answer" if outcome.answer is None else f"confidence {outcome.answer.confidence:.2f} below bar",
            )
            return
        bot.cooldowns.touch(key)
        reply = reply_for(bot, outcome, message.content)
        await send_reply(message, reply)


async def setup(bot: FanBot) -> None:
    await bot.add_cog(AutoAnswer(bot))
