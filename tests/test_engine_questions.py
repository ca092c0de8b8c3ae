"""Questions as typed in chat, what reads as a question, and what a reindex changed."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.engine import Engine, diff_corpus, looks_like_question
from bot.engine.questions import clean_question
from engine_helpers import CORPUS, copy_corpus, front_matter_article, write


@pytest.fixture(scope="module")
def engine() -> Engine:
    return Engine.build(CORPUS)


@pytest.mark.parametrize(
    "typed",
    [
        "\u202ewho plays nick?\u202c",
        "who\x00 plays\x1b nick?",
        "  who\tplays \n nick?  ",
        "who\u200b plays\u200d nick?\ufeff",
        "w\u0336h\u0336o\u0336 plays nick?",
    ],
    ids=["rtl-override", "control-chars", "whitespace", "zero-width", "strike-through-zalgo"],
)
def test_invisible_characters_do_not_change_the_answer(engine: Engine, typed: str) -> None:
    assert clean_question(typed) == "who plays nick?"
    assert engine.ask(typed).passage_id == engine.ask("who plays nick?").passage_id


@pytest.mark.parametrize(
    "message",
    [
        "is season 2 confirmed?",
        "does anyone know when season 3 comes out",
        "who plays nick in heartstopper",
        "hey, so where was heartstopper filmed?",
    ],
)
def test_chat_questions_look_like_questions(message: str) -> None:
    assert looks_like_question(message)


@pytest.mark.parametrize(
    "message",
    ["lol", "ok?", "hi everyone!", "I love this show so much", "nick and charlie forever", "", "🙂🙂🙂🙂🙂🙂?", "what?" + " blah" * 300],
)
def test_chatter_does_not_look_like_a_question(message: str) -> None:
    assert not looks_like_question(message)


def test_diff_corpus_names_added_removed_and_changed_articles(tmp_path: Path) -> None:
    corpus = copy_corpus(CORPUS, tmp_path / "corpus")
    before = Engine.build(corpus)
    (corpus / "j14-heartstopper-season-2-everything-we-know.md").unlink()
    changed = corpus / "hello-will-there-be-a-second-season-of-heartstopper.md"
    changed.write_text(changed.read_text(encoding="utf-8") + "\nA new paragraph added by the admin.\n", encoding="utf-8")
    write(corpus, "new-report.md", front_matter_article("New report", "Season 3 filming has begun in Kent."))
    after = Engine.build(corpus)
    diff = diff_corpus(before, after)
    assert diff.added == ("new-report.md",)
    assert diff.removed == ("j14-heartstopper-season-2-everything-we-know.md",)
    assert diff.changed == ("hello-will-there-be-a-second-season-of-heartstopper.md",)
    assert diff_corpus(after, Engine.build(corpus)) == type(diff)((), (), ())
