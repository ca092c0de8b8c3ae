"""Per-fan cooldowns, and remembering which messages were already answered.

Both live in memory: a restart forgetting a cooldown is harmless, and the
gateway only replays events (after a RESUME) within one process's life.
Both are bounded so a busy server cannot grow them without end.
"""

from __future__ import annotations

import datetime as dt
import time
from collections import OrderedDict
from typing import Callable, Hashable


class Cooldowns:
    """When each fan may ask again.  Keys are (guild id or 0, user id)."""

    def __init__(self, clock: Callable[[], float] = time.monotonic, max_entries: int = 10_000) -> None:
        self._clock = clock
        self._last: OrderedDict[Hashable, float] = OrderedDict()
        self._max = max_entries

    def remaining(self, key: Hashable, seconds: float) -> float:
        """Seconds this fan still has to wait (0 when they may ask)."""
        last = self._last.get(key)
        if last is None or seconds <= 0:
            return 0.0
        return max(0.0, last + seconds - self._clock())

    def touch(self, key: Hashable) -> None:
        """Record that this fan was just answered."""
        self._last[key] = self._clock()
        self._last.move_to_end(key)
        while len(self._last) > self._max:
            self._last.popitem(last=False)

    def take(self, key: Hashable, seconds: float) -> float:
        """Use the fan's turn if they have one: returns 0 then, else the seconds left (turn not used)."""
        left = self.remaining(key, seconds)
        if left == 0:
            self.touch(key)
        return left

    def refund(self, key: Hashable) -> None:
        """Give back a turn just taken (the question could not be searched, so it should not count)."""
        self._last.pop(key, None)

    @staticmethod
    def retry_at(seconds_left: float) -> dt.datetime:
        """The wall-clock moment matching ``seconds_left`` (for Discord's <t:…:R> stamps)."""
        return dt.datetime.now(dt.timezone.utc) + dt.timedelta(seconds=seconds_left)


class AnsweredMessages:
    """Message ids the bot has already taken on, so a replayed or duplicated event is not answered twice."""

    def __init__(self, max_entries: int = 5_000) -> None:
        self._seen: OrderedDict[int, None] = OrderedDict()
        self._max = max_entries

    def claim(self, message_id: int) -> bool:
        """True the first time a message id is claimed, False ever after (within the bound)."""
        if message_id in self._seen:
            return False
        self._seen[message_id] = None
        while len(self._seen) > self._max:
            self._seen.popitem(last=False)
        return True
