"""What an admin sees after ``/add`` and ``/remove``, and the ``/remove`` title suggestions.

Pure functions from engine/ingest values to Discord payloads, so the cog stays
about the order of the steps.  Everything taken from an article (titles,
sources, the passage preview, file names) is untrusted web text: escaped and
cut to Discord's limits here.
"""

from __future__ import annotations

from collections import Counter
from typing import TYPE_CHECKING, Sequence

import discord
from discord import app_commands

from bot.discord_bot.text import CONTENT_LIMIT, cut, escape, format_date
from bot.ingest.lookup import folded

if TYPE_CHECKING:
    from bot.discord_bot.holder import ReindexReport
    from bot.engine import Article
    from bot.ingest.pipeline import Added

OK_COLOUR = discord.Colour.green()
SAME_COLOUR = discord.Colour.light_grey()
PREVIEW_LIMIT = 1200  # the first passage: enough to judge the extraction, short enough to read
FIELD_LIMIT = 300  # titles, sources and links are short; a freak one must not crowd the preview
CHOICE_LIMIT = 100  # Discord's limit on an autocomplete choice's name and string value
MAX_CHOICES = 25

_HEADLINES = {"created": "Article added", "updated": "Article updated", "unchanged": "Already up to date"}
_MATCHED = {
    "url": "Recognised by its link as an article I already had: its file was updated in place, not duplicated.",
    "text": "Recognised by its text as an article I already had: its file was updated in place, not duplicated.",
}


def date_text(article: "Article") -> str:
    return format_date(article.date) if article.date else "undated"


def added_embed(added: "Added", report: "ReindexReport | None") -> discord.Embed:
    """The new article as fans will get it: title, source, date, passage count and the first passage.

    ``report`` is None when nothing changed on disk and no reindex was needed.
    """
    article, saved = added.article, added.saved
    embed = discord.Embed(
        title=_HEADLINES.get(saved.action, "Article added"),
        colour=SAME_COLOUR if saved.action == "unchanged" else OK_COLOUR,
    )
    embed.add_field(name="Title", value=cut(escape(article.title), FIELD_LIMIT) or "untitled", inline=False)
    embed.add_field(name="Source", value=cut(escape(article.source), FIELD_LIMIT) or "unknown")
    embed.add_field(name="Date", value=date_text(article))
    embed.add_field(name="Passages", value=str(len(added.passages)))
    embed.add_field(name="File", value=cut(escape(saved.article_id), FIELD_LIMIT))
    embed.add_field(name="Link", value=cut(escape(article.url), FIELD_LIMIT) if article.url else "none", inline=False)
    first = added.passages[0].text if added.passages else ""
    embed.description = "**First passage**\n" + (cut(escape(first), PREVIEW_LIMIT) if first else "(none)")
    notes = []
    if saved.matched_by in _MATCHED and saved.action != "created":
        notes.append(_MATCHED[saved.matched_by])
    if report is not None:
        notes.append(f"Index: {report.articles_after} articles, {report.passages_after} passages.")
        others = [e for e in report.errors if e.path != saved.article_id]
        if others:
            notes.append(f"{len(others)} other file(s) could not be indexed; /reindex lists them.")
    if notes:
        embed.set_footer(text=" ".join(notes))
    return embed


def removed_embed(article: "Article", kept_as: str, report: "ReindexReport") -> discord.Embed:
    """Which article went, where its file is kept, and the index size after."""
    embed = discord.Embed(
        title="Article removed",
        description=(
            f"**{cut(escape(article.title) or 'untitled', FIELD_LIMIT)}** is no longer used for answers.\n"
            f"Its file was moved to `{cut(kept_as.replace('`', ''), FIELD_LIMIT)}` in the articles folder; "
            "move it back and run `/reindex` to restore it."
        ),
        colour=OK_COLOUR,
    )
    embed.add_field(name="Source", value=cut(escape(article.source), FIELD_LIMIT) or "unknown")
    embed.add_field(name="Date", value=date_text(article))
    embed.add_field(
        name="Index",
        value=f"Articles: {report.articles_before} → {report.articles_after}\n"
              f"Passages: {report.passages_before} → {report.passages_after}",
    )
    return embed


def not_found_text(given: str, matches: Sequence["Article"]) -> str:
    """Why /remove cannot tell which article was meant."""
    if matches:
        files = ", ".join(escape(a.id) for a in matches[:5])
        return cut(f"Not removed: {len(matches)} articles are called “{escape(given)}” ({files}); pick one from the list.", CONTENT_LIMIT)
    return cut(f"Not removed: no article called “{escape(given)}”; pick one from the list as you type.", CONTENT_LIMIT)


def failure_text(verb: str, reason: str) -> str:
    """One line saying nothing was changed ("Not added"), and why (the ingest messages are written for admins)."""
    reason = reason.strip()
    if reason.casefold().startswith(verb.casefold() + ":"):  # the pipeline's own "not added: …"
        reason = reason[len(verb) + 1 :].strip()
    return cut(f"{verb}: {escape(reason)}", CONTENT_LIMIT)


def article_choices(articles: Sequence["Article"], typed: str) -> list[app_commands.Choice[str]]:
    """Articles whose title (or file name) contains what the admin typed; titles starting with it first.

    The value is the article id, so the command gets an exact file even when
    two titles are alike; such titles get their file name added to tell them apart.
    """
    needle = folded(typed)
    counts = Counter(folded(a.title) for a in articles)
    ranked = []
    for article in articles:
        if len(article.id) > CHOICE_LIMIT:
            continue  # Discord would refuse the whole list for one over-long value
        title = " ".join(article.title.split())
        key = folded(title)
        if needle and needle not in key and needle not in article.id.casefold():
            continue
        ranked.append((not key.startswith(needle), key, article.id, title))
    ranked.sort()
    choices = []
    for _, key, article_id, title in ranked[:MAX_CHOICES]:
        name = title or article_id
        if title and counts[key] > 1:
            suffix = f" ({article_id})"
            name = cut(title, CHOICE_LIMIT - len(suffix)) + suffix
        choices.append(app_commands.Choice(name=cut(name, CHOICE_LIMIT), value=article_id))
    return choices
