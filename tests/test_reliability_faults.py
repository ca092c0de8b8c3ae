"""Faults (issue 5): the gateway drops, Discord rate-limits or fails a reply, the process is told to stop.

Each test injects faults into the fake Discord and then checks what a fan
would see: the next question is answered, nothing is answered twice, and a
failed reply is logged with the server and channel so an admin can find it.
The figures (faults injected / survived) are printed per test.
"""

from __future__ import annotations

import asyncio
import os
import signal
import sqlite3
import time

import discord
import discord.gateway
import discord.http
import pytest

import bot.discord_bot.replies as replies
from bot.discord_bot.client import FanBot
from bot.discord_bot.run import serve
from discord_world import bot_config, corpus, embed_of, fake_discord, running_bot, world  # noqa: F401
from fakediscord import FakeDiscord, run_bot
from reliability_helpers import (  # noqa: F401  (fixture used by name)
    QuickIdentifyBot,
    ReplyClock,
    capture_all_logs,
    start_worker,
    stop_worker,
    suite_report,
)

SEASON_2 = "is season 2 confirmed?"
ANSWER = "Netflix confirmed"


def mention(fake: FakeDiscord, question: str = SEASON_2) -> str:
    return f"<@{fake.bot_user.id}> {question}"


async def ask_and_count(fake: FakeDiscord, world, clock: ReplyClock, questions: int) -> None:
    """Send ``questions`` questions, alternating /ask and mentions, without waiting for the answers."""
    for number in range(questions):
        if number % 2:
            handle = await fake.slash("ask", {"question": SEASON_2}, user=world.member, channel=world.channel)
            clock.sent_slash(handle.id, world.member.id)
        else:
            payload = await fake.send_message(world.channel, world.member, mention(fake))
            clock.sent_mention(int(payload["id"]), world.member.id)


def answered_once(clock: ReplyClock) -> list[str]:
    """Questions without exactly one reply carrying the answer."""
    clock.observe()
    return [q.key for q in clock.questions.values()
            if len(q.replies) != 1 or ANSWER not in q.replies[0].text()]


async def next_question_answered(fake: FakeDiscord, world) -> bool:
    handle = await fake.slash("ask", {"question": SEASON_2}, user=world.member, channel=world.channel)
    return ANSWER in (await handle.message(timeout=15)).text()


# -- gateway --------------------------------------------------------------------------------------


async def test_gateway_drops_outages_and_invalid_sessions_lose_no_question_and_answer_none_twice(
    fake_discord, world, corpus, suite_report
):
    fake = fake_discord
    bot = QuickIdentifyBot(bot_config(fake, corpus), guild_ready_timeout=0.05)
    clock = ReplyClock(fake)
    survived = 0
    async with run_bot(fake, bot) as run:
        # 1. A drop in the middle of a stream of questions: the client RESUMEs and gets what it missed.
        await ask_and_count(fake, world, clock, 6)
        await fake.drop_connection()
        await ask_and_count(fake, world, clock, 6)
        await fake.wait_for(lambda: fake.gateway.resume_count == 1 and fake.live, what="a RESUME")
        survived += await next_question_answered(fake, world)
        # 2. An outage: questions asked while the bot is away are replayed on RESUME and answered once.
        async with fake.outage():
            await ask_and_count(fake, world, clock, 8)
            await asyncio.sleep(0.2)
            assert not fake.live
        await fake.wait_for(lambda: fake.gateway.resume_count == 2 and fake.live, what="a RESUME after the outage")
        await fake.wait_for(clock.all_replied, 20, "answers to the replayed questions")
        survived += 1  # every question asked during the outage was answered (once: checked at the end)
        # Discord may deliver an event twice (e.g. replay overlapping delivery): still answered once.
        replayed = next(k for k in clock.questions if k.startswith("mention:"))
        await fake.gateway.dispatch_message("MESSAGE_CREATE", fake.state.all_messages[int(replayed.split(":")[1])])
        survived += await next_question_answered(fake, world)
        # 3. Discord invalidates the session: the client IDENTIFYs again and the bot answers the next question.
        await fake.invalidate_session()
        survived += await next_question_answered(fake, world)
        # 4. A resumable invalid session and a reconnect request (op 7).
        await fake.invalidate_session(resumable=True)
        await fake.wait_for(lambda: fake.gateway.resume_count == 3 and fake.live, what="a RESUME after op 9 (resumable)")
        survived += await next_question_answered(fake, world)
        await fake.request_reconnect()
        await fake.wait_for(lambda: fake.gateway.resume_count == 4 and fake.live, what="a RESUME after op 7")
        survived += await next_question_answered(fake, world)
        await fake.wait_for(clock.all_replied, 10, "every question answered")
        wrong = answered_once(clock)
        run.capture.records.clear()  # discord.py logs the dropped connections as warnings; expected here
    suite_report.add(faults_injected=6, survived=survived, questions=len(clock.questions),
                     answered_once=len(clock.questions) - len(wrong), resumes=fake.gateway.resume_count,
                     identifies=fake.gateway.identify_count)
    assert not wrong, f"not answered exactly once: {wrong}"
    assert survived == 6
    assert fake.gateway.identify_count == 2 and fake.gateway.resume_count == 4


