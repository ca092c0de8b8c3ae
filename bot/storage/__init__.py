"""Per-server settings and answer feedback, kept in SQLite.

The Discord face reads settings on every message it might answer, so the
store caches them in memory and only touches the database on change.
"""

from bot.storage.models import Feedback, GuildSettings, SettingDefaults
from bot.storage.store import SettingsStore, StoreError
from bot.storage.schema import SCHEMA_VERSION

__all__ = ["Feedback", "GuildSettings", "SettingDefaults", "SettingsStore", "StoreError", "SCHEMA_VERSION"]
