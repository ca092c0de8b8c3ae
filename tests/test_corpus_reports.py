"""The /add report and /remove suggestions stay within Discord's limits whatever a web page's title holds."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from bot.discord_bot.corpus_reports import article_choices, failure_text, not_found_text
from bot.ingest.lookup import matching_articles
from bot.discord_bot.text import CONTENT_LIMIT
from bot.engine.models import Article


def article(article_id: str, title: str, date: dt.date | None = None) -> Article:
    return Article(
        id=article_id, path=Path(article_id), title=title, source="", url=None, date=date, body="Text.", checksum="x"
    )


def test_choices_match_title_or_file_name_and_put_title_starts_first():
    articles = [
        article("b.md", "The cast of Heartstopper season 2"),
        article("a.md", "Season 2 release date"),
        article("season-notes.md", "Filming notes"),
        article("c.md", "Music of the show"),
    ]
    choices = article_choices(articles, "  SEASON ")
    assert [(c.name, c.value) for c in choices] == [
        ("Season 2 release date", "a.md"),
        ("Filming notes", "season-notes.md"),
        ("The cast of Heartstopper season 2", "b.md"),
    ]
    assert len(article_choices(articles, "")) == 4


def test_choices_respect_discord_limits_and_tell_equal_titles_apart():
    long_title = "Heartstopper " * 20
    articles = [article(f"a{n:02}.md", f"Article {n:02}") for n in range(40)]
    articles += [article("x.md", long_title), article("y.md", long_title), article("z" * 120 + ".md", "Too long a file name")]
    everything = article_choices(articles, "")
    assert len(everything) == 25
    assert all(len(c.name) <= 100 and len(c.value) <= 100 for c in everything)
    twins = article_choices(articles, "heartstopper")
    assert [c.value for c in twins] == ["x.md", "y.md"]
    assert twins[0].name.endswith("… (x.md)") and twins[1].name.endswith("… (y.md)") and len(twins[0].name) <= 100
    assert article_choices(articles, "too long") == []  # its value would make Discord refuse the list


def test_an_article_is_named_by_id_file_name_or_exact_title_and_twins_are_not_guessed():
    articles = [article("news/renewal.md", "Renewed for two seasons"), article("cast.md", "The cast"), article("cast-2.md", "The cast")]
    assert [a.id for a in matching_articles(articles, "news/renewal.md")] == ["news/renewal.md"]
    assert [a.id for a in matching_articles(articles, "NEWS/RENEWAL")] == ["news/renewal.md"]
    assert [a.id for a in matching_articles(articles, " renewed  for two SEASONS ")] == ["news/renewal.md"]
    assert [a.id for a in matching_articles(articles, "cast.md")] == ["cast.md"]
    twins = matching_articles(articles, "the cast")
    assert not_found_text("The cast", twins) == "Not removed: 2 articles are called “The cast” (cast.md, cast-2.md); pick one from the list."
    assert not_found_text("nothing_like_it", matching_articles(articles, "nothing_like_it")) == (
        "Not removed: no article called “nothing\\_like\\_it”; pick one from the list as you type."
    )


def test_failure_text_is_one_escaped_line_within_the_limit():
    assert failure_text("Not added", "not added: the index could not use x_y.md") == "Not added: the index could not use x\\_y.md"
    long = failure_text("Not removed", "@everyone " + "word " * 1000)
    assert long.startswith("Not removed: @\u200beveryone") and len(long) <= CONTENT_LIMIT and long.endswith("…")
