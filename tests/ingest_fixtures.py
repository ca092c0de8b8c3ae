"""A small web site on 127.0.0.1 for the ingestion tests, and the pages it serves.

The pages imitate saved news pages: navigation, footers and cookie notes
around the article, metadata declared in different ways (OpenGraph plus
JSON-LD, only a printed date, nothing at all).  Misbehaving routes cover what
real servers do to a fetcher: 404, never answering, 20 MB bodies, PDFs.
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Callable, Iterator

import pytest

# --- article texts (written for these tests) -------------------------------------------

RENEWAL_PARAGRAPHS = [
    "Netflix has renewed Heartstopper for a second and third season, the streamer confirmed on Friday, "
    "weeks after the teen romance became one of its most watched English-language series.",
    "The announcement came with a short video in which Kit Connor and Joe Locke, who play Nick Nelson and "
    "Charlie Spring, read a letter from creator Alice Oseman thanking fans for their support.",
    "Filming for the second season will take place in Kent in the autumn, with most of the original cast "
    "expected to return to Truham Grammar School and the Higgs school sets.",
    "Oseman, who writes every episode, said the new season would follow the Paris school trip from the "
    "third volume of her graphic novels, a storyline readers have long asked to see on screen.",
]

SOUNDTRACK_PARAGRAPHS = [
    "The Heartstopper soundtrack was put together by music supervisor Matt Biffa, who wanted songs that "
    "sounded like the inside of a teenager's bedroom playlist.",
    "Artists on the album include Baby Queen, Wolf Alice and Chvrches, while the theme of the opening titles "
    "is a gentle instrumental piece by composer Adiescar Chase.",
    "Baby Queen also wrote a new song for the series after reading the graphic novels, and it plays over "
    "the rugby match in the second episode.",
    "The full soundtrack is available on streaming services, and a vinyl pressing is planned for collectors "
    "who want the songs from the show in one place.",
]

CASTING_PARAGRAPHS = [
    "Olivia Colman plays Nick's mother Sarah Nelson in Heartstopper, a casting that surprised many viewers "
    "when the first trailer was released.",
    "The Oscar winner said she agreed to the role because her own children loved the books, and she filmed "
    "all of her scenes in just a few days during the summer shoot.",
    "Her scene with Kit Connor in the final episode, in which Nick comes out to his mother, has been praised "
    "by critics as one of the most tender moments of the series.",
    "Colman is expected to return for the second season, although Netflix has not confirmed how many "
    "episodes she will appear in.",
]

CHROME_TOP = """<header><nav><a href="/">Home</a> | <a href="/tv">TV</a> | <a href="/film">Film</a> |
<a href="/newsletter">Sign up to our newsletter</a></nav></header>
<div class="cookie-banner">We use cookies to improve your experience. <button>Accept all</button></div>"""
CHROME_BOTTOM = """<aside class="related"><h3>Read more</h3><ul><li><a href="/a">Ten shows like Heartstopper</a></li>
<li><a href="/b">The best Netflix series of the year</a></li></ul></aside>
<footer><p>© 2024 Example Media Ltd. All rights reserved.</p><a href="/privacy">Privacy policy</a></footer>"""


def _article_html(head: str, title: str, paragraphs: list[str], byline: str = "") -> str:
    body = "\n".join(f"<p>{p}</p>" for p in paragraphs)
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">{head}</head>
<body>{CHROME_TOP}
<main><article><h1>{title}</h1>{byline}
{body}
</article></main>
{CHROME_BOTTOM}
</body></html>"""


def og_jsonld_page(canonical: str) -> str:
    """An article declaring everything: OpenGraph, a canonical link and JSON-LD NewsArticle."""
    title = "Heartstopper renewed for seasons 2 and 3 at Netflix"
    ld = {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "headline": title,
        "datePublished": "2022-05-20T09:30:00+01:00",
        "publisher": {"@type": "Organization", "name": "Screen Gazette"},
        "mainEntityOfPage": canonical,
    }
    head = f"""<title>{title} | Screen Gazette</title>
<link rel="canonical" href="{canonical}">
<meta property="og:title" content="{title}">
<meta property="og:site_name" content="Screen Gazette">
<meta property="og:url" content="{canonical}">
<meta property="og:type" content="article">
<meta property="article:published_time" content="2022-05-20T09:30:00+01:00">
<script type="application/ld+json">{json.dumps(ld)}</script>"""
    return _article_html(head, title, RENEWAL_PARAGRAPHS)


def visible_date_page() -> str:
    """Only a printed date under the headline: no meta tags, no JSON-LD, no canonical link."""
    title = "Who made the Heartstopper soundtrack?"
    byline = '<p class="byline">By Sam Writer</p><p class="date">Published 14 June 2022</p>'
    return _article_html(f"<title>{title}</title>", title, SOUNDTRACK_PARAGRAPHS, byline)


def no_metadata_page() -> str:
    """A headline and paragraphs, nothing else: title only from the page, no site, no date."""
    title = "Olivia Colman on playing Nick's mum in Heartstopper"
    return _article_html(f"<title>{title}</title>", title, CASTING_PARAGRAPHS)


