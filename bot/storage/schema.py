"""The database schema, as an ordered list of migrations.

``PRAGMA user_version`` records how many migrations a database has seen, so a
file created by an older bot is upgraded in place on start, and a file from a
newer bot is refused instead of being silently misread.
"""

from __future__ import annotations

# Each entry moves the schema from version i to i + 1.  Never edit a released
# entry: append a new one.
MIGRATIONS: tuple[str, ...] = (
    """
    CREATE TABLE guild_settings (
        guild_id         INTEGER PRIMARY KEY,
        answer_mentions  INTEGER,          -- NULL: the configured default
        confidence_bar   REAL,             -- NULL: the configured default
        cooldown_seconds INTEGER           -- NULL: the configured default
    );
    CREATE TABLE auto_answer_channels (
        guild_id   INTEGER NOT NULL,
        channel_id INTEGER NOT NULL,
        PRIMARY KEY (guild_id, channel_id)
    );
    CREATE TABLE feedback (
        message_id INTEGER NOT NULL,
        user_id    INTEGER NOT NULL,
        helpful    INTEGER NOT NULL,
        article    TEXT NOT NULL,
        passage_id INTEGER NOT NULL,
        guild_id   INTEGER,
        channel_id INTEGER,
        question   TEXT NOT NULL DEFAULT '',
        created_at TEXT NOT NULL,
        PRIMARY KEY (message_id, user_id)
    );
    CREATE INDEX feedback_by_article ON feedback (article);
    """,
)

SCHEMA_VERSION = len(MIGRATIONS)
