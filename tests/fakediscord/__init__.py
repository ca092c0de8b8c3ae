"""A loopback fake of Discord's REST API and gateway that the unmodified discord.py client talks to.

See README.md in this folder for the calls it serves and how a test uses it.
"""

from .harness import BasicWorld, BotRun, basic_world, fake_discord, run_bot
from .interactions import InteractionHandle
from .models import (
    ADMINISTRATOR,
    DEFAULT_EVERYONE_PERMISSIONS,
    EPHEMERAL,
    MANAGE_GUILD,
    FakeChannel,
    FakeGuild,
    FakeMember,
    FakeRole,
    FakeUser,
    InteractionReply,
    RecordedRequest,
    SentMessage,
)
from .server import FakeDiscord

__all__ = [
    "ADMINISTRATOR", "DEFAULT_EVERYONE_PERMISSIONS", "EPHEMERAL", "MANAGE_GUILD", "BasicWorld", "BotRun",
    "FakeChannel", "FakeDiscord", "FakeGuild", "FakeMember", "FakeRole", "FakeUser", "InteractionHandle",
    "InteractionReply", "RecordedRequest", "SentMessage", "basic_world", "fake_discord",
    "run_bot",
]
