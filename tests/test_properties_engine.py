"""Hostile input against the engine (issue 5), with hypothesis: nothing an admin saves or a fan types crashes it.

Each property counts the examples it ran; the module prints the counts when
it finishes (visible without ``-s``), so the closing note can quote them.
"""

from __future__ import annotations

import datetime as dt
import shutil
import tempfile
from collections import Counter
from pathlib import Path

import numpy as np
import pytest
import yaml
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from rank_bm25 import BM25Okapi

from bot.engine import Answer, Article, Engine, QuestionError
from bot.engine import frontmatter
from bot.engine.analysis import default_analyzer
from bot.engine.corpus import load_corpus
from bot.engine.index import BM25Index
from bot.engine.passages import split_article
from bot.engine.questions import clean_question
from bot.engine.rules import load_rules
from bot.engine.stopwords import STOPWORDS
from engine_helpers import CORPUS

EXAMPLES: Counter[str] = Counter()
CI = settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@pytest.fixture(scope="module", autouse=True)
def report_example_counts(request):
    yield
    capture = request.config.pluginmanager.getplugin("capturemanager")
    with capture.global_and_fixture_disabled():
        total = sum(EXAMPLES.values())
        detail = ", ".join(f"{name}={count}" for name, count in sorted(EXAMPLES.items()))
        print(f"\n[hypothesis] {total} hostile inputs tried: {detail}")


@pytest.fixture(scope="module")
def chrome():
    return load_rules(None).chrome


@pytest.fixture(scope="module")
def scratch():
    folder = Path(tempfile.mkdtemp(prefix="hostile-corpus-"))
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture(scope="module")
def engine() -> Engine:
    return Engine.build(CORPUS)


# --- the article loader -------------------------------------------------------------------

YAML_TRAPS = [
    "2022-13-45", "0000-01-01", "2022-02-30", "2022-05-01 25:61:00", "!!timestamp 2022-13-45", "!!int abc",
    "!!float abc", "!!bool maybe", "!!binary '%%%'", "!!python/object:os.system x", "!!set {a}", "&a [*a]",
    "[", "{", "]", "}", "? x", "|", ">", ":", "- a", "'unclosed", '"unclosed', "\t", "~", "null", ".inf",
    "1e400", "0x1F", "%YAML 1.1", "...", "@", "`", "*undefined", "<<: *x", "[" * 200 + "]" * 200,
]
YAML_KEYS = ["title", "source", "url", "date", "tags", "<<", "? complex", ""]

scalars = st.one_of(
    st.none(), st.booleans(), st.integers(), st.floats(), st.text(max_size=40),
    st.dates().map(str), st.datetimes().map(str),
    st.builds(lambda y, m, d: f"{y:04d}-{m:02d}-{d:02d}", st.integers(0, 9999), st.integers(0, 99), st.integers(0, 99)),
)
yaml_values = st.recursive(scalars, lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3), max_leaves=8)


def _dumped(meta: dict) -> str:
    return yaml.safe_dump(meta, allow_unicode=True, default_flow_style=None)


front_matter_lines = st.one_of(
    st.dictionaries(st.sampled_from(YAML_KEYS), yaml_values, max_size=5).map(_dumped),
    st.lists(
        st.tuples(st.sampled_from(YAML_KEYS), st.one_of(st.sampled_from(YAML_TRAPS), st.text(max_size=30))).map(lambda kv: f"{kv[0]}: {kv[1]}"),
        max_size=6,
    ).map("\n".join),
    st.text(max_size=300),
)
bodies = st.one_of(st.text(max_size=600), st.sampled_from(["", "\n\n", "Comments are closed.", "- (opens in new tab)", "Body text."]))
article_bytes = st.one_of(
    st.binary(max_size=3000),
    st.text(max_size=2000).map(lambda t: t.encode("utf-8", "surrogatepass")),
    st.tuples(front_matter_lines, bodies, st.sampled_from(["---", "...", "--- ", "----", ""])).map(
        lambda parts: f"---\n{parts[0]}\n{parts[2]}\n{parts[1]}".encode("utf-8", "surrogatepass")
    ),
    st.tuples(st.binary(max_size=200), bodies).map(lambda parts: b"---\n" + parts[0] + b"\n---\n" + parts[1].encode("utf-8", "surrogatepass")),
)


