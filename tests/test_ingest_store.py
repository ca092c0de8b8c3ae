"""Writing articles into the corpus: the file format, dedupe, and what is refused."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.engine import frontmatter as engine_frontmatter
from bot.ingest.errors import StoreError
from bot.ingest.extract import Extracted
from bot.ingest.frontmatter import clean_line, render_article
from bot.ingest.store import check_slug, normalize_url, save_article, slugify, undo
from ingest_fixtures import CASTING_PARAGRAPHS, RENEWAL_PARAGRAPHS, corpus  # noqa: F401 - fixture

RENEWAL = Extracted(
    title="Heartstopper renewed for seasons 2 and 3",
    source="Screen Gazette",
    url="https://screengazette.example/tv/renewed",
    date=dt.date(2022, 5, 20),
    text="\n\n".join(RENEWAL_PARAGRAPHS),
)


def test_a_new_article_is_written_in_the_corpus_format(corpus):  # noqa: F811
    saved = save_article(corpus, RENEWAL)
    assert (saved.action, saved.article_id, saved.matched_by) == ("created", "heartstopper-renewed-for-seasons-2-and-3.md", None)
    assert saved.path.read_text(encoding="utf-8") == (
        "---\n"
        'title: "Heartstopper renewed for seasons 2 and 3"\n'
        'source: "Screen Gazette"\n'
        'url: "https://screengazette.example/tv/renewed"\n'
        "date: 2022-05-20\n"
        "---\n" + "\n\n".join(RENEWAL_PARAGRAPHS) + "\n"
    )
    assert oct(saved.path.stat().st_mode & 0o777) == oct(0o644)
    assert not [p for p in corpus.iterdir() if p.name.startswith(".adding-")]


def test_unknown_metadata_is_written_empty_not_guessed(corpus):  # noqa: F811
    bare = Extracted(title="Joe Locke interview", source="", url=None, date=None, text="Joe Locke talks about playing Charlie.")
    text = save_article(corpus, bare).path.read_text(encoding="utf-8")
    assert 'source: ""\nurl: null\ndate: null\n' in text


def test_same_url_updates_the_existing_file_in_place(corpus):  # noqa: F811
    first = save_article(corpus, RENEWAL)
    revised = Extracted(
        title="Heartstopper renewed (updated)",
        source="",
        url="http://www.screengazette.example/tv/renewed/?utm_source=twitter#comments",
        date=None,
        text=RENEWAL.text + "\n\nUpdate: filming has now started.",
    )
    second = save_article(corpus, revised)
    assert (second.path, second.action, second.matched_by) == (first.path, "updated", "url")
    content = second.path.read_text(encoding="utf-8")
    assert "filming has now started" in content
    assert 'title: "Heartstopper renewed (updated)"' in content
    # what the new copy does not state is kept from the file, not blanked
    assert 'source: "Screen Gazette"' in content and "date: 2022-05-20" in content
    assert sorted(p.name for p in corpus.glob("*.md")) == ["colman.md", first.path.name, "soundtrack.md"]


def test_same_text_under_another_url_is_recognised(corpus):  # noqa: F811
    first = save_article(corpus, RENEWAL)
    mirror = Extracted(
        title="Netflix renews Heartstopper",
        source="Aggregator",
        url="https://aggregator.example/heartstopper",
        date=None,
        text=RENEWAL.text.upper().replace("\n\n", "\n"),  # case and line wrapping differ, the words do not
    )
    second = save_article(corpus, mirror)
    assert (second.path, second.action, second.matched_by) == (first.path, "updated", "text")
    assert 'url: "https://screengazette.example/tv/renewed"' in second.path.read_text(encoding="utf-8")
    assert len(list(corpus.glob("*.md"))) == 3


def test_the_same_article_twice_changes_nothing(corpus):  # noqa: F811
    first = save_article(corpus, RENEWAL)
    before = first.path.stat().st_mtime_ns
    again = save_article(corpus, RENEWAL)
    assert (again.action, again.path) == ("unchanged", first.path)
    assert first.path.stat().st_mtime_ns == before


def test_a_slug_belonging_to_a_different_article_is_refused(corpus):  # noqa: F811
    other = Extracted(title="Olivia Colman", source="", url=None, date=None, text="Different words entirely about another story.")
    before = (corpus / "colman.md").read_bytes()
    with pytest.raises(StoreError) as caught:
        save_article(corpus, other, slug="colman")
    assert caught.value.kind == "slug-taken"
    assert "colman.md" in str(caught.value) and "Olivia Colman on playing Nick's mum" in str(caught.value)
    assert (corpus / "colman.md").read_bytes() == before


@pytest.mark.parametrize("slug", ["../escape", "/etc/passwd", "sub/dir", "..", ".hidden", "UPPER", "a b", ""])
def test_slugs_that_could_leave_the_corpus_are_refused(corpus, slug):  # noqa: F811
    with pytest.raises(StoreError) as caught:
        save_article(corpus, RENEWAL, slug=slug)
    assert caught.value.kind == "unsafe-path"
    assert not (corpus.parent / "escape.md").exists()


def test_a_symlink_in_the_way_is_refused_and_its_target_untouched(corpus, tmp_path):  # noqa: F811
    outside = tmp_path / "outside.md"
    outside.write_text("precious", encoding="utf-8")
    os.symlink(outside, corpus / "heartstopper-renewed-for-seasons-2-and-3.md")
    with pytest.raises(StoreError) as caught:
        save_article(corpus, RENEWAL)
    assert caught.value.kind == "unsafe-path"
    assert outside.read_text(encoding="utf-8") == "precious"


def test_an_article_reached_through_a_symlink_leading_outside_is_not_updated(corpus, tmp_path):  # noqa: F811
    outside = tmp_path / "elsewhere.md"
    outside.write_text(render_article(RENEWAL.title, "", RENEWAL.url, None, "old text"), encoding="utf-8")
    os.symlink(outside, corpus / "linked.md")
    saved = save_article(corpus, RENEWAL)
    assert saved.path.name != "linked.md"
    assert "old text" in outside.read_text(encoding="utf-8")


def test_a_missing_corpus_folder_is_an_error_not_created(tmp_path):
    with pytest.raises(StoreError) as caught:
        save_article(tmp_path / "no-such-corpus", RENEWAL)
    assert caught.value.kind == "no-corpus"
    assert not (tmp_path / "no-such-corpus").exists()


def test_undo_restores_the_corpus(corpus):  # noqa: F811
    created = save_article(corpus, RENEWAL)
    undo(created)
    assert not created.path.exists()
    original = (corpus / "colman.md").read_bytes()
    updated = save_article(corpus, Extracted("t", "", None, None, (corpus / "colman.md").read_text().split("---\n", 2)[2] + "\n\nMore."))
    assert updated.action == "created"  # text differs: a new article, the old one untouched
    undo(updated)
    same_text = Extracted("New title", "", None, None, "\n\n".join(CASTING_PARAGRAPHS))
    updated = save_article(corpus, same_text)
    assert (updated.action, updated.path.name) == ("updated", "colman.md")
    undo(updated)
    assert (corpus / "colman.md").read_bytes() == original


@pytest.mark.parametrize(
    ("title", "slug"),
    [
        ("Heartstopper season 2: everything we know", "heartstopper-season-2-everything-we-know"),
        ("Kit Connor’s “coming out” post — explained!", "kit-connors-coming-out-post-explained"),
        ("Nick's mum isn't surprised", "nicks-mum-isnt-surprised"),
        ("Élodie & Zoë: Les Misérables", "elodie-zoe-les-miserables"),
        ("../../etc/passwd", "etc-passwd"),
        ("🌈💖", ""),
    ],
)
def test_slugify(title, slug):
    assert slugify(title) == slug


def test_long_titles_are_cut_at_a_word():
    slug = slugify("word " * 40)
    assert len(slug) <= 80 and not slug.endswith("-") and slug.endswith("word")


def test_an_article_without_a_usable_title_gets_a_slug_from_its_url(corpus):  # noqa: F811
    emoji = Extracted("🌈💖", "", "https://example.org/news/season-two-dates.html", None, "Text about season two dates.")
    assert save_article(corpus, emoji).article_id == "season-two-dates.md"


def test_check_slug_accepts_a_plain_name_with_or_without_md():
    assert check_slug("my-article") == "my-article"
    assert check_slug("my_article.md") == "my_article"


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("https://www.Example.org/a/b/", "http://example.org/a/b"),
        ("https://example.org/a?utm_source=x&id=3#top", "https://example.org/a?id=3"),
        ("https://example.org:443/a", "https://example.org/a"),
    ],
)
def test_links_to_the_same_page_normalise_alike(a, b):
    assert normalize_url(a) == normalize_url(b)


def test_different_pages_do_not_normalise_alike():
    assert normalize_url("https://example.org/a?id=3") != normalize_url("https://example.org/a?id=4")
    assert normalize_url("https://example.org:8080/a") != normalize_url("https://example.org/a")


@settings(max_examples=200, deadline=None)
@given(
    title=st.text(min_size=1, max_size=80),
    source=st.text(max_size=40),
    url=st.none() | st.from_regex(r"https://[a-z]{1,10}\.example/[a-zA-Z0-9_\-/?=&%#:'\"]{0,30}", fullmatch=True),
    date=st.none() | st.dates(min_value=dt.date(1990, 1, 1), max_value=dt.date(2030, 12, 31)),
)
def test_any_metadata_written_reads_back_the_same_through_the_engine(title, source, url, date):
    text = render_article(title, source, url, date, "Body text.")
    parsed = engine_frontmatter.parse(text)
    assert (parsed.title, parsed.source, parsed.url, parsed.date) == (clean_line(title), clean_line(source), url, date)
    assert parsed.body.strip() == "Body text."


def test_clean_line_drops_what_yaml_cannot_hold():
    assert clean_line("a\u2028b\tc\x00d\x85e  \n f\ud800") == "a b cd e f"


def test_two_admins_adding_the_same_article_at_once_get_one_file(corpus):  # noqa: F811
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(max_workers=4) as pool:
        results = list(pool.map(lambda _: save_article(corpus, RENEWAL), range(4)))
    assert sorted(r.action for r in results) == ["created", "unchanged", "unchanged", "unchanged"]
    assert len({r.path for r in results}) == 1
    assert len(list(corpus.glob("*.md"))) == 3
