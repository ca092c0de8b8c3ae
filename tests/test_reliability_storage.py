"""Storage faults (issue 5): a locked settings database, a corrupt one, and two bots sharing one.

A locked or corrupt file must be reported with its name; a corrupt file is
never overwritten or reset (its bytes are compared before and after); two
processes changing different settings of the same server keep both changes.
The lock is held by a separate Python process, as another bot or an admin's
``sqlite3`` shell would hold it.
"""

from __future__ import annotations

import asyncio
import random
import sqlite3
import subprocess
import sys
import textwrap
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

import discord
import discord.gateway
import discord.http
import pytest

from bot.discord_bot.run import serve
import bot.storage.store as store_module
from bot.storage import SettingsStore, StoreError
from discord_world import bot_config, corpus, embed_of, fake_discord, fields_of, running_bot, world  # noqa: F401
from reliability_helpers import suite_report  # noqa: F401  (fixture used by name)

GUILD = 4242
SEASON_2 = "is season 2 confirmed?"
ANSWER_TEXT = "Netflix confirmed"


@contextmanager
def locked_by_another_process(path: Path, mode: str = "EXCLUSIVE") -> Iterator[subprocess.Popen[str]]:
    """A second process holds ``BEGIN <mode>`` on ``path`` until the block ends (it waits on its stdin)."""
    holder = subprocess.Popen(
        [sys.executable, "-c", textwrap.dedent(f"""
            import sqlite3, sys
            conn = sqlite3.connect({str(path)!r}, isolation_level=None)
            conn.execute("BEGIN {mode}")
            print("locked", flush=True)
            sys.stdin.read()
            conn.rollback()
        """)],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "locked"
        yield holder
    finally:
        if holder.stdin:
            holder.stdin.close()
        try:
            holder.wait(timeout=10)
        except subprocess.TimeoutExpired:
            holder.kill()
            holder.wait()


async def configured_database(path: Path) -> dict[str, object]:
    """A database with settings in it; returns its rows, to show later that nothing changed."""
    async with await SettingsStore.open(path) as store:
        await store.update(GUILD, cooldown_seconds=30, confidence_bar=0.6)
        await store.set_auto_channel(GUILD, 77, True)
    return rows(path)


def rows(path: Path) -> dict[str, object]:
    with sqlite3.connect(path) as conn:
        return {
            "settings": conn.execute("SELECT * FROM guild_settings ORDER BY guild_id").fetchall(),
            "channels": conn.execute("SELECT * FROM auto_answer_channels ORDER BY 1, 2").fetchall(),
            "integrity": conn.execute("PRAGMA integrity_check").fetchone()[0],
        }


async def serve_once(config) -> int:
    """``serve`` as ``python -m bot run`` calls it, with discord.py's URL globals restored afterwards."""
    saved = (discord.http.Route.BASE, discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY)
    try:
        return await asyncio.wait_for(serve(config), 30)
    finally:
        discord.http.Route.BASE, discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = saved


# -- locked ---------------------------------------------------------------------------------------


async def test_a_database_locked_by_another_process_is_named_at_startup_and_left_intact(
    fake_discord, corpus, tmp_path, caplog, suite_report
):
    path = tmp_path / "locked.sqlite3"
    before = await configured_database(path)
    raw = path.read_bytes()
    with locked_by_another_process(path):
        with pytest.raises(StoreError) as raised:
            await SettingsStore.open(path)
        code = await serve_once(bot_config(fake_discord, corpus, database_path=path))
    message = str(raised.value)
    startup = [r.getMessage() for r in caplog.records if r.getMessage().startswith("Cannot start")]
    suite_report.add(store_error=message, startup_line=startup[0] if startup else None, exit_code=code)
    assert str(path) in message and "locked" in message
    assert code == 1 and len(startup) == 1 and str(path) in startup[0] and "locked" in startup[0]
    assert path.read_bytes() == raw and rows(path) == before
    assert not fake_discord.gateway.connections  # it never went online with settings it could not read


async def test_a_settings_change_while_another_process_holds_the_lock_is_refused_clearly_and_fans_still_answered(
    fake_discord, world, corpus, suite_report
):
    config = bot_config(fake_discord, corpus)
    async with running_bot(fake_discord, config, fail_on_errors=False) as run:
        first = await fake_discord.slash("settings cooldown", {"seconds": 0}, user=world.admin, channel=world.channel)
        await first.message()
        before = rows(config.database_path)
        with locked_by_another_process(config.database_path):
            refused = await fake_discord.slash("settings mentions", {"enabled": False}, user=world.admin,
                                               channel=world.channel)
            refusal = await refused.message(timeout=15)
            mention = await fake_discord.send_message(world.channel, world.member,
                                                      f"<@{fake_discord.bot_user.id}> {SEASON_2}")
            answer = await fake_discord.wait_for_message(lambda m: m.reply_to == int(mention["id"]))
        during = rows(config.database_path)
        retried = await fake_discord.slash("settings mentions", {"enabled": False}, user=world.admin,
                                           channel=world.channel)
        saved = await retried.message()
        errors = [r.getMessage() for r in run.errors]
    suite_report.add(refusal=refusal.content, logged=errors)
    assert refusal.ephemeral and "couldn't read or save this server's settings" in refusal.content
    assert len(errors) == 1 and str(config.database_path) in errors[0] and "locked" in errors[0]
    assert str(world.guild.id) in errors[0] and str(world.channel.id) in errors[0]
    assert "Netflix confirmed" in embed_of(answer)["description"]  # cached settings keep fans answered
    assert during == before and during["integrity"] == "ok"  # the refused change left no trace
    assert fields_of(embed_of(saved))["Answer mentions"].startswith("off")
    assert rows(config.database_path)["settings"] != before["settings"]


async def test_a_message_from_a_server_whose_settings_cannot_be_read_is_skipped_with_one_clear_line(
    fake_discord, world, corpus, monkeypatch, suite_report
):
    """A server not read before the lock has no cached settings: its message is skipped, named, no traceback.

    Every read waits the busy timeout for the lock first (2 s; shortened here to keep the test quick).
    """
    monkeypatch.setattr(store_module, "BUSY_TIMEOUT_SECONDS", 0.3)
    config = bot_config(fake_discord, corpus)
    other = await fake_discord.create_guild("Other fans")
    other_channel = await fake_discord.create_channel(other, "chat")
    await fake_discord.add_member(other, world.member)
    question = f"<@{fake_discord.bot_user.id}> {SEASON_2}"
    async with running_bot(fake_discord, config, fail_on_errors=False) as run:
        known = await fake_discord.send_message(world.channel, world.member, question)
        await fake_discord.wait_for_message(lambda m: m.reply_to == int(known["id"]))
        with locked_by_another_process(config.database_path):
            skipped = await fake_discord.send_message(other_channel, world.member, question)
            await fake_discord.wait_for(lambda: run.errors, 15, "the skipped message in the log")
            still = await fake_discord.send_message(world.channel, world.member, question)
            answered = await fake_discord.wait_for_message(lambda m: m.reply_to == int(still["id"]))
        after = await fake_discord.send_message(other_channel, world.member, question)
        later = await fake_discord.wait_for_message(lambda m: m.reply_to == int(after["id"]))
        await asyncio.sleep(0.3)  # both listeners (mentions, auto-answer) have had their turn
        errors = run.errors
    lines = [r.getMessage() for r in errors]
    suite_report.add(skipped_lines=lines)
    assert 1 <= len(lines) <= 2 and all(r.exc_info is None for r in errors)  # one line per listener, no traceback
    for line in lines:
        assert f"message {skipped['id']}" in line and f"server {other.id}" in line
        assert str(config.database_path) in line and "locked" in line
    assert not [m for m in fake_discord.messages if m.reply_to == int(skipped["id"])]
    assert ANSWER_TEXT in answered.text() and ANSWER_TEXT in later.text()


# -- corrupt --------------------------------------------------------------------------------------


def corruptions(valid: bytes, count: int, seed: int = 11) -> Iterator[tuple[str, bytes]]:
    """Named ways a settings file can be damaged: garbage, truncation, overwritten pages, random bytes."""
    rng = random.Random(seed)
    page = 4096
    yield "garbage", bytes(rng.randrange(256) for _ in range(3 * page))
    yield "text file", b"guild_id,cooldown\n4242,30\n" * 50
    yield "truncated", valid[: len(valid) // 2 + 100]
    yield "header zeroed", bytes(100) + valid[100:]
    yield "second page garbage", valid[:page] + bytes(rng.randrange(256) for _ in range(page)) + valid[2 * page:]
    for number in range(count):
        damaged = bytearray(valid)
        start = rng.randrange(16, len(valid) - 64)
        for offset in range(start, start + rng.randrange(8, 64)):
            damaged[offset] = rng.randrange(256)
        yield f"random bytes #{number}", bytes(damaged)


async def test_a_corrupt_database_is_named_and_never_overwritten_or_reset(tmp_path, suite_report):
    valid_path = tmp_path / "valid.sqlite3"
    await configured_database(valid_path)
    valid = valid_path.read_bytes()
    refused = opened = 0
    for name, damaged in corruptions(valid, count=30):
        path = tmp_path / f"{name.replace(' ', '-').replace('#', '')}.sqlite3"
        path.write_bytes(damaged)
        try:
            store = await SettingsStore.open(path)
        except StoreError as exc:
            refused += 1
            assert str(path) in str(exc), name
            assert path.read_bytes() == damaged, f"{name}: a refused file was changed"
            assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(path.name)) == [path.name], name
            continue
        # The damage hit bytes SQLite does not use (free space): the store must then read the real settings.
        async with store:
            assert (await store.get(GUILD)).cooldown_seconds == 30, name
        opened += 1
    suite_report.add(corruptions_tried=refused + opened, refused_by_name=refused, harmless_opened=opened)
    assert refused >= 5  # at least the five structural ones


async def test_bot_startup_on_a_corrupt_database_names_the_file_and_keeps_its_bytes(fake_discord, corpus, tmp_path,
                                                                                  caplog):
    path = tmp_path / "bot.sqlite3"
    await configured_database(path)
    valid = path.read_bytes()
    for name, damaged in list(corruptions(valid, count=0))[:2] + [("second page", valid[:4096] + bytes(4096) + valid[8192:])]:
        path.write_bytes(damaged)
        caplog.clear()
        code = await serve_once(bot_config(fake_discord, corpus, database_path=path))
        lines = [r.getMessage() for r in caplog.records if r.getMessage().startswith("Cannot start")]
        assert code == 1, name
        assert len(lines) == 1 and str(path) in lines[0] and "corrupt" in lines[0].lower(), (name, lines)
        assert path.read_bytes() == damaged, name


# -- two processes ----------------------------------------------------------------------------------


WRITER = textwrap.dedent("""
    import asyncio, sys
    from bot.storage import SettingsStore

    async def main(path, which, rounds):
        async with await SettingsStore.open(path) as store:
            for n in range(1, rounds + 1):
                if which == "cooldown":
                    await store.update(4242, cooldown_seconds=n)
                    await store.set_auto_channel(4242, 1000 + n, True)
                else:
                    await store.update(4242, confidence_bar=n / 1000, answer_mentions=n % 2 == 0)
                    await store.set_auto_channel(4242, 2000 + n, True)
                await store.get(4242)
    asyncio.run(main(sys.argv[1], sys.argv[2], int(sys.argv[3])))
""")


async def test_two_processes_changing_different_settings_of_one_server_keep_both(tmp_path, suite_report):
    path = tmp_path / "shared.sqlite3"
    await configured_database(path)
    rounds = 40
    writers = [
        await asyncio.create_subprocess_exec(sys.executable, "-c", WRITER, str(path), which, str(rounds),
                                             stderr=asyncio.subprocess.PIPE)
        for which in ("cooldown", "confidence")
    ]
    results = [await asyncio.wait_for(w.communicate(), 60) for w in writers]
    codes = [w.returncode for w in writers]
    async with await SettingsStore.open(path) as store:
        final = await store.get(GUILD)
    suite_report.add(processes=2, writes_each=rounds * 2, exit_codes=codes)
    assert codes == [0, 0], [err.decode()[-2000:] for _, err in results]
    assert final.cooldown_seconds == rounds and final.confidence_bar == rounds / 1000
    assert final.answer_mentions is True  # the last round (40) of the second writer set it on
    assert final.auto_channels == {77} | {1000 + n for n in range(1, rounds + 1)} | {2000 + n for n in range(1, rounds + 1)}


async def test_two_stores_on_one_database_see_each_others_changes(tmp_path):
    """Each store caches what it read; a change committed by the other must not be undone by that cache,
    and shows in the other's reads within ``RECHECK_SECONDS``."""
    path = tmp_path / "shared.sqlite3"
    async with await SettingsStore.open(path) as first, await SettingsStore.open(path) as second:
        await first.get(GUILD), await second.get(GUILD)  # both caches warm
        await first.update(GUILD, cooldown_seconds=45)
        await second.update(GUILD, answer_mentions=False)
        await first.set_auto_channel(GUILD, 1, True)
        await second.set_auto_channel(GUILD, 2, True)
        await second.update(GUILD, confidence_bar=0.4)
        async with await SettingsStore.open(path) as fresh:
            seen = [await fresh.get(GUILD)]  # on disk at once: nothing was lost
        await asyncio.sleep(store_module.RECHECK_SECONDS + 0.1)
        seen += [await first.get(GUILD), await second.get(GUILD)]
    for settings in seen:
        assert (settings.cooldown_seconds, settings.answer_mentions, settings.confidence_bar) == (45, False, 0.4)
        assert settings.auto_channels == {1, 2}
