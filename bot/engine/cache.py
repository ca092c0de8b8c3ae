"""A built Engine saved on disk, reused while the corpus and the code are unchanged.

A restart with the same articles should not re-read and re-analyse them.
The cache file for a corpus folder (one per absolute path) starts with a
one-line JSON header holding the *fingerprint* of what the engine was built
from -- every article and rules file's relative name, size, mtime and inode,
the engine config, the package version and a hash of the engine's own source
-- and a checksum of the pickled payload that follows.  A cache is used only
when its fingerprint equals the current one and its payload checksum holds;
anything else (stale, truncated, corrupt, unreadable) is logged and rebuilt,
and the user only ever sees a slower start, never an error.

Files are written to a temporary name and renamed over the old one, so a
crash mid-write leaves the previous cache or none, never half of one.  The
corpus folder itself is never written to.  Pickle runs code on load, so the
cache folder must be one that only the bot writes (it is the bot's own state,
like its database).
"""

from __future__ import annotations

import contextlib
import gc
import hashlib
import json
import logging
import os
import pickle
import struct
import sys
import tempfile
from collections.abc import Iterator
from itertools import chain
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

import bot
from bot.engine.corpus import discover
from bot.engine.rules import RULE_FILES

if TYPE_CHECKING:
    from bot.engine.engine import Engine, EngineConfig, Progress

log = logging.getLogger(__name__)

FORMAT = 2
# Articles or passages per pickle frame.  One pickle.loads holds the GIL from
# start to end (a quarter of a second for 100k passages in one piece); frames
# of this size load in about 10 ms each, and between frames the event loop
# thread gets its turn.
FRAME_ITEMS = 4096
_LENGTH = struct.Struct("<Q")
_ENGINE_SOURCES = Path(__file__).resolve().parent


@contextlib.contextmanager
def paused_gc():
    """No automatic cyclic garbage collection inside the block (restored after, as it was).

    Building or unpickling an index allocates hundreds of thousands of
    objects, which triggers full collections; each walks every live object
    while holding the GIL (a quarter of a second at 100k passages), freezing
    the bot's event loop in another thread.  The build makes no garbage
    cycles worth collecting, so pausing costs nothing and saves time too.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _source_hash() -> str:
    """A hash of the engine's code and built-in rules: a code change must not reuse an old index."""
    digest = hashlib.sha256()
    for path in sorted([*_ENGINE_SOURCES.glob("*.py"), *_ENGINE_SOURCES.glob("data/*")]):
        digest.update(path.name.encode())
        try:
            digest.update(path.read_bytes())
        except OSError:
            digest.update(b"?")
    return digest.hexdigest()


def corpus_fingerprint(corpus_dir: Path, config: "EngineConfig") -> str:
    """What the engine for ``corpus_dir`` depends on, as one hex digest."""
    from bot.engine.models import LoadError

    errors: list[LoadError] = []
    entries = []
    files = [*discover(corpus_dir, errors), *(corpus_dir / name for name in sorted(RULE_FILES))]
    for path in files:
        try:
            info = path.stat()
        except OSError as exc:  # missing rules file, or a file that vanished: part of the state too
            entries.append((path.relative_to(corpus_dir).as_posix(), type(exc).__name__))
            continue
        entries.append((path.relative_to(corpus_dir).as_posix(), info.st_size, info.st_mtime_ns, info.st_ino))
    state = {
        "corpus": str(corpus_dir),
        "files": entries,
        "folder_errors": [str(e) for e in errors],
        "config": config.fingerprint(),
        "version": bot.__version__,
        "code": _source_hash(),
        "python": list(sys.version_info[:2]),
        "numpy": np.__version__,
    }
    return hashlib.sha256(json.dumps(state, sort_keys=True).encode()).hexdigest()


