"""Who may do what, what the log may hold, and who a reply may ping (issue 5).

- /reindex and every /settings subcommand, from a member without Manage
  Server, from a DM, and from forged interactions whose member permissions
  lack Manage Server although the user holds the role: all refused, and
  nothing changes (the settings rows, the serving index).
- The bot token never appears in any log line, DEBUG included, through a
  session with reconnects, a re-IDENTIFY, rate limits and errors; and not in
  the worker's output at LOG_LEVEL=DEBUG.
- With @everyone, @here, role and user mentions in questions, passages,
  titles, sources and file names, every request that creates or edits a
  message carries allowed_mentions that ping nobody.
"""

from __future__ import annotations

import asyncio
import signal
import sqlite3
from pathlib import Path
from typing import Any

from discord_world import (  # noqa: F401  (fixtures are used by name)
    bot_config,
    button_id,
    corpus,
    embed_of,
    fake_discord,
    running_bot,
    world,
    write_article,
)
from fakediscord import ADMINISTRATOR, MANAGE_GUILD, FakeDiscord, basic_world, run_bot
from reliability_helpers import (  # noqa: F401  (fixture used by name)
    QuickIdentifyBot,
    capture_all_logs,
    start_worker,
    stop_worker,
    suite_report,
)

SEASON_2 = "is season 2 confirmed?"
ALL_PERMISSIONS = (1 << 50) - 1
ADMIN_COMMANDS = (
    ("reindex", {}),
    ("settings show", {}),
    ("settings cooldown", {"seconds": 99}),
    ("settings mentions", {"enabled": False}),
    ("settings confidence", {"bar": 0.05}),
    ("settings autoanswer", {"enabled": True}),
)


def settings_rows(path: Path) -> list[Any]:
    with sqlite3.connect(path) as conn:
        return (conn.execute("SELECT * FROM guild_settings ORDER BY 1").fetchall()
                + conn.execute("SELECT * FROM auto_answer_channels ORDER BY 1, 2").fetchall())


# -- permissions ------------------------------------------------------------------------------------------


async def test_admin_commands_are_refused_to_members_in_dms_and_to_forged_interactions_and_change_nothing(
    fake_discord, world, corpus, suite_report
):
    fake = fake_discord
    config = bot_config(fake, corpus)
    callers = {
        "member without Manage Server": dict(user=world.member, channel=world.channel),
        "direct message": dict(user=world.admin, channel=fake.dm_channel(world.admin)),
        "forged: admin's interaction without the permission": dict(
            user=world.admin, channel=world.channel, member_permissions=ALL_PERMISSIONS & ~(MANAGE_GUILD | ADMINISTRATOR)),
        "forged: member with every other permission": dict(
            user=world.member, channel=world.channel, member_permissions=ALL_PERMISSIONS & ~(MANAGE_GUILD | ADMINISTRATOR)),
    }
    refused: dict[str, int] = {}
    async with running_bot(fake, config) as run:
        control = await fake.slash("settings cooldown", {"seconds": 3}, user=world.admin, channel=world.channel)
        await control.message()
        engine = run.bot.index.engine
        rows = settings_rows(config.database_path)
        write_article(corpus, "unindexed.md", title="A file waiting for a reindex", body="The musical opens in May.")
        for caller, how in callers.items():
            for name, options in ADMIN_COMMANDS:
                handle = await fake.slash(name, options, **how)
                reply = await handle.message()
                assert reply.ephemeral, (caller, name)
                assert "Manage Server" in reply.content or "only works in a server" in reply.content, (caller, name)
                assert not reply.embeds, (caller, name)  # not even /settings show reveals the settings
                refused[caller] = refused.get(caller, 0) + 1
        # Nothing changed: same settings rows, the same index object serving, no reindex running or reported.
        assert settings_rows(config.database_path) == rows
        assert run.bot.index.engine is engine and not run.bot.index.reindexing
        assert run.bot.index.size().articles == 5
        allowed = await fake.slash("settings show", user=world.admin, channel=world.channel)
        assert embed_of(await allowed.message())["title"] == "Settings for this server"
    assert not [m for m in fake.messages if m.via == "followup"]  # no reindex report was ever posted
    suite_report.add(attempts=sum(refused.values()), refused=sum(refused.values()), by_caller=refused)
    assert sum(refused.values()) == len(callers) * len(ADMIN_COMMANDS)


# -- the token in logs -------------------------------------------------------------------------------------

# Shaped like a real token (base64 user id, timestamp, HMAC), so a partial leak would show too.
TOKEN = "MTE5NjQ0MzUwNTU4NDg5NjAwMA.GkT3xq.Zm9yLXRlc3RzLW9ubHktbm90LWEtcmVhbC1zZWNyZXQ"


