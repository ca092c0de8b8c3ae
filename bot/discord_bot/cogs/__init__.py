"""One cog per feature, each a discord.py extension loaded by ``FanBot.setup_hook``."""
