"""Who may run the admin commands.

Discord hides admin commands from members without Manage Server
(``default_permissions``), but a server can override that in its integration
settings and a DM has no permissions at all, so the bot checks again itself.
Bot owners from config may run them anywhere the bot is.
"""

from __future__ import annotations

import discord
from discord import app_commands


class Refused(app_commands.CheckFailure):
    """A command the user may not run here; ``str()`` is what they are told."""


def require_admin(interaction: discord.Interaction, owner_ids: frozenset[int]) -> bool:
    """True for server managers and bot owners in a server; raises Refused otherwise."""
    if interaction.guild_id is None:
        raise Refused("This command only works in a server, not in direct messages.")
    if interaction.user.id in owner_ids:
        return True
    permissions = interaction.permissions
    if permissions.manage_guild or permissions.administrator:
        return True
    raise Refused("You need the **Manage Server** permission to use this command.")
