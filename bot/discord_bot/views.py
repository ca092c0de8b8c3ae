"""Buttons under answers and lists: More answers (paged), 👍/👎 feedback, page turning.

Views are in-memory (not persistent): after ``timeout`` the buttons are
removed from the message, so nobody clicks a button that no longer answers.
The timeout stays under the 15 minutes an interaction token lives.  A
restarted bot would not know the buttons of the one before either, so a
shutdown takes off the buttons still showing (``OpenViews``).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import weakref
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
        await self.take_buttons_off()

    async def take_buttons_off(self) -> None:
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


class OpenViews:
    """The views whose buttons are showing now, so a shutdown can take the buttons off.

    After a restart the bot no longer knows them, and a click would only get
    Discord's "This interaction failed".  Weak references: a view that timed
    out and was dropped by discord.py leaves on its own.
    """

    def __init__(self) -> None:
        self._views: weakref.WeakSet[_ExpiringView] = weakref.WeakSet()

    def track(self, view: _ExpiringView, close: Closer) -> None:
        """``view`` is on a message now; ``close`` removes its buttons (on timeout, or at shutdown)."""
        view.on_close(close)
        self._views.add(view)

    def on_response(self, view: _ExpiringView, interaction: discord.Interaction) -> None:
        """``view`` is on ``interaction``'s response (which its token can edit for 15 minutes)."""
        self.track(view, lambda: interaction.edit_original_response(view=None, allowed_mentions=NO_PINGS))

    def on_message(self, view: _ExpiringView, message: discord.Message) -> None:
        self.track(view, lambda: message.edit(view=None, allowed_mentions=NO_PINGS))

    async def close_all(self, seconds: float) -> int:
        """Stop every open view and take its buttons off, for at most ``seconds``; how many were taken off."""
        views = [view for view in self._views if not view.is_finished()]
        if not views:
            return 0
        for view in views:
            view.stop()
        closing = [asyncio.ensure_future(view.take_buttons_off()) for view in views]
        done, pending = await asyncio.wait(closing, timeout=seconds)
        for task in pending:
            task.cancel()
        log.info("Shutting down: took the buttons off %d message(s)%s", len(done),
                 f"; gave up on {len(pending)} after {seconds:.0f} s" if pending else "")
        return len(done)


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
            self.bot.open_views.on_response(view, interaction)

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
