"""The fake's world: users, guilds, channels, members, and the messages the bot sent.

Each value knows how to render itself as the JSON payload discord.py parses.  The
field lists follow what the installed discord.py 2.7 actually reads; a missing key
in a gateway payload kills the client's ``start()`` task, so the payloads err on
the side of completeness.
"""

from __future__ import annotations

import datetime as dt
import itertools
import re
import time
from dataclasses import dataclass, field
from typing import Any

DISCORD_EPOCH_MS = 1420070400000
_counter = itertools.count(1)

# Permission bits used by the fake and by tests (see discord.Permissions).
ADMINISTRATOR = 0x8
MANAGE_GUILD = 0x20  # "Manage Server": what admin-only commands usually check
VIEW_CHANNEL = 1 << 10
SEND_MESSAGES = 1 << 11
EMBED_LINKS = 1 << 14
ATTACH_FILES = 1 << 15
READ_MESSAGE_HISTORY = 1 << 16
ADD_REACTIONS = 1 << 6
USE_APPLICATION_COMMANDS = 1 << 31
ALL_PERMISSIONS = (1 << 53) - 1
DEFAULT_EVERYONE_PERMISSIONS = (
    VIEW_CHANNEL | SEND_MESSAGES | EMBED_LINKS | ATTACH_FILES | READ_MESSAGE_HISTORY | ADD_REACTIONS
    | USE_APPLICATION_COMMANDS
)

# Message flags and channel types the fake produces.
EPHEMERAL = 64
LOADING = 128
GUILD_TEXT = 0
DM = 1


def snowflake() -> int:
    """A fresh id shaped like Discord's (time in the high bits), so ``created_at`` is sane."""
    ms = int(time.time() * 1000) - DISCORD_EPOCH_MS
    return (ms << 22) | (next(_counter) & 0x3FFFFF)


def iso_now() -> str:
    return dt.datetime.now(dt.timezone.utc).isoformat()


@dataclass
class FakeUser:
    id: int
    username: str
    bot: bool = False
    global_name: str | None = None

    def payload(self) -> dict[str, Any]:
        return {
            "id": str(self.id),
            "username": self.username,
            "discriminator": "0",
            "global_name": self.global_name,
            "avatar": None,
            "bot": self.bot,
            "public_flags": 0,
        }

    @property
    def mention(self) -> str:
        return f"<@{self.id}>"


@dataclass
class FakeRole:
    id: int
    name: str
    permissions: int
    position: int = 0

    def payload(self) -> dict[str, Any]:
        return {
            "id": str(self.id),
            "name": self.name,
            "permissions": str(self.permissions),
            "position": self.position,
            "color": 0,
            "hoist": False,
            "managed": False,
            "mentionable": False,
            "flags": 0,
        }


@dataclass
class FakeChannel:
    id: int
    name: str
    type: int = GUILD_TEXT
    guild_id: int | None = None
    position: int = 0
    recipient: FakeUser | None = None  # DMs only

    def payload(self) -> dict[str, Any]:
        data: dict[str, Any] = {"id": str(self.id), "type": self.type, "name": self.name}
        if self.type == DM:
            data["recipients"] = [self.recipient.payload()] if self.recipient else []
            data["last_message_id"] = None
        else:
            data.update(
                guild_id=str(self.guild_id),
                position=self.position,
                permission_overwrites=[],
                nsfw=False,
                parent_id=None,
                topic=None,
                rate_limit_per_user=0,
                last_message_id=None,
            )
        return data


@dataclass
class FakeMember:
    user: FakeUser
    role_ids: list[int] = field(default_factory=list)
    joined_at: str = field(default_factory=iso_now)

    def payload(self, permissions: int | None = None) -> dict[str, Any]:
        data: dict[str, Any] = {
            "user": self.user.payload(),
            "roles": [str(r) for r in self.role_ids],
            "flags": 0,
            "joined_at": self.joined_at,
            "deaf": False,
            "mute": False,
            "nick": None,
            "avatar": None,
        }
        if permissions is not None:  # only interaction payloads carry computed permissions
            data["permissions"] = str(permissions)
        return data