class IndexCache:
    """Loads the saved Engine for a corpus folder when it is still valid, else builds and saves it."""

    def __init__(self, cache_dir: Path) -> None:
        self.cache_dir = Path(cache_dir)

    def path_for(self, corpus_dir: Path) -> Path:
        key = hashlib.sha256(str(corpus_dir.resolve()).encode()).hexdigest()[:24]
        return self.cache_dir / f"engine-{key}.cache"

    def load_or_build(self, corpus_dir: Path, config: "EngineConfig", progress: "Progress | None" = None) -> "Engine":
        from bot.engine.engine import Engine

        corpus_dir = Path(corpus_dir)
        if self._inside(corpus_dir):
            log.warning("index cache folder %s is inside the corpus folder %s; not caching", self.cache_dir, corpus_dir)
            return Engine.build_fresh(corpus_dir, config, progress=progress)
        path = self.path_for(corpus_dir)
        try:
            fingerprint = corpus_fingerprint(corpus_dir, config)
        except OSError as exc:  # the corpus folder is missing or unreadable: the build says why
            log.info("cannot fingerprint %s (%s); building without the cache", corpus_dir, exc)
            return Engine.build_fresh(corpus_dir, config, progress=progress)
        engine = self._load(path, fingerprint)
        if engine is not None:
            engine.corpus_dir, engine.config = corpus_dir, config
            log.info("loaded the index of %s from %s", corpus_dir, path)
            return engine
        engine = Engine.build_fresh(corpus_dir, config, progress=progress)
        # Saved only if nothing changed while we read: otherwise the next start would trust a mix.
        if corpus_fingerprint(corpus_dir, config) == fingerprint:
            self._save(path, fingerprint, engine)
        else:
            log.info("the corpus changed while it was indexed; not caching this index")
        return engine

    def _inside(self, corpus_dir: Path) -> bool:
        cache, corpus = self.cache_dir.resolve(), corpus_dir.resolve()
        return cache == corpus or corpus in cache.parents

    def _load(self, path: Path, fingerprint: str) -> "Engine | None":
        """The cached engine if ``path`` holds a sound cache for ``fingerprint``; None (and a log line) otherwise."""
        try:
            with path.open("rb") as handle:
                header = json.loads(handle.readline(4096))
                if header.get("format") != FORMAT or header.get("fingerprint") != fingerprint:
                    log.info("index cache %s is stale (the corpus, settings or code changed); rebuilding", path)
                    return None
                size = header.get("bytes")
                if not isinstance(size, int) or size < 0:
                    raise ValueError("the header has no payload size")
                # read(size), not read(): after readline, read() joins the buffered
                # head to the rest, copying the whole payload with the GIL held
                # (a third of a second at 100k passages, the event loop frozen).
                payload = handle.read(size)
                trailing = handle.read(1)
        except FileNotFoundError:
            log.info("no index cache at %s yet; building", path)
            return None
        except (OSError, ValueError, AttributeError) as exc:
            log.warning("index cache %s is unreadable (%s); rebuilding", path, exc)
            return None
        if len(payload) != size or trailing or hashlib.sha256(payload).hexdigest() != header.get("sha256"):
            log.warning("index cache %s is truncated or corrupt (checksum mismatch); rebuilding", path)
            return None
        try:
            with paused_gc():
                return _engine_from_frames(payload)
        except Exception as exc:  # noqa: BLE001 - a cache that passed its checksum but cannot load is still only a cache
            log.warning("index cache %s could not be loaded (%s: %s); rebuilding", path, type(exc).__name__, exc)
            return None

    def _save(self, path: Path, fingerprint: str, engine: "Engine") -> None:
        """Write atomically: a temporary file in the same folder, then a rename over the old cache."""
        tmp = None
        try:
            with paused_gc():
                frames = list(_engine_frames(engine))
            digest = hashlib.sha256()
            for frame in frames:
                digest.update(frame)
            size = sum(len(frame) for frame in frames)
            header = {"format": FORMAT, "fingerprint": fingerprint, "bytes": size, "sha256": digest.hexdigest()}
            self.cache_dir.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=self.cache_dir)
            with os.fdopen(fd, "wb") as handle:
                handle.write(json.dumps(header).encode() + b"\n")
                handle.writelines(frames)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(tmp, path)
            tmp = None
            log.info("saved the index of %s to %s (%.1f MB)", engine.corpus_dir, path, size / 1e6)
        except (OSError, pickle.PicklingError, TypeError, AttributeError) as exc:
            log.warning("could not save the index cache to %s (%s); it will be rebuilt next time", path, exc)
        finally:
            if tmp is not None:
                try:
                    os.unlink(tmp)
                except OSError:
                    pass


def _engine_frames(engine: "Engine") -> Iterator[bytes]:
    """The engine as length-prefixed pickles (each length, then its pickle): frame counts, the small state,
    then articles and passages in frames."""
    state = engine.__getstate__()
    articles, passages = _slices(state.pop("articles")), _slices(state.pop("passages"))
    for piece in [(len(articles), len(passages)), state, *articles, *passages]:
        data = pickle.dumps(piece, protocol=5)
        yield _LENGTH.pack(len(data))
        yield data  # separately: joining would copy the 60 MB index frame for nothing


def _slices(items: tuple) -> list[tuple]:
    return [items[start:start + FRAME_ITEMS] for start in range(0, len(items), FRAME_ITEMS)]


def _engine_from_frames(payload: bytes) -> "Engine":
    from bot.engine.engine import Engine

    view, at = memoryview(payload), 0

    def next_frame() -> object:
        nonlocal at
        if at + _LENGTH.size > len(view):
            raise ValueError("the cache ends in the middle of a frame")
        (length,) = _LENGTH.unpack_from(view, at)
        start, at = at + _LENGTH.size, at + _LENGTH.size + length
        if at > len(view):
            raise ValueError("a frame runs past the end of the cache")
        return pickle.loads(view[start:at])

    article_frames, passage_frames = next_frame()
    state = next_frame()
    state["articles"] = tuple(chain.from_iterable(next_frame() for _ in range(article_frames)))
    state["passages"] = tuple(chain.from_iterable(next_frame() for _ in range(passage_frames)))
    if at != len(view):
        raise ValueError("the cache has data after its last frame")
    engine = Engine.__new__(Engine)
    engine.__setstate__(state)
    return engine
