"""Running a real ``discord.py`` bot against ``FakeDiscord`` inside a test, and tearing it down.

The harness exists because the failure modes of a bot under test are quiet: a bad
gateway payload kills the ``start()`` task, and an exception inside a command is
only logged.  ``run_bot`` therefore watches the task (every fake wait fails at
once if it dies), captures ``discord``/``bot`` log records and fails the test on
ERROR records unless the test opts out, and shuts down with bounded timeouts.

The bot instance must be built *after* the fake started (it needs the port), with
a small ``guild_ready_timeout`` (each connect otherwise waits 2 s for guilds)::

    async with FakeDiscord() as fake:
        guild = await fake.create_guild(); ...
        bot = MyBot(api_base=fake.api_base, gateway_url=fake.gateway_url, guild_ready_timeout=0.05)
        async with run_bot(fake, bot) as run:
            handle = await fake.slash("ask", {"question": "..."}, user=alice, channel=general)
"""

from __future__ import annotations

import asyncio
import logging
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import AsyncIterator, Callable

import discord
import discord.gateway
import discord.http
import pytest

from .models import MANAGE_GUILD, FakeChannel, FakeGuild, FakeRole, FakeUser
from .server import FakeDiscord

DEFAULT_LOGGERS = ("discord", "bot")


class _Capture(logging.Handler):
    """Keeps WARNING+ records and wakes the fake's waiters, so tests can wait for a log line."""

    def __init__(self, wake: Callable[[], None], loop: asyncio.AbstractEventLoop) -> None:
        super().__init__(level=logging.WARNING)
        self.records: list[logging.LogRecord] = []
        self._wake, self._loop = wake, loop

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)
        # discord.py's heartbeat thread logs too: hop back onto the loop to wake waiters.
        self._loop.call_soon_threadsafe(self._wake)


@dataclass
class BotRun:
    """A running bot: the ``start()`` task and what it logged (WARNING and above)."""

    bot: discord.Client
    fake: FakeDiscord
    task: asyncio.Task[None]
    fail_on_errors: bool
    capture: _Capture
    fail_on_unknown_routes: bool = True

    @property
    def records(self) -> list[logging.LogRecord]:
        return list(self.capture.records)

    @property
    def errors(self) -> list[logging.LogRecord]:
        return [r for r in self.capture.records if r.levelno >= logging.ERROR]

    def warnings_matching(self, text: str) -> list[str]:
        return [r.getMessage() for r in self.capture.records if text in r.getMessage()]

    def check(self) -> None:
        """Raise if the bot died or (unless opted out) logged an ERROR so far."""
        if self.task.done() and not self.task.cancelled() and self.task.exception() is not None:
            raise AssertionError(f"the bot's start() task died: {self.task.exception()!r}") from self.task.exception()
        if self.fail_on_errors and self.errors:
            raise AssertionError("the bot logged errors:\n" + "\n".join(_format(r) for r in self.errors))
        if self.fake.state.internal_errors:
            failures = "\n".join(self.fake.state.internal_errors)
            raise AssertionError(f"the fake itself failed (fix fakediscord):\n{failures}")
        if self.fail_on_unknown_routes and self.fake.unknown_routes:
            calls = ", ".join(f"{r.method} {r.path}" for r in self.fake.unknown_routes)
            raise AssertionError(f"the bot called routes the fake does not serve (extend rest.py): {calls}")


def _format(record: logging.LogRecord) -> str:
    text = f"{record.name}: {record.getMessage()}"
    if record.exc_info:
        text += "\n" + logging.Formatter().formatException(record.exc_info)
    return text


@asynccontextmanager
async def run_bot(fake: FakeDiscord, bot: discord.Client, *, token: str | None = None, ready_timeout: float = 10,
                  fail_on_errors: bool = True, fail_on_unknown_routes: bool = True,
                  loggers: tuple[str, ...] = DEFAULT_LOGGERS, shutdown_timeout: float = 5) -> AsyncIterator[BotRun]:
    """Start ``bot`` against ``fake``, wait for ``on_ready``, yield, then close everything.

    ``fail_on_errors=False`` is for tests that inject faults and expect the bot to log
    them; they can still assert on ``run.errors``.  A call the fake does not serve gets
    a 404 the bot may swallow, so it fails the run too (``fail_on_unknown_routes``).  The client's two global URL
    settings are restored afterwards so one test cannot leak into the next.
    """
    saved = (discord.http.Route.BASE, discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY)
    capture = _Capture(fake.state.waiters.notify, asyncio.get_running_loop())
    watched = [logging.getLogger(name) for name in loggers]
    for logger in watched:
        logger.addHandler(capture)
    task = asyncio.create_task(bot.start(token or fake.token), name="bot.start")
    fake.watch(task)
    run = BotRun(bot, fake, task, fail_on_errors, capture, fail_on_unknown_routes)
    try:
        ready = asyncio.create_task(bot.wait_until_ready())
        done, _ = await asyncio.wait({ready, task}, timeout=ready_timeout, return_when=asyncio.FIRST_COMPLETED)
        if ready not in done:
            ready.cancel()
            run.check()
            raise AssertionError(f"the bot did not become ready within {ready_timeout}s")
        yield run
    finally:
        await _shutdown(bot, task, shutdown_timeout)
        fake.state.waiters.unwatch(task)  # a later bot in the same test must not fail on this one
        for logger in watched:
            logger.removeHandler(capture)
        discord.http.Route.BASE, discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = saved
    run.check()  # after shutdown, so errors logged while closing count too


async def _shutdown(bot: discord.Client, task: asyncio.Task[None], timeout: float) -> None:
    try:
        await asyncio.wait_for(bot.close(), timeout)
    except (asyncio.TimeoutError, Exception):  # close() must not mask the test's own failure
        pass
    if not task.done():
        try:
            await asyncio.wait_for(asyncio.shield(task), timeout)
        except (asyncio.TimeoutError, Exception):
            task.cancel()
    if task.done() and not task.cancelled():
        task.exception()  # mark retrieved; check() already reported it


@pytest.fixture
async def fake_discord() -> AsyncIterator[FakeDiscord]:
    """A started ``FakeDiscord``, stopped after the test.  Import it into your test module."""
    fake = FakeDiscord()
    await fake.start()
    try:
        yield fake
    finally:
        await fake.stop()


@dataclass
class BasicWorld:
    """One guild with a channel, an admin (Manage Server), a regular member and another bot."""

    guild: FakeGuild
    channel: FakeChannel
    admin: FakeUser
    member: FakeUser
    other_bot: FakeUser
    admin_role: FakeRole


async def basic_world(fake: FakeDiscord) -> BasicWorld:
    guild = await fake.create_guild()
    channel = await fake.create_channel(guild, "general")
    admin_role = await fake.create_role(guild, "Mods", MANAGE_GUILD)
    admin = fake.create_user("nick_admin")
    member = fake.create_user("charlie_fan")
    other_bot = fake.create_user("OtherBot", bot=True)
    await fake.add_member(guild, admin, (admin_role,))
    await fake.add_member(guild, member)
    await fake.add_member(guild, other_bot)
    return BasicWorld(guild, channel, admin, member, other_bot, admin_role)
