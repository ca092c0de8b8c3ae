"""An async SQLite store for per-server settings and answer feedback.

aiosqlite runs every statement in its own thread, so the event loop never waits
on the disk.  Settings are read far more often than written (every message in
every channel passes through the auto-answer check), hence the cache.
"""

from __future__ import annotations

import datetime as dt
import logging
import math
import sqlite3
import time
from contextlib import asynccontextmanager
from pathlib import Path
from typing import AsyncIterator

import aiosqlite

from bot.storage.models import (
    MAX_CONFIDENCE_BAR,
    MAX_COOLDOWN_SECONDS,
    MIN_CONFIDENCE_BAR,
    Feedback,
    GuildSettings,
    SettingDefaults,
)
from bot.storage.schema import MIGRATIONS, SCHEMA_VERSION

log = logging.getLogger(__name__)


class StoreError(RuntimeError):
    """The database cannot be used (unreadable file, schema from a newer bot); the message says which."""


# How long a statement waits for another process's lock before giving up. Short enough that an
# admin's /settings still gets its answer within Discord's 3-second interaction window.
BUSY_TIMEOUT_SECONDS = 2.0


# How stale a cached setting may get when another process (a second bot, an admin's shell) changes it.
# Checking on every read would cost a trip to the database thread per message, which a CPU-bound
# reindex (holding the GIL) makes slow for every fan.
RECHECK_SECONDS = 1.0


def _is_locked(exc: sqlite3.Error) -> bool:
    return isinstance(exc, sqlite3.OperationalError) and ("locked" in str(exc) or "busy" in str(exc))


