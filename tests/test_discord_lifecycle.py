"""End to end: starting, reconnecting and stopping the bot; /sources and /help; running without the intent."""

from __future__ import annotations

import asyncio
import os
import signal
import sys

import discord
import discord.gateway
import discord.http

from bot.config import Config
from bot.discord_bot.client import FanBot
from bot.discord_bot.run import NO_TOKEN, run, serve
from discord_world import (  # noqa: F401  (fixtures are used by name)
    bot_config,
    button_id,
    corpus,
    embed_of,
    fake_discord,
    fields_of,
    running_bot,
    world,
    write_article,
)

SEASON_2 = "is season 2 confirmed?"
MESSAGE_CONTENT_INTENT = 1 << 15


async def test_after_the_websocket_drops_the_bot_resumes_and_answers_again(fake_discord, world, corpus):
    async with running_bot(fake_discord, bot_config(fake_discord, corpus)) as run:
        first = await fake_discord.slash("ask", {"question": SEASON_2}, user=world.member, channel=world.channel)
        await first.message()
        await fake_discord.drop_connection()
        await fake_discord.wait_for(lambda: fake_discord.gateway.resume_count == 1, what="a RESUME")
        await fake_discord.wait_until_live()
        again = await fake_discord.slash("ask", {"question": SEASON_2}, user=world.member, channel=world.channel)
        answer = await again.message()
        mention = await fake_discord.send_message(
            world.channel, world.member, f"<@{fake_discord.bot_user.id}> {SEASON_2}"
        )
        reply = await fake_discord.wait_for_message(lambda m: m.reply_to == int(mention["id"]))
        run.capture.records.clear()  # discord.py logs the dropped connection before reconnecting
    assert fake_discord.gateway.identify_count == 1  # resumed, not a new session
    assert "Netflix confirmed" in embed_of(answer)["description"]
    assert "Netflix confirmed" in embed_of(reply)["description"]


async def test_sources_lists_articles_in_pages_and_help_counts_them(fake_discord, world, corpus):
    for number in range(12):
        write_article(corpus, f"extra{number:02}.md", title=f"Extra report {number}", body=f"Report number {number}.",
                      date=f"2023-01-{number + 1:02}")
    async with running_bot(fake_discord, bot_config(fake_discord, corpus)) as run:
        handle = await fake_discord.slash("sources", user=world.member, channel=world.channel)
        listing = await handle.message()
        first_page = embed_of(listing)["description"].splitlines()
        turn = await fake_discord.click(listing, button_id(listing, "Next"), user=world.member)
        await turn.wait_for_reply(lambda r: r.kind == "callback" and r.type == 7, what="a page turn")
        second_page = embed_of(listing)["description"].splitlines()
        help_handle = await fake_discord.slash("help", user=world.member, channel=world.channel)
        help_message = await help_handle.message()
        passages = run.bot.index.size().passages
    assert listing.ephemeral and embed_of(listing)["title"] == "Indexed articles (17)"
    assert len(first_page) == 10 and first_page[0].startswith("1. ")
    assert second_page[0].startswith("11. ") and len(second_page) == 7
    assert any(line.endswith("— Test Gazette, 1 January 2023") for line in first_page + second_page)
    assert fields_of(embed_of(help_message)) == {"Articles": "17", "Passages": str(passages)}


async def test_stopping_takes_the_buttons_off_so_no_dead_button_outlives_the_bot(fake_discord, world, corpus):
    """A restarted bot no longer knows the buttons the old one sent (a click would fail): they go as it stops."""
    for number in range(12):  # enough articles for /sources to have pages
        write_article(corpus, f"extra{number:02}.md", title=f"Extra report {number}", body=f"Report number {number}.")
    async with running_bot(fake_discord, bot_config(fake_discord, corpus)):
        answer = await (await fake_discord.slash("ask", {"question": SEASON_2}, user=world.member,
                                                 channel=world.channel)).message()
        mention = await fake_discord.send_message(world.channel, world.member, f"<@{fake_discord.bot_user.id}> {SEASON_2}")
        reply = await fake_discord.wait_for_message(lambda m: m.reply_to == int(mention["id"]))
        listing = await (await fake_discord.slash("sources", user=world.member, channel=world.channel)).message()
        more = await (await fake_discord.click(answer, button_id(answer, "More answers"), user=world.member)).message()
        with_buttons = {name: bool(m.components) for name, m in
                        (("ask", answer), ("mention", reply), ("sources", listing), ("more answers", more))}
    assert with_buttons == {"ask": True, "mention": True, "sources": True, "more answers": True}
    after = {name: m.components for name, m in
             (("ask", answer), ("mention", reply), ("sources", listing), ("more answers", more))}
    assert after == {"ask": [], "mention": [], "sources": [], "more answers": []}
    assert "Netflix confirmed" in embed_of(answer)["description"]  # the answer itself stays


