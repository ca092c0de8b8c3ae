"""End to end: admins adding articles with /add (a link or an upload) and taking them out with /remove.

The real bot talks to the loopback fake Discord; the links point at the small
web site of ``ingest_fixtures`` on 127.0.0.1.  Asserts read what the admin and
the fans see, and what is in the corpus folder afterwards.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from discord_world import (  # noqa: F401  (fixtures are used by name)
    bot_config,
    corpus,
    embed_of,
    fake_discord,
    fields_of,
    pings_nobody,
    running_bot,
    world,
)
from fakediscord import MANAGE_GUILD, SentMessage
from ingest_fixtures import CASTING_PARAGRAPHS, closed_port, markdown_article, og_jsonld_page, site  # noqa: F401

RENEWAL_TITLE = "Heartstopper renewed for seasons 2 and 3 at Netflix"
RENEWAL_FILE = "heartstopper-renewed-for-seasons-2-and-3-at-netflix.md"
LETTER_QUESTION = "who read the letter from Alice Oseman in the renewal video?"
CASTING_TITLE = "Olivia Colman on playing Nick's mum"


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every file under ``folder`` (hidden ones too) with its bytes: "untouched" means equal snapshots."""
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


async def add(fake, world, options, *, user=None) -> tuple[str, SentMessage]:
    """Run /add that gets past the quick checks: (the immediate reply's text, the result it is edited into)."""
    handle = await fake.slash("add", options, user=user or world.admin, channel=world.channel)
    first = await handle.response()
    edited = await handle.wait_for_reply(lambda r: r.kind == "edit", 15, "the /add result")
    assert edited.message is not None
    return first.data.get("content", ""), edited.message


async def refused_at_once(fake, command, options, *, user, channel) -> SentMessage:
    handle = await fake.slash(command, options, user=user, channel=channel)
    message = await handle.message()
    assert not [r for r in handle.replies if r.kind == "edit"]
    return message


async def ask(fake, world, question: str) -> SentMessage:
    handle = await fake.slash("ask", {"question": question}, user=world.member, channel=world.channel)
    return await handle.message()


def answered_from(message: SentMessage) -> str | None:
    """The title of the article an /ask reply quotes, or None for "I don't know"."""
    return message.embeds[0]["title"] if message.embeds else None


async def test_add_a_link_writes_the_article_shows_what_fans_get_and_then_answers(fake_discord, world, corpus, site):  # noqa: F811
    url = site.url("/news/renewal")
    async with running_bot(fake_discord, bot_config(fake_discord, corpus)) as run:
        before = await ask(fake_discord, world, LETTER_QUESTION)
        first, result = await add(fake_discord, world, {"url": url})
        after = await ask(fake_discord, world, LETTER_QUESTION)
        _, bare = await add(fake_discord, world, {"url": site.url("/news/colman")})
        assert run.bot.index.size().articles == 7
    assert first.startswith("Fetching http://127.0.0.1:")
    assert result.ephemeral and pings_nobody(result) and result.content == ""
    embed = embed_of(result)
    assert embed["title"] == "Article added"
    fields = fields_of(embed)
    assert fields["Title"] == RENEWAL_TITLE
    assert fields["Source"] == "Screen Gazette"
    assert fields["Date"] == "20 May 2022"
    assert int(fields["Passages"]) >= 1
    assert fields["File"] == RENEWAL_FILE
    assert fields["Link"] == url
    assert embed["description"].startswith("**First passage**\nNetflix has renewed Heartstopper for a second and third season")
    assert embed["footer"]["text"].startswith("Index: 6 articles, ")
    written = (corpus / RENEWAL_FILE).read_text(encoding="utf-8")
    assert written.startswith(
        f'---\ntitle: "{RENEWAL_TITLE}"\nsource: "Screen Gazette"\nurl: "{url}"\ndate: 2022-05-20\n---\n'
    )
    assert "Cookie" not in written and "Read more" not in written and "Privacy policy" not in written
    assert answered_from(before) != RENEWAL_TITLE
    assert answered_from(after) == RENEWAL_TITLE
    assert "Kit Connor and Joe Locke" in embed_of(after)["description"]
    # a page that declares nothing: shown as unknown and undated, written as empty, never guessed
    bare_fields = fields_of(embed_of(bare))
    assert (bare_fields["Source"], bare_fields["Date"]) == ("unknown", "undated")
    assert 'source: ""\nurl: "' in (corpus / "olivia-colman-on-playing-nicks-mum-in-heartstopper.md").read_text(encoding="utf-8")


