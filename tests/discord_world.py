"""Shared setup for the end-to-end Discord scenarios (tests/test_discord_*.py).

Each scenario runs the real bot (``FanBot``, unmodified discord.py) against the
loopback ``FakeDiscord``, on a small corpus copied to a temporary folder so
tests can add and break article files.  The bot is pointed at the
fake only through ``Config`` (``DISCORD_API_BASE`` / ``DISCORD_GATEWAY_URL``).
"""

from __future__ import annotations

import shutil
from contextlib import asynccontextmanager
from dataclasses import replace
from pathlib import Path
from typing import Any, AsyncIterator

import pytest

from bot.config import Config
from bot.discord_bot.client import FanBot
from fakediscord import BasicWorld, BotRun, FakeDiscord, SentMessage, basic_world, fake_discord, run_bot

# A frozen copy of the bundled corpus as it was when these scenarios were written: the
# product corpus may grow, and the scenarios' expected answers and counts must not move with it.
SCENARIO_CORPUS = Path(__file__).resolve().parent / "data" / "discord_corpus"

__all__ = [
    "BasicWorld", "BotRun", "FakeDiscord", "SentMessage", "bot_config", "button_id", "button_names", "corpus",
    "embed_of", "fake_discord", "fields_of", "pings_nobody", "running_bot", "world", "write_article",
]


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    """A private, writable copy of the scenario corpus (5 articles plus synonyms/chrome rules)."""
    target = tmp_path / "corpus"
    shutil.copytree(SCENARIO_CORPUS, target)
    return target


@pytest.fixture
async def world(fake_discord: FakeDiscord) -> BasicWorld:
    """One server with #general, an admin (Manage Server), a fan and another bot."""
    return await basic_world(fake_discord)


def bot_config(fake: FakeDiscord, corpus: Path, **changes: Any) -> Config:
    """The config a deployment would have, aimed at the fake; no cooldown unless a test asks for one."""
    base = Config(
        token=fake.token,
        corpus_dir=corpus,
        database_path=corpus.parent / "data" / "bot.sqlite3",
        cache_dir=None,
        api_base=fake.api_base,
        gateway_url=fake.gateway_url,
        ask_cooldown_seconds=0,
    )
    return replace(base, **changes)


@asynccontextmanager
async def running_bot(fake: FakeDiscord, config: Config, **run_options: Any) -> AsyncIterator[BotRun]:
    """Start a FanBot for ``config`` and yield once it is ready; closed (with its database) afterwards."""
    bot = FanBot(config, guild_ready_timeout=0.05)
    async with run_bot(fake, bot, **run_options) as run:
        yield run
    assert bot.is_closed()


def embed_of(message: SentMessage) -> dict[str, Any]:
    """The single embed of an answer message."""
    assert len(message.embeds) == 1, f"expected one embed, got {message.embeds!r} (content {message.content!r})"
    return message.embeds[0]


def fields_of(embed: dict[str, Any]) -> dict[str, str]:
    return {f["name"]: f["value"] for f in embed.get("fields", [])}


def button_id(message: SentMessage, name: str) -> str:
    """The custom_id of the button labelled (or with the emoji) ``name`` on ``message``."""
    found = []
    for row in message.components:
        for item in row.get("components", []):
            if name in (item.get("label"), (item.get("emoji") or {}).get("name")):
                found.append(item["custom_id"])
    assert len(found) == 1, f"expected one {name!r} button, components are {message.components!r}"
    return found[0]


def button_names(message: SentMessage) -> list[str]:
    return [
        item.get("label") or (item.get("emoji") or {}).get("name", "")
        for row in message.components
        for item in row.get("components", [])
    ]


def pings_nobody(message: SentMessage) -> bool:
    """The message went out with mentions disabled: no parse types, no users, no roles, no reply ping."""
    allowed = message.allowed_mentions
    return (
        allowed is not None
        and allowed.get("parse") == []
        and not allowed.get("users")
        and not allowed.get("roles")
        and not allowed.get("replied_user")
    )


def write_article(corpus: Path, name: str, *, title: str, body: str, source: str = "Test Gazette",
                  url: str | None = None, date: str | None = None) -> Path:
    """Add an article file the way an admin would (front matter + text)."""
    def quoted(value: str | None) -> str:
        return "null" if value is None else '"' + value.replace('"', '\\"') + '"'

    path = corpus / name
    path.write_text(
        f"---\ntitle: {quoted(title)}\nsource: {quoted(source)}\nurl: {quoted(url)}\ndate: {date or 'null'}\n---\n{body}\n",
        encoding="utf-8",
    )
    return path