def token_leaks(lines: list[str]) -> list[str]:
    secret = TOKEN.rsplit(".", 1)[1]
    return [line[:300] for line in lines if TOKEN in line or secret in line]


async def test_the_token_never_appears_in_debug_logs_through_reconnects_and_errors(corpus, suite_report):
    async with FakeDiscord(token=TOKEN) as fake:
        world = await basic_world(fake)
        bot = QuickIdentifyBot(bot_config(fake, corpus, token=TOKEN), guild_ready_timeout=0.05)
        with capture_all_logs() as logs:
            async with run_bot(fake, bot, fail_on_errors=False) as run:
                handle = await fake.slash("ask", {"question": SEASON_2}, user=world.member, channel=world.channel)
                answer = await handle.message()
                await fake.click(answer, button_id(answer, "👍"), user=world.member)
                await fake.drop_connection()
                await fake.wait_for(lambda: fake.gateway.resume_count == 1 and fake.live, what="a RESUME")
                await fake.invalidate_session()  # a second IDENTIFY, which carries the token
                fake.fail_next("POST", f"/channels/{world.channel.id}/messages", 429, retry_after=0.2)
                fake.fail_next("POST", f"/channels/{world.channel.id}/messages", 503)
                for _ in range(2):
                    question = await fake.send_message(world.channel, world.member, f"<@{fake.bot_user.id}> {SEASON_2}")
                    await fake.wait_for(lambda: fake.requests_to("POST", f"/channels/{world.channel.id}/messages")
                                        and fake.requests_to("POST", f"/channels/{world.channel.id}/messages")[-1].status,
                                        what="the reply attempt")
                await asyncio.sleep(0.5)
                errors = len(run.errors)
    debug_lines = sum(1 for line in logs.lines if line.startswith("DEBUG"))
    suite_report.add(log_lines=len(logs.lines), debug_lines=debug_lines, logged_errors=errors,
                     identifies=fake.gateway.identify_count, leaks=len(token_leaks(logs.lines)))
    assert token_leaks([f"Authorization: Bot {TOKEN}"]) and token_leaks(["...Zm9yLXRlc3RzLW9ubHktbm90LWEtcmVhbC1zZWNyZXQ"])
    assert debug_lines > 50  # DEBUG really was captured (discord.py's gateway and HTTP chatter)
    assert fake.gateway.identify_count == 2 and fake.gateway.resume_count == 1
    assert not token_leaks(logs.lines)


async def test_the_worker_at_log_level_debug_never_prints_the_token(corpus, tmp_path, suite_report):
    async with FakeDiscord(token=TOKEN) as fake:
        world = await basic_world(fake)
        worker = await start_worker(fake, corpus, tmp_path / "debug.sqlite3", LOG_LEVEL="DEBUG")
        try:
            await fake.wait_for(lambda: fake.live and fake.commands(), 60, "the worker to connect")
            handle = await fake.slash("ask", {"question": SEASON_2}, user=world.member, channel=world.channel)
            await handle.message(timeout=30)
            await fake.drop_connection()
            await fake.wait_for(lambda: fake.gateway.resume_count == 1 and fake.live, 30, "a RESUME")
            again = await fake.slash("ask", {"question": SEASON_2}, user=world.member, channel=world.channel)
            await again.message(timeout=30)
            worker.send_signal(signal.SIGTERM)
            code = await asyncio.wait_for(worker.wait(), 30)
        finally:
            output = await stop_worker(worker)
    lines = output.splitlines()
    suite_report.add(output_lines=len(lines), debug_lines=sum("DEBUG" in line for line in lines),
                     leaks=len(token_leaks(lines)), exit_code=code)
    assert code == 0 and sum("DEBUG" in line for line in lines) > 50
    assert not token_leaks(lines)


# -- allowed_mentions on every message -----------------------------------------------------------------------

PING_BAIT = "@everyone @here <@&{role}> <@{user}> <@1> <@&1>"


def message_bodies(fake: FakeDiscord) -> list[tuple[str, dict[str, Any]]]:
    """Every request body that creates or edits a message, with where it went."""
    found = []
    for request in fake.requests:
        body = request.json if isinstance(request.json, dict) else {}
        where = f"{request.method} {request.path}"
        if request.path.endswith("/callback"):
            if body.get("type") in (4, 7):  # a message, or an update of one (5/6 defer, 8 choices, 9 modal)
                found.append((where, body.get("data") or {}))
        elif (request.method in ("POST", "PATCH") and "/messages" in request.path) or (
                request.method == "POST" and request.path.startswith("/webhooks/")):
            found.append((where, body))
    return found


