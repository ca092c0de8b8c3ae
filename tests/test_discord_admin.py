"""End to end: /reindex and /settings as admins (and non-admins) use them."""

from __future__ import annotations

import shutil

from discord_world import (  # noqa: F401  (fixtures are used by name)
    bot_config,
    corpus,
    embed_of,
    fake_discord,
    fields_of,
    pings_nobody,
    running_bot,
    world,
    write_article,
)
from fakediscord import MANAGE_GUILD

MUSICAL = dict(
    title="Heartstopper musical announced for the West End",
    body="A Heartstopper stage musical will open at the Lyric Hammersmith theatre next summer, "
         "with songs written by the show's composer.",
    date="2025-02-14",
)
MUSICAL_QUESTION = "where will the Heartstopper musical open?"


async def reindex(fake, world, user=None):
    """Run /reindex; returns (the immediate reply, the report follow-up)."""
    handle = await fake.slash("reindex", user=user or world.admin, channel=world.channel)
    started = await handle.message()
    report = await fake.wait_for_message(lambda m: m.interaction_id == handle.id and m.via == "followup")
    return started, report


async def ask(fake, world, question):
    handle = await fake.slash("ask", {"question": question}, user=world.member, channel=world.channel)
    return await handle.message()


async def test_reindex_by_a_fan_is_refused_and_hidden_by_default_permissions(fake_discord, world, corpus):
    write_article(corpus, "musical.md", **MUSICAL)
    async with running_bot(fake_discord, bot_config(fake_discord, corpus)) as run:
        handle = await fake_discord.slash("reindex", user=world.member, channel=world.channel)
        refusal = await handle.message()
        settings = await fake_discord.slash("settings show", user=world.member, channel=world.channel)
        settings_refusal = await settings.message()
        assert run.bot.index.size().articles == 6
    synced = {c["name"]: c for c in fake_discord.commands()}
    assert int(synced["reindex"]["default_member_permissions"]) == MANAGE_GUILD
    assert int(synced["settings"]["default_member_permissions"]) == MANAGE_GUILD
    assert synced["ask"].get("default_member_permissions") is None
    for message in (refusal, settings_refusal):
        assert message.ephemeral and "Manage Server" in message.content
    assert not any(m.via == "followup" for m in fake_discord.messages)  # no reindex ran


async def test_reindex_in_a_dm_is_refused(fake_discord, world, corpus):
    async with running_bot(fake_discord, bot_config(fake_discord, corpus)):
        handle = await fake_discord.slash("reindex", user=world.admin, channel=fake_discord.dm_channel(world.admin))
        refusal = await handle.message()
    assert refusal.ephemeral and "only works in a server" in refusal.content


async def test_a_bot_owner_from_config_may_reindex_without_manage_server(fake_discord, world, corpus):
    config = bot_config(fake_discord, corpus, owner_ids=frozenset({world.member.id}))
    async with running_bot(fake_discord, config):
        started, report = await reindex(fake_discord, world, user=world.member)
    assert started.content.startswith("Reindexing")
    assert embed_of(report)["title"] == "Reindex finished"


async def test_admin_adds_an_article_reindexes_and_the_new_article_answers(fake_discord, world, corpus):
    async with running_bot(fake_discord, bot_config(fake_discord, corpus)):
        before = await ask(fake_discord, world, MUSICAL_QUESTION)
        write_article(corpus, "musical.md", **MUSICAL)
        started, report = await reindex(fake_discord, world)
        after = await ask(fake_discord, world, MUSICAL_QUESTION)
    assert not before.embeds or before.embeds[0]["title"] != MUSICAL["title"]
    assert started.content.startswith("Reindexing") and not started.ephemeral
    embed = embed_of(report)
    assert embed["title"] == "Reindex finished"
    assert embed["description"].startswith("Articles: 5 → 6\nPassages: ")
    assert fields_of(embed) == {"Added (1)": "musical.md", "Removed (0)": "none", "Changed (0)": "none"}
    assert embed_of(after)["title"] == MUSICAL["title"]
    assert "**A Heartstopper stage musical will open at the Lyric Hammersmith theatre" in embed_of(after)["description"]
    assert pings_nobody(report) and pings_nobody(started)


async def test_broken_file_is_named_in_the_report_and_old_articles_still_answer(fake_discord, world, corpus):
    async with running_bot(fake_discord, bot_config(fake_discord, corpus)):
        articles = sorted(corpus.glob("*.md"))
        (corpus / "broken_notes.md").write_text('---\ntitle: "Unclosed\nsource: x\n---\nBody.\n', encoding="utf-8")
        changed, removed = articles[1], articles[-1]
        titles = {line[len("title: "):].strip().strip('"') for a in articles[:-1] for line in a.read_text().splitlines()
                  if line.startswith("title: ")}
        changed.write_text(changed.read_text(encoding="utf-8") + "\nOne more paragraph about filming.\n", encoding="utf-8")
        removed.unlink()
        _, report = await reindex(fake_discord, world)
        still = await ask(fake_discord, world, "is season 2 confirmed?")
    embed = embed_of(report)
    assert embed["title"] == "Reindex finished with problems"
    assert "Articles: 5 → 4" in embed["description"]
    assert "**Files that failed (1)**" in embed["description"]
    assert "broken\\_notes.md:3: front matter is not valid YAML" in embed["description"]  # markdown-escaped name
    fields = fields_of(embed)
    assert fields["Removed (1)"] == removed.name.replace("_", "\\_")
    assert fields["Changed (1)"] == changed.name.replace("_", "\\_")
    assert embed_of(still)["title"] in titles  # the articles that loaded still answer