@dataclass
class FakeGuild:
    id: int
    name: str
    owner_id: int
    roles: dict[int, FakeRole] = field(default_factory=dict)
    channels: dict[int, FakeChannel] = field(default_factory=dict)
    members: dict[int, FakeMember] = field(default_factory=dict)

    @property
    def everyone(self) -> FakeRole:
        return self.roles[self.id]

    def permissions_of(self, user_id: int) -> int:
        """Guild-level permissions, as Discord computes them (no channel overwrites in the fake)."""
        if user_id == self.owner_id:
            return ALL_PERMISSIONS
        member = self.members.get(user_id)
        value = self.everyone.permissions
        for role_id in member.role_ids if member else []:
            value |= self.roles[role_id].permissions
        return ALL_PERMISSIONS if value & ADMINISTRATOR else value

    def create_payload(self, bot_user_id: int, members_intent: bool) -> dict[str, Any]:
        """GUILD_CREATE: without the members intent Discord only sends the bot itself."""
        members = list(self.members.values())
        sent = members if members_intent else [m for m in members if m.user.id == bot_user_id]
        return {
            "id": str(self.id),
            "name": self.name,
            "owner_id": str(self.owner_id),
            "icon": None,
            "unavailable": False,
            "large": False,
            "member_count": len(members),
            "roles": [r.payload() for r in self.roles.values()],
            "channels": [c.payload() for c in self.channels.values()],
            "members": [m.payload() for m in sent],
            "threads": [],
            "emojis": [],
            "stickers": [],
            "features": [],
            "voice_states": [],
            "presences": [],
            "stage_instances": [],
            "guild_scheduled_events": [],
            "soundboard_sounds": [],
            "preferred_locale": "en-US",
            "joined_at": iso_now(),
            "premium_tier": 0,
            "system_channel_flags": 0,
            "verification_level": 0,
            "default_message_notifications": 0,
            "explicit_content_filter": 0,
            "mfa_level": 0,
            "nsfw_level": 0,
        }


_USER_MENTION = re.compile(r"<@!?(\d+)>")
_ROLE_MENTION = re.compile(r"<@&(\d+)>")
_EVERYONE = re.compile(r"@(everyone|here)\b")


def mentioned_user_ids(content: str) -> list[int]:
    """User ids written as ``<@id>`` in ``content``, in order, without repeats."""
    seen: list[int] = []
    for match in _USER_MENTION.finditer(content or ""):
        uid = int(match.group(1))
        if uid not in seen:
            seen.append(uid)
    return seen


@dataclass(frozen=True)
class Pings:
    """Who a message notifies, by Discord's allowed_mentions rules."""

    users: frozenset[int]
    roles: frozenset[int]
    everyone: bool

    def __bool__(self) -> bool:
        return bool(self.users or self.roles or self.everyone)


def compute_pings(content: str, allowed: dict[str, Any] | None, replied_author: int | None) -> Pings:
    """No ``allowed_mentions`` means "parse everything" and a reply pings its author;
    with it, only the listed parse types/ids ping, and the author only if ``replied_user``."""
    users = set(mentioned_user_ids(content))
    roles = {int(r) for r in _ROLE_MENTION.findall(content or "")}
    everyone = bool(_EVERYONE.search(content or ""))
    if allowed is None:
        if replied_author is not None:
            users.add(replied_author)
        return Pings(frozenset(users), frozenset(roles), everyone)
    parse = set(allowed.get("parse") or [])
    if "users" not in parse:
        users &= {int(u) for u in allowed.get("users") or []}
    if "roles" not in parse:
        roles &= {int(r) for r in allowed.get("roles") or []}
    if replied_author is not None and allowed.get("replied_user"):
        users.add(replied_author)
    return Pings(frozenset(users), frozenset(roles), everyone and "everyone" in parse)


