"""The whole "add an article" job, shared by the command line and Discord.

Faces differ only in how they get the input (a link, a local path, an
attachment) and in how they build the engine (the CLI directly, Discord in a
worker thread through its reindex path), so both are parameters here.  After
storing, the new index must really contain the article: if the loader rejects
the file, the corpus is put back as it was and the admin gets the loader's
reason, so a bad add can never leave the bot with a broken file.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Callable

from bot.ingest import store
from bot.ingest.errors import ExtractError, IngestError
from bot.ingest.extract import Extracted, extract_fetched, extract_file
from bot.ingest.fetch import DEFAULT_MAX_BYTES, DEFAULT_TIMEOUT, fetch, fetch_async

if TYPE_CHECKING:
    import aiohttp

    from bot.engine import Article, Engine, Passage


@dataclass(frozen=True, slots=True)
class Added:
    """What the admin is shown: the article as fans will get it."""

    saved: store.Saved
    article: "Article"
    passages: tuple["Passage", ...]
    engine: "Engine"


def extract_url(url: str, *, timeout: float = DEFAULT_TIMEOUT, max_bytes: int = DEFAULT_MAX_BYTES) -> Extracted:
    """Download and read a page (blocking)."""
    return extract_fetched(fetch(url, timeout=timeout, max_bytes=max_bytes))


async def extract_url_async(
    url: str,
    *,
    timeout: float = DEFAULT_TIMEOUT,
    max_bytes: int = DEFAULT_MAX_BYTES,
    session: "aiohttp.ClientSession | None" = None,
) -> Extracted:
    """Download without blocking the loop; trafilatura's CPU work runs in a thread."""
    import asyncio

    fetched = await fetch_async(url, timeout=timeout, max_bytes=max_bytes, session=session)
    return await asyncio.to_thread(extract_fetched, fetched)


def extract_path(path: Path, *, max_bytes: int = DEFAULT_MAX_BYTES) -> Extracted:
    """Read a local file, with the same size limit as a download."""
    try:
        size = path.stat().st_size
    except FileNotFoundError:
        raise ExtractError(f"{path} is neither an existing file nor an http(s) link", "unsupported-type") from None
    except OSError as err:
        raise ExtractError(f"cannot read {path}: {err.strerror or err}", "unsupported-type") from None
    if not path.is_file():
        raise ExtractError(f"{path} is a folder, not a file", "unsupported-type")
    if size > max_bytes:
        raise IngestError(f"too large: {path.name} is {size:,} bytes, over the {max_bytes:,} byte limit", "too-large")
    return extract_file(path.name, path.read_bytes())


def confirm(saved: store.Saved, engine: "Engine") -> Added:
    """Check that the rebuilt ``engine`` really indexed the stored file; if not, undo the store and say why.

    Discord calls this after its own reindex (and reindexes again when it
    raises, so the bot drops the rolled-back file); the CLI via ``publish``.
    """
    loaded = next((a for a in engine.articles if a.id == saved.article_id), None)
    if loaded is None:
        store.undo(saved)
        reasons = [str(err) for err in engine.errors if err.path == saved.article_id]
        why = reasons[0] if reasons else f"{saved.article_id} was not loaded by the index"
        raise IngestError(f"not added: the index could not use the new file ({why})", "not-an-article")
    return Added(saved, loaded, tuple(engine.passages_of(saved.article_id)), engine)


def publish(corpus_dir: Path, article: Extracted, build: Callable[[Path], "Engine"], *, slug: str | None = None) -> Added:
    """Store the article, rebuild the index with ``build``, and check the article made it in.

    ``build`` is blocking (call ``publish`` itself from a thread in async code).
    """
    saved = store.save_article(corpus_dir, article, slug=slug)
    try:
        engine = build(corpus_dir)
    except Exception:
        store.undo(saved)
        raise
    return confirm(saved, engine)
