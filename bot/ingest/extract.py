"""From downloaded or uploaded bytes to an article: main text plus what is known about it.

HTML goes through trafilatura, which finds the main text (menus, footers and
"read more" boxes left out) and the metadata a page declares: title, site
name, canonical url and date (via htmldate).  Markdown and plain text are
taken as written.  The rule throughout: a value the page does not state stays
empty, because a wrong date or publication shown to fans is worse than none.
"""

from __future__ import annotations

import datetime as dt
import re
import urllib.parse
from dataclasses import dataclass
from pathlib import PurePath
from typing import TYPE_CHECKING, Any

from bot.ingest.errors import ExtractError
from bot.ingest.frontmatter import clean_body, clean_line, read_front_matter

if TYPE_CHECKING:
    from bot.ingest.fetch import Fetched

# Fewer words of prose than this in trafilatura's main text means a login
# wall, a video page or an index of links: nothing a fan's question could be
# answered from.  Prose = paragraphs with a sentence ending in them; menus and
# link lists that the extractor's fallbacks sometimes return have none.
MIN_HTML_WORDS = 40
_SENTENCE_END = re.compile(r"[.!?…][\"'”’)]*(\s|$)")
HTML_SUFFIXES = {".html", ".htm", ".xhtml"}
TEXT_SUFFIXES = {".md", ".markdown", ".txt"}


@dataclass(frozen=True, slots=True)
class Extracted:
    """An article ready to be stored; unknown metadata is "" or None, never a guess."""

    title: str
    source: str
    url: str | None
    date: dt.date | None
    text: str  # paragraphs separated by blank lines

    @property
    def words(self) -> int:
        return len(self.text.split())


def decode_text(data: bytes, charset: str | None = None, name: str = "the file") -> str:
    """Text files must be text: UTF-8 (with or without BOM) or the charset the server declared."""
    if b"\x00" in data[:4096]:
        raise ExtractError(f"unsupported type: {name} is a binary file, not text", "unsupported-type")
    for encoding in ("utf-8-sig", charset):
        if not encoding:
            continue
        try:
            return data.decode(encoding)
        except (UnicodeDecodeError, LookupError):
            continue
    raise ExtractError(f"{name} is not UTF-8 text; save it as UTF-8 and try again", "bad-encoding")


# --- HTML -----------------------------------------------------------------------------


def _text_of(element: Any) -> str:
    return " ".join(" ".join(element.itertext()).split())


def _same_words(a: str, b: str) -> bool:
    def norm(s: str) -> str:
        return " ".join(re.findall(r"\w+", s.casefold()))

    return bool(a) and norm(a) == norm(b)


def _blocks(body: Any, title: str) -> list[str]:
    """trafilatura's cleaned XML body as Markdown-ish paragraphs.

    Headings keep a ``#`` marker so passages can be grouped under them; the
    leading heading that merely repeats the title is dropped.
    """
    blocks: list[str] = []
    for element in body:
        tag = element.tag
        if tag == "head":
            text = _text_of(element)
            if not blocks and _same_words(text, title):
                continue
            level = (element.get("rend") or "h2").lstrip("h")
            hashes = "#" * min(int(level) if level.isdigit() else 2, 6)
            block = f"{hashes} {text}" if text else ""
        elif tag == "list":
            items = [_text_of(item) for item in element.iter("item")]
            block = "\n".join(f"- {item}" for item in items if item)
        elif tag == "table":
            rows = [" | ".join(_text_of(cell) for cell in row.iter("cell")) for row in element.iter("row")]
            block = "\n".join(row for row in rows if row.strip(" |"))
        elif tag == "graphic":
            continue
        else:  # p, quote, code and anything trafilatura adds later
            block = _text_of(element)
        if block:
            blocks.append(block)
    return blocks


def _domain_of(url: str | None) -> str:
    host = urllib.parse.urlsplit(url or "").netloc.lower()
    return host[4:] if host.startswith("www.") else host


def _known_sitename(sitename: str | None, url: str | None) -> str:
    """trafilatura falls back to the url's host name when a page names no site; that is not a publication name."""
    name = clean_line(sitename or "")
    if name and url and name.lower() == _domain_of(url):
        return ""
    return name


