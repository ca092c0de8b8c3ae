"""Making untrusted text safe and small enough for Discord.

Article text and fans' questions are untrusted: they may hold markdown that
would format or hide part of a reply, mentions, or be longer than Discord
accepts (a message over a limit is rejected outright, so the reply would be
lost).  Everything shown passes through here.
"""

from __future__ import annotations

import datetime as dt
import re

import discord

# Discord's limits, in characters (https://discord.com/developers/docs/resources/message#embed-object-embed-limits).
CONTENT_LIMIT = 2000
TITLE_LIMIT = 256
DESCRIPTION_LIMIT = 4096
FIELD_NAME_LIMIT = 256
FIELD_VALUE_LIMIT = 1024
FOOTER_LIMIT = 2048
AUTHOR_LIMIT = 256
MAX_FIELDS = 25
EMBED_TOTAL_LIMIT = 6000  # all embeds of one message together
URL_LIMIT = 2048

ELLIPSIS = "…"


# discord.utils.escape_mentions only breaks ids of 17-20 digits, but Discord renders any ``<@1>`` or
# ``<@&1>`` as a mention; a zero-width space after the "@" breaks every form.
_MENTION = re.compile(r"@(?=everyone|here|[!&]?\d)")


def escape_mentions(text: str) -> str:
    """``text`` with every user, role, @everyone and @here mention broken, so it shows but never pings."""
    return _MENTION.sub("@\u200b", text)


# Links, left unescaped so they stay clickable.  discord.py's own pattern takes
# "<**https://...>" for a link (any characters before the colon) and leaves its
# "**" live; Discord does not, so the scheme here must be a real one.
_LINK = re.compile(r"<[A-Za-z][A-Za-z0-9+.-]*:/[^ >]+>|(?:https?|steam)://[^\s<]+[^<.,:;\"'\]\s]")
# A formatting character or "[" after an even number (0, 2, ...) of backslashes: not escaped.
_BARE = re.compile(r"(?<!\\)((?:\\\\)*)([*_~|`\[])")


def escape_markdown(text: str) -> str:
    """``text`` with every markdown character escaped, links excepted.

    discord.py escapes a masked link ``[a](b)`` by its first bracket only and
    leaves what is inside it live (a ``**``, a second link); the second pass
    escapes whatever formatting character or bracket is still bare.
    """
    escaped = discord.utils.escape_markdown(text)
    parts, last = [], 0
    for link in _LINK.finditer(escaped):
        parts += [_BARE.sub(r"\1\\\2", escaped[last:link.start()]), link.group()]
        last = link.end()
    parts.append(_BARE.sub(r"\1\\\2", escaped[last:]))
    # discord.py escapes a line-start marker that follows a newline by putting the
    # backslash before the newline ("\\\n-# "), which leaves the marker live.
    return _LINE_START.sub(r"\1\\\2", "".join(parts))


# A heading, subtext, quote or list marker at the start of a line (after spaces), not escaped.
_LINE_START = re.compile(r"(?m)^([^\S\n]*)(-#|#{1,3}|>{1,3}|[-*+])(?=\s)")


def ends_in_link(text: str) -> bool:
    """Whether a link runs to the very end of ``text``: whatever is written next would become part of it."""
    return any(link.end() == len(text) for link in _LINK.finditer(text))


def escape(text: str) -> str:
    """Show ``text`` literally: no markdown formatting, no live mentions."""
    return escape_mentions(escape_markdown(text))


def _drop_dangling_escape(text: str) -> str:
    # A cut between a backslash and the character it escapes would make the
    # backslash escape our ellipsis (or bold marker) instead.
    trailing = len(text) - len(text.rstrip("\\"))
    return text[:-1] if trailing % 2 else text


def cut(text: str, limit: int) -> str:
    """``text`` if it fits, else its start cut at a word boundary with an ellipsis, within ``limit``.

    A text without a usable space (one huge word, zalgo) is cut mid-word: a
    reply that arrives beats one Discord rejects.
    """
    if len(text) <= limit:
        return text
    if limit <= len(ELLIPSIS):
        return ELLIPSIS[:max(limit, 0)]
    room = limit - len(ELLIPSIS)
    head = text[:room]
    space = max(head.rfind(" "), head.rfind("\n"))
    if space >= room // 2:
        head = head[:space]
    head = _drop_dangling_escape(head.rstrip())
    return head + ELLIPSIS


def cut_left(text: str, limit: int) -> str:
    """Like :func:`cut` but keeps the end of ``text`` (for context before a highlighted sentence)."""
    if len(text) <= limit:
        return text
    if limit <= len(ELLIPSIS):
        return ELLIPSIS[:max(limit, 0)]
    room = limit - len(ELLIPSIS)
    start = len(text) - room
    tail = text[start:]
    spaces = [i for i in (tail.find(" "), tail.find("\n")) if i >= 0]
    if spaces and min(spaces) <= room // 2:
        start += min(spaces) + 1
    else:
        # Starting just after an escaping backslash would unescape a character.
        run = len(text[:start]) - len(text[:start].rstrip("\\"))
        if run % 2:
            start += 1
    return ELLIPSIS + text[start:].lstrip()


def safe_url(url: str | None) -> str | None:
    """The url if Discord would accept it as an embed link, else None (a bad url fails the whole message)."""
    if not url:
        return None
    url = url.strip()
    if not url.lower().startswith(("http://", "https://")) or len(url) > URL_LIMIT or any(c.isspace() for c in url):
        return None
    return url


def format_date(date: dt.date) -> str:
    """19 May 2022: unambiguous for fans everywhere (no 05/19 vs 19/05)."""
    return f"{date.day} {date.strftime('%B')} {date.year}"


def _plural(n: int, unit: str) -> str:
    return f"{n} {unit}" if n == 1 else f"{n} {unit}s"


def relative_date(date: dt.date, today: dt.date) -> str:
    """How long ago ``date`` was, in the words a person would use ("3 years ago")."""
    days = (today - date).days
    if days == 0:
        return "today"
    if days == 1:
        return "yesterday"
    if days == -1:
        return "tomorrow"
    earlier, later = (date, today) if days > 0 else (today, date)
    months = (later.year - earlier.year) * 12 + later.month - earlier.month - (later.day < earlier.day)
    span = abs(days)
    if months >= 12:
        amount = _plural(months // 12, "year")
    elif months >= 1:
        amount = _plural(months, "month")
    elif span >= 7:
        amount = _plural(span // 7, "week")
    else:
        amount = _plural(span, "day")
    return f"{amount} ago" if days > 0 else f"in {amount}"


def date_line(date: dt.date | None, today: dt.date) -> str:
    """The date as shown under an answer: "19 May 2022 (3 years ago)", or "undated"."""
    if date is None:
        return "undated"
    return f"{format_date(date)} ({relative_date(date, today)})"


def how_sure(confidence: float) -> str:
    """Words for the engine's confidence, so fans need not interpret a bare number."""
    if confidence >= 0.75:
        words = "Confident"
    elif confidence >= 0.5:
        words = "Fairly sure"
    elif confidence >= 0.25:
        words = "Not very sure"
    else:
        words = "A guess"
    return f"{words} ({round(max(0.0, min(confidence, 1.0)) * 100)}% confidence)"
