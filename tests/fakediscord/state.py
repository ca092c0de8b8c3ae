"""Shared state of the fake: what exists, what the bot asked for, and what it sent.

The REST routes, the gateway and the test-facing API all read and write this one
object.  Everything runs on the test's event loop, so no locking is needed; the
``Waiters`` helper lets tests sleep until the state changes instead of polling.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field
from typing import Any, Callable, TypeVar

from .models import (
    FakeChannel,
    FakeGuild,
    FakeUser,
    InteractionReply,
    RecordedRequest,
    SentMessage,
    snowflake,
)

T = TypeVar("T")


class Waiters:
    """Wake-ups for tests waiting on a condition over the fake's state.

    Every change calls ``notify()``; ``wait_until`` re-checks its condition on each
    wake-up, and at least every ``POLL`` seconds for conditions on the client's own
    state (which the fake cannot see change).  At the deadline it raises an
    ``AssertionError`` saying what was awaited, so a failing test reads as a failed
    expectation, not a hang.
    """

    POLL = 0.05

    def __init__(self) -> None:
        self._futures: list[asyncio.Future[None]] = []
        self._watched: list[asyncio.Task[Any]] = []

    def notify(self) -> None:
        for fut in self._futures:
            if not fut.done():
                fut.set_result(None)
        self._futures.clear()

    def watch(self, task: asyncio.Task[Any]) -> None:
        """Make every wait fail at once if ``task`` (the bot's ``start()``) dies."""
        self._watched.append(task)
        task.add_done_callback(lambda _t: self.notify())

    def unwatch(self, task: asyncio.Task[Any]) -> None:
        if task in self._watched:
            self._watched.remove(task)

    def _check_watched(self) -> None:
        for task in self._watched:
            if task.done() and not task.cancelled() and task.exception() is not None:
                raise AssertionError(f"the bot's start() task died: {task.exception()!r}") from task.exception()

    async def wait_until(
        self, check: Callable[[], T | None], timeout: float, what: str, detail: Callable[[], str] = lambda: ""
    ) -> T:
        """Return ``check()``'s first truthy result."""
        deadline = time.monotonic() + timeout
        while True:
            self._check_watched()
            result = check()
            if result:
                return result
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                extra = detail()
                raise AssertionError(f"timed out after {timeout}s waiting for {what}" + (f"\n{extra}" if extra else ""))
            fut: asyncio.Future[None] = asyncio.get_running_loop().create_future()
            self._futures.append(fut)
            try:
                await asyncio.wait_for(fut, min(remaining, self.POLL))
            except asyncio.TimeoutError:
                if fut in self._futures:
                    self._futures.remove(fut)


@dataclass
class FakeInteraction:
    """An interaction the test started, with everything the bot did in reply."""

    id: int
    token: str
    type: int  # 2 command, 3 component, 4 autocomplete, 5 modal submit
    user: FakeUser
    channel_id: int
    guild_id: int | None
    payload: dict[str, Any]
    target_message_id: int | None = None  # the message a component sits on
    original_message_id: int | None = None  # what "@original" means for webhook edits
    replies: list[InteractionReply] = field(default_factory=list)

    @property
    def acknowledged(self) -> bool:
        return any(r.kind == "callback" for r in self.replies)


@dataclass
class FakeState:
    token: str
    bot_user: FakeUser
    owner: FakeUser
    users: dict[int, FakeUser] = field(default_factory=dict)
    guilds: dict[int, FakeGuild] = field(default_factory=dict)
    channels: dict[int, FakeChannel] = field(default_factory=dict)
    all_messages: dict[int, dict[str, Any]] = field(default_factory=dict)  # id -> payload, anyone's
    sent: list[SentMessage] = field(default_factory=list)  # the bot's, in creation order
    requests: list[RecordedRequest] = field(default_factory=list)
    unknown_routes: list[RecordedRequest] = field(default_factory=list)
    internal_errors: list[str] = field(default_factory=list)  # bugs in the fake itself, with tracebacks
    files: dict[int, bytes] = field(default_factory=dict)  # attachment id -> bytes, served at cdn_base
    cdn_base: str = ""  # set by the server: where attachment URLs point
    global_commands: list[dict[str, Any]] = field(default_factory=list)
    guild_commands: dict[int, list[dict[str, Any]]] = field(default_factory=dict)
    command_syncs: list[tuple[int | None, list[dict[str, Any]]]] = field(default_factory=list)
    interactions: dict[int, FakeInteraction] = field(default_factory=dict)
    waiters: Waiters = field(default_factory=Waiters)

    @property
    def application_id(self) -> int:
        return self.bot_user.id

    # -- lookups -----------------------------------------------------------------
    def sent_by_id(self, message_id: int) -> SentMessage | None:
        return next((m for m in self.sent if m.id == message_id), None)

    def interaction_by_token(self, token: str) -> FakeInteraction | None:
        return next((i for i in self.interactions.values() if i.token == token), None)

    def commands_for(self, guild_id: int | None) -> list[dict[str, Any]]:
        return self.global_commands if guild_id is None else self.guild_commands.setdefault(guild_id, [])

    def find_command(self, name: str, guild_id: int | None) -> dict[str, Any] | None:
        """Guild commands shadow global ones of the same name, as in the Discord client."""
        if guild_id is not None:
            for cmd in self.guild_commands.get(guild_id, []):
                if cmd["name"] == name and cmd.get("type", 1) == 1:
                    return cmd
        return next((c for c in self.global_commands if c["name"] == name and c.get("type", 1) == 1), None)

    # -- changes -------------------------------------------------------------------
    def store_commands(self, guild_id: int | None, commands: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """Bulk overwrite, keeping the id of a command whose name survives (Discord does too)."""
        old = {(c["name"], c.get("type", 1)): c["id"] for c in self.commands_for(guild_id)}
        stored = []
        for cmd in commands:
            item = dict(cmd)
            item["id"] = old.get((cmd["name"], cmd.get("type", 1)), str(snowflake()))
            item["application_id"] = str(self.application_id)
            item.setdefault("type", 1)
            item.setdefault("description", "")
            item.setdefault("options", [])
            item["version"] = str(snowflake())
            item["default_member_permissions"] = cmd.get("default_member_permissions")
            if guild_id is not None:
                item["guild_id"] = str(guild_id)
            stored.append(item)
        if guild_id is None:
            self.global_commands = stored
        else:
            self.guild_commands[guild_id] = stored
        self.command_syncs.append((guild_id, stored))
        self.waiters.notify()
        return stored

    def store_file(self, filename: str, data: bytes, content_type: str | None = None) -> dict[str, Any]:
        """An attachment object whose URL the fake serves (discord.py's ``Attachment.read()`` works)."""
        aid = snowflake()
        self.files[aid] = data
        url = f"{self.cdn_base}/attachments/{aid}/{filename}"
        payload = {"id": str(aid), "filename": filename, "size": len(data), "url": url, "proxy_url": url}
        if content_type:
            payload["content_type"] = content_type
        return payload

    def add_sent(self, message: SentMessage) -> SentMessage:
        self.sent.append(message)
        self.all_messages[message.id] = message.payload()
        self.waiters.notify()
        return message

    def reply(self, interaction: FakeInteraction, reply: InteractionReply) -> None:
        interaction.replies.append(reply)
        self.waiters.notify()

    def describe_sent(self, limit: int = 10) -> str:
        """The last messages, for timeout errors: what the bot did say instead."""
        if not self.sent:
            return "the bot sent no messages"
        lines = [f"last {min(limit, len(self.sent))} of {len(self.sent)} bot messages:"]
        for m in self.sent[-limit:]:
            lines.append(f"  #{m.channel_id} via={m.via} flags={m.flags} text={m.text()[:120]!r}")
        return "\n".join(lines)