@pytest.mark.heavy
async def test_heavy_invalid_session_with_discord_py_real_identify_pause(fake_discord, world, corpus, suite_report):
    """The unmodified bot waits the 5 s identify pause, then answers again."""
    async with running_bot(fake_discord, bot_config(fake_discord, corpus)) as run:
        started = time.perf_counter()
        await fake_discord.invalidate_session(timeout=20)
        waited = time.perf_counter() - started
        answered = await next_question_answered(fake_discord, world)
        run.capture.records.clear()
    suite_report.add(faults_injected=1, survived=int(answered), reidentify_s=waited)
    assert answered and fake_discord.gateway.identify_count == 2 and waited >= 5


# -- REST: rate limits and server errors ---------------------------------------------------------------


async def test_rate_limited_replies_are_delivered_once_after_the_wait(fake_discord, world, corpus, suite_report):
    fake = fake_discord
    wait = 1.0
    async with running_bot(fake, bot_config(fake, corpus)) as run:
        fake.fail_next("POST", f"/channels/{world.channel.id}/messages", 429, retry_after=wait)
        started = time.perf_counter()
        question = await fake.send_message(world.channel, world.member, mention(fake))
        reply = await fake.wait_for_message(lambda m: m.reply_to == int(question["id"]), timeout=15)
        mention_took = time.perf_counter() - started

        fake.fail_next("POST", "/interactions/*/*/callback", 429, retry_after=wait)
        started = time.perf_counter()
        handle = await fake.slash("ask", {"question": SEASON_2}, user=world.member, channel=world.channel)
        answer = await handle.message(timeout=15)
        slash_took = time.perf_counter() - started
        # A control question: once it is answered, a duplicate of the earlier replies would have arrived.
        assert await next_question_answered(fake, world)
        rate_warnings = run.warnings_matching("rate limited")
        run.capture.records.clear()
    posts = fake.requests_to("POST", f"/channels/{world.channel.id}/messages")
    callbacks = [r for r in fake.requests_to("POST", f"/interactions/{handle.id}/*/callback")]
    suite_report.add(faults_injected=2, survived=2, retry_after_s=wait, mention_reply_s=mention_took,
                     slash_reply_s=slash_took)
    assert ANSWER in reply.text() and ANSWER in answer.text()
    assert [r.status for r in posts] == [429, 200]
    assert [r.status for r in callbacks] == [429, 200]
    assert len([m for m in fake.messages if m.reply_to == int(question["id"])]) == 1
    assert len([m for m in fake.messages if m.interaction_id == handle.id]) == 1
    assert mention_took >= wait and slash_took >= wait
    assert len(rate_warnings) == 2


async def test_a_server_error_once_is_retried_and_the_reply_delivered_once(fake_discord, world, corpus, suite_report):
    fake = fake_discord
    async with running_bot(fake, bot_config(fake, corpus)):
        fake.fail_next("POST", f"/channels/{world.channel.id}/messages", 500)
        question = await fake.send_message(world.channel, world.member, mention(fake))
        reply = await fake.wait_for_message(lambda m: m.reply_to == int(question["id"]), timeout=15)
        assert await next_question_answered(fake, world)
    posts = fake.requests_to("POST", f"/channels/{world.channel.id}/messages")
    suite_report.add(faults_injected=1, survived=1, statuses=[r.status for r in posts])
    assert ANSWER in reply.text() and [r.status for r in posts] == [500, 200]
    assert len([m for m in fake.messages if m.reply_to == int(question["id"])]) == 1


