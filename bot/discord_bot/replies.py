"""Sending replies the same safe way everywhere.

``NO_PINGS`` goes on every send even though the bot also sets it as its
default: a passage quoting "@everyone" must never ping, and an explicit value
per call survives someone changing the bot's default later.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import aiohttp

import discord

log = logging.getLogger(__name__)

NO_PINGS = discord.AllowedMentions.none()

# A reply Discord has not taken after this long is given up (and logged) rather than holding its task
# for the HTTP client's 5-minute timeout; discord.py's own retries (429, 5xx) happen within it.
SEND_TIMEOUT_SECONDS = 60.0


async def respond(interaction: discord.Interaction, *, ephemeral: bool = False, **kwargs: Any) -> None:
    """Reply to an interaction whether or not it was already answered or deferred."""
    kwargs.setdefault("allowed_mentions", NO_PINGS)
    if interaction.response.is_done():
        await interaction.followup.send(ephemeral=ephemeral, **kwargs)
    else:
        await interaction.response.send_message(ephemeral=ephemeral, **kwargs)


async def reply_to(message: discord.Message, **kwargs: Any) -> discord.Message | None:
    """Answer a chat message as a reply (threaded under it) that pings no one, its author included.

    If the question was deleted meanwhile, the answer still goes to the
    channel rather than failing.  Returns None when Discord refuses the send
    (no permission to write there, an outage): logged, since an event
    listener has nobody to tell.
    """
    kwargs.setdefault("allowed_mentions", NO_PINGS)
    where = f"channel {message.channel.id} of server {message.guild.id if message.guild else 'none (DM)'}"
    try:
        return await asyncio.wait_for(
            message.channel.send(reference=message.to_reference(fail_if_not_exists=False), mention_author=False, **kwargs),
            SEND_TIMEOUT_SECONDS,
        )
    except discord.Forbidden:
        log.warning("No permission to reply to message %s in %s", message.id, where)
    except discord.HTTPException as exc:
        log.error("Could not reply to message %s in %s: %s", message.id, where, exc)
    except asyncio.TimeoutError:
        log.error("Gave up replying to message %s in %s: Discord did not answer within %.0f s",
                  message.id, where, SEND_TIMEOUT_SECONDS)
    except aiohttp.ClientError as exc:  # Discord unreachable (connection refused or reset)
        log.error("Could not reply to message %s in %s: %r", message.id, where, exc)
    return None
