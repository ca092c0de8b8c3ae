"""End to end: fans using /ask, the buttons under an answer, and what never pings.

The real bot (unmodified discord.py) talks to the loopback fake Discord; the
asserts read what the fake received, i.e. what a fan would see.
"""

from __future__ import annotations

import re

import pytest

from discord_world import (  # noqa: F401  (fixtures are used by name)
    bot_config,
    button_id,
    corpus,
    embed_of,
    fake_discord,
    fields_of,
    pings_nobody,
    running_bot,
    world,
    write_article,
)

SEASON_2 = "is season 2 confirmed?"


async def test_ask_replies_with_passage_source_and_date(fake_discord, world, corpus):
    async with running_bot(fake_discord, bot_config(fake_discord, corpus)):
        handle = await fake_discord.slash("ask", {"question": SEASON_2}, user=world.member, channel=world.channel)
        message = await handle.message()
    embed = embed_of(message)
    assert not message.ephemeral
    assert "**Netflix confirmed there WILL be both a season 2 and 3 of Heartstopper.**" in embed["description"]
    assert embed["title"] == "Will there be a Heartstopper season 2 and how many books are there?"
    assert fields_of(embed) == {"Source": "Goodto.com", "Published": "undated"}
    assert embed["footer"]["text"].startswith("How sure: ")
    assert pings_nobody(message)


async def test_dated_article_shows_its_date_and_age_and_links_the_title(fake_discord, world, corpus):
    write_article(
        corpus, "film.md", title="Heartstopper Forever film wraps filming", source="Film Weekly",
        url="https://example.org/heartstopper-forever", date="2024-10-02",
        body="The Heartstopper Forever film wrapped filming in Bristol after eight weeks of shooting.",
    )
    async with running_bot(fake_discord, bot_config(fake_discord, corpus)):
        handle = await fake_discord.slash(
            "ask", {"question": "where did the Forever film wrap filming?"}, user=world.member, channel=world.channel
        )
        embed = embed_of(await handle.message())
    assert embed["title"] == "Heartstopper Forever film wraps filming"
    assert embed["url"] == "https://example.org/heartstopper-forever"
    published = fields_of(embed)["Published"]
    assert re.fullmatch(r"2 October 2024 \(\d+ (year|month)s? ago\)", published), published
    assert fields_of(embed)["Source"] == "Film Weekly"


async def test_private_ask_is_only_seen_by_the_asker(fake_discord, world, corpus):
    async with running_bot(fake_discord, bot_config(fake_discord, corpus)):
        handle = await fake_discord.slash(
            "ask", {"question": SEASON_2, "private": True}, user=world.member, channel=world.channel
        )
        message = await handle.message()
    assert message.ephemeral and embed_of(message)["title"]


async def test_unanswerable_question_gets_an_honest_reply_pointing_to_sources(fake_discord, world, corpus):
    async with running_bot(fake_discord, bot_config(fake_discord, corpus)):
        handle = await fake_discord.slash(
            "ask", {"question": "what is the best pizza recipe?"}, user=world.member, channel=world.channel
        )
        message = await handle.message()
    assert message.embeds == []
    assert message.content.startswith("I couldn't find that in my sources.")
    assert "`/sources`" in message.content


@pytest.mark.parametrize(
    "question, expected",
    [
        ("", "empty"),
        ("   \t ", "empty"),
        ("why " * 1000, "characters long"),
        ("😀🎉💖", "couldn't find any words"),
    ],
    ids=["empty", "whitespace", "4000-chars", "emoji-only"],
)
async def test_unusable_questions_get_a_clear_private_reply_and_no_error(fake_discord, world, corpus, question, expected):
    async with running_bot(fake_discord, bot_config(fake_discord, corpus)) as run:
        handle = await fake_discord.slash("ask", {"question": question}, user=world.member, channel=world.channel)
        message = await handle.message()
    assert message.ephemeral
    assert expected in message.content and len(message.content) <= 2000
    assert run.errors == []


async def test_zalgo_question_gets_a_clear_reply_within_limits(fake_discord, world, corpus):
    zalgo = "".join(c + "\u0336\u0301\u0489" * 30 if c.isalpha() else c for c in SEASON_2)
    async with running_bot(fake_discord, bot_config(fake_discord, corpus)) as run:
        handle = await fake_discord.slash("ask", {"question": zalgo}, user=world.member, channel=world.channel)
        message = await handle.message()
    if message.embeds:
        assert "Netflix confirmed" in embed_of(message)["description"]
        assert len(embed_of(message)["author"]["name"]) <= 256
    else:
        assert message.content.startswith("I couldn't find that in my sources.") and len(message.content) <= 2000
    assert run.errors == []


async def test_cooldown_tells_the_fan_when_to_try_again(fake_discord, world, corpus):
    config = bot_config(fake_discord, corpus, ask_cooldown_seconds=60)
    async with running_bot(fake_discord, config):
        typo = await fake_discord.slash("ask", {"question": "  "}, user=world.member, channel=world.channel)
        assert "empty" in (await typo.message()).content  # an unusable question does not cost a turn
        first = await fake_discord.slash("ask", {"question": SEASON_2}, user=world.member, channel=world.channel)
        assert (await first.message()).embeds
        second = await fake_discord.slash("ask", {"question": SEASON_2}, user=world.member, channel=world.channel)
        refused = await second.message()
        other_fan = await fake_discord.slash("ask", {"question": SEASON_2}, user=world.admin, channel=world.channel)
        answered = await other_fan.message()
    assert refused.ephemeral
    assert re.fullmatch(
        r"You're asking quickly — please try again in (59|60) seconds \(<t:\d+:R>\)\.", refused.content
    )
    assert answered.embeds  # the cooldown is per fan