async def test_a_refused_reply_is_logged_with_server_and_channel_and_others_are_still_served(
    fake_discord, world, corpus, suite_report
):
    """503 is not retried by discord.py: the reply is lost, and the log must say where."""
    fake = fake_discord
    other_channel = await fake.create_channel(world.guild, "other")
    async with running_bot(fake, bot_config(fake, corpus), fail_on_errors=False) as run:
        fake.fail_next("POST", f"/channels/{world.channel.id}/messages", 503)
        lost = await fake.send_message(world.channel, world.member, mention(fake))
        await fake.wait_for(lambda: run.errors, what="the failed reply in the log")
        elsewhere = await fake.send_message(other_channel, world.admin, mention(fake))
        other_reply = await fake.wait_for_message(lambda m: m.reply_to == int(elsewhere["id"]))
        again = await fake.send_message(world.channel, world.member, mention(fake, "is there a season 3?"))
        same_channel = await fake.wait_for_message(lambda m: m.reply_to == int(again["id"]))
        slash_ok = await next_question_answered(fake, world)
        errors = [r.getMessage() for r in run.errors]
    suite_report.add(faults_injected=1, survived=int(slash_ok), logged=errors)
    assert len(errors) == 1
    assert f"message {lost['id']}" in errors[0]
    assert f"channel {world.channel.id}" in errors[0] and f"server {world.guild.id}" in errors[0]
    assert "503" in errors[0]
    assert ANSWER in other_reply.text() and same_channel.embeds and slash_ok


async def test_a_reply_discord_never_answers_is_given_up_logged_and_others_are_served(
    fake_discord, world, corpus, monkeypatch, suite_report
):
    """A hung request: the bot gives it up after its send timeout (shortened here) and keeps answering."""
    fake = fake_discord
    monkeypatch.setattr(replies, "SEND_TIMEOUT_SECONDS", 1.0)
    other_channel = await fake.create_channel(world.guild, "other")
    async with running_bot(fake, bot_config(fake, corpus), fail_on_errors=False) as run:
        fake.fail_next("POST", f"/channels/{world.channel.id}/messages", 504, hang=8)
        started = time.perf_counter()
        hung = await fake.send_message(world.channel, world.member, mention(fake))
        elsewhere = await fake.send_message(other_channel, world.admin, mention(fake))
        served = await fake.wait_for_message(lambda m: m.reply_to == int(elsewhere["id"]))
        served_after = time.perf_counter() - started
        await fake.wait_for(lambda: run.errors, what="the abandoned reply in the log")
        gave_up_after = time.perf_counter() - started
        slash_ok = await next_question_answered(fake, world)
        errors = [r.getMessage() for r in run.errors]
    suite_report.add(faults_injected=1, survived=int(slash_ok), other_served_s=served_after, gave_up_s=gave_up_after)
    assert ANSWER in served.text() and served_after < 1.0  # not stuck behind the hung reply
    assert len(errors) == 1 and f"message {hung['id']}" in errors[0]
    assert f"channel {world.channel.id}" in errors[0] and f"server {world.guild.id}" in errors[0]
    assert "did not answer within 1 s" in errors[0]
    assert 1.0 <= gave_up_after < 5 and slash_ok
    assert not [m for m in fake.messages if m.reply_to == int(hung["id"])]


@pytest.mark.heavy
@pytest.mark.timeout(120)
async def test_heavy_server_errors_until_discord_py_gives_up(fake_discord, world, corpus, suite_report):
    """Five 500s in a row: discord.py retries for about 16 s, then the bot logs where the reply was lost."""
    fake = fake_discord
    async with running_bot(fake, bot_config(fake, corpus), fail_on_errors=False) as run:
        fake.fail_next("POST", f"/channels/{world.channel.id}/messages", 500, count=5)
        lost = await fake.send_message(world.channel, world.member, mention(fake))
        await fake.wait_for(lambda: run.errors, 40, "the lost reply in the log")
        slash_ok = await next_question_answered(fake, world)
        errors = [r.getMessage() for r in run.errors]
    suite_report.add(faults_injected=5, survived=int(slash_ok))
    assert len(errors) == 1 and f"message {lost['id']}" in errors[0] and f"channel {world.channel.id}" in errors[0]
    assert slash_ok


@pytest.mark.heavy
@pytest.mark.timeout(120)
async def test_heavy_an_ask_whose_answer_discord_keeps_failing_is_logged_and_the_fan_told(
    fake_discord, world, corpus, suite_report
):
    """Five 503s on the interaction callback (the webhook client retries them all, about 16 s): the
    failure is logged with server and channel, the fan gets the apology, and the next question is answered."""
    fake = fake_discord
    async with running_bot(fake, bot_config(fake, corpus), fail_on_errors=False) as run:
        fake.fail_next("POST", "/interactions/*/*/callback", 503, count=5)
        handle = await fake.slash("ask", {"question": SEASON_2}, user=world.member, channel=world.channel)
        apology = await handle.message(timeout=40)
        slash_ok = await next_question_answered(fake, world)
        errors = [r.getMessage() for r in run.errors]
    suite_report.add(faults_injected=5, survived=int(slash_ok), logged=errors)
    assert "Something went wrong" in apology.content and apology.ephemeral
    assert len(errors) == 1 and "/ask failed" in errors[0]
    assert f"channel {world.channel.id}" in errors[0] and f"server {world.guild.id}" in errors[0]
    assert slash_ok