@dataclass
class SentMessage:
    """A message the bot created, however it did so (channel POST, interaction callback, followup).

    ``edits`` keeps every PATCH body applied later, so a test can tell a message that
    was sent right from one that was fixed up afterwards.
    """

    id: int
    channel_id: int
    guild_id: int | None
    author: FakeUser
    content: str = ""
    embeds: list[dict[str, Any]] = field(default_factory=list)
    components: list[dict[str, Any]] = field(default_factory=list)
    flags: int = 0
    allowed_mentions: dict[str, Any] | None = None
    message_reference: dict[str, Any] | None = None
    interaction_id: int | None = None
    reply_author_id: int | None = None  # author of the message replied to, for pings()
    via: str = "channel"  # "channel" | "callback" | "deferred" | "followup"
    attachments: list[dict[str, Any]] = field(default_factory=list)
    files: dict[str, bytes] = field(default_factory=dict)
    edits: list[dict[str, Any]] = field(default_factory=list)
    deleted: bool = False
    tts: bool = False
    timestamp: str = field(default_factory=iso_now)
    edited_timestamp: str | None = None

    @property
    def ephemeral(self) -> bool:
        return bool(self.flags & EPHEMERAL)

    @property
    def loading(self) -> bool:
        """A deferred "thinking..." placeholder that nobody has edited yet."""
        return bool(self.flags & LOADING)

    @property
    def reply_to(self) -> int | None:
        ref = self.message_reference or {}
        return int(ref["message_id"]) if ref.get("message_id") else None

    @property
    def custom_ids(self) -> list[str]:
        """Every component ``custom_id`` on the message, depth first (buttons, selects)."""
        found: list[str] = []

        def walk(items: list[dict[str, Any]]) -> None:
            for item in items:
                if "custom_id" in item:
                    found.append(item["custom_id"])
                walk(item.get("components", []))
                if isinstance(item.get("accessory"), dict):
                    walk([item["accessory"]])

        walk(self.components)
        return found

    def pings(self) -> Pings:
        """Who this message notified (content mentions filtered by allowed_mentions, reply ping)."""
        return compute_pings(self.content, self.allowed_mentions, self.reply_author_id)

    def text(self) -> str:
        """Content plus embed titles, descriptions and fields: handy for "does it say X" asserts."""
        parts = [self.content]
        for embed in self.embeds:
            parts += [embed.get("title", ""), embed.get("description", "")]
            for fld in embed.get("fields", []):
                parts += [fld.get("name", ""), fld.get("value", "")]
            parts.append((embed.get("footer") or {}).get("text", ""))
        return "\n".join(p for p in parts if p)

    def apply(self, body: dict[str, Any]) -> None:
        """Apply a create/edit body: only the keys present change, as on Discord."""
        for key in ("content", "embeds", "components", "allowed_mentions"):
            if key in body and body[key] is not None:
                setattr(self, key, body[key])
        if body.get("content", "") is None:
            self.content = ""
        if "flags" in body and body["flags"] is not None:
            self.flags = int(body["flags"]) | (self.flags & EPHEMERAL)
        if body.get("message_reference"):
            self.message_reference = body["message_reference"]
        if body.get("tts"):
            self.tts = True

    def payload(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "id": str(self.id),
            "channel_id": str(self.channel_id),
            "author": self.author.payload(),
            "content": self.content,
            "type": 19 if self.message_reference else 0,
            "embeds": self.embeds,
            "components": self.components,
            "attachments": self.attachments,
            "flags": self.flags,
            "mentions": [],
            "mention_roles": [],
            "mention_everyone": False,
            "pinned": False,
            "tts": self.tts,
            "timestamp": self.timestamp,
            "edited_timestamp": self.edited_timestamp,
        }
        if self.guild_id is not None:
            data["guild_id"] = str(self.guild_id)
        if self.message_reference:
            data["message_reference"] = self.message_reference
        if self.interaction_id is not None:
            data["webhook_id"] = str(self.author.id)
            data["application_id"] = str(self.author.id)
        return data


@dataclass
class RecordedRequest:
    """One HTTP request the client made, Authorization header removed."""

    method: str
    path: str  # relative to the API base, e.g. "/channels/123/messages"
    query: dict[str, str]
    json: Any
    headers: dict[str, str]
    status: int = 0  # what the fake answered (0 while still pending)
    files: list[str] = field(default_factory=list)  # file names of a multipart upload


@dataclass
class InteractionReply:
    """Something the bot did to answer one interaction.

    ``kind`` is "callback" (with ``type`` the callback type: 4 message, 5 deferred,
    6 deferred update, 7 update message, 8 autocomplete result, 9 modal), "followup",
    "edit" (PATCH of @original or a followup) or "delete".
    """

    interaction_id: int
    kind: str
    type: int | None
    data: dict[str, Any]
    message: SentMessage | None = None