async def test_add_an_uploaded_markdown_file_keeps_its_front_matter(fake_discord, world, corpus):
    upload = fake_discord.attachment(
        "colman.md",
        markdown_article(CASTING_TITLE, CASTING_PARAGRAPHS, source="Film Post", date="2022-04-28").encode("utf-8"),
    )
    async with running_bot(fake_discord, bot_config(fake_discord, corpus)):
        first, result = await add(fake_discord, world, {"file": upload})
        answer = await ask(fake_discord, world, "who plays Nick's mother Sarah Nelson?")
    assert first.startswith("Fetching the file colman.md")
    fields = fields_of(embed_of(result))
    assert embed_of(result)["title"] == "Article added"
    assert (fields["Title"], fields["Source"], fields["Date"], fields["Link"]) == (
        "Olivia Colman on playing Nick's mum", "Film Post", "28 April 2022", "none",
    )
    written = (corpus / "olivia-colman-on-playing-nicks-mum.md").read_text(encoding="utf-8")
    assert written.startswith(f'---\ntitle: "{CASTING_TITLE}"\nsource: "Film Post"\nurl: null\ndate: 2022-04-28\n---\n')
    assert answered_from(answer) == CASTING_TITLE


async def test_markup_and_mentions_in_an_article_are_shown_literally_and_ping_nobody(fake_discord, world, corpus):
    text = (
        "Nick *and* Charlie @everyone\n\n"
        "Fans of __Heartstopper__ asked <@123456789012345678> and @here when the **Paris** episode airs; the answer is `soon`.\n"
    )
    upload = fake_discord.attachment("odd.txt", text.encode("utf-8"))
    async with running_bot(fake_discord, bot_config(fake_discord, corpus)):
        _, result = await add(fake_discord, world, {"file": upload})
    embed = embed_of(result)
    assert fields_of(embed)["Title"] == "Nick \\*and\\* Charlie @\u200beveryone"
    assert embed["description"] == (
        "**First passage**\nFans of \\_\\_Heartstopper\\_\\_ asked <@\u200b123456789012345678> and @\u200bhere when the "
        "\\*\\*Paris\\*\\* episode airs; the answer is \\`soon\\`."
    )
    assert fields_of(embed)["File"] == "nick-and-charlie-everyone.md"
    assert pings_nobody(result) and not result.pings()


async def test_the_same_link_again_is_recognised_not_duplicated(fake_discord, world, corpus, site):  # noqa: F811
    url = site.url("/news/renewal")
    async with running_bot(fake_discord, bot_config(fake_discord, corpus)) as run:
        _, created = await add(fake_discord, world, {"url": url})
        _, again = await add(fake_discord, world, {"url": url + "?utm_source=discord"})
        extra = "<p>The cast will also appear at a fan event in London before filming starts, Netflix said.</p>"
        site.page("/news/renewal", og_jsonld_page(url).replace("</article>", extra + "</article>"))
        _, updated = await add(fake_discord, world, {"url": url})
        assert run.bot.index.size().articles == 6
    assert embed_of(created)["title"] == "Article added"
    assert embed_of(again)["title"] == "Already up to date"
    assert embed_of(updated)["title"] == "Article updated"
    assert embed_of(updated)["footer"]["text"].startswith("Recognised by its link as an article I already had")
    assert [p.name for p in corpus.glob("heartstopper-renewed*")] == [RENEWAL_FILE]
    assert "fan event in London" in (corpus / RENEWAL_FILE).read_text(encoding="utf-8")


