"""Shared pieces of the reliability and security suites (tests/test_reliability_*.py, tests/test_security_*.py).

The suites have to *say* what they tried (issue 5): each test fills a
:class:`SuiteReport` with its figures, and the ``suite_report`` fixture prints
one line per test (with capture disabled, so it shows in a plain ``pytest``
run too) and records the figures as JUnit properties (``record_property``).

Also here: a bigger corpus made by perturbing the scenario articles, a clock
that notes when each question's reply reached the fake Discord, and a bot
subclass that skips discord.py's 5 s pause before a re-IDENTIFY.
"""

from __future__ import annotations

import asyncio
import logging
import os
import random
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterator

import pytest
import yaml

from bot.discord_bot.client import FanBot
from discord_world import SCENARIO_CORPUS
from fakediscord import FakeDiscord, SentMessage

COOLDOWN_TEXT = "You're asking quickly"
SERVER_ERROR_TEXT = "Something went wrong"


# -- printing what a suite tried ------------------------------------------------------------------


@dataclass
class SuiteReport:
    """Figures one test wants to show (``name=value`` pairs, in insertion order)."""

    suite: str
    figures: dict[str, Any] = field(default_factory=dict)

    def add(self, **figures: Any) -> None:
        self.figures.update(figures)

    def count(self, name: str, step: int = 1) -> None:
        self.figures[name] = self.figures.get(name, 0) + step

    def line(self) -> str:
        shown = " ".join(f"{k}={_fmt(v)}" for k, v in self.figures.items())
        return f"[{self.suite}] {shown}"


def _fmt(value: Any) -> str:
    return f"{value:.3f}" if isinstance(value, float) else str(value)


@pytest.fixture
def suite_report(request: pytest.FixtureRequest, record_property: Callable[[str, Any], None]) -> Iterator[SuiteReport]:
    """A report named after the test; printed and recorded when the test ends (even if it failed)."""
    report = SuiteReport(request.node.name.removeprefix("test_"))
    yield report
    for name, value in report.figures.items():
        record_property(name, value)
    capture = request.config.pluginmanager.getplugin("capturemanager")
    if capture is not None:
        with capture.global_and_fixture_disabled():
            print("\n" + report.line(), flush=True)
    else:  # pragma: no cover - capture disabled (-p no:capture)
        print("\n" + report.line(), flush=True)


