"""Asking the engine and shaping the reply, shared by /ask, mentions and auto-answer.

The three ways to ask differ only in how they are triggered and who sees the
reply; what the engine is asked and what the reply looks like is decided
once, here.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import discord

from bot.discord_bot.embeds import abstain_text, answer_embed, cooldown_text, question_problem_text
from bot.discord_bot.replies import reply_to
from bot.discord_bot.throttle import Cooldowns
from bot.discord_bot.views import AnswerView
from bot.engine import Answer, QuestionError

if TYPE_CHECKING:
    from bot.discord_bot.client import FanBot

log = logging.getLogger(__name__)

# One best answer and up to nine more for "More answers" (three pages of three).
PASSAGES_PER_QUESTION = 10


@dataclass(frozen=True)
class Outcome:
    """What the engine made of a question: an answer, an honest "don't know", or a problem with the question."""

    answer: Answer | None = None
    problem: str | None = None

    @property
    def answered(self) -> bool:
        return self.answer is not None


_DISCORD_MARKUP = re.compile(r"@everyone|@here|<@[!&]?\d+>|<#\d+>|<a?:\w+:\d+>|<t:\d+(?::\w)?>")


def searchable(question: str) -> str:
    """The question without Discord markup (mentions, channels, custom emoji, timestamps).

    "@everyone is season 2 confirmed?" asks about season 2; the mention is
    addressing, not content, and would only lower the engine's confidence.
    """
    return " ".join(_DISCORD_MARKUP.sub(" ", question).split())


async def look_up(bot: "FanBot", question: str, *, turn: tuple[int, int] | None = None) -> Outcome:
    """Ask the current engine, off the event loop; a bad question becomes a message, not an exception.

    ``turn`` is the cooldown key the asker spent on this question; a question
    that could not be searched gives it back, so a typo does not cost a wait.
    """
    try:
        return Outcome(answer=await bot.index.ask(searchable(question), PASSAGES_PER_QUESTION))
    except QuestionError as exc:
        if turn is not None:
            bot.cooldowns.refund(turn)
        return Outcome(problem=str(exc))


@dataclass
class Reply:
    """Keyword arguments for a send, plus the view (if any) to bind to the sent message."""

    kwargs: dict[str, Any] = field(default_factory=dict)
    view: AnswerView | None = None


def reply_for(bot: "FanBot", outcome: Outcome, question: str) -> Reply:
    """The message a fan gets for ``outcome``."""
    if outcome.problem is not None:
        return Reply({"content": question_problem_text(outcome.problem)})
    if outcome.answer is None:
        return Reply({"content": abstain_text(question)})
    view = AnswerView(bot, outcome.answer, question)
    return Reply({"embed": answer_embed(outcome.answer, question=question), "view": view}, view)


async def send_reply(message: discord.Message, reply: Reply) -> None:
    """Send ``reply`` under ``message`` and let its buttons expire with that message."""
    sent = await reply_to(message, **reply.kwargs)
    if reply.view is not None and sent is not None:
        reply.view.bot.open_views.on_message(reply.view, sent)


def turn_key(guild_id: int | None, user_id: int) -> tuple[int, int]:
    """Cooldowns are per fan and per server (DMs share one "server" 0)."""
    return (guild_id or 0, user_id)


async def wait_message(bot: "FanBot", guild_id: int | None, user_id: int) -> str | None:
    """The polite cooldown message if this fan must wait, else None (and their turn is used)."""
    seconds = (await bot.store.get(guild_id)).cooldown_seconds if guild_id else bot.config.ask_cooldown_seconds
    left = bot.cooldowns.take(turn_key(guild_id, user_id), seconds)
    if left > 0:
        return cooldown_text(Cooldowns.retry_at(left), left)
    return None


def strip_bot_mention(content: str, bot_user: discord.abc.User) -> str | None:
    """The question in a message that mentions the bot by name, or None when it does not.

    Only an explicit ``<@id>`` counts: a reply to one of the bot's messages
    also lists the bot in ``message.mentions``, and that is not a question.
    """
    tokens = (f"<@{bot_user.id}>", f"<@!{bot_user.id}>")
    if not any(token in content for token in tokens):
        return None
    for token in tokens:
        content = content.replace(token, " ")
    return " ".join(content.split())
