"""Writing an extracted article into the corpus folder, safely and without duplicates.

The corpus is the bot's only memory and people edit it by hand, so this
module is conservative: the same article (same canonical url, or the same
text) updates its existing file instead of creating a twin; a file name that
belongs to a different article, or a path that would leave the corpus folder,
is refused rather than "fixed"; writes are atomic so the indexer never reads
half a file.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import tempfile
import threading
import unicodedata
import urllib.parse
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

from bot.ingest.errors import IngestError, StoreError
from bot.ingest.extract import Extracted
from bot.ingest.frontmatter import read_front_matter, render_article

MAX_SLUG = 80
REMOVED_DIR = ".removed"
_SLUG_OK = re.compile(r"^[a-z0-9][a-z0-9_-]*$")
_TRACKING_PARAMS = re.compile(r"^(utm_\w+|fbclid|gclid|mc_cid|mc_eid|ref|cmpid)$", re.I)
# One writer at a time inside this process: two admins adding the same link
# together must not both decide "new" and write twins.
_WRITE_LOCK = threading.Lock()


@dataclass(frozen=True, slots=True)
class Saved:
    """What happened to the corpus, with enough to undo it if the engine then rejects the file."""

    path: Path
    article_id: str  # path relative to the corpus folder, as the engine names articles
    action: str  # "created", "updated" or "unchanged"
    matched_by: str | None  # "url" or "text" when an existing article was recognised
    previous: bytes | None  # the file's old bytes for "updated"


def slugify(text: str) -> str:
    """ASCII, lower case, words joined by hyphens, cut at a word boundary: a name a person can type."""
    text = re.sub(r"['’](?=\w)", "", text)  # "Connor's" -> "connors", not "connor-s"
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    if len(slug) > MAX_SLUG:
        slug = slug[:MAX_SLUG].rsplit("-", 1)[0] if "-" in slug[:MAX_SLUG] else slug[:MAX_SLUG]
    return slug


def slug_for(article: Extracted) -> str:
    """The file name an article gets: from its title, else from its url's last path part, else from its first words."""
    path_part = urllib.parse.urlsplit(article.url or "").path.rstrip("/").rsplit("/", 1)[-1]
    for candidate in (article.title, re.sub(r"\.\w{1,5}$", "", path_part), " ".join(article.text.split()[:8])):
        slug = slugify(candidate)
        if slug:
            return slug
    return "article"


def check_slug(slug: str) -> str:
    """An admin-chosen slug is a plain file name: no folders, no dots, no way out of the corpus."""
    slug = slug.strip()
    if slug.lower().endswith(".md"):
        slug = slug[:-3]
    if not _SLUG_OK.match(slug) or len(slug) > MAX_SLUG:
        raise StoreError(
            f"refused slug {slug!r}: use lower-case letters, digits, '-' and '_' only (at most {MAX_SLUG}), no folders",
            "unsafe-path",
        )
    return slug


def normalize_url(url: str | None) -> str:
    """The form two links to the same article share: no fragment, tracking parameters, default port, or trailing slash."""
    if not url:
        return ""
    parts = urllib.parse.urlsplit(url.strip())
    host = (parts.hostname or "").lower()
    if host.startswith("www."):
        host = host[4:]
    if parts.port and not (parts.scheme, parts.port) in {("http", 80), ("https", 443)}:
        host = f"{host}:{parts.port}"
    query = urllib.parse.urlencode(
        sorted((k, v) for k, v in urllib.parse.parse_qsl(parts.query, keep_blank_values=True) if not _TRACKING_PARAMS.match(k))
    )
    # http and https versions of a page are the same article
    return urllib.parse.urlunsplit(("", host, parts.path.rstrip("/") or "/", query, ""))


def normalize_text(text: str) -> str:
    """Words only, case-folded: Markdown markers, punctuation and line wrapping do not make a new article."""
    return " ".join(re.findall(r"\w+", text.casefold()))


def _inside(corpus: Path, path: Path) -> bool:
    try:
        path.resolve().relative_to(corpus)
    except (ValueError, OSError):
        return False
    return True


def iter_article_files(corpus: Path) -> Iterator[Path]:
    """Article files exactly as the engine's loader finds them, minus symlinks that lead out of the corpus."""
    from bot.engine.corpus import discover

    for path in discover(corpus, []):
        if _inside(corpus, path):
            yield path


@dataclass(frozen=True, slots=True)
class _Existing:
    """What an article file already in the corpus says about itself."""

    path: Path
    title: str
    source: str
    url: str | None
    date: dt.date | None
    body: str


def _read_existing(path: Path) -> _Existing:
    """An existing file's metadata and body; a file we cannot parse still takes part in text dedupe."""
    try:
        text = path.read_text(encoding="utf-8-sig", errors="replace")
    except OSError:
        return _Existing(path, "", "", None, None, "")
    try:
        meta = read_front_matter(text)
    except IngestError:
        meta = None
    if meta is None:
        return _Existing(path, "", "", None, None, text)
    return _Existing(path, meta.title, meta.source, meta.url, meta.date, meta.body)