async def test_every_failure_is_one_clear_private_message_and_the_corpus_is_untouched(fake_discord, world, corpus, site):  # noqa: F811
    original = snapshot(corpus)
    pdf = fake_discord.attachment("brochure.pdf", b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    async with running_bot(fake_discord, bot_config(fake_discord, corpus)) as run:
        run.bot.get_cog("CorpusAdmin").fetch_timeout = 0.5  # the hanging page must not make the test wait 15 s
        outcomes = {}
        for name, url in {
            "404": site.url("/missing-page"),
            "hangs": site.url("/hang"),
            "20 MB": site.url("/huge"),
            "links only": site.url("/latest"),
            "pdf link": site.url("/brochure.pdf"),
            "not http": "ftp://127.0.0.1/article.html",
            "nobody listens": f"http://127.0.0.1:{closed_port()}/news",
        }.items():
            _, outcomes[name] = await add(fake_discord, world, {"url": url})
        quick = {
            "pdf upload": {"file": pdf},
            "both": {"url": site.url("/news/renewal"), "file": pdf},
            "neither": {},
        }
        for name, options in quick.items():
            outcomes[name] = await refused_at_once(fake_discord, "add", options, user=world.admin, channel=world.channel)
        still = await ask(fake_discord, world, "is season 2 confirmed?")
        assert run.bot.index.size().articles == 5
    expected = {
        "404": "Not added: http://127.0.0.1:",
        "hangs": "Not added: timeout: ",
        "20 MB": "Not added: too large: ",
        "links only": "Not added: not an article: no main text found",
        "pdf link": "Not added: unsupported type: ",
        "nobody listens": "Not added: unreachable: could not connect to http://127.0.0.1:",
        "not http": "Not added: unsupported link",
        "pdf upload": "Not added: unsupported type: brochure.pdf is .pdf; upload an .html, .htm, .md or .txt file",
        "both": "Give me either a `url` or a `file` to add (exactly one of them).",
        "neither": "Give me either a `url` or a `file` to add (exactly one of them).",
    }
    for name, start in expected.items():
        message = outcomes[name]
        assert message.ephemeral and not message.embeds and pings_nobody(message), name
        assert message.content.startswith(start), (name, message.content)
        assert "\n" not in message.content and "Traceback" not in message.content, name
    assert outcomes["404"].content.endswith("/missing-page answered HTTP 404 Not Found")
    assert "within 0.5 s" in outcomes["hangs"].content
    assert "5,000,000 bytes" in outcomes["20 MB"].content
    assert "application/pdf" in outcomes["pdf link"].content
    assert answered_from(still) is not None
    assert snapshot(corpus) == original


async def test_a_file_the_index_cannot_use_is_taken_out_again(fake_discord, world, corpus):
    # An admin rule cuts every article at an "Advertisement" line: this upload would keep no text at all.
    rules = corpus / "chrome.yaml"
    rules.write_text(rules.read_text(encoding="utf-8").replace("cut_after: []", "cut_after:\n  - '^Advertisement$'"), encoding="utf-8")
    original = snapshot(corpus)
    upload = fake_discord.attachment("advert.txt", b"Advert page\n\nAdvertisement\n\nBuy the box set now.\n")
    async with running_bot(fake_discord, bot_config(fake_discord, corpus)) as run:
        _, result = await add(fake_discord, world, {"file": upload})
        await fake_discord.wait_for(lambda: not run.bot.index.reindexing, what="the reindex after the rollback")
        assert run.bot.index.size().articles == 5
        assert "advert-page.md" not in {a.id for a in run.bot.index.engine.articles}
    assert result.ephemeral and not result.embeds
    assert result.content.startswith("Not added: the index could not use the new file (advert-page.md")
    assert snapshot(corpus) == original


async def test_fans_and_dms_are_refused_before_anything_is_fetched(fake_discord, world, corpus, site):  # noqa: F811
    original = snapshot(corpus)
    url = site.url("/news/renewal")
    async with running_bot(fake_discord, bot_config(fake_discord, corpus)):
        fan = await refused_at_once(fake_discord, "add", {"url": url}, user=world.member, channel=world.channel)
        dm = await refused_at_once(
            fake_discord, "add", {"url": url}, user=world.admin, channel=fake_discord.dm_channel(world.admin)
        )
        fan_remove = await refused_at_once(
            fake_discord, "remove", {"article": "goodto-heartstopper-season-2-and-books.md"},
            user=world.member, channel=world.channel,
        )
        typing = await fake_discord.autocomplete("remove", {"article": "season"}, "article", user=world.member, channel=world.channel)
        fan_choices = await typing.choices()
    synced = {c["name"]: c for c in fake_discord.commands()}
    for command in ("add", "remove"):
        assert int(synced[command]["default_member_permissions"]) == MANAGE_GUILD
        assert synced[command]["contexts"] == [0] and synced[command]["dm_permission"] is False  # servers only
    assert [(o["name"], o["type"], o["required"]) for o in synced["add"]["options"]] == [("url", 3, False), ("file", 11, False)]
    assert synced["remove"]["options"][0]["autocomplete"] is True
    assert fan.ephemeral and "Manage Server" in fan.content
    assert fan_remove.ephemeral and "Manage Server" in fan_remove.content
    assert dm.ephemeral and "only works in a server" in dm.content
    assert fan_choices == []
    assert site.server.hits == []
    assert snapshot(corpus) == original


async def test_add_while_a_reindex_runs_is_refused(fake_discord, world, corpus, site):  # noqa: F811
    async with running_bot(fake_discord, bot_config(fake_discord, corpus)) as run:
        for copy in range(40):  # enough files that the build is still running when /add arrives
            for article in list(corpus.glob("goodto*.md")) + list(corpus.glob("j14*.md")):
                shutil.copy(article, corpus / f"copy{copy}-{article.name}")
        running = run.bot.index.start_reindex()
        busy = await refused_at_once(
            fake_discord, "add", {"url": site.url("/news/renewal")}, user=world.admin, channel=world.channel
        )
        await running
    assert busy.ephemeral and busy.content.startswith("A reindex is already running (started <t:")
    assert not (corpus / RENEWAL_FILE).exists() and site.server.hits == []


async def test_remove_suggests_titles_moves_the_file_aside_and_the_article_stops_answering(fake_discord, world, corpus, site):  # noqa: F811
    original = snapshot(corpus)
    async with running_bot(fake_discord, bot_config(fake_discord, corpus)) as run:
        await add(fake_discord, world, {"url": site.url("/news/renewal")})
        added = await ask(fake_discord, world, LETTER_QUESTION)
        typing = await fake_discord.autocomplete("remove", {"article": "renewed"}, "article", user=world.admin, channel=world.channel)
        narrowed = await typing.choices()
        typing = await fake_discord.autocomplete("remove", {"article": ""}, "article", user=world.admin, channel=world.channel)
        everything = await typing.choices()
        handle = await fake_discord.slash("remove", {"article": narrowed[0]["value"]}, user=world.admin, channel=world.channel)
        removing = (await handle.response()).data["content"]
        result = (await handle.wait_for_reply(lambda r: r.kind == "edit", 15, "the /remove result")).message
        gone = await ask(fake_discord, world, LETTER_QUESTION)
        unknown = await refused_at_once(
            fake_discord, "remove", {"article": "No such article"}, user=world.admin, channel=world.channel
        )
        assert run.bot.index.size().articles == 5
    assert narrowed == [{"name": RENEWAL_TITLE, "value": RENEWAL_FILE}]
    assert len(everything) == 6 and {c["name"] for c in everything} >= {RENEWAL_TITLE}
    assert all(c["value"].endswith(".md") for c in everything)
    assert removing == f"Removing **{RENEWAL_TITLE}**…"
    embed = embed_of(result)
    assert result.ephemeral and embed["title"] == "Article removed"
    assert f"**{RENEWAL_TITLE}** is no longer used for answers" in embed["description"]
    assert f"`.removed/{RENEWAL_FILE}`" in embed["description"]
    assert fields_of(embed)["Index"].startswith("Articles: 6 → 5\n")
    assert answered_from(added) == RENEWAL_TITLE and answered_from(gone) != RENEWAL_TITLE
    assert unknown.ephemeral and unknown.content.startswith("Not removed: no article called “No such article”")
    after = snapshot(corpus)
    kept = after.pop(f".removed/{RENEWAL_FILE}")
    assert kept.startswith(f'---\ntitle: "{RENEWAL_TITLE}"'.encode())
    assert after == original  # everything else exactly as it was


async def test_an_upload_over_the_size_limit_is_refused_without_downloading_it(fake_discord, world, corpus):
    original = snapshot(corpus)
    text = markdown_article(CASTING_TITLE, CASTING_PARAGRAPHS, source="Film Post").encode("utf-8")
    upload = fake_discord.attachment("colman.md", text)
    async with running_bot(fake_discord, bot_config(fake_discord, corpus)) as run:
        run.bot.get_cog("CorpusAdmin").max_bytes = len(text) - 1
        refusal = await refused_at_once(fake_discord, "add", {"file": upload}, user=world.admin, channel=world.channel)
    assert refusal.ephemeral
    assert refusal.content == f"Not added: too large: colman.md is {len(text):,} bytes, over the {len(text) - 1:,} byte limit"
    assert fake_discord.requests_to("GET", "/attachments/*") == []
    assert snapshot(corpus) == original


async def test_removing_the_last_article_puts_it_back_and_keeps_answering(fake_discord, world, corpus):
    for extra in sorted(corpus.glob("*.md"))[1:]:
        extra.unlink()
    (only,) = corpus.glob("*.md")
    original = snapshot(corpus)
    async with running_bot(fake_discord, bot_config(fake_discord, corpus)) as run:
        handle = await fake_discord.slash("remove", {"article": only.name}, user=world.admin, channel=world.channel)
        result = (await handle.wait_for_reply(lambda r: r.kind == "edit", 15, "the /remove result")).message
        assert run.bot.index.size().articles == 1
    assert result.ephemeral and not result.embeds
    assert result.content.startswith("Not removed: the reindex failed (")
    assert result.content.endswith("its file was put back, and the previous index still answers")
    assert snapshot(corpus) == original
