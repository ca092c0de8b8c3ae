"""Hostile input against the reply builders (issue 5), with hypothesis.

Articles and questions are untrusted. Whatever they hold (markdown, mentions,
control characters, RTL marks, zalgo, emoji, 10 000 characters), a reply
must stay within Discord's limits (or Discord rejects it and the fan gets
nothing) and must not let the article format the reply or ping anyone.

The checks read the payloads as Discord would: a formatting character counts
as escaped when an odd number of backslashes precedes it, and links (which
discord.py leaves alone) are set aside first. Each property counts its
examples; the module prints them (``[hostile embeds] ...``).
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter

import discord
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from bot.discord_bot.embeds import abstain_text, alternatives_embeds, answer_embed, sources_embed
from bot.discord_bot.reports import reindex_report_embed
from bot.discord_bot.holder import ReindexReport
from bot.discord_bot.text import safe_url
from bot.engine import Answer, Article, CorpusDiff, LoadError
from pathlib import Path

EXAMPLES: Counter[str] = Counter()
RUNS = settings(max_examples=250, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
TODAY = dt.date(2026, 1, 1)

# Discord's limits (https://discord.com/developers/docs/resources/message#embed-object-embed-limits).
LIMITS = {"title": 256, "description": 4096, "field_name": 256, "field_value": 1024, "footer": 2048,
          "author": 256, "fields": 25, "embed_total": 6000, "content": 2000}

NASTY = [
    "@everyone", "@here", "<@&1>", "<@1>", "<@!1>", "<@123456789012345678>", "<@&123456789012345678>",
    "**", "__", "*", "_", "`", "```", "~~", "||", "\\", "> ", ">>> ", "# ", "## ", "### ", "-# ", "- ", "* ",
    "[click](https://evil.example/x)", "(", ")", "[", "]", "\n", "\r\n", "\t", "\x00", "\x07", "\x1b[31m",
    "\u200f", "\u202e", "\u200b", "\u2066", "\ufeff", "Z\u0335\u0321\u031b\u0358a\u0337\u0322l\u0334\u0360g\u0336o",
    "\U0001F44D\U0001F3FD", "\U0001F3F3\ufe0f\u200d\U0001F308", "e\u0301", "\u05e9\u05dc\u05d5\u05dd",
    "https://a.example/x_y*z*", "Nick", " ", "season 2 ",
]
piece = st.one_of(st.sampled_from(NASTY), st.text(max_size=12))
hostile = st.lists(piece, max_size=40).map("".join)
# Up to 10 000 characters: a hostile unit repeated.
huge = st.builds(lambda unit, times: (unit * times)[:10_000], hostile.filter(bool), st.integers(1, 2_500))
any_text = st.one_of(hostile, huge)
urls = st.one_of(st.none(), hostile, st.builds(lambda tail: "https://example.org/" + tail, hostile))
dates = st.one_of(st.none(), st.dates(dt.date(1900, 1, 1), dt.date(2100, 12, 31)))


@pytest.fixture(scope="module", autouse=True)
def print_example_counts(request):
    yield
    capture = request.config.pluginmanager.getplugin("capturemanager")
    with capture.global_and_fixture_disabled():
        detail = ", ".join(f"{name}={count}" for name, count in sorted(EXAMPLES.items()))
        print(f"\n[hostile embeds] {sum(EXAMPLES.values())} examples: {detail}")


# -- reading a payload as Discord would ----------------------------------------------------------------

_URL = re.compile(r"<[^: >]+:\/[^ >]+>|(?:https?|steam):\/\/[^\s<]+[^<.,:;\"\'\]\s]")
_MENTION = re.compile(r"@everyone|@here|<@[!&]?\d+>")
_FORMATTING = "*_~|`"


def escaped_at(text: str, index: int) -> bool:
    backslashes = len(text[:index]) - len(text[:index].rstrip("\\"))
    return backslashes % 2 == 1


def outside_links(text: str) -> str:
    """``text`` with each autolinked url masked (same length): Discord shows a url as a link, nothing inside it."""
    return _URL.sub(lambda m: "u" * len(m.group()), text)


def markdown_leaks(text: str) -> list[str]:
    """Markdown from untrusted text that Discord would render: unescaped formatting characters,
    masked links, and headings, quotes, subtext or list items at the start of a line."""
    plain = outside_links(text)
    leaks = [f"{ch!r} at {i}" for i, ch in enumerate(plain) if ch in _FORMATTING and not escaped_at(plain, i)]
    for match in re.finditer(r"\[[^\]\n]*\]\([^)\n]*\)", plain):
        if not escaped_at(plain, match.start()):
            leaks.append(f"masked link {match.group()!r}")
    for line in plain.split("\n"):
        if re.match(r"(>|>>>)\s|#{1,3}\s|-#\s|\s*[-*]\s", line):
            leaks.append(f"line start {line[:12]!r}")
    return leaks


def without_our_bold(description: str) -> str:
    """The description with the one bold pair the builder adds around the best sentence taken out.

    Each marker becomes a letter, which (like "**") keeps its line from starting
    with markdown.  Which unescaped "**" pair is ours is not known (a url can run
    into it), so the pair that leaves no bare "*" anywhere is taken; without one
    the description fails, as it would if an article's "**" got through.
    """
    def bare_stars(text: str) -> int:
        plain = outside_links(text)
        return sum(1 for i, ch in enumerate(plain) if ch == "*" and not escaped_at(plain, i))

    if bare_stars(description) == 0:
        return description
    markers = [i for i in range(len(description) - 1)
               if description.startswith("**", i) and not escaped_at(description, i)]
    for first in markers:
        for second in (m for m in markers if m >= first + 2):
            text = (description[:first] + "B" + description[first + 2:second] + "B" + description[second + 2:])
            if bare_stars(text) == 0:
                return text
    raise AssertionError(f"markdown from the article survived: {description[:200]!r}")


def strings_of(embed: discord.Embed) -> list[str]:
    data = embed.to_dict()
    found = [data.get("title", ""), data.get("description", ""), (data.get("footer") or {}).get("text", ""),
             (data.get("author") or {}).get("name", "")]
    for fld in data.get("fields", []):
        found += [fld["name"], fld["value"]]
    return [s for s in found if s]


def within_limits(embed: discord.Embed) -> list[str]:
    """The limits this embed breaks (empty when Discord would accept it)."""
    data = embed.to_dict()
    broken = []
    for key, limit in (("title", LIMITS["title"]), ("description", LIMITS["description"])):
        if len(data.get(key, "")) > limit:
            broken.append(f"{key} {len(data[key])} > {limit}")
    if len((data.get("footer") or {}).get("text", "")) > LIMITS["footer"]:
        broken.append("footer")
    if len((data.get("author") or {}).get("name", "")) > LIMITS["author"]:
        broken.append("author")
    fields = data.get("fields", [])
    if len(fields) > LIMITS["fields"]:
        broken.append(f"{len(fields)} fields")
    for fld in fields:
        if not 0 < len(fld["name"]) <= LIMITS["field_name"] or not fld["name"].strip():
            broken.append(f"field name {fld['name'][:20]!r}")
        if not 0 < len(fld["value"]) <= LIMITS["field_value"] or not fld["value"].strip():
            broken.append(f"field value {fld['value'][:20]!r} ({len(fld['value'])})")
    if len(embed) > LIMITS["embed_total"]:
        broken.append(f"total {len(embed)}")
    url = data.get("url")
    if url is not None and (len(url) > 2048 or not url.startswith(("http://", "https://"))):
        broken.append(f"url {url[:30]!r}")
    return broken


def make_answer(text: str, sentence: str, title: str, source: str, url: str | None, date: dt.date | None,
                confidence: float, alternatives: tuple[Answer, ...] = ()) -> Answer:
    return Answer(text=text, sentence=sentence, title=title, source=source, url=url, date=date, score=1.0,
                  article="a.md", passage_id=0, confidence=confidence, alternatives=alternatives)


@st.composite
def answers(draw: st.DrawFn, *, alternatives: int = 0) -> Answer:
    text = draw(any_text)
    if text and draw(st.booleans()):  # usually the engine's sentence is part of the passage
        start = draw(st.integers(0, len(text) - 1))
        sentence = text[start: start + draw(st.integers(1, 600))]
    else:
        sentence = draw(hostile)
    alts = tuple(draw(st.lists(answers(), max_size=alternatives))) if alternatives else ()
    return make_answer(text, sentence, draw(any_text), draw(hostile), draw(urls), draw(dates),
                       draw(st.floats(0, 1)), alts)


# -- properties -------------------------------------------------------------------------------------------


@RUNS
@given(answer=answers(), question=st.one_of(st.none(), any_text))
@example(answer=make_answer("@everyone **bold** <@1> <@&1> __u__ `c` ~~s~~ ||x|| \n> q\n# h", "**bold**",
                            "<@&1> **T**", "@here", "https://a.example/)**x**", None, 0.5), question="<@1> @here")
# Found by hypothesis: discord.py escapes "\n-# " with a backslash before the newline, leaving the subtext live.
@example(answer=make_answer("", "", "\n-# ", "", None, None, 0.0), question=None)
# Found by hypothesis: a best sentence ending in a url (cut or not) ran into the closing bold marker.
@example(answer=make_answer(("see https://a.example/x_y*z*00 " * 3).strip(), "see https://a.example/x_y*z*00", "T", "",
                            None, None, 0.0), question=None)
# Found by hypothesis: "<**https://...>" passed for a link (discord.py's pattern), so its "**" stayed live.
@example(answer=make_answer("", "", ("**https://a.example/x_y*z*<@123456789012345678><" * 6), "", None, None, 0.0),
         question=None)
@example(answer=make_answer("x " + "https://a.example/" + "y" * 5000, "x " + "https://a.example/" + "y" * 5000, "T", "",
                            None, None, 0.0), question=None)
def test_an_answer_embed_stays_within_limits_pings_nobody_and_shows_article_markdown_literally(answer, question):
    EXAMPLES["answer_embed"] += 1
    embed = answer_embed(answer, today=TODAY, question=question)
    assert not within_limits(embed), within_limits(embed)
    for shown in strings_of(embed):
        assert not _MENTION.search(shown), shown[:200]
    data = embed.to_dict()
    description = data.get("description", "")
    description = without_our_bold(description)
    for part in (description, data["title"], dict((f["name"], f["value"]) for f in data["fields"])["Source"]):
        assert not markdown_leaks(part), (markdown_leaks(part)[:3], part[:200])


@RUNS
@given(answer=answers(alternatives=9), page=st.integers(0, 3))
def test_a_more_answers_page_shares_discords_6000_characters(answer, page):
    EXAMPLES["alternatives_page"] += 1
    embeds = alternatives_embeds(answer.alternatives, page=page, per_page=3, today=TODAY)
    assert len(embeds) <= 10
    assert sum(len(e) for e in embeds) <= LIMITS["embed_total"]
    for embed in embeds:
        assert not within_limits(embed), within_limits(embed)
        assert not any(_MENTION.search(s) for s in strings_of(embed))


@RUNS
@given(question=st.one_of(hostile, huge))
@example(question="@everyone <@1> <@&1> @here **x** " * 300)
def test_the_i_dont_know_reply_fits_a_message_and_shows_the_question_literally(question):
    EXAMPLES["abstain_text"] += 1
    content = abstain_text(question)
    assert len(content) <= LIMITS["content"]
    assert not _MENTION.search(content)
    asked = content[content.index("(You asked: “") + len("(You asked: “"):] if "(You asked: “" in content else ""
    asked = asked[: asked.rfind("”)")] if "”)" in asked else asked
    assert not markdown_leaks(asked), markdown_leaks(asked)[:3]


@st.composite
def articles(draw: st.DrawFn) -> Article:
    return Article(id=draw(hostile) or "a.md", path=Path("a.md"), title=draw(any_text), source=draw(hostile),
                   url=draw(urls), date=draw(dates), body="", checksum="0")


@RUNS
@given(listed=st.lists(articles(), min_size=1, max_size=12), page=st.integers(-1, 3))
@example(listed=[Article("a.md", Path("a.md"), "T", "S", "https://a.example/x)**bold**", None, "", "0")], page=0)
@example(listed=[Article("a.md", Path("a.md"), "x](https://evil.example)", "S", "https://a.example/", None, "", "0")], page=0)
def test_a_sources_page_stays_within_limits_and_links_only_the_articles_own_url(listed, page):
    EXAMPLES["sources_embed"] += 1
    embed = sources_embed(listed, page=page, today=TODAY)
    assert not within_limits(embed), within_limits(embed)
    description = embed.description or ""
    # Link targets are not shown (and embeds never ping); the text around them must not hold a mention.
    assert not any(_MENTION.search(re.sub(r"\]\([^)]*\)", "]", s)) for s in strings_of(embed))
    # A link's target runs to the first ")": it must be exactly one article's url (parentheses
    # percent-encoded: the same address), with nothing of the url left over to format the line.
    allowed = {(safe_url(a.url) or "").replace("(", "%28").replace(")", "%29") for a in listed}
    plain = outside_links(description)
    for link in re.finditer(r"\[[^\n]*?\]\(([^)\n]*)\)", description):
        # An escaped "[" starts no link, and neither does one inside an autolinked url.
        if not escaped_at(description, link.start()) and plain[link.start()] == "[":
            assert link.group(1) in allowed, link.group()


@RUNS
@given(names=st.lists(hostile.map(lambda name: name + ".md"), max_size=60), messages=st.lists(any_text, max_size=60))
def test_a_reindex_report_with_hostile_file_names_and_errors_stays_within_limits(names, messages):
    EXAMPLES["reindex_report"] += 1
    errors = tuple(LoadError(path=n, line=None, message=m) for n, m in zip(names, messages))
    diff = CorpusDiff(added=tuple(names), removed=tuple(names[:5]), changed=tuple(names[5:9]))
    embed = reindex_report_embed(ReindexReport(1, 2, 3, 4, diff, errors, 0.5))
    assert not within_limits(embed), within_limits(embed)
    assert not any(_MENTION.search(s) for s in strings_of(embed))
