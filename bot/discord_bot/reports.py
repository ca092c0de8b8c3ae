"""What admins see: the reindex report and the server's settings."""

from __future__ import annotations

from typing import Sequence

import discord

from bot.discord_bot.holder import IndexSize, ReindexReport
from bot.discord_bot.text import DESCRIPTION_LIMIT, FIELD_VALUE_LIMIT, cut, escape
from bot.storage import GuildSettings

OK_COLOUR = discord.Colour.green()
WARN_COLOUR = discord.Colour.orange()
FAIL_COLOUR = discord.Colour.red()


MAX_LINE = 400  # one absurd error message must not crowd out the others


def _more(count: int) -> str:
    return f"… and {count} more (see the bot's log)"


def bounded_lines(lines: Sequence[str], limit: int, empty: str = "none") -> str:
    """Join as many lines as fit in ``limit`` (each cut to a sane length), then say how many were left out."""
    if not lines:
        return empty
    reserve = len(_more(len(lines))) + 1
    shown: list[str] = []
    used = 0
    for number, line in enumerate(lines):
        left = len(lines) - number
        room = limit - used - (0 if left == 1 else reserve)
        if room < min(len(line), 40):
            shown.append(_more(left))
            break
        line = cut(line, min(room, MAX_LINE))
        shown.append(line)
        used += len(line) + 1
    return "\n".join(shown)


def reindex_report_embed(report: ReindexReport) -> discord.Embed:
    """Before -> after counts, what changed, and every file that failed (as many as Discord allows)."""
    counts = (
        f"Articles: {report.articles_before} → {report.articles_after}\n"
        f"Passages: {report.passages_before} → {report.passages_after}\n"
        f"Took {report.seconds:.1f} s."
    )
    failed = [f"• {escape(str(error))}" for error in report.errors]
    description = counts
    if failed:
        header = f"\n\n**Files that failed ({len(failed)})** — fix them and run `/reindex` again:\n"
        description += header + bounded_lines(failed, DESCRIPTION_LIMIT - len(description) - len(header))
    embed = discord.Embed(
        title="Reindex finished" + (" with problems" if failed else ""),
        description=description,
        colour=WARN_COLOUR if failed else OK_COLOUR,
    )
    for name, ids in (("Added", report.diff.added), ("Removed", report.diff.removed), ("Changed", report.diff.changed)):
        embed.add_field(
            name=f"{name} ({len(ids)})",
            value=bounded_lines([escape(i) for i in ids], FIELD_VALUE_LIMIT),
            inline=False,
        )
    return embed


def reindex_failed_embed(error: BaseException, serving: IndexSize) -> discord.Embed:
    """A build that raised: say why, and that the old index still answers."""
    return discord.Embed(
        title="Reindex failed",
        description=cut(
            f"{escape(str(error) or type(error).__name__)}\n\n"
            f"Still answering from the previous index: {serving.articles} articles, {serving.passages} passages.",
            DESCRIPTION_LIMIT,
        ),
        colour=FAIL_COLOUR,
    )


def settings_embed(settings: GuildSettings, *, note: str | None = None) -> discord.Embed:
    """This server's settings, with the command that changes each."""
    channels = " ".join(f"<#{c}>" for c in sorted(settings.auto_channels)) or "none"
    embed = discord.Embed(title="Settings for this server", description=note, colour=discord.Colour.blurple())
    embed.add_field(name="Auto-answer channels", value=cut(channels, FIELD_VALUE_LIMIT) + "\n`/settings autoanswer`", inline=False)
    embed.add_field(name="Answer mentions", value=("on" if settings.answer_mentions else "off") + "\n`/settings mentions`")
    embed.add_field(
        name="Confidence bar for unasked answers", value=f"{settings.confidence_bar:.2f}\n`/settings confidence`"
    )
    embed.add_field(
        name="Cooldown per fan", value=f"{settings.cooldown_seconds} s\n`/settings cooldown`"
    )
    return embed
