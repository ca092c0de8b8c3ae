"""Load (issue 5): a burst of fans' questions while an admin reindexes a corpus many times the bundled one.

Every question must get exactly one reply (an answer, or the cooldown
message where the fan hit the cooldown): none lost, none answered twice.
Replies that arrive while the new index is being built must come from a
complete index, the old one or the new one: each answer's title belongs to
one corpus and its passage is a passage of that same corpus, and ``/help``
asked during the burst shows the article and passage counts of one of them.

Two servers share the burst: in one the cooldown is off (every question is
answered), in the other an admin set a long cooldown (each fan's first
question is answered and the other three get the cooldown message).
"""

from __future__ import annotations

import asyncio
import re
import shutil
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

from bot.engine import Engine, EngineConfig
from discord_world import bot_config, corpus, embed_of, fake_discord, fields_of, running_bot  # noqa: F401
from fakediscord import MANAGE_GUILD, FakeDiscord, FakeUser
from reliability_helpers import (  # noqa: F401  (fixture used by name)
    COOLDOWN_TEXT,
    SERVER_ERROR_TEXT,
    ReplyClock,
    SuiteReport,
    perturbed_corpus,
    percentile,
    suite_report,
)

# Each is answered (not abstained) by both the scenario corpus and its perturbed editions.
QUESTIONS = (
    "is season 2 confirmed?",
    "when is the season 2 release date?",
    "how many books are there?",
    "who wrote the graphic novels?",
    "when did filming for season 1 take place?",
    "how many hours have viewers watched Heartstopper?",
    "is there a season 3?",
    "what is Heartstopper about?",
    "when will season 2 come out on Netflix?",
    "what rating does Heartstopper have on Rotten Tomatoes?",
)
STRICT_COOLDOWN = 600  # seconds: longer than any run, so exactly the first question per fan is answered


@dataclass(frozen=True)
class Load:
    users: int
    per_user: int
    copies: int  # editions of each scenario article in the new corpus
    helps: int  # /help calls mixed into the burst


@dataclass
class Server:
    guild: object
    channel: object
    admin: FakeUser
    fans: list[FakeUser]
    strict: bool


async def _server(fake: FakeDiscord, name: str, fans: int, strict: bool) -> Server:
    guild = await fake.create_guild(name)
    channel = await fake.create_channel(guild, "questions")
    role = await fake.create_role(guild, "Mods", MANAGE_GUILD)
    admin = fake.create_user(f"{name}-admin")
    await fake.add_member(guild, admin, (role,))
    people = []
    for number in range(fans):
        fan = fake.create_user(f"{name}-fan{number:03}")
        await fake.add_member(guild, fan)
        people.append(fan)
    return Server(guild, channel, admin, people, strict)


_ESCAPED = re.compile(r"\\(.)", re.DOTALL)


def shown_passage(description: str) -> str:
    """The passage as the engine had it: bold markers, escapes and mention breakers taken out."""
    return _ESCAPED.sub(r"\1", description.replace("**", "")).replace("@\u200b", "@")


def passages_by_title(engine: Engine) -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    for passage in engine.passages:
        found.setdefault(passage.title, set()).add(passage.text)
    return found