async def test_without_the_message_content_intent_slash_commands_and_mentions_still_work(fake_discord, world, corpus):
    config = bot_config(fake_discord, corpus, message_content_intent=False)
    async with running_bot(fake_discord, config) as run:
        handle = await fake_discord.slash("settings autoanswer", {"enabled": True}, user=world.admin,
                                          channel=world.channel)
        await handle.message()
        unseen = await fake_discord.send_message(world.channel, world.member, SEASON_2)
        mention = await fake_discord.send_message(world.channel, world.member, f"<@{fake_discord.bot_user.id}> {SEASON_2}")
        reply = await fake_discord.wait_for_message(lambda m: m.reply_to == int(mention["id"]))
        warnings = run.warnings_matching("Message content intent is off")
    assert not fake_discord.gateway.intents & MESSAGE_CONTENT_INTENT
    assert warnings and "mentions and questions in opted-in channels needs it" in warnings[0]
    assert "Netflix confirmed" in embed_of(reply)["description"]
    assert [m for m in fake_discord.messages if m.reply_to == int(unseen["id"])] == []


def test_run_without_a_token_explains_how_to_get_one(capsys):
    assert run(Config(token="")) == 2
    err = capsys.readouterr().err
    assert err.strip() == NO_TOKEN and "\n" not in err.strip()
    assert "discord.com/developers/applications" in err and "DISCORD_TOKEN" in err


async def test_sigterm_closes_the_bot_and_the_database_cleanly(fake_discord, world, corpus):
    saved = (discord.http.Route.BASE, discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY)
    config = bot_config(fake_discord, corpus)
    bot = FanBot(config, guild_ready_timeout=0.05)
    serving = asyncio.create_task(serve(config, bot))
    try:
        await asyncio.wait_for(bot.wait_until_ready(), 10)
        os.kill(os.getpid(), signal.SIGTERM)  # what a worker host sends on restart
        assert await asyncio.wait_for(serving, 10) == 0
    finally:
        if not serving.done():
            serving.cancel()
        discord.http.Route.BASE, discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = saved
    assert bot.is_closed()
    assert bot.store.closed
    await fake_discord.wait_for(lambda: not fake_discord.live, what="the websocket to close")
    # The handler was removed: the default disposition is back for the next test.
    assert signal.getsignal(signal.SIGTERM) in (signal.SIG_DFL, None)


async def test_a_token_discord_rejects_ends_with_a_clear_error(fake_discord, corpus, caplog):
    saved = (discord.http.Route.BASE, discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY)
    config = bot_config(fake_discord, corpus, token="not-the-token")
    try:
        assert await asyncio.wait_for(serve(config), 10) == 1
    finally:
        discord.http.Route.BASE, discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = saved
    assert "Discord rejected DISCORD_TOKEN" in caplog.text
    assert "not-the-token" not in caplog.text


async def test_the_worker_command_serves_and_stops_cleanly_on_sigterm(fake_discord, world, corpus, tmp_path):
    """``python -m bot run`` as the Procfile starts it: configured only by environment variables."""
    env = {
        "PATH": os.environ.get("PATH", ""),
        "DISCORD_TOKEN": fake_discord.token,
        "CORPUS_DIR": str(corpus),
        "DATABASE_PATH": str(tmp_path / "worker.sqlite3"),
        "INDEX_CACHE_DIR": "off",
        "DISCORD_API_BASE": fake_discord.api_base,
        "DISCORD_GATEWAY_URL": fake_discord.gateway_url,
        "ASK_COOLDOWN_SECONDS": "0",
    }
    worker = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "run", env=env, cwd=tmp_path,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT,
    )
    try:
        await fake_discord.wait_for(lambda: fake_discord.live and fake_discord.commands(), 60, "the worker to connect")
        handle = await fake_discord.slash("ask", {"question": SEASON_2}, user=world.member, channel=world.channel)
        answer = await handle.message(timeout=30)
        worker.send_signal(signal.SIGTERM)
        code = await asyncio.wait_for(worker.wait(), 30)
    finally:
        if worker.returncode is None:
            worker.kill()
            await worker.wait()
    log = (await worker.stdout.read()).decode()
    assert "Netflix confirmed" in embed_of(answer)["description"]
    assert code == 0, log
    assert "SIGTERM received" in log and "Stopped cleanly." in log
    assert fake_discord.token not in log
    assert (tmp_path / "worker.sqlite3").exists()
