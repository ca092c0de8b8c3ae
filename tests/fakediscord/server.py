"""``FakeDiscord``: the server a test starts, and the verbs a test uses to play Discord's users.

The server listens on 127.0.0.1 with a free port.  Point the unmodified client at
it with ``discord.http.Route.BASE = fake.api_base`` and
``discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(fake.gateway_url)``.
"""

from __future__ import annotations

import asyncio
from contextlib import asynccontextmanager
from typing import Any, AsyncIterator, Callable

from aiohttp import web

from .faults import FaultRule
from .gateway import Gateway
from .interactions import InteractionFactory, InteractionHandle
from .models import (
    DEFAULT_EVERYONE_PERMISSIONS,
    DM,
    FakeChannel,
    FakeGuild,
    FakeMember,
    FakeRole,
    FakeUser,
    InteractionReply,
    RecordedRequest,
    SentMessage,
    iso_now,
    mentioned_user_ids,
    snowflake,
)
from .rest import API_PREFIX, RestApi, refusal_middleware
from .rest_interactions import InteractionRoutes
from .state import FakeState

ChannelRef = FakeChannel | int


class FakeDiscord:
    """A loopback Discord for one test: REST + gateway + the state behind both."""

    def __init__(self, token: str = "fake-bot-token", bot_name: str = "FanAnswers") -> None:
        bot = FakeUser(snowflake(), bot_name, bot=True)
        owner = FakeUser(snowflake(), "app-owner")
        self.state = FakeState(token=token, bot_user=bot, owner=owner, users={bot.id: bot, owner.id: owner})
        self._stopping = asyncio.Event()
        self.gateway = Gateway(self.state)
        self.rest = RestApi(self.state, self.gateway, self._stopping)
        self._interactions = InteractionFactory(self.state)
        self._runner: web.AppRunner | None = None
        self.port = 0

    # -- lifecycle ----------------------------------------------------------------------
    async def start(self) -> "FakeDiscord":
        app = web.Application(middlewares=[self.rest.middleware, refusal_middleware])
        app.add_routes(self.rest.routes() + InteractionRoutes(self.rest).routes())
        app.router.add_get("/gateway", self.gateway.handle)
        app.router.add_get("/gateway-resume", self.gateway.handle)
        app.router.add_route("*", API_PREFIX + "/{tail:.*}", _unknown_route)
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=2.0)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.port = self._runner.addresses[0][1]
        self.gateway.resume_url = f"ws://127.0.0.1:{self.port}/gateway-resume"
        self.rest.gateway_url = self.gateway_url
        self.state.cdn_base = f"http://127.0.0.1:{self.port}"
        return self

    async def stop(self) -> None:
        """Close websockets, release hung requests, stop the server; every step is time-bounded."""
        self._stopping.set()
        self.gateway.accepting.set()
        await self.gateway.close_all()
        if self._runner is not None:
            try:
                await asyncio.wait_for(self._runner.cleanup(), 5)
            except asyncio.TimeoutError:
                pass
            self._runner = None

    async def __aenter__(self) -> "FakeDiscord":
        return await self.start()

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    @property
    def api_base(self) -> str:
        """For ``discord.http.Route.BASE`` (``Config.api_base``)."""
        return f"http://127.0.0.1:{self.port}{API_PREFIX}"

    @property
    def gateway_url(self) -> str:
        """For ``DiscordWebSocket.DEFAULT_GATEWAY`` (``Config.gateway_url``); resumes go elsewhere."""
        return f"ws://127.0.0.1:{self.port}/gateway"

    @property
    def token(self) -> str:
        return self.state.token

    @property
    def bot_user(self) -> FakeUser:
        return self.state.bot_user

    # -- building the world -------------------------------------------------------------
    def create_user(self, username: str, *, bot: bool = False) -> FakeUser:
        user = FakeUser(snowflake(), username, bot=bot)
        self.state.users[user.id] = user
        return user

    async def create_guild(self, name: str = "Heartstopper Fans",
                           everyone_permissions: int = DEFAULT_EVERYONE_PERMISSIONS) -> FakeGuild:
        """A guild the bot is in (its member is added), with an @everyone role; GUILD_CREATE if live."""
        gid = snowflake()
        guild = FakeGuild(gid, name, owner_id=self.state.owner.id)
        guild.roles[gid] = FakeRole(gid, "@everyone", everyone_permissions)
        guild.members[self.bot_user.id] = FakeMember(self.bot_user)
        self.state.guilds[gid] = guild
        await self.gateway.dispatch("GUILD_CREATE", guild.create_payload(self.bot_user.id, self.gateway.members_intent))
        return guild

    async def create_channel(self, guild: FakeGuild, name: str = "general") -> FakeChannel:
        channel = FakeChannel(snowflake(), name, guild_id=guild.id, position=len(guild.channels))
        guild.channels[channel.id] = channel
        self.state.channels[channel.id] = channel
        await self.gateway.dispatch("CHANNEL_CREATE", channel.payload())
        return channel

    async def create_role(self, guild: FakeGuild, name: str, permissions: int) -> FakeRole:
        role = FakeRole(snowflake(), name, permissions, position=len(guild.roles))
        guild.roles[role.id] = role
        await self.gateway.dispatch("GUILD_ROLE_CREATE", {"guild_id": str(guild.id), "role": role.payload()})
        return role

    async def add_member(self, guild: FakeGuild, user: FakeUser, roles: tuple[FakeRole, ...] = ()) -> FakeMember:
        member = FakeMember(user, [r.id for r in roles])
        guild.members[user.id] = member
        if self.gateway.members_intent:
            await self.gateway.dispatch("GUILD_MEMBER_ADD", member.payload() | {"guild_id": str(guild.id)})
        return member

    def dm_channel(self, user: FakeUser) -> FakeChannel:
        """The DM channel between ``user`` and the bot (created on first use, like Discord)."""
        for channel in self.state.channels.values():
            if channel.type == DM and channel.recipient == user:
                return channel
        channel = FakeChannel(snowflake(), "", type=DM, recipient=user)
        self.state.channels[channel.id] = channel
        return channel

    def attachment(self, filename: str, data: bytes, content_type: str | None = None) -> dict[str, Any]:
        """A file a user uploads, e.g. as an attachment option of ``slash``; the fake serves its URL."""
        return self.state.store_file(filename, data, content_type)

    # -- what users do ------------------------------------------------------------------
    def _channel(self, channel: ChannelRef) -> FakeChannel:
        return channel if isinstance(channel, FakeChannel) else self.state.channels[int(channel)]

    async def send_message(self, channel: ChannelRef, author: FakeUser, content: str, *,
                           mentions: list[FakeUser] | None = None, reply_to: int | None = None) -> dict[str, Any]:
        """A user posts ``content``: MESSAGE_CREATE (filtered by the bot's intents). Returns the payload.

        ``mentions`` defaults to the users written as ``<@id>`` in the content, which is
        what ``bot.user.mentioned_in(message)`` looks at.
        """
        chan = self._channel(channel)
        if mentions is None:
            mentions = [self.state.users[u] for u in mentioned_user_ids(content) if u in self.state.users]
        payload: dict[str, Any] = {
            "id": str(snowflake()), "channel_id": str(chan.id), "author": author.payload(), "content": content,
            "type": 0, "embeds": [], "attachments": [], "components": [], "flags": 0, "pinned": False,
            "tts": False, "mention_everyone": False, "mention_roles": [], "timestamp": iso_now(),
            "edited_timestamp": None, "mentions": [u.payload() for u in mentions],
        }
        if reply_to is not None:
            payload["type"] = 19
            payload["message_reference"] = {"message_id": str(reply_to), "channel_id": str(chan.id)}
        if chan.guild_id is not None:
            guild = self.state.guilds[chan.guild_id]
            member = guild.members.get(author.id)
            if member is None:
                raise ValueError(f"{author.username} is not a member of {guild.name}")
            payload["guild_id"] = str(guild.id)
            payload["member"] = {k: v for k, v in member.payload().items() if k != "user"}
        self.state.all_messages[int(payload["id"])] = payload
        await self.gateway.dispatch_message("MESSAGE_CREATE", payload)
        return payload

    async def _send_interaction(self, interaction: Any) -> InteractionHandle:
        await self.gateway.dispatch("INTERACTION_CREATE", interaction.payload)
        return InteractionHandle(self.state, interaction)

    async def slash(self, name: str, options: dict[str, Any] | None = None, *, user: FakeUser,
                    channel: ChannelRef, member_permissions: int | None = None) -> InteractionHandle:
        """Run ``/name`` (``"group sub"`` for subcommands) in ``channel`` (a DM channel for DMs)."""
        chan = self._channel(channel)
        interaction = self._interactions.command(name, options or {}, user, chan, member_permissions)
        return await self._send_interaction(interaction)

    async def autocomplete(self, name: str, options: dict[str, Any], focused: str, *, user: FakeUser,
                           channel: ChannelRef) -> InteractionHandle:
        """The user is typing option ``focused``; ``await handle.choices()`` gives the bot's suggestions."""
        chan = self._channel(channel)
        interaction = self._interactions.command(name, options, user, chan, None, focused=focused)
        return await self._send_interaction(interaction)

    async def click(self, message: SentMessage, custom_id: str, *, user: FakeUser,
                    values: list[str] | None = None, member_permissions: int | None = None) -> InteractionHandle:
        """Press a button (or pick ``values`` in a select) on one of the bot's messages."""
        interaction = self._interactions.component(message, custom_id, user, values, member_permissions)
        return await self._send_interaction(interaction)

    async def submit_modal(self, opened_by: InteractionHandle, values: dict[str, str], *,
                           user: FakeUser | None = None) -> InteractionHandle:
        """Fill in and submit the modal the bot opened in answer to ``opened_by``."""
        reply = await opened_by.wait_for_reply(lambda r: r.kind == "callback" and r.type == 9, what="a modal")
        asker = user or opened_by.interaction.user
        chan = self.state.channels[opened_by.interaction.channel_id]
        interaction = self._interactions.modal_submit(reply.data, values, asker, chan, None)
        return await self._send_interaction(interaction)

    # -- gateway faults -------------------------------------------------------------------
    async def drop_connection(self, code: int | None = None) -> None:
        """Cut the websocket (abort, or close with ``code``); the client should RESUME."""
        await self.gateway.drop(code)

    @asynccontextmanager
    async def outage(self, code: int | None = None) -> AsyncIterator[None]:
        """Drop the connection and keep new ones waiting before HELLO until the block ends.

        Dispatches made inside the block queue up and are replayed on the RESUME.
        """
        self.gateway.accepting.clear()
        try:
            await self.gateway.drop(code)
            yield
        finally:
            self.gateway.accepting.set()

    async def invalidate_session(self, *, resumable: bool = False, wait: bool = True, timeout: float = 10) -> None:
        """Send op 9; by default wait until the client has IDENTIFYed again and is live."""
        before = self.gateway.identify_count
        await self.gateway.invalidate(resumable)
        if wait and not resumable:
            await self.wait_for(lambda: self.gateway.identify_count > before and self.live, timeout,
                                "the client to IDENTIFY again after an invalid session")

    async def request_reconnect(self) -> None:
        """Send op 7 RECONNECT; the client closes and RESUMEs."""
        await self.gateway.request_reconnect()

    @property
    def live(self) -> bool:
        """A websocket is up and has had its READY or RESUMED."""
        return self.gateway.conn is not None and self.gateway.conn.live

    async def wait_until_live(self, timeout: float = 10) -> None:
        await self.wait_for(lambda: self.live, timeout, "a live gateway connection")

    # -- REST faults --------------------------------------------------------------------
    def fail_next(self, method: str, path_pattern: str, status: int | None, *, retry_after: float | None = None,
                  count: int = 1, hang: float | None = None, is_global: bool = False) -> FaultRule:
        """Answer the next ``count`` matching requests with ``status`` (429 gets rate-limit headers).

        ``hang=seconds`` holds each request first; with ``status=None`` it is then served normally.
        """
        rule = FaultRule(method, path_pattern, status, retry_after, count, hang, is_global)
        self.rest.faults.append(rule)
        return rule

    # -- what tests read ----------------------------------------------------------------
    @property
    def messages(self) -> list[SentMessage]:
        """Every message the bot created, in order (deleted ones stay, flagged ``deleted``)."""
        return list(self.state.sent)

    @property
    def requests(self) -> list[RecordedRequest]:
        return list(self.state.requests)

    @property
    def unknown_routes(self) -> list[RecordedRequest]:
        return list(self.state.unknown_routes)

    @property
    def internal_errors(self) -> list[str]:
        """Exceptions inside the fake (with tracebacks); ``run_bot`` fails the test on them."""
        return list(self.state.internal_errors)

    def requests_to(self, method: str, path_pattern: str) -> list[RecordedRequest]:
        from fnmatch import fnmatchcase

        return [r for r in self.state.requests if r.method == method.upper() and fnmatchcase(r.path, path_pattern)]

    def commands(self, guild: FakeGuild | None = None) -> list[dict[str, Any]]:
        """The application commands as last synced (global, or for ``guild``)."""
        return list(self.state.commands_for(guild.id if guild else None))

    def interaction_responses(self, interaction_id: int) -> list[InteractionReply]:
        return list(self.state.interactions[interaction_id].replies)

    async def wait_for(self, check: Callable[[], Any], timeout: float = 10, what: str = "a condition") -> Any:
        """Wait until ``check()`` is truthy; raise AssertionError naming ``what`` at the timeout."""
        return await self.state.waiters.wait_until(check, timeout, what, self.state.describe_sent)

    async def wait_for_message(self, predicate: Callable[[SentMessage], bool], timeout: float = 10) -> SentMessage:
        """The first bot message (existing or future, not deleted) for which ``predicate`` holds."""
        return await self.wait_for(
            lambda: next((m for m in self.state.sent if not m.deleted and predicate(m)), None), timeout,
            "a bot message matching the predicate",
        )

    async def wait_for_request(self, method: str, path_pattern: str, timeout: float = 10,
                               count: int = 1) -> RecordedRequest:
        """Wait until ``count`` answered requests match; returns the last of them."""

        def check() -> RecordedRequest | None:
            done = [r for r in self.requests_to(method, path_pattern) if r.status]
            return done[count - 1] if len(done) >= count else None

        return await self.wait_for(check, timeout, f"{count} x {method} {path_pattern}")

    def watch(self, task: asyncio.Task[Any]) -> None:
        """Make every wait fail at once if ``task`` (the bot's start()) dies."""
        self.state.waiters.watch(task)


async def _unknown_route(request: web.Request) -> web.Response:
    raise web.HTTPNotFound()
