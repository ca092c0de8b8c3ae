"""End to end: answering in chat — mentions, opted-in channels, DMs — and staying quiet otherwise.

"Not answered" is shown by sending a control message afterwards that *is*
answered, and checking that nothing replied to the earlier one: the bot
handles messages in order, so by the time the control is answered, a reply to
the earlier message would have been sent.
"""

from __future__ import annotations

from discord_world import (  # noqa: F401  (fixtures are used by name)
    bot_config,
    button_names,
    corpus,
    embed_of,
    fake_discord,
    pings_nobody,
    running_bot,
    world,
)

SEASON_2 = "is season 2 confirmed?"


def replies_to(fake, message_id: int) -> list:
    return [m for m in fake.messages if m.reply_to == message_id]


async def answered(fake, payload: dict) -> object:
    return await fake.wait_for_message(lambda m: m.reply_to == int(payload["id"]))


async def opt_in(fake, world, **settings) -> None:
    """An admin opts #general in to auto-answers (and changes other settings) through /settings."""
    handle = await fake.slash("settings autoanswer", {"enabled": True}, user=world.admin, channel=world.channel)
    await handle.message()
    for name, value in settings.items():
        option = {"confidence": "bar", "cooldown": "seconds", "mentions": "enabled"}[name]
        handle = await fake.slash(f"settings {name}", {option: value}, user=world.admin, channel=world.channel)
        assert (await handle.message()).embeds[0]["description"].startswith("Saved")


async def test_a_mention_with_a_question_gets_an_answer_as_a_reply(fake_discord, world, corpus):
    async with running_bot(fake_discord, bot_config(fake_discord, corpus)):
        sent = await fake_discord.send_message(
            world.channel, world.member, f"<@{fake_discord.bot_user.id}> {SEASON_2}"
        )
        reply = await answered(fake_discord, sent)
        buttons = set(button_names(reply))  # while the bot runs: it takes them off when it stops
    assert "Netflix confirmed there WILL be both a season 2 and 3" in embed_of(reply)["description"]
    assert embed_of(reply)["author"]["name"] == f"Q: {SEASON_2}"
    assert {"More answers", "👍", "👎"} <= buttons
    assert pings_nobody(reply)  # a reply that does not even ping its author


async def test_a_bare_mention_gets_a_hint_and_unanswerable_gets_the_abstain_reply(fake_discord, world, corpus):
    bot_id = fake_discord.bot_user.id
    async with running_bot(fake_discord, bot_config(fake_discord, corpus)):
        bare = await fake_discord.send_message(world.channel, world.member, f"<@{bot_id}>")
        hint = await answered(fake_discord, bare)
        pizza = await fake_discord.send_message(world.channel, world.member, f"<@!{bot_id}> best pizza in town?")
        abstain = await answered(fake_discord, pizza)
    assert hint.content.startswith("Ask me a question after the mention")
    assert abstain.content.startswith("I couldn't find that in my sources.") and not abstain.embeds


async def test_mentions_are_ignored_when_the_server_turned_them_off(fake_discord, world, corpus):
    bot_id = fake_discord.bot_user.id
    async with running_bot(fake_discord, bot_config(fake_discord, corpus)):
        handle = await fake_discord.slash("settings mentions", {"enabled": False}, user=world.admin, channel=world.channel)
        await handle.message()
        ignored = await fake_discord.send_message(world.channel, world.member, f"<@{bot_id}> {SEASON_2}")
        control = await fake_discord.slash("ask", {"question": SEASON_2}, user=world.member, channel=world.channel)
        await control.message()
    assert replies_to(fake_discord, int(ignored["id"])) == []


async def test_a_direct_message_is_answered(fake_discord, world, corpus):
    async with running_bot(fake_discord, bot_config(fake_discord, corpus)):
        sent = await fake_discord.send_message(fake_discord.dm_channel(world.member), world.member, SEASON_2)
        reply = await answered(fake_discord, sent)
    assert "Netflix confirmed" in embed_of(reply)["description"]


