"""Building what fans see: answer embeds, the abstain reply, source lists, help.

Pure functions from engine values to ``discord.Embed`` / strings, so they are
unit-tested without a connection.  Every piece of article or question text is
escaped and cut here (see :mod:`bot.discord_bot.text`).
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Sequence

import discord

from bot.discord_bot.text import (
    AUTHOR_LIMIT,
    CONTENT_LIMIT,
    DESCRIPTION_LIMIT,
    EMBED_TOTAL_LIMIT,
    FIELD_VALUE_LIMIT,
    TITLE_LIMIT,
    cut,
    cut_left,
    date_line,
    ends_in_link,
    escape,
    escape_mentions,
    format_date,
    how_sure,
    safe_url,
)
from bot.engine.models import Answer, Article

ANSWER_COLOUR = discord.Colour.teal()
INFO_COLOUR = discord.Colour.blurple()
ABSTAIN_TEXT = "I couldn't find that in my sources."
SOURCES_PER_PAGE = 10


def _split_on_sentence(text: str, sentence: str) -> tuple[str, str, str]:
    """``text`` as (before, sentence, after); the sentence part is empty when it cannot be found.

    The engine's sentence may differ from the passage in spacing (it was
    re-joined after splitting), so a whitespace-tolerant match is the fallback.
    """
    sentence = sentence.strip()
    if not sentence:
        return text, "", ""
    at = text.find(sentence)
    if at >= 0:
        return text[:at], sentence, text[at + len(sentence):]
    words = sentence.split()
    match = re.search(r"\s+".join(re.escape(w) for w in words), text)
    if match:
        return text[: match.start()], match.group(0), text[match.end():]
    return text, "", ""


def highlighted_passage(text: str, sentence: str, limit: int = DESCRIPTION_LIMIT) -> str:
    """The passage, escaped, with its best sentence in bold, cut to ``limit`` around that sentence."""
    before, best, after = (escape(part) for part in _split_on_sentence(text, sentence))
    if not best:
        return cut(before, limit)
    # A url runs up to the next space: one touching a bold marker would swallow it,
    # so a space goes between them (one character of room is kept for each).
    best = cut(best, limit - 6)
    best += " " if ends_in_link(best) else ""
    bold = f"**{best}**"
    room = limit - len(bold)
    spare = room - 1  # for the space after a url that ends the text before
    keep_before = min(len(before), max(spare - len(after), spare // 2))
    before = cut_left(before, keep_before) if keep_before > 0 else ""
    before += " " if ends_in_link(before) else ""
    after = cut(after, room - len(before)) if room > len(before) else ""
    return f"{before}{bold}{after}"


def answer_embed(
    answer: Answer,
    *,
    today: dt.date | None = None,
    question: str | None = None,
    heading: str | None = None,
    budget: int = EMBED_TOTAL_LIMIT,
) -> discord.Embed:
    """The reply to a question: passage with the best sentence in bold, linked title, source, date, how sure.

    ``budget`` caps the embed's total size: several embeds in one message share
    Discord's 6000-character limit.
    """
    today = today or dt.date.today()
    embed = discord.Embed(
        title=cut(escape(answer.title) or "Untitled article", TITLE_LIMIT),
        url=safe_url(answer.url),
        colour=ANSWER_COLOUR,
    )
    author = heading or (f"Q: {' '.join(question.split())}" if question else "")
    if author:
        # Author names show text raw (no markdown), so mentions are defused but nothing else.
        embed.set_author(name=cut(escape_mentions(author), AUTHOR_LIMIT))
    # Whitespace only counts as empty: Discord refuses a blank field value, and with it the whole reply.
    source = " ".join(answer.source.split())
    embed.add_field(name="Source", value=cut(escape(source), FIELD_VALUE_LIMIT) or "Unknown source")
    embed.add_field(name="Published", value=date_line(answer.date, today))
    embed.set_footer(text=f"How sure: {how_sure(answer.confidence)}")
    # The passage gets whatever room the rest left, so the cut keeps the bold sentence whole.
    room = min(DESCRIPTION_LIMIT, budget - len(embed))
    embed.description = highlighted_passage(answer.text, answer.sentence, max(room, 1))
    return embed


def alternatives_embeds(
    alternatives: Sequence[Answer], *, page: int, per_page: int, today: dt.date | None = None
) -> list[discord.Embed]:
    """One page of "More answers": each passage its own embed with its own source and date."""
    chosen = alternatives[page * per_page : (page + 1) * per_page]
    total = len(alternatives)
    budget = EMBED_TOTAL_LIMIT // max(len(chosen), 1)
    return [
        answer_embed(alt, today=today, heading=f"Answer {page * per_page + i + 2} of {total + 1}", budget=budget)
        for i, alt in enumerate(chosen)
    ]


def abstain_text(question: str | None = None) -> str:
    """The reply when the engine has no good passage: honest, short, and pointing at /sources."""
    tail = " Try other words, or see what I know with `/sources`."
    if not question:
        return ABSTAIN_TEXT + tail
    shown = " ".join(question.split())
    room = CONTENT_LIMIT - len(ABSTAIN_TEXT) - len(tail) - len(" (You asked: “”)")
    return f"{ABSTAIN_TEXT} (You asked: “{cut(escape(shown), room)}”){tail}"


def question_problem_text(problem: str) -> str:
    """The engine's QuestionError message (already written for the asker), within Discord's limit."""
    return cut(problem, CONTENT_LIMIT)


def cooldown_text(retry_at: dt.datetime, seconds_left: float) -> str:
    """A polite wait message; Discord renders <t:…:R> as a live "in 5 seconds" in each reader's clock."""
    stamp = int(retry_at.timestamp())
    secs = max(1, round(seconds_left))
    return f"You're asking quickly — please try again in {secs} second{'s' if secs != 1 else ''} (<t:{stamp}:R>)."