def _load_one(folder: Path, chrome, name: str, data: bytes):
    for old in folder.iterdir():
        old.unlink()
    (folder / name).write_bytes(data)
    return load_corpus(folder, chrome)


@CI
@given(data=article_bytes, name=st.sampled_from(["article.md", "pasted.txt", "Notes.MD", "x.markdown"]))
@example(data=b"---\ntitle: T\ndate: !!timestamp 2022-13-45\n---\nBody.\n", name="article.md")
@example(data=b"---\ntitle: T\ndate: !!int abc\n---\nBody.\n", name="article.md")
@example(data=b"---\ntitle: T\nsource: " + b"[" * 3000 + b"]" * 3000 + b"\n---\nBody.\n", name="article.md")
def test_loader_gives_an_article_or_an_error_naming_the_file(scratch: Path, chrome, data: bytes, name: str) -> None:
    EXAMPLES["loader"] += 1
    loaded = _load_one(scratch, chrome, name, data)
    assert len(loaded.articles) + len(loaded.errors) == 1
    if loaded.articles:
        article = loaded.articles[0]
        assert isinstance(article, Article) and article.id == name
        assert isinstance(article.title, str) and article.title
        assert isinstance(article.source, str)
        assert article.url is None or isinstance(article.url, str)
        assert article.date is None or type(article.date) is dt.date
        assert article.body.strip()
        for passage in split_article(article):
            assert passage.text.strip() and len(passage.text) <= 1100
    else:
        error = loaded.errors[0]
        assert error.path == name and error.message
        lines = data.count(b"\n") + 1
        # at most one past the end: "the body should start here" for a file that stops after its front matter
        assert error.line is None or 1 <= error.line <= lines + 1
        assert str(error).startswith(name)


@CI
@given(block=front_matter_lines)
@example(block="date: 2022-05-19\ntitle: Season 2")
@example(block="title: a\t")  # libyaml would accept the tab, PyYAML does not
@example(block="!")  # libyaml reads an empty tagged scalar as "", PyYAML as None
@example(block="|#")  # libyaml accepts it, PyYAML does not
@example(block="title: |#")
def test_fast_yaml_reads_front_matter_as_the_reporting_loader_does(block: str) -> None:
    """libyaml is only a speed-up: whatever it reads, the pure-Python loader (whose errors we report) reads the same."""
    EXAMPLES["yaml_fast_path"] += 1
    fast = frontmatter._load_fast(block)
    try:
        slow = frontmatter._load_reporting_errors(block.split("\n"))
    except frontmatter.FrontMatterError:
        slow = frontmatter._FAILED
    if fast is not frontmatter._FAILED:
        assert repr(fast) == repr(slow)


# --- text analysis --------------------------------------------------------------------------

SPECIALS = ["\u200f", "\u200e", "\u202e", "\u200b", "\ufeff", "\x00", "\x1b[31m", "\r", "\t", "\u0301", "\u0336", "🙂", "👩‍👩‍👧", "🇬🇧", "ﷺ", "ǅ", "ß", "İ", "ﬁ", "²", "½", "Ⅻ"]
ZALGO_MARKS = [chr(c) for c in range(0x300, 0x36F)]

zalgo = st.lists(
    st.tuples(st.sampled_from("heartstopper season nick charlie"), st.lists(st.sampled_from(ZALGO_MARKS), max_size=8)),
    min_size=1, max_size=40,
).map(lambda pairs: "".join(letter + "".join(marks) for letter, marks in pairs))
hostile_pieces = st.one_of(
    st.sampled_from(SPECIALS), st.sampled_from(sorted(STOPWORDS)),
    st.sampled_from(["season", "2", "two", "s2", "second", "nick's", "who", "plays", "filmed", "Heartstopper", "?", "!", "’", "“"]),
    st.text(max_size=8), zalgo,
)
hostile_text = st.one_of(
    st.text(max_size=3000),
    st.lists(hostile_pieces, max_size=60).map(" ".join),
    st.lists(hostile_pieces, max_size=60).map("".join),
)


