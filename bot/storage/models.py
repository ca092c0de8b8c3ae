"""Values the settings store hands out: frozen, so a cached copy is safe to share."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

# Bounds checked on every change, so a typo in /settings cannot lock a server
# out (a cooldown of a week) or silence it (a bar above 1).
MAX_COOLDOWN_SECONDS = 3600
MIN_CONFIDENCE_BAR = 0.0
MAX_CONFIDENCE_BAR = 1.0


@dataclass(frozen=True)
class SettingDefaults:
    """What a server gets until an admin changes it.

    The unsolicited-answer bar is stricter than /ask's (which answers whenever
    the engine does not abstain): a wrong answer nobody asked for is worse
    than a missing one.
    """

    confidence_bar: float = 0.75
    cooldown_seconds: int = 10
    answer_mentions: bool = True


@dataclass(frozen=True)
class GuildSettings:
    """The effective settings of one server (defaults filled in)."""

    guild_id: int
    auto_channels: frozenset[int] = frozenset()
    answer_mentions: bool = True
    confidence_bar: float = 0.75
    cooldown_seconds: int = 10


@dataclass(frozen=True)
class Feedback:
    """One fan's 👍/👎 on one answer message; a later click replaces an earlier one."""

    message_id: int
    user_id: int
    helpful: bool
    article: str
    passage_id: int
    guild_id: int | None = None
    channel_id: int | None = None
    question: str = ""
    created_at: dt.datetime = field(default_factory=lambda: dt.datetime.now(dt.timezone.utc))