def _visible_date(html: Any, url: str | None, today: str) -> dt.date | None:
    """A date printed in the page text, when the markup declares none.

    htmldate's extensive search falls back to copyright years and lone years
    (returned as YYYY-01-01) or month names (YYYY-MM-01); those are guesses of
    the day, so a first-of-month result from this pass is dropped.
    """
    from htmldate import find_date

    found = find_date(html, extensive_search=True, original_date=True, url=url, max_date=today)
    if not found:
        return None
    date = dt.date.fromisoformat(found)
    return None if date.day == 1 else date


def from_html(content: bytes | str, *, url: str | None = None, charset: str | None = None, name: str | None = None) -> Extracted:
    """Main text and declared metadata of an HTML page (``url``: where it was fetched from, if it was)."""
    import trafilatura

    where = name or url or "the page"
    if isinstance(content, bytes) and charset:
        try:
            content = content.decode(charset)
        except (UnicodeDecodeError, LookupError):
            pass  # let trafilatura sniff the encoding from the bytes
    today = dt.date.today().isoformat()
    try:
        doc = trafilatura.bare_extraction(
            content,
            url=url,
            with_metadata=True,
            include_comments=False,
            include_images=False,
            include_links=False,
            include_formatting=False,
            date_extraction_params={"extensive_search": False, "original_date": True, "max_date": today},
        )
    except (ValueError, TypeError) as err:  # unparsable markup
        raise ExtractError(f"not an article: {where} could not be read as HTML ({err})", "not-an-article") from None
    if doc is None or doc.body is None:
        raise ExtractError(f"not an article: no main text found in {where}", "not-an-article")
    title = clean_line(doc.title or "")
    blocks = _blocks(doc.body, title)
    prose_words = sum(len(block.split()) for block in blocks if _SENTENCE_END.search(block))
    if prose_words < MIN_HTML_WORDS:
        raise ExtractError(
            f"not an article: no main text found in {where} ({prose_words} words of sentences, at least {MIN_HTML_WORDS} needed)",
            "not-an-article",
        )
    text = clean_body("\n\n".join(blocks))
    canonical = doc.url or url
    date = dt.date.fromisoformat(doc.date) if doc.date else _visible_date(content, canonical, today)
    return Extracted(title=title, source=_known_sitename(doc.sitename, canonical), url=canonical, date=date, text=text)


# --- Markdown and plain text ----------------------------------------------------------


def from_plain(text: str, *, name: str = "the file") -> Extracted:
    """A .md or .txt article: front matter kept when present, else the first line is the title."""
    meta = read_front_matter(text)
    if meta is not None:
        title, source, url, date, body = meta.title, meta.source, meta.url, meta.date, clean_body(meta.body)
    else:
        title, source, url, date, body = "", "", None, None, clean_body(text.lstrip("\ufeff"))
    title = clean_line(title)
    if not title:
        first, _, rest = body.partition("\n")
        title, body = clean_line(first.lstrip("#")), clean_body(rest)
    if url and urllib.parse.urlsplit(url).scheme not in {"http", "https"}:
        raise ExtractError(f"front matter url {url!r} is not an http(s) address", "bad-front-matter")
    if not body.strip():
        raise ExtractError(f"not an article: {name} has a title but no text after it", "not-an-article")
    return Extracted(title=title, source=clean_line(source), url=url, date=date, text=body)


# --- dispatch -------------------------------------------------------------------------


def extract_fetched(fetched: "Fetched") -> Extracted:
    """Read a downloaded page with the reader its content type calls for."""
    if fetched.kind == "html":
        return from_html(fetched.body, url=fetched.url, charset=fetched.charset)
    article = from_plain(decode_text(fetched.body, fetched.charset, fetched.url), name=fetched.url)
    return article if article.url else Extracted(article.title, article.source, fetched.url, article.date, article.text)


def extract_file(filename: str, data: bytes) -> Extracted:
    """Read an uploaded or local file by its extension (.html, .htm, .md, .markdown, .txt)."""
    suffix = PurePath(filename).suffix.lower()
    name = PurePath(filename).name
    if suffix in HTML_SUFFIXES:
        return from_html(data, name=name)
    if suffix in TEXT_SUFFIXES:
        return from_plain(decode_text(data, name=name), name=name)
    shown = suffix or "(no extension)"
    raise ExtractError(f"unsupported type: {name} is {shown}; add an .html, .md or .txt file", "unsupported-type")