# -- SIGTERM --------------------------------------------------------------------------------------------


async def test_sigterm_while_a_reply_hangs_abandons_it_cleanly_closes_the_database_and_exits_0(
    fake_discord, world, corpus, suite_report
):
    """In process: the reply hangs longer than the shutdown grace (shortened), so it is abandoned, quietly."""
    fake = fake_discord
    saved = (discord.http.Route.BASE, discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY)
    config = bot_config(fake, corpus)
    bot = FanBot(config, guild_ready_timeout=0.05)
    bot.shutdown_grace = 0.5
    with capture_all_logs() as logs:
        serving = asyncio.create_task(serve(config, bot))
        try:
            await asyncio.wait_for(bot.wait_until_ready(), 10)
            fake.fail_next("POST", f"/channels/{world.channel.id}/messages", None, hang=20)
            await fake.send_message(world.channel, world.member, mention(fake))
            await fake.wait_for(lambda: fake.requests_to("POST", f"/channels/{world.channel.id}/messages"),
                                what="the reply to be in flight")
            started = time.perf_counter()
            os.kill(os.getpid(), signal.SIGTERM)
            code = await asyncio.wait_for(serving, 10)
            took = time.perf_counter() - started
        finally:
            if not serving.done():
                serving.cancel()
            discord.http.Route.BASE, discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = saved
    problems = [line for line in logs.lines if line.startswith(("ERROR", "CRITICAL")) or "Traceback" in line]
    abandoned = [line for line in logs.lines if "abandoned 1 answer" in line]
    suite_report.add(faults_injected=1, exit_code=code, stop_s=took, abandoned=len(abandoned))
    assert code == 0 and not problems, problems
    assert len(abandoned) == 1 and f"channel {world.channel.id}" in abandoned[0]
    assert bot.is_closed() and bot.store.closed
    assert any(line.startswith("INFO bot.storage.store: Closed the settings database") for line in logs.lines)
    assert took < 5


async def test_sigterm_to_the_worker_lets_answers_in_flight_finish_then_exits_0(fake_discord, world, corpus, tmp_path,
                                                                               suite_report):
    """``python -m bot run`` configured by environment variables: a /ask and a mention reply are mid-send."""
    fake = fake_discord
    database = tmp_path / "worker.sqlite3"
    worker = await start_worker(fake, corpus, database)
    try:
        await fake.wait_for(lambda: fake.live and fake.commands(), 60, "the worker to connect")
        settings = await fake.slash("settings cooldown", {"seconds": 7}, user=world.admin, channel=world.channel)
        await settings.message(timeout=30)
        fake.fail_next("POST", f"/channels/{world.channel.id}/messages", None, hang=1.5)
        fake.fail_next("POST", "/interactions/*/*/callback", None, hang=1.5)
        question = await fake.send_message(world.channel, world.member, mention(fake))
        handle = await fake.slash("ask", {"question": SEASON_2}, user=world.admin, channel=world.channel)
        await fake.wait_for(lambda: len(fake.requests_to("POST", f"/channels/{world.channel.id}/messages")) == 1
                            and fake.requests_to("POST", f"/interactions/{handle.id}/*/callback"),
                            30, "both replies to be in flight")
        worker.send_signal(signal.SIGTERM)
        code = await asyncio.wait_for(worker.wait(), 30)
    finally:
        log = await stop_worker(worker)
    replies_sent = [m for m in fake.messages if m.reply_to == int(question["id"]) or m.interaction_id == handle.id]
    suite_report.add(faults_injected=1, exit_code=code, finished=len(replies_sent))
    assert code == 0, log
    assert "SIGTERM received" in log and "letting 2 answer(s) in flight finish" in log and "Stopped cleanly." in log
    assert "Traceback" not in log and " ERROR " not in log and "abandoned" not in log, log
    assert len(replies_sent) == 2 and all(ANSWER in m.text() for m in replies_sent)
    assert f"Closed the settings database {database}" in log
    with sqlite3.connect(database) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert conn.execute("SELECT cooldown_seconds FROM guild_settings").fetchall() == [(7,)]
    assert not (tmp_path / "worker.sqlite3-journal").exists()