def find_duplicate(corpus: Path, article: Extracted) -> tuple[_Existing, str] | None:
    """The file already holding this article, and how it was recognised: "url" or "text"."""
    url_key = normalize_url(article.url)
    text_key = normalize_text(article.text)
    by_text = None
    for path in iter_article_files(corpus):
        existing = _read_existing(path)
        if url_key and normalize_url(existing.url) == url_key:
            return existing, "url"
        if by_text is None and text_key and normalize_text(existing.body) == text_key:
            by_text = (existing, "text")
    return by_text


def _merged(article: Extracted, old: _Existing, matched_by: str) -> Extracted:
    """Update values that are found now; keep what the old file knew (maybe typed by an admin) for the rest.

    On a text match the old url stays: the file was first added from it, and
    flipping it on every re-add of a syndicated copy would churn the corpus.
    """
    url = old.url if matched_by == "text" and old.url else article.url or old.url
    return Extracted(
        title=article.title or old.title,
        source=article.source or old.source,
        url=url,
        date=article.date or old.date,
        text=article.text,
    )


def _write_atomically(corpus: Path, target: Path, content: bytes) -> None:
    # the temporary name starts with "." and ends in .tmp: never mistaken for an article
    fd, tmp = tempfile.mkstemp(dir=corpus, prefix=".adding-", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(content)
        # mkstemp makes the file private (0600); an article must stay readable like its neighbours
        os.chmod(tmp, target.stat().st_mode & 0o777 if target.exists() else 0o644)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _target_for(corpus: Path, slug: str) -> Path:
    target = corpus / f"{slug}.md"
    if target.is_symlink() or target.parent.resolve() != corpus:
        raise StoreError(f"refused: {target.name} would be written outside the corpus folder", "unsafe-path")
    return target


def open_corpus(corpus_dir: Path) -> Path:
    """The corpus folder, resolved; it must already exist (a typo must not create a new, empty corpus)."""
    if not corpus_dir.is_dir():
        raise StoreError(f"corpus folder {corpus_dir} does not exist", "no-corpus")
    return corpus_dir.resolve()


def save_article(corpus_dir: Path, article: Extracted, *, slug: str | None = None) -> Saved:
    """Create ``<slug>.md`` or update the file already holding the same article."""
    corpus = open_corpus(corpus_dir)
    with _WRITE_LOCK:
        duplicate = find_duplicate(corpus, article)
        if duplicate is not None:
            existing, matched_by = duplicate
            target = existing.path
            if target.is_symlink():
                raise StoreError(f"refused: {target.relative_to(corpus)} is a symbolic link; edit it by hand", "unsafe-path")
            article = _merged(article, existing, matched_by)
        else:
            target, matched_by = _target_for(corpus, check_slug(slug) if slug is not None else slug_for(article)), None
            if target.exists():
                other = _read_existing(target).title or target.name
                raise StoreError(
                    f"refused: {target.name} already holds a different article ({other}); choose another slug",
                    "slug-taken",
                )
        content = render_article(article.title, article.source, article.url, article.date, article.text).encode("utf-8")
        previous = target.read_bytes() if target.exists() else None
        if previous == content:
            action = "unchanged"
        else:
            _write_atomically(corpus, target, content)
            action = "created" if previous is None else "updated"
    return Saved(target, target.relative_to(corpus).as_posix(), action, matched_by, previous)


def undo(saved: Saved) -> None:
    """Put the corpus back as it was before ``save_article`` (the engine could not load the new file)."""
    if saved.action == "created":
        saved.path.unlink(missing_ok=True)
    elif saved.action == "updated" and saved.previous is not None:
        _write_atomically(saved.path.parent, saved.path, saved.previous)


def remove_article(corpus_dir: Path, article_id: str) -> Path:
    """Move an article into ``corpus/.removed/`` (kept, but no longer indexed) and return its new path.

    ``article_id`` is the engine's id (path relative to the corpus).  Only a
    file the engine would index can be removed: ids with ``..``, rule files
    or anything outside the corpus are refused.  A name already used in
    ``.removed`` gets a numbered suffix, so an older removal is never lost.
    """
    corpus = open_corpus(corpus_dir)
    with _WRITE_LOCK:
        source = next((p for p in iter_article_files(corpus) if p.relative_to(corpus).as_posix() == article_id), None)
        if source is None:
            raise StoreError(f"no article {article_id!r} in the corpus", "not-found")
        rel = source.relative_to(corpus)
        folder = corpus / REMOVED_DIR / rel.parent
        folder.mkdir(parents=True, exist_ok=True)
        target = folder / rel.name
        number = 1
        while target.exists() or target.is_symlink():
            number += 1
            target = folder / f"{rel.stem}-{number}{rel.suffix}"
        os.replace(source, target)
    return target
