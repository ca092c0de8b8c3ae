"""Main text and metadata: found when the page states them, empty when it does not."""

from __future__ import annotations

import datetime as dt

import pytest

from bot.ingest.errors import ExtractError
from bot.ingest.extract import extract_fetched, extract_file, from_html
from bot.ingest.fetch import fetch
from ingest_fixtures import (
    CASTING_PARAGRAPHS,
    RENEWAL_PARAGRAPHS,
    SOUNDTRACK_PARAGRAPHS,
    links_only_page,
    markdown_article,
    no_metadata_page,
    og_jsonld_page,
    site,  # noqa: F401 - fixture
)


def test_opengraph_and_json_ld_give_every_field(site):  # noqa: F811
    got = extract_fetched(fetch(site.url("/news/renewal")))
    assert got.title == "Heartstopper renewed for seasons 2 and 3 at Netflix"
    assert got.source == "Screen Gazette"
    assert got.url == site.url("/news/renewal")
    assert got.date == dt.date(2022, 5, 20)
    for paragraph in RENEWAL_PARAGRAPHS:
        assert paragraph in got.text
    # site chrome stays out; the title is not repeated as the first paragraph
    for chrome in ("cookies", "newsletter", "Read more", "All rights reserved", "Ten shows like"):
        assert chrome not in got.text
    assert got.text.split("\n\n")[0] == RENEWAL_PARAGRAPHS[0]


def test_the_canonical_url_wins_over_the_address_fetched(site):  # noqa: F811
    site.page("/amp/renewal", og_jsonld_page("https://screengazette.example/tv/heartstopper-renewed"))
    got = extract_fetched(fetch(site.url("/amp/renewal?utm_source=share")))
    assert got.url == "https://screengazette.example/tv/heartstopper-renewed"


def test_a_printed_date_is_found_and_nothing_else_is_made_up(site):  # noqa: F811
    got = extract_fetched(fetch(site.url("/news/soundtrack")))
    assert got.title == "Who made the Heartstopper soundtrack?"
    assert got.date == dt.date(2022, 6, 14)
    assert got.source == ""  # the page names no publication; the host name is not one
    assert got.url == site.url("/news/soundtrack")  # where it was fetched from is known, not guessed
    assert SOUNDTRACK_PARAGRAPHS[1] in got.text


def test_a_page_without_metadata_stays_undated_and_unattributed(site):  # noqa: F811
    got = extract_fetched(fetch(site.url("/news/colman")))
    assert got.title == "Olivia Colman on playing Nick's mum in Heartstopper"
    # the footer's "© 2024" must not become 2024-01-01
    assert got.date is None
    assert got.source == ""
    assert CASTING_PARAGRAPHS[2] in got.text


def test_an_uploaded_html_file_has_no_url_unless_the_page_declares_one():
    got = extract_file("colman.html", no_metadata_page().encode())
    assert got.url is None
    declared = extract_file("renewal.htm", og_jsonld_page("https://screengazette.example/x").encode())
    assert declared.url == "https://screengazette.example/x"


def test_headings_inside_the_article_are_kept_as_markdown():
    html = og_jsonld_page("https://screengazette.example/x").replace(
        f"<p>{RENEWAL_PARAGRAPHS[2]}</p>", f"<h2>When does filming start?</h2><p>{RENEWAL_PARAGRAPHS[2]}</p>"
    )
    got = from_html(html)
    assert f"## When does filming start?\n\n{RENEWAL_PARAGRAPHS[2]}" in got.text


def test_an_index_of_links_is_not_an_article():
    with pytest.raises(ExtractError) as caught:
        from_html(links_only_page(), url="http://127.0.0.1/latest")
    assert caught.value.kind == "not-an-article"
    assert str(caught.value).startswith("not an article:")


@pytest.mark.parametrize("html", ["", "<html></html>", "not html at all", "<html><body><img src=x.png></body></html>"])
def test_empty_or_textless_html_is_not_an_article(html):
    with pytest.raises(ExtractError) as caught:
        from_html(html)
    assert caught.value.kind == "not-an-article"


def test_markdown_upload_keeps_its_front_matter():
    text = markdown_article("Kit Connor talks season two", RENEWAL_PARAGRAPHS, source="Teen Vogue", url="https://example.org/kit", date="2023-07-01")
    got = extract_file("kit.md", text.encode())
    assert (got.title, got.source, got.url, got.date) == ("Kit Connor talks season two", "Teen Vogue", "https://example.org/kit", dt.date(2023, 7, 1))
    assert got.text == "\n\n".join(RENEWAL_PARAGRAPHS)


def test_markdown_without_front_matter_takes_its_heading_as_title():
    got = extract_file("notes.md", ("# Paris trip facts\n\n" + "\n\n".join(RENEWAL_PARAGRAPHS)).encode())
    assert got.title == "Paris trip facts"
    assert (got.source, got.url, got.date) == ("", None, None)
    assert got.text.startswith(RENEWAL_PARAGRAPHS[0])


def test_plain_text_takes_its_first_line_as_title():
    body = "Heartstopper filming locations\r\n\r\n" + "\r\n\r\n".join(CASTING_PARAGRAPHS)
    got = extract_file("locations.txt", b"\xef\xbb\xbf" + body.encode())  # BOM and Windows line ends
    assert got.title == "Heartstopper filming locations"
    assert got.text == "\n\n".join(CASTING_PARAGRAPHS)


def test_text_served_over_http_keeps_the_address_as_url(site):  # noqa: F811
    got = extract_fetched(fetch(site.url("/notes.txt")))
    assert got.title == "Season two notes"
    assert got.url == site.url("/notes.txt")
    assert got.text == "The Paris trip is in season two."


@pytest.mark.parametrize(
    ("name", "data", "kind", "words"),
    [
        ("brochure.pdf", b"%PDF-1.4 ...", "unsupported-type", ".pdf"),
        ("photo", b"\x89PNG\r\n", "unsupported-type", "no extension"),
        ("binary.txt", b"title\n\x00\x01\x02", "unsupported-type", "binary"),
        ("latin1.txt", "Caf\u00e9 news\n\nSome text here.".encode("latin-1"), "bad-encoding", "UTF-8"),
        ("title-only.txt", b"Just a title\n", "not-an-article", "no text"),
        ("broken.md", b'---\ntitle: "unterminated\n---\nbody text', "bad-front-matter", "YAML"),
        ("open.md", b"---\ntitle: x\nbody text", "bad-front-matter", "closing"),
        ("baddate.md", b"---\ntitle: x\ndate: last tuesday\n---\nbody text", "bad-front-matter", "YYYY-MM-DD"),
        ("badurl.md", b'---\ntitle: x\nurl: "javascript:alert(1)"\n---\nbody text', "bad-front-matter", "http"),
    ],
)
def test_unusable_files_are_refused_with_the_reason(name, data, kind, words):
    with pytest.raises(ExtractError) as caught:
        extract_file(name, data)
    assert caught.value.kind == kind, str(caught.value)
    assert words in str(caught.value)
    assert "\n" not in str(caught.value)
