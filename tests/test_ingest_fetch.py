"""Downloading a page: what arrives, and the one-line reason when nothing can."""

from __future__ import annotations

import time

import pytest

from bot.ingest.errors import FetchError
from bot.ingest.fetch import fetch, fetch_async, parse_content_type
from ingest_fixtures import HUGE_BYTES, Route, closed_port, site  # noqa: F401 - fixture


def test_fetches_an_html_page_with_its_type_and_charset(site):  # noqa: F811
    got = fetch(site.url("/news/renewal"))
    assert got.media_type == "text/html"
    assert got.charset == "utf-8"
    assert got.kind == "html"
    assert b"Heartstopper renewed for seasons 2 and 3" in got.body


def test_follows_redirects_and_reports_the_final_address(site):  # noqa: F811
    got = fetch(site.url("/moved"))
    assert got.url == site.url("/news/renewal")
    assert b"Kit Connor" in got.body


async def test_async_fetch_gets_the_same_page(site):  # noqa: F811
    sync = fetch(site.url("/moved"))
    got = await fetch_async(site.url("/moved"))
    assert (got.url, got.media_type, got.charset, got.body) == (sync.url, sync.media_type, sync.charset, sync.body)


@pytest.mark.parametrize(
    ("path", "kind", "words"),
    [
        ("/missing-page", "http-status", "HTTP 404"),
        ("/server-error", "http-status", "HTTP 500"),
        ("/brochure.pdf", "unsupported-type", "application/pdf"),
        ("/huge", "too-large", "more than 1,000,000 bytes"),
        ("/huge-declared", "too-large", "more than 1,000,000 bytes"),
        ("/to-file", "bad-url", "only http:// and https://"),
    ],
)
async def test_refusals_are_one_clear_line_in_both_fetchers(site, path, kind, words):  # noqa: F811
    for attempt in ("sync", "async"):
        with pytest.raises(FetchError) as caught:
            if attempt == "sync":
                fetch(site.url(path), max_bytes=1_000_000)
            else:
                await fetch_async(site.url(path), max_bytes=1_000_000)
        message = str(caught.value)
        assert caught.value.kind == kind, (attempt, message)
        assert words in message, (attempt, message)
        assert "\n" not in message


async def test_a_twenty_megabyte_page_is_cut_off_while_streaming(site):  # noqa: F811
    # the default limit (5 MB) is far below the 20 MB body, and no Content-Length warns us
    with pytest.raises(FetchError) as caught:
        fetch(site.url("/huge"))
    assert caught.value.kind == "too-large"
    with pytest.raises(FetchError) as caught:
        await fetch_async(site.url("/huge"))
    assert caught.value.kind == "too-large"


async def test_a_server_that_never_answers_is_given_up_on_after_the_timeout(site):  # noqa: F811
    for attempt in ("sync", "async"):
        started = time.monotonic()
        with pytest.raises(FetchError) as caught:
            if attempt == "sync":
                fetch(site.url("/hang"), timeout=0.5)
            else:
                await fetch_async(site.url("/hang"), timeout=0.5)
        assert caught.value.kind == "timeout"
        assert "did not answer within 0.5 s" in str(caught.value)
        # the hanging route only lets go after 20 s: returning well before proves the timeout fired
        assert time.monotonic() - started < 10


async def test_nothing_listening_is_unreachable():
    url = f"http://127.0.0.1:{closed_port()}/article"
    with pytest.raises(FetchError) as caught:
        fetch(url, timeout=2)
    assert caught.value.kind == "unreachable"
    assert url in str(caught.value)
    with pytest.raises(FetchError) as caught:
        await fetch_async(url, timeout=2)
    assert caught.value.kind == "unreachable"


@pytest.mark.parametrize("url", ["ftp://127.0.0.1/file.html", "file:///etc/passwd", "127.0.0.1/page", "http:///no-host"])
async def test_only_http_links_are_accepted(url):
    with pytest.raises(FetchError) as caught:
        fetch(url)
    assert caught.value.kind == "bad-url"
    with pytest.raises(FetchError) as caught:
        await fetch_async(url)
    assert caught.value.kind == "bad-url"


def test_plain_text_pages_are_accepted_as_text(site):  # noqa: F811
    got = fetch(site.url("/notes.txt"))
    assert got.kind == "text"


def test_a_server_without_content_type_is_read_as_html(site):  # noqa: F811
    site.add("/untyped", Route(content_type=None, body=b"<html><body><p>hello</p></body></html>"))
    got = fetch(site.url("/untyped"))
    assert (got.media_type, got.kind) == ("", "html")


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("text/html; charset=ISO-8859-1", ("text/html", "ISO-8859-1")),
        ('Text/HTML;Charset="utf-8"', ("text/html", "utf-8")),
        ("application/pdf", ("application/pdf", None)),
        (None, ("", None)),
    ],
)
def test_content_type_header_parsing(header, expected):
    assert parse_content_type(header) == expected


async def test_a_large_page_under_a_raised_limit_arrives_whole(site):  # noqa: F811
    # the same 20 MB route downloads completely when the limit allows it: the refusals above come from the limit
    got = fetch(site.url("/huge"), max_bytes=HUGE_BYTES + 1_000_000)
    assert len(got.body) >= HUGE_BYTES
    got_async = await fetch_async(site.url("/huge"), max_bytes=HUGE_BYTES + 1_000_000)
    assert len(got_async.body) == len(got.body)


async def test_links_with_non_ascii_paths_are_fetched(site):  # noqa: F811
    site.page("/caf%C3%A9-news", "<html><body><p>Café news.</p></body></html>")
    assert b"Caf" in fetch(site.url("/café-news")).body
    assert b"Caf" in (await fetch_async(site.url("/café-news"))).body