def pings_nobody(allowed: dict[str, Any] | None) -> bool:
    return (allowed is not None and allowed.get("parse") == [] and not allowed.get("users")
            and not allowed.get("roles") and not allowed.get("replied_user"))


async def test_every_message_the_bot_sends_or_edits_has_mentions_disabled(fake_discord, world, corpus, suite_report):
    fake = fake_discord
    bait = PING_BAIT.format(role=world.admin_role.id, user=world.admin.id)
    write_article(corpus, "shouting.md", title=f"{bait} Heartstopper cast tour", source="@here Fan blog",
                  body=f"{bait} The Heartstopper cast tour visits Glasgow and Cardiff in spring.\n\n"
                       f"{bait} Tickets for the Glasgow date sold out in an hour.\n\n"
                       f"{bait} The Cardiff show adds a matinee.\n\n{bait} Glasgow fans queued overnight.\n\n"
                       f"{bait} A second Glasgow date was added.")
    (corpus / "@everyone <@&1> broken.md").write_bytes(b"\xff\xfe not utf-8 @here")
    mention = f"<@{fake.bot_user.id}>"
    tour = f"{bait} does the cast tour visit Glasgow?"
    questions = 0
    async with running_bot(fake, bot_config(fake, corpus)) as run:
        for options in ({"question": tour}, {"question": tour, "private": True}, {"question": f"{bait} best pizza?"}):
            handle = await fake.slash("ask", options, user=world.member, channel=world.channel)
            answer = await handle.message()
            questions += 1
        run.bot.get_cog("Asking").defer_after = 0  # a "thinking…" answer, edited in afterwards
        deferred = await fake.slash("ask", {"question": tour}, user=world.member, channel=world.channel)
        await deferred.message()
        run.bot.get_cog("Asking").defer_after = 2.0
        first = await fake.slash("ask", {"question": tour}, user=world.member, channel=world.channel)
        answer = await first.message()
        more = await fake.click(answer, button_id(answer, "More answers"), user=world.admin)
        page = await more.message()
        if "Next" in [c.get("label") for row in page.components for c in row.get("components", [])]:
            turn = await fake.click(page, button_id(page, "Next"), user=world.admin)
            await turn.wait_for_reply(lambda r: r.kind == "callback" and r.type == 7, what="a page turn")
        vote = await fake.click(answer, button_id(answer, "👎"), user=world.admin)
        await vote.message()
        for content in (f"{mention} {tour}", mention, f"{mention} {bait} best pizza?"):
            sent = await fake.send_message(world.channel, world.member, content)
            await fake.wait_for_message(lambda m, i=int(sent["id"]): m.reply_to == i)
            questions += 1
        dm = await fake.slash("ask", {"question": tour}, user=world.member, channel=fake.dm_channel(world.member))
        await dm.message()
        for name, options in (("settings confidence", {"bar": 0.0}), ("settings autoanswer", {"enabled": True}),
                              ("settings cooldown", {"seconds": 60})):
            handle = await fake.slash(name, options, user=world.admin, channel=world.channel)
            await handle.message()
        unasked = await fake.send_message(world.channel, world.admin, f"{bait} does the tour visit Cardiff?")
        await fake.wait_for_message(lambda m: m.reply_to == int(unasked["id"]))
        cooled = await fake.slash("ask", {"question": tour}, user=world.admin, channel=world.channel)
        cooled_again = await fake.slash("ask", {"question": tour}, user=world.admin, channel=world.channel)
        assert "asking quickly" in (await cooled_again.message()).content
        await cooled.message()
        for name in ("sources", "help", "settings show"):
            handle = await fake.slash(name, user=world.admin, channel=world.channel)
            await handle.message()
        reindex = await fake.slash("reindex", user=world.admin, channel=world.channel)
        report = await fake.wait_for_message(lambda m: m.interaction_id == reindex.id and m.via == "followup")
        questions += 6
    bodies = message_bodies(fake)
    bad = [(where, body.get("allowed_mentions")) for where, body in bodies if not pings_nobody(body.get("allowed_mentions"))]
    pinged = [m.id for m in fake.messages if m.pings()]
    kinds = sorted({where.split(" ")[0] + " " + where.split("/")[1] for where, _ in bodies})
    suite_report.add(requests_checked=len(bodies), messages=len(fake.messages), questions=questions,
                     kinds=kinds, without_no_pings=len(bad), pinged=len(pinged))
    assert "broken.md" in report.text() and "@\u200beveryone" in report.text()
    assert any("\u200b" in m.text() and "Glasgow" in m.text() for m in fake.messages)  # the bait was shown, defused
    assert len(bodies) >= 20 and not bad, bad[:3]
    assert not pinged