async def test_more_answers_pages_through_other_passages_each_with_source_and_date(fake_discord, world, corpus):
    async with running_bot(fake_discord, bot_config(fake_discord, corpus)):
        handle = await fake_discord.slash("ask", {"question": SEASON_2}, user=world.member, channel=world.channel)
        answer = await handle.message()
        click = await fake_discord.click(answer, button_id(answer, "More answers"), user=world.admin)
        more = await click.message()
        assert more.ephemeral and 1 <= len(more.embeds) <= 3
        for embed in more.embeds:
            assert set(fields_of(embed)) == {"Source", "Published"}
            assert re.fullmatch(r"Answer \d+ of \d+", embed["author"]["name"])
        first_page = [e["author"]["name"] for e in more.embeds]
        assert first_page[0] == "Answer 2 of " + first_page[0].rsplit(" ", 1)[1]
        # Turning the page edits the same ephemeral message in place.
        turn = await fake_discord.click(more, button_id(more, "Next"), user=world.admin)
        await turn.wait_for_reply(lambda r: r.kind == "callback" and r.type == 7, what="an in-place page turn")
        second_page = [e["author"]["name"] for e in more.embeds]
    assert second_page[0] == f"Answer 5 of {first_page[0].rsplit(' ', 1)[1]}"
    assert pings_nobody(more)


async def test_feedback_buttons_record_the_vote_and_thank_the_fan(fake_discord, world, corpus):
    async with running_bot(fake_discord, bot_config(fake_discord, corpus)) as run:
        handle = await fake_discord.slash("ask", {"question": SEASON_2}, user=world.member, channel=world.channel)
        answer = await handle.message()
        up = await fake_discord.click(answer, button_id(answer, "👍"), user=world.member)
        thanks = await up.message()
        down = await fake_discord.click(answer, button_id(answer, "👎"), user=world.admin)
        await down.message()
        votes = await run.bot.store.feedback()
    assert thanks.ephemeral and thanks.content.startswith("Thanks")
    assert {(v.user_id, v.helpful) for v in votes} == {(world.member.id, True), (world.admin.id, False)}
    assert {v.message_id for v in votes} == {answer.id}
    assert {v.article for v in votes} == {"goodto-heartstopper-season-2-and-books.md"}
    assert {v.question for v in votes} == {SEASON_2}


async def test_everyone_in_a_question_or_a_passage_pings_nobody(fake_discord, world, corpus):
    (corpus / "shouting.md").write_text(
        "---\ntitle: \"@everyone Heartstopper tour\"\nsource: \"Fan blog\"\nurl: null\ndate: 2024-03-01\n---\n"
        "@everyone the Heartstopper cast tour visits Glasgow and Cardiff in spring, @here <@&123456789012345678>!\n",
        encoding="utf-8",
    )
    async with running_bot(fake_discord, bot_config(fake_discord, corpus)):
        in_passage = await fake_discord.slash(
            "ask", {"question": "does the cast tour visit Glasgow?"}, user=world.member, channel=world.channel
        )
        passage_message = await in_passage.message()
        in_question = await fake_discord.slash(
            "ask", {"question": "@everyone is season 2 confirmed?"}, user=world.member, channel=world.channel
        )
        question_message = await in_question.message()
        abstain = await fake_discord.slash(
            "ask", {"question": "@everyone @here what is the best pizza?"}, user=world.member, channel=world.channel
        )
        abstain_message = await abstain.message()
    description = embed_of(passage_message)["description"]
    assert "@\u200beveryone" in description and "@\u200bhere" in description and "<@\u200b&" in description
    assert embed_of(question_message)["author"]["name"] == "Q: @\u200beveryone is season 2 confirmed?"
    assert "@everyone" not in abstain_message.content
    for message in (passage_message, question_message, abstain_message):
        assert pings_nobody(message)


async def test_a_slow_answer_is_deferred_then_delivered(fake_discord, world, corpus):
    """Discord drops interactions not acknowledged within 3 s; a slow lookup shows "thinking…" first."""
    async with running_bot(fake_discord, bot_config(fake_discord, corpus)) as run:
        run.bot.get_cog("Asking").defer_after = 0  # every lookup counts as slow
        handle = await fake_discord.slash("ask", {"question": SEASON_2}, user=world.member, channel=world.channel)
        callback = await handle.response()
        message = await handle.message()
    assert callback.type == 5  # deferred: "FanAnswers is thinking…"
    assert "Netflix confirmed" in embed_of(message)["description"]
    assert pings_nobody(message)


async def test_ask_works_in_direct_messages_too(fake_discord, world, corpus):
    async with running_bot(fake_discord, bot_config(fake_discord, corpus)):
        handle = await fake_discord.slash(
            "ask", {"question": SEASON_2}, user=world.member, channel=fake_discord.dm_channel(world.member)
        )
        message = await handle.message()
    assert "Netflix confirmed" in embed_of(message)["description"]