def percentile(values: list[float], pct: float) -> float:
    """Nearest-rank percentile (no interpolation: the figure is a time some reply really took)."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    rank = max(1, min(len(ordered), round(pct / 100 * len(ordered) + 0.5)))
    return ordered[rank - 1]


# -- a bigger corpus --------------------------------------------------------------------------------


def perturbed_corpus(target: Path, copies: int, *, seed: int = 5, source: Path = SCENARIO_CORPUS) -> Path:
    """``copies`` editions of every scenario article in ``target``: new titles, paragraphs reshuffled.

    Titles end in "(edition N)", so a reply tells which corpus (old or new)
    it came from; the text stays on topic, so the same questions find answers.
    The engine config files (synonyms, chrome rules) are copied as they are.
    """
    rng = random.Random(seed)
    target.mkdir(parents=True, exist_ok=True)
    for extra in ("synonyms.yaml", "chrome.yaml"):
        if (source / extra).exists():
            (target / extra).write_bytes((source / extra).read_bytes())
    for path in sorted(source.glob("*.md")):
        _, front, body = path.read_text(encoding="utf-8").split("---\n", 2)
        meta = yaml.safe_load(front)
        paragraphs = [p for p in body.split("\n\n") if p.strip()]
        for number in range(1, copies + 1):
            rest = paragraphs[1:]
            rng.shuffle(rest)
            header = {"title": f"{meta['title']} (edition {number})", "source": meta.get("source") or "",
                      "url": meta.get("url"), "date": meta.get("date")}
            text = "---\n" + yaml.safe_dump(header, allow_unicode=True) + "---\n" + "\n\n".join(paragraphs[:1] + rest)
            (target / f"{path.stem}-edition-{number:03}.md").write_text(text + "\n", encoding="utf-8")
    return target


# -- when did each reply arrive? --------------------------------------------------------------------


@dataclass
class Question:
    """One question a test sent, and what came back for it."""

    key: str  # "slash:<interaction id>" or "mention:<message id>"
    user_id: int
    sent_at: float
    replies: list[SentMessage] = field(default_factory=list)
    first_reply_at: float | None = None
    probe: Any = None  # what ReplyClock's probe said when the first reply arrived


class ReplyClock:
    """Matches the bot's messages to the questions they answer, noting the time each first reply arrived.

    ``observe`` is cheap and incremental: it is the check handed to
    ``FakeDiscord.wait_for``, which runs it on every change at the fake, so
    arrival times are accurate to one event-loop turn.
    """

    def __init__(self, fake: FakeDiscord, probe: Callable[[], Any] = lambda: None) -> None:
        self.fake = fake
        self.probe = probe  # sampled when a first reply arrives (e.g. "is a reindex running?")
        self.questions: dict[str, Question] = {}
        self._seen = 0
        self._pending_edits: list[SentMessage] = []  # deferred "thinking…" placeholders not edited yet

    def sent_slash(self, interaction_id: int, user_id: int) -> None:
        self.questions[f"slash:{interaction_id}"] = Question(f"slash:{interaction_id}", user_id, time.perf_counter())

    def sent_mention(self, message_id: int, user_id: int) -> None:
        self.questions[f"mention:{message_id}"] = Question(f"mention:{message_id}", user_id, time.perf_counter())

    def _key(self, message: SentMessage) -> str | None:
        if message.interaction_id is not None:
            return f"slash:{message.interaction_id}"
        if message.reply_to is not None:
            return f"mention:{message.reply_to}"
        return None

    def _attach(self, message: SentMessage, now: float) -> None:
        question = self.questions.get(self._key(message) or "")
        if question is None:
            return
        question.replies.append(message)
        if question.first_reply_at is None:
            question.first_reply_at = now
            question.probe = self.probe()

    def observe(self) -> None:
        now = time.perf_counter()
        sent = self.fake.messages
        for message in sent[self._seen:]:
            if message.loading:
                self._pending_edits.append(message)
            else:
                self._attach(message, now)
        self._seen = len(sent)
        still = []
        for message in self._pending_edits:
            (still.append(message) if message.loading else self._attach(message, now))
        self._pending_edits = still

    def all_replied(self) -> bool:
        self.observe()
        return all(q.first_reply_at is not None for q in self.questions.values())

    def times(self) -> list[float]:
        return [q.first_reply_at - q.sent_at for q in self.questions.values() if q.first_reply_at is not None]


# -- bots and logs --------------------------------------------------------------------------------


class QuickIdentifyBot(FanBot):
    """FanBot without discord.py's 5 s pause before a re-IDENTIFY (Discord's identify rate limit).

    Only the pause differs: the session is still invalidated and the client
    still identifies again through the real gateway code.
    """

    async def before_identify_hook(self, shard_id: int | None, *, initial: bool = False) -> None:
        return None


async def start_worker(fake: FakeDiscord, corpus: Path, database: Path, **extra_env: str) -> asyncio.subprocess.Process:
    """``python -m bot run`` as the Procfile starts it, configured only by environment variables."""
    settings = {
        "DISCORD_TOKEN": fake.token, "DISCORD_API_BASE": fake.api_base, "DISCORD_GATEWAY_URL": fake.gateway_url,
        "CORPUS_DIR": str(corpus), "DATABASE_PATH": str(database), "INDEX_CACHE_DIR": "off",
        "ASK_COOLDOWN_SECONDS": "0", **extra_env,
    }
    return await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "run", cwd=database.parent, env={"PATH": os.environ.get("PATH", ""), **settings},
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT,
    )


async def stop_worker(worker: asyncio.subprocess.Process) -> str:
    """Kill the worker if it is still running (a failed test); its whole output."""
    if worker.returncode is None:
        worker.kill()
        await worker.wait()
    assert worker.stdout is not None
    return (await worker.stdout.read()).decode(errors="replace")


class EverythingHandler(logging.Handler):
    """Keeps every record, DEBUG included, formatted as a log file would show it (tracebacks too)."""

    def __init__(self) -> None:
        super().__init__(level=logging.DEBUG)
        self.lines: list[str] = []
        self.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(self.format(record))


class capture_all_logs:
    """Context manager: root logger at DEBUG into an :class:`EverythingHandler`; levels restored after."""

    def __init__(self) -> None:
        self.handler = EverythingHandler()
        self._saved: list[tuple[logging.Logger, int]] = []

    def __enter__(self) -> EverythingHandler:
        for name in ("", "discord", "bot", "aiohttp", "asyncio", "websockets"):
            logger = logging.getLogger(name)
            self._saved.append((logger, logger.level))
            logger.setLevel(logging.DEBUG)
        logging.getLogger().addHandler(self.handler)
        return self.handler

    def __exit__(self, *exc: object) -> None:
        logging.getLogger().removeHandler(self.handler)
        for logger, level in self._saved:
            logger.setLevel(level)
