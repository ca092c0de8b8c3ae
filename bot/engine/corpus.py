"""Read a corpus folder into Articles, reporting every unusable file by name and line.

A bad file never stops the load: it becomes a ``LoadError`` and the other
files are still read.  The loader only reads; it never writes to the corpus.
"""

from __future__ import annotations

import hashlib
import os
import re
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterator

from bot.engine import frontmatter
from bot.engine.cleaning import strip_chrome
from bot.engine.models import Article, LoadError
from bot.engine.rules import RULE_FILES, ChromeRules

ARTICLE_SUFFIXES = frozenset({".md", ".markdown", ".txt"})
DEFAULT_MAX_FILE_BYTES = 5 * 1024 * 1024
_SENTENCE_END = re.compile(r"(?<=[.?!])\s+(?=[\"'“‘A-Z0-9])")
_MAX_TITLE = 150
_HEADLINE_CHARS = 110


@dataclass(frozen=True)
class CorpusLoad:
    articles: tuple[Article, ...]
    errors: tuple[LoadError, ...]
    files_seen: int


def _size_text(size: int) -> str:
    return f"{size / 1024 / 1024:.1f} MB" if size >= 1024 * 1024 else f"{size / 1024:.0f} KB"


def discover(corpus_dir: Path, errors: list[LoadError]) -> Iterator[Path]:
    """Article files under ``corpus_dir`` in a stable order; hidden folders and rule files skipped.

    Symlinked folders are not followed, so a symlink loop cannot hang the load.
    """

    def on_error(exc: OSError) -> None:
        name = _relative(Path(exc.filename or corpus_dir), corpus_dir)
        errors.append(LoadError(name, None, f"cannot read folder: {exc.strerror or exc}"))

    for root, dirs, files in os.walk(corpus_dir, onerror=on_error, followlinks=False):
        dirs[:] = sorted(d for d in dirs if not d.startswith(".") and d != "__pycache__")
        for name in sorted(files):
            if name.startswith(".") or name in RULE_FILES:
                continue
            path = Path(root) / name
            if path.suffix.lower() in ARTICLE_SUFFIXES:
                yield path


def _relative(path: Path, corpus_dir: Path) -> str:
    try:
        return path.relative_to(corpus_dir).as_posix()
    except ValueError:
        return str(path)


def _decode(data: bytes) -> str:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise frontmatter.FrontMatterError(
            line, f"not UTF-8 text (byte 0x{data[exc.start]:02x} at line {line}); save the file as UTF-8"
        ) from None
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _plain_title(body: str) -> tuple[str, str]:
    """Title from the first line, and the body that remains.

    A first line that reads like a headline (short, no closing full stop) is
    the title and leaves the body; a first line of prose stays in the body
    (it may hold an answer) and its first sentence becomes the title.
    """
    first, _, rest = body.partition("\n")
    first = first.strip()
    if len(first) <= _HEADLINE_CHARS and not first.endswith((".", "!", "…", '"', "”")):
        return first, rest
    sentence = _SENTENCE_END.split(first, maxsplit=1)[0]
    if len(sentence) > _MAX_TITLE:
        cut = sentence.rfind(" ", 0, _MAX_TITLE)
        sentence = sentence[: cut if cut > 0 else _MAX_TITLE] + "…"
    return sentence, body


def load_file(path: Path, corpus_dir: Path, chrome: ChromeRules, max_bytes: int = DEFAULT_MAX_FILE_BYTES) -> Article:
    """Read one file into an Article, or raise ``frontmatter.FrontMatterError`` / ``OSError``."""
    info = path.stat()
    if not stat.S_ISREG(info.st_mode):
        # A named pipe would block the read forever; a device is not an article.
        raise frontmatter.FrontMatterError(None, "not a regular file (a pipe, socket or device); skipped")
    size = info.st_size
    if size > max_bytes:
        raise frontmatter.FrontMatterError(
            None, f"file is {_size_text(size)}, over the {_size_text(max_bytes)} limit for one article"
        )
    with path.open("rb") as handle:
        data = handle.read(max_bytes + 1)
    if len(data) > max_bytes:  # grew while we looked
        raise frontmatter.FrontMatterError(None, f"file is over the {_size_text(max_bytes)} limit for one article")
    text = _decode(data)
    rel = _relative(path, corpus_dir)
    if frontmatter.has_front_matter(text):
        meta = frontmatter.parse(text)
        body = strip_chrome(meta.body, chrome)
        title, source, url, date, body_line = meta.title, meta.source, meta.url, meta.date, meta.body_line
        if not title and body:
            title, _ = _plain_title(body)
    else:
        body = strip_chrome(text, chrome)
        title, body = _plain_title(body)
        body = body.strip("\n")
        source, url, date, body_line = path.stem, None, None, 1
    if not body.strip():
        raise frontmatter.FrontMatterError(body_line, "the article has no text after its front matter" if body_line > 1 else "the file is empty")
    return Article(
        id=rel,
        path=path,
        title=title or path.stem,
        source=source,
        url=url,
        date=date,
        body=body,
        checksum=hashlib.sha256(data).hexdigest(),
        body_line=body_line,
    )


def load_corpus(
    corpus_dir: Path,
    chrome: ChromeRules,
    *,
    max_bytes: int = DEFAULT_MAX_FILE_BYTES,
    progress: Callable[[int, Path], None] | None = None,
) -> CorpusLoad:
    """Load every article under ``corpus_dir``; bad files become errors, never exceptions."""
    if not corpus_dir.is_dir():
        raise FileNotFoundError(f"corpus folder {corpus_dir} does not exist or is not a folder")
    articles: list[Article] = []
    errors: list[LoadError] = []
    seen = 0
    for path in discover(corpus_dir, errors):
        seen += 1
        rel = _relative(path, corpus_dir)
        try:
            articles.append(load_file(path, corpus_dir, chrome, max_bytes))
        except frontmatter.FrontMatterError as exc:
            errors.append(LoadError(rel, exc.line, str(exc)))
        except FileNotFoundError:
            reason = "broken link: its target does not exist" if path.is_symlink() else "file disappeared while it was being read"
            errors.append(LoadError(rel, None, reason))
        except OSError as exc:
            errors.append(LoadError(rel, None, f"cannot read file: {exc.strerror or exc}"))
        if progress is not None:
            progress(seen, path)
    return CorpusLoad(tuple(articles), tuple(errors), seen)