async def test_opted_in_channel_answers_questions_but_not_chatter_or_off_topic(fake_discord, world, corpus):
    async with running_bot(fake_discord, bot_config(fake_discord, corpus)):
        await opt_in(fake_discord, world)
        chatter = await fake_discord.send_message(world.channel, world.member, "I love this show so much")
        off_topic = await fake_discord.send_message(world.channel, world.member, "what is the best pizza recipe?")
        question = await fake_discord.send_message(world.channel, world.admin, SEASON_2)
        reply = await answered(fake_discord, question)
    assert "Netflix confirmed" in embed_of(reply)["description"]
    assert pings_nobody(reply)
    assert replies_to(fake_discord, int(chatter["id"])) == []
    assert replies_to(fake_discord, int(off_topic["id"])) == []


async def test_channels_not_opted_in_stay_quiet(fake_discord, world, corpus):
    other = await fake_discord.create_channel(world.guild, "off-topic")
    async with running_bot(fake_discord, bot_config(fake_discord, corpus)):
        await opt_in(fake_discord, world)
        elsewhere = await fake_discord.send_message(other, world.member, SEASON_2)
        control = await fake_discord.send_message(world.channel, world.admin, SEASON_2)
        await answered(fake_discord, control)
    assert replies_to(fake_discord, int(elsewhere["id"])) == []


async def test_unasked_answers_need_the_servers_confidence_bar(fake_discord, world, corpus):
    # "when does season 3 come out?" is answered by /ask, but covers less of the question than a perfect match.
    async with running_bot(fake_discord, bot_config(fake_discord, corpus)):
        await opt_in(fake_discord, world, confidence=1.0)
        ask = await fake_discord.slash(
            "ask", {"question": "when does season 3 come out?"}, user=world.member, channel=world.channel
        )
        asked = await ask.message()
        partial = await fake_discord.send_message(world.channel, world.member, "when does season 3 come out?")
        control = await fake_discord.send_message(world.channel, world.admin, SEASON_2)
        await answered(fake_discord, control)
    assert asked.embeds and "(100% confidence)" not in asked.embeds[0]["footer"]["text"]
    assert replies_to(fake_discord, int(partial["id"])) == []


async def test_bots_are_never_answered_and_a_repeated_event_is_answered_once(fake_discord, world, corpus):
    async with running_bot(fake_discord, bot_config(fake_discord, corpus)):
        await opt_in(fake_discord, world)
        from_bot = await fake_discord.send_message(world.channel, world.other_bot, SEASON_2)
        question = await fake_discord.send_message(world.channel, world.member, SEASON_2)
        await answered(fake_discord, question)
        # The same MESSAGE_CREATE delivered again (as after a gateway replay).
        await fake_discord.gateway.dispatch_message("MESSAGE_CREATE", question)
        control = await fake_discord.send_message(world.channel, world.admin, SEASON_2)
        await answered(fake_discord, control)
    assert replies_to(fake_discord, int(from_bot["id"])) == []
    assert len(replies_to(fake_discord, int(question["id"]))) == 1


async def test_a_fan_on_cooldown_is_skipped_silently_in_opted_in_channels(fake_discord, world, corpus):
    async with running_bot(fake_discord, bot_config(fake_discord, corpus)):
        await opt_in(fake_discord, world, cooldown=60)
        first = await fake_discord.send_message(world.channel, world.member, SEASON_2)
        await answered(fake_discord, first)
        again = await fake_discord.send_message(world.channel, world.member, "is season 3 confirmed?")
        control = await fake_discord.send_message(world.channel, world.admin, SEASON_2)
        await answered(fake_discord, control)
    assert replies_to(fake_discord, int(again["id"])) == []


async def test_a_question_deleted_before_the_answer_still_gets_its_answer_in_the_channel(fake_discord, world, corpus):
    async with running_bot(fake_discord, bot_config(fake_discord, corpus)):
        template = await fake_discord.send_message(world.channel, world.member, "just saying hi")
        # A mention whose message Discord no longer knows (deleted by its author before the bot replied).
        gone_id = int(template["id"]) + 12345
        await fake_discord.gateway.dispatch_message(
            "MESSAGE_CREATE", template | {"id": str(gone_id), "content": f"<@{fake_discord.bot_user.id}> {SEASON_2}"}
        )
        reply = await answered(fake_discord, {"id": gone_id})
    assert reply.channel_id == world.channel.id
    assert "Netflix confirmed" in embed_of(reply)["description"]