async def run_load(fake: FakeDiscord, corpus_dir: Path, scratch: Path, load: Load, report: SuiteReport) -> None:
    half = load.users // 2
    open_server = await _server(fake, "open", half, strict=False)
    strict_server = await _server(fake, "strict", load.users - half, strict=True)
    counter = fake.create_user("help-reader")
    await fake.add_member(open_server.guild, counter)

    new_dir = perturbed_corpus(scratch / "bigger", load.copies)
    config = EngineConfig(cache_dir=None)
    async with running_bot(fake, bot_config(fake, corpus_dir)) as run:
        old = run.bot.index.engine
        new = await asyncio.to_thread(Engine.build, new_dir, config)  # the reference the bot's build must equal
        corpora = {"old": passages_by_title(old), "new": passages_by_title(new)}
        sizes = {(len(old.articles), len(old.passages)): "old", (len(new.articles), len(new.passages)): "new"}
        assert set(corpora["old"]).isdisjoint(corpora["new"]), "editions must be told apart by title"

        cooldown = await fake.slash("settings cooldown", {"seconds": STRICT_COOLDOWN}, user=strict_server.admin,
                                    channel=strict_server.channel)
        assert "cooldown is 600 s" in (await cooldown.message()).text()

        # The admin swaps the folder's articles for the bigger corpus, then reindexes.
        for path in corpus_dir.glob("*.md"):
            path.unlink()
        for path in new_dir.glob("*.md"):
            shutil.copy(path, corpus_dir / path.name)
        reindex = await fake.slash("reindex", user=open_server.admin, channel=open_server.channel)
        assert (await reindex.message()).content.startswith("Reindexing")

        clock = ReplyClock(fake, probe=lambda: run.bot.index.reindexing)
        helps = []
        plan = [(server, fan, round_) for round_ in range(load.per_user)
                for pair in zip(open_server.fans, strict_server.fans) for server, fan in zip((open_server, strict_server), pair)]
        help_every = max(1, len(plan) // max(load.helps, 1))
        mention = f"<@{fake.bot_user.id}>"
        burst_started = time.perf_counter()
        for number, (server, fan, round_) in enumerate(plan):
            question = QUESTIONS[(number + round_) % len(QUESTIONS)]
            if server.fans.index(fan) % 2 == round_ % 2:  # half slash, half mentions, alternating per round
                handle = await fake.slash("ask", {"question": question}, user=fan, channel=server.channel)
                clock.sent_slash(handle.id, fan.id)
            else:
                payload = await fake.send_message(server.channel, fan, f"{mention} {question}")
                clock.sent_mention(int(payload["id"]), fan.id)
            if number % help_every == 0 and len(helps) < load.helps:
                helps.append(await fake.slash("help", user=counter, channel=open_server.channel))
        sending = time.perf_counter() - burst_started

        await fake.wait_for(clock.all_replied, timeout=30 + load.users * load.per_user / 20,
                            what="a reply to every question of the burst")
        report_message = await fake.wait_for_message(
            lambda m: m.interaction_id == reindex.id and m.via == "followup", timeout=60)
        help_counts = [(int(fields_of(embed_of(await h.message()))["Articles"]),
                        int(fields_of(embed_of(await h.message()))["Passages"])) for h in helps]
        # A control question after everything: once it is answered, a late second reply would have shown up.
        control = await fake.slash("ask", {"question": QUESTIONS[0]}, user=counter, channel=open_server.channel)
        control_title = embed_of(await control.message())["title"]
        clock.observe()

    questions = list(clock.questions.values())
    lost = [q.key for q in questions if not q.replies]
    twice = [q.key for q in questions if len(q.replies) > 1]
    cooled = [q for q in questions if len(q.replies) == 1 and COOLDOWN_TEXT in q.replies[0].content]
    answered = [q for q in questions if len(q.replies) == 1 and q.replies[0].embeds]
    errors = [q.key for q in questions if any(SERVER_ERROR_TEXT in m.text() for m in q.replies)]
    served_by = {"old": 0, "new": 0}
    during = {"old": 0, "new": 0}
    mismatched = []
    for q in answered:
        embed = embed_of(q.replies[0])
        title = _ESCAPED.sub(r"\1", embed["title"])
        source = "old" if title in corpora["old"] else "new" if title in corpora["new"] else None
        if source is None or shown_passage(embed["description"]) not in corpora[source][title]:
            mismatched.append((q.key, title))
            continue
        served_by[source] += 1
        if q.probe:
            during[source] += 1
    times = clock.times()
    report.add(
        sent=len(questions), answered=len(answered), cooled=len(cooled), lost=len(lost), twice=len(twice),
        from_old=served_by["old"], from_new=served_by["new"],
        replied_during_reindex=during["old"] + during["new"],
        help_counts=sorted({sizes.get(c, str(c)) for c in help_counts}),
        p50_s=percentile(times, 50), p99_s=percentile(times, 99), max_s=max(times),
        send_s=sending, articles_old_new=f"{len(old.articles)}->{len(new.articles)}",
    )

    total = load.users * load.per_user
    strict_fans = len(strict_server.fans)
    assert len(questions) == total
    assert not lost, f"{len(lost)} questions got no reply: {lost[:5]}"
    assert not twice, f"{len(twice)} questions were answered more than once: {twice[:5]}"
    assert not errors, f"error replies: {errors[:5]}"
    assert not mismatched, f"answers from no complete index: {mismatched[:5]}"
    assert len(cooled) == strict_fans * (load.per_user - 1)
    assert len(answered) == total - len(cooled)
    for server in (open_server, strict_server):
        for fan in server.fans:
            mine = [q for q in answered if q.user_id == fan.id]
            assert len(mine) == (1 if server.strict else load.per_user), fan.username
    assert all(c in sizes for c in help_counts), f"/help showed a half-built index: {help_counts} vs {list(sizes)}"
    assert report_message.embeds and report_message.embeds[0]["title"].startswith("Reindex finished")
    assert "(edition " in control_title  # asked after the swap: the new index answers
    # The reindex really overlapped the burst, or the "complete index" checks above proved nothing.
    assert during["old"] + during["new"] > 0 or served_by["old"] > 0


DEFAULT = Load(users=50, per_user=4, copies=60, helps=20)
HEAVY = Load(users=200, per_user=5, copies=120, helps=50)


async def test_200_questions_from_50_fans_during_a_big_reindex_each_get_one_reply(
    fake_discord, corpus, tmp_path, suite_report
):
    await run_load(fake_discord, corpus, tmp_path, DEFAULT, suite_report)


@pytest.mark.heavy
@pytest.mark.timeout(300)
async def test_heavy_1000_questions_from_200_fans_during_a_bigger_reindex(fake_discord, corpus, tmp_path, suite_report):
    await run_load(fake_discord, corpus, tmp_path, HEAVY, suite_report)