class SettingsStore:
    """Settings and feedback for all servers, backed by one SQLite file.

    Open it with :meth:`open` and close it with :meth:`close` (or ``async with``).
    """

    def __init__(self, conn: aiosqlite.Connection, path: Path, defaults: SettingDefaults) -> None:
        self._conn = conn
        self.path = path
        self.defaults = defaults
        self._cache: dict[int, GuildSettings] = {}
        self._data_version: int | None = None  # changes when another connection commits: the cache is stale
        self._checked_at = -math.inf  # monotonic time of the last data_version check
        self._closed = False

    @classmethod
    async def open(
        cls, path: Path | str, defaults: SettingDefaults | None = None, *, busy_timeout: float | None = None
    ) -> "SettingsStore":
        """Open (creating the file and its folder on first start), check it, and bring the schema up to date.

        A file that is locked, not a database or damaged raises StoreError
        naming it, before anything is written: a corrupt database is left
        exactly as it was for its owner to restore, never reset.
        """
        path = Path(path)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            conn = await aiosqlite.connect(path, timeout=BUSY_TIMEOUT_SECONDS if busy_timeout is None else busy_timeout)
        except (OSError, sqlite3.Error) as exc:
            raise StoreError(f"cannot open the settings database {path}: {exc}") from exc
        store = cls(conn, path, defaults or SettingDefaults())
        try:
            await store._migrate()
        except BaseException:
            await conn.close()
            raise
        return store

    async def __aenter__(self) -> "SettingsStore":
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.close()

    async def close(self) -> None:
        """Close the connection; safe to call twice (shutdown paths can overlap)."""
        if not self._closed:
            self._closed = True
            await self._conn.close()
            log.info("Closed the settings database %s", self.path)

    @asynccontextmanager
    async def _using(self, doing: str) -> AsyncIterator[None]:
        """Turn SQLite failures into a StoreError that names the file, and end a failed transaction."""
        try:
            yield
        except sqlite3.Error as exc:
            try:
                await self._conn.rollback()  # release any lock the failed statement took
            except sqlite3.Error:
                pass
            if _is_locked(exc):
                raise StoreError(
                    f"the settings database {self.path} is locked by another process; could not {doing}"
                ) from exc
            raise StoreError(f"the settings database {self.path} failed to {doing}: {exc}") from exc

    @property
    def closed(self) -> bool:
        return self._closed

    async def schema_version(self) -> int:
        async with self._conn.execute("PRAGMA user_version") as cur:
            row = await cur.fetchone()
        return int(row[0]) if row else 0

    async def _migrate(self) -> None:
        try:
            version = await self.schema_version()
            # Reads every page's structure (cheap for a settings file): damage shows now, before any write.
            async with self._conn.execute("PRAGMA quick_check") as cur:
                problems = [str(r[0]) for r in await cur.fetchall()]
        except sqlite3.DatabaseError as exc:
            if _is_locked(exc):
                raise StoreError(
                    f"the settings database {self.path} is locked by another process ({exc}); "
                    "stop the other bot or close the program holding it, then start again"
                ) from exc
            raise StoreError(self._corrupt(str(exc))) from exc
        if problems != ["ok"]:
            raise StoreError(self._corrupt("; ".join(problems[:3])))
        if version > SCHEMA_VERSION:
            raise StoreError(
                f"{self.path} has schema version {version}, newer than this bot's {SCHEMA_VERSION}; "
                "upgrade the bot or point DATABASE_PATH at another file"
            )
        for number in range(version, SCHEMA_VERSION):
            # user_version cannot be bound as a parameter; it is our own integer.
            await self._conn.executescript(
                f"BEGIN; {MIGRATIONS[number]}; PRAGMA user_version = {number + 1}; COMMIT;"
            )
            log.info("Settings database %s migrated to schema version %d", self.path, number + 1)

    def _corrupt(self, detail: str) -> str:
        return (
            f"the settings database {self.path} is corrupt or not an SQLite database ({detail}); "
            "the bot leaves the file untouched: restore it from a backup, or move it away to start with defaults"
        )

    # -- settings ---------------------------------------------------------

    async def _forget_if_changed_elsewhere(self) -> None:
        """Drop the cache when another connection (a second bot, an admin's shell) committed since we read.

        ``PRAGMA data_version`` is per connection and ignores our own commits, so
        this costs one tiny query (at most every RECHECK_SECONDS) and never a
        re-read unless someone else wrote.  When the file is locked the cached
        copy is the best answer there is.
        """
        now = time.monotonic()
        if now - self._checked_at < RECHECK_SECONDS:
            return
        self._checked_at = now
        try:
            async with self._conn.execute("PRAGMA data_version") as cur:
                row = await cur.fetchone()
        except sqlite3.OperationalError as exc:
            if not _is_locked(exc):
                raise
            log.debug("Settings database %s is locked; using cached settings", self.path)
            return
        version = int(row[0]) if row else None
        if version != self._data_version:
            self._cache.clear()
            self._data_version = version

    async def get(self, guild_id: int) -> GuildSettings:
        """The effective settings of a server (defaults for a server never configured)."""
        async with self._using(f"read the settings of server {guild_id}"):
            await self._forget_if_changed_elsewhere()
            cached = self._cache.get(guild_id)
            if cached is not None:
                return cached
            async with self._conn.execute(
                "SELECT answer_mentions, confidence_bar, cooldown_seconds FROM guild_settings WHERE guild_id = ?",
                (guild_id,),
            ) as cur:
                row = await cur.fetchone()
            async with self._conn.execute(
                "SELECT channel_id FROM auto_answer_channels WHERE guild_id = ?", (guild_id,)
            ) as cur:
                channels = frozenset(int(r[0]) for r in await cur.fetchall())
        mentions, bar, cooldown = row if row else (None, None, None)
        settings = GuildSettings(
            guild_id=guild_id,
            auto_channels=channels,
            answer_mentions=self.defaults.answer_mentions if mentions is None else bool(mentions),
            confidence_bar=self.defaults.confidence_bar if bar is None else float(bar),
            cooldown_seconds=self.defaults.cooldown_seconds if cooldown is None else int(cooldown),
        )
        self._cache[guild_id] = settings
        return settings

    async def set_auto_channel(self, guild_id: int, channel_id: int, enabled: bool) -> GuildSettings:
        """Opt a channel in to (or out of) unsolicited answers."""
        if enabled:
            sql = "INSERT OR IGNORE INTO auto_answer_channels (guild_id, channel_id) VALUES (?, ?)"
        else:
            sql = "DELETE FROM auto_answer_channels WHERE guild_id = ? AND channel_id = ?"
        async with self._using(f"change the auto-answer channels of server {guild_id}"):
            await self._conn.execute(sql, (guild_id, channel_id))
            await self._conn.commit()
        # Re-read rather than patch the cached copy: another bot may have changed this server meanwhile.
        self._cache.pop(guild_id, None)
        return await self.get(guild_id)

    async def update(
        self,
        guild_id: int,
        *,
        answer_mentions: bool | None = None,
        confidence_bar: float | None = None,
        cooldown_seconds: int | None = None,
    ) -> GuildSettings:
        """Change some settings of a server; ``None`` leaves a setting as it is.

        Raises ValueError with a message fit for the admin when a value is out of range.
        """
        if confidence_bar is not None:
            if not math.isfinite(confidence_bar) or not MIN_CONFIDENCE_BAR <= confidence_bar <= MAX_CONFIDENCE_BAR:
                raise ValueError(
                    f"the confidence bar must be between {MIN_CONFIDENCE_BAR:g} and {MAX_CONFIDENCE_BAR:g}, "
                    f"got {confidence_bar:g}"
                )
        if cooldown_seconds is not None and not 0 <= cooldown_seconds <= MAX_COOLDOWN_SECONDS:
            raise ValueError(f"the cooldown must be between 0 and {MAX_COOLDOWN_SECONDS} seconds, got {cooldown_seconds}")
        async with self._using(f"save the settings of server {guild_id}"):
            await self._update_row(guild_id, answer_mentions, confidence_bar, cooldown_seconds)
        self._cache.pop(guild_id, None)
        return await self.get(guild_id)

    async def _update_row(
        self, guild_id: int, answer_mentions: bool | None, confidence_bar: float | None, cooldown_seconds: int | None
    ) -> None:
        # Only the columns given change (COALESCE keeps the others): two bots changing different
        # settings of one server cannot undo each other.
        await self._conn.execute(
            """
            INSERT INTO guild_settings (guild_id, answer_mentions, confidence_bar, cooldown_seconds)
            VALUES (?, ?, ?, ?)
            ON CONFLICT (guild_id) DO UPDATE SET
                answer_mentions  = COALESCE(excluded.answer_mentions, answer_mentions),
                confidence_bar   = COALESCE(excluded.confidence_bar, confidence_bar),
                cooldown_seconds = COALESCE(excluded.cooldown_seconds, cooldown_seconds)
            """,
            (
                guild_id,
                None if answer_mentions is None else int(answer_mentions),
                confidence_bar,
                cooldown_seconds,
            ),
        )
        await self._conn.commit()

    # -- feedback ---------------------------------------------------------

    async def record_feedback(self, feedback: Feedback) -> None:
        """Store a vote; the same fan voting again on the same message changes their vote."""
        async with self._using("record a vote"):
            await self._insert_feedback(feedback)

    async def _insert_feedback(self, feedback: Feedback) -> None:
        await self._conn.execute(
            """
            INSERT INTO feedback (message_id, user_id, helpful, article, passage_id,
                                  guild_id, channel_id, question, created_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT (message_id, user_id) DO UPDATE SET
                helpful = excluded.helpful, created_at = excluded.created_at
            """,
            (
                feedback.message_id,
                feedback.user_id,
                int(feedback.helpful),
                feedback.article,
                feedback.passage_id,
                feedback.guild_id,
                feedback.channel_id,
                feedback.question,
                feedback.created_at.isoformat(),
            ),
        )
        await self._conn.commit()

    async def feedback(self, *, article: str | None = None) -> list[Feedback]:
        """Recorded votes, oldest first (optionally for one article), for reports and tests."""
        sql = (
            "SELECT message_id, user_id, helpful, article, passage_id, guild_id, channel_id, question, created_at "
            "FROM feedback"
        )
        params: tuple[object, ...] = ()
        if article is not None:
            sql += " WHERE article = ?"
            params = (article,)
        sql += " ORDER BY created_at, message_id, user_id"
        async with self._conn.execute(sql, params) as cur:
            rows = await cur.fetchall()
        return [
            Feedback(
                message_id=int(r[0]),
                user_id=int(r[1]),
                helpful=bool(r[2]),
                article=str(r[3]),
                passage_id=int(r[4]),
                guild_id=None if r[5] is None else int(r[5]),
                channel_id=None if r[6] is None else int(r[6]),
                question=str(r[7]),
                created_at=dt.datetime.fromisoformat(r[8]),
            )
            for r in rows
        ]