def links_only_page() -> str:
    """An index page: navigation and link lists, no article text."""
    links = "".join(f'<li><a href="/story/{n}">Story number {n}</a></li>' for n in range(12))
    return f"<html><head><title>Latest news</title></head><body>{CHROME_TOP}<ul>{links}</ul>{CHROME_BOTTOM}</body></html>"


def markdown_article(title: str, paragraphs: list[str], *, source: str = "", url: str | None = None, date: str | None = None) -> str:
    """A corpus-style .md file, as an admin would upload one."""
    front = [
        "---",
        f'title: "{title}"',
        f'source: "{source}"',
        f'url: "{url}"' if url else "url: null",
        f"date: {date or 'null'}",
        "---",
    ]
    return "\n".join(front) + "\n" + "\n\n".join(paragraphs) + "\n"


def seed_corpus(folder: Path) -> Path:
    """A corpus of two unrelated articles, so the engine has something to compare a new article with."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "soundtrack.md").write_text(
        markdown_article("Who made the Heartstopper soundtrack?", SOUNDTRACK_PARAGRAPHS, source="Music Weekly", date="2022-06-14"),
        encoding="utf-8",
    )
    (folder / "colman.md").write_text(
        markdown_article("Olivia Colman on playing Nick's mum", CASTING_PARAGRAPHS, source="Film Post", date="2022-04-28"),
        encoding="utf-8",
    )
    return folder


# --- the local web site ----------------------------------------------------------------

HUGE_BYTES = 20 * 1024 * 1024
HANG_LIMIT_S = 20.0  # a hanging route gives up by itself after this, so no thread outlives the test run by much


@dataclass
class Route:
    status: int = 200
    content_type: str | None = "text/html; charset=utf-8"
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    stream: Callable[["_Handler"], None] | None = None  # writes the body itself


class _Handler(BaseHTTPRequestHandler):
    server: "_Server"

    def log_message(self, format: str, *args: object) -> None:  # keep pytest output clean
        pass

    def do_GET(self) -> None:  # noqa: N802 - http.server naming
        self.server.hits.append(self.path)
        route = self.server.routes.get(self.path.split("?")[0])
        if route is None:
            route = Route(404, "text/html", b"<html><body><h1>Not found</h1></body></html>")
        if route.stream is not None:
            route.stream(self)
            return
        self.send_response(route.status)
        if route.content_type:
            self.send_header("Content-Type", route.content_type)
        for key, value in route.headers.items():
            self.send_header(key, value)
        self.send_header("Content-Length", str(len(route.body)))
        self.end_headers()
        try:
            self.wfile.write(route.body)
        except (BrokenPipeError, ConnectionResetError):
            pass


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.routes: dict[str, Route] = {}
        self.hits: list[str] = []
        self.stop = threading.Event()


def _hang(handler: _Handler) -> None:
    """Accept the connection and never answer (until the test run tears the server down)."""
    handler.server.stop.wait(HANG_LIMIT_S)


def _huge(declare_length: bool) -> Callable[[_Handler], None]:
    def write(handler: _Handler) -> None:
        handler.send_response(200)
        handler.send_header("Content-Type", "text/html")
        if declare_length:
            handler.send_header("Content-Length", str(HUGE_BYTES))
        handler.end_headers()
        chunk = b"<p>" + b"x" * (64 * 1024 - 7) + b"</p>\n"
        try:
            for _ in range(HUGE_BYTES // len(chunk) + 1):  # bounded: 20 MB at most
                if handler.server.stop.is_set():
                    return
                handler.wfile.write(chunk)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client stopped reading: exactly what the size limit should do

    return write


@dataclass
class Site:
    server: _Server

    @property
    def base(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}"

    def url(self, path: str) -> str:
        return self.base + path

    def add(self, path: str, route: Route) -> str:
        self.server.routes[path] = route
        return self.url(path)

    def page(self, path: str, html: str) -> str:
        return self.add(path, Route(body=html.encode("utf-8")))


def _standard_routes(site: Site) -> None:
    site.page("/news/renewal", og_jsonld_page(site.url("/news/renewal")))
    site.page("/news/soundtrack", visible_date_page())
    site.page("/news/colman", no_metadata_page())
    site.page("/latest", links_only_page())
    site.add("/hang", Route(stream=_hang))
    site.add("/huge", Route(stream=_huge(declare_length=False)))
    site.add("/huge-declared", Route(stream=_huge(declare_length=True)))
    site.add("/brochure.pdf", Route(content_type="application/pdf", body=b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n"))
    site.add("/notes.txt", Route(content_type="text/plain; charset=utf-8", body="Season two notes\n\nThe Paris trip is in season two.\n".encode()))
    site.add("/moved", Route(status=301, content_type=None, headers={"Location": "/news/renewal"}))
    site.add("/to-file", Route(status=302, content_type=None, headers={"Location": "file:///etc/passwd"}))
    site.add("/server-error", Route(status=500, content_type="text/html", body=b"<h1>Oops</h1>"))


@pytest.fixture
def site() -> Iterator[Site]:
    server = _Server()
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    result = Site(server)
    _standard_routes(result)
    try:
        yield result
    finally:
        server.stop.set()
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    return seed_corpus(tmp_path / "corpus")


def closed_port() -> int:
    """A loopback port nothing listens on (bound then released), for 'unreachable'."""
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]
