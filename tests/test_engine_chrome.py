"""Site chrome stripping: scraped links, prompts and bios never become answers; admins can add rules."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.engine import Engine
from bot.engine.cleaning import strip_chrome
from bot.engine.rules import load_rules
from engine_helpers import CORPUS, SEEDS, copy_corpus, front_matter_article, write


@pytest.fixture(scope="module")
def builtin():
    return load_rules(None).chrome


def test_opens_in_new_tab_is_removed_and_the_sentence_kept(builtin) -> None:
    text = "The drama brought Tinder Swindler (opens in new tab) and Inventing Anna (opens in new tab), based on comics."
    cleaned = strip_chrome(text, builtin)
    assert "opens in new tab" not in cleaned
    assert "The drama brought Tinder Swindler and Inventing Anna" in cleaned
    assert cleaned.endswith("based on comics.")


def test_bullets_left_empty_by_link_removal_are_dropped(builtin) -> None:
    text = "- (opens in new tab)\n- (opens in new tab)\nNetflix has aired the show."
    assert strip_chrome(text, builtin) == "Netflix has aired the show."


@pytest.mark.parametrize(
    "line",
    [
        "- Sign up to our newsletter Newsletter",
        "Sign up for the newsletter to get the latest news",
        "Love Heartstopper? Be sure to subscribe to our newsletter.",
        "Read more: Lucifer Season 7 Release Date: Will There Be Season 7 of Lucifer?",
        "Also read: Squid Games Season 3 Release Date: Will there be Squid Game season 3?",
        "READ MORE: The best teen dramas on Netflix",
        "Advertisement",
        "Follow us on Instagram for more",
        "By Ellie Hutchings • Published",
    ],
)
def test_chrome_lines_are_dropped_and_prose_around_them_kept(builtin, line: str) -> None:
    text = f"Nick and Charlie are back.\n{line}\nFilming starts in September."
    assert strip_chrome(text, builtin) == "Nick and Charlie are back.\nFilming starts in September."


@pytest.mark.parametrize(
    "line",
    [
        "Read more about the cast in our interview below.",
        "Readers left hundreds of comments after the premiere.",
        "Fans also read the comics again before the second season.",
        "The newsletter from the school appears in episode three.",
    ],
)
def test_prose_that_only_looks_like_chrome_is_kept(builtin, line: str) -> None:
    assert strip_chrome(f"Intro.\n{line}", builtin) == f"Intro.\n{line}"


def test_author_bio_and_the_sidebar_after_it_are_cut(builtin) -> None:
    text = (
        "Heartstopper is available to stream on Netflix now.\n"
        "Selina is a Senior Entertainment Writer with more than 15 years of experience in newspapers and "
        "magazines. She currently looks after all things Entertainment for Goodto.com.\n"
        "Love is Blind season 4 cast: Meet the 2023 couples and contestants\n"
        "Ninja Air Fryer MAX AF160UK review\n"
    )
    assert strip_chrome(text, builtin) == "Heartstopper is available to stream on Netflix now."


def test_comments_are_closed_ends_the_article(builtin) -> None:
    text = "The final paragraph.\n\nComments are closed.\nTrending: Squid Game season 3 news\n"
    assert strip_chrome(text, builtin) == "The final paragraph."


def test_scraper_date_stamp_is_removed_from_the_first_line(builtin) -> None:
    cleaned = strip_chrome("date 2022-04-26 Will there be a second season? Fans ask.", builtin)
    assert cleaned == "Will there be a second season? Fans ask."


# --- on the real corpus ---------------------------------------------------------------------

CHROME_WORDS = ("opens in new tab", "Squid", "Lucifer", "Selina", "Air Fryer", "Love is Blind", "Comments are closed", "newsletter")


@pytest.mark.parametrize("folder", [CORPUS, SEEDS], ids=["corpus", "raw-seeds"])
def test_no_passage_of_the_bundled_articles_carries_chrome(folder: Path) -> None:
    if not folder.is_dir():
        pytest.skip(f"{folder} is absent")
    engine = Engine.build(folder)
    for passage in engine.passages:
        for word in CHROME_WORDS:
            assert word.lower() not in passage.text.lower(), f"{word!r} left in {passage.article_id}: {passage.text[:120]!r}"


@pytest.mark.parametrize("folder", [CORPUS, SEEDS], ids=["corpus", "raw-seeds"])
@pytest.mark.parametrize(
    "question",
    ["when does squid game season 3 come out?", "will there be a squid game season 3?", "lucifer season 7 release date", "is there a season 7 of lucifer?"],
)
def test_other_shows_linked_from_the_articles_are_not_answered(folder: Path, question: str) -> None:
    if not folder.is_dir():
        pytest.skip(f"{folder} is absent")
    assert Engine.build(folder).ask(question) is None


def test_the_same_link_text_as_article_prose_would_be_answered(tmp_path: Path) -> None:
    """Control: the abstention above comes from the stripping, not from the engine being unable to answer."""
    corpus = copy_corpus(CORPUS, tmp_path / "corpus")
    write(corpus, "squid.md", front_matter_article(
        "Squid Game news", "Squid Games Season 3 Release Date: Will there be Squid Game season 3? Netflix says yes.",
    ))
    answer = Engine.build(corpus).ask("will there be a squid game season 3?")
    assert answer is not None and answer.article == "squid.md"


# --- admin rules in corpus/chrome.yaml --------------------------------------------------------

PROMO_ARTICLE = "\n\n".join([
    "Fanzine Weekly: click here to join our club for exclusive marmalade giveaways",
    "The third season of the show will be filmed in Kent this autumn, the producers confirmed on Monday.",
    "Producer Patrick Walters said the cast would return for the school trip storyline from the books.",
    "Paid partnership with Marmalade Co.",
    "Sponsored by our friends at the marmalade shop, with a discount code for readers.",
])


def _promo_corpus(folder: Path, chrome_yaml: str | None) -> Engine:
    corpus = copy_corpus(CORPUS, folder)
    write(corpus, "promo.md", front_matter_article("Season 3 filming in Kent", PROMO_ARTICLE, source="Fanzine"))
    if chrome_yaml is not None:
        write(corpus, "chrome.yaml", chrome_yaml)
    return Engine.build(corpus)


def _promo_text(engine: Engine) -> str:
    return "\n".join(p.text for p in engine.passages if p.article_id == "promo.md")


def test_admin_rules_in_corpus_chrome_yaml_are_applied(tmp_path: Path) -> None:
    before = _promo_corpus(tmp_path / "before", None)
    assert "click here" in _promo_text(before) and "Marmalade Co" in _promo_text(before)
    assert before.ask("marmalade giveaways club") is not None

    rules = (
        "remove_phrases:\n  - 'with a discount code for readers'\n"
        "drop_lines:\n  - '^fanzine weekly: click here.*$'\n"
        "cut_after:\n  - '^paid partnership with .*$'\n"
    )
    after = _promo_corpus(tmp_path / "after", rules)
    text = _promo_text(after)
    assert after.errors == ()
    assert "click here" not in text and "Marmalade Co" not in text and "Sponsored by" not in text
    assert "filmed in Kent" in text and "Patrick Walters" in text
    assert after.ask("marmalade giveaways club") is None
    # the built-in rules still apply alongside the admin's
    assert all("opens in new tab" not in p.text for p in after.passages)


@pytest.mark.parametrize(
    "chrome_yaml, line, needle",
    [
        ("# my rules\ndrop_lines:\n  - '^ok$'\n  - '[unclosed'\n", 4, "bad pattern"),
        ("drop_lines:\n  - '^ok$'\ncut_afterr:\n  - 'x'\n", 3, "unknown key"),
        ("drop_lines:\n  - 'a'\n - 'b'\n", 3, "yaml"),
    ],
    ids=["bad-regex", "misspelt-key", "bad-yaml"],
)
def test_broken_chrome_yaml_is_reported_with_line_and_defaults_still_apply(tmp_path: Path, chrome_yaml: str, line: int, needle: str) -> None:
    engine = _promo_corpus(tmp_path / "corpus", chrome_yaml)
    errors = [e for e in engine.errors if e.path == "chrome.yaml"]
    assert len(errors) == 1, [str(e) for e in engine.errors]
    assert errors[0].line == line and needle in errors[0].message.lower()
    assert str(errors[0]).startswith(f"chrome.yaml:{line}:")
    assert len(engine.articles) == 6
    assert all("opens in new tab" not in p.text and "Squid" not in p.text for p in engine.passages)