@CI
@given(text=hostile_text)
@example(text="")
@example(text="s2 " * 500)
@example(text="season 2, 3, 4 and 5 " * 50)
def test_analyzer_never_raises_and_gives_clean_tokens(text: str) -> None:
    EXAMPLES["analyzer"] += 1
    analyzer = default_analyzer()
    tokens = analyzer.tokens(text)
    assert isinstance(tokens, list)
    for token in tokens:
        assert isinstance(token, str) and token
        assert not any(c.isspace() for c in token), repr(token)
    assert analyzer.tokens(text) == tokens  # the same text always gives the same tokens
    assert all(word and not any(c.isspace() for c in word) for word in analyzer.words(text))


# --- questions ------------------------------------------------------------------------------

long_hostile = st.one_of(
    hostile_text,
    st.text(min_size=900, max_size=10_000),
    st.tuples(st.sampled_from(SPECIALS + ["a", " ", "🙂"]), st.integers(1, 10_000)).map(lambda p: p[0] * p[1]),
    st.lists(st.sampled_from(sorted(STOPWORDS)), min_size=1, max_size=30).map(" ".join),
    st.lists(st.sampled_from(["🙂", "🔥", "💖", "👩‍👩‍👧", "🇬🇧", " "]), min_size=1, max_size=200).map("".join),
)


def _check_answer(answer: Answer) -> None:
    assert isinstance(answer, Answer)
    for item in (answer, *answer.alternatives):
        assert item.sentence in item.text
        assert 0.0 <= item.confidence <= 1.0 and item.score >= 0


@CI
@given(text=long_hostile)
@example(text="\u202ewho plays nick?\u202c")
@example(text="who\x00 plays\x1b nick?")
@example(text="w\u0336h\u0336o\u0336 plays n\u0301i\u0301c\u0301k")
@example(text="what is the " * 80)
@example(text="🙂" * 10_000)
@example(text="a" * 1000)
def test_clean_question_and_ask_give_an_answer_none_or_a_question_error(engine: Engine, text: str) -> None:
    EXAMPLES["questions"] += 1
    try:
        cleaned = clean_question(text)
    except QuestionError as exc:
        assert str(exc) and len(str(exc)) < 200
        cleaned = None
    else:
        assert 0 < len(cleaned) <= 1000 and cleaned == cleaned.strip()
    try:
        answer = engine.ask(text, k=3)
    except QuestionError:
        assert cleaned is None, "ask refused a question that clean_question accepted"
        return
    assert cleaned is not None, "ask answered a question that clean_question refused"
    if answer is not None:
        _check_answer(answer)


@settings(max_examples=200, deadline=None)
@given(words=st.lists(st.sampled_from(sorted(STOPWORDS)), min_size=1, max_size=20), punctuation=st.sampled_from(["", "?", "!?", "..."]))
def test_questions_of_only_stopwords_get_no_answer(engine: Engine, words: list[str], punctuation: str) -> None:
    EXAMPLES["stopwords"] += 1
    assert engine.ask(" ".join(words) + punctuation) is None


# --- BM25 parity on generated corpora ---------------------------------------------------------

token_lists = st.lists(st.lists(st.sampled_from([f"t{n}" for n in range(12)]), min_size=1, max_size=15), min_size=1, max_size=25)


@settings(max_examples=200, deadline=None)
@given(documents=token_lists, query=st.lists(st.sampled_from([f"t{n}" for n in range(15)]), min_size=1, max_size=8), k=st.integers(1, 30))
def test_bm25_index_matches_bm25okapi_on_generated_corpora(documents: list[list[str]], query: list[str], k: int) -> None:
    EXAMPLES["bm25"] += 1
    index, reference = BM25Index(documents), BM25Okapi(documents)
    expected = reference.get_scores(query)
    assert np.array_equal(index.scores(query), expected)  # bit for bit
    holding = [d for d, doc in enumerate(documents) if set(doc) & set(query)]
    want = sorted(holding, key=lambda d: (-expected[d], d))[:k]
    assert [hit.passage for hit in index.top(query, k)] == want

