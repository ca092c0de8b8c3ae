"""Buttons under answers and lists: More answers (paged), 👍/👎 feedback, page turning.

Views are in-memory (not persistent): after ``timeout`` the buttons are
removed from the message, so nobody clicks a button that no longer answers.
The timeout stays under the 15 minutes an interaction token lives.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import TYPE_CHECKING, Awaitable, Callable, Sequence

import discord

from bot.discord_bot.embeds import alternatives_embeds, sources_embed, sources_page_count
from bot.discord_bot.replies import NO_PINGS
from bot.engine import Answer, Article
from bot.storage import Feedback

if TYPE_CHECKING:
    from bot.discord_bot.client import FanBot

log = logging.getLogger(__name__)

VIEW_TIMEOUT = 14 * 60
MORE_PER_PAGE = 3

Closer = Callable[[], Awaitable[object]]


class _ExpiringView(discord.ui.View):
    """A view that takes its buttons off the message when it times out."""

    def __init__(self, timeout: float = VIEW_TIMEOUT) -> None:
        super().__init__(timeout=timeout)
        self._close: Closer | None = None

    def on_close(self, close: Closer) -> None:
        """How to remove the buttons (edit the message or the interaction's original response)."""
        self._close = close

    async def on_timeout(self) -> None:
        if self._close is not None:
            try:
                await self._close()
            except discord.HTTPException:
                log.debug("Could not remove expired buttons", exc_info=True)

    async def on_error(self, interaction: discord.Interaction, error: Exception, item: discord.ui.Item) -> None:
        log.error("Button %r failed", getattr(item, "custom_id", item), exc_info=error)
        send = interaction.followup.send if interaction.response.is_done() else interaction.response.send_message
        try:
            await send("Something went wrong on my side with that button.", ephemeral=True, allowed_mentions=NO_PINGS)
        except discord.HTTPException:
            pass


class PagedView(_ExpiringView):
    """Previous/Next over pages rendered by ``render(page)``; edits its own message in place."""

    def __init__(self, pages: int, render: Callable[[int], list[discord.Embed]], page: int = 0) -> None:
        super().__init__()
        self.pages = pages
        self.page = min(max(page, 0), pages - 1)
        self._render = render
        self._refresh()

    def embeds(self) -> list[discord.Embed]:
        return self._render(self.page)

    def _refresh(self) -> None:
        self.previous.disabled = self.page == 0
        self.next.disabled = self.page >= self.pages - 1

    async def _turn(self, interaction: discord.Interaction, step: int) -> None:
        self.page = min(max(self.page + step, 0), self.pages - 1)
        self._refresh()
        await interaction.response.edit_message(embeds=self.embeds(), view=self, allowed_mentions=NO_PINGS)

    @discord.ui.button(label="Previous", emoji="◀️", style=discord.ButtonStyle.secondary)
    async def previous(self, interaction: discord.Interaction, button: discord.ui.Button) -> None:
        await self._turn(interaction, -1)

    @discord.ui.button(label="Next", emoji="▶️", style=discord.ButtonStyle.secondary)
    async def next(self, interaction: discord.Interaction, button: discord.ui.Button) -> None:
        await self._turn(interaction, +1)


def more_answers_view(alternatives: Sequence[Answer], today: dt.date | None = None) -> PagedView:
    pages = max(1, -(-len(alternatives) // MORE_PER_PAGE))
    return PagedView(
        pages, lambda page: alternatives_embeds(alternatives, page=page, per_page=MORE_PER_PAGE, today=today)
    )


def sources_view(articles: Sequence[Article], page: int = 0, today: dt.date | None = None) -> PagedView:
    return PagedView(
        sources_page_count(articles), lambda p: [sources_embed(articles, page=p, today=today)], page=page
    )


class AnswerView(_ExpiringView):
    """Under an answer: More answers (ephemeral, paged, for whoever clicks) and 👍/👎 feedback."""

    def __init__(self, bot: "FanBot", answer: Answer, question: str) -> None:
        super().__init__()
        self.bot = bot
        self.answer = answer
        self.question = question
        if not answer.alternatives:
            self.remove_item(self.more)

    @discord.ui.button(label="More answers", style=discord.ButtonStyle.primary)
    async def more(self, interaction: discord.Interaction, button: discord.ui.Button) -> None:
        view = more_answers_view(self.answer.alternatives)
        await interaction.response.send_message(
            embeds=view.embeds(), view=view if view.pages > 1 else discord.utils.MISSING,
            ephemeral=True, allowed_mentions=NO_PINGS,
        )
        if view.pages > 1:
            view.on_close(lambda: interaction.edit_original_response(view=None))

    async def _vote(self, interaction: discord.Interaction, helpful: bool) -> None:
        await self.bot.store.record_feedback(
            Feedback(
                message_id=interaction.message.id if interaction.message else 0,
                user_id=interaction.user.id,
                helpful=helpful,
                article=self.answer.article,
                passage_id=self.answer.passage_id,
                guild_id=interaction.guild_id,
                channel_id=interaction.channel_id,
                question=self.question,
            )
        )
        thanks = "Thanks, glad it helped!" if helpful else "Thanks for telling me; this helps improve the answers."
        await interaction.response.send_message(thanks, ephemeral=True, allowed_mentions=NO_PINGS)

    @discord.ui.button(emoji="👍", style=discord.ButtonStyle.secondary)
    async def helpful(self, interaction: discord.Interaction, button: discord.ui.Button) -> None:
        await self._vote(interaction, True)

    @discord.ui.button(emoji="👎", style=discord.ButtonStyle.secondary)
    async def unhelpful(self, interaction: discord.Interaction, button: discord.ui.Button) -> None:
        await self._vote(interaction, False)