async def test_a_failed_build_keeps_the_old_index_serving(fake_discord, world, corpus):
    async with running_bot(fake_discord, bot_config(fake_discord, corpus)) as run:
        hidden = corpus / ".removed"
        hidden.mkdir()
        for article in corpus.glob("*.md"):
            shutil.move(article, hidden / article.name)  # an admin emptied the folder by mistake
        _, report = await reindex(fake_discord, world)
        still = await ask(fake_discord, world, "is season 2 confirmed?")
        assert run.bot.index.size().articles == 5
        run.capture.records.clear()  # the failure is logged as an ERROR on purpose
    embed = embed_of(report)
    assert embed["title"] == "Reindex failed"
    assert "no article could be indexed" in embed["description"]
    assert "Still answering from the previous index: 5 articles" in embed["description"]
    assert "Netflix confirmed" in embed_of(still)["description"]


async def test_a_second_reindex_is_told_one_is_running_and_fans_are_answered_meanwhile(fake_discord, world, corpus):
    async with running_bot(fake_discord, bot_config(fake_discord, corpus)):
        # Enough new files that the build takes a noticeable moment on any machine.
        originals = list(corpus.glob("*.md"))
        for copy in range(60):
            for article in originals:
                shutil.copy(article, corpus / f"copy{copy}-{article.name}")
        first = await fake_discord.slash("reindex", user=world.admin, channel=world.channel)
        second = await fake_discord.slash("reindex", user=world.admin, channel=world.channel)
        meanwhile = await fake_discord.slash(
            "ask", {"question": "is season 2 confirmed?"}, user=world.member, channel=world.channel
        )
        busy = await second.message()
        answer = await meanwhile.message()
        report = await fake_discord.wait_for_message(lambda m: m.interaction_id == first.id and m.via == "followup")
    assert busy.ephemeral and busy.content.startswith("A reindex is already running (started <t:")
    assert "Netflix confirmed" in embed_of(answer)["description"]
    assert fake_discord.messages.index(answer) < fake_discord.messages.index(report)
    assert embed_of(report)["description"].startswith("Articles: 5 → 305")


async def test_settings_are_shown_changed_and_survive_a_restart(fake_discord, world, corpus):
    config = bot_config(fake_discord, corpus)
    async with running_bot(fake_discord, config):
        for command, options in (
            ("settings autoanswer", {"enabled": True}),
            ("settings mentions", {"enabled": False}),
            ("settings confidence", {"bar": 0.9}),
            ("settings cooldown", {"seconds": 5}),
        ):
            handle = await fake_discord.slash(command, options, user=world.admin, channel=world.channel)
            saved = await handle.message()
            assert saved.ephemeral and embed_of(saved)["description"].startswith("Saved")
        bad = await fake_discord.slash("settings confidence", {"bar": 1.5}, user=world.admin, channel=world.channel)
        assert (await bad.message()).content == "Not saved: the confidence bar must be between 0 and 1, got 1.5."
    async with running_bot(fake_discord, config):  # a new process, same database file
        handle = await fake_discord.slash("settings show", user=world.admin, channel=world.channel)
        shown = fields_of(embed_of(await handle.message()))
        question = await fake_discord.send_message(world.channel, world.member, "is season 2 confirmed?")
        await fake_discord.wait_for_message(lambda m: m.reply_to == int(question["id"]))
    assert shown["Auto-answer channels"].startswith(f"<#{world.channel.id}>")
    assert shown["Answer mentions"].startswith("off")
    assert shown["Confidence bar for unasked answers"].startswith("0.90")
    assert shown["Cooldown per fan"].startswith("5 s")


async def test_auto_answer_can_be_set_for_another_channel_and_turned_off(fake_discord, world, corpus):
    fandom = await fake_discord.create_channel(world.guild, "fandom-questions")
    async with running_bot(fake_discord, bot_config(fake_discord, corpus)):
        handle = await fake_discord.slash(
            "settings autoanswer", {"enabled": True, "channel": fandom}, user=world.admin, channel=world.channel
        )
        saved = embed_of(await handle.message())
        question = await fake_discord.send_message(fandom, world.member, "is season 2 confirmed?")
        await fake_discord.wait_for_message(lambda m: m.reply_to == int(question["id"]))
        handle = await fake_discord.slash(
            "settings autoanswer", {"enabled": False, "channel": fandom}, user=world.admin, channel=world.channel
        )
        off = embed_of(await handle.message())
    assert saved["description"] == f"Saved: I'll now answer questions on my own in <#{fandom.id}>."
    assert fields_of(saved)["Auto-answer channels"].startswith(f"<#{fandom.id}>")
    assert fields_of(off)["Auto-answer channels"].startswith("none")
