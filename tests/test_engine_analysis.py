"""Text analysis: the ways fans write a question meet the way journalists wrote the answer."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.engine import Engine
from bot.engine.analysis import default_analyzer
from engine_helpers import CORPUS, copy_corpus, front_matter_article, write


@pytest.fixture(scope="module")
def tokens():
    return default_analyzer().tokens


@pytest.mark.parametrize(
    "variant, plain",
    [
        ("Is Season 2 CONFIRMED?!", "is season 2 confirmed"),
        ("WHO... plays -- Nick???", "who plays nick"),
        ("Nick’s mum", "Nick's mum"),
        ("“Heartstopper” – the ‘best’ show", '"Heartstopper" - the \'best\' show'),
        ("ＨＥＡＲＴＳＴＯＰＰＥＲ", "heartstopper"),  # full-width letters, as some keyboards type them
    ],
)
def test_case_punctuation_and_curly_quotes_are_folded(tokens, variant: str, plain: str) -> None:
    assert tokens(variant) == tokens(plain)
    assert tokens(plain)


def test_numbers_are_kept(tokens) -> None:
    found = tokens("Book sales rose 1700% in 2022, with 54 countries in the top 10")
    for number in ("1700", "2022", "54", "10"):
        assert number in found


@pytest.mark.parametrize("word", ["filmed", "filming", "films", "Filmed"])
def test_stemming_meets_inflections(tokens, word: str) -> None:
    assert tokens(word) == tokens("film")


@pytest.mark.parametrize("pair", [("renewing", "renewal"), ("episodes", "episode"), ("graphic novels", "graphic novel")])
def test_plural_and_verb_forms_meet(tokens, pair: tuple[str, str]) -> None:
    assert tokens(pair[0]) == tokens(pair[1])


@pytest.mark.parametrize(
    "variant",
    ["second season", "season two", "s2", "S2", "2nd season", "Season Two", "series 2", "series two", "season no. 2"],
)
def test_number_words_become_season_2(tokens, variant: str) -> None:
    assert tokens(variant) == tokens("season 2")


@pytest.mark.parametrize(
    "variant, canonical",
    [("episode eight", "episode 8"), ("e8", "episode 8"), ("fourth book", "book 4"), ("third volume", "volume 3"), ("first season", "season 1")],
)
def test_other_counted_things_get_digits(tokens, variant: str, canonical: str) -> None:
    assert tokens(variant) == tokens(canonical)


def test_a_list_of_seasons_counts_for_each(tokens) -> None:
    found = set(tokens("Netflix confirmed both a season 2 and 3"))
    assert set(tokens("season 3")) <= found
    assert set(tokens("season 2")) <= found


def test_one_on_its_own_is_not_a_number(tokens) -> None:
    assert "1" not in tokens("one of the best shows")


@pytest.mark.parametrize(
    "question",
    ["what is the", "Is it?", "hey does anyone know", "can you tell me please", "who what when where why how"],
)
def test_questions_of_only_stopwords_have_no_tokens(tokens, question: str) -> None:
    assert tokens(question) == []


def test_stopwords_do_not_change_the_tokens(tokens) -> None:
    assert tokens("hey guys, does anyone know who plays Nick?") == tokens("plays Nick")


@pytest.mark.parametrize("accented, plain", [("café", "cafe"), ("Pokémon", "pokemon")])
def test_accents_are_folded(tokens, accented: str, plain: str) -> None:
    assert tokens(accented) == tokens(plain)


def test_zalgo_marks_are_dropped(tokens) -> None:
    zalgo = "N\u0336\u0352i\u0335\u0308c\u0334\u0301k\u0337\u0316"
    assert tokens(zalgo) == tokens("Nick")


@pytest.mark.parametrize("group", [["renewed", "greenlit", "green-lit", "confirmed", "picked up", "renewal"], ["filmed", "shot", "shooting", "locations"]])
def test_builtin_synonyms_fold_onto_one_token(tokens, group: list[str]) -> None:
    assert all(tokens(word) == tokens(group[0]) for word in group)
    assert len(tokens(group[0])) == 1


def test_corpus_synonyms_file_is_used() -> None:
    analyzer = Engine.build(CORPUS).analyzer
    assert analyzer.tokens("hearstopper") == analyzer.tokens("heartstopper")
    assert analyzer.tokens("webcomic") == analyzer.tokens("graphic novel")


def test_an_admin_synonym_group_makes_a_new_word_find_the_passage(tmp_path: Path) -> None:
    article = front_matter_article(
        "Quidditch scenes",
        "The quidditch matches for the new season were recorded at the Leavesden studios near Watford, "
        "with the cast flying on rigs in front of green screens for six weeks.",
        source="Fan Post",
    )
    question = "where was broomball recorded?"

    plain = copy_corpus(CORPUS, tmp_path / "plain")
    write(plain, "quidditch.md", article)
    assert Engine.build(plain).ask(question) is None

    extended = copy_corpus(CORPUS, tmp_path / "extended")
    write(extended, "quidditch.md", article)
    synonyms = (CORPUS / "synonyms.yaml").read_text(encoding="utf-8") + "- [quidditch, broomball]\n"
    write(extended, "synonyms.yaml", synonyms)
    engine = Engine.build(extended)
    assert engine.errors == ()
    answer = engine.ask(question)
    assert answer is not None and answer.article == "quidditch.md" and "Leavesden" in answer.sentence


@pytest.mark.parametrize(
    "content, line",
    [("- [heartstopper, hearstopper]\n- [lonely]\n", 2), ("- [a, b]\n  - c: [\n", 2), ("renewed: greenlit\n", 1)],
    ids=["one-word-group", "bad-yaml", "not-a-list"],
)
def test_broken_synonyms_file_is_reported_with_its_line(tmp_path: Path, content: str, line: int) -> None:
    corpus = copy_corpus(CORPUS, tmp_path / "corpus")
    write(corpus, "synonyms.yaml", content)
    engine = Engine.build(corpus)
    errors = [e for e in engine.errors if e.path == "synonyms.yaml"]
    assert len(errors) == 1 and errors[0].line == line, [str(e) for e in engine.errors]
    assert len(engine.articles) == 5
    # the built-in synonyms still work
    assert engine.analyzer.tokens("greenlit") == engine.analyzer.tokens("renewed")