def sources_embed(articles: Sequence[Article], *, page: int, today: dt.date | None = None) -> discord.Embed:
    """One page of the indexed articles: title (linked), source, date."""
    today = today or dt.date.today()
    pages = max(1, -(-len(articles) // SOURCES_PER_PAGE))
    page = min(max(page, 0), pages - 1)
    chosen = articles[page * SOURCES_PER_PAGE : (page + 1) * SOURCES_PER_PAGE]
    room = DESCRIPTION_LIMIT // SOURCES_PER_PAGE - 2
    lines = []
    for number, article in enumerate(chosen, start=page * SOURCES_PER_PAGE + 1):
        title = cut(escape(article.title) or "Untitled article", 150)
        # A ")" would end the markdown link early and let the rest of the url format the line;
        # percent-encoded, the parentheses still lead to the same address.
        url = (safe_url(article.url) or "").replace("(", "%28").replace(")", "%29")
        # Brackets in a title could close the link text early and make the rest a link of its own.
        linkable = url and len(url) < 300 and not any(c in article.title for c in "[]")
        shown = f"[{title}]({url})" if linkable else f"**{title}**"
        when = format_date(article.date) if article.date else "undated"
        source = escape(article.source) or "unknown source"
        lines.append(cut(f"{number}. {shown} — {source}, {when}", room))
    embed = discord.Embed(
        title=f"Indexed articles ({len(articles)})",
        description="\n".join(lines) or "No articles are indexed yet. An admin can add files to the corpus and run `/reindex`.",
        colour=INFO_COLOUR,
    )
    embed.set_footer(text=f"Page {page + 1} of {pages}")
    return embed


def sources_page_count(articles: Sequence[Article]) -> int:
    return max(1, -(-len(articles) // SOURCES_PER_PAGE))


def help_embed(articles: int, passages: int) -> discord.Embed:
    """How to ask, and how much the bot knows."""
    embed = discord.Embed(
        title="How to ask me",
        description=(
            "Ask a question about the show and I'll answer from the news articles I have, "
            "quoting the passage and its source.\n\n"
            "• `/ask question:` — ask anywhere; add `private: True` so only you see the answer.\n"
            "• Mention me with a question, like `@me is season 2 confirmed?`.\n"
            "• In channels an admin chose, I answer questions on my own when I'm confident.\n"
            "• `/sources` — the articles I know.\n\n"
            "Under an answer, **More answers** shows the next passages, and 👍/👎 tell us if it helped.\n"
            "When I can't find something, I say so instead of guessing."
        ),
        colour=INFO_COLOUR,
    )
    embed.add_field(name="Articles", value=str(articles))
    embed.add_field(name="Passages", value=str(passages))
    return embed
