"""The Discord face: a ``commands.Bot`` subclass, one cog per feature, embeds and button views.

Only this package imports discord.py; ``bot.discord_bot.run.run(config)`` is
the entry point the command line's ``run`` subcommand calls.
"""
