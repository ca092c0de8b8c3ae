"""The settings store: what an admin sets is what the bot reads back, after a restart too."""

from __future__ import annotations

import sqlite3

import pytest

from bot.storage import SCHEMA_VERSION, Feedback, GuildSettings, SettingDefaults, SettingsStore, StoreError

GUILD = 111
OTHER_GUILD = 222


async def test_new_database_is_created_with_folder_and_current_schema(tmp_path):
    path = tmp_path / "nested" / "bot.sqlite3"
    async with await SettingsStore.open(path) as store:
        assert await store.schema_version() == SCHEMA_VERSION
    assert path.exists()
    with sqlite3.connect(path) as raw:
        assert raw.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION


async def test_unconfigured_server_gets_the_defaults(tmp_path):
    defaults = SettingDefaults(confidence_bar=0.7, cooldown_seconds=5, answer_mentions=False)
    async with await SettingsStore.open(tmp_path / "s.db", defaults) as store:
        assert await store.get(GUILD) == GuildSettings(
            guild_id=GUILD, auto_channels=frozenset(), answer_mentions=False, confidence_bar=0.7, cooldown_seconds=5
        )


async def test_changes_survive_reopening_and_stay_per_server(tmp_path):
    path = tmp_path / "s.db"
    async with await SettingsStore.open(path) as store:
        await store.set_auto_channel(GUILD, 10, True)
        await store.set_auto_channel(GUILD, 11, True)
        await store.set_auto_channel(GUILD, 10, False)
        await store.update(GUILD, answer_mentions=False, confidence_bar=0.8)
        await store.update(GUILD, cooldown_seconds=30)  # leaves the others alone
    async with await SettingsStore.open(path) as store:
        got = await store.get(GUILD)
        assert got.auto_channels == frozenset({11})
        assert (got.answer_mentions, got.confidence_bar, got.cooldown_seconds) == (False, 0.8, 30)
        assert await store.get(OTHER_GUILD) == GuildSettings(guild_id=OTHER_GUILD)


async def test_unset_settings_follow_the_configured_defaults(tmp_path):
    """An admin who only changed the cooldown still gets a new default bar after the operator changes it."""
    path = tmp_path / "s.db"
    async with await SettingsStore.open(path, SettingDefaults(confidence_bar=0.6)) as store:
        await store.update(GUILD, cooldown_seconds=3)
    async with await SettingsStore.open(path, SettingDefaults(confidence_bar=0.9)) as store:
        got = await store.get(GUILD)
        assert (got.confidence_bar, got.cooldown_seconds) == (0.9, 3)


async def test_enabling_a_channel_twice_keeps_one(tmp_path):
    async with await SettingsStore.open(tmp_path / "s.db") as store:
        await store.set_auto_channel(GUILD, 10, True)
        got = await store.set_auto_channel(GUILD, 10, True)
        assert got.auto_channels == frozenset({10})


@pytest.mark.parametrize(
    "change, message",
    [
        ({"confidence_bar": 1.5}, "between 0 and 1"),
        ({"confidence_bar": -0.1}, "between 0 and 1"),
        ({"confidence_bar": float("nan")}, "between 0 and 1"),
        ({"cooldown_seconds": -1}, "between 0 and 3600"),
        ({"cooldown_seconds": 86400}, "between 0 and 3600"),
    ],
)
async def test_out_of_range_values_are_refused_with_a_reason(tmp_path, change, message):
    async with await SettingsStore.open(tmp_path / "s.db") as store:
        with pytest.raises(ValueError, match=message):
            await store.update(GUILD, **change)
        assert await store.get(GUILD) == GuildSettings(guild_id=GUILD)


async def test_feedback_is_recorded_and_a_second_vote_replaces_the_first(tmp_path):
    path = tmp_path / "s.db"
    async with await SettingsStore.open(path) as store:
        await store.record_feedback(
            Feedback(message_id=5, user_id=7, helpful=True, article="a.md", passage_id=3, guild_id=GUILD, question="q?")
        )
        await store.record_feedback(Feedback(message_id=5, user_id=8, helpful=True, article="a.md", passage_id=3))
        await store.record_feedback(Feedback(message_id=5, user_id=7, helpful=False, article="a.md", passage_id=3))
    async with await SettingsStore.open(path) as store:
        votes = {(f.user_id, f.helpful) for f in await store.feedback(article="a.md")}
        assert votes == {(7, False), (8, True)}
        assert await store.feedback(article="other.md") == []


async def test_database_from_a_newer_bot_is_refused(tmp_path):
    path = tmp_path / "s.db"
    with sqlite3.connect(path) as raw:
        raw.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    with pytest.raises(StoreError, match="newer than this bot"):
        await SettingsStore.open(path)


async def test_a_file_that_is_not_a_database_is_named(tmp_path):
    path = tmp_path / "notes.txt"
    path.write_bytes(b"these are my notes, not a database" * 100)
    with pytest.raises(StoreError, match="notes.txt"):
        await SettingsStore.open(path)


async def test_close_twice_is_harmless(tmp_path):
    store = await SettingsStore.open(tmp_path / "s.db")
    await store.close()
    await store.close()
    assert store.closed
