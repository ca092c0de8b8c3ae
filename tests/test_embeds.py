"""The answer embed as a fan sees it: limits, escaping, dates, and the abstain reply."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.discord_bot.embeds import (
    abstain_text,
    alternatives_embeds,
    answer_embed,
    cooldown_text,
    help_embed,
    highlighted_passage,
    sources_embed,
)
from bot.discord_bot.text import (
    CONTENT_LIMIT,
    DESCRIPTION_LIMIT,
    ELLIPSIS,
    EMBED_TOTAL_LIMIT,
    TITLE_LIMIT,
    cut,
    cut_left,
    relative_date,
)
from bot.discord_bot.holder import IndexSize, ReindexReport
from bot.discord_bot.reports import bounded_lines, reindex_failed_embed, reindex_report_embed, settings_embed
from bot.engine import CorpusDiff, LoadError
from bot.engine.models import Answer, Article
from bot.storage import GuildSettings

TODAY = dt.date(2026, 11, 25)


def make_answer(**changes) -> Answer:
    values = dict(
        text="Netflix renewed the show. Season 2 was confirmed in May 2022. Filming began in autumn.",
        sentence="Season 2 was confirmed in May 2022.",
        title="Heartstopper season 2: everything we know",
        source="Radio Times",
        url="https://www.radiotimes.com/heartstopper-season-2",
        date=dt.date(2022, 5, 19),
        score=7.5,
        article="radio-times-season-2.md",
        passage_id=3,
        confidence=0.82,
    )
    values.update(changes)
    return Answer(**values)


def test_answer_embed_shows_passage_with_bold_sentence_linked_title_source_date_and_how_sure():
    embed = answer_embed(make_answer(), today=TODAY)
    assert embed.title == "Heartstopper season 2: everything we know"
    assert embed.url == "https://www.radiotimes.com/heartstopper-season-2"
    assert embed.description == (
        "Netflix renewed the show. **Season 2 was confirmed in May 2022.** Filming began in autumn."
    )
    fields = {f.name: f.value for f in embed.fields}
    assert fields == {"Source": "Radio Times", "Published": "19 May 2022 (4 years ago)"}
    assert embed.footer.text == "How sure: Confident (82% confidence)"


def test_undated_article_without_source_or_url_says_so():
    embed = answer_embed(make_answer(date=None, source="", url=None), today=TODAY)
    fields = {f.name: f.value for f in embed.fields}
    assert fields == {"Source": "Unknown source", "Published": "undated"}
    assert embed.url is None


@pytest.mark.parametrize("url", ["javascript:alert(1)", "ftp://x.org/a", "https://a b.com", "www.example.com"])
def test_urls_discord_would_reject_are_left_out(url):
    assert answer_embed(make_answer(url=url), today=TODAY).url is None


def test_markdown_and_mentions_in_an_article_cannot_format_or_ping():
    text = "# Big news\n**@everyone** look at <@123456789012345678> and ||spoiler|| [click](https://evil.example)."
    embed = answer_embed(make_answer(text=text, sentence="nothing matches", title="*Title* @here"), today=TODAY)
    assert "**" not in embed.description.replace("\\*\\*", "")
    assert "\\|\\|spoiler\\|\\|" in embed.description
    assert "@\u200beveryone" in embed.description
    assert "<@\u200b123456789012345678>" in embed.description
    assert "\\[click]" in embed.description  # a masked link would hide where it points
    assert "\\#" in embed.description  # a heading would shout
    assert embed.title == "\\*Title\\* @\u200bhere"


def test_the_question_is_shown_raw_but_without_live_mentions():
    embed = answer_embed(make_answer(), today=TODAY, question="is  @everyone\nhere?")
    assert embed.author.name == "Q: is @\u200beveryone here?"


def test_long_passage_is_cut_around_the_best_sentence_at_a_word_boundary():
    before = "word " * 2000
    after = " tail" * 2000
    sentence = "The cast returned for season three."
    embed = answer_embed(make_answer(text=before + sentence + after, sentence=sentence), today=TODAY)
    description = embed.description
    assert len(description) <= DESCRIPTION_LIMIT
    assert f"**{sentence}**" in description
    assert description.startswith(ELLIPSIS) and description.endswith(ELLIPSIS)
    assert "wor…" not in description and "ta…" not in description  # whole words only
    assert len(embed) <= EMBED_TOTAL_LIMIT


def test_long_title_is_cut_to_the_limit():
    embed = answer_embed(make_answer(title="Heartstopper " * 40), today=TODAY)
    assert len(embed.title) <= TITLE_LIMIT and embed.title.endswith("Heartstopper" + ELLIPSIS)


def test_sentence_found_despite_different_spacing():
    text = "First part.\nSeason 2   was confirmed.\nLast part."
    assert highlighted_passage(text, "Season 2 was confirmed.") == (
        "First part.\n**Season 2   was confirmed.**\nLast part."
    )


@settings(max_examples=200, deadline=None)
@given(
    text=st.text(alphabet=st.sampled_from(list("ab *_`|~>#-@\\\n\u0301")), max_size=6000),
    limit=st.integers(min_value=20, max_value=4096),
)
def test_highlighted_passage_never_exceeds_its_limit_or_leaves_a_dangling_escape(text, limit):
    sentence = text[len(text) // 3 : len(text) // 2]
    shown = highlighted_passage(text, sentence, limit)
    assert len(shown) <= limit
    # The only live markdown is our own bold pair around the sentence, kept whole by every cut.
    live = re.sub(r"\\.", "", shown, flags=re.DOTALL)
    assert live.count("**") in (0, 2) and not set(live.replace("**", "")) & set("*_`~|")
    assert not shown.endswith("\\" + ELLIPSIS) or shown.endswith("\\\\" + ELLIPSIS)


def test_cut_helpers():
    assert cut("short", 10) == "short"
    assert cut("one two three four", 12) == "one two" + ELLIPSIS
    assert cut("x" * 50, 10) == "x" * 9 + ELLIPSIS  # no space: cut mid-word rather than fail
    assert cut_left("one two three four", 12) == ELLIPSIS + "three four"
    assert cut("ab\\*cd", 4) == "ab" + ELLIPSIS  # never ends with a lone escaping backslash


@pytest.mark.parametrize(
    "date, expected",
    [
        (TODAY, "today"),
        (TODAY - dt.timedelta(days=1), "yesterday"),
        (TODAY - dt.timedelta(days=3), "3 days ago"),
        (TODAY - dt.timedelta(days=14), "2 weeks ago"),
        (dt.date(2026, 9, 25), "2 months ago"),
        (dt.date(2025, 11, 26), "11 months ago"),
        (dt.date(2025, 11, 25), "1 year ago"),
        (dt.date(2022, 5, 19), "4 years ago"),
        (TODAY + dt.timedelta(days=10), "in 1 week"),
    ],
)
def test_relative_dates_read_like_a_person_would_say_them(date, expected):
    assert relative_date(date, TODAY) == expected


def test_abstain_points_to_sources_and_cuts_a_huge_question():
    assert abstain_text() == "I couldn't find that in my sources. Try other words, or see what I know with `/sources`."
    reply = abstain_text("why " * 1000 + "@everyone")
    assert len(reply) <= CONTENT_LIMIT
    assert reply.startswith("I couldn't find that in my sources.") and "`/sources`" in reply
    assert "@everyone" not in reply


def test_more_answers_page_shares_the_message_limit():
    alternatives = [make_answer(text="long words " * 1000, sentence="", passage_id=i) for i in range(5)]
    page = alternatives_embeds(alternatives, page=0, per_page=3, today=TODAY)
    assert [e.author.name for e in page] == ["Answer 2 of 6", "Answer 3 of 6", "Answer 4 of 6"]
    assert sum(len(e) for e in page) <= EMBED_TOTAL_LIMIT
    last = alternatives_embeds(alternatives, page=1, per_page=3, today=TODAY)
    assert [e.author.name for e in last] == ["Answer 5 of 6", "Answer 6 of 6"]


def test_sources_page_lists_title_source_and_date():
    articles = [
        Article(
            id=f"a{i}.md", path=None, title=f"Title {i}", source="BBC" if i % 2 else "", url=None,
            date=dt.date(2023, 1, i + 1) if i % 3 else None, body="", checksum="",
        )
        for i in range(12)
    ]
    first = sources_embed(articles, page=0, today=TODAY)
    assert first.title == "Indexed articles (12)"
    assert first.footer.text == "Page 1 of 2"
    lines = first.description.splitlines()
    assert lines[0] == "1. **Title 0** — unknown source, undated"
    assert lines[1] == "2. **Title 1** — BBC, 2 January 2023"
    second = sources_embed(articles, page=5, today=TODAY)  # past the end: the last page
    assert second.footer.text == "Page 2 of 2" and len(second.description.splitlines()) == 2


def test_help_counts_articles_and_passages():
    embed = help_embed(12, 340)
    assert {f.name: f.value for f in embed.fields} == {"Articles": "12", "Passages": "340"}
    assert "/ask" in embed.description


def test_cooldown_message_says_when_to_retry():
    at = dt.datetime(2026, 11, 25, 20, 0, 7, tzinfo=dt.timezone.utc)
    assert cooldown_text(at, 6.6) == (
        f"You're asking quickly — please try again in 7 seconds (<t:{int(at.timestamp())}:R>)."
    )


# -- admin reports ---------------------------------------------------------------------------

def make_report(errors=(), added=(), removed=(), changed=()) -> ReindexReport:
    return ReindexReport(
        articles_before=5, passages_before=44, articles_after=6, passages_after=50,
        diff=CorpusDiff(tuple(added), tuple(removed), tuple(changed)), errors=tuple(errors), seconds=0.25,
    )


def test_reindex_report_counts_changes_and_escapes_file_names():
    embed = reindex_report_embed(make_report(added=["new_article.md"], changed=["a.md", "b.md"]))
    assert embed.title == "Reindex finished"
    assert embed.description == "Articles: 5 → 6\nPassages: 44 → 50\nTook 0.2 s."
    assert {f.name: f.value for f in embed.fields} == {
        "Added (1)": "new\\_article.md", "Removed (0)": "none", "Changed (2)": "a.md\nb.md",
    }


def test_reindex_report_with_thousands_of_failures_stays_within_discord_limits():
    errors = [LoadError(f"folder/file_{i}.md", i, "front matter is not valid YAML " + "x" * 50) for i in range(3000)]
    added = [f"added_{i}.md" for i in range(3000)]
    embed = reindex_report_embed(make_report(errors=errors, added=added))
    assert embed.title == "Reindex finished with problems"
    assert len(embed.description) <= DESCRIPTION_LIMIT and len(embed) <= EMBED_TOTAL_LIMIT
    assert "**Files that failed (3000)**" in embed.description
    assert "• folder/file\\_1.md:1: front matter is not valid YAML" in embed.description
    assert embed.description.splitlines()[-1].startswith("… and ") and embed.description.endswith("more (see the bot's log)")
    added_field = embed.fields[0]
    assert added_field.name == "Added (3000)" and len(added_field.value) <= 1024
    assert added_field.value.endswith("more (see the bot's log)")


def test_bounded_lines_counts_what_it_left_out():
    lines = [f"line {i}" for i in range(10)]
    assert bounded_lines(lines, 1000) == "\n".join(lines)
    shown = bounded_lines(lines, 60)
    kept = shown.splitlines()[:-1]
    assert len(shown) <= 60
    assert shown.splitlines()[-1] == f"… and {10 - len(kept)} more (see the bot's log)"
    assert bounded_lines([], 10) == "none"
    assert len(bounded_lines(["y" * 5000], 1024)) <= 1024  # one absurd line is cut, not dropped
    assert bounded_lines(["y" * 5000], 1024).startswith("yyy")


def test_failed_reindex_says_why_and_what_still_serves():
    embed = reindex_failed_embed(ValueError("no article could be indexed from corpus: *empty*"), IndexSize(5, 44))
    assert embed.title == "Reindex failed"
    assert embed.description == (
        "no article could be indexed from corpus: \\*empty\\*\n\n"
        "Still answering from the previous index: 5 articles, 44 passages."
    )


def test_settings_embed_shows_each_setting_and_how_to_change_it():
    embed = settings_embed(GuildSettings(guild_id=1, auto_channels=frozenset({20, 10}), answer_mentions=False,
                                         confidence_bar=0.8, cooldown_seconds=15), note="Saved.")
    assert embed.description == "Saved."
    assert {f.name: f.value for f in embed.fields} == {
        "Auto-answer channels": "<#10> <#20>\n`/settings autoanswer`",
        "Answer mentions": "off\n`/settings mentions`",
        "Confidence bar for unasked answers": "0.80\n`/settings confidence`",
        "Cooldown per fan": "15 s\n`/settings cooldown`",
    }
