"""Passage splitting: each passage can answer on its own, fits a Discord message and knows where it came from."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest

from bot.engine import Engine
from bot.engine.passages import sentences
from engine_helpers import CORPUS, SEEDS, front_matter_article, write

MAX_PASSAGE_CHARS = 1000

CAST = [
    "Joe Locke as Charlie Spring",
    "Kit Connor as Nick Nelson",
    "Yasmin Finney as Elle Argent",
    "William Gao as Tao Xu",
    "Kizzy Edgell as Darcy Olsson",
    "Corinna Brown as Tara Jones",
    "Fisayo Akinade as Mr Ajayi",
]


def _folders() -> list[Path]:
    return [CORPUS] + ([SEEDS] if SEEDS.is_dir() else [])


@pytest.fixture(scope="module", params=_folders(), ids=lambda p: p.name)
def bundled(request) -> Engine:
    return Engine.build(request.param)


def test_question_heading_stays_with_its_answer(bundled: Engine) -> None:
    holding = [p for p in bundled.passages if "How many Heartstopper books are there?" in p.text]
    assert len(holding) == 1
    assert "four volumes" in holding[0].text
    answer = bundled.ask("How many Heartstopper books are there?")
    assert answer is not None and "four volumes" in answer.sentence


def test_no_passage_is_a_bare_heading(bundled: Engine) -> None:
    for passage in bundled.passages:
        lines = [line for line in passage.text.split("\n") if line.strip()]
        assert len(" ".join(lines)) > 120 or len(lines) > 1, f"passage {passage.id} is only {passage.text!r}"
        if passage.heading:
            body = passage.text[len(passage.heading):] if passage.text.startswith(passage.heading) else passage.text
            assert body.strip(), f"passage {passage.id} is its heading alone: {passage.text!r}"


def test_passages_fit_a_discord_message(bundled: Engine) -> None:
    assert max(len(p.text) for p in bundled.passages) <= MAX_PASSAGE_CHARS


def test_passages_are_faithful_to_the_article_and_lose_nothing(bundled: Engine) -> None:
    for article in bundled.articles:
        passages = [p for p in bundled.passages if p.article_id == article.id]
        joined = "\n".join(p.text for p in passages)
        for line in article.body.split("\n"):
            for sentence in sentences(line):
                assert sentence in joined, f"{article.id} lost {sentence!r}"
        for passage in passages:
            for line in passage.text.split("\n"):
                assert line in article.body, f"passage {passage.id} has text not in {article.id}: {line!r}"


def test_each_passage_knows_its_article_source_date_and_position(tmp_path: Path) -> None:
    paragraphs = [f"Paragraph {n} tells of the {word} scene, which is long enough to stand on its own. " * 6 for n, word in
                  enumerate(["garden", "train", "beach", "party", "museum"])]
    write(tmp_path, "a.md", front_matter_article("First", "\n\n".join(paragraphs), source="Radio Times",
                                                 url="https://example.org/a", date=dt.date(2022, 5, 19)))
    write(tmp_path, "b.txt", "Second headline\n\n" + "\n\n".join(paragraphs[:3]))
    engine = Engine.build(tmp_path)
    assert [p.id for p in engine.passages] == list(range(len(engine.passages)))
    by_article: dict[str, list] = {}
    for passage in engine.passages:
        by_article.setdefault(passage.article_id, []).append(passage)
    assert set(by_article) == {"a.md", "b.txt"}
    first = by_article["a.md"]
    assert len(first) >= 3
    assert [p.position for p in first] == list(range(len(first)))
    assert all((p.title, p.source, p.url, p.date) == ("First", "Radio Times", "https://example.org/a", dt.date(2022, 5, 19)) for p in first)
    # reading order: the garden comes before the museum
    assert "garden" in first[0].text and "museum" in first[-1].text
    second = by_article["b.txt"]
    assert [p.position for p in second] == list(range(len(second)))
    assert all((p.title, p.source, p.url, p.date) == ("Second headline", "b", None, None) for p in second)


def test_long_paragraphs_and_run_on_text_are_cut_to_size(tmp_path: Path) -> None:
    sentence_paragraph = " ".join(f"Sentence number {n} talks about the fourth season and its filming." for n in range(60))
    run_on = " ".join(["endless"] * 700)  # no sentence end at all
    write(tmp_path, "long.md", front_matter_article("Long", f"## A heading\n\n{sentence_paragraph}\n\n{run_on}"))
    write(tmp_path, "other.md", front_matter_article("Other", "Another article about something else entirely."))
    write(tmp_path, "third.md", front_matter_article("Third", "A third article so that the corpus has some variety."))
    engine = Engine.build(tmp_path)
    long_passages = [p for p in engine.passages if p.article_id == "long.md"]
    assert len(long_passages) >= 6
    assert all(len(p.text) <= MAX_PASSAGE_CHARS for p in long_passages)
    # sentence-bounded cuts: no passage starts or ends in the middle of a sentence of the first paragraph
    for passage in long_passages:
        if "Sentence number" in passage.text:
            body = passage.text.split("\n")[-1]
            assert body.startswith("Sentence number") and body.endswith("filming.")
    assert sum(p.text.count("endless") for p in long_passages) == 700


def test_markdown_heading_opens_its_passage_without_the_hashes(tmp_path: Path) -> None:
    body = "Intro paragraph about the show and its fans.\n\n## Where was it filmed?\n\nMostly in Herne Bay, Kent.\n\n## Who stars?\n\nKit Connor and Joe Locke."
    write(tmp_path, "a.md", front_matter_article("A", body))
    engine = Engine.build(tmp_path)
    texts = [p.text for p in engine.passages]
    assert "Where was it filmed?\nMostly in Herne Bay, Kent." in texts
    assert all("##" not in t for t in texts)


def test_two_headings_in_a_row_both_stay_with_the_text(tmp_path: Path) -> None:
    body = "Season 2 news\n\nWhen will it come out?\n\nNetflix said the second season arrives in August 2023, after filming last year."
    write(tmp_path, "a.md", front_matter_article("A", body))
    (passage,) = Engine.build(tmp_path).passages
    assert passage.text.startswith("Season 2 news\nWhen will it come out?\nNetflix said")


def test_cast_list_of_short_lines_stays_together(tmp_path: Path) -> None:
    body = "\n\n".join([
        "If the show is renewed, we can expect all of the main players to return for the next season of the show.",
        "Here is the full cast list:",
        *CAST,
        "So, there you have it. That is everything we know about the cast of the second season so far.",
    ])
    write(tmp_path, "cast.md", front_matter_article("Cast", body))
    engine = Engine.build(tmp_path)
    holding = [p for p in engine.passages if CAST[0] in p.text]
    assert len(holding) == 1
    missing = [line for line in CAST if line not in holding[0].text.split("\n")]
    assert not missing, f"cast lines split off the list: {missing}; passages: {[p.text for p in engine.passages]}"
    assert all(p.heading not in CAST for p in engine.passages)


def test_bundled_cast_list_is_one_passage() -> None:
    engine = Engine.build(CORPUS)
    (holding,) = [p for p in engine.passages if "Joe Locke as Charlie Spring" in p.text.split("\n")]
    cast_lines = [line for line in holding.text.split("\n") if re.fullmatch(r"[\w’' -]+ as [\w’' -]+", line)]
    assert "Olivia Coleman as Sarah Nelson" in cast_lines
    assert "Fisayo Akinade as Mr Ajayi" in cast_lines, "the list's last entry was split off as a heading"
