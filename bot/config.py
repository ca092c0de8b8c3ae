"""Configuration, read once from the environment (and ``.env`` for local runs).

Every variable is listed with a comment in ``.env.example``.  The object is
passed down; nothing deeper in the code reads ``os.environ``.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Mapping

DEFAULT_API_BASE = "https://discord.com/api/v10"
DEFAULT_GATEWAY_URL = "wss://gateway.discord.gg/"


class ConfigError(ValueError):
    """A configuration value that cannot be used; the message names the variable."""


def _int_set(name: str, raw: str) -> frozenset[int]:
    ids: set[int] = set()
    for part in raw.replace(";", ",").split(","):
        part = part.strip()
        if not part:
            continue
        if not part.isdigit():
            raise ConfigError(f"{name} must be a comma-separated list of Discord user ids, got {part!r}")
        ids.add(int(part))
    return frozenset(ids)


def _bool(name: str, raw: str) -> bool:
    value = raw.strip().lower()
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"0", "false", "no", "off"}:
        return False
    raise ConfigError(f"{name} must be on or off (1/0, true/false, yes/no), got {raw!r}")


def _number(name: str, raw: str, low: float, high: float, kind: type = float) -> float:
    try:
        value = kind(raw.strip())
    except ValueError:
        raise ConfigError(f"{name} must be a number between {low:g} and {high:g}, got {raw!r}") from None
    if not low <= value <= high:
        raise ConfigError(f"{name} must be between {low:g} and {high:g}, got {raw!r}")
    return value


def _optional_int(name: str, raw: str) -> int | None:
    raw = raw.strip()
    if not raw:
        return None
    if not raw.isdigit():
        raise ConfigError(f"{name} must be a number (a Discord id), got {raw!r}")
    return int(raw)


@dataclass(frozen=True)
class Config:
    token: str = field(default="", repr=False)  # never shown in repr, so never logged by accident
    corpus_dir: Path = Path("corpus")
    database_path: Path = Path("data/bot.sqlite3")
    cache_dir: Path | None = Path(".cache/index")
    owner_ids: frozenset[int] = frozenset()
    dev_guild_id: int | None = None
    log_level: str = "INFO"
    api_base: str = DEFAULT_API_BASE
    gateway_url: str = DEFAULT_GATEWAY_URL
    # Discord face defaults; each server can change the last two with /settings.
    message_content_intent: bool = True
    auto_answer_confidence: float = 0.75
    ask_cooldown_seconds: int = 10

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None, *, dotenv: bool = True) -> "Config":
        """Build the config from ``env`` (default: the process environment plus ``.env``)."""
        if env is None:
            if dotenv:
                try:
                    from dotenv import load_dotenv
                except ImportError:  # pragma: no cover - dotenv is a declared dependency
                    pass
                else:
                    load_dotenv(override=False)
            env = os.environ
        cache = env.get("INDEX_CACHE_DIR", ".cache/index").strip()
        level = env.get("LOG_LEVEL", "INFO").strip().upper() or "INFO"
        if level not in {"DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"}:
            raise ConfigError(f"LOG_LEVEL must be one of DEBUG, INFO, WARNING, ERROR, CRITICAL, got {level!r}")
        return cls(
            token=env.get("DISCORD_TOKEN", "").strip(),
            corpus_dir=Path(env.get("CORPUS_DIR", "corpus").strip() or "corpus"),
            database_path=Path(env.get("DATABASE_PATH", "data/bot.sqlite3").strip() or "data/bot.sqlite3"),
            cache_dir=None if cache.lower() in {"", "off", "none"} else Path(cache),
            owner_ids=_int_set("OWNER_IDS", env.get("OWNER_IDS", "")),
            dev_guild_id=_optional_int("DEV_GUILD_ID", env.get("DEV_GUILD_ID", "")),
            log_level=level,
            api_base=env.get("DISCORD_API_BASE", DEFAULT_API_BASE).strip().rstrip("/") or DEFAULT_API_BASE,
            gateway_url=env.get("DISCORD_GATEWAY_URL", DEFAULT_GATEWAY_URL).strip() or DEFAULT_GATEWAY_URL,
            message_content_intent=_bool("MESSAGE_CONTENT_INTENT", env.get("MESSAGE_CONTENT_INTENT", "on")),
            auto_answer_confidence=_number("AUTO_ANSWER_CONFIDENCE", env.get("AUTO_ANSWER_CONFIDENCE", "0.75"), 0, 1),
            ask_cooldown_seconds=int(_number("ASK_COOLDOWN_SECONDS", env.get("ASK_COOLDOWN_SECONDS", "10"), 0, 3600, int)),
        )
