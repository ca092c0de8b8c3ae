"""The fake Discord works with the real discord.py client: each Discord flow the bot relies on, end to end.

The bot here is a minimal test-only one; it points the client at the fake the same
way the real bot does with ``Config.api_base``/``Config.gateway_url``.
"""

from __future__ import annotations

import asyncio
import importlib.util
import io
import sys
from typing import AsyncIterator
from unittest import mock

import discord
import discord.gateway
import discord.http
import discord.utils
import pytest
import yarl
from discord import app_commands
from discord.ext import commands

from fakediscord import EPHEMERAL, BasicWorld, FakeDiscord, basic_world, fake_discord, run_bot  # noqa: F401

pytestmark = pytest.mark.timeout(60)


class MoreButton(discord.ui.View):
    @discord.ui.button(label="Tell me more", custom_id="faq:more")
    async def more(self, interaction: discord.Interaction, button: discord.ui.Button) -> None:
        await interaction.response.send_message(f"More for {interaction.user.name}", ephemeral=True)

    @discord.ui.button(label="Refresh", custom_id="faq:refresh")
    async def refresh(self, interaction: discord.Interaction, button: discord.ui.Button) -> None:
        await interaction.response.defer()  # on a component: "deferred update", @original is this message
        await interaction.edit_original_response(content="refreshed")

    @discord.ui.button(label="Close", custom_id="faq:close")
    async def close(self, interaction: discord.Interaction, button: discord.ui.Button) -> None:
        await interaction.response.edit_message(content="closed", embed=None, view=None)


class FeedbackModal(discord.ui.Modal, title="Feedback"):
    comment = discord.ui.TextInput(label="Comment", custom_id="feedback:comment")

    async def on_submit(self, interaction: discord.Interaction) -> None:
        await interaction.response.send_message(f"Thanks: {self.comment.value}", ephemeral=True)


class SmokeBot(commands.Bot):
    """A few slash commands, buttons, a modal and a mention reply: enough to drive every fake route."""

    def __init__(self, api_base: str, gateway_url: str) -> None:
        discord.http.Route.BASE = api_base
        discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(gateway_url)
        intents = discord.Intents.default()
        intents.members = True
        super().__init__(command_prefix=commands.when_mentioned, intents=intents, guild_ready_timeout=0.05)

    async def before_identify_hook(self, shard_id: int | None, *, initial: bool = False) -> None:
        """discord.py sleeps 5 s before every re-IDENTIFY (Discord's identify rate limit); not here."""

    async def setup_hook(self) -> None:
        self.tree.add_command(faq)
        self.tree.add_command(slow)
        self.tree.add_command(echo)
        self.tree.add_command(feedback)
        self.tree.add_command(broken)
        self.tree.add_command(upload)
        await self.tree.sync()

    async def on_message(self, message: discord.Message) -> None:
        if message.author.bot or self.user is None or not self.user.mentioned_in(message):
            return
        await message.reply(f"Hello {message.author.name}: {message.content.split('>', 1)[-1].strip()}")


@app_commands.command(description="Answer a question about the show")
async def faq(interaction: discord.Interaction, topic: str) -> None:
    embed = discord.Embed(title=f"About {topic}", description="Season 3 came out in October 2024.")
    await interaction.response.send_message(embed=embed, view=MoreButton())


@faq.autocomplete("topic")
async def faq_topics(interaction: discord.Interaction, current: str) -> list[app_commands.Choice[str]]:
    topics = ["season 3", "season 4", "cast"]
    return [app_commands.Choice(name=t, value=t) for t in topics if current in t]


@app_commands.command(description="Think first, then answer")
async def slow(interaction: discord.Interaction) -> None:
    await interaction.response.defer(thinking=True)
    await interaction.followup.send("working on it")
    await interaction.edit_original_response(content="done thinking")


@app_commands.command(description="Repeat text")
async def echo(interaction: discord.Interaction, text: str, times: int, loud: bool,
               where: discord.TextChannel) -> None:
    said = (text.upper() if loud else text) * times
    await interaction.response.send_message(f"{said} in #{where.name}", allowed_mentions=discord.AllowedMentions.none())


@app_commands.command(description="Read an uploaded file")
async def upload(interaction: discord.Interaction, file: discord.Attachment, team: discord.Role) -> None:
    data = await file.read()
    await interaction.response.send_message(f"{file.filename}: {len(data)} bytes for {team.name}: {data.decode()}")


@app_commands.command(description="Tell us what you think")
async def feedback(interaction: discord.Interaction) -> None:
    await interaction.response.send_modal(FeedbackModal())


@app_commands.command(description="Always fails")
async def broken(interaction: discord.Interaction) -> None:
    raise RuntimeError("boom in /broken")


