"""Answers as a fan gets them: abstain when nothing answers, prefer the latest report, a well-formed Answer."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pytest

from bot.engine import Answer, Engine, QuestionError
from engine_helpers import CORPUS, SEEDS, copy_corpus, front_matter_article, write

OFF_TOPIC = [
    "tell me a joke",
    "what's the weather in Paris today?",
    "what's the weather like in london tomorrow?",
    "who plays eleven in stranger things?",
    "when does the crown season 6 come out?",
    "is bridgerton renewed for season 4?",
    "what is the capital of france?",
    "how do I bake bread?",
    "what time is it?",
    "recommend me a pizza place",
]

ON_TOPIC = {
    "who plays charlie?": "Joe Locke",
    "who plays darcy?": "Kizzy Edgell",
    "has heartstopper been renewed?": "Netflix confirmed",
    "where was heartstopper shot?": "Herne Bay",
    "what age rating is heartstopper?": "12+",
    "is heartstopper based on a book?": "graphic novel",
    "what town was heartstopper filmed in?": "Herne Bay",
    "has netflix renewed heartstopper?": "Netflix confirmed",
}


def _folders() -> list[Path]:
    return [CORPUS] + ([SEEDS] if SEEDS.is_dir() else [])


@pytest.fixture(scope="module", params=_folders(), ids=lambda p: p.name)
def bundled(request) -> Engine:
    return Engine.build(request.param)


# --- abstention -----------------------------------------------------------------------------


@pytest.mark.parametrize("question", OFF_TOPIC)
def test_off_topic_questions_abstain(bundled: Engine, question: str) -> None:
    answer = bundled.ask(question)
    assert answer is None, f"{question!r} was answered with {answer.sentence!r}"


@pytest.mark.parametrize("question", sorted(ON_TOPIC))
def test_on_topic_questions_are_answered_with_the_right_passage(bundled: Engine, question: str) -> None:
    answer = bundled.ask(question)
    assert answer is not None, f"{question!r} abstained"
    assert ON_TOPIC[question] in answer.text


@pytest.mark.parametrize("question", ["what is the", "is it?", "hey, does anyone know?", "can you tell me please"])
def test_a_question_of_only_stopwords_gets_no_answer(bundled: Engine, question: str) -> None:
    assert bundled.ask(question) is None


@pytest.mark.parametrize(
    "question, needle",
    [
        ("", "empty"),
        ("   \n\t  ", "empty"),
        ("🙂🎉🔥💖", "words"),
        ("?!?! ...", "words"),
        ("\u200f\u200e\u202e\u200b", "words"),
        ("word " * 250, "1000"),
        ("a" * 1001, "1000"),
    ],
    ids=["empty", "whitespace", "emoji", "punctuation", "invisible", "long-words", "long-run"],
)
def test_unusable_questions_raise_a_short_question_error(bundled: Engine, question: str, needle: str) -> None:
    with pytest.raises(QuestionError) as caught:
        bundled.ask(question)
    message = str(caught.value)
    assert needle in message.lower() and len(message) < 200 and "\n" not in message
    assert isinstance(caught.value, ValueError)


def test_a_question_of_exactly_1000_characters_is_searched(bundled: Engine) -> None:
    question = ("who plays nick? " * 70)[:1000]
    assert len(question) == 1000
    assert bundled.ask(question) is not None


def test_emoji_around_words_do_not_stop_the_question(bundled: Engine) -> None:
    answer = bundled.ask("🙂🙂 who plays charlie?? 💖")
    assert answer is not None and "Joe Locke" in answer.text


# --- recency tie-break ----------------------------------------------------------------------

TEXT_A = "Netflix confirmed that the zephyr series will return for a third season, the streamer announced in a statement to fans."
TEXT_B = "The zephyr series will return for a third season, Netflix confirmed on Monday after months of rumours."
QUESTION = "will the zephyr series return for a third season?"


def _two_reports(folder: Path, date_a: str | None, date_b: str | None) -> Engine:
    corpus = copy_corpus(CORPUS, folder)
    write(corpus, "report-a.md", front_matter_article("Zephyr renewed", TEXT_A, source="Paper A", date=date_a))
    write(corpus, "report-b.md", front_matter_article("Zephyr is back", TEXT_B, source="Paper B", date=date_b))
    return Engine.build(corpus)


def _bm25(engine: Engine, article: str, question: str) -> float:
    scores = engine.index.scores(engine.analyzer.tokens(question))
    return float(max(scores[p.id] for p in engine.passages if p.article_id == article))


@pytest.mark.parametrize("newer", ["report-a.md", "report-b.md"])
def test_the_newer_of_two_close_reports_is_the_answer(tmp_path: Path, newer: str) -> None:
    dates = ("2023-09-10", "2021-03-01") if newer == "report-a.md" else ("2021-03-01", "2023-09-10")
    engine = _two_reports(tmp_path / "corpus", *dates)
    answer = engine.ask(QUESTION)
    assert answer is not None and answer.article == newer
    assert answer.date == dt.date(2023, 9, 10)
    older = next(a for a in answer.alternatives if a.article in {"report-a.md", "report-b.md"})
    assert older.article != newer and older.date == dt.date(2021, 3, 1)


def test_recency_decides_even_against_a_slightly_better_older_report(tmp_path: Path) -> None:
    """Both date orders give the newer report, so in one of them the older had the higher BM25 score."""
    engines = {
        "a-newer": _two_reports(tmp_path / "a", "2023-09-10", "2021-03-01"),
        "b-newer": _two_reports(tmp_path / "b", "2021-03-01", "2023-09-10"),
    }
    a_score = _bm25(engines["a-newer"], "report-a.md", QUESTION)
    b_score = _bm25(engines["a-newer"], "report-b.md", QUESTION)
    assert a_score != b_score
    assert engines["a-newer"].ask(QUESTION).article == "report-a.md"
    assert engines["b-newer"].ask(QUESTION).article == "report-b.md"


@pytest.mark.parametrize("undated", ["report-a.md", "report-b.md"])
def test_an_undated_report_is_not_preferred_for_being_undated(tmp_path: Path, undated: str) -> None:
    dates = (None, "2022-06-01") if undated == "report-a.md" else ("2022-06-01", None)
    engine = _two_reports(tmp_path / "corpus", *dates)
    better = max(("report-a.md", "report-b.md"), key=lambda name: _bm25(engine, name, QUESTION))
    answer = engine.ask(QUESTION)
    assert answer is not None and answer.article == better
    assert answer.date == (None if better == undated else dt.date(2022, 6, 1))


def test_a_clearly_better_old_report_beats_a_weak_new_one(tmp_path: Path) -> None:
    corpus = copy_corpus(CORPUS, tmp_path / "corpus")
    write(corpus, "old.md", front_matter_article("Zephyr", TEXT_A, date="2019-01-01"))
    write(corpus, "new.md", front_matter_article("Zephyr news", "Fans of the zephyr series wrote to Netflix again this week.", date="2024-01-01"))
    answer = Engine.build(corpus).ask(QUESTION)
    assert answer is not None and answer.article == "old.md"


def test_every_alternative_carries_its_own_articles_date(bundled: Engine) -> None:
    by_id = {a.id: a for a in bundled.articles}
    seen_dates = set()
    for question in ["is season 2 confirmed?", "when will season 2 come out?", "who plays nick?", "heartstopper season 2 plot"]:
        answer = bundled.ask(question, k=5)
        for item in (answer, *answer.alternatives):
            article = by_id[item.article]
            assert (item.date, item.source, item.title, item.url) == (article.date, article.source, article.title, article.url)
            seen_dates.add(item.date)
    if bundled.corpus_dir == CORPUS:
        assert len(seen_dates) >= 2  # dated and undated reports both show up


# --- the Answer's shape -----------------------------------------------------------------------

SHAPE_QUESTIONS = [
    "is season 2 confirmed?", "how many heartstopper books are there?", "where was heartstopper filmed?",
    "who plays nick?", "who plays elle?", "when will season 2 come out?", "what is the rotten tomatoes score?",
    "who plays nick's mum?", "how many episodes are in the first season?", "heartstopper season 2 cast",
]


def _jaccard(engine: Engine, one: Answer, other: Answer) -> float:
    a, b = set(engine.analyzer.tokens(one.text)), set(engine.analyzer.tokens(other.text))
    return len(a & b) / max(1, len(a | b))


@pytest.mark.parametrize("question", SHAPE_QUESTIONS)
def test_answer_shape(bundled: Engine, question: str) -> None:
    answer = bundled.ask(question, k=5)
    assert answer is not None
    passages = bundled.passages
    scores = bundled.index.scores(bundled.analyzer.tokens(question))
    items = (answer, *answer.alternatives)
    assert len(answer.alternatives) <= 4
    assert len({item.passage_id for item in items}) == len(items)
    for item in items:
        assert item.sentence and item.sentence in item.text
        assert item.text == passages[item.passage_id].text
        assert item.article == passages[item.passage_id].article_id
        assert item.title and isinstance(item.source, str)
        assert item.url is None or item.url.startswith("http")
        assert item.date is None or isinstance(item.date, dt.date)
        assert np.isclose(item.score, scores[item.passage_id], rtol=1e-12) and item.score > 0
        assert 0.0 <= item.confidence <= 1.0
    assert all(alternative.alternatives == () for alternative in answer.alternatives)
    for number, item in enumerate(items):
        for other in items[number + 1:]:
            assert _jaccard(bundled, item, other) <= 0.6, f"near-duplicates: {item.sentence!r} / {other.sentence!r}"


def test_k_limits_the_alternatives(bundled: Engine) -> None:
    assert bundled.ask("is season 2 confirmed?", k=1).alternatives == ()
    assert len(bundled.ask("is season 2 confirmed?", k=2).alternatives) <= 1
    assert len(bundled.ask("is season 2 confirmed?", k=5).alternatives) >= 2


def test_repeated_passages_are_not_offered_twice(tmp_path: Path) -> None:
    corpus = copy_corpus(CORPUS, tmp_path / "corpus")
    text = (CORPUS / "goodto-heartstopper-season-2-and-books.md").read_text(encoding="utf-8")
    write(corpus, "goodto-copy.md", text)  # the same article saved twice by an admin
    answer = Engine.build(corpus).ask("how many heartstopper books are there?", k=5)
    holding = [a for a in (answer, *answer.alternatives) if "four volumes" in a.text]
    assert len(holding) == 1


# --- what kind of answer the question wants ---------------------------------------------------

MOONFALL = {
    "filming.md": "Moonfall Academy was filmed in Whitby over the summer, with the harbour standing in for the school.",
    "cast.md": "Moonfall Academy stars Priya Dale as Wren and Tom Ashby as Callum, both new to television.",
    "books.md": "Moonfall Academy is based on the novels by June Harper, who also wrote the scripts.",
    "episodes.md": "Moonfall Academy has ten episodes. Each episode runs for 45 minutes, with a longer finale.",
    "fans.md": "Fans of Moonfall Academy have made the harbour a place of pilgrimage since the premiere.",
    "review.md": "Moonfall Academy is a slow start. The series follows two rival students who must share a dorm "
                 "at a seaside boarding school, and it finds its feet by the third episode.",
}


@pytest.fixture(scope="module")
def moonfall(tmp_path_factory) -> Engine:
    folder = tmp_path_factory.mktemp("moonfall")
    for name, body in MOONFALL.items():
        write(folder, name, front_matter_article(name.removesuffix(".md").title(), body))
    return Engine.build(folder)


@pytest.mark.parametrize("question", ["what town was moonfall academy filmed in?", "which city was moonfall academy filmed in?"])
def test_a_word_naming_the_kind_of_answer_is_not_searched_for(moonfall: Engine, question: str) -> None:
    """No article says "town": the question still gets the place, instead of an "I don't know"."""
    answer = moonfall.ask(question)
    assert answer is not None and "Whitby" in answer.sentence


@pytest.mark.parametrize("question", ["what is moonfall academy about?", "what's the plot of moonfall academy?"])
def test_what_is_it_about_gets_the_sentence_that_says_what_the_story_is(moonfall: Engine, question: str) -> None:
    answer = moonfall.ask(question)
    assert answer is not None and "follows two rival students" in answer.sentence


def test_how_long_highlights_the_duration(moonfall: Engine) -> None:
    answer = moonfall.ask("how long are the episodes of moonfall academy?")
    assert answer is not None and answer.sentence == "Each episode runs for 45 minutes, with a longer finale."


def test_a_yes_no_question_prefers_a_definite_report_to_speculation(tmp_path: Path) -> None:
    """News is full of "if it is renewed..."; asked "has it been renewed?", the report that says so wins."""
    write(tmp_path, "maybe.md", front_matter_article(
        "Moonfall Academy update", "If the network renewed Moonfall Academy, season 2 would film next spring in Whitby."))
    write(tmp_path, "news.md", front_matter_article(
        "Moonfall Academy news", "The network renewed Moonfall Academy, and season 2 films next spring in Whitby."))
    for number, line in enumerate(["The harbour festival returns to Whitby in May.", "June Harper signs books at the library.",
                                   "Tom Ashby joins a stage play in London.", "The cafe by the pier reopens on Friday.",
                                   "Priya Dale talks about her first audition."]):
        write(tmp_path, f"other-{number}.md", front_matter_article(f"Other news {number}", line))
    answer = Engine.build(tmp_path).ask("has moonfall academy been renewed for season 2?")
    assert answer is not None and answer.article == "news.md", answer and answer.sentence


STARFALL = {
    "renewal.md": ("Starfall Station renewed for a third season", "2024-03-02",
                   "Paramount+ has renewed Starfall Station for a third season, the streamer announced on Friday.\n\n"
                   "The sci-fi drama, created by Dana Whitfield, follows the crew of a mining outpost on the edge of "
                   "the solar system.\n\nSeason three will begin filming in Vancouver this summer."),
    "cast.md": ("Meet the cast of Starfall Station", "2023-11-10",
                "Starfall Station stars Maya Okafor as Commander Lena Reyes and Tom Birch as engineer Felix Hale.\n\n"
                "The first season has ten episodes, each running about 50 minutes."),
    "speculation.md": ("Will Starfall Station get a third season?", "2023-12-01",
                       "If Paramount+ renews Starfall Station, a third season could arrive in 2025.\n\n"
                       "Fans have been campaigning online since the finale aired in November."),
}


@pytest.fixture(scope="module")
def starfall(tmp_path_factory) -> Engine:
    folder = tmp_path_factory.mktemp("starfall")
    for name, (title, date, body) in STARFALL.items():
        write(folder, name, front_matter_article(title, body, date=date))
    return Engine.build(folder)


def test_a_definite_report_beats_a_shorter_one_that_only_supposes(starfall: Engine) -> None:
    """BM25 favours the short "If Paramount+ renews..." line; asked yes or no, the report that says so wins."""
    answer = starfall.ask("is starfall station renewed?")
    assert answer is not None and answer.article == "renewal.md", answer and answer.sentence


def test_the_show_is_the_series_or_the_drama_an_article_talks_about(starfall: Engine) -> None:
    answer = starfall.ask("who created the show?")
    assert answer is not None and "created by Dana Whitfield" in answer.sentence