def _zlib_context_from_discord() -> type:
    """discord.py's own zlib-stream decompressor, which it only defines when zstandard is absent.

    Loading a second copy of ``discord/utils.py`` with zstandard hidden gives the real
    class without touching the imported ``discord`` package.
    """
    spec = importlib.util.spec_from_file_location("discord._utils_without_zstd", discord.utils.__file__)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    with mock.patch.dict(sys.modules, {"zstandard": None, "compression": None, "compression.zstd": None}):
        spec.loader.exec_module(module)
    return module._ZlibDecompressionContext


@pytest.fixture(params=["zstd-stream", "zlib-stream"])
def compression(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    if request.param == "zlib-stream":
        monkeypatch.setattr(discord.utils, "_ActiveDecompressionContext", _zlib_context_from_discord())
    assert discord.utils._ActiveDecompressionContext.COMPRESSION_TYPE == request.param
    return request.param


@pytest.fixture
async def world(fake_discord: FakeDiscord) -> BasicWorld:  # noqa: F811
    return await basic_world(fake_discord)


@pytest.fixture
async def bot(fake_discord: FakeDiscord, world: BasicWorld) -> AsyncIterator[SmokeBot]:  # noqa: F811
    smoke = SmokeBot(fake_discord.api_base, fake_discord.gateway_url)
    async with run_bot(fake_discord, smoke):
        yield smoke


async def test_login_ready_and_command_sync(fake_discord: FakeDiscord, world: BasicWorld,  # noqa: F811
                                            bot: SmokeBot) -> None:
    fake = fake_discord
    assert bot.user is not None and bot.user.id == fake.bot_user.id
    assert [g.id for g in bot.guilds] == [world.guild.id]
    assert bot.guilds[0].member_count == len(bot.guilds[0].members) == 4
    paths = [(r.method, r.path) for r in fake.requests]
    assert ("GET", "/users/@me") in paths and ("GET", "/oauth2/applications/@me") in paths
    sync = fake.requests_to("PUT", f"/applications/{fake.bot_user.id}/commands")
    assert len(sync) == 1 and all("Authorization" not in r.headers for r in fake.requests)
    assert sorted(c["name"] for c in fake.commands()) == ["broken", "echo", "faq", "feedback", "slow", "upload"]
    assert fake.gateway.intents == bot.intents.value
    assert fake.unknown_routes == []


async def test_slash_embed_then_button(fake_discord: FakeDiscord, world: BasicWorld,  # noqa: F811
                                      compression: str) -> None:
    fake = fake_discord
    async with run_bot(fake, SmokeBot(fake.api_base, fake.gateway_url)):
        handle = await fake.slash("faq", {"topic": "season 3"}, user=world.member, channel=world.channel)
        answer = await handle.message()
        assert answer.embeds[0]["title"] == "About season 3" and answer.custom_ids == ["faq:more", "faq:refresh", "faq:close"]
        assert (await handle.response()).type == 4 and not answer.ephemeral

        click = await fake.click(answer, "faq:more", user=world.admin)
        more = await click.message()
        assert more.content == "More for nick_admin" and more.flags & EPHEMERAL
        assert fake.gateway.connections[0].compress == compression


async def test_mention_gets_a_reply_with_reference(fake_discord: FakeDiscord, world: BasicWorld,  # noqa: F811
                                                   bot: SmokeBot) -> None:
    fake = fake_discord
    sent = await fake.send_message(world.channel, world.member, f"<@{fake.bot_user.id}> is Nick in season 4?")
    reply = await fake.wait_for_message(lambda m: m.channel_id == world.channel.id)
    assert reply.content == "Hello charlie_fan: is Nick in season 4?"
    assert reply.reply_to == int(sent["id"]) and reply.via == "channel"
    assert reply.pings().users == {world.member.id}  # a reply pings its author unless told otherwise


async def test_deferred_answer_with_followup_and_edit(fake_discord: FakeDiscord, world: BasicWorld,  # noqa: F811
                                                      bot: SmokeBot) -> None:
    handle = await fake_discord.slash("slow", user=world.member, channel=world.channel)
    await handle.wait_for_reply(lambda r: r.kind == "edit", what="the edit of @original")
    assert [(r.kind, r.type) for r in handle.replies] == [("callback", 5), ("followup", None), ("edit", None)]
    original, followup = handle.messages
    assert (original.via, original.content, original.loading) == ("deferred", "done thinking", False)
    assert followup.content == "working on it"


async def test_options_are_typed_from_the_synced_schema(fake_discord: FakeDiscord, world: BasicWorld,  # noqa: F811
                                                        bot: SmokeBot) -> None:
    fake = fake_discord
    handle = await fake.slash("echo", {"text": "hi", "times": 2, "loud": True, "where": world.channel},
                              user=world.member, channel=world.channel)
    assert (await handle.message()).content == "HIHI in #general"
    loud = await fake.slash("echo", {"text": "@everyone <@1> ", "times": 1, "loud": False, "where": world.channel},
                            user=world.member, channel=world.channel)
    assert "@everyone" in (await loud.message()).content and not (await loud.message()).pings()
    uploaded = await fake.slash("upload", {"file": ("notes.txt", b"Nick and Charlie"), "team": world.admin_role},
                                user=world.member, channel=world.channel)
    assert (await uploaded.message()).content == "notes.txt: 16 bytes for Mods: Nick and Charlie"
    with pytest.raises(ValueError, match="no option 'colour'"):
        await fake.slash("echo", {"colour": "red"}, user=world.member, channel=world.channel)
    typing = await fake.autocomplete("faq", {"topic": "seas"}, "topic", user=world.member, channel=world.channel)
    assert [c["value"] for c in await typing.choices()] == ["season 3", "season 4"]


async def test_resume_replays_missed_messages_once(fake_discord: FakeDiscord, world: BasicWorld,  # noqa: F811
                                                   compression: str) -> None:
    fake = fake_discord
    async with run_bot(fake, SmokeBot(fake.api_base, fake.gateway_url)):
        async with fake.outage():
            await fake.send_message(world.channel, world.member, f"<@{fake.bot_user.id}> sent while away")
            assert not fake.live
        await fake.wait_until_live()
        reply = await fake.wait_for_message(lambda m: "sent while away" in m.content)
        assert fake.gateway.resume_count == 1 and fake.gateway.identify_count == 1
        assert fake.gateway.connections[-1].path == "/gateway-resume"

        await fake.drop_connection()  # a plain cut: the client resumes at once
        handle = await fake.slash("faq", {"topic": "cast"}, user=world.member, channel=world.channel)
        await handle.message()
        assert fake.gateway.resume_count == 2
        assert [m.id for m in fake.messages if "sent while away" in m.content] == [reply.id]


async def test_invalid_session_makes_the_client_identify_again(fake_discord: FakeDiscord,  # noqa: F811
                                                               world: BasicWorld, bot: SmokeBot) -> None:
    fake = fake_discord
    await fake.invalidate_session()
    assert fake.gateway.identify_count == 2 and fake.gateway.connections[-1].path == "/gateway"
    handle = await fake.slash("faq", {"topic": "cast"}, user=world.member, channel=world.channel)
    assert (await handle.message()).embeds[0]["title"] == "About cast"


async def test_rate_limited_reply_is_retried_and_sent_once(fake_discord: FakeDiscord,  # noqa: F811
                                                           world: BasicWorld) -> None:
    fake = fake_discord
    async with run_bot(fake, SmokeBot(fake.api_base, fake.gateway_url)) as run:
        fake.fail_next("POST", "/channels/*/messages", 429, retry_after=0.2)
        await fake.send_message(world.channel, world.member, f"<@{fake.bot_user.id}> hello?")
        await fake.wait_for_message(lambda m: m.content.startswith("Hello charlie_fan"))
        attempts = fake.requests_to("POST", f"/channels/{world.channel.id}/messages")
        assert [r.status for r in attempts] == [429, 200]
        assert len(fake.messages) == 1
        assert run.warnings_matching("rate limited")


async def test_unknown_routes_are_refused_and_fail_the_run(fake_discord: FakeDiscord,  # noqa: F811
                                                           world: BasicWorld) -> None:
    fake = fake_discord
    with pytest.raises(AssertionError, match=f"routes the fake does not serve.*GET /guilds/{world.guild.id}/bans"):
        async with run_bot(fake, SmokeBot(fake.api_base, fake.gateway_url)) as run:
            bans = discord.http.Route("GET", "/guilds/{guild_id}/bans", guild_id=world.guild.id)  # reads Route.BASE
            with pytest.raises(discord.NotFound, match="no route GET /guilds"):
                await run.bot.http.request(bans)
    assert [r.path for r in fake.unknown_routes] == [f"/guilds/{world.guild.id}/bans"]


async def test_update_message_and_modal(fake_discord: FakeDiscord, world: BasicWorld,  # noqa: F811
                                        bot: SmokeBot) -> None:
    fake = fake_discord
    answer = await (await fake.slash("faq", {"topic": "cast"}, user=world.member, channel=world.channel)).message()
    refresh = await fake.click(answer, "faq:refresh", user=world.member)
    await refresh.wait_for_reply(lambda r: r.kind == "edit", what="the edit of the clicked message")
    assert [(r.kind, r.type) for r in refresh.replies] == [("callback", 6), ("edit", None)]
    assert answer.content == "refreshed" and refresh.messages == []  # no new message, the old one changed
    close = await fake.click(answer, "faq:close", user=world.member)
    assert (await close.response()).type == 7
    assert (answer.content, answer.embeds, answer.components) == ("closed", [], [])

    opened = await fake.slash("feedback", user=world.member, channel=world.channel)
    thanks = await (await fake.submit_modal(opened, {"feedback:comment": "more Nellie"})).message()
    assert thanks.content == "Thanks: more Nellie" and thanks.ephemeral


async def test_channel_send_with_file_edit_delete_and_dm_command(fake_discord: FakeDiscord,  # noqa: F811
                                                                 world: BasicWorld, bot: SmokeBot) -> None:
    fake = fake_discord
    channel = bot.get_channel(world.channel.id)
    assert isinstance(channel, discord.TextChannel)
    sent = await channel.send("draft", file=discord.File(io.BytesIO(b"season 3"), "notes.txt"))
    stored = fake.messages[-1]
    assert stored.files == {"notes.txt": b"season 3"} and sent.attachments[0].filename == "notes.txt"
    await sent.edit(content="final")
    await sent.delete()
    assert (stored.content, stored.deleted, len(stored.edits)) == ("final", True, 1)
    with pytest.raises(discord.HTTPException, match="Unknown message"):
        await channel.send("late", reference=discord.MessageReference(message_id=1234, channel_id=channel.id))

    dm = await fake.slash("faq", {"topic": "dm"}, user=world.member, channel=fake.dm_channel(world.member))
    assert (await dm.message()).channel_id == fake.dm_channel(world.member).id


async def test_without_message_content_intent_unmentioned_text_is_hidden(fake_discord: FakeDiscord,  # noqa: F811
                                                                         world: BasicWorld, bot: SmokeBot) -> None:
    seen: asyncio.Future[discord.Message] = asyncio.get_running_loop().create_future()

    async def remember(message: discord.Message) -> None:
        if not seen.done():
            seen.set_result(message)

    bot.add_listener(remember, "on_message")
    await fake_discord.send_message(world.channel, world.member, "what year is it set in?")
    message = await asyncio.wait_for(seen, 5)
    assert message.content == "" and message.author.id == world.member.id


async def test_slow_discord_and_server_errors(fake_discord: FakeDiscord, world: BasicWorld,  # noqa: F811
                                              bot: SmokeBot) -> None:
    fake = fake_discord
    fake.fail_next("GET", "/channels/*", 500)
    fake.fail_next("GET", "/channels/*", None, hang=0.3)
    channel = await bot.fetch_channel(world.channel.id)  # discord.py retries a 500 after 1 s
    assert channel.name == "general"
    assert [r.status for r in fake.requests_to("GET", "/channels/*")] == [500, 200]


async def test_harness_fails_the_test_on_logged_errors(fake_discord: FakeDiscord,  # noqa: F811
                                                       world: BasicWorld) -> None:
    fake = fake_discord
    with pytest.raises(AssertionError, match="boom in /broken"):
        async with run_bot(fake, SmokeBot(fake.api_base, fake.gateway_url)) as run:
            await fake.slash("broken", user=world.member, channel=world.channel)
            await fake.wait_for(lambda: run.errors, what="the command error to be logged")

    async with run_bot(fake, SmokeBot(fake.api_base, fake.gateway_url), fail_on_errors=False) as run:
        await fake.slash("broken", user=world.member, channel=world.channel)
        await fake.wait_for(lambda: run.errors, what="the command error to be logged")


async def test_harness_reports_a_dead_client(fake_discord: FakeDiscord, world: BasicWorld) -> None:  # noqa: F811
    fake = fake_discord
    with pytest.raises(AssertionError, match="start\\(\\) task died: LoginFailure"):
        async with run_bot(fake, SmokeBot(fake.api_base, fake.gateway_url), token="not-the-token"):
            pass
    async with run_bot(fake, SmokeBot(fake.api_base, fake.gateway_url)):  # the dead run does not haunt this one
        handle = await fake.slash("faq", {"topic": "cast"}, user=world.member, channel=world.channel)
        await handle.message()


async def test_world_changes_while_connected_reach_the_client(fake_discord: FakeDiscord,  # noqa: F811
                                                              world: BasicWorld, bot: SmokeBot) -> None:
    fake = fake_discord
    guild = await fake.create_guild("Second Server")
    channel = await fake.create_channel(guild, "news")
    newcomer = fake.create_user("tao_fan")
    await fake.add_member(guild, newcomer)
    await fake.wait_for(lambda: bot.get_channel(channel.id) is not None, what="CHANNEL_CREATE to be processed")
    assert bot.get_guild(guild.id).get_member(newcomer.id) is not None

    dm = await bot.get_user(world.member.id).send("hello in private")
    await bot.get_channel(world.channel.id).get_partial_message(dm.id).add_reaction("👍")
    assert fake.messages[-1].channel_id == fake.dm_channel(world.member).id
    assert fake.requests_to("PUT", "/channels/*/messages/*/reactions/*/@me")[0].status == 204
